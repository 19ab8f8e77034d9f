"""API of timesheets and their approval, under ``/api/v1/orgs/{org_slug}/``.

``timesheets/`` lists the signed-in person's weeks and opens one (``week_start``, a Monday);
``timesheets/{id}/`` shows a week with its lines and ``submit/`` sends it for approval;
``timesheets/{timesheet_id}/lines/`` adds, changes, removes and corrects lines.
``timesheet-approvals/`` lists the lines waiting for the reader's decision, decides one
(``approve/``, ``reject/``) or many (``decide/``). ``projects/{project_id}/resource-work/``
compares approved hours with assigned work per task and resource.

A timesheet is read by its person and by whoever may decide on one of its lines; anyone else gets
403, and another organisation's 404.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

import django_filters
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from pmo.api import inputs
from pmo.api.base import OrganizationRelatedField, OrganizationScopedMixin
from pmo.api.common import EMPTY_BODY, ID_PATTERN, NamedChoiceField
from pmo.api.common import actor as _actor
from pmo.api.rows import Computed, RowBuilder, RowListMixin
from pmo.api.serializers import UserSummarySerializer
from pmo.errors import ApplicationError
from pmo.forms import DateWindowForm
from pmo.policy import can
from projects.api.base import ProjectScopedMixin
from projects.models import Project, WbsElement
from projects.services.locks import lock_project
from resources.models import (
    DAY_FIELDS,
    ZERO,
    LineCategory,
    LineStatus,
    Resource,
    Timesheet,
    TimesheetLine,
    TimesheetStatus,
)
from resources.permissions import ResourceAction
from resources.services import timesheets as services
from resources.timesheet_selectors import (
    actual_work,
    approvable_lines,
    timesheet_lines,
    week_grid,
    work_by_resource,
    work_by_task,
)

TAG = "timesheets"
HOURS: dict[str, Any] = {"max_digits": 5, "decimal_places": 2}
CATEGORY_ENUM = "TimesheetLineCategoryEnum"
LINE_STATUS_ENUM = "TimesheetLineStatusEnum"
STATUS_ENUM = "TimesheetStatusEnum"
DECISION_ENUM = "TimesheetDecisionEnum"
MAX_BULK = 500


def _line_total(row: Any) -> str:
    return f"{sum((row[name] or ZERO for name in DAY_FIELDS), ZERO):.2f}"


# --- output -----------------------------------------------------------------------------


class TimesheetLineSerializer(inputs.ModelSerializer):
    category = NamedChoiceField(choices=LineCategory.choices, enum_name=CATEGORY_ENUM, read_only=True)
    status = NamedChoiceField(choices=LineStatus.choices, enum_name=LINE_STATUS_ENUM, read_only=True)
    project_code = serializers.CharField(source="project.code", read_only=True, allow_null=True)
    task_code = serializers.CharField(source="task.code", read_only=True, allow_null=True)
    task_name = serializers.CharField(source="task.name", read_only=True, allow_null=True)
    total_hours = serializers.DecimalField(read_only=True, help_text=_("The hours of the seven days."), **HOURS)
    decided_by = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = TimesheetLine
        fields = [
            "id",
            "timesheet",
            "category",
            "project",
            "project_code",
            "task",
            "task_code",
            "task_name",
            *DAY_FIELDS,
            "total_hours",
            "note",
            "status",
            "rejection_reason",
            "reverses",
            "submitted_at",
            "decided_by",
            "decided_at",
            "created_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "reverses": {"help_text": _("On a reversal line: the approved line it cancels (its hours negated).")},
            "rejection_reason": {"help_text": _("Why the line was returned, while it is rejected.")},
        }


LINE_ROWS = RowBuilder(TimesheetLineSerializer, computed={"total_hours": Computed(DAY_FIELDS, _line_total)})


class TimesheetApprovalSerializer(TimesheetLineSerializer):
    resource = serializers.IntegerField(source="timesheet.resource_id", read_only=True)
    resource_code = serializers.CharField(source="timesheet.resource.code", read_only=True)
    resource_name = serializers.CharField(source="timesheet.resource.name", read_only=True)
    week_start = serializers.DateField(source="timesheet.week_start", read_only=True)

    class Meta(TimesheetLineSerializer.Meta):
        fields = [*TimesheetLineSerializer.Meta.fields, "resource", "resource_code", "resource_name", "week_start"]
        read_only_fields = fields


APPROVAL_ROWS = RowBuilder(TimesheetApprovalSerializer, computed={"total_hours": Computed(DAY_FIELDS, _line_total)})


class TimesheetSerializer(inputs.ModelSerializer):
    status = NamedChoiceField(choices=TimesheetStatus.choices, enum_name=STATUS_ENUM, read_only=True)
    resource_code = serializers.CharField(source="resource.code", read_only=True)
    resource_name = serializers.CharField(source="resource.name", read_only=True)
    week = serializers.SerializerMethodField(help_text=_("The ISO week, e.g. 2026-W10."))

    class Meta:
        model = Timesheet
        fields = ["id", "resource", "resource_code", "resource_name", "week_start", "week", "status", "submitted_at"]
        read_only_fields = fields
        extra_kwargs = {"week_start": {"help_text": _("The Monday of the week.")}}

    def get_week(self, timesheet: Any) -> str:
        return services.week_label(timesheet.week_start)


TIMESHEET_ROWS = RowBuilder(
    TimesheetSerializer, computed={"week": Computed.method(TimesheetSerializer, "week", "week_start")}
)


class TimesheetDetailSerializer(TimesheetSerializer):
    lines = TimesheetLineSerializer(many=True, read_only=True, source="grid_lines")
    day_totals = serializers.ListField(
        child=serializers.DecimalField(**HOURS),
        read_only=True,
        source="grid_totals",
        help_text=_("Each day's hours across the lines, Monday first."),
    )

    class Meta(TimesheetSerializer.Meta):
        fields = [*TimesheetSerializer.Meta.fields, "lines", "day_totals"]
        read_only_fields = fields


# --- input ------------------------------------------------------------------------------


def _hours_field(required: bool = False) -> serializers.DecimalField:
    return serializers.DecimalField(
        required=required,
        min_value=Decimal("0"),
        max_value=Decimal("24"),
        help_text=_("Hours of the day, 0 to 24 in quarter hours."),
        **HOURS,
    )


class TimesheetOpenSerializer(inputs.Serializer):
    week_start = serializers.DateField(help_text=_("The Monday of the week; the timesheet is made if missing."))


class TimesheetHoursInput(inputs.Serializer[Any]):
    hours_mon = _hours_field()
    hours_tue = _hours_field()
    hours_wed = _hours_field()
    hours_thu = _hours_field()
    hours_fri = _hours_field()
    hours_sat = _hours_field()
    hours_sun = _hours_field()


def _hours(data: dict[str, Any], base: list[Decimal] | None = None) -> list[Decimal] | None:
    """The seven days from the input, a missing day taken from ``base`` (or 0); None when none was given."""
    if not any(name in data for name in DAY_FIELDS):
        return None
    start = base or [ZERO] * len(DAY_FIELDS)
    return [data.get(name, start[index]) for index, name in enumerate(DAY_FIELDS)]


class TimesheetLineCreateSerializer(TimesheetHoursInput, inputs.Serializer):
    category = NamedChoiceField(
        choices=LineCategory.choices, enum_name=CATEGORY_ENUM, required=False, default=LineCategory.PROJECT
    )
    task = OrganizationRelatedField(
        queryset=WbsElement.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("For project work: a task of an open project you are assigned to or a member of."),
    )
    note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class TimesheetLineUpdateSerializer(TimesheetHoursInput, inputs.Serializer):
    note = serializers.CharField(max_length=255, required=False, allow_blank=True)


class TimesheetLineCorrectSerializer(TimesheetHoursInput, inputs.Serializer):
    reason = serializers.CharField(max_length=services.REASON_LENGTH, help_text=_("Why the approved hours change."))


class TimesheetCorrectionSerializer(inputs.Serializer[Any]):
    reversal = TimesheetLineSerializer(read_only=True, help_text=_("The approved hours negated, decided at once."))
    line = TimesheetLineSerializer(
        read_only=True, allow_null=True, help_text=_("The corrected hours as a new draft line (none when all are 0).")
    )


class TimesheetRejectSerializer(inputs.Serializer):
    reason = serializers.CharField(max_length=services.REASON_LENGTH, help_text=_("Why the hours are returned."))


class TimesheetDecideSerializer(inputs.Serializer):
    lines = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        min_length=1,
        max_length=MAX_BULK,
        help_text=_("Ids of submitted lines; all are decided or none."),
    )
    decision = NamedChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))], enum_name=DECISION_ENUM)
    reason = serializers.CharField(
        max_length=services.REASON_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Needed to reject."),
    )


# --- who may see a timesheet -----------------------------------------------------------


def _may_decide_any(view: Any, timesheet: Timesheet) -> bool:
    """Whether the reader may decide on some line of the week (the resource office, or a line's manager)."""
    if can(view.membership, ResourceAction.TIMESHEET_APPROVE):
        return True
    projects = set(
        TimesheetLine.objects.for_organization(view.organization)
        .filter(timesheet=timesheet, project__isnull=False)
        .values_list("project_id", flat=True)
    )
    if not projects:
        return False
    _membership, roles = services.approver_roles(view.organization.pk, view.membership.user, projects)
    return any(can(view.membership, ResourceAction.TIMESHEET_APPROVE, role) for role in roles.values())


class TimesheetAccessRule:
    """A week is its person's; a reader who owns nothing needs to decide on it (``TIMESHEET_APPROVE``)."""

    #: The viewset actions on a whole list of one's own weeks, which need no ownership.
    own_list_actions: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def unowned_action(cls, method: str, viewset_action: str | None = None) -> str | None:
        declared: Any = cls
        if viewset_action in cls.own_list_actions:
            return declared.required_action(method, viewset_action)
        return ResourceAction.TIMESHEET_APPROVE

    def check_timesheet(self, timesheet: Timesheet) -> None:
        view: Any = self
        if timesheet.resource.user_id == view.membership.user_id:
            return
        if not _may_decide_any(view, timesheet):
            raise exceptions.PermissionDenied(_("This timesheet is someone else's."))


# --- the person's weeks -----------------------------------------------------------------


class TimesheetFilter(django_filters.FilterSet):
    week_start = django_filters.DateFilter(label=_("The Monday of the week"))
    status = django_filters.ChoiceFilter(choices=TimesheetStatus.choices, label=_("Status"))

    class Meta:
        model = Timesheet
        fields = ["week_start", "status"]
        form = DateWindowForm


@extend_schema_view(
    list=extend_schema(summary=_("List my timesheets, latest week first"), tags=[TAG]),
    create=extend_schema(
        summary=_("Open my timesheet of a week (made empty if missing)"),
        description=_("Needs a resource linked to you (`no_resource` otherwise); the week starts on a Monday."),
        tags=[TAG],
        request=TimesheetOpenSerializer,
        responses={200: TimesheetDetailSerializer, 201: TimesheetDetailSerializer},
    ),
    retrieve=extend_schema(
        summary=_("Show a timesheet with its lines"),
        description=_("Its person, the resource office and the managers of its lines' projects read it."),
        tags=[TAG],
        responses={200: TimesheetDetailSerializer},
    ),
)
class TimesheetViewSet(
    TimesheetAccessRule,
    OrganizationScopedMixin,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = _("The signed-in person's weekly timesheets.")

    serializer_class = TimesheetSerializer
    row_builder = TIMESHEET_ROWS
    queryset = Timesheet.objects.all()
    read_action = ResourceAction.RESOURCES_VIEW
    write_action = ResourceAction.TIMESHEET_KEEP
    own_list_actions = frozenset({"list", "create"})
    filterset_class = TimesheetFilter
    ordering_fields = ["week_start"]
    ordering = ["-week_start"]
    search_fields: list[str] = []
    http_method_names = ["get", "post", "head", "options"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[Timesheet]:
        timesheets = Timesheet.objects.for_organization(self.organization).select_related("resource")
        if self.action == "list":
            return timesheets.filter(resource__user=self.membership.user_id).order_by("-week_start")
        return timesheets

    def get_object(self) -> Timesheet:
        timesheet: Timesheet = super().get_object()
        self.check_timesheet(timesheet)
        return timesheet

    def detail_body(self, timesheet: Timesheet) -> dict[str, Any]:
        grid = week_grid(timesheet, timesheet.week_start)
        timesheet.grid_lines = grid.lines  # type: ignore[attr-defined]
        timesheet.grid_totals = grid.day_totals  # type: ignore[attr-defined]
        return dict(TimesheetDetailSerializer(timesheet).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self.detail_body(self.get_object()))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = TimesheetOpenSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        resource = services.person_resource(self.organization, _actor(request))
        if resource is None:
            message = _("You are not a resource of the organisation yet: the resource office links you to one.")
            raise ApplicationError(str(message), code="no_resource")
        existed = (
            Timesheet.objects.for_organization(self.organization)
            .filter(resource=resource, week_start=payload.validated_data["week_start"])
            .exists()
        )
        timesheet = services.timesheet_for(actor=_actor(request), resource=resource, **payload.validated_data)
        timesheet.resource = resource
        return Response(self.detail_body(timesheet), status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Submit the week: every draft and rejected line goes for approval"),
        description=_(
            "Refused with `empty_timesheet`, `nothing_to_submit`, `line_without_hours`, and `period_locked` "
            "for hours on or before the day finance closed the books through."
        ),
        tags=[TAG],
        request=EMPTY_BODY,
        responses={200: TimesheetDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        inputs.refuse_body(request)
        timesheet = services.timesheet_submit(actor=_actor(request), timesheet=self.get_object())
        return Response(self.detail_body(timesheet))


@extend_schema_view(
    list=extend_schema(summary=_("List a timesheet's lines"), tags=[TAG]),
    retrieve=extend_schema(summary=_("Show a timesheet line"), tags=[TAG]),
    create=extend_schema(
        summary=_("Add a line: a task with its hours, or leave, training or administration"),
        description=_(
            "Refused with `task_not_bookable`, `day_over_24` (a day's total across the lines over 24 hours) "
            "and `period_locked`."
        ),
        tags=[TAG],
        request=TimesheetLineCreateSerializer,
        responses={201: TimesheetLineSerializer},
    ),
    partial_update=extend_schema(
        summary=_("Change a draft or rejected line's hours or note"),
        tags=[TAG],
        request=TimesheetLineUpdateSerializer,
        responses={200: TimesheetLineSerializer},
    ),
    destroy=extend_schema(summary=_("Remove a draft or rejected line"), tags=[TAG]),
)
class TimesheetLineViewSet(
    TimesheetAccessRule,
    OrganizationScopedMixin,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = _("The lines of a week: hours per day on a task or a non-project category.")

    serializer_class = TimesheetLineSerializer
    row_builder = LINE_ROWS
    queryset = TimesheetLine.objects.all()
    read_action = ResourceAction.RESOURCES_VIEW
    write_action = ResourceAction.TIMESHEET_KEEP
    filterset_fields = ["status", "category"]
    ordering_fields = ["id"]
    ordering = ["id"]
    search_fields: list[str] = []
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    lookup_value_regex = ID_PATTERN
    timesheet: Timesheet

    def resolve_scope(self, **url_kwargs: Any) -> None:
        super().resolve_scope(**url_kwargs)
        timesheet = (
            Timesheet.objects.for_organization(self.organization)
            .select_related("resource")
            .filter(pk=url_kwargs["timesheet_id"])
            .first()
        )
        if timesheet is None:
            raise Http404
        self.timesheet = timesheet
        self.check_timesheet(timesheet)

    def get_queryset(self) -> QuerySet[TimesheetLine]:
        return timesheet_lines(self.timesheet)

    def get_object(self) -> TimesheetLine:
        line: TimesheetLine = super().get_object()
        line.timesheet = self.timesheet
        return line

    def lock_scope(self) -> None:
        line = self.get_object()
        if line.project_id is not None:
            lock_project(line.project_id, line.organization_id)
        services.lock_timesheet(self.timesheet)

    def _respond(self, line: TimesheetLine, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(TimesheetLineSerializer(self.get_queryset().get(pk=line.pk)).data, status=status_code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = TimesheetLineCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        line = services.timesheet_line_add(
            actor=_actor(request),
            timesheet=self.timesheet,
            category=data["category"],
            task=data["task"],
            hours=_hours(data) or [],
            note=data["note"],
        )
        return self._respond(line, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        line = self.get_object()
        payload = TimesheetLineUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        line = services.timesheet_line_update(
            actor=_actor(request), line=line, hours=_hours(data, line.day_hours()), note=data.get("note")
        )
        return self._respond(line)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.timesheet_line_remove(actor=_actor(request), line=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary=_("Correct an approved line: a reversal plus a new draft line with the corrected hours"),
        description=_(
            "By the person or whoever may decide on the line. The reversal negates the approved hours and "
            "reverses their labour cost in finance at once; the new line is submitted like any other. Refused "
            "with `line_not_approved`, `already_corrected`, `nothing_changes` and `period_locked`."
        ),
        tags=[TAG],
        request=TimesheetLineCorrectSerializer,
        responses={201: TimesheetCorrectionSerializer},
    )
    @action(detail=True, methods=["post"])
    def correct(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        line = self.get_object()
        payload = TimesheetLineCorrectSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        reversal, corrected = services.timesheet_line_correct(
            actor=_actor(request), line=line, hours=_hours(data) or [ZERO] * 7, reason=data["reason"]
        )
        lines = {
            item.pk: item for item in self.get_queryset().filter(pk__in=[reversal.pk, getattr(corrected, "pk", 0)])
        }
        body = {
            "reversal": TimesheetLineSerializer(lines[reversal.pk]).data,
            "line": TimesheetLineSerializer(lines[corrected.pk]).data if corrected is not None else None,
        }
        return Response(body, status=status.HTTP_201_CREATED)


# --- approvals --------------------------------------------------------------------------


class ApprovalFilter(django_filters.FilterSet):
    project = django_filters.ModelChoiceFilter(queryset=Project.objects.all(), label=_("Project"), method="of_project")
    resource = django_filters.ModelChoiceFilter(
        queryset=Resource.objects.all(), label=_("Person"), method="of_resource"
    )
    week_start = django_filters.DateFilter(field_name="timesheet__week_start", label=_("The Monday of the week"))

    class Meta:
        model = TimesheetLine
        fields = ["project", "resource", "week_start"]
        form = DateWindowForm

    def of_project(self, queryset: QuerySet[TimesheetLine], name: str, value: Project) -> QuerySet[TimesheetLine]:
        return queryset.filter(project=value)

    def of_resource(self, queryset: QuerySet[TimesheetLine], name: str, value: Resource) -> QuerySet[TimesheetLine]:
        return queryset.filter(timesheet__resource=value)


@extend_schema_view(
    list=extend_schema(
        summary=_("List the timesheet lines waiting for my decision"),
        description=_(
            "A project's manager sees the lines of their projects, the resource office every line; "
            "never one's own. Oldest week first."
        ),
        tags=[TAG],
    ),
)
class TimesheetApprovalViewSet(
    TimesheetAccessRule,
    OrganizationScopedMixin,
    RowListMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = _("Timesheet lines waiting for a decision: approve (labour cost follows) or reject.")

    serializer_class = TimesheetApprovalSerializer
    row_builder = APPROVAL_ROWS
    queryset = TimesheetLine.objects.all()
    read_action = ResourceAction.RESOURCES_VIEW
    write_action = ResourceAction.RESOURCES_VIEW
    own_list_actions = frozenset({"list", "decide"})
    filterset_class = ApprovalFilter
    ordering_fields: list[str] = []
    search_fields: list[str] = []
    http_method_names = ["get", "post", "head", "options"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[TimesheetLine]:
        if self.action == "list":
            return approvable_lines(self.membership)
        return TimesheetLine.objects.for_organization(self.organization).select_related(
            "timesheet__resource", "project"
        )

    def filter_queryset(self, queryset: QuerySet[Any, Any]) -> QuerySet[Any, Any]:
        filtered = super().filter_queryset(queryset)
        if self.action == "list":
            return filtered.order_by("timesheet__week_start", "timesheet__resource__name", "timesheet_id", "pk")
        return filtered

    def get_object(self) -> TimesheetLine:
        line: TimesheetLine = super().get_object()
        _membership, roles = services.approver_roles(
            self.organization.pk, self.membership.user, [line.project_id] if line.project_id else []
        )
        if not services.may_decide(self.membership, line, roles.get(line.project_id or 0)):
            raise exceptions.PermissionDenied(
                _("Only the project's manager or the resource office decides on this line.")
            )
        return line

    def _respond(self, lines: list[TimesheetLine]) -> Response:
        rows = (
            TimesheetLine.objects.for_organization(self.organization)
            .filter(pk__in=[line.pk for line in lines])
            .order_by("pk")
            .values(*APPROVAL_ROWS.columns)
        )
        return Response(APPROVAL_ROWS.build(rows))

    @extend_schema(
        summary=_("Approve a submitted line: its project hours become labour cost"),
        description=_(
            "Each day's hours times the resource's standard rate in force that day become an actual cost of "
            "the project in the labour category, against the line's task (budget control applies). Refused "
            "with `line_not_submitted`, `own_line`, `no_rate` (naming the day) and `period_locked`."
        ),
        tags=[TAG],
        request=EMPTY_BODY,
        responses={200: TimesheetApprovalSerializer},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        inputs.refuse_body(request)
        line = services.timesheet_line_approve(actor=_actor(request), line=self.get_object())
        return Response(self._respond([line]).data[0])

    @extend_schema(
        summary=_("Reject a submitted line with the reason: it goes back to the person"),
        tags=[TAG],
        request=TimesheetRejectSerializer,
        responses={200: TimesheetApprovalSerializer},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        line = self.get_object()
        payload = TimesheetRejectSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        line = services.timesheet_line_reject(actor=_actor(request), line=line, **payload.validated_data)
        return Response(self._respond([line]).data[0])

    @extend_schema(
        summary=_("Approve or reject many lines at once: all of them, or none"),
        description=_("A line that is not yours to decide, or not waiting, refuses the whole decision."),
        tags=[TAG],
        request=TimesheetDecideSerializer,
        responses={200: TimesheetApprovalSerializer(many=True)},
    )
    @action(detail=False, methods=["post"])
    def decide(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = TimesheetDecideSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        lines = list(TimesheetLine.objects.for_organization(self.organization).filter(pk__in=data["lines"]))
        if len(lines) != len(set(data["lines"])):
            raise ApplicationError(str(_("Not found.")), fields={"lines": [str(_("Not found."))]})
        decided = services.timesheet_lines_decide(
            actor=_actor(request), lines=lines, approve=data["decision"] == "approve", reason=data["reason"]
        )
        return self._respond(decided)


# --- actual work against assigned work ----------------------------------------------------


class ResourceWorkRowSerializer(inputs.Serializer[Any]):
    task = serializers.IntegerField(source="task_id")
    task_code = serializers.CharField()
    task_name = serializers.CharField()
    resource = serializers.IntegerField(source="resource_id")
    resource_code = serializers.CharField()
    resource_name = serializers.CharField()
    assigned = serializers.DecimalField(max_digits=16, decimal_places=2, help_text=_("Assigned work in hours."))
    actual = serializers.DecimalField(
        max_digits=16, decimal_places=2, help_text=_("Approved timesheet hours, net of corrections.")
    )
    percent = serializers.DecimalField(
        max_digits=10,
        decimal_places=1,
        allow_null=True,
        help_text=_("Actual over assigned as a percentage; null without assigned work."),
    )


class ResourceWorkTotalSerializer(inputs.Serializer[Any]):
    id = serializers.IntegerField(source="key")
    code = serializers.CharField()
    name = serializers.CharField()
    assigned = serializers.DecimalField(max_digits=16, decimal_places=2)
    actual = serializers.DecimalField(max_digits=16, decimal_places=2)
    percent = serializers.DecimalField(max_digits=10, decimal_places=1, allow_null=True)


class ResourceWorkSerializer(inputs.Serializer[Any]):
    rows = ResourceWorkRowSerializer(many=True, help_text=_("Each person on each task."))
    by_task = ResourceWorkTotalSerializer(many=True, help_text=_("Each task's totals."))
    by_resource = ResourceWorkTotalSerializer(many=True, help_text=_("Each person's totals on the project."))


@extend_schema_view(
    get=extend_schema(
        summary=_("Compare approved timesheet hours with assigned work, per task and per person"),
        tags=[TAG],
        responses={200: ResourceWorkSerializer},
    )
)
class ResourceWorkView(ProjectScopedMixin, generics.GenericAPIView):
    schema_description = _("Actual work (approved hours) against assigned work on a project's tasks.")

    serializer_class = ResourceWorkSerializer
    read_action = ResourceAction.RESOURCES_VIEW
    http_method_names = ["get", "head", "options"]
    pagination_class = None
    filter_backends: list[Any] = []

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        rows = actual_work(self.organization.pk, project_ids=[self.project.pk])
        body = {"rows": rows, "by_task": work_by_task(rows), "by_resource": work_by_resource(rows)}
        return Response(ResourceWorkSerializer(body).data)
