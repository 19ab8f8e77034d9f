"""Quality on the portfolio dashboard: first-pass yield, non-conformances, closure times, overdue
inspections, customer satisfaction, and the projects that need attention (a safety veto first).

Read by ``selectors.portfolio_dashboard`` in five queries whatever the number of projects,
inspections or readings (``quality.selectors.portfolio_quality``), on the organisation's today: like
alerts, quality records are counted as they stand now. Each project's safety veto feeds its
computed RAG.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.db.models import QuerySet

from pmo.models import Organization
from projects.models import Project
from quality.selectors import FIGURE_QUERIES, PortfolioQuality, QualityFigures, portfolio_quality

#: Projects listed as needing attention, the worst first.
ATTENTION_ROWS = 10
QUERIES = FIGURE_QUERIES


class Listed(Protocol):
    @property
    def pk(self) -> int: ...

    @property
    def code(self) -> str: ...

    @property
    def name(self) -> str: ...


@dataclass(frozen=True)
class AttentionRow:
    project_id: int
    code: str
    name: str
    figures: QualityFigures


@dataclass(frozen=True)
class QualityPanel:
    portfolio: PortfolioQuality
    #: Projects with a safety veto, an open critical or major non-conformance, or one overdue.
    attention: list[AttentionRow]

    @property
    def total(self) -> QualityFigures:
        return self.portfolio.total

    @property
    def vetoed(self) -> list[AttentionRow]:
        return [row for row in self.attention if row.figures.safety_vetoes]

    def vetoes_of(self, project_id: int) -> int:
        return self.portfolio.of(project_id).safety_vetoes


def _severity_key(row: AttentionRow) -> tuple[Any, ...]:
    figures = row.figures
    open_counts = figures.open_by_severity
    return (-figures.safety_vetoes, -open_counts["critical"], -open_counts["major"], -figures.overdue_ncs, row.code)


def portfolio_quality_figures(
    organization: Organization, projects: QuerySet[Project], listed: Sequence[Listed]
) -> QualityPanel:
    """Five queries: ``projects`` are the dashboard's open projects (a queryset, used as a subquery), ``listed``
    the same projects as it read them (for their codes and names)."""
    portfolio = portfolio_quality(organization, projects)
    rows = []
    for project in listed:
        figures = portfolio.projects.get(project.pk)
        if figures is None:
            continue
        open_counts = figures.open_by_severity
        if figures.safety_vetoes or open_counts["critical"] or open_counts["major"] or figures.overdue_ncs:
            rows.append(AttentionRow(project.pk, project.code, project.name, figures))
    rows.sort(key=_severity_key)
    vetoed = [row for row in rows if row.figures.safety_vetoes]
    # Every vetoed project is listed, however many; then the others up to the limit.
    others = [row for row in rows if not row.figures.safety_vetoes]
    return QualityPanel(portfolio=portfolio, attention=vetoed + others[: max(ATTENTION_ROWS - len(vetoed), 0)])
