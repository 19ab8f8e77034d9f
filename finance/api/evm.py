"""Earned value over the API: a project's figures, their series, the WBS, the forecast and the portfolio.

Money is a string with two places, an index (SPI, CPI, TCPI) a string with four places, and a
figure whose divisor is zero is null. Every endpoint only reads: the figures come from
``finance.earned_value``, the default status date is today in the organisation's time zone.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar, cast

from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from finance import earned_value
from finance.models import ManualForecast
from finance.permissions import FinanceAction
from finance.services import costs
from pmo.api import inputs
from pmo.api.base import OrganizationScopedMixin
from pmo.api.schema import QueryCheckedSchema
from pmo.api.serializers import UserSummarySerializer
from pmo.models import Organization, User
from projects.api.base import ProjectScopedMixin
from projects.models import Portfolio

TAGS = ["earned value"]
REASONS = {earned_value.NO_BASELINE: gettext_lazy("The project has no current baseline.")}
FORECAST_METHODS = [earned_value.TYPICAL, earned_value.ATYPICAL, earned_value.COMBINED, earned_value.MANUAL]


class ReadSchema(QueryCheckedSchema):
    """These reads check their query, and answer 400 for a project without a baseline too."""

    invalid_query = gettext_lazy("The query is not valid, or the project has no current baseline (`no_baseline`).")


def money(**options: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=None, decimal_places=2, read_only=True, **options)


def index(**options: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=None, decimal_places=4, read_only=True, allow_null=True, **options)


# --- the query ------------------------------------------------------------------------


class AsOfQuerySerializer(inputs.QuerySerializer):
    as_of = serializers.DateField(required=False)


class SeriesQuerySerializer(inputs.QuerySerializer):
    # ``from`` is a keyword in Python: the field is declared as ``start`` and renamed.
    start = serializers.DateField(required=False)
    to = serializers.DateField(required=False)
    interval = serializers.ChoiceField(choices=earned_value.SERIES_INTERVALS, default=earned_value.WEEK)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = fields.pop("start")
        return fields


class PortfolioQuerySerializer(AsOfQuerySerializer):
    portfolio = serializers.IntegerField(required=False, min_value=1)

    def validate_portfolio(self, value: int) -> int:
        if not Portfolio.objects.for_organization(self.context["organization"]).filter(pk=value).exists():
            raise serializers.ValidationError(_("Not found."))
        return value


AS_OF = OpenApiParameter(
    "as_of",
    OpenApiTypes.DATE,
    description=gettext_lazy("The status date (YYYY-MM-DD); today in the organisation's time zone."),
)
SERIES_PARAMETERS = [
    OpenApiParameter(
        "from", OpenApiTypes.DATE, description=gettext_lazy("The first day; the baseline's first start by default.")
    ),
    OpenApiParameter(
        "to", OpenApiTypes.DATE, description=gettext_lazy("The last point; today in the organisation's time zone.")
    ),
    OpenApiParameter(
        "interval",
        OpenApiTypes.STR,
        enum=list(earned_value.SERIES_INTERVALS),
        description=format_lazy(
            gettext_lazy(
                "`week`: every Sunday (weeks run Monday to Sunday); `month`: every month's last day. "
                "The series ends with `to` itself, and has at most {points} points."
            ),
            points=earned_value.MAX_SERIES_POINTS,
        ),
    ),
]


# --- the answers ----------------------------------------------------------------------


class EvmFiguresSerializer(inputs.Serializer):
    # The figures of ``finance.evm.EvmFigures``.
    schema_description = gettext_lazy("Earned-value figures; null where a divisor is zero.")

    bac = money(help_text=gettext_lazy("Budget at completion."))
    pv = money(help_text=gettext_lazy("Planned value: the baseline budget scheduled by the date."))
    ev = money(help_text=gettext_lazy("Earned value: the baseline budget of the work done by the date."))
    ac = money(help_text=gettext_lazy("Actual cost to the date."))
    sv = money(help_text=gettext_lazy("Schedule variance, EV - PV."))
    cv = money(help_text=gettext_lazy("Cost variance, EV - AC."))
    spi = index(help_text=gettext_lazy("Schedule performance index, EV / PV; null when PV is 0."))
    cpi = index(help_text=gettext_lazy("Cost performance index, EV / AC; null when AC is 0."))
    eac = money(allow_null=True, help_text=gettext_lazy("Estimate at completion, typical: BAC / CPI."))
    eac_atypical = money(help_text=gettext_lazy("Estimate at completion, atypical: AC + (BAC - EV)."))
    eac_combined = money(
        allow_null=True, help_text=gettext_lazy("Estimate at completion, combined: AC + (BAC - EV) / (CPI x SPI).")
    )
    etc = money(allow_null=True, help_text=gettext_lazy("Estimate to complete, EAC - AC (typical EAC)."))
    vac = money(allow_null=True, help_text=gettext_lazy("Variance at completion, BAC - EAC (typical EAC)."))
    tcpi = index(help_text=gettext_lazy("To-complete performance index to hit BAC: (BAC - EV) / (BAC - AC)."))


class ProjectEvmSerializer(EvmFiguresSerializer):
    schema_description = gettext_lazy("A project's figures on a date, in its currency.")

    as_of = serializers.DateField(read_only=True)
    currency = serializers.CharField(read_only=True)

    def to_representation(self, instance: earned_value.ProjectEvm) -> dict[str, Any]:
        return {
            "as_of": instance.as_of.isoformat(),
            "currency": instance.currency,
            **EvmFiguresSerializer(instance.figures).data,
        }


class WbsEvmRowSerializer(inputs.Serializer):
    id = serializers.IntegerField(source="element_id")
    parent = serializers.IntegerField(source="parent_id", allow_null=True)  # type: ignore[assignment]
    code = serializers.CharField()
    name = serializers.CharField()
    depth = serializers.IntegerField(help_text=gettext_lazy("0 for a top-level element."))
    is_summary = serializers.BooleanField(
        help_text=gettext_lazy("A summary adds up the elements under it; its ratios come from those sums.")
    )
    figures = EvmFiguresSerializer()


class WbsEvmSerializer(inputs.Serializer):
    as_of = serializers.DateField()
    currency = serializers.CharField()
    elements = WbsEvmRowSerializer(many=True, help_text=gettext_lazy("Every WBS element, in WBS order."))


class ReasonSerializer(inputs.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class PortfolioRowSerializer(inputs.Serializer):
    project = serializers.IntegerField(source="project_id")
    code = serializers.CharField()
    name = serializers.CharField()
    currency = serializers.CharField(help_text=gettext_lazy("The project's currency: its figures are in it."))
    rate = serializers.DecimalField(
        max_digits=None,
        decimal_places=6,
        allow_null=True,
        help_text=gettext_lazy(
            "Units of the organisation's currency per unit of the project's on the date; null when unknown."
        ),
    )
    figures = EvmFiguresSerializer(
        source="evm.figures", allow_null=True, help_text=gettext_lazy("Null when the project has no baseline.")
    )
    reason = serializers.SerializerMethodField()

    @extend_schema_field(ReasonSerializer(allow_null=True))
    def get_reason(self, row: earned_value.PortfolioRow) -> dict[str, str] | None:
        if row.reason is None:
            return None
        return {"code": row.reason, "message": str(REASONS.get(row.reason, row.reason))}


class MissingRateSerializer(inputs.Serializer):
    currency = serializers.CharField()
    projects = serializers.ListField(child=serializers.IntegerField(), source="project_ids")


class PortfolioTotalSerializer(inputs.Serializer):
    currency = serializers.CharField(help_text=gettext_lazy("The organisation's currency."))
    figures = EvmFiguresSerializer()


class PortfolioEvmSerializer(inputs.Serializer):
    as_of = serializers.DateField()
    rows = PortfolioRowSerializer(many=True, help_text=gettext_lazy("Every open project, by code."))
    total = serializers.SerializerMethodField()
    missing_rates = MissingRateSerializer(
        many=True,
        help_text=gettext_lazy("Currencies without a rate on the date; their projects are left out of the total."),
    )

    @extend_schema_field(PortfolioTotalSerializer)
    def get_total(self, result: earned_value.PortfolioEvm) -> dict[str, Any]:
        return PortfolioTotalSerializer({"currency": result.currency, "figures": result.figures}).data


class ForecastLineSerializer(inputs.Serializer):
    method = serializers.ChoiceField(choices=FORECAST_METHODS)
    eac = money(allow_null=True, help_text=gettext_lazy("Estimate at completion; null when undefined."))
    etc = money(allow_null=True, help_text=gettext_lazy("Estimate to complete, EAC - AC."))
    vac = money(allow_null=True, help_text=gettext_lazy("Variance at completion, BAC - EAC."))


class ManualEstimateSerializer(inputs.Serializer):
    estimate_to_complete = money()
    justification = serializers.CharField()
    created_by = UserSummarySerializer()
    created_at = serializers.DateTimeField()


class ProjectForecastSerializer(inputs.Serializer):
    as_of = serializers.DateField()
    currency = serializers.CharField()
    bac = money(source="figures.bac")
    ac = money(source="figures.ac")
    ev = money(source="figures.ev")
    cpi = index(source="figures.cpi")
    spi = index(source="figures.spi")
    methods = ForecastLineSerializer(
        many=True,
        source="lines",
        help_text=gettext_lazy("Typical, atypical and combined, then the manual estimate when there is one."),
    )
    manual = ManualEstimateSerializer(
        allow_null=True,
        help_text=gettext_lazy("The latest manual forecast recorded on or before the date, with who and when."),
    )


# --- the views ------------------------------------------------------------------------


class _EvmView(generics.GenericAPIView):
    read_action: ClassVar[str] = FinanceAction.FINANCE_VIEW
    schema = ReadSchema()
    filter_backends: list[Any] = []
    pagination_class = None
    http_method_names = ["get", "head", "options"]
    organization: Organization

    def _query(self, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
        query = serializer_class(data=self.request.query_params, context=self.get_serializer_context())
        query.is_valid(raise_exception=True)
        return dict(query.validated_data)

    def _today(self) -> dt.date:
        return self.organization.today()


class ProjectEvmView(ProjectScopedMixin, _EvmView):
    schema_description = gettext_lazy("A project's earned value on a date, against its current baseline.")

    serializer_class = ProjectEvmSerializer

    @extend_schema(summary=gettext_lazy("A project's earned value on a date"), tags=TAGS, parameters=[AS_OF])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        as_of = self._query(AsOfQuerySerializer).get("as_of") or self._today()
        return Response(ProjectEvmSerializer(earned_value.project_evm(self.project, as_of)).data)


class ProjectEvmSeriesView(ProjectScopedMixin, _EvmView):
    schema_description = gettext_lazy(
        "A project's earned value at every week's or month's end: the S-curves of PV, EV and AC."
    )

    serializer_class = ProjectEvmSerializer

    @extend_schema(
        summary=gettext_lazy("A project's earned value week by week or month by month"),
        tags=TAGS,
        parameters=SERIES_PARAMETERS,
        responses={200: ProjectEvmSerializer(many=True)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        query = self._query(SeriesQuerySerializer)
        end = query.get("to") or self._today()
        series = earned_value.project_evm_series(self.project, query.get("from"), end, query["interval"])
        return Response(ProjectEvmSerializer(series, many=True).data)


class WbsEvmView(ProjectScopedMixin, _EvmView):
    schema_description = gettext_lazy("Earned value per WBS element; summaries add up the elements under them.")

    serializer_class = WbsEvmSerializer

    @extend_schema(summary=gettext_lazy("Earned value of every WBS element on a date"), tags=TAGS, parameters=[AS_OF])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        as_of = self._query(AsOfQuerySerializer).get("as_of") or self._today()
        rows = earned_value.wbs_evm_rows(self.project, as_of)
        return Response(WbsEvmSerializer({"as_of": as_of, "currency": self.project.currency, "elements": rows}).data)


class ManualForecastInputSerializer(inputs.Serializer):
    estimate_to_complete = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=Decimal("0"))
    justification = serializers.CharField()


class ManualForecastSerializer(inputs.ModelSerializer):
    created_by = UserSummarySerializer(read_only=True)

    class Meta:
        model = ManualForecast
        fields = ["id", "estimate_to_complete", "justification", "created_by", "created_at"]
        read_only_fields = fields


class ProjectForecastView(ProjectScopedMixin, _EvmView):
    schema_description = gettext_lazy(
        "The estimates at completion by each method, beside the project manager's own estimate."
    )

    serializer_class = ProjectForecastSerializer
    write_action = FinanceAction.FORECAST_EDIT
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(
        summary=gettext_lazy("Record the project manager's estimate to complete, with a justification"),
        tags=TAGS,
        request=ManualForecastInputSerializer,
        responses={201: ManualForecastSerializer},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = ManualForecastInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        forecast = costs.manual_forecast_set(
            actor=cast(User, request.user), project=self.project, **payload.validated_data
        )
        return Response(ManualForecastSerializer(forecast).data, status=201)

    @extend_schema(summary=gettext_lazy("A project's forecast at completion on a date"), tags=TAGS, parameters=[AS_OF])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        as_of = self._query(AsOfQuerySerializer).get("as_of") or self._today()
        return Response(ProjectForecastSerializer(earned_value.project_forecast(self.project, as_of)).data)


class PortfolioEvmView(OrganizationScopedMixin, _EvmView):
    schema_description = gettext_lazy(
        "Every open project's earned value on a date, and the total in the organisation's currency."
    )

    serializer_class = PortfolioEvmSerializer

    @extend_schema(
        summary=gettext_lazy("Earned value of the open projects, with the total in the organisation's currency"),
        tags=TAGS,
        parameters=[
            AS_OF,
            OpenApiParameter(
                "portfolio",
                OpenApiTypes.INT,
                description=gettext_lazy("Only this portfolio's projects, its programmes' included."),
            ),
        ],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        query = self._query(PortfolioQuerySerializer)
        as_of = query.get("as_of") or self._today()
        result = earned_value.portfolio_evm(self.organization, as_of, portfolio=query.get("portfolio"))
        return Response(PortfolioEvmSerializer(result).data)
