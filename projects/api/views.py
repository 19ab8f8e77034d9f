"""API of the projects app: portfolios, projects and teams, gates, the plan, baselines, CSV.

Every view resolves the organisation (and the project of nested routes) through its base
mixin, validates input with a serializer and calls one service.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any, cast

from django.db.models import Case, Count, F, FloatField, OuterRef, Prefetch, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Cast, Coalesce
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, mixins, parsers, renderers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from pmo.api.base import OrganizationScopedMixin
from pmo.errors import ApplicationError
from pmo.models import User
from pmo.policy import Action, can_pass_gate
from projects.api import serializers as s
from projects.api.base import ProjectScopedMixin, resolve_project
from projects.api.filters import (
    ChoiceOrderingFilter,
    GateCriterionFilter,
    PortfolioFilter,
    ProjectFilter,
    TaskFilter,
    WbsOrderingFilter,
)
from projects.models import (
    NEXT_PHASE,
    OPEN_PHASES,
    Baseline,
    BaselineTask,
    Dependency,
    GateCriterion,
    Phase,
    Portfolio,
    Priority,
    ProgressUpdate,
    Project,
    ProjectMember,
    ProjectSettings,
    StageGate,
    WbsElement,
)
from projects.selectors import baseline_comparison
from projects.services import csv_io, plan
from projects.services import projects as services
from projects.services import settings as settings_services

ID_PATTERN = r"[0-9]+"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
TRUE_VALUES = {"1", "true", "yes", "on"}
# Actions that take no input still document a (empty) JSON body.
EMPTY_BODY = {"application/json": OpenApiTypes.OBJECT}


def _actor(request: Request) -> User:
    return cast(User, request.user)


def with_percent_complete(projects: QuerySet[Project], organization_id: int) -> QuerySet[Project]:
    """Annotate ``percent_complete`` of each project's plan in the same query (one subquery).

    Weighted like the roll-up of summaries: by budgeted cost, or by duration when nothing is costed.
    """
    weighted = (
        WbsElement.objects.for_organization(organization_id)
        .filter(project=OuterRef("pk"))
        .leaves()
        .order_by()
        .values("project")
        .annotate(
            cost=Sum("budgeted_cost"),
            by_cost=Sum(F("budgeted_cost") * F("percent_complete")),
            days=Sum("duration"),
            by_days=Sum(F("duration") * F("percent_complete")),
        )
        .annotate(
            percent=Case(
                When(cost__gt=0, then=Cast("by_cost", FloatField()) / Cast("cost", FloatField())),
                When(days__gt=0, then=Cast("by_days", FloatField()) / Cast("days", FloatField())),
                default=Value(0.0),
                output_field=FloatField(),
            )
        )
        .values("percent")
    )
    return projects.annotate(percent_complete=Coalesce(Subquery(weighted, output_field=FloatField()), Value(0.0)))


# --- portfolios and projects ----------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List portfolios and programmes", tags=["portfolios"]),
    retrieve=extend_schema(summary="Show a portfolio or programme", tags=["portfolios"]),
    create=extend_schema(
        summary="Create a portfolio, or a programme inside one",
        tags=["portfolios"],
        request=s.PortfolioCreateSerializer,
        responses={201: s.PortfolioSerializer},
    ),
    partial_update=extend_schema(
        summary="Rename a portfolio, describe it or change its owner",
        tags=["portfolios"],
        request=s.PortfolioUpdateSerializer,
        responses={200: s.PortfolioSerializer},
    ),
)
class PortfolioViewSet(
    OrganizationScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Portfolios, and programmes (portfolios inside a portfolio). The PMO office manages them."""

    serializer_class = s.PortfolioSerializer
    queryset = Portfolio.objects.all()
    read_action = Action.PROJECT_VIEW
    write_action = Action.PORTFOLIO_MANAGE
    filterset_class = PortfolioFilter
    ordering_fields = ["name", "created_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[Portfolio]:
        return (
            Portfolio.objects.for_organization(self.organization)
            .select_related("parent", "owner")
            .annotate(project_count=Count("projects"))
            .order_by("name")
        )

    def _output(self, portfolio: Portfolio) -> dict[str, Any]:
        return s.PortfolioSerializer(self.get_queryset().get(pk=portfolio.pk)).data

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = s.PortfolioCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        portfolio = services.portfolio_create(
            actor=_actor(request), organization=self.organization, **payload.validated_data
        )
        return Response(self._output(portfolio), status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = s.PortfolioUpdateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        portfolio = services.portfolio_update(
            actor=_actor(request), portfolio=self.get_object(), **payload.validated_data
        )
        return Response(self._output(portfolio))


@extend_schema_view(
    list=extend_schema(summary="List projects", tags=["projects"]),
    retrieve=extend_schema(summary="Show a project, with my role and permissions on it", tags=["projects"]),
    create=extend_schema(
        summary="Create a project (it starts in initiation)",
        tags=["projects"],
        request=s.ProjectWriteSerializer,
        responses={201: s.ProjectDetailSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a project's charter, team leads, dates or calendar",
        tags=["projects"],
        request=s.ProjectWriteSerializer(partial=True),
        responses={200: s.ProjectDetailSerializer},
    ),
)
class ProjectViewSet(
    OrganizationScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Projects of the organisation. Their managers and coordinators change them; the PMO office creates them."""

    serializer_class = s.ProjectSerializer
    queryset = Project.objects.all()
    read_action = Action.PROJECT_VIEW
    write_action = Action.PROJECT_MANAGE
    action_permissions = {"create": Action.PROJECT_CREATE}
    filterset_class = ProjectFilter
    filter_backends = [DjangoFilterBackend, ChoiceOrderingFilter]
    ordering_fields = ["code", "name", "planned_start", "planned_finish", "phase", "priority"]
    ordering_by_choice_order = {"phase": Phase, "priority": Priority}
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = ID_PATTERN

    def resolve_scope(self, **url_kwargs: Any) -> None:
        # On a project's own URL the user's project role joins the policy check.
        if "pk" in url_kwargs:
            _project, self.project_role = resolve_project(
                self.organization.pk, url_kwargs["pk"], self.membership.user_id
            )

    def get_queryset(self) -> QuerySet[Project]:
        projects = Project.objects.for_organization(self.organization).select_related("manager", "sponsor", "portfolio")
        return with_percent_complete(projects, self.organization.pk)

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        return s.ProjectSerializer if self.action == "list" else s.ProjectDetailSerializer

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["project_role"] = self.project_role
        return context

    def _output(self, project: Project) -> dict[str, Any]:
        _project, self.project_role = resolve_project(self.organization.pk, project.pk, self.membership.user_id)
        fresh = self.get_queryset().get(pk=project.pk)
        return s.ProjectDetailSerializer(fresh, context=self.get_serializer_context()).data

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = s.ProjectWriteSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        project = services.project_create(
            actor=_actor(request), organization=self.organization, **payload.validated_data
        )
        return Response(self._output(project), status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = s.ProjectWriteSerializer(data=request.data, partial=True, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        project = services.project_update(actor=_actor(request), project=self.get_object(), **payload.validated_data)
        return Response(self._output(project))


# --- the project team -----------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List the project team", tags=["projects"]),
    retrieve=extend_schema(summary="Show a project team member", tags=["projects"]),
    create=extend_schema(
        summary="Add a member of the organisation to the project team",
        tags=["projects"],
        request=s.ProjectMemberAddSerializer,
        responses={201: s.ProjectMemberSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a team member's project role",
        tags=["projects"],
        request=s.ProjectMemberRoleSerializer,
        responses={200: s.ProjectMemberSerializer},
    ),
    destroy=extend_schema(summary="Take someone off the project team", tags=["projects"]),
)
class ProjectMemberViewSet(
    ProjectScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The project team and each member's project role."""

    serializer_class = s.ProjectMemberSerializer
    queryset = ProjectMember.objects.all()
    read_action = Action.PROJECT_VIEW
    write_action = Action.PROJECT_MANAGE
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
    list=extend_schema(summary="List the project's stage gate passages", tags=["projects"]),
    retrieve=extend_schema(summary="Show a stage gate passage", tags=["projects"]),
    create=extend_schema(
        summary="Pass the stage gate into the next phase, or cancel the project",
        description=(
            "Every active checklist item for leaving the current phase must be listed in "
            "`passed_criteria`. Who may pass each gate is decided by the phase being left: a "
            "refused gate answers 403 with the code `permission_denied`."
        ),
        tags=["projects"],
        request=s.GatePassSerializer,
        responses={201: s.StageGateSerializer},
    ),
)
class StageGateViewSet(
    ProjectScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The gates a project has passed, and passing the next one."""

    serializer_class = s.StageGateSerializer
    queryset = StageGate.objects.all()
    read_action = Action.PROJECT_VIEW
    # Who may pass a gate depends on the phase left; the service decides (pmo.policy.can_pass_gate).
    write_action = Action.PROJECT_VIEW
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
        summary="The checklist for leaving the current phase, and whether I may pass the gate",
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
        }
        return Response(s.GateChecklistSerializer(data).data)


@extend_schema_view(
    list=extend_schema(summary="List the gate checklists", tags=["project settings"]),
    retrieve=extend_schema(summary="Show a gate criterion", tags=["project settings"]),
    create=extend_schema(
        summary="Add a criterion to the checklist for leaving a phase",
        tags=["project settings"],
        request=s.GateCriterionCreateSerializer,
        responses={201: s.GateCriterionSerializer},
    ),
    partial_update=extend_schema(
        summary="Reword, reorder or switch off a gate criterion",
        tags=["project settings"],
        request=s.GateCriterionUpdateSerializer,
        responses={200: s.GateCriterionSerializer},
    ),
)
class GateCriterionViewSet(
    OrganizationScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The organisation's checklists for leaving each phase. Criteria are switched off, never deleted."""

    serializer_class = s.GateCriterionSerializer
    queryset = GateCriterion.objects.all()
    read_action = Action.PROJECT_VIEW
    write_action = Action.PROJECT_SETTINGS_MANAGE
    filterset_class = GateCriterionFilter
    filter_backends = [DjangoFilterBackend, ChoiceOrderingFilter]
    ordering_fields = ["from_phase", "order"]
    ordering = ["from_phase", "order", "id"]
    ordering_by_choice_order = {"from_phase": Phase}
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[GateCriterion]:
        return GateCriterion.objects.for_organization(self.organization)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.gate_criteria_ensure_defaults(self.organization)
        return super().list(request, *args, **kwargs)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = s.GateCriterionCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        criterion = settings_services.gate_criterion_create(
            actor=_actor(request), organization=self.organization, **payload.validated_data
        )
        return Response(s.GateCriterionSerializer(criterion).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = s.GateCriterionUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        criterion = settings_services.gate_criterion_update(
            actor=_actor(request), criterion=self.get_object(), **payload.validated_data
        )
        return Response(s.GateCriterionSerializer(criterion).data)


@extend_schema_view(
    get=extend_schema(summary="Show the change approval thresholds", tags=["project settings"]),
    patch=extend_schema(
        summary="Change the change approval thresholds",
        tags=["project settings"],
        request=s.ProjectSettingsSerializer,
        responses={200: s.ProjectSettingsSerializer},
    ),
)
class ProjectSettingsView(OrganizationScopedMixin, generics.RetrieveUpdateAPIView):
    """Above which cost or schedule impact a change request needs finance or PMO approval."""

    serializer_class = s.ProjectSettingsSerializer
    queryset = ProjectSettings.objects.all()
    read_action = Action.PROJECT_VIEW
    write_action = Action.PROJECT_SETTINGS_MANAGE
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self) -> ProjectSettings:
        return services.project_settings(self.organization)

    def perform_update(self, serializer: BaseSerializer[ProjectSettings]) -> None:
        serializer.instance = settings_services.project_settings_update(
            actor=_actor(self.request), organization=self.organization, **serializer.validated_data
        )


# --- the WBS --------------------------------------------------------------------------


def _wbs_tree(elements: list[WbsElement]) -> list[dict[str, Any]]:
    """Nest serialized elements (already in tree order) under their parents."""
    nodes: dict[int, dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    for element, row in zip(elements, s.WbsElementSerializer(elements, many=True).data, strict=True):
        nodes[element.pk] = {**row, "children": []}
    for element in elements:
        parent = nodes.get(element.parent_id) if element.parent_id is not None else None
        (parent["children"] if parent is not None else roots).append(nodes[element.pk])
    return roots


@extend_schema_view(
    list=extend_schema(
        summary="The project's WBS, flat in WBS order or as a tree",
        tags=["plan"],
        parameters=[
            OpenApiParameter("tree", OpenApiTypes.BOOL, description="Nest elements under their parents (`children`).")
        ],
        responses={200: s.WbsTreeNodeSerializer(many=True)},
    ),
    retrieve=extend_schema(summary="Show a WBS element", tags=["plan"]),
    create=extend_schema(
        summary="Add a WBS element (a task under a task makes that task a summary)",
        tags=["plan"],
        request=s.WbsElementCreateSerializer,
        responses={201: s.WbsElementSerializer},
    ),
    partial_update=extend_schema(
        summary="Change, move or reorder a WBS element",
        tags=["plan"],
        request=s.WbsElementUpdateSerializer,
        responses={200: s.WbsElementSerializer},
    ),
    destroy=extend_schema(summary="Delete a WBS element and everything under it", tags=["plan"]),
)
class WbsElementViewSet(
    ProjectScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The work breakdown structure. The whole plan comes in one response, in WBS order."""

    serializer_class = s.WbsElementSerializer
    queryset = WbsElement.objects.all()
    read_action = Action.PROJECT_VIEW
    write_action = Action.PROJECT_MANAGE
    filter_backends: list[Any] = []
    pagination_class = None
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[WbsElement]:
        return WbsElement.objects.for_organization(self.organization).filter(project=self.project)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        elements = sorted(self.get_queryset(), key=lambda element: csv_io.code_key(element.code))
        if request.query_params.get("tree", "").lower() in TRUE_VALUES:
            return Response(_wbs_tree(elements))
        return Response(s.WbsElementSerializer(elements, many=True).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = s.WbsElementCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        element = plan.wbs_element_create(actor=_actor(request), project=self.project, **payload.validated_data)
        return Response(s.WbsElementSerializer(element).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = s.WbsElementUpdateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        element = plan.wbs_element_update(actor=_actor(request), element=self.get_object(), **payload.validated_data)
        return Response(s.WbsElementSerializer(element).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan.wbs_element_delete(actor=_actor(request), element=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- tasks, progress and CSV ----------------------------------------------------------


class CsvRenderer(renderers.BaseRenderer):
    """Lets a client ask for ``text/csv``; the export writes its CSV itself, errors stay JSON text."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        return b"" if data is None else json.dumps(data).encode()


class CsvParser(parsers.BaseParser):
    """A CSV file sent as the request body, kept as bytes for the import to decode."""

    media_type = "text/csv"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> bytes:  # type: ignore[override]
        return stream.read() if stream is not None else b""


class PlainTextParser(CsvParser):
    media_type = "text/plain"


def _file_name(project: Project) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", project.code).strip("-") or f"project-{project.pk}"


@extend_schema_view(
    list=extend_schema(summary="List the project's tasks and milestones", tags=["plan"]),
    retrieve=extend_schema(summary="Show a task or milestone", tags=["plan"]),
)
class TaskViewSet(
    ProjectScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The plan's leaves (tasks and milestones): what is scheduled, reported on and baselined."""

    serializer_class = s.WbsElementSerializer
    queryset = WbsElement.objects.all()
    read_action = Action.PROJECT_VIEW
    write_action = Action.PROGRESS_UPDATE
    action_permissions = {"import_csv": Action.PROJECT_MANAGE}
    filterset_class = TaskFilter
    filter_backends = [DjangoFilterBackend, WbsOrderingFilter]
    ordering_fields = ["code", "name", "planned_start", "planned_finish", "total_float", "duration"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[WbsElement]:
        return WbsElement.objects.for_organization(self.organization).filter(project=self.project).leaves()

    @extend_schema(
        summary="A task's progress history",
        tags=["plan"],
        responses={200: s.ProgressUpdateSerializer(many=True)},
        filters=False,
    )
    @action(detail=True, methods=["get"], url_path="progress", filter_backends=[])
    def progress(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        task = self.get_object()
        updates = (
            ProgressUpdate.objects.for_organization(self.organization)
            .filter(task=task)
            .select_related("updated_by")
            .order_by("-effective_date", "-created_at", "-id")
        )
        page = self.paginate_queryset(updates)
        return self.get_paginated_response(s.ProgressUpdateSerializer(page, many=True).data)

    @extend_schema(
        summary="Report progress on a task",
        description=(
            "Physical % complete is entered; with 0/100 and 50/50 the percentage follows the actual "
            "dates. The project is rescheduled."
        ),
        tags=["plan"],
        request=s.ProgressInputSerializer,
        responses={201: s.ProgressResultSerializer},
    )
    @progress.mapping.post
    def record_progress(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        task = self.get_object()
        payload = s.ProgressInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        values = dict(payload.validated_data)
        values.setdefault("effective_date", self.organization.today())
        update = plan.task_progress_update(actor=_actor(request), task=task, **values)
        task = self.get_queryset().get(pk=task.pk)
        return Response(
            s.ProgressResultSerializer({"progress": update, "task": task}).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="Export the plan as CSV",
        description=csv_io.__doc__,
        tags=["plan"],
        responses={(200, "text/csv"): OpenApiTypes.STR},
        filters=False,
    )
    @action(detail=False, methods=["get"], url_path="export", renderer_classes=[renderers.JSONRenderer, CsvRenderer])
    def export_csv(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        # A byte-order mark lets spreadsheet programs open UTF-8 (Chinese names) correctly.
        body = "\ufeff" + csv_io.plan_export_csv(self.project)
        response = HttpResponse(body.encode("utf-8"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{_file_name(self.project)}-plan.csv"'
        return response

    @extend_schema(
        summary="Import a whole plan from CSV into a project whose plan is empty",
        description=csv_io.__doc__,
        tags=["plan"],
        request={"multipart/form-data": s.PlanImportUploadSerializer, "text/csv": OpenApiTypes.STR},
        responses={201: s.PlanImportResultSerializer},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[parsers.MultiPartParser, CsvParser, PlainTextParser],
    )
    def import_csv(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        upload = request.FILES.get("file") if request.content_type.startswith("multipart/") else None
        if upload is not None and upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
            raise ApplicationError(
                _("The file is too large."), code="invalid_file", fields={"file": [_("Send at most 5 MB.")]}
            )
        content = upload.read() if upload is not None else request.data
        if not isinstance(content, bytes) or not content.strip():
            raise ApplicationError(
                _("Send the CSV file as the field “file” or as the request body."),
                code="invalid_file",
                fields={"file": [_("This field is required.")]},
            )
        result = csv_io.plan_import_csv(actor=_actor(request), project=self.project, content=content)
        return Response(s.PlanImportResultSerializer(result).data, status=status.HTTP_201_CREATED)


# --- dependencies and the schedule ----------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List the links between tasks", tags=["plan"]),
    retrieve=extend_schema(summary="Show a link between tasks", tags=["plan"]),
    create=extend_schema(
        summary="Link two tasks (refused with the code `cycle` when it would close a loop)",
        tags=["plan"],
        request=s.DependencyCreateSerializer,
        responses={201: s.DependencySerializer},
    ),
    partial_update=extend_schema(
        summary="Change a link's type or lag",
        tags=["plan"],
        request=s.DependencyUpdateSerializer,
        responses={200: s.DependencySerializer},
    ),
    destroy=extend_schema(summary="Remove a link between tasks", tags=["plan"]),
)
class DependencyViewSet(
    ProjectScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Dependencies (finish-to-start and the others, with a lag in working days) between tasks."""

    serializer_class = s.DependencySerializer
    queryset = Dependency.objects.all()
    read_action = Action.PROJECT_VIEW
    write_action = Action.PROJECT_MANAGE
    filterset_fields = ["type", "predecessor", "successor"]
    ordering_fields = ["id"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[Dependency]:
        return (
            Dependency.objects.for_organization(self.organization)
            .filter(project=self.project)
            .select_related("predecessor", "successor")
        )

    def _output(self, dependency: Dependency) -> dict[str, Any]:
        return s.DependencySerializer(self.get_queryset().get(pk=dependency.pk)).data

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = s.DependencyCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        dependency = plan.dependency_create(actor=_actor(request), project=self.project, **payload.validated_data)
        return Response(self._output(dependency), status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = s.DependencyUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        dependency = plan.dependency_update(
            actor=_actor(request), dependency=self.get_object(), **payload.validated_data
        )
        return Response(self._output(dependency))

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan.dependency_delete(actor=_actor(request), dependency=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


def _schedule(project: Project) -> dict[str, Any]:
    """The stored output of the scheduler: every task's dates and floats, and the critical path."""
    tasks = sorted(
        WbsElement.objects.for_organization(project.organization_id).filter(project=project).leaves(),
        key=lambda task: csv_io.code_key(task.code),
    )
    critical = sorted(
        (task for task in tasks if task.is_critical),
        key=lambda task: (task.planned_start or dt.date.max, csv_io.code_key(task.code)),
    )
    return {
        "planned_start": project.planned_start,
        "scheduled_start": project.scheduled_start,
        "scheduled_finish": project.scheduled_finish,
        "tasks": tasks,
        "critical_path": critical,
    }


class ScheduleView(ProjectScopedMixin, generics.GenericAPIView):
    """The project's schedule from the critical-path method, as last computed."""

    serializer_class = s.ScheduleSerializer
    queryset = WbsElement.objects.all()
    read_action = Action.PROJECT_VIEW

    @extend_schema(summary="The schedule: early and late dates, float and the critical path", tags=["plan"])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(s.ScheduleSerializer(_schedule(self.project)).data)


class ScheduleRecomputeView(ProjectScopedMixin, generics.GenericAPIView):
    """Recompute the schedule now (it is recomputed after every change of the plan anyway)."""

    serializer_class = s.ScheduleSerializer
    queryset = WbsElement.objects.all()
    read_action = Action.PROJECT_VIEW
    write_action = Action.PROJECT_MANAGE

    @extend_schema(
        summary="Recompute the schedule",
        tags=["plan"],
        request=EMPTY_BODY,
        responses={200: s.ScheduleSerializer},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        project = plan.project_schedule_recompute(actor=_actor(request), project=self.project)
        return Response(s.ScheduleSerializer(_schedule(project)).data)


# --- baselines ------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List the project's baselines", tags=["plan"]),
    retrieve=extend_schema(summary="Show a baseline with its frozen tasks", tags=["plan"]),
    create=extend_schema(
        summary="Freeze the current plan as a baseline",
        tags=["plan"],
        request=s.BaselineCreateSerializer,
        responses={201: s.BaselineDetailSerializer},
    ),
)
class BaselineViewSet(
    ProjectScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Baselines: frozen copies of the plan, immutable once taken; one of them is current."""

    serializer_class = s.BaselineSerializer
    queryset = Baseline.objects.all()
    read_action = Action.PROJECT_VIEW
    write_action = Action.PROJECT_MANAGE
    filterset_fields = ["is_current"]
    ordering_fields = ["created_at", "name"]
    http_method_names = ["get", "post", "head", "options"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[Baseline]:
        baselines = (
            Baseline.objects.for_organization(self.organization)
            .filter(project=self.project)
            .select_related("created_by")
            .annotate(task_count=Count("tasks"))
            .order_by("-created_at", "-id")
        )
        if self.action == "list":
            return baselines
        tasks = BaselineTask.objects.for_organization(self.organization).order_by("sort_key")
        return baselines.prefetch_related(Prefetch("tasks", queryset=tasks))

    def get_serializer_class(self) -> type[BaseSerializer[Any]]:
        return s.BaselineSerializer if self.action == "list" else s.BaselineDetailSerializer

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = s.BaselineCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        baseline = plan.baseline_create(actor=_actor(request), project=self.project, **payload.validated_data)
        fresh = self.get_queryset().get(pk=baseline.pk)
        return Response(s.BaselineDetailSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Make this baseline the current one",
        tags=["plan"],
        request=EMPTY_BODY,
        responses={200: s.BaselineSerializer},
    )
    @action(detail=True, methods=["post"], url_path="make-current")
    def make_current(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        baseline = plan.baseline_set_current(actor=_actor(request), baseline=self.get_object())
        fresh = self.get_queryset().get(pk=baseline.pk)
        return Response(s.BaselineSerializer(fresh).data)


class BaselineComparisonView(ProjectScopedMixin, generics.GenericAPIView):
    """The plan against a baseline: slips in working days and cost differences, per element and in total."""

    serializer_class = s.BaselineComparisonSerializer
    queryset = Baseline.objects.all()
    read_action = Action.PROJECT_VIEW

    @extend_schema(summary="Compare the plan with a baseline", tags=["plan"])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        baseline = get_object_or_404(
            Baseline.objects.for_organization(self.organization).filter(project=self.project).select_related("project"),
            pk=kwargs["baseline_id"],
        )
        rows, total = baseline_comparison(baseline)
        data = {"baseline": baseline, "rows": rows, "total": total}
        return Response(s.BaselineComparisonSerializer(data).data)
