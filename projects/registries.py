"""Hooks the projects app offers to the apps above it, filled in their ``AppConfig.ready()``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from pmo.models import Organization
    from pmo.workdays import WorkCalendar
    from projects.models import Baseline, Project, WbsElement

_Hook = TypeVar("_Hook")
#: SPI and CPI.
Indices = tuple[Decimal | None, Decimal | None]

#: Each says whether a project holds amounts in its currency (costs, budgets, ...), so that the
#: currency can no longer change without relabelling them unconverted.
money_holders: list[Callable[[Project], bool]] = []

#: The project's computed RAG on a day, as a status report keeps it (``{"rag", "as_of",
#: "reasons"}``): the portfolio dashboard's rule, filled by the dashboard app.
computed_rag: list[Callable[[Organization, Project, dt.date], dict[str, Any]]] = []

#: The project's SPI and CPI on a status date against a baseline (None where undefined): earned
#: value, filled by the finance app.
performance_indices: list[
    Callable[[Project, dt.date, Baseline, WorkCalendar], tuple[Decimal | None, Decimal | None]]
] = []


#: Each may hold a task back from completion: ``(task) -> reason or None``, asked when a progress
#: update would take the task to 100 % (a quality hold point whose inspection has not passed). A
#: reason refuses the update with the code ``completion_held``.
completion_guards: list[Callable[[WbsElement], str | None]] = []


#: Each may keep a task's planned cost from being typed in: ``(task) -> reason or None``, asked when a
#: WBS edit would change it (bottom-up costing derives it from the task's assignments and would
#: overwrite a typed amount). A reason refuses the edit with the code ``cost_derived``.
cost_guards: list[Callable[[WbsElement], str | None]] = []


#: Each may suggest a task's percent complete from what its app knows (timesheets: approved hours
#: against assigned work): ``(task) -> a sentence or None``, shown on the task's progress form. The
#: project manager decides; nothing is filled in.
progress_hints: list[Callable[[WbsElement], str | None]] = []


def provider(hooks: list[_Hook], what: str) -> _Hook:
    """The one function an app above filled a single-answer hook with (the last, if several did)."""
    if not hooks:
        raise ImproperlyConfigured(f"No installed app provides {what}.")
    return hooks[-1]
