"""API of preventive maintenance, under ``/api/v1/orgs/{org_slug}/maintenance/``.

``pm-plans/`` are the preventive plans (by calendar or by meter, on one asset or on a category);
each plan reads where each of its assets stands (``next-due/``: the next due point still to make
and when its work order appears) and its work orders (``work-orders/``); ``deactivate/`` and
``activate/`` stop and restart it; ``pm-plans/generate/`` makes the work orders due today at once
(the hourly beat does the same). ``meters/`` are the counters on assets (``?asset=`` filters) and
``meters/{meter_id}/readings/`` their readings: recording one checks the asset's meter plans at
once and answers with the work orders it made.

Everyone reads; the maintenance office and the PMO change plans and meters
(``MaintenanceAction.MANAGE``); anyone who carries out work records readings
(``MaintenanceAction.WORK``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from maintenance.api.work_orders import PRIORITY_ENUM, WORK_ORDER_ROWS, WorkOrderSerializer
from maintenance.models import (
    Asset,
    AssetCategory,
    Contractor,
    IntervalUnit,
    Meter,
    MeterReading,
    PmPlan,
    PmSchedule,
    PmTrigger,
    Priority,
)
from maintenance.models.settings import bilingual
from maintenance.permissions import MaintenanceAction
from maintenance.services import meters as meter_services
from maintenance.services import preventive as services
from maintenance.visibility import visible_work_orders
from pmo.api import inputs
from pmo.api.base import OrganizationRelatedField, OrganizationScopedMixin
from pmo.api.common import EMPTY_BODY, ID_PATTERN, NamedChoiceField
from pmo.api.common import actor as _actor
from pmo.api.rows import Computed, RowBuilder, RowListMixin
from projects.api.serializers import OrganizationMemberField

TAG = "maintenance preventive"
TRIGGER_ENUM = "PmTriggerEnum"
UNIT_ENUM = "PmIntervalUnitEnum"
SCHEDULE_ENUM = "PmScheduleEnum"
METER_UNITS: dict[str, Any] = {"max_digits": 12, "decimal_places": 2}
READING: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}


# Plans


class PmPlanSerializer(inputs.ModelSerializer):
    asset_code = serializers.CharField(source="asset.code", read_only=True, allow_null=True)
    category_name = serializers.SerializerMethodField(help_text=_("The category's name in the reader's language."))
    trigger = NamedChoiceField(choices=PmTrigger.choices, enum_name=TRIGGER_ENUM, read_only=True)
    interval_unit = NamedChoiceField(
        choices=[("", "—"), *IntervalUnit.choices],
        enum_name="PmPlanIntervalUnitEnum",
        read_only=True,
        allow_blank=True,
        help_text=_("Empty for a meter plan."),
    )
    schedule = NamedChoiceField(choices=PmSchedule.choices, enum_name=SCHEDULE_ENUM, read_only=True)
    priority = NamedChoiceField(choices=Priority.choices, enum_name=PRIORITY_ENUM, read_only=True)
    # The model's slug pattern does not hold for the blank code of a calendar plan.
    meter_code = serializers.CharField(read_only=True, help_text=_("Empty for a calendar plan."))

    class Meta:
        model = PmPlan
        fields = [
            "id",
            "name",
            "asset",
            "asset_code",
            "category",
            "category_name",
            "trigger",
            "interval",
            "interval_unit",
            "schedule",
            "starts_on",
            "lead_days",
            "meter_code",
            "meter_interval",
            "meter_lead",
            "priority",
            "instructions",
            "assignee",
            "contractor",
            "is_active",
            "created_at",
        ]
        read_only_fields = fields

    def get_category_name(self, plan: Any) -> str | None:
        if getattr(plan, "category_id", None) is None:
            return None
        return bilingual(plan.category.name_zh, plan.category.name_en)


PLAN_ROWS = RowBuilder(
    PmPlanSerializer,
    computed={
        "category_name": Computed(
            ("category_id", "category__name_zh", "category__name_en"),
            lambda row: (
                None if row["category_id"] is None else bilingual(row["category__name_zh"], row["category__name_en"])
            ),
        )
    },
)


class PmPlanInputSerializer(inputs.Serializer):
    name = serializers.CharField(max_length=200)
    asset = OrganizationRelatedField(
        queryset=Asset.objects.all(), required=False, allow_null=True, default=None, help_text=_("One asset…")
    )
    category = OrganizationRelatedField(
        queryset=AssetCategory.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("… or every asset in service of a category (give one of the two)."),
    )
    trigger = NamedChoiceField(choices=PmTrigger.choices, enum_name=TRIGGER_ENUM, default=PmTrigger.CALENDAR)
    interval = serializers.IntegerField(
        min_value=1, max_value=services.MAX_INTERVAL, required=False, allow_null=True, default=None
    )
    interval_unit = NamedChoiceField(
        choices=IntervalUnit.choices,
        enum_name=UNIT_ENUM,
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Required by calendar plans."),
    )
    schedule = NamedChoiceField(choices=PmSchedule.choices, enum_name=SCHEDULE_ENUM, default=PmSchedule.FIXED)
    starts_on = serializers.DateField(required=False, allow_null=True, default=None, help_text=_("First due date."))
    lead_days = serializers.IntegerField(
        min_value=0,
        max_value=services.MAX_LEAD_DAYS,
        default=7,
        help_text=_("A calendar work order appears this many days before its due date."),
    )
    meter_code = serializers.SlugField(max_length=40, required=False, allow_blank=True)
    meter_interval = serializers.DecimalField(required=False, allow_null=True, default=None, **METER_UNITS)
    meter_lead = serializers.DecimalField(
        required=False,
        default=Decimal("0"),
        help_text=_("A meter work order appears when the reading reaches the due point minus this."),
        **METER_UNITS,
    )
    priority = NamedChoiceField(choices=Priority.choices, enum_name=PRIORITY_ENUM, default=Priority.P4)
    instructions = serializers.CharField(required=False, allow_blank=True, default="", max_length=10_000)
    assignee = OrganizationMemberField(required=False, allow_null=True, default=None)
    contractor = OrganizationRelatedField(
        queryset=Contractor.objects.all(), required=False, allow_null=True, default=None
    )


class PmPlanUpdateSerializer(PmPlanInputSerializer):
    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for field in fields.values():
            field.required = False
            field.default = serializers.empty
        return fields


class PmNextDueSerializer(inputs.Serializer):
    asset = serializers.IntegerField(read_only=True)
    asset_code = serializers.CharField(read_only=True)
    asset_name = serializers.CharField(read_only=True)
    due_key = serializers.CharField(
        read_only=True, allow_null=True, help_text=_("2027-03-01 or meter:12000; null when the asset lacks the meter.")
    )
    due_date = serializers.DateField(read_only=True, allow_null=True)
    opens_on = serializers.DateField(
        read_only=True, allow_null=True, help_text=_("The day its work order appears (due date less the lead).")
    )
    due_value = serializers.DecimalField(read_only=True, allow_null=True, **READING)
    opens_at = serializers.DecimalField(
        read_only=True, allow_null=True, help_text=_("The reading at which its work order appears."), **READING
    )
    meter_total = serializers.DecimalField(
        read_only=True, allow_null=True, help_text=_("The asset's meter, across replaced meters."), **READING
    )
    missing_meter = serializers.BooleanField(read_only=True, help_text=_("The asset has no meter of the plan's code."))
    last_done = serializers.DateField(
        read_only=True, allow_null=True, help_text=_("Last completion (floating plans count from it).")
    )


class PmGenerationSerializer(inputs.Serializer):
    made = serializers.IntegerField(read_only=True, help_text=_("Work orders made by this run."))
    already = serializers.IntegerField(read_only=True, help_text=_("Due points whose work orders existed already."))


def next_due_rows(targets: list[services.PlanTarget]) -> list[dict[str, Any]]:
    rows = []
    for target in targets:
        point = target.next_point
        rows.append(
            {
                "asset": target.asset.pk,
                "asset_code": target.asset.code,
                "asset_name": target.asset.name,
                "due_key": point.key if point else None,
                "due_date": point.due_date if point else None,
                "opens_on": point.opens_on if point else None,
                "due_value": point.due_value if point else None,
                "opens_at": point.opens_at if point else None,
                "meter_total": target.meter.total if target.meter else None,
                "missing_meter": target.missing_meter,
                "last_done": target.last_done,
            }
        )
    return rows


PLAN_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description=_("The preventive plan's id."))


@extend_schema_view(
    list=extend_schema(summary=_("List preventive plans"), tags=[TAG]),
    retrieve=extend_schema(summary=_("Show a preventive plan"), tags=[TAG], parameters=[PLAN_ID]),
    create=extend_schema(
        summary=_("Add a preventive plan"),
        description=_(
            "By calendar (every N days, weeks, months or years from the first due date: fixed dates, or floating "
            "from the last completion; opened lead_days ahead) or by meter (every N units of the asset's meter "
            "meter_code, opened meter_lead units ahead), on one asset or a category."
        ),
        tags=[TAG],
        request=PmPlanInputSerializer,
        responses={201: PmPlanSerializer},
    ),
    partial_update=extend_schema(
        summary=_("Change a preventive plan"),
        description=_("Work orders already made stay; later due points follow the new schedule."),
        tags=[TAG],
        parameters=[PLAN_ID],
        request=PmPlanUpdateSerializer,
        responses={200: PmPlanSerializer},
    ),
)
class PmPlanViewSet(
    OrganizationScopedMixin,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = _("Preventive plans by calendar or meter, and where each of their assets stands.")
    serializer_class = PmPlanSerializer
    row_builder = PLAN_ROWS
    queryset = PmPlan.objects.all()
    read_action = MaintenanceAction.VIEW
    write_action = MaintenanceAction.MANAGE
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[PmPlan]:
        return (
            PmPlan.objects.for_organization(self.organization)
            .select_related("asset", "category")
            .order_by("name", "pk")
        )

    def get_object(self) -> PmPlan:
        plan: PmPlan = super().get_object()
        plan.organization = self.organization
        return plan

    def _respond(self, plan: PmPlan, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(PmPlanSerializer(self.get_queryset().get(pk=plan.pk)).data, status=status_code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = PmPlanInputSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        plan = services.pm_plan_create(actor=_actor(request), organization=self.organization, **payload.validated_data)
        return self._respond(plan, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = PmPlanUpdateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        plan = services.pm_plan_update(actor=_actor(request), plan=self.get_object(), **payload.validated_data)
        return self._respond(plan)

    @extend_schema(
        summary=_("Deactivate a preventive plan"),
        description=_("It makes no more work orders; those made stay."),
        tags=[TAG],
        parameters=[PLAN_ID],
        request=EMPTY_BODY,
        responses={200: PmPlanSerializer},
    )
    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        inputs.refuse_body(request)
        plan = services.pm_plan_set_active(actor=_actor(request), plan=self.get_object(), active=False)
        return self._respond(plan)

    @extend_schema(
        summary=_("Activate a preventive plan again"),
        tags=[TAG],
        parameters=[PLAN_ID],
        request=EMPTY_BODY,
        responses={200: PmPlanSerializer},
    )
    @action(detail=True, methods=["post"])
    def activate(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        inputs.refuse_body(request)
        plan = services.pm_plan_set_active(actor=_actor(request), plan=self.get_object(), active=True)
        return self._respond(plan)

    @extend_schema(
        summary=_("Where each asset of a plan stands: the next due point still to make"),
        description=_(
            "One row per asset in service the plan covers: the next due point without a work order (the open one "
            "if its work order is not made yet), its due date or meter value and when its work order appears."
        ),
        tags=[TAG],
        parameters=[PLAN_ID],
        responses={200: PmNextDueSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], url_path="next-due")
    def next_due(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = self.get_object()
        targets = services.plan_targets(self.organization, [plan], today=self.organization.today())
        rows = next_due_rows(targets)
        page: list[Any] | None = self.paginate_queryset(rows)  # type: ignore[arg-type]
        data = PmNextDueSerializer(page if page is not None else rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    @extend_schema(
        summary=_("The work orders a plan made"),
        tags=[TAG],
        parameters=[PLAN_ID],
        responses={200: WorkOrderSerializer(many=True)},
    )
    @action(detail=True, methods=["get"], url_path="work-orders")
    def work_orders(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = self.get_object()
        orders = (
            visible_work_orders(self.membership)
            .filter(pm_plan=plan)
            .order_by("-opened_at", "-number")
            .values(*WORK_ORDER_ROWS.columns)
        )
        page = self.paginate_queryset(orders)
        return self.get_paginated_response(WORK_ORDER_ROWS.build(page if page is not None else orders))

    @extend_schema(
        summary=_("Make the preventive work orders due today now"),
        description=_(
            "What the hourly run does: for each active plan and asset, the latest open due point gets its work order "
            "unless it has one. Running it again makes nothing more."
        ),
        tags=[TAG],
        request=EMPTY_BODY,
        responses={200: PmGenerationSerializer},
    )
    @action(detail=False, methods=["post"])
    def generate(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        inputs.refuse_body(request)
        result = services.generate_preventive(organization=self.organization, actor=_actor(request))
        return Response(PmGenerationSerializer({"made": result.made, "already": result.already}).data)


# Meters


class MeterSerializer(inputs.ModelSerializer):
    asset_code = serializers.CharField(source="asset.code", read_only=True)
    total = serializers.DecimalField(
        read_only=True, help_text=_("What meter plans fall due on: current value plus carried over."), **READING
    )

    class Meta:
        model = Meter
        fields = [
            "id",
            "asset",
            "asset_code",
            "code",
            "name",
            "unit",
            "current_value",
            "carried_over",
            "total",
            "read_at",
        ]
        read_only_fields = fields


METER_ROWS = RowBuilder(
    MeterSerializer,
    computed={
        "total": Computed(
            ("current_value", "carried_over"),
            lambda row: f"{(row['current_value'] + row['carried_over']).quantize(Decimal('0.01')):f}",
        )
    },
)


class MeterInputSerializer(inputs.Serializer):
    asset = OrganizationRelatedField(queryset=Asset.objects.all())
    code = serializers.SlugField(max_length=40, help_text=_("The same code on every asset of a kind, e.g. lamp-hours."))
    name = serializers.CharField(max_length=120)
    unit = serializers.CharField(max_length=16, default="h")
    initial_value = serializers.DecimalField(
        min_value=Decimal("0"), default=Decimal("0"), help_text=_("Its reading when it is added."), **READING
    )


class MeterUpdateSerializer(inputs.Serializer):
    name = serializers.CharField(max_length=120, required=False)
    unit = serializers.CharField(max_length=16, required=False)


class MeterQuerySerializer(inputs.QuerySerializer):
    asset = serializers.IntegerField(required=False, min_value=1, help_text=_("Only this asset's meters."))


METER_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description=_("The meter's id."))


@extend_schema_view(
    list=extend_schema(
        summary=_("List meters"),
        tags=[TAG],
        parameters=[OpenApiParameter("asset", OpenApiTypes.INT, description=_("Only this asset's meters."))],
    ),
    retrieve=extend_schema(summary=_("Show a meter"), tags=[TAG], parameters=[METER_ID]),
    create=extend_schema(
        summary=_("Put a meter on an asset"),
        tags=[TAG],
        request=MeterInputSerializer,
        responses={201: MeterSerializer},
    ),
    partial_update=extend_schema(
        summary=_("Rename a meter or correct its unit"),
        tags=[TAG],
        parameters=[METER_ID],
        request=MeterUpdateSerializer,
        responses={200: MeterSerializer},
    ),
)
class MeterViewSet(
    OrganizationScopedMixin,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = _("Counters on assets that only go up (operating hours, running hours).")
    serializer_class = MeterSerializer
    row_builder = METER_ROWS
    queryset = Meter.objects.all()
    read_action = MaintenanceAction.VIEW
    write_action = MaintenanceAction.MANAGE
    http_method_names = ["get", "post", "patch", "head", "options"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[Meter]:
        meters = (
            Meter.objects.for_organization(self.organization).select_related("asset").order_by("asset__code", "code")
        )
        if self.action == "list":
            query = MeterQuerySerializer(data=self.request.query_params)
            query.is_valid(raise_exception=True)
            if query.validated_data.get("asset"):
                meters = meters.filter(asset_id=query.validated_data["asset"])
        return meters

    def _respond(self, meter: Meter, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(MeterSerializer(self.get_queryset().get(pk=meter.pk)).data, status=status_code)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = MeterInputSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        meter = meter_services.meter_create(actor=_actor(request), **payload.validated_data)
        return self._respond(meter, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = MeterUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        meter = meter_services.meter_update(actor=_actor(request), meter=self.get_object(), **payload.validated_data)
        return self._respond(meter)


class MeterReadingSerializer(inputs.ModelSerializer):
    class Meta:
        model = MeterReading
        fields = ["id", "meter", "value", "read_at", "read_by", "replaced"]
        read_only_fields = fields


READING_ROWS = RowBuilder(MeterReadingSerializer)


class MeterReadingInputSerializer(inputs.Serializer):
    value = serializers.DecimalField(min_value=Decimal("0"), **READING)
    read_at = serializers.DateTimeField(required=False, allow_null=True, default=None, help_text=_("Now if left out."))
    replaced = serializers.BooleanField(
        default=False,
        help_text=_(
            "The first reading of a replaced or reset meter: it may be lower than the current value, which is "
            "carried over. Otherwise a reading below the current value is refused (meter_went_down)."
        ),
    )


class PmMadeWorkOrderSerializer(inputs.Serializer):
    id = serializers.IntegerField(read_only=True)
    reference = serializers.CharField(read_only=True)
    pm_due_key = serializers.CharField(read_only=True)


class MeterReadingRecordedSerializer(inputs.Serializer):
    reading = MeterReadingSerializer(read_only=True)
    meter = MeterSerializer(read_only=True)
    work_orders = PmMadeWorkOrderSerializer(
        many=True, read_only=True, help_text=_("Preventive work orders this reading brought due.")
    )


@extend_schema_view(
    list=extend_schema(summary=_("List a meter's readings, the latest first"), tags=[TAG]),
    create=extend_schema(
        summary=_("Record a meter reading"),
        description=_(
            "A meter only goes up: a lower reading is refused unless marked as a replaced or reset meter. The "
            "asset's meter plans are checked at once; the work orders made come back in the answer."
        ),
        tags=[TAG],
        request=MeterReadingInputSerializer,
        responses={201: MeterReadingRecordedSerializer},
    ),
)
class MeterReadingViewSet(
    OrganizationScopedMixin,
    RowListMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = _("The readings of one meter.")
    serializer_class = MeterReadingSerializer
    row_builder = READING_ROWS
    queryset = MeterReading.objects.all()
    read_action = MaintenanceAction.VIEW
    write_action = MaintenanceAction.WORK
    http_method_names = ["get", "post", "head", "options"]

    def resolve_scope(self, **url_kwargs: Any) -> None:
        self.meter = get_object_or_404(
            Meter.objects.for_organization(self.organization).select_related("asset"), pk=url_kwargs["meter_id"]
        )

    def get_queryset(self) -> QuerySet[MeterReading]:
        return (
            MeterReading.objects.for_organization(self.organization)
            .filter(meter=self.meter)
            .order_by("-read_at", "-pk")
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = MeterReadingInputSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        recorded = meter_services.meter_reading_record(
            actor=_actor(request), meter=self.meter, **payload.validated_data
        )
        body = {
            "reading": recorded.reading,
            "meter": recorded.meter,
            "work_orders": [
                {"id": order.pk, "reference": order.reference, "pm_due_key": order.pm_due_key}
                for order in recorded.generation.work_orders
            ],
        }
        return Response(MeterReadingRecordedSerializer(body).data, status=status.HTTP_201_CREATED)
