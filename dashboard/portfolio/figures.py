"""What the portfolio dashboard shows: plain values, read by ``selectors`` and drawn by the page and the API."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from dashboard.portfolio.rag import UNKNOWN, ComputedRag, index_band
from finance import evm
from finance.earned_value import ProjectEvm
from projects.models import Phase


@dataclass(frozen=True)
class Filters:
    as_of: dt.date
    portfolio_id: int | None = None
    manager_id: int | None = None
    phase: str | None = None

    @property
    def narrowed(self) -> bool:
        """True when some projects are left out: totals then no longer match the organisation-wide lists."""
        return any([self.portfolio_id, self.manager_id, self.phase])


@dataclass(frozen=True)
class FilterChoices:
    """The portfolios (programmes under their portfolio) and the managers of projects, to choose from."""

    portfolios: list[tuple[int, str, bool]]  # id, name, is a programme
    managers: list[tuple[int, str]]


@dataclass(frozen=True)
class ReportedRag:
    """A project's latest submitted (or reviewed) status report: the manager's overall rating."""

    report_id: int
    period_end: dt.date
    status: str
    rag: str
    justification: str


@dataclass(frozen=True)
class ProjectHealth:
    project_id: int
    code: str
    name: str
    phase: str
    portfolio_id: int | None
    manager_id: int | None
    manager_name: str
    currency: str
    evm: ProjectEvm | None
    spi_band: str | None
    cpi_band: str | None
    computed: ComputedRag
    reported: ReportedRag | None
    red_alerts: int
    amber_alerts: int
    milestone_late_days: int
    approved_budget: Decimal | None
    actual_cost: Decimal
    forecast: Decimal | None
    # Units of the organisation's currency per unit of the project's; None when no rate is known.
    rate: Decimal | None
    # Risk exposure (Σ EMV of the open risks) and the current approved budget's contingency reserve,
    # in the project's currency; contingency None without an approved budget.
    risk_exposure: Decimal = Decimal("0.00")
    contingency: Decimal | None = None

    @property
    def exposure_over(self) -> bool:
        return self.risk_exposure > (self.contingency or 0)

    @property
    def phase_label(self) -> str:
        return str(Phase(self.phase).label)

    @property
    def overridden(self) -> bool:
        """The manager's latest overall rating differs from the computed one."""
        return self.reported is not None and self.computed.rag != UNKNOWN and self.reported.rag != self.computed.rag


@dataclass(frozen=True)
class PhaseCount:
    phase: str
    count: int


@dataclass(frozen=True)
class MilestoneDue:
    project_id: int
    project_code: str
    element_id: int
    code: str
    name: str
    baseline_date: dt.date | None
    forecast_date: dt.date | None
    due: dt.date
    # Days from the status date to the due date; below zero when overdue.
    days: int

    @property
    def overdue(self) -> bool:
        return self.days < 0

    @property
    def days_late(self) -> int:
        return max(-self.days, 0)


@dataclass(frozen=True)
class WaitingChange:
    change_request_id: int
    project_id: int
    project_code: str
    number: int
    title: str
    impact_cost: Decimal
    impact_days: int
    submitted_at: dt.datetime | None


@dataclass(frozen=True)
class WaitingBudget:
    budget_version_id: int
    project_id: int
    project_code: str
    number: int
    currency: str
    total: Decimal
    submitted_at: dt.datetime | None


@dataclass(frozen=True)
class RecentReport:
    report_id: int
    project_id: int
    project_code: str
    project_name: str
    period_end: dt.date
    status: str
    rag: str
    justification: str
    author_name: str
    submitted_at: dt.datetime | None
    # The computed RAG the report was compared with when it was submitted, if it was.
    computed_at_submission: str | None


@dataclass(frozen=True)
class BudgetTotals:
    """Approved budget, actual cost to the status date and forecast at completion, in the organisation's currency.

    The forecast of a project is its typical EAC (BAC / CPI), or AC + (BAC - EV) while CPI is
    undefined; a project without a baseline has none.
    """

    approved: Decimal
    actual: Decimal
    forecast: Decimal


@dataclass(frozen=True)
class Dashboard:
    as_of: dt.date
    currency: str
    filters: Filters
    projects: list[ProjectHealth]
    phase_counts: list[PhaseCount]
    rag_counts: dict[str, int]
    reported_rag_counts: dict[str, int]
    evm_figures: evm.EvmFigures
    evm_totals: evm.Totals
    budget: BudgetTotals
    milestones: list[MilestoneDue]
    alert_counts: dict[str, int]
    change_requests: list[WaitingChange]
    budget_versions: list[WaitingBudget]
    recent_reports: list[RecentReport]
    # Currencies without a rate on the status date, with their projects' ids (left out of the totals).
    missing_rates: dict[str, list[int]] = field(default_factory=dict)
    # When the oldest of the earned-value snapshots read was computed; None when every project's
    # earned value was computed for this request (a past status date, or no snapshot yet).
    evaluated_at: dt.datetime | None = None
    # Exposure against contingency, the top risks and the heat map (``risk_figures.RiskFigures``).
    risks: Any = None
    # First-pass yield, non-conformances, closure times and the projects needing attention
    # (``quality_figures.QualityPanel``).
    quality: Any = None

    @property
    def spi_band(self) -> str | None:
        return index_band(self.evm_figures.spi)

    @property
    def cpi_band(self) -> str | None:
        return index_band(self.evm_figures.cpi)

    @property
    def overdue_milestones(self) -> int:
        return sum(1 for milestone in self.milestones if milestone.overdue)

    @property
    def milestones_due_soon(self) -> int:
        return sum(1 for milestone in self.milestones if not milestone.overdue)
