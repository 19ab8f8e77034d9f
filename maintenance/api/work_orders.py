"""API of work orders and the O&M settings, under ``/api/v1/orgs/{org_slug}/maintenance/``.

``work-orders/`` lists (filters: status, priority, kind, site, category, contractor, origin_project,
overdue, breached, assignee = a member's id or ``me``, q) and takes requests; each work order moves
along its lifecycle by its actions (``assign/``, ``start/``, ``hold/``, ``resume/``, ``complete/``,
``verify/``, ``close/``, ``cancel/``, ``priority/``) and keeps its history (``events/``). A
contractor's login with no other role sees the firm's work orders only.

``settings/`` holds the working calendar and hours the SLA clocks run on, ``sla-targets/`` the
response and resolution times per priority, ``hold-reasons/`` why work may be put on hold (and
whether that pauses the clock), ``inspectors/`` the members named to do rounds and verify repairs.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, generics, mixins, renderers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from maintenance import reports
from maintenance.forms_work_orders import ORDERINGS, WorkOrderFilter
from maintenance.models import (
    OPEN_STATUSES,
    Asset,
    AssetReading,
    Contractor,
    Criterion,
    EnteredAs,
    HoldReason,
    Inspector,
    MaintenanceSettings,
    Priority,
    Site,
    SlaTarget,
    WorkOrder,
    WorkOrderEvent,
    WorkOrderKind,
    WorkOrderStatus,
)
from maintenance.models.settings import bilingual
from maintenance.permissions import MaintenanceAction, may_inspect
from maintenance.services import settings as settings_services
from maintenance.services import work_orders as services
from maintenance.visibility import may_work, visible_work_orders
from pmo.api import inputs
from pmo.api.base import OrganizationRelatedField, OrganizationScopedMixin
from pmo.api.common import EMPTY_BODY, ID_PATTERN, NamedChoiceField
from pmo.api.common import actor as _actor
from pmo.api.rows import Computed, RowBuilder, RowListMixin
from pmo.api.serializers import UserSummarySerializer
from pmo.models import WorkingCalendar
from pmo.pdf import PDF, PdfRenderer, pdf_response
from projects.api.serializers import OrganizationMemberField

TAG = "maintenance work orders"
SETTINGS_TAG = "maintenance settings"
PRIORITY_ENUM = "MaintenancePriorityEnum"
KIND_ENUM = "WorkOrderKindEnum"
STATUS_ENUM = "WorkOrderStatusEnum"
ENTERED_AS_ENUM = "ReadingEnteredAsEnum"
MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}
PAUSING = "hold_reason__pauses_clock"


def reference(number: int) -> str:
    return f"WO-{number:05d}"


def is_overdue(status_: str, resolution_due_at: Any, pausing: bool | None) -> bool:
    """Open past the resolution deadline, unless a hold that pauses the clock runs."""
    if status_ not in OPEN_STATUSES or resolution_due_at is None:
        return False
    if status_ == WorkOrderStatus.ON_HOLD and pausing:
        return False
    return bool(resolution_due_at < timezone.now())


class WorkOrderSerializer(inputs.ModelSerializer):
    reference = serializers.CharField(read_only=True, help_text=_("WO-00001, WO-00002… per organisation."))
    kind = NamedChoiceField(choices=WorkOrderKind.choices, enum_name=KIND_ENUM, read_only=True)
    status = NamedChoiceField(choices=WorkOrderStatus.choices, enum_name=STATUS_ENUM, read_only=True)
    priority = NamedChoiceField(choices=Priority.choices, enum_name=PRIORITY_ENUM, read_only=True)
    asset_code = serializers.CharField(source="asset.code", read_only=True, allow_null=True)
    asset_name = serializers.CharField(source="asset.name", read_only=True, allow_null=True)
    site_name = serializers.CharField(source="site.name", read_only=True, allow_null=True)
    contractor_name = serializers.CharField(source="contractor.name", read_only=True, allow_null=True)
    assignee = UserSummarySerializer(read_only=True, allow_null=True)
    reported_by = UserSummarySerializer(read_only=True, allow_null=True)
    overdue = serializers.BooleanField(
        read_only=True,
        help_text=_("Open past its resolution deadline (not while on a hold that pauses the clock)."),
    )

    class Meta:
        model = WorkOrder
        fields = [
            "id",
            "reference",
            "number",
            "kind",
            "title",
            "description",
            "status",
            "priority",
            "asset",
            "asset_code",
            "asset_name",
            "site",
            "site_name",
            "location_text",
            "criterion",
            "defect",
            "pm_plan",
            "pm_due_key",
            "due_date",
            "origin_project",
            "assignee",
            "contractor",
            "contractor_name",
            "reported_by",
            "reporter_name",
            "reporter_contact",
            "warranty_claim",
            "opened_at",
            "response_due_at",
            "resolution_due_at",
            "around_the_clock",
            "assigned_at",
            "started_at",
            "completed_at",
            "verified_at",
            "closed_at",
            "cancelled_at",
            "cancel_reason",
            "hold_reason",
            "paused_seconds",
            "response_breached",
            "resolution_breached",
            "overdue",
            "work_done",
            "labour_hours",
            "materials",
            "cost",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "response_due_at": {"help_text": _("Work must start by then (moved by pausing holds).")},
            "resolution_due_at": {"help_text": _("Work must be completed by then (moved by pausing holds).")},
            "paused_seconds": {"help_text": _("Clock time paused by holds that pause it (working time, or all).")},
            "response_breached": {"help_text": _("Work started after the response deadline.")},
            "resolution_breached": {"help_text": _("Work completed after the resolution deadline.")},
        }


WORK_ORDER_ROWS = RowBuilder(
    WorkOrderSerializer,
    computed={
        "reference": Computed(("number",), lambda row: reference(row["number"])),
        "overdue": Computed(
            ("status", "resolution_due_at", PAUSING),
            lambda row: is_overdue(row["status"], row["resolution_due_at"], row[PAUSING]),
        ),
    },
)


def annotate(work_order: WorkOrder) -> WorkOrder:
    work_order.overdue = is_overdue(  # type: ignore[attr-defined]
        work_order.status,
        work_order.resolution_due_at,
        work_order.hold_reason.pauses_clock if work_order.hold_reason_id and work_order.hold_reason else None,
    )
    return work_order


class WorkOrderEventSerializer(inputs.ModelSerializer):
    from_status = NamedChoiceField(
        choices=[("", "—"), *WorkOrderStatus.choices],
        enum_name="WorkOrderFromStatusEnum",
        read_only=True,
        allow_blank=True,
        help_text=_("Empty for the event that opened the work order."),
    )
    to_status = NamedChoiceField(choices=WorkOrderStatus.choices, enum_name=STATUS_ENUM, read_only=True)
    actor = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = WorkOrderEvent
        fields = ["id", "from_status", "to_status", "actor", "note", "at"]
        read_only_fields = fields


class VerificationReadingSerializer(inputs.ModelSerializer):
    entered_as = NamedChoiceField(choices=EnteredAs.choices, enum_name=ENTERED_AS_ENUM, read_only=True)

    class Meta:
        model = AssetReading
        fields = [
            "id",
            "asset",
            "criterion",
            "criterion_version",
            "entered_as",
            "entered_value",
            "value",
            "second_value",
            "passed",
            "notes",
            "taken_at",
        ]
        read_only_fields = fields


class VerificationResultSerializer(inputs.Serializer):
    work_order = WorkOrderSerializer(read_only=True)
    reading = VerificationReadingSerializer(read_only=True, allow_null=True)


class AssetField(OrganizationRelatedField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=Asset.objects.all(), **kwargs)


class WorkOrderRequestSerializer(inputs.Serializer):
    title = serializers.CharField(max_length=255, help_text=_("What needs doing."))
    description = serializers.CharField(required=False, allow_blank=True, default="")
    priority = NamedChoiceField(choices=Priority.choices, enum_name=PRIORITY_ENUM, required=False, default=Priority.P3)
    asset = AssetField(required=False, allow_null=True, default=None)
    site = OrganizationRelatedField(queryset=Site.objects.all(), required=False, allow_null=True, default=None)
    location_text = serializers.CharField(
        max_length=255, required=False, allow_blank=True, default="", help_text=_("Where, when not an asset.")
    )
    reporter_name = serializers.CharField(
        max_length=120, required=False, allow_blank=True, default="", help_text=_("An outside caller's name.")
    )
    reporter_contact = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")


class WorkOrderAssignSerializer(inputs.Serializer):
    assignee = OrganizationMemberField(required=False, allow_null=True, default=None)
    contractor = OrganizationRelatedField(
        queryset=Contractor.objects.all(), required=False, allow_null=True, default=None
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class WorkOrderNoteSerializer(inputs.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class WorkOrderHoldSerializer(inputs.Serializer):
    reason = OrganizationRelatedField(queryset=HoldReason.objects.all(), help_text=_("A hold reason's id."))
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class WorkOrderCompleteSerializer(inputs.Serializer):
    work_done = serializers.CharField(help_text=_("What was done."))
    labour_hours = serializers.DecimalField(
        max_digits=8, decimal_places=2, min_value=Decimal("0"), required=False, default=Decimal("0")
    )
    materials = serializers.CharField(required=False, allow_blank=True, default="")
    cost = serializers.DecimalField(min_value=Decimal("0"), required=False, default=Decimal("0"), **MONEY)


class WorkOrderVerifySerializer(inputs.Serializer):
    value = serializers.DecimalField(
        max_digits=14,
        decimal_places=4,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("The new reading of the work order's criterion; required when it has one."),
    )
    second_value = serializers.DecimalField(
        max_digits=14, decimal_places=4, required=False, allow_null=True, default=None
    )
    entered_as = NamedChoiceField(
        choices=EnteredAs.choices, enum_name=ENTERED_AS_ENUM, required=False, default=EnteredAs.VALUE
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    criterion = OrganizationRelatedField(
        queryset=Criterion.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("For a work order without a criterion: one of its asset's category to read."),
    )


class WorkOrderCancelSerializer(inputs.Serializer):
    reason = serializers.CharField(help_text=_("Why it is cancelled."))


class WorkOrderPrioritySerializer(inputs.Serializer):
    priority = NamedChoiceField(choices=Priority.choices, enum_name=PRIORITY_ENUM)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


WO_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description=_("The work order's id."))


@extend_schema_view(
    list=extend_schema(summary=_("List work orders"), tags=[TAG]),
    retrieve=extend_schema(summary=_("Show a work order"), tags=[TAG]),
    create=extend_schema(
        summary=_("Report a request for maintenance"),
        description=_(
            "Anyone but a viewer; on an asset, at a site or at a place in words; for an outside caller with their "
            "name and contact. Its SLA deadlines follow its priority."
        ),
        tags=[TAG],
        request=WorkOrderRequestSerializer,
        responses={201: WorkOrderSerializer},
    ),
)
class WorkOrderViewSet(
    OrganizationScopedMixin,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = _(
        "Work orders (corrective, preventive, requests) with their SLA clocks, from opening to closing."
    )
    serializer_class = WorkOrderSerializer
    row_builder = WORK_ORDER_ROWS
    queryset = WorkOrder.objects.all()
    read_action = MaintenanceAction.VIEW
    write_action = MaintenanceAction.MANAGE
    action_permissions = {
        "create": MaintenanceAction.REPORT,
        "start": MaintenanceAction.WORK,
        "hold": MaintenanceAction.WORK,
        "resume": MaintenanceAction.WORK,
        "complete": MaintenanceAction.WORK,
        "verify": MaintenanceAction.INSPECT_NAMED,
    }
    filterset_class = WorkOrderFilter
    ordering_fields = ["number", "priority", "status", "opened_at", "response_due_at", "resolution_due_at"]
    ordering = ["-number"]
    search_fields: list[str] = []
    http_method_names = ["get", "post", "head", "options"]
    lookup_value_regex = ID_PATTERN

    @classmethod
    def unowned_action(cls, method: str, viewset_action: str | None = None) -> str | None:
        """For a member who is neither the assignee nor the contractor's login: working needs the
        maintenance office's action, verifying the inspectors' (``may_inspect``)."""
        if viewset_action in ("start", "hold", "resume", "complete"):
            return MaintenanceAction.MANAGE
        if viewset_action == "verify":
            return MaintenanceAction.INSPECT
        return cls.required_action(method, viewset_action)

    def get_queryset(self) -> QuerySet[WorkOrder]:
        return (
            visible_work_orders(self.membership)
            .select_related("asset", "site", "contractor", "assignee", "reported_by", "hold_reason")
            .order_by(*ORDERINGS["-number"])
        )

    def get_object(self) -> WorkOrder:
        work_order: WorkOrder = super().get_object()
        work_order.organization = self.organization
        return work_order

    def _respond(self, work_order: WorkOrder, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = annotate(self.get_queryset().get(pk=work_order.pk))
        return Response(WorkOrderSerializer(fresh).data, status=status_code)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(WorkOrderSerializer(annotate(self.get_object())).data)

    def _worked(self) -> WorkOrder:
        work_order = self.get_object()
        if not may_work(self.membership, work_order):
            raise exceptions.PermissionDenied(_("Only the assignee, the contractor or the maintenance office may."))
        return work_order

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = WorkOrderRequestSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        work_order = services.work_order_request(
            actor=_actor(request), organization=self.organization, **payload.validated_data
        )
        return self._respond(work_order, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Assign to a member or a contractor"),
        description=_("Open → assigned; reassigns one assigned, in progress or on hold. The maintenance office."),
        tags=[TAG],
        request=WorkOrderAssignSerializer,
        responses={200: WorkOrderSerializer},
    )
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = WorkOrderAssignSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        work_order = services.work_order_assign(
            actor=_actor(request), work_order=self.get_object(), **payload.validated_data
        )
        return self._respond(work_order)

    @extend_schema(
        summary=_("Start the work (the response)"),
        description=_("Assigned → in progress, by the assignee, the contractor's login or the maintenance office."),
        tags=[TAG],
        request=EMPTY_BODY,
        responses={200: WorkOrderSerializer},
    )
    @action(detail=True, methods=["post"])
    def start(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        inputs.refuse_body(request)
        return self._respond(services.work_order_start(actor=_actor(request), work_order=self._worked()))

    @extend_schema(
        summary=_("Put on hold for a reason"),
        description=_("Assigned or in progress → on hold; a reason that pauses the clock stops the SLA meanwhile."),
        tags=[TAG],
        request=WorkOrderHoldSerializer,
        responses={200: WorkOrderSerializer},
    )
    @action(detail=True, methods=["post"])
    def hold(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        work_order = self._worked()
        payload = WorkOrderHoldSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        return self._respond(
            services.work_order_hold(actor=_actor(request), work_order=work_order, **payload.validated_data)
        )

    @extend_schema(
        summary=_("Take off hold"),
        description=_("Back to in progress (or assigned); a pausing hold moves the deadlines by the time it took."),
        tags=[TAG],
        request=WorkOrderNoteSerializer,
        responses={200: WorkOrderSerializer},
    )
    @action(detail=True, methods=["post"])
    def resume(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        work_order = self._worked()
        payload = WorkOrderNoteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._respond(
            services.work_order_resume(actor=_actor(request), work_order=work_order, **payload.validated_data)
        )

    @extend_schema(
        summary=_("Complete the work (the resolution)"),
        description=_("In progress → completed, with the work done, labour hours, materials and cost (0 or more)."),
        tags=[TAG],
        request=WorkOrderCompleteSerializer,
        responses={200: WorkOrderSerializer},
    )
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        work_order = self._worked()
        payload = WorkOrderCompleteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._respond(
            services.work_order_complete(actor=_actor(request), work_order=work_order, **payload.validated_data)
        )

    @extend_schema(
        summary=_("Verify the repair with a new reading"),
        description=_(
            "By an inspector. The reading is judged against the criterion's current version: a pass verifies the "
            "work order, a failure sends it back to in progress; the reading is kept either way. Refused with "
            "`reading_invalid` for a reading that cannot be judged."
        ),
        tags=[TAG],
        request=WorkOrderVerifySerializer,
        responses={200: VerificationResultSerializer},
    )
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not may_inspect(self.membership):
            raise exceptions.PermissionDenied(_("Only an inspector may verify repairs."))
        work_order = self.get_object()
        payload = WorkOrderVerifySerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        verified, reading = services.work_order_verify(
            actor=_actor(request), work_order=work_order, **payload.validated_data
        )
        fresh = annotate(self.get_queryset().get(pk=verified.pk))
        return Response(VerificationResultSerializer({"work_order": fresh, "reading": reading}).data)

    @extend_schema(
        summary=_("Close a verified work order"),
        description=_("Verified → closed; a corrective work order's defect is resolved."),
        tags=[TAG],
        request=WorkOrderNoteSerializer,
        responses={200: WorkOrderSerializer},
    )
    @action(detail=True, methods=["post"])
    def close(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = WorkOrderNoteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        work_order = services.work_order_close(
            actor=_actor(request), work_order=self.get_object(), **payload.validated_data
        )
        return self._respond(work_order)

    @extend_schema(
        summary=_("Cancel a work order, with the reason"),
        description=_("Any status before closed; a corrective work order's open defect is cancelled with it."),
        tags=[TAG],
        request=WorkOrderCancelSerializer,
        responses={200: WorkOrderSerializer},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = WorkOrderCancelSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        work_order = services.work_order_cancel(
            actor=_actor(request), work_order=self.get_object(), **payload.validated_data
        )
        return self._respond(work_order)

    @extend_schema(
        summary=_("Change the priority"),
        description=_(
            "Before completion; the deadlines are computed again from the opening under the new priority's target, "
            "moved by the time paused so far."
        ),
        tags=[TAG],
        request=WorkOrderPrioritySerializer,
        responses={200: WorkOrderSerializer},
    )
    @action(detail=True, methods=["post"])
    def priority(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = WorkOrderPrioritySerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        work_order = services.work_order_set_priority(
            actor=_actor(request), work_order=self.get_object(), **payload.validated_data
        )
        return self._respond(work_order)

    @extend_schema(
        summary=_("List a work order's history"),
        tags=[TAG],
        request=None,
        responses={200: WorkOrderEventSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filterset_class=None)
    def events(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        work_order = self.get_object()
        events = (
            WorkOrderEvent.objects.for_organization(self.organization)
            .filter(work_order=work_order)
            .select_related("actor")
            .order_by("at", "id")
        )
        return Response(WorkOrderEventSerializer(events, many=True).data)

    @extend_schema(
        summary=_("Download the work-order sheet as PDF (A4, in the reader's language)"),
        tags=[TAG],
        request=None,
        responses={(200, PDF): OpenApiTypes.BINARY},
        filters=False,
    )
    @action(
        detail=True,
        methods=["get"],
        pagination_class=None,
        filterset_class=None,
        renderer_classes=[renderers.JSONRenderer, PdfRenderer],
    )
    def pdf(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        content, filename = reports.work_order_pdf(self.get_object())
        return pdf_response(content, filename)


# --- settings -----------------------------------------------------------------------------------


@extend_schema_field(
    {"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$", "example": "09:00:00"}
)
class ClockTimeField(serializers.TimeField):
    """A time of day in the organisation's time zone (an OpenAPI ``time`` would need an offset)."""


class MaintenanceSettingsSerializer(inputs.ModelSerializer):
    workday_start = ClockTimeField(
        label=_("working day starts at"), required=False, help_text=_("Local time, e.g. 09:00.")
    )
    workday_end = ClockTimeField(label=_("working day ends at"), required=False, help_text=_("Local time, e.g. 17:00."))
    calendar = OrganizationRelatedField(
        queryset=WorkingCalendar.objects.all(),
        allow_null=True,
        required=False,
        help_text=_("The working calendar the SLA clocks run on; null: the organisation's default."),
    )

    class Meta:
        model = MaintenanceSettings
        fields = ["calendar", "workday_start", "workday_end", "round_lead_days", "updated_at"]
        read_only_fields = ["updated_at"]


class MaintenanceScoped(OrganizationScopedMixin):
    read_action = MaintenanceAction.VIEW
    write_action = MaintenanceAction.MANAGE


@extend_schema_view(
    get=extend_schema(summary=_("Show the organisation's maintenance settings"), tags=[SETTINGS_TAG]),
    patch=extend_schema(summary=_("Change the organisation's maintenance settings"), tags=[SETTINGS_TAG]),
)
class MaintenanceSettingsView(MaintenanceScoped, generics.RetrieveUpdateAPIView):
    schema_description = _(
        "The working calendar and hours the SLA clocks of working-hours priorities run on, and how far ahead "
        "inspection rounds are made."
    )
    serializer_class = MaintenanceSettingsSerializer
    queryset = MaintenanceSettings.objects.all()
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self) -> MaintenanceSettings:
        return self.remember_version(settings_services.maintenance_settings_for(self.organization))

    def perform_update(self, serializer: BaseSerializer[MaintenanceSettings]) -> None:
        data = dict(serializer.validated_data)
        clear = "calendar" in data and data["calendar"] is None
        serializer.instance = settings_services.maintenance_settings_update(
            actor=_actor(self.request), organization=self.organization, clear_calendar=clear, **data
        )


class SlaTargetSerializer(inputs.ModelSerializer):
    priority = NamedChoiceField(choices=Priority.choices, enum_name=PRIORITY_ENUM, read_only=True)

    class Meta:
        model = SlaTarget
        fields = ["id", "priority", "response_hours", "resolution_hours", "around_the_clock"]
        read_only_fields = fields
        extra_kwargs = {
            "around_the_clock": {"help_text": _("False: counted in working hours of the settings' calendar.")}
        }


SLA_TARGET_ROWS = RowBuilder(SlaTargetSerializer)


class SlaTargetInputSerializer(inputs.Serializer):
    response_hours = serializers.DecimalField(max_digits=7, decimal_places=2, min_value=0)
    resolution_hours = serializers.DecimalField(max_digits=7, decimal_places=2, min_value=0)
    around_the_clock = serializers.BooleanField()


@extend_schema_view(
    list=extend_schema(summary=_("List the SLA targets per priority"), tags=[SETTINGS_TAG]),
    retrieve=extend_schema(summary=_("Show a priority's SLA target"), tags=[SETTINGS_TAG]),
    update=extend_schema(
        summary=_("Set a priority's SLA target"),
        description=_("Applies to work orders opened or re-prioritised from now on."),
        tags=[SETTINGS_TAG],
        request=SlaTargetInputSerializer,
        responses={200: SlaTargetSerializer},
    ),
)
class SlaTargetViewSet(
    MaintenanceScoped,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = _("How soon work orders of each priority must be responded to and resolved, in hours.")
    serializer_class = SlaTargetSerializer
    row_builder = SLA_TARGET_ROWS
    queryset = SlaTarget.objects.all()
    lookup_value_regex = ID_PATTERN
    pagination_class = None
    filterset_class = None
    http_method_names = ["get", "put", "head", "options"]

    def get_queryset(self) -> QuerySet[SlaTarget]:
        return SlaTarget.objects.for_organization(self.organization).order_by("priority")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        settings_services.sla_targets_for(self.organization)
        return super().list(request, *args, **kwargs)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        priority = self.get_object().priority
        payload = SlaTargetInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        target = settings_services.sla_target_update(
            actor=_actor(request), organization=self.organization, priority=priority, **payload.validated_data
        )
        return Response(SlaTargetSerializer(target).data)


class HoldReasonSerializer(inputs.ModelSerializer):
    name = serializers.SerializerMethodField(help_text=_("The name in the active language."))

    class Meta:
        model = HoldReason
        fields = ["id", "code", "name", "name_zh", "name_en", "pauses_clock", "is_active", "position"]
        read_only_fields = fields

    def get_name(self, reason: HoldReason) -> str:
        return reason.name


HOLD_REASON_ROWS = RowBuilder(
    HoldReasonSerializer,
    computed={"name": Computed(("name_zh", "name_en"), lambda row: bilingual(row["name_zh"], row["name_en"]))},
)


class HoldReasonInputSerializer(inputs.Serializer):
    code = serializers.SlugField(max_length=32)
    name_zh = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    name_en = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    pauses_clock = serializers.BooleanField(required=False, default=False)


class HoldReasonUpdateSerializer(inputs.Serializer):
    name_zh = serializers.CharField(max_length=100, required=False, allow_blank=True)
    name_en = serializers.CharField(max_length=100, required=False, allow_blank=True)
    pauses_clock = serializers.BooleanField(required=False)
    is_active = serializers.BooleanField(required=False)
    position = serializers.IntegerField(required=False, min_value=0, max_value=32767)


@extend_schema_view(
    list=extend_schema(summary=_("List the hold reasons"), tags=[SETTINGS_TAG]),
    retrieve=extend_schema(summary=_("Show a hold reason"), tags=[SETTINGS_TAG]),
    create=extend_schema(
        summary=_("Add a hold reason"),
        tags=[SETTINGS_TAG],
        request=HoldReasonInputSerializer,
        responses={201: HoldReasonSerializer},
    ),
    partial_update=extend_schema(
        summary=_("Change a hold reason (rename, pausing or not, retire)"),
        tags=[SETTINGS_TAG],
        request=HoldReasonUpdateSerializer,
        responses={200: HoldReasonSerializer},
    ),
)
class HoldReasonViewSet(
    MaintenanceScoped,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = _("Why a work order may be put on hold; the pausing ones stop its SLA clock meanwhile.")
    serializer_class = HoldReasonSerializer
    row_builder = HOLD_REASON_ROWS
    queryset = HoldReason.objects.all()
    filterset_class = None
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[HoldReason]:
        return HoldReason.objects.for_organization(self.organization).order_by("position", "code")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        settings_services.maintenance_settings_for(self.organization)
        return super().list(request, *args, **kwargs)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = HoldReasonInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        reason = settings_services.hold_reason_create(
            actor=_actor(request), organization=self.organization, **payload.validated_data
        )
        return Response(HoldReasonSerializer(reason).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = HoldReasonUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        reason = settings_services.hold_reason_update(
            actor=_actor(request), reason=self.get_object(), **payload.validated_data
        )
        return Response(HoldReasonSerializer(reason).data)


class InspectorSerializer(inputs.ModelSerializer):
    user = UserSummarySerializer(read_only=True)

    class Meta:
        model = Inspector
        fields = ["id", "user", "is_active", "since"]
        read_only_fields = fields


INSPECTOR_ROWS = RowBuilder(InspectorSerializer)


class InspectorInputSerializer(inputs.Serializer):
    user = OrganizationMemberField(help_text=_("A member (not a viewer) to name an inspector."))


@extend_schema_view(
    list=extend_schema(summary=_("List the inspectors"), tags=[SETTINGS_TAG]),
    retrieve=extend_schema(summary=_("Show an inspector"), tags=[SETTINGS_TAG]),
    create=extend_schema(
        summary=_("Name a member an inspector"),
        tags=[SETTINGS_TAG],
        request=InspectorInputSerializer,
        responses={201: InspectorSerializer},
    ),
    destroy=extend_schema(
        summary=_("Stop a member being an inspector"),
        description=_("The row stays, inactive, so that their past readings keep who took them."),
        tags=[SETTINGS_TAG],
    ),
)
class InspectorViewSet(
    MaintenanceScoped,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = _("The members the maintenance office named to do inspection rounds and verify repairs.")
    serializer_class = InspectorSerializer
    row_builder = INSPECTOR_ROWS
    queryset = Inspector.objects.all()
    filterset_fields = ["is_active"]
    http_method_names = ["get", "post", "delete", "head", "options"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[Inspector]:
        return (
            Inspector.objects.for_organization(self.organization)
            .select_related("user")
            .order_by("-is_active", "user__username")
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = InspectorInputSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        inspector = settings_services.inspector_name(
            actor=_actor(request), organization=self.organization, **payload.validated_data
        )
        return Response(InspectorSerializer(self.get_queryset().get(pk=inspector.pk)).data, status=201)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        settings_services.inspector_remove(actor=_actor(request), inspector=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
