"""Serializers of the projects API: outputs mirror the models, inputs are what the services take."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from pmo.api import inputs
from pmo.api.base import OrganizationRelatedField
from pmo.api.rows import Computed, RowBuilder
from pmo.api.serializers import UserSummarySerializer
from pmo.models import User, WorkingCalendar
from pmo.policy import allowed_actions
from projects.gate_checks import recorded_check
from projects.models import (
    Baseline,
    BaselineTask,
    ConstraintType,
    Dependency,
    DependencyType,
    GateCriterion,
    PercentCompleteMethod,
    Phase,
    Portfolio,
    Priority,
    ProgressUpdate,
    Project,
    ProjectMember,
    ProjectRole,
    ProjectSettings,
    StageGate,
    TaskStatus,
    WbsElement,
)
from projects.models.plan import task_status


class OrganizationMemberField(serializers.PrimaryKeyRelatedField):
    """A user id that must be an active member of the request's organisation; others look nonexistent."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=User.objects.all(), **kwargs)

    def get_queryset(self) -> QuerySet[User]:
        return User.objects.filter(memberships__organization=self.context["organization"], is_active=True)


class ProjectElementField(serializers.PrimaryKeyRelatedField):
    """A WBS element id of the URL's project; elements of other projects or organisations look nonexistent."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=WbsElement.objects.all(), **kwargs)

    def get_queryset(self) -> QuerySet[WbsElement]:
        project = self.context["project"]
        return WbsElement.objects.for_organization(project.organization_id).filter(project=project)


# --- portfolios -----------------------------------------------------------------------


class PortfolioSerializer(inputs.ModelSerializer):
    owner = UserSummarySerializer(read_only=True, allow_null=True)
    parent_name = serializers.CharField(source="parent.name", read_only=True, allow_null=True, default=None)
    project_count = serializers.IntegerField(read_only=True, help_text=_("Projects directly in it."))

    class Meta:
        model = Portfolio
        fields = ["id", "name", "kind", "parent", "parent_name", "description", "owner", "project_count", "created_at"]
        read_only_fields = fields


PORTFOLIO_ROWS = RowBuilder(PortfolioSerializer)


class PortfolioCreateSerializer(inputs.Serializer):
    name = serializers.CharField(max_length=200)
    parent = OrganizationRelatedField(  # type: ignore[assignment]
        queryset=Portfolio.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("The portfolio a programme belongs to; empty for a portfolio."),
    )
    description = serializers.CharField(required=False, allow_blank=True, default="")
    owner = OrganizationMemberField(required=False, allow_null=True, default=None)


class PortfolioUpdateSerializer(inputs.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    owner = OrganizationMemberField(required=False, allow_null=True)


# --- projects -------------------------------------------------------------------------


class ProjectSerializer(inputs.ModelSerializer):
    portfolio_name = serializers.CharField(source="portfolio.name", read_only=True, allow_null=True, default=None)
    manager = UserSummarySerializer(read_only=True, allow_null=True)
    sponsor = UserSummarySerializer(read_only=True, allow_null=True)
    percent_complete = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        read_only=True,
        help_text=_("Of the whole plan: tasks weighted by budgeted cost, or by duration when nothing is costed."),
    )

    class Meta:
        model = Project
        fields = [
            "id",
            "code",
            "name",
            "description",
            "objectives",
            "portfolio",
            "portfolio_name",
            "sponsor",
            "manager",
            "client",
            "priority",
            "currency",
            "tags",
            "planned_start",
            "planned_finish",
            "calendar",
            "phase",
            "scheduled_start",
            "scheduled_finish",
            "percent_complete",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


#: The project list's rows, built from values (``pmo.api.rows``).
PROJECT_ROWS = RowBuilder(ProjectSerializer)


class ProjectDetailSerializer(ProjectSerializer):
    my_project_role = serializers.SerializerMethodField()
    my_permissions = serializers.SerializerMethodField()

    class Meta(ProjectSerializer.Meta):
        fields = [*ProjectSerializer.Meta.fields, "my_project_role", "my_permissions"]
        read_only_fields = fields

    def get_my_project_role(self, project: Project) -> str | None:
        return self.context.get("project_role")

    def get_my_permissions(self, project: Project) -> list[str]:
        actions = allowed_actions(self.context["membership"], self.context.get("project_role"))
        return sorted(str(action) for action in actions)


class ProjectWriteSerializer(inputs.Serializer):
    code = serializers.CharField(max_length=32)
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    objectives = serializers.CharField(required=False, allow_blank=True)
    portfolio = OrganizationRelatedField(queryset=Portfolio.objects.all(), required=False, allow_null=True)
    sponsor = OrganizationMemberField(required=False, allow_null=True)
    manager = OrganizationMemberField(required=False, allow_null=True)
    client = serializers.CharField(max_length=200, required=False, allow_blank=True)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    currency = serializers.CharField(max_length=3, required=False)
    tags = serializers.ListField(child=serializers.CharField(max_length=40), required=False)
    planned_start = serializers.DateField()
    planned_finish = serializers.DateField(required=False, allow_null=True)
    calendar = OrganizationRelatedField(
        queryset=WorkingCalendar.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("Empty: the organisation's default calendar."),
    )


# --- project team ---------------------------------------------------------------------


class ProjectMemberSerializer(inputs.ModelSerializer):
    user = UserSummarySerializer(read_only=True)

    class Meta:
        model = ProjectMember
        fields = ["id", "user", "role", "created_at"]
        read_only_fields = fields


PROJECT_MEMBER_ROWS = RowBuilder(ProjectMemberSerializer)


class ProjectMemberAddSerializer(inputs.Serializer):
    user = OrganizationMemberField()
    role = serializers.ChoiceField(choices=ProjectRole.choices)


class ProjectMemberRoleSerializer(inputs.Serializer):
    role = serializers.ChoiceField(choices=ProjectRole.choices)


# --- lifecycle and settings -----------------------------------------------------------


class GateChecklistItemSerializer(inputs.Serializer):
    criterion = serializers.CharField()
    passed = serializers.BooleanField()


class RecordedGateCheckSerializer(inputs.Serializer):
    code = serializers.CharField(help_text=_("The check's code."))
    label = serializers.CharField(help_text=_("The check's label when it was evaluated."))  # type: ignore[assignment]
    passed = serializers.BooleanField()
    reason = serializers.CharField(help_text=_("Why it passed, as the system said then."))
    evaluated_at = serializers.DateTimeField()

    def to_representation(self, instance: Any) -> Any:
        # Recorded in every language: the reader gets theirs, and the time in the active zone.
        return super().to_representation(recorded_check(instance))


class StageGateSerializer(inputs.ModelSerializer):
    approved_by = UserSummarySerializer(read_only=True)
    checklist = GateChecklistItemSerializer(many=True, read_only=True)
    computed_checks = RecordedGateCheckSerializer(
        many=True, read_only=True, help_text=_("The checks the system evaluated when the gate was passed.")
    )

    class Meta:
        model = StageGate
        fields = [
            "id",
            "from_phase",
            "to_phase",
            "checklist",
            "computed_checks",
            "approved_by",
            "approved_at",
            "comment",
        ]
        read_only_fields = fields


STAGE_GATE_ROWS = RowBuilder(StageGateSerializer)


class GatePassSerializer(inputs.Serializer):
    to_phase = serializers.ChoiceField(
        choices=Phase.choices, help_text=_("The next phase, or cancelled to cancel the project.")
    )
    passed_criteria = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        default=list,
        help_text=_("Ids of the checklist items met; every active item must be."),
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class GateCriterionSerializer(inputs.ModelSerializer):
    class Meta:
        model = GateCriterion
        fields = ["id", "from_phase", "text", "order", "is_active"]
        read_only_fields = fields


GATE_CRITERION_ROWS = RowBuilder(GateCriterionSerializer)


class GateCriterionCreateSerializer(inputs.Serializer):
    from_phase = serializers.ChoiceField(choices=Phase.choices, help_text=_("An open phase."))
    text = serializers.CharField(max_length=300)
    order = serializers.IntegerField(min_value=0, required=False, help_text=_("Empty: after the last one."))


class GateCriterionUpdateSerializer(inputs.Serializer):
    text = serializers.CharField(max_length=300, required=False)
    order = serializers.IntegerField(min_value=0, required=False)
    is_active = serializers.BooleanField(required=False, help_text=_("Criteria are switched off, never deleted."))


class GateCheckResultSerializer(inputs.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    explanation = serializers.CharField()
    passed = serializers.BooleanField(help_text=_("False: the gate is refused with the reason."))
    reason = serializers.CharField()


class GateCheckSerializer(inputs.Serializer):
    code = serializers.CharField(help_text=_("What the organisation's selection names the check by."))
    label = serializers.CharField()  # type: ignore[assignment]
    explanation = serializers.CharField()
    phases = serializers.ListField(
        child=serializers.ChoiceField(choices=Phase.choices),
        help_text=_("The phases being left for which the check may be chosen."),
    )
    default_phases = serializers.ListField(
        child=serializers.ChoiceField(choices=Phase.choices),
        help_text=_("Where it applies while the organisation has not chosen."),
    )
    applies_when_leaving = serializers.ListField(
        child=serializers.ChoiceField(choices=Phase.choices),
        help_text=_("Where it applies in this organisation now."),
    )


def _selection_field() -> serializers.ListField:
    return serializers.ListField(
        child=serializers.CharField(max_length=64),
        required=False,
        help_text=_("Codes of the registered checks that apply when leaving this phase."),
    )


class GateCheckSelectionSerializer(inputs.Serializer):
    schema_description = _("The checks that apply when leaving each open phase.")

    initiation = _selection_field()
    planning = _selection_field()
    execution = _selection_field()
    closing = _selection_field()
    operations = _selection_field()


class GateChecklistSerializer(inputs.Serializer):
    from_phase = serializers.ChoiceField(choices=Phase.choices)
    to_phase = serializers.ChoiceField(choices=Phase.choices, allow_null=True, help_text=_("Empty once closed."))
    can_approve = serializers.BooleanField(help_text=_("Whether you may pass this gate."))
    can_cancel = serializers.BooleanField(help_text=_("Whether you may cancel the project."))
    criteria = GateCriterionSerializer(many=True)
    computed_checks = GateCheckResultSerializer(
        many=True,
        help_text=_("The checks the system evaluates when leaving the current phase, as they stand now."),
    )


class ProjectSettingsSerializer(inputs.ModelSerializer):
    finance_approval_above = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0, required=False)
    pmo_approval_above_days = serializers.IntegerField(min_value=0, required=False)

    class Meta:
        model = ProjectSettings
        fields = ["finance_approval_above", "pmo_approval_above_days"]


# --- WBS and tasks --------------------------------------------------------------------


class WbsElementSerializer(inputs.ModelSerializer):
    status = serializers.ChoiceField(choices=TaskStatus.choices, read_only=True)

    class Meta:
        model = WbsElement
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "parent",
            "position",
            "duration",
            "budgeted_cost",
            "percent_complete_method",
            "percent_complete",
            "status",
            "actual_start",
            "actual_finish",
            "notes",
            "constraint_type",
            "constraint_date",
            "planned_start",
            "planned_finish",
            "late_start",
            "late_finish",
            "total_float",
            "free_float",
            "is_critical",
        ]
        read_only_fields = fields


#: The rows of the task list and the WBS, built from values (``pmo.api.rows``).
WBS_ELEMENT_ROWS = RowBuilder(
    WbsElementSerializer,
    computed={
        "status": Computed(
            ("actual_start", "actual_finish", "percent_complete"),
            lambda row: task_status(row["actual_start"], row["actual_finish"], row["percent_complete"]).value,
        )
    },
)


@extend_schema_field({"type": "array", "items": {"$ref": "#/components/schemas/WbsTreeNode"}})
class _WbsChildrenField(serializers.Field):
    """Not read-only, so that the schema leaves it optional: the flat list has no ``children``."""

    def to_representation(self, value: Any) -> list[dict[str, Any]]:
        return []


class WbsTreeNodeSerializer(WbsElementSerializer):
    schema_description = _(
        "An element of ``GET …/wbs/``: with ``?tree=1`` it carries its sub-elements in ``children``."
    )

    children = _WbsChildrenField(source="*", required=False, help_text=_("Sub-elements, with ?tree=1 only."))

    class Meta(WbsElementSerializer.Meta):
        fields = [*WbsElementSerializer.Meta.fields, "children"]


class WbsElementCreateSerializer(inputs.Serializer):
    name = serializers.CharField(max_length=255)
    parent = ProjectElementField(required=False, allow_null=True, default=None)  # type: ignore[assignment]
    kind = serializers.ChoiceField(choices=WbsElement.Kind.choices, default=WbsElement.Kind.TASK)
    duration = serializers.IntegerField(min_value=0, max_value=99999, default=1, help_text=_("Working days."))
    budgeted_cost = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0, required=False)
    percent_complete_method = serializers.ChoiceField(
        choices=PercentCompleteMethod.choices, default=PercentCompleteMethod.PHYSICAL
    )
    position = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, default=None, help_text=_("Among its siblings; empty: last.")
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    constraint_type = serializers.ChoiceField(
        choices=ConstraintType.choices,
        default=ConstraintType.ASAP,
        help_text=_("A date the task holds to, as in MS Project; a summary has none."),
    )
    constraint_date = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Required unless the constraint is asap; else empty."),
    )


class WbsElementUpdateSerializer(inputs.Serializer):
    name = serializers.CharField(max_length=255, required=False)
    parent = ProjectElementField(  # type: ignore[assignment]
        required=False, allow_null=True, help_text=_("Moves the element; empty: top level.")
    )
    kind = serializers.ChoiceField(choices=WbsElement.Kind.choices, required=False)
    duration = serializers.IntegerField(min_value=0, max_value=99999, required=False)
    budgeted_cost = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=0, required=False)
    percent_complete_method = serializers.ChoiceField(choices=PercentCompleteMethod.choices, required=False)
    position = serializers.IntegerField(min_value=1, required=False)
    notes = serializers.CharField(required=False, allow_blank=True)
    constraint_type = serializers.ChoiceField(
        choices=ConstraintType.choices,
        required=False,
        help_text=_("A date the task holds to, as in MS Project; asap alone also clears the date."),
    )
    constraint_date = serializers.DateField(
        required=False, allow_null=True, help_text=_("Required unless the constraint is asap; else empty.")
    )


class ProgressInputSerializer(inputs.Serializer):
    percent_complete = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Physical percent complete; with 0/100 and 50/50 it follows the actual dates."),
    )
    actual_start = serializers.DateField(required=False, allow_null=True, default=None)
    actual_finish = serializers.DateField(required=False, allow_null=True, default=None)
    effective_date = serializers.DateField(
        required=False, help_text=_("The day the progress is true of; default: today in the organisation's time zone.")
    )
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    clear_actual_start = serializers.BooleanField(default=False, help_text=_("Take the task back to not started."))
    clear_actual_finish = serializers.BooleanField(default=False, help_text=_("Reopen a finished task."))


class ProgressUpdateSerializer(inputs.ModelSerializer):
    updated_by = UserSummarySerializer(read_only=True)

    class Meta:
        model = ProgressUpdate
        fields = [
            "id",
            "task",
            "effective_date",
            "previous_percent_complete",
            "percent_complete",
            "previous_actual_start",
            "actual_start",
            "previous_actual_finish",
            "actual_finish",
            "note",
            "updated_by",
            "created_at",
        ]
        read_only_fields = fields


class ProgressResultSerializer(inputs.Serializer):
    progress = ProgressUpdateSerializer()
    task = WbsElementSerializer()


# --- dependencies and the schedule ----------------------------------------------------


class DependencySerializer(inputs.ModelSerializer):
    predecessor_code = serializers.CharField(source="predecessor.code", read_only=True)
    predecessor_name = serializers.CharField(source="predecessor.name", read_only=True)
    successor_code = serializers.CharField(source="successor.code", read_only=True)
    successor_name = serializers.CharField(source="successor.name", read_only=True)

    class Meta:
        model = Dependency
        fields = [
            "id",
            "predecessor",
            "predecessor_code",
            "predecessor_name",
            "successor",
            "successor_code",
            "successor_name",
            "type",
            "lag",
        ]
        read_only_fields = fields


DEPENDENCY_ROWS = RowBuilder(DependencySerializer)


class DependencyCreateSerializer(inputs.Serializer):
    predecessor = ProjectElementField()
    successor = ProjectElementField()
    type = serializers.ChoiceField(choices=DependencyType.choices, default=DependencyType.FS)
    lag = serializers.IntegerField(min_value=-9999, max_value=9999, default=0, help_text=_("Working days."))


class DependencyUpdateSerializer(inputs.Serializer):
    type = serializers.ChoiceField(choices=DependencyType.choices, required=False)
    lag = serializers.IntegerField(min_value=-9999, max_value=9999, required=False)


class ScheduleTaskSerializer(inputs.ModelSerializer):
    early_start = serializers.DateField(source="planned_start", read_only=True, allow_null=True)
    early_finish = serializers.DateField(source="planned_finish", read_only=True, allow_null=True)

    class Meta:
        model = WbsElement
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "duration",
            "actual_start",
            "actual_finish",
            "early_start",
            "early_finish",
            "late_start",
            "late_finish",
            "total_float",
            "free_float",
            "is_critical",
        ]
        read_only_fields = fields


class CriticalTaskSerializer(inputs.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()


class ScheduleSerializer(inputs.Serializer):
    planned_start = serializers.DateField(help_text=_("The project's planned start."))
    scheduled_start = serializers.DateField(allow_null=True)
    scheduled_finish = serializers.DateField(allow_null=True)
    tasks = ScheduleTaskSerializer(many=True, help_text=_("Tasks and milestones, in WBS order."))
    critical_path = CriticalTaskSerializer(many=True, help_text=_("Critical tasks by scheduled start, then code."))


# --- baselines ------------------------------------------------------------------------


class BaselineSerializer(inputs.ModelSerializer):
    created_by = UserSummarySerializer(read_only=True)
    task_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Baseline
        fields = ["id", "name", "is_current", "created_by", "created_at", "change_request", "task_count"]
        read_only_fields = fields


BASELINE_ROWS = RowBuilder(BaselineSerializer)


class BaselineTaskSerializer(inputs.ModelSerializer):
    budgeted_cost = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)

    class Meta:
        model = BaselineTask
        fields = ["id", "task", "code", "name", "is_milestone", "start", "finish", "duration", "budgeted_cost"]
        read_only_fields = fields


class BaselineDetailSerializer(BaselineSerializer):
    tasks = BaselineTaskSerializer(many=True, read_only=True)

    class Meta(BaselineSerializer.Meta):
        fields = [*BaselineSerializer.Meta.fields, "tasks"]
        read_only_fields = fields


class BaselineCreateSerializer(inputs.Serializer):
    name = serializers.CharField(max_length=120)
    make_current = serializers.BooleanField(default=True)


class ComparisonRowSerializer(inputs.Serializer):
    element_id = serializers.IntegerField(allow_null=True)
    code = serializers.CharField()
    name = serializers.CharField()
    depth = serializers.IntegerField()
    is_summary = serializers.BooleanField()
    current_start = serializers.DateField(allow_null=True)
    current_finish = serializers.DateField(allow_null=True)
    baseline_start = serializers.DateField(allow_null=True)
    baseline_finish = serializers.DateField(allow_null=True)
    start_slip_days = serializers.IntegerField(allow_null=True, help_text=_("Working days; positive when later."))
    finish_slip_days = serializers.IntegerField(allow_null=True, help_text=_("Working days; positive when later."))
    current_cost = serializers.DecimalField(max_digits=18, decimal_places=2)
    baseline_cost = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    cost_difference = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    status = serializers.ChoiceField(choices=["same", "changed", "added", "removed"])


class BaselineReferenceSerializer(inputs.ModelSerializer):
    class Meta:
        model = Baseline
        fields = ["id", "name", "is_current", "created_at"]
        read_only_fields = fields


class BaselineComparisonSerializer(inputs.Serializer):
    baseline = BaselineReferenceSerializer()
    rows = ComparisonRowSerializer(many=True)
    total = ComparisonRowSerializer()


# --- CSV ------------------------------------------------------------------------------


class PlanImportUploadSerializer(inputs.Serializer):
    file = serializers.FileField(help_text=_("The CSV file (UTF-8, or GB18030 as Excel saves it)."))


class PlanImportResultSerializer(inputs.Serializer):
    elements = serializers.IntegerField()
    dependencies = serializers.IntegerField()


# --- Excel ----------------------------------------------------------------------------


class PlanWorkbookUploadSerializer(inputs.Serializer):
    file = serializers.FileField(help_text=_("The workbook (.xlsx), as exported or as the template filled in."))


class PlanWorkbookImportResultSerializer(inputs.Serializer):
    elements = serializers.IntegerField()
    dependencies = serializers.IntegerField()
    baseline_tasks = serializers.IntegerField(help_text=_("Tasks of the imported current baseline (0: none)."))
