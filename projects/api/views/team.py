"""The project team and the stage gates of the lifecycle."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from pmo.api.rows import RowListMixin
from projects.api import serializers as s
from projects.api.base import ProjectScopedMixin
from projects.api.views.common import ID_PATTERN, _actor
from projects.models import NEXT_PHASE, OPEN_PHASES, Phase, ProjectMember, StageGate
from projects.permissions import ProjectAction, can_pass_gate
from projects.services import projects as services
from projects.services.gate_checks import gate_checks_evaluate

# --- the project team -----------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("List the project team"), tags=["projects"]),
    retrieve=extend_schema(summary=gettext_lazy("Show a project team member"), tags=["projects"]),
    create=extend_schema(
        summary=gettext_lazy("Add a member of the organisation to the project team"),
        tags=["projects"],
        request=s.ProjectMemberAddSerializer,
        responses={201: s.ProjectMemberSerializer},
    ),
    partial_update=extend_schema(
        summary=gettext_lazy("Change a team member's project role"),
        tags=["projects"],
        request=s.ProjectMemberRoleSerializer,
        responses={200: s.ProjectMemberSerializer},
    ),
    destroy=extend_schema(summary=gettext_lazy("Take someone off the project team"), tags=["projects"]),
)
class ProjectMemberViewSet(
    ProjectScopedMixin,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = gettext_lazy("The project team and each member's project role.")

    serializer_class = s.ProjectMemberSerializer
    row_builder = s.PROJECT_MEMBER_ROWS
    queryset = ProjectMember.objects.all()
    read_action = ProjectAction.PROJECT_VIEW
    write_action = ProjectAction.PROJECT_MANAGE
    filterset_fields = ["role"]
    ordering_fields = ["created_at", "role", "user__username"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[ProjectMember]:
        return (
            ProjectMember.objects.for_organization(self.organization)
            .filter(project=self.project)
            .select_related("user", "project__organization")
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = s.ProjectMemberAddSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        member = services.project_member_add(actor=_actor(request), project=self.project, **payload.validated_data)
        return Response(s.ProjectMemberSerializer(member).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = s.ProjectMemberRoleSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        member = services.project_member_change_role(
            actor=_actor(request), member=self.get_object(), role=payload.validated_data["role"]
        )
        return Response(s.ProjectMemberSerializer(member).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.project_member_remove(actor=_actor(request), member=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- the lifecycle --------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("List the project's stage gate passages"), tags=["projects"]),
    retrieve=extend_schema(summary=gettext_lazy("Show a stage gate passage"), tags=["projects"]),
    create=extend_schema(
        summary=gettext_lazy("Pass the stage gate into the next phase, or cancel the project"),
        description=gettext_lazy(
            "Every active checklist item for leaving the current phase must be listed in "
            "`passed_criteria`. Who may pass each gate is decided by the phase being left: a "
            "refused gate answers 403 with the code `permission_denied`. The computed checks the "
            "organisation applies to the phase are then evaluated: a failing one refuses the gate "
            "with 400, the check's code (`baseline_required`, `budget_required`, ...) and its "
            "reason, every failing check listed in `fields.computed_checks`; the gate passed "
            "records them in `computed_checks`."
        ),
        tags=["projects"],
        request=s.GatePassSerializer,
        responses={201: s.StageGateSerializer},
    ),
)
class StageGateViewSet(
    ProjectScopedMixin,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = gettext_lazy("The gates a project has passed, and passing the next one.")

    serializer_class = s.StageGateSerializer
    row_builder = s.STAGE_GATE_ROWS
    queryset = StageGate.objects.all()
    read_action = ProjectAction.PROJECT_VIEW
    # Who may pass a gate depends on the phase left; the service decides (projects.permissions.can_pass_gate).
    write_action = ProjectAction.PROJECT_VIEW
    filterset_fields: list[str] = []
    ordering_fields = ["approved_at"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[StageGate]:
        return (
            StageGate.objects.for_organization(self.organization)
            .filter(project=self.project)
            .select_related("approved_by")
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = s.GatePassSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        gate = services.project_advance(
            actor=_actor(request),
            membership=self.membership,
            project_role=self.project_role,
            project=self.project,
            **payload.validated_data,
        )
        return Response(s.StageGateSerializer(gate).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("The checklist for leaving the current phase, and whether I may pass the gate"),
        tags=["projects"],
        responses={200: s.GateChecklistSerializer},
    )
    @action(detail=False, methods=["get"])
    def checklist(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        phase = self.project.phase
        is_open = phase in OPEN_PHASES
        data = {
            "from_phase": phase,
            "to_phase": NEXT_PHASE.get(Phase(phase)),
            "can_approve": is_open and can_pass_gate(self.membership, self.project_role, phase),
            "can_cancel": is_open and can_pass_gate(self.membership, self.project_role, phase, cancel=True),
            "criteria": services.gate_criteria(self.organization, phase) if is_open else [],
            "computed_checks": [
                {
                    "code": result.code,
                    "label": result.label,
                    "explanation": str(result.check.explanation),
                    "passed": result.passed,
                    "reason": result.reason,
                }
                for result in gate_checks_evaluate(self.project)
            ],
        }
        return Response(s.GateChecklistSerializer(data).data)
