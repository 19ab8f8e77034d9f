"""Reads of the projects app that are more than a queryset chain."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, Sum

from pmo.models import CalendarException, Organization, WorkingCalendar
from pmo.workdays import WorkCalendar
from projects.models import Baseline, BaselineTask, Project, WbsElement, wbs_sort_key


def project_work_calendar(project: Project) -> WorkCalendar:
    """The project's working calendar (the organisation's default when none is set)."""
    calendars = WorkingCalendar.objects.for_organization(project.organization_id)
    calendar = (
        calendars.filter(pk=project.calendar_id).first()
        if project.calendar_id
        else calendars.filter(is_default=True).first()
    )
    if calendar is None:
        return WorkCalendar()
    holidays: list[dt.date] = []
    extra: list[dt.date] = []
    for day, is_working in (
        CalendarException.objects.for_organization(project.organization_id)
        .filter(calendar=calendar)
        .values_list("date", "is_working")
    ):
        (extra if is_working else holidays).append(day)
    return WorkCalendar(calendar.working_weekdays, holidays, extra)


def current_baseline(project: Project) -> Baseline | None:
    return Baseline.objects.for_organization(project.organization_id).filter(project=project, is_current=True).first()


@dataclass(frozen=True)
class ComparisonRow:
    element_id: int | None
    code: str
    name: str
    depth: int
    is_summary: bool
    current_start: dt.date | None
    current_finish: dt.date | None
    baseline_start: dt.date | None
    baseline_finish: dt.date | None
    start_slip_days: int | None
    finish_slip_days: int | None
    current_cost: Decimal
    baseline_cost: Decimal | None
    cost_difference: Decimal | None
    status: str  # "same", "changed", "added" (not in the baseline), "removed" (no longer in the plan)


def working_day_slip(calendar: WorkCalendar, baseline: dt.date | None, current: dt.date | None) -> int | None:
    """Working days from ``baseline`` to ``current``: positive when later, negative when earlier."""
    if baseline is None or current is None:
        return None
    if current == baseline:
        return 0
    early, late = sorted((baseline, current))
    days = calendar.working_days_between(early + dt.timedelta(days=1), late)
    return days if current > baseline else -days


def baseline_comparison(baseline: Baseline) -> tuple[list[ComparisonRow], ComparisonRow]:
    """Per element (tasks, and summaries rolled up) and for the project: slip and cost difference."""
    project = baseline.project
    calendar = project_work_calendar(project)
    elements = list(
        WbsElement.objects.for_organization(project.organization_id).filter(project=project).order_by("sort_key")
    )
    frozen = {
        row.task_id: row
        for row in BaselineTask.objects.for_organization(project.organization_id).filter(baseline=baseline)
    }
    rows: list[ComparisonRow] = []
    by_id = {element.pk: element for element in elements}
    children: dict[int | None, list[WbsElement]] = {}
    for element in elements:
        children.setdefault(element.parent_id, []).append(element)

    def leaves_under(element: WbsElement) -> list[WbsElement]:
        if element.is_leaf:
            return [element]
        return [leaf for child in children.get(element.pk, []) for leaf in leaves_under(child)]

    for element in elements:
        depth = element.code.count(".")
        leaves = leaves_under(element)
        base = [frozen[leaf.pk] for leaf in leaves if leaf.pk in frozen]
        base_start = min((b.start for b in base), default=None)
        base_finish = max((b.finish for b in base), default=None)
        base_cost = sum((b.budgeted_cost for b in base), Decimal("0")) if base else None
        current_cost = sum((leaf.budgeted_cost for leaf in leaves), Decimal("0"))
        if element.is_leaf and element.pk not in frozen:
            status = "added"
        elif (base_start, base_finish, base_cost) == (element.planned_start, element.planned_finish, current_cost):
            status = "same"
        else:
            status = "changed"
        rows.append(
            ComparisonRow(
                element_id=element.pk,
                code=element.code,
                name=element.name,
                depth=depth,
                is_summary=not element.is_leaf,
                current_start=element.planned_start,
                current_finish=element.planned_finish,
                baseline_start=base_start,
                baseline_finish=base_finish,
                start_slip_days=working_day_slip(calendar, base_start, element.planned_start),
                finish_slip_days=working_day_slip(calendar, base_finish, element.planned_finish),
                current_cost=current_cost,
                baseline_cost=base_cost,
                cost_difference=None if base_cost is None else current_cost - base_cost,
                status=status,
            )
        )
    for task_id, row in frozen.items():
        if task_id is None or task_id not in by_id:
            rows.append(
                ComparisonRow(
                    element_id=None,
                    code=row.code,
                    name=row.name,
                    depth=row.code.count("."),
                    is_summary=False,
                    current_start=None,
                    current_finish=None,
                    baseline_start=row.start,
                    baseline_finish=row.finish,
                    start_slip_days=None,
                    finish_slip_days=None,
                    current_cost=Decimal("0"),
                    baseline_cost=row.budgeted_cost,
                    cost_difference=-row.budgeted_cost,
                    status="removed",
                )
            )
    # Rows in tree order, a task removed since the baseline where it stood.
    rows.sort(key=lambda row: (wbs_sort_key(row.code), row.status == "removed"))
    leaves = [element for element in elements if element.is_leaf]
    all_base = list(frozen.values())
    base_start = min((b.start for b in all_base), default=None)
    base_finish = max((b.finish for b in all_base), default=None)
    base_cost = sum((b.budgeted_cost for b in all_base), Decimal("0"))
    cur_cost = sum((leaf.budgeted_cost for leaf in leaves), Decimal("0"))
    cur_start = min((leaf.planned_start for leaf in leaves if leaf.planned_start), default=None)
    cur_finish = max((leaf.planned_finish for leaf in leaves if leaf.planned_finish), default=None)
    total = ComparisonRow(
        element_id=None,
        code="",
        name=project.name,
        depth=0,
        is_summary=True,
        current_start=cur_start,
        current_finish=cur_finish,
        baseline_start=base_start,
        baseline_finish=base_finish,
        start_slip_days=working_day_slip(calendar, base_start, cur_start),
        finish_slip_days=working_day_slip(calendar, base_finish, cur_finish),
        current_cost=cur_cost,
        baseline_cost=base_cost,
        cost_difference=cur_cost - base_cost,
        status="same" if (base_start, base_finish, base_cost) == (cur_start, cur_finish, cur_cost) else "changed",
    )
    return rows, total


def projects_progress(organization: Organization | int, project_ids: Iterable[int]) -> dict[int, Decimal]:
    """% complete of each project, as the schedule rolls it up: weighted by budgeted cost, else by duration.

    One query over the projects' tasks and milestones, however many projects.
    """
    ids = list(project_ids)
    if not ids:
        return {}
    weighted = ExpressionWrapper(F("budgeted_cost") * F("percent_complete"), output_field=DecimalField())
    by_duration = ExpressionWrapper(F("duration") * F("percent_complete"), output_field=DecimalField())
    rows = (
        WbsElement.objects.for_organization(organization)
        .filter(project_id__in=ids)
        .leaves()
        .values("project_id")
        .annotate(cost=Sum("budgeted_cost"), earned=Sum(weighted), days=Sum("duration"), done=Sum(by_duration))
        .order_by()
    )
    progress: dict[int, Decimal] = {}
    for row in rows:
        cost, days = Decimal(row["cost"] or 0), Decimal(row["days"] or 0)
        if cost > 0:
            value = Decimal(row["earned"] or 0) / cost
        elif days > 0:
            value = Decimal(row["done"] or 0) / days
        else:
            value = Decimal("0")
        progress[row["project_id"]] = value.quantize(Decimal("0.1"))
    return progress
