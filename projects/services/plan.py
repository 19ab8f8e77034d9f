"""Writes to a project's plan: WBS, dependencies, the schedule, baselines and progress.

The writes live in ``wbs``, ``schedule``, ``baselines`` and ``progress``; this module names
them all in one place.
"""

from projects.services.baselines import baseline_create, baseline_set_current
from projects.services.progress import HUNDRED, task_progress_update
from projects.services.schedule import (
    SCHEDULE_FIELDS,
    project_schedule_recompute,
    reschedule_calendar_projects,
    schedule_recompute,
)
from projects.services.wbs import (
    ELEMENT_FIELDS,
    dependency_create,
    dependency_delete,
    dependency_update,
    renumber,
    task_costs_set,
    wbs_element_create,
    wbs_element_delete,
    wbs_element_update,
)

__all__ = [
    "ELEMENT_FIELDS",
    "HUNDRED",
    "SCHEDULE_FIELDS",
    "baseline_create",
    "baseline_set_current",
    "dependency_create",
    "dependency_delete",
    "dependency_update",
    "project_schedule_recompute",
    "renumber",
    "reschedule_calendar_projects",
    "schedule_recompute",
    "task_costs_set",
    "task_progress_update",
    "wbs_element_create",
    "wbs_element_delete",
    "wbs_element_update",
]
