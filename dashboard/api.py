"""The portfolio dashboard over the API: the figures of ``/o/{org_slug}/``, from the same selector.

Money is a string with two places, an index a string with four, and a figure whose divisor is
zero is null (as in the earned-value API). Everyone in the organisation may read it.
"""

from __future__ import annotations

from typing import Any

from django.http.response import HttpResponseBase
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import generics, renderers, serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from dashboard import portfolio as dashboard
from dashboard.project_summary import prints_in_a_job, project_summary_pdf, summary_job_start
from finance.api.evm import EvmFiguresSerializer, ReadSchema, money
from pmo.api import inputs
from pmo.api.base import OrganizationScopedMixin
from pmo.api.jobs import job_responses
from pmo.jobs.responses import job_api_response
from pmo.pdf import PDF, PdfRenderer, pdf_response
from projects.api.base import ProjectScopedMixin
from projects.models import OPEN_PHASES, Rag
from projects.permissions import ProjectAction
from quality.api.figures import QualityFiguresSerializer, figures_document

# The computed RAG adds ``unknown`` to the colours: a string in the schema, which keeps one enum
# of colours (``RagEnum``, the status report's).
COMPUTED_RAG_HELP = gettext_lazy("green, amber or red; unknown without a current baseline.")
REASONS = ["safety_veto", "spi", "cpi", "red_alerts", "amber_alerts", "milestone", "no_baseline"]


# The project health rows come a page at a time; every total covers all the projects the filters keep.
PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
# The milestones listed, the most urgent first; the counts cover them all.
MILESTONE_ITEMS = 100


class DashboardQuerySerializer(inputs.QuerySerializer):
    as_of = serializers.DateField(required=False)
    portfolio = serializers.IntegerField(required=False, min_value=1)
    manager = serializers.IntegerField(required=False, min_value=1)
    phase = serializers.ChoiceField(choices=[phase.value for phase in OPEN_PHASES], required=False)
    rag = serializers.ChoiceField(choices=list(dashboard.RAG_VALUES), required=False)
    page = serializers.IntegerField(required=False, min_value=1, default=1)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE, default=PAGE_SIZE)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        choices: dashboard.FilterChoices = self.context["choices"]
        errors = {}
        if "portfolio" in attrs and attrs["portfolio"] not in {pk for pk, _name, _is in choices.portfolios}:
            errors["portfolio"] = [_("No such portfolio or programme.")]
        if "manager" in attrs and attrs["manager"] not in {pk for pk, _name in choices.managers}:
            errors["manager"] = [_("No project of the organisation has this manager.")]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


PARAMETERS = [
    OpenApiParameter(
        "as_of",
        OpenApiTypes.DATE,
        description=gettext_lazy("The status date (YYYY-MM-DD); today in the organisation's time zone."),
    ),
    OpenApiParameter(
        "portfolio", OpenApiTypes.INT, description=gettext_lazy("Only this portfolio's projects, its programmes' too.")
    ),
    OpenApiParameter("manager", OpenApiTypes.INT, description=gettext_lazy("Only the projects this user manages.")),
    OpenApiParameter(
        "phase",
        OpenApiTypes.STR,
        enum=[phase.value for phase in OPEN_PHASES],
        description=gettext_lazy("Only this phase."),
    ),
    OpenApiParameter(
        "rag",
        OpenApiTypes.STR,
        enum=list(dashboard.RAG_VALUES),
        description=gettext_lazy(
            "Only the rows of projects with this computed RAG (the totals still cover every project)."
        ),
    ),
    OpenApiParameter("page", OpenApiTypes.INT, description=gettext_lazy("The page of project rows, from 1.")),
    OpenApiParameter(
        "page_size",
        OpenApiTypes.INT,
        description=format_lazy(
            gettext_lazy("Project rows per page, {default} unless given, {most} at most."),
            default=PAGE_SIZE,
            most=MAX_PAGE_SIZE,
        ),
    ),
]


# --- the answer -----------------------------------------------------------------------


class RagReasonSerializer(inputs.Serializer):
    code = serializers.ChoiceField(choices=REASONS)
    rag = serializers.CharField(help_text=gettext_lazy("red or amber; unknown for no_baseline."))
    value = serializers.CharField(help_text=gettext_lazy("The index, the number of alerts, or the days late."))


class ComputedRagSerializer(inputs.Serializer):
    rag = serializers.CharField(help_text=COMPUTED_RAG_HELP)
    reasons = RagReasonSerializer(many=True, help_text=gettext_lazy("What makes the project red or amber."))


class ReportedRagSerializer(inputs.Serializer):
    report = serializers.IntegerField(source="report_id")
    period_end = serializers.DateField()
    status = serializers.CharField()
    rag = serializers.ChoiceField(choices=Rag.choices)
    justification = serializers.CharField(
        help_text=gettext_lazy("Why the manager's rating differs from the computed one; empty when it does not.")
    )


class AlertCountsSerializer(inputs.Serializer):
    red = serializers.IntegerField()
    amber = serializers.IntegerField()


class ProjectHealthSerializer(inputs.Serializer):
    project = serializers.IntegerField(source="project_id")
    code = serializers.CharField()
    name = serializers.CharField()
    phase = serializers.CharField()
    portfolio = serializers.IntegerField(source="portfolio_id", allow_null=True)
    manager = serializers.IntegerField(source="manager_id", allow_null=True)
    manager_name = serializers.CharField()
    currency = serializers.CharField(help_text=gettext_lazy("The project's currency: its amounts are in it."))
    figures = EvmFiguresSerializer(
        source="evm.figures", allow_null=True, help_text=gettext_lazy("Null when the project has no baseline.")
    )
    spi_band = serializers.ChoiceField(choices=Rag.choices, allow_null=True)
    cpi_band = serializers.ChoiceField(choices=Rag.choices, allow_null=True)
    computed_rag = ComputedRagSerializer(source="computed")
    reported_rag = ReportedRagSerializer(
        source="reported",
        allow_null=True,
        help_text=gettext_lazy("The latest submitted or reviewed status report's overall rating."),
    )
    overridden = serializers.BooleanField(help_text=gettext_lazy("The reported rating differs from the computed one."))
    alerts = serializers.SerializerMethodField()
    milestone_late_days = serializers.IntegerField(
        help_text=gettext_lazy("The largest delay of an unfinished milestone against its baseline date, in days.")
    )
    approved_budget = money(allow_null=True, help_text=gettext_lazy("The current approved budget's lines."))
    actual_cost = money(help_text=gettext_lazy("Actual costs dated up to the status date."))
    forecast = money(
        allow_null=True, help_text=gettext_lazy("Typical EAC (BAC / CPI), or AC + (BAC - EV) while CPI is undefined.")
    )
    rate = serializers.DecimalField(max_digits=None, decimal_places=6, allow_null=True)
    risk_exposure = money(help_text=gettext_lazy("The EMV of the project's open threats minus its open opportunities."))
    contingency = money(
        allow_null=True,
        help_text=gettext_lazy("The contingency reserve of the current approved budget; null without one."),
    )

    @extend_schema_field(AlertCountsSerializer)
    def get_alerts(self, row: dashboard.ProjectHealth) -> dict[str, int]:
        return {"red": row.red_alerts, "amber": row.amber_alerts}


class PhaseCountSerializer(inputs.Serializer):
    phase = serializers.CharField()
    count = serializers.IntegerField()


class RagCountsSerializer(inputs.Serializer):
    computed = serializers.DictField(
        child=serializers.IntegerField(), help_text=gettext_lazy("Open projects by computed RAG.")
    )
    reported = serializers.DictField(
        child=serializers.IntegerField(),
        help_text=gettext_lazy("Open projects by their latest report's overall rating (`none` without a report)."),
    )


class MilestoneSerializer(inputs.Serializer):
    project = serializers.IntegerField(source="project_id")
    project_code = serializers.CharField()
    id = serializers.IntegerField(source="element_id")
    code = serializers.CharField()
    name = serializers.CharField()
    baseline_date = serializers.DateField(allow_null=True)
    forecast_date = serializers.DateField(allow_null=True)
    due = serializers.DateField()
    days = serializers.IntegerField(
        help_text=gettext_lazy("Days from the status date to the due date; negative when overdue.")
    )
    overdue = serializers.BooleanField()


class MilestonesSerializer(inputs.Serializer):
    overdue = serializers.IntegerField(source="overdue_milestones")
    due_soon = serializers.IntegerField(source="milestones_due_soon")
    window_days = serializers.SerializerMethodField()
    count = serializers.SerializerMethodField(help_text=gettext_lazy("Overdue and due soon together."))
    items = serializers.SerializerMethodField(
        help_text=gettext_lazy("The most urgent ones, overdue first; each project's plan lists all of its milestones.")
    )

    def get_window_days(self, board: dashboard.Dashboard) -> int:
        return dashboard.MILESTONE_WINDOW_DAYS

    def get_count(self, board: dashboard.Dashboard) -> int:
        return len(board.milestones)

    @extend_schema_field(MilestoneSerializer(many=True))
    def get_items(self, board: dashboard.Dashboard) -> list[Any]:
        return MilestoneSerializer(board.milestones[:MILESTONE_ITEMS], many=True).data  # type: ignore[return-value]


class WaitingChangeSerializer(inputs.Serializer):
    id = serializers.IntegerField(source="change_request_id")
    project = serializers.IntegerField(source="project_id")
    project_code = serializers.CharField()
    number = serializers.IntegerField()
    title = serializers.CharField()
    impact_cost = money()
    impact_days = serializers.IntegerField()
    submitted_at = serializers.DateTimeField(allow_null=True)


class WaitingBudgetSerializer(inputs.Serializer):
    id = serializers.IntegerField(source="budget_version_id")
    project = serializers.IntegerField(source="project_id")
    project_code = serializers.CharField()
    number = serializers.IntegerField()
    currency = serializers.CharField()
    total = money()
    submitted_at = serializers.DateTimeField(allow_null=True)


class WaitingSerializer(inputs.Serializer):
    change_requests = WaitingChangeSerializer(many=True)
    budget_versions = WaitingBudgetSerializer(many=True)


class RecentReportSerializer(inputs.Serializer):
    id = serializers.IntegerField(source="report_id")
    project = serializers.IntegerField(source="project_id")
    project_code = serializers.CharField()
    period_end = serializers.DateField()
    status = serializers.CharField()
    rag = serializers.ChoiceField(choices=Rag.choices)
    justification = serializers.CharField()
    author = serializers.CharField(source="author_name")
    submitted_at = serializers.DateTimeField(allow_null=True)
    computed_rag_at_submission = serializers.CharField(
        source="computed_at_submission",
        allow_null=True,
        help_text=gettext_lazy("The computed RAG the report was compared with on submission, if it was."),
    )


class BudgetTotalsSerializer(inputs.Serializer):
    approved = money()
    actual = money()
    forecast = money()


class TotalsSerializer(inputs.Serializer):
    figures = EvmFiguresSerializer(
        help_text=gettext_lazy("Earned value of the projects with a baseline, as portfolio_evm adds them up.")
    )
    spi_band = serializers.ChoiceField(choices=Rag.choices, allow_null=True)
    cpi_band = serializers.ChoiceField(choices=Rag.choices, allow_null=True)
    budget = BudgetTotalsSerializer()


class ExposureRowSerializer(inputs.Serializer):
    project = serializers.IntegerField(source="project_id")
    code = serializers.CharField()
    name = serializers.CharField()
    currency = serializers.CharField(help_text=gettext_lazy("The project's currency: its amounts are in it."))
    exposure = money()
    contingency = money(allow_null=True, help_text=gettext_lazy("Null without a current approved budget."))
    excess = money(help_text=gettext_lazy("How far the exposure exceeds the contingency."))


class TopRiskSerializer(inputs.Serializer):
    id = serializers.IntegerField(source="risk_id")
    code = serializers.CharField()
    project = serializers.IntegerField(source="project_id", allow_null=True)
    project_code = serializers.CharField(help_text=gettext_lazy("Empty for an organisation-level risk."))
    title = serializers.CharField()
    kind = serializers.CharField(help_text=gettext_lazy("threat or opportunity"))
    status = serializers.CharField()
    level = serializers.CharField()
    probability = serializers.IntegerField(allow_null=True)
    impact = serializers.IntegerField(allow_null=True)
    score = serializers.IntegerField(allow_null=True)
    emv = money(help_text=gettext_lazy("Negative for an opportunity."))
    currency = serializers.CharField()
    owner = serializers.CharField(source="owner_name")


class HeatMapCellSerializer(inputs.Serializer):
    probability = serializers.IntegerField()
    impact = serializers.IntegerField()
    level = serializers.CharField(help_text=gettext_lazy("The organisation's matrix level of the cell."))
    count = serializers.IntegerField()


class HeatMapSerializer(inputs.Serializer):
    basis = serializers.CharField(help_text=gettext_lazy("current: the risks' current (residual) assessment."))
    total = serializers.IntegerField()
    appetite = serializers.IntegerField(help_text=gettext_lazy("The risk appetite: a score above it needs a response."))
    cells = HeatMapCellSerializer(many=True, help_text=gettext_lazy("The 25 cells, probability 5 to 1, impact 1 to 5."))


class RisksSerializer(inputs.Serializer):
    exposure = money(help_text=gettext_lazy("Total risk exposure, in the organisation's currency."))
    contingency = money(help_text=gettext_lazy("Total contingency reserve, in the organisation's currency."))
    headroom = money(help_text=gettext_lazy("Contingency less exposure; negative when the exposure exceeds it."))
    over = ExposureRowSerializer(
        many=True,
        help_text=gettext_lazy("The projects whose exposure exceeds their contingency, largest excess first."),
    )
    missing_rates = serializers.DictField(
        child=serializers.ListField(child=serializers.IntegerField()),
        help_text=gettext_lazy("Currencies without a rate, with their projects: left out of the totals."),
    )
    top_risks = TopRiskSerializer(
        many=True, help_text=gettext_lazy("The ten open risks with the highest score, then EMV.")
    )
    heat_map = HeatMapSerializer()


def risks_document(figures: Any) -> dict[str, Any]:
    """The risks block of the answer from ``dashboard.portfolio.risk_figures.RiskFigures``."""
    exposure, heat_map, matrix = figures.exposure, figures.heat_map, figures.settings.matrix
    return {
        "exposure": exposure.exposure,
        "contingency": exposure.contingency,
        "headroom": exposure.headroom,
        "over": exposure.over,
        "missing_rates": exposure.missing_rates,
        "top_risks": figures.top_risks,
        "heat_map": {
            "basis": heat_map.basis,
            "total": heat_map.total,
            "appetite": figures.settings.appetite,
            "cells": [
                {"probability": p, "impact": i, "level": matrix[p - 1][i - 1], "count": heat_map.count(p, i)}
                for p in range(5, 0, -1)
                for i in range(1, 6)
            ],
        },
    }


class QualityAttentionSerializer(inputs.Serializer):
    project = serializers.IntegerField(source="project_id")
    code = serializers.CharField()
    name = serializers.CharField()
    figures = QualityFiguresSerializer()


class DashboardQualitySerializer(inputs.Serializer):
    totals = QualityFiguresSerializer(help_text=gettext_lazy("Pooled over the projects kept by the filters."))
    attention = QualityAttentionSerializer(
        many=True,
        help_text=gettext_lazy(
            "Projects with a safety veto (all of them, first), then those with the most open critical and major "
            "non-conformances or overdue ones (ten in all at most)."
        ),
    )


def quality_document(panel: Any) -> dict[str, Any]:
    """The quality block of the answer from ``dashboard.portfolio.quality_figures.QualityPanel``."""
    return {
        "totals": figures_document(panel.total),
        "attention": [
            {"project_id": row.project_id, "code": row.code, "name": row.name, "figures": figures_document(row.figures)}
            for row in panel.attention
        ],
    }


class RuleSerializer(inputs.Serializer):
    red = serializers.CharField()
    amber = serializers.CharField()
    green = serializers.CharField()
    unknown = serializers.CharField()
    notes = serializers.CharField()


class FiltersSerializer(inputs.Serializer):
    portfolio = serializers.IntegerField(source="portfolio_id", allow_null=True)
    manager = serializers.IntegerField(source="manager_id", allow_null=True)
    phase = serializers.CharField(allow_null=True)


class ProjectsPageSerializer(inputs.Serializer):
    count = serializers.IntegerField(help_text=gettext_lazy("Project rows over all pages."))
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    pages = serializers.IntegerField()


class DashboardSerializer(inputs.Serializer):
    as_of = serializers.DateField()
    currency = serializers.CharField(help_text=gettext_lazy("The organisation's currency: totals are in it."))
    filters = FiltersSerializer()
    totals = serializers.SerializerMethodField()
    projects_by_phase = PhaseCountSerializer(many=True, source="phase_counts")
    projects_by_rag = serializers.SerializerMethodField()
    rag_rule = serializers.SerializerMethodField()
    projects = serializers.SerializerMethodField(
        help_text=gettext_lazy("One page of the open projects kept by the filters (and rag), by code.")
    )
    projects_page = serializers.SerializerMethodField()
    milestones = serializers.SerializerMethodField()
    alerts = AlertCountsSerializer(source="alert_counts", help_text=gettext_lazy("Open and acknowledged alerts."))
    waiting = serializers.SerializerMethodField()
    recent_status_reports = RecentReportSerializer(many=True, source="recent_reports")
    risks = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "Risk exposure against contingency (totals and the projects over it), the top risks and the portfolio "
            "heat map of the projects kept by the filters."
        )
    )
    quality = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "First-pass yield, non-conformances, days to close, overdue inspections and customer satisfaction "
            "of the projects kept by the filters, as they stand today, and the projects needing attention."
        )
    )
    missing_rates = serializers.DictField(
        child=serializers.ListField(child=serializers.IntegerField()),
        help_text=gettext_lazy("Currencies without a rate on the date, with their projects: left out of the totals."),
    )

    @extend_schema_field(RisksSerializer)
    def get_risks(self, board: dashboard.Dashboard) -> dict[str, Any]:
        return RisksSerializer(risks_document(board.risks)).data

    @extend_schema_field(DashboardQualitySerializer)
    def get_quality(self, board: dashboard.Dashboard) -> dict[str, Any]:
        return DashboardQualitySerializer(quality_document(board.quality)).data

    @extend_schema_field(TotalsSerializer)
    def get_totals(self, board: dashboard.Dashboard) -> dict[str, Any]:
        return TotalsSerializer(
            {
                "figures": board.evm_figures,
                "spi_band": board.spi_band,
                "cpi_band": board.cpi_band,
                "budget": board.budget,
            }
        ).data

    @extend_schema_field(ProjectHealthSerializer(many=True))
    def get_projects(self, board: dashboard.Dashboard) -> list[Any]:
        return ProjectHealthSerializer(self.context["rows"], many=True).data  # type: ignore[return-value]

    @extend_schema_field(ProjectsPageSerializer)
    def get_projects_page(self, board: dashboard.Dashboard) -> dict[str, Any]:
        return ProjectsPageSerializer(self.context["projects_page"]).data

    @extend_schema_field(RagCountsSerializer)
    def get_projects_by_rag(self, board: dashboard.Dashboard) -> dict[str, Any]:
        return RagCountsSerializer({"computed": board.rag_counts, "reported": board.reported_rag_counts}).data

    @extend_schema_field(RuleSerializer)
    def get_rag_rule(self, board: dashboard.Dashboard) -> dict[str, Any]:
        return RuleSerializer(dashboard.rag_rule_text()).data

    @extend_schema_field(MilestonesSerializer)
    def get_milestones(self, board: dashboard.Dashboard) -> dict[str, Any]:
        return MilestonesSerializer(board).data

    @extend_schema_field(WaitingSerializer)
    def get_waiting(self, board: dashboard.Dashboard) -> dict[str, Any]:
        return WaitingSerializer(
            {"change_requests": board.change_requests, "budget_versions": board.budget_versions}
        ).data


class DashboardView(OrganizationScopedMixin, generics.GenericAPIView):
    """The portfolio dashboard's figures: health, earned value, budget, milestones, alerts and decisions waiting."""

    serializer_class = DashboardSerializer
    schema = ReadSchema()
    filter_backends: list[Any] = []
    pagination_class = None
    http_method_names = ["get", "head", "options"]

    @extend_schema(
        summary=gettext_lazy("The portfolio dashboard of the open projects"),
        description=gettext_lazy(
            "The same figures as the dashboard page, from the same selector. Earned value and milestones are "
            "measured on the status date; alerts, decisions waiting and status reports are as they stand now."
        ),
        tags=["dashboard"],
        parameters=PARAMETERS,
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        query = DashboardQuerySerializer(
            data=request.query_params,
            context={"choices": dashboard.filter_choices(self.organization), "organization": self.organization},
        )
        query.is_valid(raise_exception=True)
        values = query.validated_data
        filters = dashboard.Filters(
            as_of=values.get("as_of") or self.organization.today(),
            portfolio_id=values.get("portfolio"),
            manager_id=values.get("manager"),
            phase=values.get("phase"),
        )
        board = dashboard.portfolio_dashboard(self.organization, filters)
        rag = values.get("rag")
        rows = [row for row in board.projects if rag is None or row.computed.rag == rag]
        size, page = values["page_size"], values["page"]
        pages = max(1, -(-len(rows) // size))
        if page > pages:
            raise NotFound(_("There are %(pages)s pages of projects.") % {"pages": pages})
        context = {
            "rows": rows[(page - 1) * size : page * size],
            "projects_page": {"count": len(rows), "page": page, "page_size": size, "pages": pages},
        }
        return Response(DashboardSerializer(board, context=context).data)


class ProjectSummaryPdfView(ProjectScopedMixin, generics.GenericAPIView):
    """The printed project summary (``dashboard.project_summary``)."""

    read_action = ProjectAction.PROJECT_VIEW
    renderer_classes = [renderers.JSONRenderer, PdfRenderer]
    filter_backends: list[Any] = []
    pagination_class = None
    http_method_names = ["get", "head", "options"]

    @extend_schema(
        summary=gettext_lazy("Download the project summary as PDF (A4, in the reader's language)"),
        description=gettext_lazy(
            "The plan and its Gantt chart, earned value with the S-curve, the risks' heat map and the quality "
            "figures on the organisation's today. Earned value, risks and quality appear only for a reader "
            "who may see them."
        ),
        tags=["dashboard"],
        request=None,
        responses={(200, PDF): OpenApiTypes.BINARY, 202: job_responses(file=True)[202]},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if prints_in_a_job(self.project):
            return job_api_response(request, summary_job_start(self.project, user=request.user))
        content, filename = project_summary_pdf(
            self.project, membership=self.membership, project_role=self.project_role
        )
        return pdf_response(content, filename)
