"""Reads of timesheets: the lines waiting for a person's decision, a week's grid, and actual work
(approved hours) against assigned work per task and per resource; each a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import reduce
from operator import add
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from pmo.models import Membership
from pmo.policy import can, permissions
from projects.models import ProjectMember, WbsElement
from resources.models import (
    DAY_FIELDS,
    ZERO,
    Assignment,
    LineCategory,
    LineStatus,
    ResourceKind,
    Timesheet,
    TimesheetLine,
)
from resources.permissions import ResourceAction
from resources.services.timesheets import WORKED_LINE_STATUSES, week_days

#: The hours of a line, summed in the database.
LINE_HOURS = reduce(add, [F(name) for name in DAY_FIELDS])
HUNDRED = Decimal("100")


# --- approvals --------------------------------------------------------------------------


def approvable_lines(membership: Membership) -> QuerySet[TimesheetLine]:
    """The submitted lines the member may decide on (never their own), oldest week first.

    The resource office decides every line; a project's manager the lines of that project.
    """
    organization_id = membership.organization_id
    lines = (
        TimesheetLine.objects.for_organization(organization_id)
        .filter(status=LineStatus.SUBMITTED)
        .exclude(timesheet__resource__user_id=membership.user_id)
    )
    if not can(membership, ResourceAction.TIMESHEET_APPROVE):
        roles = permissions[ResourceAction.TIMESHEET_APPROVE].grant.project_roles
        managed = ProjectMember.objects.for_organization(organization_id).filter(
            user_id=membership.user_id, role__in=list(roles)
        )
        lines = lines.filter(category=LineCategory.PROJECT, project_id__in=managed.values("project_id"))
    return lines.order_by("timesheet__week_start", "timesheet__resource__name", "timesheet_id", "pk")


@dataclass
class ApprovalGroup:
    """The waiting lines of one person's week, as the approvals page shows them."""

    timesheet: Timesheet
    lines: list[TimesheetLine] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((line.total_hours for line in self.lines), ZERO)

    @property
    def days(self) -> list[dt.date]:
        return week_days(self.timesheet.week_start)

    @property
    def rows(self) -> list[dict[str, Any]]:
        """Each line with its (day, hours) cells, Monday first."""
        days = self.days
        return [{"line": line, "cells": list(zip(days, line.day_hours(), strict=True))} for line in self.lines]


def approval_groups(lines: QuerySet[TimesheetLine] | list[TimesheetLine]) -> list[ApprovalGroup]:
    """Lines grouped by timesheet (person and week), in the order given; one query for a queryset."""
    if isinstance(lines, QuerySet):
        lines = list(lines.select_related("timesheet__resource", "project", "task"))
    groups: dict[int, ApprovalGroup] = {}
    for line in lines:
        group = groups.get(line.timesheet_id)
        if group is None:
            group = groups[line.timesheet_id] = ApprovalGroup(line.timesheet)
        group.lines.append(line)
    return list(groups.values())


# --- one week ---------------------------------------------------------------------------


@dataclass
class WeekGrid:
    timesheet: Timesheet | None
    days: list[dt.date]
    lines: list[TimesheetLine]
    day_totals: list[Decimal]

    @property
    def total(self) -> Decimal:
        return sum(self.day_totals, ZERO)


def timesheet_lines(timesheet: Timesheet) -> QuerySet[TimesheetLine]:
    """The week's lines with their project and task, each marked ``is_corrected`` when reversed since."""
    corrected = TimesheetLine.objects.for_organization(timesheet.organization_id).filter(reverses=OuterRef("pk"))
    return (
        TimesheetLine.objects.for_organization(timesheet.organization_id)
        .filter(timesheet=timesheet)
        .select_related("project", "task", "decided_by")
        .annotate(is_corrected=Exists(corrected))
        .order_by("pk")
    )


def week_grid(timesheet: Timesheet | None, week_start: dt.date) -> WeekGrid:
    """The lines by days of the week and each day's total (one query; none without a timesheet)."""
    lines = list(timesheet_lines(timesheet)) if timesheet is not None else []
    totals = [sum((line.day_hours()[index] for line in lines), ZERO) for index in range(len(DAY_FIELDS))]
    return WeekGrid(timesheet, week_days(week_start), lines, totals)


# --- actual work against assigned work ----------------------------------------------------


@dataclass
class WorkRow:
    """One resource on one task: the hours assigned and the hours approved on timesheets."""

    project_id: int
    project_code: str
    task_id: int
    task_code: str
    task_name: str
    sort_key: str
    resource_id: int
    resource_code: str
    resource_name: str
    assigned: Decimal = ZERO
    actual: Decimal = ZERO

    @property
    def percent(self) -> Decimal | None:
        """Actual work as a percentage of the assigned work (None without assigned work)."""
        return percent_of(self.actual, self.assigned)


def percent_of(actual: Decimal, assigned: Decimal) -> Decimal | None:
    if assigned <= 0:
        return None
    return (actual * HUNDRED / assigned).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def actual_work(
    organization_id: int,
    *,
    project_ids: list[int] | None = None,
    resource_ids: list[int] | None = None,
    task_ids: list[int] | None = None,
) -> list[WorkRow]:
    """Assigned and approved hours of people per task and resource, in plan order (two queries).

    Approved hours are those of approved lines net of their reversals; assigned work is the
    assignments' work of people (equipment and materials keep no timesheets).
    """
    lines = TimesheetLine.objects.for_organization(organization_id).filter(
        category=LineCategory.PROJECT, status__in=WORKED_LINE_STATUSES
    )
    assignments = Assignment.objects.for_organization(organization_id).filter(resource__kind=ResourceKind.PERSON)
    if project_ids is not None:
        lines = lines.filter(project_id__in=project_ids)
        assignments = assignments.filter(project_id__in=project_ids)
    if resource_ids is not None:
        lines = lines.filter(timesheet__resource_id__in=resource_ids)
        assignments = assignments.filter(resource_id__in=resource_ids)
    if task_ids is not None:
        lines = lines.filter(task_id__in=task_ids)
        assignments = assignments.filter(task_id__in=task_ids)
    rows: dict[tuple[int, int], WorkRow] = {}

    def row(values: dict[str, Any], resource: str) -> WorkRow:
        key = (values["task_id"], values[f"{resource}_id"])
        code, name = ("resource__code", "resource__name") if resource == "resource" else ("person_code", "person_name")
        found = rows.get(key)
        if found is None:
            found = rows[key] = WorkRow(
                project_id=values["project_id"],
                project_code=values["project__code"],
                task_id=values["task_id"],
                task_code=values["task__code"],
                task_name=values["task__name"],
                sort_key=values["task__sort_key"],
                resource_id=values[f"{resource}_id"],
                resource_code=values[code],
                resource_name=values[name],
            )
        return found

    task_columns = ("project_id", "project__code", "task_id", "task__code", "task__name", "task__sort_key")
    for values in (
        assignments.values(*task_columns, "resource_id", "resource__code", "resource__name")
        .annotate(work=Sum("work"))
        .order_by()
    ):
        row(values, "resource").assigned += values["work"] or ZERO
    worked = (
        lines.annotate(
            person_id=F("timesheet__resource_id"),
            person_code=F("timesheet__resource__code"),
            person_name=F("timesheet__resource__name"),
        )
        .values(*task_columns, "person_id", "person_code", "person_name")
        .annotate(hours=Sum(LINE_HOURS))
        .order_by()
    )
    for values in worked:
        row(values, "person").actual += values["hours"] or ZERO
    return sorted(rows.values(), key=lambda r: (r.project_code, r.sort_key, r.resource_code))


@dataclass
class WorkTotal:
    key: int
    code: str
    name: str
    assigned: Decimal = ZERO
    actual: Decimal = ZERO

    @property
    def percent(self) -> Decimal | None:
        return percent_of(self.actual, self.assigned)


def work_by_task(rows: list[WorkRow]) -> list[WorkTotal]:
    totals: dict[int, WorkTotal] = {}
    for row in rows:
        total = totals.setdefault(row.task_id, WorkTotal(row.task_id, row.task_code, row.task_name))
        total.assigned += row.assigned
        total.actual += row.actual
    return list(totals.values())


def work_by_resource(rows: list[WorkRow]) -> list[WorkTotal]:
    totals: dict[int, WorkTotal] = defaultdict(lambda: WorkTotal(0, "", ""))
    for row in rows:
        total = totals[row.resource_id]
        total.key, total.code, total.name = row.resource_id, row.resource_code, row.resource_name
        total.assigned += row.assigned
        total.actual += row.actual
    return sorted(totals.values(), key=lambda total: total.code)


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f") if value else "0"


def task_progress_hint(task: WbsElement) -> str | None:
    """The progress form's suggestion: approved hours over assigned hours, capped at 100 (two queries).

    None when nobody is assigned work on the task; the project manager decides the percentage.
    """
    totals = work_by_task(actual_work(task.organization_id, project_ids=[task.project_id], task_ids=[task.pk]))
    if not totals or totals[0].assigned <= 0:
        return None
    total = totals[0]
    percent = min(total.percent or ZERO, HUNDRED)
    return _("Timesheets: %(actual)s of %(assigned)s assigned hours are approved, which suggests %(percent)s%%.") % {
        "actual": _plain(total.actual),
        "assigned": _plain(total.assigned),
        "percent": _plain(percent),
    }


def waiting_lines_of_project(project_id: int, organization_id: int) -> QuerySet[TimesheetLine]:
    """Every submitted line of a project (the project's approvals page filters it further)."""
    return TimesheetLine.objects.for_organization(organization_id).filter(
        Q(project_id=project_id) & Q(status=LineStatus.SUBMITTED)
    )
