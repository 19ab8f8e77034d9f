"""Reads for status reports (figures at a date) and the change log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count
from django.utils import timezone

from pmo.models import AuditEvent, User
from pmo.workdays import WorkCalendar
from projects import registries
from projects.models import (
    Baseline,
    BaselineTask,
    ChangeRequest,
    ProgressUpdate,
    Project,
    Rag,
    WbsElement,
)
from projects.selectors.plan import current_baseline, project_work_calendar, working_day_slip

HUNDRED = Decimal("100")
CENT = Decimal("0.01")
# Schedule RAG: green while actual % complete is at most this many points behind plan, amber up to
# the red limit, red beyond it.
SCHEDULE_AMBER_POINTS = Decimal("5")
SCHEDULE_RED_POINTS = Decimal("10")
EVM_NOTE = "SPI and CPI need a current baseline."
SPI_UNDEFINED_NOTE = "SPI is undefined: nothing was planned by the period end."
CPI_UNDEFINED_NOTE = "CPI is undefined: no actual cost was recorded by the period end."

RAG_FIELDS = ["rag_schedule", "rag_cost", "rag_scope", "rag_quality", "rag_risk", "rag_overall"]
NARRATIVE_FIELDS = ["accomplishments", "next_steps", "issues", "decisions_needed"]
REPORT_FIELDS = [*RAG_FIELDS, *NARRATIVE_FIELDS]
CHANGE_FIELDS = ["title", "kind", "description", "reason", "impact_days", "impact_cost"]
OPEN_CHANGE_STATUSES = (ChangeRequest.Status.DRAFT, ChangeRequest.Status.SUBMITTED, ChangeRequest.Status.APPROVED)
_RAG_ORDER = {Rag.GREEN: 0, Rag.AMBER: 1, Rag.RED: 2}


# --- status reports: the week and the figures ------------------------------------------


def report_week_end(calendar: WorkCalendar, day: dt.date) -> dt.date:
    """The date a status report for ``day``'s week carries: the week's last working day.

    Weeks run Monday to Sunday. A week with no working day at all keeps its Friday.
    """
    monday = day - dt.timedelta(days=day.weekday())
    worked = [monday + dt.timedelta(days=offset) for offset in range(7)]
    worked = [candidate for candidate in worked if calendar.is_working_day(candidate)]
    return worked[-1] if worked else monday + dt.timedelta(days=4)


def _percent(part: Decimal, whole: Decimal) -> Decimal:
    return (part * HUNDRED / whole).quantize(CENT, rounding=ROUND_HALF_UP)


def _share_scheduled(calendar: WorkCalendar, start: dt.date, finish: dt.date, on: dt.date) -> Decimal:
    """Share of a task scheduled to be done by the end of ``on``, linear over its working days."""
    if on < start:
        return Decimal("0")
    if on >= finish:
        return Decimal("1")
    total = calendar.working_days_between(start, finish)
    if total <= 0:
        return Decimal("1")
    return Decimal(calendar.working_days_between(start, on)) / Decimal(total)


def planned_percent_complete(
    calendar: WorkCalendar, rows: list[BaselineTask], period_end: dt.date
) -> tuple[Decimal | None, str]:
    """Share of the baseline budget (of baseline duration when nothing is costed) due by ``period_end``."""
    total_cost = sum((row.budgeted_cost for row in rows), Decimal("0"))
    weighting = "cost" if total_cost > 0 else "duration"
    weights = [row.budgeted_cost if weighting == "cost" else Decimal(row.duration) for row in rows]
    total = sum(weights, Decimal("0"))
    if total <= 0:
        return None, weighting
    scheduled = sum(
        (
            weight * _share_scheduled(calendar, row.start, row.finish, period_end)
            for weight, row in zip(weights, rows, strict=True)
        ),
        Decimal("0"),
    )
    return _percent(scheduled, total), weighting


def progress_at(project: Project, leaves: list[WbsElement], day: dt.date) -> dict[int, Decimal]:
    """Each task's % complete as its progress history recorded it for ``day``.

    The last update effective on or before ``day`` counts; a task whose first update is later
    was at that update's previous value; a task with no history counts with its current value.
    """
    percent = {leaf.pk: leaf.percent_complete for leaf in leaves}
    seen: set[int] = set()
    updates = (
        ProgressUpdate.objects.for_organization(project.organization_id)
        .filter(project=project)
        .order_by("task_id", "effective_date", "created_at", "id")
        .values_list("task_id", "effective_date", "percent_complete", "previous_percent_complete")
    )
    for task_id, effective, value, previous in updates:
        if task_id not in seen:
            seen.add(task_id)
            percent[task_id] = value if effective <= day else previous
        elif effective <= day:
            percent[task_id] = value
    return percent


def actual_percent_complete(leaves: list[WbsElement], percent: dict[int, Decimal]) -> Decimal | None:
    """The project's roll-up of task progress: weighted by cost, else by duration, as the plan rolls up."""
    total_cost = sum((leaf.budgeted_cost for leaf in leaves), Decimal("0"))
    weights = [leaf.budgeted_cost if total_cost > 0 else Decimal(leaf.duration) for leaf in leaves]
    total = sum(weights, Decimal("0"))
    if total <= 0:
        return None
    done = sum(
        (weight * percent.get(leaf.pk, leaf.percent_complete) for weight, leaf in zip(weights, leaves, strict=True)),
        Decimal("0"),
    )
    return (done / total).quantize(CENT, rounding=ROUND_HALF_UP)


def status_report_figures(project: Project, period_end: dt.date) -> dict[str, Any]:
    """What a status report shows at ``period_end``, as plain JSON (decimals as strings).

    Planned % complete comes from the current baseline; actual % complete from the tasks'
    progress as recorded for ``period_end`` (:func:`progress_at`), so a report written late for
    an earlier week is not flattered by later work; milestone dates (current plan against
    baseline) and change request counts are as they stand now.
    """
    organization_id = project.organization_id
    calendar = project_work_calendar(project)
    baseline = current_baseline(project)
    rows = (
        list(BaselineTask.objects.for_organization(organization_id).filter(baseline=baseline))
        if baseline is not None
        else []
    )
    leaves = list(WbsElement.objects.for_organization(organization_id).filter(project=project).leaves())
    planned, weighting = planned_percent_complete(calendar, rows, period_end) if rows else (None, "cost")
    percent = progress_at(project, leaves, period_end)
    actual = actual_percent_complete(leaves, percent)
    by_id = {leaf.pk: leaf for leaf in leaves}
    slipped: list[dict[str, Any]] = []
    for row in sorted((row for row in rows if row.is_milestone), key=lambda row: (row.finish, row.code)):
        element = by_id.get(row.task_id) if row.task_id is not None else None
        if element is None:
            continue
        planned_date = element.planned_finish or element.planned_start
        done = percent[element.pk] >= HUNDRED or (
            element.actual_finish is not None and element.actual_finish <= period_end
        )
        later = planned_date is not None and planned_date > row.finish
        if later or (row.finish <= period_end and not done):
            slipped.append(
                {
                    "id": element.pk,
                    "code": element.code,
                    "name": element.name,
                    "baseline_date": row.finish.isoformat(),
                    "planned_date": planned_date.isoformat() if planned_date else None,
                    "slip_days": working_day_slip(calendar, row.finish, planned_date),
                    "done": done,
                }
            )
    counts = dict(
        ChangeRequest.objects.for_organization(organization_id)
        .filter(project=project, status__in=OPEN_CHANGE_STATUSES)
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    change_requests = {status.value: counts.get(status.value, 0) for status in OPEN_CHANGE_STATUSES}
    change_requests["open"] = sum(change_requests.values())
    return {
        "period_end": period_end.isoformat(),
        "computed_at": timezone.now().isoformat(),
        "baseline": {"id": baseline.pk, "name": baseline.name} if baseline is not None else None,
        "weighting": weighting,
        "planned_percent": None if planned is None else str(planned),
        "actual_percent": None if actual is None else str(actual),
        "variance_points": None if planned is None or actual is None else str(actual - planned),
        "slipped_milestones": slipped,
        "change_requests": change_requests,
        **_performance_indices(project, period_end, baseline, calendar),
    }


def _performance_indices(
    project: Project, period_end: dt.date, baseline: Baseline | None, calendar: WorkCalendar
) -> dict[str, str | None]:
    """SPI and CPI from earned value at ``period_end`` (strings, four places), with a note on any null."""
    if baseline is None:
        return {"spi": None, "cpi": None, "evm_note": EVM_NOTE}
    indices = registries.provider(registries.performance_indices, "a project's earned value")
    spi, cpi = indices(project, period_end, baseline, calendar)
    notes = [note for value, note in ((spi, SPI_UNDEFINED_NOTE), (cpi, CPI_UNDEFINED_NOTE)) if value is None]
    return {
        "spi": None if spi is None else str(spi),
        "cpi": None if cpi is None else str(cpi),
        "evm_note": " ".join(notes),
    }


def suggested_rag(figures: dict[str, Any]) -> dict[str, str]:
    """RAG defaults from the figures: schedule by percent behind plan, the rest green, overall the worst."""
    schedule = Rag.GREEN
    if figures.get("planned_percent") is not None and figures.get("actual_percent") is not None:
        behind = Decimal(figures["planned_percent"]) - Decimal(figures["actual_percent"])
        if behind > SCHEDULE_RED_POINTS:
            schedule = Rag.RED
        elif behind > SCHEDULE_AMBER_POINTS:
            schedule = Rag.AMBER
    rag = {"rag_schedule": schedule, "rag_cost": Rag.GREEN, "rag_scope": Rag.GREEN}
    rag |= {"rag_quality": Rag.GREEN, "rag_risk": Rag.GREEN}
    rag["rag_overall"] = max(rag.values(), key=lambda value: _RAG_ORDER[Rag(value)])
    return {field: str(value) for field, value in rag.items()}


# --- the change log ---------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    actor: User | None
    action: str  # created, updated, submitted, approved, rejected, implemented
    changes: dict[str, Any]


def change_request_history(organization_id: int, change_requests: list[ChangeRequest]) -> dict[int, list[HistoryEntry]]:
    """Each change request's audit events, oldest first: one query for the whole list."""
    history: dict[int, list[HistoryEntry]] = {change_request.pk: [] for change_request in change_requests}
    if not history:
        return history
    events = (
        AuditEvent.objects.for_organization(organization_id)
        .filter(
            target_type=ChangeRequest._meta.label_lower,
            target_id__in=[str(pk) for pk in history],
            action__startswith="change_request.",
        )
        .select_related("actor")
        .order_by("created_at", "id")
    )
    for event in events:
        history[int(event.target_id)].append(
            HistoryEntry(event.created_at, event.actor, event.action.removeprefix("change_request."), event.changes)
        )
    return history


def change_request_baselines(organization_id: int, change_requests: list[ChangeRequest]) -> dict[int, Baseline]:
    """The baseline each implemented change request created, if any: one query."""
    ids = [change_request.pk for change_request in change_requests]
    if not ids:
        return {}
    baselines = Baseline.objects.for_organization(organization_id).filter(change_request_id__in=ids)
    return {baseline.change_request_id: baseline for baseline in baselines if baseline.change_request_id}
