"""API of a project's inspection and test plan, under ``/api/v1/orgs/{org_slug}/projects/{project_id}/``.

``inspection-plan/`` lists the plan's entries (each with its latest inspection's status and outcome),
adds, changes and deletes them; deleting an entry an inspection was scheduled from is refused.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import URLPattern, URLResolver
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from pmo.api import inputs
from pmo.api.common import ID_PATTERN, NamedChoiceField
from pmo.api.common import actor as _actor
from pmo.api.rows import RowBuilder, RowListMixin
from projects.api.base import ProjectScopedMixin
from projects.api.serializers import ProjectElementField
from projects.models import OPEN_PHASES, Phase
from quality.inspection_filters import latest_inspection
from quality.models import InspectionStatus, Outcome, PlanEntry
from quality.permissions import QualityAction
from quality.services import plan as services

TAG = "quality-plan"
PHASES = [(phase.value, phase.label) for phase in Phase if phase in OPEN_PHASES]


class PlanEntrySerializer(inputs.ModelSerializer):
    wbs_code = serializers.CharField(
        source="wbs_element.code", read_only=True, allow_null=True, default=None, help_text=_("1.2.3")
    )
    wbs_name = serializers.CharField(source="wbs_element.name", read_only=True, allow_null=True, default=None)
    phase = NamedChoiceField(choices=[("", "—"), *PHASES], enum_name="QualityPlanPhaseEnum", read_only=True)
    inspector_role = NamedChoiceField(
        choices=[("", "—"), *services.INSPECTOR_ROLES], enum_name="QualityInspectorRoleEnum", read_only=True
    )
    latest_inspection_status = NamedChoiceField(
        choices=InspectionStatus.choices,
        enum_name="InspectionStatusEnum",
        read_only=True,
        allow_null=True,
        help_text=_("The status of the newest inspection scheduled from the entry; null when none was."),
    )
    latest_inspection_outcome = NamedChoiceField(
        choices=[("", "—"), *Outcome.choices],
        enum_name="InspectionOutcomeEnum",
        read_only=True,
        allow_null=True,
        help_text=_("Its outcome once signed off."),
    )

    class Meta:
        model = PlanEntry
        fields = [
            "id",
            "project",
            "template_code",
            "wbs_element",
            "wbs_code",
            "wbs_name",
            "phase",
            "planned_date",
            "before_task_finish",
            "inspector_role",
            "hold_point",
            "notes",
            "latest_inspection_status",
            "latest_inspection_outcome",
            "created_at",
        ]
        read_only_fields = fields


PLAN_ROWS = RowBuilder(PlanEntrySerializer)


class PlanEntryInputSerializer(inputs.Serializer):
    template_code = serializers.CharField(
        max_length=32, help_text=_("The code of a current checklist template of the organisation.")
    )
    wbs_element = ProjectElementField(
        required=False, allow_null=True, default=None, help_text=_("A WBS element or milestone of the project.")
    )
    phase = NamedChoiceField(
        choices=[("", "—"), *PHASES],
        enum_name="QualityPlanPhaseEnum",
        required=False,
        allow_blank=True,
        default="",
        help_text=_("An open phase; needed when no WBS element is given."),
    )
    planned_date = serializers.DateField(required=False, allow_null=True, default=None)
    before_task_finish = serializers.BooleanField(
        required=False, default=False, help_text=_("The inspection is due before the task may finish.")
    )
    inspector_role = NamedChoiceField(
        choices=[("", "—"), *services.INSPECTOR_ROLES],
        enum_name="QualityInspectorRoleEnum",
        required=False,
        allow_blank=True,
        default="",
    )
    hold_point = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("The task cannot be reported complete until this inspection has passed."),
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="")


class PlanEntryUpdateSerializer(PlanEntryInputSerializer):
    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for field in fields.values():
            field.required = False
            field.default = serializers.empty
        return fields


@extend_schema_view(
    list=extend_schema(summary=_("List the project's inspection and test plan"), tags=[TAG]),
    retrieve=extend_schema(summary=_("Show an entry of the inspection plan"), tags=[TAG]),
    create=extend_schema(
        summary=_("Add an entry to the inspection plan"),
        description=_(
            "The template is named by its code (the current version is used when the inspection is done); a hold "
            "point needs a WBS element."
        ),
        tags=[TAG],
        request=PlanEntryInputSerializer,
        responses={201: PlanEntrySerializer},
    ),
    partial_update=extend_schema(
        summary=_("Change an entry of the inspection plan"),
        tags=[TAG],
        request=PlanEntryUpdateSerializer,
        responses={200: PlanEntrySerializer},
    ),
    destroy=extend_schema(
        summary=_("Delete an entry of the inspection plan"),
        description=_("Refused (`plan_entry_used`) once an inspection was scheduled from the entry."),
        tags=[TAG],
    ),
)
class PlanEntryViewSet(
    ProjectScopedMixin,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = _(
        "The project's inspection and test plan: which checklist applies to which WBS element, milestone or "
        "phase, when, who inspects, and the hold points."
    )
    serializer_class = PlanEntrySerializer
    row_builder = PLAN_ROWS
    queryset = PlanEntry.objects.all()
    read_action = QualityAction.QUALITY_VIEW
    write_action = QualityAction.PLAN_MANAGE
    filter_backends: list[Any] = []
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[PlanEntry]:
        return (
            PlanEntry.objects.for_organization(self.organization)
            .filter(project=self.project)
            .select_related("wbs_element")
            .annotate(
                latest_inspection_status=latest_inspection("status"),
                latest_inspection_outcome=latest_inspection("outcome"),
            )
            .order_by("planned_date", "id")
        )

    def _respond(self, entry: PlanEntry, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(PlanEntrySerializer(self.get_queryset().get(pk=entry.pk)).data, status=status_code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = PlanEntryInputSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        entry = services.plan_entry_add(actor=_actor(request), project=self.project, **payload.validated_data)
        return self._respond(entry, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        entry = self.get_object()
        payload = PlanEntryUpdateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        entry = services.plan_entry_update(actor=_actor(request), entry=entry, **payload.validated_data)
        return self._respond(entry)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.plan_entry_delete(actor=_actor(request), entry=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


_router = SimpleRouter()
_router.register("inspection-plan", PlanEntryViewSet, basename="api-quality-plan")

#: Under /api/v1/orgs/<org_slug>/.
org_patterns: list[URLPattern | URLResolver] = []
#: Under /api/v1/orgs/<org_slug>/projects/<project_id>/.
project_patterns: list[URLPattern | URLResolver] = [*_router.urls]
