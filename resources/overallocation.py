"""Which resources are over-allocated in the weeks ahead, and which projects load them in those weeks.

Read by the over-allocation alert (for the resources a batch of projects loads), the project
overview's panel (the project's team) and the portfolio dashboard (the whole pool). The set of
resources is given as a queryset and read as a subquery, so that the number of queries is fixed
whatever the number of resources, assignments or weeks, and is the same for an empty set: five
queries, three when the organisation's calendars are given.

The figures follow ``resources.capacity`` exactly as ``resources.selectors`` does (tested against
``selectors.utilisation``): only the open projects' assignments load a resource, spread over their
task's working days by the project's calendar; absences are load; a week is over-allocated when its
load is over its capacity or one of its days is. Materials have no capacity and are left out.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from pmo.workdays import WorkCalendar
from projects.models import OPEN_PHASES
from resources import capacity
from resources.capacity import AssignmentLoad, Period, ResourceCalendar, WeekFigures
from resources.models import (
    ABSENCE_KINDS,
    TIMED_KINDS,
    Assignment,
    AssignmentMode,
    ExceptionKind,
    Resource,
    ResourceException,
)
from resources.selectors import OrganizationCalendars, organization_calendars, week_start

if TYPE_CHECKING:
    from pmo.models import Organization

WEEK = dt.timedelta(days=7)
#: The queries of :func:`resource_weeks` without calendars given (with them: three).
QUERIES = 5


@dataclass(frozen=True)
class ResourceInfo:
    id: int
    code: str
    name: str
    kind: str
    department: str

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


@dataclass(frozen=True)
class LoadedWeek:
    """One week of a resource: its figures, and the hours each project's assignments put on it."""

    figures: WeekFigures
    by_project: dict[int, float]

    @property
    def week_start(self) -> dt.date:
        return self.figures.week_start

    @property
    def utilisation(self) -> float | None:
        return self.figures.utilisation

    def above(self, threshold: Decimal | None) -> bool:
        """Over-allocated (``threshold`` None: load over capacity, that week or on a day of it), or its
        utilisation strictly above ``threshold`` %: exactly the threshold is not above it."""
        if threshold is None:
            return self.figures.over_allocated
        return self.figures.utilisation is not None and percent(self.figures.utilisation) > threshold


@dataclass(frozen=True)
class ResourceWeeks:
    resource: ResourceInfo
    weeks: list[LoadedWeek]

    def over(self, threshold: Decimal | None = None) -> list[LoadedWeek]:
        """The weeks over-allocated, or above ``threshold`` % (see ``LoadedWeek.above``)."""
        return [week for week in self.weeks if week.above(threshold)]

    def peak(self, threshold: Decimal | None = None) -> float | None:
        """The highest utilisation of the weeks over (None when none is, or none has a known one)."""
        known = [week.utilisation for week in self.over(threshold) if week.utilisation is not None]
        return max(known) if known else None


def percent(value: float) -> Decimal:
    """A utilisation as the alert rules compare it: the engine's four places, as a decimal."""
    return Decimal(str(capacity.rounded(value)))


def shown(value: float | None) -> str:
    """A utilisation as people read it: one decimal place at most (125, 112.5)."""
    if value is None:
        return "—"
    return format(Decimal(str(round(value, 1))).normalize(), "f")


def window(start: dt.date, weeks: int) -> tuple[dt.date, dt.date]:
    """The first and last day of ``weeks`` weeks from ``start``'s Monday."""
    first = week_start(start)
    return first, first + WEEK * weeks - dt.timedelta(days=1)


def spread_in(load: AssignmentLoad, calendar: WorkCalendar, first: dt.date, last: dt.date) -> dict[dt.date, float]:
    """``capacity.spread`` of a scheduled assignment, kept to the days from ``first`` to ``last``.

    Counts the task's working days without listing them, so that a task of a year costs no more
    than the window it is read in.
    """
    if load.start is None or load.finish is None:
        return {}
    finish = max(load.finish, load.start)
    worked = calendar.working_days_between(load.start, finish)
    if load.by_work:
        each = load.work / worked if worked else load.work
    else:
        each = load.units / 100.0 * load.hours_per_day
    if not worked:
        return {load.start: each} if first <= load.start <= last else {}
    return {
        day: each for day in capacity.days(max(load.start, first), min(finish, last)) if calendar.is_working_day(day)
    }


def resource_weeks(
    organization: Organization | int,
    resources: QuerySet[Resource],
    *,
    start: dt.date,
    weeks: int,
    calendars: OrganizationCalendars | None = None,
) -> dict[int, ResourceWeeks]:
    """Each week from ``start``'s Monday of the people and equipment among ``resources``, by id.

    ``resources`` is a queryset of the organisation's resources, read as a subquery. Five queries
    (three when ``calendars`` is given): the calendars, the resources, their exceptions in the window
    and the open projects' assignments of theirs whose tasks overlap it.
    """
    first, last = window(start, weeks)
    calendars = calendars or organization_calendars(organization)
    timed = resources.filter(kind__in=sorted(TIMED_KINDS))
    rows = list(
        timed.order_by("code", "pk").values_list(
            "pk", "code", "name", "kind", "department", "calendar_id", "hours_per_day", "max_units"
        )
    )
    part_time: dict[int, list[Period]] = defaultdict(list)
    absences: dict[int, list[Period]] = defaultdict(list)
    exceptions = ResourceException.objects.for_organization(organization).filter(
        resource__in=timed.values("pk"), finish__gte=first, start__lte=last
    )
    for resource_id, kind, period_start, period_finish, hours in exceptions.order_by("start", "pk").values_list(
        "resource_id", "kind", "start", "finish", "hours_per_day"
    ):
        if kind == ExceptionKind.PART_TIME:
            part_time[resource_id].append(Period(period_start, period_finish, float(hours)))
        elif kind in ABSENCE_KINDS:
            absences[resource_id].append(Period(period_start, period_finish))
    loads: dict[int, list[tuple[int, dict[dt.date, float]]]] = defaultdict(list)
    assignments = Assignment.objects.for_organization(organization).filter(
        Q(task__planned_finish__gte=first) | Q(task__planned_start__gte=first),
        resource__in=timed.values("pk"),
        project__phase__in=OPEN_PHASES,
        task__planned_start__lte=last,
        task__planned_finish__isnull=False,
    )
    for resource_id, project_id, mode, units, work, task_start, task_finish, hours, calendar_id in assignments.order_by(
        "pk"
    ).values_list(
        "resource_id",
        "project_id",
        "mode",
        "units",
        "work",
        "task__planned_start",
        "task__planned_finish",
        "resource__hours_per_day",
        "project__calendar_id",
    ):
        load = AssignmentLoad(
            task_start, task_finish, float(units), float(work), mode == AssignmentMode.WORK, float(hours)
        )
        loads[resource_id].append((project_id, spread_in(load, calendars.for_project(calendar_id), first, last)))
    found = {}
    for pk, code, name, kind, department, calendar_id, hours_per_day, max_units in rows:
        calendar = ResourceCalendar(
            calendars.for_resource(calendar_id),
            hours_per_day=float(hours_per_day),
            max_units=float(max_units),
            part_time=tuple(part_time.get(pk, ())),
            absences=tuple(absences.get(pk, ())),
        )
        mine = loads.get(pk, [])
        figures = capacity.week_figures(
            capacity.day_figures(calendar, (daily for _project, daily in mine), first, last)
        )
        by_week: list[dict[int, float]] = [defaultdict(float) for _week in figures]
        for project_id, daily in mine:
            for day, hours in daily.items():
                by_week[(day - first).days // 7][project_id] += hours
        loaded = [
            LoadedWeek(week, {key: capacity.rounded(value) for key, value in hours.items() if value > 0})
            for week, hours in zip(figures, by_week, strict=True)
        ]
        found[pk] = ResourceWeeks(ResourceInfo(pk, code, name, kind, department), loaded)
    return found
