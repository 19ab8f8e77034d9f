"""API of inspection plans and rounds, under ``/api/v1/orgs/{org_slug}/maintenance/``.

``inspection-plans/`` lists, makes, changes and deletes plans (the maintenance office).
``rounds/`` lists rounds (filters: status — ``open`` for scheduled or in progress —, overdue, mine,
plan) and shows one for a field app: its stops in route order, each with its asset and the criteria
to read there with their rules and the readings taken. ``rounds/{id}/readings/`` judges a batch of
readings at once and answers their verdicts (breaches open or join corrective work orders);
``not-reached/`` marks a stop not reached with a note; ``complete/`` completes the round. A round is
done by the maintenance office, or by the named inspector it is given to (or any named inspector
when it is given to nobody); others get 403, another organisation's round 404.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from maintenance import judging
from maintenance.forms_rounds import RoundFilter
from maintenance.generation import criteria_by_category
from maintenance.models import (
    Area,
    AssetCategory,
    AssetReading,
    Criterion,
    CriterionKind,
    CriterionVersion,
    DayRule,
    EnteredAs,
    Frequency,
    InspectionPlan,
    Round,
    RoundStatus,
    RoundStop,
    Site,
    StopStatus,
    WorkOrder,
)
from maintenance.permissions import MaintenanceAction
from maintenance.services import plans as plan_services
from maintenance.services import rounds as services
from pmo.api import inputs
from pmo.api.base import OrganizationRelatedField, OrganizationScopedMixin
from pmo.api.common import EMPTY_BODY, ID_PATTERN, NamedChoiceField
from pmo.api.common import actor as _actor
from pmo.api.rows import Computed, RowBuilder, RowListMixin
from pmo.api.serializers import UserSummarySerializer
from pmo.errors import ApplicationError
from pmo.models import Membership, User

TAG = "maintenance rounds"
FREQUENCY_ENUM = "InspectionFrequencyEnum"
DAY_RULE_ENUM = "InspectionDayRuleEnum"
ROUND_STATUS_ENUM = "InspectionRoundStatusEnum"
STOP_STATUS_ENUM = "InspectionStopStatusEnum"
ENTERED_AS_ENUM = "ReadingEnteredAsEnum"
CRITERION_KIND_ENUM = "InspectionCriterionKindEnum"
READING: dict[str, Any] = {"max_digits": 14, "decimal_places": 4}
SCOPE = ("sites", "areas", "categories", "criteria")
OPEN = (RoundStatus.SCHEDULED, RoundStatus.IN_PROGRESS)


def _ids(source: str, help_text: Any) -> serializers.ListField:
    return serializers.ListField(child=serializers.IntegerField(), read_only=True, source=source, help_text=help_text)


# --- plans ------------------------------------------------------------------------------


class InspectionPlanSerializer(inputs.ModelSerializer):
    frequency = NamedChoiceField(choices=Frequency.choices, enum_name=FREQUENCY_ENUM, read_only=True)
    day_rule = NamedChoiceField(choices=DayRule.choices, enum_name=DAY_RULE_ENUM, read_only=True)
    inspector = UserSummarySerializer(read_only=True, allow_null=True)
    sites = _ids("sites_ids", _("Sites covered (none: every site)."))
    areas = _ids("areas_ids", _("Areas covered (none: every area of the sites)."))
    categories = _ids("categories_ids", _("Asset categories covered (none: every category)."))
    criteria = _ids("criteria_ids", _("Criteria read (none: every criterion in force of each asset's category)."))

    class Meta:
        model = InspectionPlan
        fields = [
            "id",
            "name",
            "frequency",
            "day_rule",
            "inspector",
            "starts_on",
            "ends_on",
            "is_active",
            "sites",
            "areas",
            "categories",
            "criteria",
            "created_at",
        ]
        read_only_fields = fields


PLAN_ROWS = RowBuilder(InspectionPlanSerializer, computed={name: Computed((), lambda row: []) for name in SCOPE})


def _scope_of(
    plans: list[dict[str, Any]] | list[InspectionPlan], organization_id: int
) -> dict[str, dict[int, list[int]]]:
    """Each plan's sites, areas, categories and criteria ids (one query each)."""
    ids = [plan["id"] if isinstance(plan, dict) else plan.pk for plan in plans]
    found: dict[str, dict[int, list[int]]] = {}
    for name in SCOPE:
        field: Any = InspectionPlan._meta.get_field(name)
        through = field.remote_field.through
        source, target = field.m2m_column_name(), field.m2m_reverse_name()
        by_plan: dict[int, list[int]] = defaultdict(list)
        for plan_id, other in (
            through.objects.filter(**{f"{source}__in": ids}).order_by(target).values_list(source, target)
        ):
            by_plan[plan_id].append(other)
        found[name] = by_plan
    return found


def _plan_body(plan: InspectionPlan) -> dict[str, Any]:
    scope = _scope_of([plan], plan.organization_id)
    for name in SCOPE:
        setattr(plan, f"{name}_ids", scope[name].get(plan.pk, []))
    return dict(InspectionPlanSerializer(plan).data)


class InspectionPlanInputSerializer(inputs.Serializer):
    name = serializers.CharField(max_length=200)
    frequency = NamedChoiceField(choices=Frequency.choices, enum_name=FREQUENCY_ENUM, default=Frequency.WEEKLY)
    day_rule = NamedChoiceField(choices=DayRule.choices, enum_name=DAY_RULE_ENUM, default=DayRule.WORKING_DAYS)
    inspector = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=2**63 - 1,
        help_text=_("The member (user id) who does the rounds; a named inspector or the maintenance office."),
    )
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True, default=None)
    is_active = serializers.BooleanField(required=False, default=True)
    sites = OrganizationRelatedField(queryset=Site.objects.all(), many=True, required=False, default=list)
    areas = OrganizationRelatedField(queryset=Area.objects.all(), many=True, required=False, default=list)
    categories = OrganizationRelatedField(queryset=AssetCategory.objects.all(), many=True, required=False, default=list)
    criteria = OrganizationRelatedField(queryset=Criterion.objects.all(), many=True, required=False, default=list)


class InspectionPlanUpdateSerializer(InspectionPlanInputSerializer):
    schema_description = _("Every field optional: the ones left out keep their values.")

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for field in fields.values():
            field.required = False
            field.default = serializers.empty
        return fields


def _inspector(organization: Any, user_id: int | None) -> User | None:
    if user_id is None:
        return None
    membership = (
        Membership.objects.for_organization(organization).select_related("user").filter(user_id=user_id).first()
    )
    if membership is None:
        message = str(_("Choose a member of the organisation."))
        raise ApplicationError(message, code="does_not_exist", fields={"inspector": [message]})
    return membership.user


@extend_schema_view(
    list=extend_schema(summary=_("List inspection plans"), tags=[TAG]),
    retrieve=extend_schema(summary=_("Show an inspection plan"), tags=[TAG]),
    create=extend_schema(
        summary=_("Make an inspection plan"),
        description=_(
            "Its rounds are made ahead by the hourly run. Refused with `duplicate_name`, `not_an_inspector`, "
            "`area_off_site`, `criterion_off_category` and `criterion_retired`."
        ),
        tags=[TAG],
        request=InspectionPlanInputSerializer,
        responses={201: InspectionPlanSerializer},
    ),
    partial_update=extend_schema(
        summary=_("Change an inspection plan"),
        description=_("The fields left out keep their values; rounds already made keep their stops."),
        tags=[TAG],
        request=InspectionPlanUpdateSerializer,
        responses={200: InspectionPlanSerializer},
    ),
    destroy=extend_schema(
        summary=_("Delete an inspection plan without rounds"),
        description=_("Refused with `plan_has_rounds`: deactivate such a plan instead."),
        tags=[TAG],
    ),
)
class InspectionPlanViewSet(
    OrganizationScopedMixin,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = _("Which assets are inspected how often against which criteria, and by whom.")
    serializer_class = InspectionPlanSerializer
    row_builder = PLAN_ROWS
    queryset = InspectionPlan.objects.all()
    read_action = MaintenanceAction.VIEW
    write_action = MaintenanceAction.MANAGE
    filterset_fields = ["is_active", "frequency"]
    ordering_fields = ["name", "starts_on", "created_at"]
    ordering = ["name"]
    search_fields: list[str] = []
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[InspectionPlan]:
        return InspectionPlan.objects.for_organization(self.organization).select_related("inspector").order_by("name")

    def complete_rows(self, rows: list[dict[str, Any]]) -> None:
        scope = _scope_of(rows, self.organization.pk)
        for row in rows:
            for name in SCOPE:
                row[name] = scope[name].get(row["id"], [])

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(_plan_body(self.get_object()))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = InspectionPlanInputSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        data["inspector"] = _inspector(self.organization, data.get("inspector"))
        plan = plan_services.plan_create(actor=_actor(request), organization=self.organization, **data)
        return Response(_plan_body(plan), status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = self.get_object()
        payload = InspectionPlanUpdateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        if "inspector" in data:
            data["inspector"] = _inspector(self.organization, data["inspector"])
        plan = plan_services.plan_update(actor=_actor(request), plan=plan, **data)
        return Response(_plan_body(plan))

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan_services.plan_delete(actor=_actor(request), plan=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- rounds -----------------------------------------------------------------------------


class RoundSerializer(inputs.ModelSerializer):
    plan_name = serializers.CharField(source="plan.name", read_only=True)
    status = NamedChoiceField(choices=RoundStatus.choices, enum_name=ROUND_STATUS_ENUM, read_only=True)
    inspector = UserSummarySerializer(read_only=True, allow_null=True)
    overdue = serializers.BooleanField(read_only=True, help_text=_("Open and past its due date."))
    stop_count = serializers.IntegerField(read_only=True, help_text=_("Assets to visit."))
    stops_left = serializers.IntegerField(read_only=True, help_text=_("Stops still to do."))

    class Meta:
        model = Round
        fields = [
            "id",
            "plan",
            "plan_name",
            "period_start",
            "period_end",
            "due_date",
            "status",
            "overdue",
            "inspector",
            "stop_count",
            "stops_left",
            "started_at",
            "completed_at",
            "cancel_reason",
            "created_at",
        ]
        read_only_fields = fields


class RoundCriterionSerializer(inputs.Serializer[Any]):
    criterion = serializers.IntegerField(read_only=True)
    version = serializers.IntegerField(read_only=True, help_text=_("The version a reading is judged by now."))
    kind = NamedChoiceField(choices=CriterionKind.choices, enum_name=CRITERION_KIND_ENUM, read_only=True)
    measure = serializers.CharField(read_only=True)
    unit = serializers.CharField(read_only=True)
    second_measure = serializers.CharField(read_only=True)
    second_unit = serializers.CharField(read_only=True)
    rule = serializers.CharField(read_only=True, help_text=_('The rule in words: "Defect when > 20 mm".'))
    priority = serializers.CharField(read_only=True, help_text=_("Priority of the work order a breach opens."))
    guidance = serializers.CharField(read_only=True)


class RoundReadingSerializer(inputs.ModelSerializer):
    entered_as = NamedChoiceField(choices=EnteredAs.choices, enum_name=ENTERED_AS_ENUM, read_only=True)
    verdict = serializers.CharField(read_only=True, help_text=_('"23 mm > 20 mm: defect"; empty when not applicable.'))
    work_order = serializers.IntegerField(
        read_only=True, allow_null=True, help_text=_("The corrective work order its breach opened or joined.")
    )
    work_order_reference = serializers.CharField(read_only=True, allow_null=True)

    class Meta:
        model = AssetReading
        fields = [
            "id",
            "stop",
            "asset",
            "criterion",
            "criterion_version",
            "not_applicable",
            "entered_as",
            "entered_value",
            "value",
            "second_value",
            "passed",
            "verdict",
            "notes",
            "defect",
            "work_order",
            "work_order_reference",
            "taken_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "value": {
                "help_text": _("What was judged: for an area on a percentage criterion, its share of the surface.")
            },
            "passed": {"help_text": _("True within the standard, false a defect, null not applicable.")},
        }


class RoundStopSerializer(inputs.ModelSerializer):
    status = NamedChoiceField(choices=StopStatus.choices, enum_name=STOP_STATUS_ENUM, read_only=True)
    asset_code = serializers.CharField(source="asset.code", read_only=True)
    asset_name = serializers.CharField(source="asset.name", read_only=True)
    site_name = serializers.CharField(source="asset.site.name", read_only=True)
    area_name = serializers.CharField(source="asset.area.name", read_only=True, allow_null=True, default=None)
    location_text = serializers.CharField(source="asset.location_text", read_only=True)
    surface = serializers.DecimalField(
        read_only=True,
        allow_null=True,
        max_digits=12,
        decimal_places=2,
        help_text=_("m² an area reading is judged against."),
    )
    criteria = RoundCriterionSerializer(many=True, read_only=True)
    readings = RoundReadingSerializer(many=True, read_only=True, source="taken")

    class Meta:
        model = RoundStop
        fields = [
            "id",
            "position",
            "asset",
            "asset_code",
            "asset_name",
            "site_name",
            "area_name",
            "location_text",
            "surface",
            "status",
            "notes",
            "visited_at",
            "criteria",
            "readings",
        ]
        read_only_fields = fields


class RoundDetailSerializer(RoundSerializer):
    stops = RoundStopSerializer(many=True, read_only=True, source="stop_rows")

    class Meta(RoundSerializer.Meta):
        fields = [*RoundSerializer.Meta.fields, "stops"]
        read_only_fields = fields


ROUND_ROWS = RowBuilder(
    RoundSerializer,
    computed={
        "overdue": Computed(("status", "due_date"), lambda row: False),  # set in complete_rows (needs today)
    },
)


class RoundReadingInputSerializer(inputs.Serializer):
    stop = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=2**63 - 1,
        help_text=_("The stop's id; or give the asset."),
    )
    asset = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=2**63 - 1,
        help_text=_("The asset's id, when no stop is given."),
    )
    criterion = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    value = serializers.DecimalField(required=False, allow_null=True, default=None, **READING)
    second_value = serializers.DecimalField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("The second reading of a compound criterion."),
        **READING,
    )
    entered_as = NamedChoiceField(
        choices=EnteredAs.choices,
        enum_name=ENTERED_AS_ENUM,
        required=False,
        default=EnteredAs.VALUE,
        help_text=_("For a percentage criterion: an area in m² (judged against the asset's surface) or a percentage."),
    )
    not_applicable = serializers.BooleanField(required=False, default=False)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=services.NOTE_LENGTH)


class RoundReadingBatchSerializer(inputs.Serializer):
    readings = RoundReadingInputSerializer(many=True, min_length=1, max_length=services.MAX_BATCH)  # type: ignore[call-arg]


class RoundVerdictSerializer(inputs.Serializer[Any]):
    reading = RoundReadingSerializer(read_only=True)
    rule = serializers.CharField(read_only=True)
    passed = serializers.BooleanField(read_only=True, allow_null=True)
    verdict = serializers.CharField(read_only=True)
    work_order = serializers.IntegerField(read_only=True, allow_null=True)
    work_order_reference = serializers.CharField(read_only=True, allow_null=True)


class RoundVerdictsSerializer(inputs.Serializer[Any]):
    verdicts = RoundVerdictSerializer(many=True, read_only=True)


class RoundNotReachedSerializer(inputs.Serializer):
    stop = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    note = serializers.CharField(max_length=services.NOTE_LENGTH, help_text=_("Why the stop was not reached."))


class RoundCancelSerializer(inputs.Serializer):
    reason = serializers.CharField(
        max_length=services.NOTE_LENGTH,
        allow_blank=True,
        help_text=_("Why the round is called off (the park closed for works, a typhoon warning)."),
    )


@extend_schema_view(
    list=extend_schema(summary=_("List inspection rounds, by due date"), tags=[TAG]),
    retrieve=extend_schema(
        summary=_("Show a round with its stops, the criteria to read at each and the readings taken"),
        tags=[TAG],
        responses={200: RoundDetailSerializer},
    ),
)
class RoundViewSet(
    OrganizationScopedMixin,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = _("Inspection rounds: one per plan and period, stop by stop in route order.")
    serializer_class = RoundSerializer
    row_builder = ROUND_ROWS
    queryset = Round.objects.all()
    read_action = MaintenanceAction.VIEW
    write_action = MaintenanceAction.INSPECT_NAMED
    filterset_class = RoundFilter

    @classmethod
    def unowned_action(cls, method: str, viewset_action: str | None = None) -> str | None:
        """For a member who is not the round's named inspector: doing it needs the maintenance office's action."""
        if method.lower() in ("post", "put", "patch", "delete"):
            return MaintenanceAction.INSPECT
        return cls.required_action(method, viewset_action)

    ordering_fields = ["due_date", "period_start", "status"]
    ordering = ["due_date"]
    search_fields: list[str] = []
    http_method_names = ["get", "post", "head", "options"]
    lookup_value_regex = ID_PATTERN

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        request.organization_today = self.organization.today()  # type: ignore[attr-defined]

    def get_queryset(self) -> QuerySet[Round]:
        return (
            Round.objects.for_organization(self.organization)
            .select_related("plan", "inspector")
            .annotate(
                stop_count=Count("stops", distinct=True),
                stops_left=Count("stops", filter=Q(stops__status=StopStatus.PENDING), distinct=True),
            )
            .order_by("due_date", "pk")
        )

    def complete_rows(self, rows: list[dict[str, Any]]) -> None:
        today = self.organization.today()
        for row in rows:
            row["overdue"] = row["status"] in OPEN and row["due_date"] < today.isoformat()

    def get_object(self) -> Round:
        found: Round = super().get_object()
        found.organization = self.organization
        return found

    def _checked(self) -> Round:
        found = self.get_object()
        if not services.may_do_round(self.membership, found):
            raise exceptions.PermissionDenied(_("This round is given to someone else."))
        return found

    def detail_body(self, found: Round) -> dict[str, Any]:
        found = self.get_queryset().get(pk=found.pk)
        found.overdue = found.is_overdue(self.organization.today())  # type: ignore[attr-defined]
        stops = list(
            RoundStop.objects.for_organization(self.organization)
            .filter(round=found)
            .select_related("asset", "asset__site", "asset__area")
            .order_by("position", "pk")
        )
        by_category = criteria_by_category(found.plan, {stop.asset.category_id for stop in stops})
        wanted = {pk for ids in by_category.values() for pk in ids}
        versions = {
            version.criterion_id: version
            for version in CriterionVersion.objects.for_organization(self.organization).filter(
                criterion_id__in=wanted, is_current=True
            )
        }
        to_read = {
            pk: {
                "criterion": pk,
                "version": version.pk,
                "kind": version.kind,
                "measure": version.measure,
                "unit": version.unit,
                "second_measure": version.second_measure,
                "second_unit": version.second_unit,
                "rule": judging.rule_text(version),
                "priority": version.priority,
                "guidance": version.notes,
            }
            for pk, version in versions.items()
        }
        readings = list(
            AssetReading.objects.for_organization(self.organization)
            .filter(round=found)
            .select_related("criterion_version")
            .order_by("stop_id", "criterion_id")
        )
        orders = _orders_of(self.organization, readings)
        taken: dict[int, list[AssetReading]] = defaultdict(list)
        surfaces = {stop.pk: stop.asset.judged_surface() for stop in stops}
        for reading in readings:
            _describe(reading, orders, surfaces.get(reading.stop_id or 0))
            taken[reading.stop_id or 0].append(reading)
        for stop in stops:
            stop.surface = surfaces[stop.pk]
            stop.criteria = [to_read[pk] for pk in by_category.get(stop.asset.category_id, []) if pk in to_read]
            stop.taken = taken.get(stop.pk, [])
        found.stop_rows = stops  # type: ignore[attr-defined]
        return dict(RoundDetailSerializer(found).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self.detail_body(self.get_object()))

    @extend_schema(
        summary=_("Take a batch of readings on the round, judged at once"),
        description=_(
            "At most 200 readings, all stored or none: each at a stop (or the round's stop of an asset), of a "
            "criterion the plan reads there; a value (and the second value of a compound criterion), an area "
            "or a percentage for a percentage criterion, or not applicable. Each is judged against the "
            "criterion's version in force; a breach opens a defect and a corrective work order, or joins the "
            "unclosed one of the same asset and criterion. A reading taken again replaces the earlier one unless "
            "that found a defect (`reading_recorded`). Refused with `reading_invalid`, `round_closed`, "
            "`not_found` (a stop or criterion not on the round) and `too_many_readings`."
        ),
        tags=[TAG],
        request=RoundReadingBatchSerializer,
        responses={200: RoundVerdictsSerializer},
    )
    @action(detail=True, methods=["post"])
    def readings(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        found = self._checked()
        payload = RoundReadingBatchSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        inputs_ = [
            services.ReadingInput(
                criterion_id=item["criterion"],
                stop_id=item["stop"],
                asset_id=item["asset"],
                value=item["value"],
                second_value=item["second_value"],
                entered_as=item["entered_as"],
                not_applicable=item["not_applicable"],
                notes=item["notes"],
            )
            for item in payload.validated_data["readings"]
        ]
        for index, item in enumerate(inputs_):
            if item.stop_id is None and item.asset_id is None:
                message = str(_("Give the stop or the asset."))
                raise ApplicationError(message, code="invalid", fields={f"readings[{index}].stop": [message]})
        results = services.round_submit_readings(actor=_actor(request), round=found, readings=inputs_)
        verdicts = []
        for result in results:
            reading = result.reading
            reading.verdict = result.verdict.text if result.verdict else ""  # type: ignore[attr-defined]
            reading.work_order = result.work_order.pk if result.work_order else None  # type: ignore[attr-defined]
            reading.work_order_reference = (  # type: ignore[attr-defined]
                result.work_order.reference if result.work_order else None
            )
            verdicts.append(
                {
                    "reading": reading,
                    "rule": result.rule,
                    "passed": reading.passed,
                    "verdict": reading.verdict,  # type: ignore[attr-defined]
                    "work_order": reading.work_order,  # type: ignore[attr-defined]
                    "work_order_reference": reading.work_order_reference,  # type: ignore[attr-defined]
                }
            )
        return Response(RoundVerdictsSerializer({"verdicts": verdicts}).data)

    @extend_schema(
        summary=_("Mark a stop not reached, with a note saying why"),
        description=_("Refused with `note_required`, `stop_done` and `round_closed`."),
        tags=[TAG],
        request=RoundNotReachedSerializer,
        responses={200: RoundDetailSerializer},
    )
    @action(detail=True, methods=["post"], url_path="not-reached")
    def not_reached(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        found = self._checked()
        payload = RoundNotReachedSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        stop = (
            RoundStop.objects.for_organization(self.organization)
            .filter(round=found, pk=payload.validated_data["stop"])
            .select_related("round")
            .first()
        )
        if stop is None:
            raise Http404
        services.round_stop_skip(actor=_actor(request), stop=stop, note=payload.validated_data["note"])
        return Response(self.detail_body(found))

    @extend_schema(
        summary=_("Complete the round"),
        description=_(
            "Refused with `stops_pending` while a stop is to do (read it, or mark it not reached), and `round_closed`."
        ),
        tags=[TAG],
        request=EMPTY_BODY,
        responses={200: RoundSerializer},
    )
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        inputs.refuse_body(request)
        found = services.round_complete(actor=_actor(request), round=self._checked())
        fresh = self.get_queryset().get(pk=found.pk)
        fresh.overdue = False  # type: ignore[attr-defined]
        return Response(RoundSerializer(fresh).data)

    @extend_schema(
        summary=_("Cancel the round, with a reason"),
        description=_(
            "The maintenance office calls an open round off: it is no longer overdue and leaves the inspection "
            "completion figure; its readings, defects and work orders stay. Refused with `reason_required`, "
            "`round_closed`, and 403 for anyone but the maintenance office."
        ),
        tags=[TAG],
        request=RoundCancelSerializer,
        responses={200: RoundSerializer},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        found = self.get_object()
        if not services.may_cancel_round(self.membership):
            raise exceptions.PermissionDenied(_("Only the maintenance office cancels a round."))
        payload = RoundCancelSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        done = services.round_cancel(actor=_actor(request), round=found, reason=payload.validated_data["reason"])
        fresh = self.get_queryset().get(pk=done.pk)
        fresh.overdue = False  # type: ignore[attr-defined]
        return Response(RoundSerializer(fresh).data)


def _orders_of(organization: Any, readings: list[AssetReading]) -> dict[int, WorkOrder]:
    defects = {reading.defect_id for reading in readings if reading.defect_id}
    if not defects:
        return {}
    return {
        order.defect_id: order
        for order in WorkOrder.objects.for_organization(organization).filter(defect_id__in=defects).order_by("pk")
    }


def _describe(reading: AssetReading, orders: dict[int, WorkOrder], surface: Any) -> None:
    version = reading.criterion_version
    if reading.not_applicable or reading.entered_value is None:
        reading.verdict = ""  # type: ignore[attr-defined]
    else:
        try:
            reading.verdict = judging.judge(  # type: ignore[attr-defined]
                version,
                value=reading.entered_value,
                second_value=reading.second_value,
                entered_as=reading.entered_as,
                surface=surface,
            ).text
        except ApplicationError:
            reading.verdict = ""  # type: ignore[attr-defined]
    order = orders.get(reading.defect_id) if reading.defect_id else None
    reading.work_order = order.pk if order else None  # type: ignore[attr-defined]
    reading.work_order_reference = order.reference if order else None  # type: ignore[attr-defined]
