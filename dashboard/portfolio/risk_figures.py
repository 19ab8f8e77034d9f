"""The risks on the portfolio dashboard: exposure against contingency, the top risks and the heat map.

Read by ``selectors.portfolio_dashboard`` in four queries whatever the number of projects or risks:
each project's exposure and contingency (``risks.selectors.portfolio_exposure``), the ten open risks
with the highest score, the heat map's cell counts (``risks.heatmap.cell_counts``) and the
organisation's risk matrix. A narrowed dashboard counts only its projects' risks; otherwise the
organisation-level risks count too (they have no project, exposure or contingency).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.safestring import SafeString

from dashboard.portfolio.figures import Filters
from pmo.models import Organization
from projects.models import Project
from risks.heatmap import CURRENT, HeatMap, cell_counts, render_svg
from risks.models import RiskSettings
from risks.selectors import (
    PortfolioExposure,
    ProjectRow,
    TopRisk,
    portfolio_exposure,
    risk_settings_read,
    top_risks,
)

TOP_RISKS = 10


@dataclass(frozen=True)
class RiskFigures:
    exposure: PortfolioExposure
    top_risks: list[TopRisk]
    heat_map: HeatMap
    settings: RiskSettings


def portfolio_risks(
    organization: Organization,
    filters: Filters,
    projects: QuerySet[Project],
    rates: Mapping[str, Decimal],
    listed: Sequence[ProjectRow],
) -> RiskFigures:
    """Four queries: ``projects`` are the dashboard's open projects (a queryset, used as a subquery), ``listed``
    the same projects as it read them."""
    narrowed = filters.narrowed
    return RiskFigures(
        exposure=portfolio_exposure(organization, projects, rates=rates, listed=listed),
        top_risks=top_risks(
            organization, projects if narrowed else None, limit=TOP_RISKS, organisation_level=not narrowed
        ),
        heat_map=cell_counts(
            organization, basis=CURRENT, projects=projects if narrowed else None, organisation_level=not narrowed
        ),
        settings=risk_settings_read(organization),
    )


def heat_map_svg(figures: RiskFigures, org_slug: str, filters: Filters) -> SafeString:
    """The portfolio heat map; each cell opens the organisation's register filtered to it (and the portfolio)."""
    register = reverse("org-risks", args=[org_slug])

    def href(probability: int, impact: int) -> str:
        query = {"status": "open", "basis": CURRENT, "probability": probability, "impact": impact, "map": CURRENT}
        if filters.portfolio_id:
            query["portfolio"] = filters.portfolio_id
        return f"{register}?{urlencode(query)}"

    return render_svg(figures.heat_map, figures.settings, href=href)
