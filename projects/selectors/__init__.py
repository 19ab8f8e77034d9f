"""Reads of the projects app that are more than a queryset chain."""

from projects.selectors.control import (
    HistoryEntry,
    actual_percent_complete,
    change_request_baselines,
    change_request_history,
    planned_percent_complete,
    progress_at,
    report_week_end,
    status_report_figures,
    suggested_rag,
)
from projects.selectors.plan import (
    ComparisonRow,
    baseline_comparison,
    current_baseline,
    project_work_calendar,
    projects_progress,
    working_day_slip,
)

__all__ = [
    "ComparisonRow",
    "HistoryEntry",
    "actual_percent_complete",
    "baseline_comparison",
    "change_request_baselines",
    "change_request_history",
    "current_baseline",
    "planned_percent_complete",
    "progress_at",
    "project_work_calendar",
    "projects_progress",
    "report_week_end",
    "status_report_figures",
    "suggested_rag",
    "working_day_slip",
]
