"""The portfolio dashboard the PMO opens every morning.

- ``rag``: the rule of a project's computed RAG, and its wording;
- ``figures``: what the dashboard shows, as plain values;
- ``selectors``: reads them in a fixed number of queries (earned value from the variance run's
  snapshots on today, computed otherwise), with ``lists`` for alerts, milestones, reports and
  decisions waiting;
- ``charts``: the SVG charts and the links every figure drills down to.

The page (``dashboard.views``) and the API (``dashboard.api``) read the same selector.
"""

from dashboard.portfolio.figures import (
    BudgetTotals,
    Dashboard,
    FilterChoices,
    Filters,
    MilestoneDue,
    PhaseCount,
    ProjectHealth,
    RecentReport,
    ReportedRag,
    WaitingBudget,
    WaitingChange,
)
from dashboard.portfolio.lists import MILESTONE_WINDOW_DAYS, RECENT_REPORTS
from dashboard.portfolio.rag import (
    AMBER,
    GREEN,
    INDEX_AMBER_BELOW,
    INDEX_RED_BELOW,
    MILESTONE_RED_AFTER_DAYS,
    RAG_VALUES,
    RED,
    UNKNOWN,
    ComputedRag,
    RagReason,
    computed_rag,
    index_band,
    rag_rule_text,
)
from dashboard.portfolio.selectors import filter_choices, measure, portfolio_dashboard, project_computed_rag

__all__ = [
    "AMBER",
    "GREEN",
    "INDEX_AMBER_BELOW",
    "INDEX_RED_BELOW",
    "MILESTONE_RED_AFTER_DAYS",
    "MILESTONE_WINDOW_DAYS",
    "RAG_VALUES",
    "RECENT_REPORTS",
    "RED",
    "UNKNOWN",
    "BudgetTotals",
    "ComputedRag",
    "Dashboard",
    "FilterChoices",
    "Filters",
    "MilestoneDue",
    "PhaseCount",
    "ProjectHealth",
    "RagReason",
    "RecentReport",
    "ReportedRag",
    "WaitingBudget",
    "WaitingChange",
    "computed_rag",
    "filter_choices",
    "index_band",
    "measure",
    "portfolio_dashboard",
    "project_computed_rag",
    "rag_rule_text",
]
