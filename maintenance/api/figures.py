"""The O&M figures over the API (``…/maintenance-figures/``), from ``maintenance.selectors``, with the
O&M home's filters: ``site``, ``category``, ``contractor``, ``origin_project`` (ids) and the window
``since``/``until`` (dates; by default the 90 days to today).

What each figure counts is the selectors' module docstring; a percentage or a mean is a string with
one place, null when nothing is counted. ``by`` adds the per-site, per-contractor, per-category or
per-project table. A fixed number of queries whatever the data: four, three more with ``by``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from maintenance.models import Priority
from maintenance.permissions import MaintenanceAction
from maintenance.selectors import (
    AGE_KEYS,
    BREAKDOWNS,
    BreakdownRow,
    MaintenanceFigures,
    Scope,
    breakdown,
    label_breakdown,
    maintenance_figures,
)
from maintenance.visibility import sees_only_firm
from pmo.api import inputs
from pmo.api.base import OrganizationScopedMixin
from pmo.api.schema import QueryCheckedSchema
from pmo.tenancy import BIGINT_LIMIT


def _ratio(help_text: Any) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=12, decimal_places=1, allow_null=True, coerce_to_string=True, help_text=help_text
    )


def _money(help_text: Any, null: bool = False) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=18, decimal_places=2, allow_null=null, coerce_to_string=True, help_text=help_text
    )


def _id(help_text: Any) -> serializers.IntegerField:
    return serializers.IntegerField(required=False, min_value=1, max_value=BIGINT_LIMIT - 1, help_text=help_text)


class FiguresQuerySerializer(inputs.QuerySerializer):
    site = _id(_("Only this site."))
    category = _id(_("Only assets of this category."))
    contractor = _id(_("Work orders assigned to this contractor; assets and defects it built."))
    origin_project = _id(_("Only what this project delivered."))
    since = serializers.DateField(required=False)
    until = serializers.DateField(required=False)
    by = serializers.ChoiceField(choices=sorted(BREAKDOWNS), required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        since, until = attrs.get("since"), attrs.get("until")
        if since and until and since > until:
            raise serializers.ValidationError({"until": [_("The end of the window comes before its start.")]})
        return attrs

    def scope(self) -> Scope:
        data = self.validated_data
        return Scope(
            site=data.get("site"),
            category=data.get("category"),
            contractor=data.get("contractor"),
            origin_project=data.get("origin_project"),
            since=data.get("since"),
            until=data.get("until"),
        )


class OmSlaSerializer(inputs.Serializer):
    measurable = serializers.IntegerField(
        help_text=_("Work orders opened in the window, not cancelled, responded (resolved) or past the deadline.")
    )
    met = serializers.IntegerField(help_text=_("Of those, responded (resolved) by the deadline."))
    compliance = _ratio(_("met / measurable in per cent; null when nothing is measurable."))


class OmCountByPrioritySerializer(inputs.Serializer):
    P1 = serializers.IntegerField()
    P2 = serializers.IntegerField()
    P3 = serializers.IntegerField()
    P4 = serializers.IntegerField()


class OmCountByAgeSerializer(inputs.Serializer):
    under_1_day = serializers.IntegerField(help_text=_("Opened less than a day ago."))
    days_1_to_7 = serializers.IntegerField(help_text=_("1 to 7 days."))
    days_7_to_30 = serializers.IntegerField(help_text=_("7 to 30 days."))
    days_30_or_more = serializers.IntegerField(help_text=_("30 days or more."))


#: The selectors' age buckets by their names in the API.
AGE_NAMES = {"lt1": "under_1_day", "1to7": "days_1_to_7", "7to30": "days_7_to_30", "gt30": "days_30_or_more"}


class OmWorkOrderFiguresSerializer(inputs.Serializer):
    opened = serializers.IntegerField(help_text=_("Opened in the window, not cancelled."))
    open = serializers.IntegerField(help_text=_("Open now (open, assigned, in progress, on hold)."))
    open_by_priority = OmCountByPrioritySerializer()
    open_by_age = OmCountByAgeSerializer(help_text=_("Open now, by time since opening."))
    overdue = serializers.IntegerField(help_text=_("Open and past the resolution deadline (the list's overdue=true)."))
    breached = serializers.IntegerField(
        help_text=_("Open and past a response or resolution deadline (the list's status=any_open&breached=true).")
    )
    completed = serializers.IntegerField(help_text=_("Completed in the window."))
    mean_hours_to_repair = _ratio(_("Mean hours from opening to completion of those; null when none."))


class OmInspectionFiguresSerializer(inputs.Serializer):
    rounds_counted = serializers.IntegerField(
        help_text=_("Rounds due in the window, not cancelled, due before today or completed.")
    )
    rounds_on_time = serializers.IntegerField(help_text=_("Of those, completed by their due day."))
    completion = _ratio(_("rounds_on_time / rounds_counted in per cent."))
    rounds_overdue = serializers.IntegerField(help_text=_("Open now and past their due day."))


class OmCriterionDefectsSerializer(inputs.Serializer):
    criterion = serializers.IntegerField()
    code = serializers.CharField()
    measure = serializers.CharField()
    found = serializers.IntegerField()
    open = serializers.IntegerField()
    warranty_claims = serializers.IntegerField()


class OmCategoryDefectsSerializer(inputs.Serializer):
    category = serializers.IntegerField()
    name = serializers.CharField()
    found = serializers.IntegerField()
    open = serializers.IntegerField()
    warranty_claims = serializers.IntegerField()
    criteria = OmCriterionDefectsSerializer(many=True)


class OmDefectFiguresSerializer(inputs.Serializer):
    found = serializers.IntegerField(help_text=_("Found in the window."))
    open = serializers.IntegerField(help_text=_("Of those, still open."))
    warranty_claims = serializers.IntegerField(help_text=_("Of those, found within the asset's warranty."))
    by_category = OmCategoryDefectsSerializer(many=True)


class OmCostFiguresSerializer(inputs.Serializer):
    total = _money(_("Cost of the work orders completed in the window."))
    per_asset = _money(_("total / assets in service; null without an asset."), null=True)
    per_m2 = _money(_("Cost on assets of known surface / their surface; null when no surface is known."), null=True)
    assets = serializers.IntegerField(help_text=_("Assets in service."))
    assets_with_surface = serializers.IntegerField()
    surface_m2 = _money(_("Surface of the assets in service whose surface is known."))


class OmBreakdownRowSerializer(inputs.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text=_("The site's (…) id; null for work without one."))
    name = serializers.CharField()
    assets = serializers.IntegerField()
    open = serializers.IntegerField()
    overdue = serializers.IntegerField()
    response_compliance = _ratio(_("Per cent, as the totals'."))
    resolution_compliance = _ratio(_("Per cent, as the totals'."))
    cost = _money(_("Cost of the work orders completed in the window."))
    defects = serializers.IntegerField()
    warranty_claims = serializers.IntegerField()


class OmScopeSerializer(inputs.Serializer):
    site = serializers.IntegerField(allow_null=True)
    category = serializers.IntegerField(allow_null=True)
    contractor = serializers.IntegerField(allow_null=True)
    origin_project = serializers.IntegerField(allow_null=True)
    since = serializers.DateField()
    until = serializers.DateField()


class MaintenanceFiguresSerializer(inputs.Serializer):
    scope = OmScopeSerializer(help_text=_("The filters and the window the figures were read for."))
    as_of = serializers.DateTimeField(help_text=_("The moment the open and overdue counts are read at."))
    response = OmSlaSerializer()
    resolution = OmSlaSerializer()
    work_orders = OmWorkOrderFiguresSerializer()
    inspections = OmInspectionFiguresSerializer()
    defects = OmDefectFiguresSerializer()
    cost = OmCostFiguresSerializer()
    breakdown = OmBreakdownRowSerializer(many=True, required=False, help_text=_("With ``by`` only."))


def _row(row: BreakdownRow) -> dict[str, Any]:
    return {
        "id": row.key,
        "name": row.label,
        "assets": row.assets,
        "open": row.open,
        "overdue": row.overdue,
        "response_compliance": row.response_compliance,
        "resolution_compliance": row.resolution_compliance,
        "cost": row.cost,
        "defects": row.defects,
        "warranty_claims": row.warranty_claims,
    }


def figures_document(figures: MaintenanceFigures) -> dict[str, Any]:
    scope = figures.scope
    return {
        "scope": {
            "site": scope.site,
            "category": scope.category,
            "contractor": scope.contractor,
            "origin_project": scope.origin_project,
            "since": scope.since,
            "until": scope.until,
        },
        "as_of": figures.now,
        "response": {
            "measurable": figures.response_measurable,
            "met": figures.response_met,
            "compliance": figures.response_compliance,
        },
        "resolution": {
            "measurable": figures.resolution_measurable,
            "met": figures.resolution_met,
            "compliance": figures.resolution_compliance,
        },
        "work_orders": {
            "opened": figures.opened,
            "open": figures.open_work_orders,
            "open_by_priority": {priority: figures.open_by_priority.get(priority, 0) for priority in Priority.values},
            "open_by_age": {AGE_NAMES[key]: figures.open_by_age.get(key, 0) for key in AGE_KEYS},
            "overdue": figures.overdue,
            "breached": figures.breached,
            "completed": figures.completed,
            "mean_hours_to_repair": figures.mean_hours_to_repair,
        },
        "inspections": {
            "rounds_counted": figures.rounds_counted,
            "rounds_on_time": figures.rounds_on_time,
            "completion": figures.inspection_completion,
            "rounds_overdue": figures.rounds_overdue,
        },
        "defects": {
            "found": figures.defects,
            "open": figures.defects_open,
            "warranty_claims": figures.warranty_claims,
            "by_category": [
                {
                    "category": item.category_id,
                    "name": item.name,
                    "found": item.found,
                    "open": item.open,
                    "warranty_claims": item.warranty_claims,
                    "criteria": [
                        {
                            "criterion": row.criterion_id,
                            "code": row.criterion,
                            "measure": row.measure,
                            "found": row.found,
                            "open": row.open,
                            "warranty_claims": row.warranty_claims,
                        }
                        for row in item.criteria
                    ],
                }
                for item in figures.by_category
            ],
        },
        "cost": {
            "total": figures.cost,
            "per_asset": figures.cost_per_asset,
            "per_m2": figures.cost_per_m2,
            "assets": figures.assets,
            "assets_with_surface": figures.assets_with_surface,
            "surface_m2": figures.surface,
        },
    }


def _parameter(name: str, kind: Any, description: Any, **extra: Any) -> OpenApiParameter:
    return OpenApiParameter(name, kind, description=description, **extra)


PARAMETERS = [
    _parameter("site", OpenApiTypes.INT, _("Only this site: its work orders, assets, rounds and defects.")),
    _parameter("category", OpenApiTypes.INT, _("Only assets of this category and their work.")),
    _parameter(
        "contractor",
        OpenApiTypes.INT,
        _("Work orders assigned to this contractor (SLA, cost); assets, defects and warranty claims it built."),
    ),
    _parameter("origin_project", OpenApiTypes.INT, _("Only the assets this project delivered and their work.")),
    _parameter("since", OpenApiTypes.DATE, _("First day of the window; 89 days before its end when absent.")),
    _parameter("until", OpenApiTypes.DATE, _("Last day of the window; today when absent.")),
    _parameter(
        "by",
        OpenApiTypes.STR,
        _("Add the figures of each site, contractor, category or origin project."),
        enum=sorted(BREAKDOWNS),
    ),
]


class MaintenanceFiguresView(OrganizationScopedMixin, generics.GenericAPIView):
    """The organisation's O&M figures."""

    schema = QueryCheckedSchema()

    read_action = MaintenanceAction.VIEW
    serializer_class = MaintenanceFiguresSerializer
    filter_backends: list[Any] = []
    pagination_class = None
    http_method_names = ["get", "head", "options"]

    @extend_schema(
        summary=_("The O&M figures"),
        description=_(
            "SLA compliance for response and resolution, open work orders by priority and age, mean time to "
            "repair, inspection completion, defects per category and criterion, and O&M cost per asset and per "
            "m², as the O&M home shows them, filtered the same way. A contractor's login reads its firm's only."
        ),
        tags=["maintenance"],
        parameters=PARAMETERS,
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        query = FiguresQuerySerializer(data=request.query_params, context={"organization": self.organization})
        query.is_valid(raise_exception=True)
        scope = query.scope()
        firms = sees_only_firm(self.membership)
        if firms:
            scope = Scope(**{**scope.__dict__, "contractor": firms[0]})
        figures = maintenance_figures(self.organization, scope)
        document = figures_document(figures)
        by = query.validated_data.get("by")
        if by:
            rows = label_breakdown(
                self.organization, by, breakdown(self.organization, by, figures.scope, now=figures.now)
            )
            document["breakdown"] = [_row(row) for row in rows]
        return Response(MaintenanceFiguresSerializer(document).data)
