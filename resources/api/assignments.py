"""API of assignments and of a project's resourcing (bottom-up costing).

``projects/{project_id}/assignments/`` lists (filters: task, resource), creates, changes and deletes a
project's assignments; ``assignments/`` lists every project's (filters: resource, project, and a
period their tasks overlap). ``projects/{project_id}/resourcing/`` reads and turns bottom-up costing
on or off, ``projects/{project_id}/resourcing/recost/`` re-costs the plan now. Labour cost estimates
are given to those who may see rates, null to the others.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from pmo.api import inputs
from pmo.api.base import OrganizationRelatedField, OrganizationScopedMixin
from pmo.api.common import EMPTY_BODY, ID_PATTERN, NamedChoiceField
from pmo.api.common import actor as _actor
from pmo.api.rows import Computed, RowBuilder, RowListMixin
from pmo.policy import can
from projects.api.base import ProjectScopedMixin
from projects.api.serializers import ProjectElementField
from resources.forms_assignments import AssignmentFilter, OrganizationAssignmentFilter
from resources.models import Assignment, AssignmentMode, ProjectResourcing, Resource, ResourceKind
from resources.permissions import ResourceAction
from resources.services import costing
from resources.services.assignments import assignment_create, assignment_delete, assignment_update

TAG = "assignments"
MODE_ENUM = "AssignmentModeEnum"
KIND_ENUM = "ResourceKindEnum"
ORDERING_FIELDS = ["id", "created_at", "work", "units"]


class AssignmentSerializer(inputs.ModelSerializer):
    project_code = serializers.CharField(source="project.code", read_only=True, help_text=_("The project's code."))
    task_code = serializers.CharField(source="task.code", read_only=True, help_text=_("The task's WBS code."))
    task_name = serializers.CharField(source="task.name", read_only=True)
    task_start = serializers.DateField(
        source="task.planned_start", read_only=True, allow_null=True, help_text=_("The task's planned start.")
    )
    task_finish = serializers.DateField(
        source="task.planned_finish", read_only=True, allow_null=True, help_text=_("The task's planned finish.")
    )
    resource_code = serializers.CharField(source="resource.code", read_only=True)
    resource_name = serializers.CharField(source="resource.name", read_only=True)
    resource_kind = NamedChoiceField(
        source="resource.kind", choices=ResourceKind.choices, enum_name=KIND_ENUM, read_only=True
    )
    resource_unit = serializers.CharField(
        source="resource.unit", read_only=True, help_text=_("A material's unit of measure (its work is a quantity).")
    )
    mode = NamedChoiceField(
        choices=AssignmentMode.choices,
        enum_name=MODE_ENUM,
        read_only=True,
        help_text=_("What was given: units (the work is derived) or work (the units are derived)."),
    )
    cost_estimate = serializers.DecimalField(
        max_digits=16,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text=_(
            "The labour cost estimate: the work on each of the task's working days times the rate in force that "
            "day (a material: its quantity times the unit cost on the task's start day). Null without the right "
            "to see rates."
        ),
    )
    cost_complete = serializers.BooleanField(
        read_only=True,
        allow_null=True,
        help_text=_("False when some day of the work had no rate in force (it counts nothing)."),
    )

    class Meta:
        model = Assignment
        fields = [
            "id",
            "project",
            "project_code",
            "task",
            "task_code",
            "task_name",
            "task_start",
            "task_finish",
            "resource",
            "resource_code",
            "resource_name",
            "resource_kind",
            "resource_unit",
            "mode",
            "units",
            "work",
            "cost_estimate",
            "cost_complete",
            "note",
            "request",
            "version",
            "created_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "units": {"help_text": _("Percent of the resource's full time on each working day (0 for a material).")},
            "work": {"help_text": _("Total hours, or a material's quantity in its unit.")},
            "request": {"help_text": _("The resource request it fulfilled, if any.")},
            "version": {"help_text": _("Goes up with every change; give it back to refuse a stale change.")},
        }


def _facts(row: Any) -> costing.AssignmentFacts:
    return costing.AssignmentFacts.of(row)


ASSIGNMENT_ROWS = RowBuilder(
    AssignmentSerializer,
    computed={
        # Placeholders: the page's estimates are read at once (``complete_estimates``).
        "cost_estimate": Computed(costing.FACT_COLUMNS, _facts),
        "cost_complete": Computed(("id",), lambda row: None),
    },
)


def complete_estimates(organization_id: int, rows: list[dict[str, Any]], *, may_see_rates: bool) -> None:
    """Turn the rows' placeholders into their estimates (three queries), or null them without the right."""
    if not may_see_rates:
        for row in rows:
            row["cost_estimate"] = row["cost_complete"] = None
        return
    found = costing.estimates(organization_id, [row["cost_estimate"] for row in rows])
    for row in rows:
        estimate = found[row["id"]]
        row["cost_estimate"] = f"{estimate.amount:.2f}"
        row["cost_complete"] = estimate.complete


class AssignmentCreateSerializer(inputs.Serializer):
    task = ProjectElementField(help_text=_("A task or milestone of the project."))
    resource = OrganizationRelatedField(
        queryset=Resource.objects.all(), help_text=_("An active resource of the organisation.")
    )
    units = serializers.DecimalField(
        max_digits=8,
        decimal_places=2,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Percent of full time on each working day; give this or work, not both."),
    )
    work = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Total hours (a material: its quantity); give this or units, not both."),
    )
    note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class AssignmentUpdateSerializer(inputs.Serializer):
    task = ProjectElementField(required=False)
    resource = OrganizationRelatedField(queryset=Resource.objects.all(), required=False)
    units = serializers.DecimalField(
        max_digits=8,
        decimal_places=2,
        required=False,
        help_text=_("New units: the work is derived again. Give units or work, not both."),
    )
    work = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, help_text=_("New work: the units are derived again.")
    )
    note = serializers.CharField(max_length=255, required=False, allow_blank=True)
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=_("The version the change was made from; another current version answers 412."),
    )


class EstimatesMixin:
    """Lists and detail answers built from rows, with estimates for those who may see rates."""

    organization: Any
    membership: Any
    project_role: str | None

    def complete_rows(self, rows: list[dict[str, Any]]) -> None:
        may_see = can(self.membership, ResourceAction.RATES_VIEW, self.project_role)
        complete_estimates(self.organization.pk, rows, may_see_rates=may_see)

    def assignments(self) -> QuerySet[Assignment]:
        return Assignment.objects.for_organization(self.organization)

    def row_of(self, pk: int) -> dict[str, Any]:
        rows = ASSIGNMENT_ROWS.build(self.assignments().filter(pk=pk).values(*ASSIGNMENT_ROWS.columns))
        self.complete_rows(rows)
        return rows[0]


@extend_schema_view(
    list=extend_schema(summary=_("List the project's assignments"), tags=[TAG]),
    retrieve=extend_schema(summary=_("Show an assignment"), tags=[TAG]),
    create=extend_schema(
        summary=_("Assign a resource to a task, with units or total work"),
        description=_(
            "Refused with `units_and_work` (both given), `amount_missing`, `not_a_task` (a summary), "
            "`resource_inactive`, `material_units` (a material takes its quantity as work), `duplicate` "
            "(already on the task) and `project_not_open`. With bottom-up costing the task is re-costed."
        ),
        tags=[TAG],
        request=AssignmentCreateSerializer,
        responses={201: AssignmentSerializer},
    ),
    partial_update=extend_schema(
        summary=_("Change an assignment's task, resource, units or work, or note"),
        tags=[TAG],
        request=AssignmentUpdateSerializer,
        responses={200: AssignmentSerializer},
    ),
    destroy=extend_schema(summary=_("Remove an assignment"), tags=[TAG]),
)
class AssignmentViewSet(
    EstimatesMixin,
    ProjectScopedMixin,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = _("A project's assignments of resources to tasks, with their work and cost estimates.")

    serializer_class = AssignmentSerializer
    row_builder = ASSIGNMENT_ROWS
    queryset = Assignment.objects.all()
    read_action = ResourceAction.RESOURCES_VIEW
    write_action = ResourceAction.ASSIGN
    filterset_class = AssignmentFilter
    ordering_fields = ORDERING_FIELDS
    search_fields: list[str] = []
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[Assignment]:
        return self.assignments().filter(project=self.project).order_by("task__sort_key", "resource__code", "id")

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self.row_of(self.get_object().pk))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = AssignmentCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        assignment = assignment_create(actor=_actor(request), project=self.project, **payload.validated_data)
        return Response(self.row_of(assignment.pk), status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = AssignmentUpdateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        assignment = assignment_update(actor=_actor(request), assignment=self.get_object(), **payload.validated_data)
        return Response(self.row_of(assignment.pk))

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        assignment_delete(actor=_actor(request), assignment=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(list=extend_schema(summary=_("List every project's assignments"), tags=[TAG]))
class OrganizationAssignmentViewSet(
    EstimatesMixin, OrganizationScopedMixin, RowListMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    schema_description = _("The assignments of every project: filter by resource, project and period.")

    serializer_class = AssignmentSerializer
    row_builder = ASSIGNMENT_ROWS
    queryset = Assignment.objects.all()
    read_action = ResourceAction.RESOURCES_VIEW
    filterset_class = OrganizationAssignmentFilter
    ordering_fields = ORDERING_FIELDS
    search_fields: list[str] = []
    http_method_names = ["get", "head", "options"]

    def get_queryset(self) -> QuerySet[Assignment]:
        return self.assignments().order_by("project__code", "task__sort_key", "resource__code", "id")


class ProjectResourcingSerializer(inputs.ModelSerializer):
    class Meta:
        model = ProjectResourcing
        fields = ["project", "bottom_up_costing", "updated_at"]
        read_only_fields = fields
        extra_kwargs = {
            "bottom_up_costing": {
                "help_text": _(
                    "On: each task with assignments takes their cost estimates' sum as its planned cost, "
                    "again on every change of its assignments; tasks without any keep theirs."
                )
            }
        }


class ProjectResourcingInputSerializer(inputs.Serializer):
    bottom_up_costing = serializers.BooleanField(
        help_text=_("Turning it on costs every task that has assignments at once.")
    )


@extend_schema_view(
    get=extend_schema(summary=_("Show whether the project costs its tasks from their assignments"), tags=[TAG]),
    patch=extend_schema(
        summary=_("Turn bottom-up costing on or off"),
        tags=[TAG],
        request=ProjectResourcingInputSerializer,
        responses={200: ProjectResourcingSerializer},
    ),
)
class ProjectResourcingView(ProjectScopedMixin, generics.RetrieveUpdateAPIView):
    schema_description = _("Whether the project's planned costs come from its assignments (bottom-up costing).")

    serializer_class = ProjectResourcingSerializer
    queryset = ProjectResourcing.objects.all()
    read_action = ResourceAction.RESOURCES_VIEW
    write_action = ResourceAction.ASSIGN
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self) -> ProjectResourcing:
        return self.remember_version(costing.project_resourcing(self.project))

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = ProjectResourcingInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        resourcing = costing.project_resourcing_set(
            actor=_actor(request), project=self.project, **payload.validated_data
        )
        return Response(ProjectResourcingSerializer(resourcing).data)


class RecostTaskSerializer(inputs.Serializer[Any]):
    task = serializers.IntegerField(help_text=_("The task's id."))
    budgeted_cost = serializers.DecimalField(max_digits=16, decimal_places=2, help_text=_("Its new planned cost."))


class ProjectRecostSerializer(inputs.Serializer[Any]):
    bottom_up_costing = serializers.BooleanField()
    changed = RecostTaskSerializer(many=True, help_text=_("The tasks whose planned cost changed."))


class ProjectRecostView(ProjectScopedMixin, generics.GenericAPIView):
    schema_description = _(
        "Re-cost the plan now: after a task moved, its working days and the rates in force may have changed."
    )

    serializer_class = ProjectRecostSerializer
    queryset = ProjectResourcing.objects.all()
    read_action = ResourceAction.RESOURCES_VIEW
    write_action = ResourceAction.ASSIGN
    http_method_names = ["post", "options"]

    @extend_schema(
        summary=_("Re-cost the plan from the assignments now"),
        description=_(
            "Derives every assignment's work or units again from its task's current working days and, with "
            "bottom-up costing on, gives every task with assignments their cost at the rates in force."
        ),
        tags=[TAG],
        request=EMPTY_BODY,
        responses={200: ProjectRecostSerializer},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        inputs.refuse_body(request)
        changed = costing.project_recost(actor=_actor(request), project=self.project)
        return Response(
            ProjectRecostSerializer(
                {
                    "bottom_up_costing": costing.bottom_up(self.project),
                    "changed": [{"task": pk, "budgeted_cost": amount} for pk, amount in sorted(changed.items())],
                }
            ).data
        )
