"""Capacity, load and utilisation of the pool, read in a fixed number of queries whatever its size.

Everything is read as values: the organisation's working calendars and their exceptions (two
queries, ``organization_calendars``), the resources and their personal exceptions, and the
assignments joined to their task's planned dates, the resource's hours a day and the project's
calendar. Nothing per day is stored; the figures follow the conventions of ``resources.capacity``
(capacity unknown without a calendar, absences as load, exactly 100 % not over-allocated) and are
tested to agree with it day by day.

- ``resource_calendars``: each resource's ``capacity.ResourceCalendar`` (its calendar or the
  organisation's default; none: unknown).
- ``assignment_loads``: each assignment's load per day in a window (``LoadRow``), spread over its
  task's working days by the project's calendar (the organisation's default, else Monday to Friday).
- ``free_capacity``: capacity minus load over a period per resource (negative when over-booked).
- ``utilisation``: the resource x week grid of the heat map and the API. Its path does not build a
  dictionary per assignment: each assignment adds its daily load to a running-sum array of the
  resource and the project calendar (two additions), and the sums are read against the calendar's
  working days once per resource, so the cost grows with assignments plus resources x days.
- ``resource_detail`` (days and weeks of one resource, by project), ``resource_week`` (the
  assignments and absences behind one cell) and ``role_demand`` (demand against capacity by role).

Only the open projects' assignments load a resource (closed and cancelled projects' do not);
materials have no capacity and are left out of utilisation and demand; placeholders are left out
of the heat map and counted as demand of their role.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from django.db import connections
from django.db.models import FloatField, Q
from django.db.models.functions import Cast

from pmo.models import CalendarException, WorkingCalendar
from pmo.workdays import WorkCalendar
from projects.models import OPEN_PHASES
from resources import capacity
from resources.capacity import PLACES, DayFigures, Period, ResourceCalendar, WeekFigures, rounded
from resources.models import (
    ABSENCE_KINDS,
    TIMED_KINDS,
    Assignment,
    AssignmentMode,
    ExceptionKind,
    Resource,
    ResourceException,
    ResourceRole,
    ResourceSkill,
)

if TYPE_CHECKING:
    from pmo.models import Organization

ONE_DAY = dt.timedelta(days=1)
WEEK = dt.timedelta(days=7)
MIN_WEEKS, MAX_WEEKS, DEFAULT_WEEKS = 4, 52, 12
#: Keys of the utilisation bands, lowest first (see ``band``).
BANDS = ("unknown", "none", "low", "medium", "high", "full", "over")


def week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week."""
    return day - dt.timedelta(days=day.weekday())


def _clean(value: float) -> float:
    """Rounded as the engine rounds, and never -0.0 (a running sum may leave a tiny negative)."""
    return round(value, PLACES) + 0.0


# --- calendars ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrganizationCalendars:
    """Every working calendar of an organisation by id, and which one is its default."""

    by_id: dict[int, WorkCalendar]
    default_id: int | None

    def for_resource(self, calendar_id: int | None) -> WorkCalendar | None:
        """A resource's calendar, else the default; None (capacity unknown) without either."""
        return self.by_id.get(calendar_id or self.default_id or 0)

    def project_key(self, calendar_id: int | None) -> int:
        """The id of the calendar a project's tasks are scheduled on; 0 for Monday to Friday."""
        key = calendar_id or self.default_id or 0
        return key if key in self.by_id else 0

    def for_project(self, calendar_id: int | None) -> WorkCalendar:
        """A project's calendar, else the default, else Monday to Friday (as ``project_work_calendar``)."""
        return self.by_id.get(self.project_key(calendar_id)) or _MONDAY_TO_FRIDAY


_MONDAY_TO_FRIDAY = WorkCalendar()


def organization_calendars(organization: Organization | int) -> OrganizationCalendars:
    """The organisation's calendars with their holidays and make-up days, in two queries."""
    holidays: dict[int, list[dt.date]] = defaultdict(list)
    extra: dict[int, list[dt.date]] = defaultdict(list)
    exceptions = CalendarException.objects.for_organization(organization).values_list(
        "calendar_id", "date", "is_working"
    )
    for calendar_id, day, is_working in exceptions:
        (extra if is_working else holidays)[calendar_id].append(day)
    by_id: dict[int, WorkCalendar] = {}
    default_id = None
    for pk, weekdays, is_default in WorkingCalendar.objects.for_organization(organization).values_list(
        "pk", "working_weekdays", "is_default"
    ):
        by_id[pk] = WorkCalendar(weekdays, holidays.get(pk, ()), extra.get(pk, ()))
        if is_default:
            default_id = pk
    return OrganizationCalendars(by_id, default_id)


RESOURCE_COLUMNS = ("pk", "calendar_id", "hours_per_day", "max_units")


def _exceptions(
    organization: Organization | int, resource_ids: Iterable[int], start: dt.date | None, finish: dt.date | None
) -> dict[int, tuple[list[Period], list[Period]]]:
    """Each resource's part-time periods and absences (overlapping the window when given), in one query."""
    rows = ResourceException.objects.for_organization(organization).filter(resource_id__in=list(resource_ids))
    if start is not None:
        rows = rows.filter(finish__gte=start)
    if finish is not None:
        rows = rows.filter(start__lte=finish)
    found: dict[int, tuple[list[Period], list[Period]]] = {}
    for resource_id, kind, first, last, hours in rows.order_by("start", "pk").values_list(
        "resource_id", "kind", "start", "finish", "hours_per_day"
    ):
        part_time, absences = found.setdefault(resource_id, ([], []))
        if kind == ExceptionKind.PART_TIME:
            part_time.append(Period(first, last, float(hours)))
        elif kind in ABSENCE_KINDS:
            absences.append(Period(first, last))
    return found


def _calendars_of(
    rows: Iterable[tuple[int, int | None, Any, Any]],
    calendars: OrganizationCalendars,
    exceptions: dict[int, tuple[list[Period], list[Period]]],
) -> dict[int, ResourceCalendar]:
    result = {}
    for pk, calendar_id, hours_per_day, max_units in rows:
        part_time, absences = exceptions.get(pk, ([], []))
        result[pk] = ResourceCalendar(
            calendars.for_resource(calendar_id),
            hours_per_day=float(hours_per_day),
            max_units=float(max_units),
            part_time=tuple(part_time),
            absences=tuple(absences),
        )
    return result


def resource_calendars(
    organization: Organization | int,
    resource_ids: Iterable[int],
    *,
    start: dt.date | None = None,
    finish: dt.date | None = None,
    calendars: OrganizationCalendars | None = None,
) -> dict[int, ResourceCalendar]:
    """What each resource can work: calendar (or the default; None: unknown), hours, units, exceptions.

    Four queries (two when ``calendars`` is given). ``start``/``finish`` keep only the exceptions
    overlapping that window; resources of other organisations are absent from the answer.
    """
    ids = list(set(resource_ids))
    calendars = calendars or organization_calendars(organization)
    rows = Resource.objects.for_organization(organization).filter(pk__in=ids).values_list(*RESOURCE_COLUMNS).order_by()
    return _calendars_of(rows, calendars, _exceptions(organization, ids, start, finish))


# --- assignment loads --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LoadRow:
    """One assignment's load per day in a window (hours; a material's unit for materials)."""

    assignment_id: int
    project_id: int
    task_id: int
    resource_id: int
    daily: dict[dt.date, float]


@dataclass(frozen=True, slots=True)
class _Placed:
    """An assignment's load in a window: ``each`` hours on every working day of ``calendar`` from
    ``first`` to ``last``, or on ``first`` alone (``single``: a milestone, or a task with no working day)."""

    assignment_id: int
    project_id: int
    task_id: int
    resource_id: int
    calendar_key: int
    calendar: WorkCalendar
    first: dt.date
    last: dt.date
    each: float
    single: bool

    def daily(self) -> dict[dt.date, float]:
        if self.single:
            return {self.first: self.each}
        return dict.fromkeys(
            (day for day in capacity.days(self.first, self.last) if self.calendar.is_working_day(day)), self.each
        )


ASSIGNMENT_COLUMNS = (
    "pk",
    "project_id",
    "task_id",
    "resource_id",
    "mode",
    "units",
    "work",
    "task__planned_start",
    "task__planned_finish",
    "resource__hours_per_day",
    "project__calendar_id",
)


def _placed(
    organization: Organization | int,
    calendars: OrganizationCalendars,
    *,
    start: dt.date,
    finish: dt.date,
    resource_ids: Iterable[int] | None = None,
    project_ids: Iterable[int] | None = None,
    resources: Q | None = None,
) -> list[_Placed]:
    """The open projects' assignments whose task overlaps the window, placed in it, in one query."""
    rows = _assignments_in(
        organization,
        start=start,
        finish=finish,
        resource_ids=resource_ids,
        project_ids=project_ids,
        resources=resources,
    )
    placed = []
    for (
        pk,
        project_id,
        task_id,
        resource_id,
        mode,
        units,
        work,
        task_start,
        task_finish,
        hours,
        calendar_id,
    ) in rows.order_by("pk").values_list(*ASSIGNMENT_COLUMNS):
        key = calendars.project_key(calendar_id)
        calendar = calendars.by_id.get(key) or _MONDAY_TO_FRIDAY
        task_finish = max(task_finish, task_start)
        worked = calendar.working_days_between(task_start, task_finish)
        if mode == AssignmentMode.WORK:
            each = float(work) / worked if worked else float(work)
        else:
            each = float(units) / 100.0 * float(hours)
        if not worked:
            if start <= task_start <= finish:
                placed.append(
                    _Placed(
                        pk, project_id, task_id, resource_id, key, calendar, task_start, task_start, each, single=True
                    )
                )
            continue
        first, last = max(task_start, start), min(task_finish, finish)
        if first <= last:
            placed.append(_Placed(pk, project_id, task_id, resource_id, key, calendar, first, last, each, single=False))
    return placed


def _assignments_in(
    organization: Organization | int,
    *,
    start: dt.date,
    finish: dt.date,
    resource_ids: Iterable[int] | None = None,
    project_ids: Iterable[int] | None = None,
    resources: Q | None = None,
) -> Any:
    """The open projects' assignments whose task overlaps the window (a queryset)."""
    rows = Assignment.objects.for_organization(organization).filter(
        Q(task__planned_finish__gte=start) | Q(task__planned_start__gte=start),
        task__planned_start__lte=finish,
        task__planned_finish__isnull=False,
        project__phase__in=OPEN_PHASES,
    )
    if resource_ids is not None:
        rows = rows.filter(resource_id__in=list(resource_ids))
    if project_ids is not None:
        rows = rows.filter(project_id__in=list(project_ids))
    if resources is not None:
        rows = rows.filter(resource__in=Resource.objects.for_organization(organization).filter(resources))
    return rows


@dataclass(frozen=True)
class _Placement:
    """Assignments placed in a window, as columns: ``each`` hours on every working day of the project
    calendar ``calendar_key`` from day ``first`` to day ``last`` (indices in the window), or on
    ``first`` alone where ``single`` (a milestone, or a task with no working day)."""

    resource_id: npt.NDArray[np.int64]
    calendar_key: npt.NDArray[np.int64]
    first: npt.NDArray[np.int64]
    last: npt.NDArray[np.int64]
    each: npt.NDArray[np.float64]
    single: npt.NDArray[np.bool_]

    @classmethod
    def of(cls, placed: Iterable[_Placed], window: _Window) -> _Placement:
        items = list(placed)
        origin = window.start.toordinal()
        return cls(
            np.array([one.resource_id for one in items], dtype=np.int64),
            np.array([one.calendar_key for one in items], dtype=np.int64),
            np.array([one.first.toordinal() - origin for one in items], dtype=np.int64),
            np.array([one.last.toordinal() - origin for one in items], dtype=np.int64),
            np.array([one.each for one in items], dtype=np.float64),
            np.array([one.single for one in items], dtype=bool),
        )


PLACEMENT_COLUMNS = (
    "resource_id",
    "mode",
    "units_float",
    "work_float",
    "task__planned_start",
    "task__planned_finish",
    "project__calendar_id",
)
#: How near a tie (…5 at the fifth place) a value is rounded by Python rather than NumPy.
_NEAR_TIE = 1e-6
#: Most resources whose assignments are read by a list of ids (more: by a join on their condition).
_IDS_LISTED = 100
#: Longest span of days whose working days are counted with an array; a longer one is counted by bisection.
_COUNTED_SPAN = 20_000


def _working_days(
    calendar: WorkCalendar, starts: npt.NDArray[np.int64], finishes: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """``calendar.working_days_between`` of each (start, finish) ordinal pair, from one running count of days."""
    if not len(starts):
        return np.zeros(0, dtype=np.int64)
    base, top = int(starts.min()), int(finishes.max())
    if top - base > _COUNTED_SPAN:
        return np.array(
            [
                calendar.working_days_between(dt.date.fromordinal(first), dt.date.fromordinal(last))
                for first, last in zip(starts.tolist(), finishes.tolist(), strict=True)
            ],
            dtype=np.int64,
        )
    day = dt.date.fromordinal(base)
    worked = [calendar.is_working_day(day + dt.timedelta(days=offset)) for offset in range(top - base + 1)]
    running = np.concatenate(([0], np.cumsum(np.array(worked, dtype=np.int64))))
    return running[finishes - base + 1] - running[starts - base]


def _ordinal(day: dt.date | str) -> int:
    return day.toordinal() if isinstance(day, dt.date) else dt.date.fromisoformat(day).toordinal()


def _placement(
    organization: Organization | int,
    calendars: OrganizationCalendars,
    hours_of: dict[int, float],
    window: _Window,
    *,
    resource_ids: Iterable[int] | None = None,
    resources: Q | None = None,
) -> _Placement:
    """The assignments of the resources in ``hours_of`` (their hours a day) placed in the window, in one query.

    The same placement as ``_placed`` (the tests hold them to it), computed on columns: the grid's path.
    """
    start, finish = window.start, window.start + dt.timedelta(days=window.length - 1)
    query = (
        _assignments_in(organization, start=start, finish=finish, resource_ids=resource_ids, resources=resources)
        .annotate(units_float=Cast("units", FloatField()), work_float=Cast("work", FloatField()))
        .order_by("pk")
        .values_list(*PLACEMENT_COLUMNS)
    )
    # The rows as the driver gives them (floats, dates; SQLite's dates as text): the ORM's converters, row by
    # row, cost more than the rest of the placement.
    sql, params = query.query.sql_with_params()
    with connections[query.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = [row for row in cursor.fetchall() if row[0] in hours_of]
    count = len(rows)
    if not count:
        empty = np.zeros(0, dtype=np.int64)
        return _Placement(empty, empty, empty, empty, np.zeros(0), np.zeros(0, dtype=bool))
    resource_col, mode_col, units_col, work_col, start_col, finish_col, calendar_col = zip(*rows, strict=True)
    resource_id = np.fromiter(resource_col, np.int64, count)
    by_work = np.fromiter((mode == AssignmentMode.WORK for mode in mode_col), bool, count)
    units = np.fromiter(units_col, np.float64, count)
    work = np.fromiter(work_col, np.float64, count)
    hours = np.fromiter((hours_of[pk] for pk in resource_col), np.float64, count)
    starts = np.fromiter((_ordinal(day) for day in start_col), np.int64, count)
    finishes = np.maximum(np.fromiter((_ordinal(day) for day in finish_col), np.int64, count), starts)
    keys: dict[int | None, int] = {}
    calendar_key = np.fromiter((keys.setdefault(pk, calendars.project_key(pk)) for pk in calendar_col), np.int64, count)
    worked = np.zeros(count, dtype=np.int64)
    for key in set(keys.values()):
        chosen = calendar_key == key
        calendar = calendars.by_id.get(key) or _MONDAY_TO_FRIDAY
        worked[chosen] = _working_days(calendar, starts[chosen], finishes[chosen])
    each = np.where(by_work, work / np.maximum(worked, 1), units / 100.0 * hours)
    single = worked == 0
    origin, end = start.toordinal(), finish.toordinal()
    first = np.where(single, starts, np.maximum(starts, origin))
    last = np.where(single, starts, np.minimum(finishes, end))
    kept = np.where(single, (starts >= origin) & (starts <= end), first <= last)
    return _Placement(
        resource_id[kept],
        calendar_key[kept],
        first[kept] - origin,
        last[kept] - origin,
        each[kept],
        single[kept],
    )


def assignment_loads(
    organization: Organization | int,
    *,
    start: dt.date,
    finish: dt.date,
    resource_ids: Iterable[int] | None = None,
    project_ids: Iterable[int] | None = None,
    calendars: OrganizationCalendars | None = None,
) -> dict[int, list[LoadRow]]:
    """The load per day from ``start`` to ``finish`` of each resource's assignments, by resource id.

    Three queries (one when ``calendars`` is given). An assignment whose task has no working day
    in the window is absent; a resource without load in the window is absent.
    """
    calendars = calendars or organization_calendars(organization)
    loads: dict[int, list[LoadRow]] = {}
    for placed in _placed(
        organization, calendars, start=start, finish=finish, resource_ids=resource_ids, project_ids=project_ids
    ):
        daily = placed.daily()
        if daily:
            loads.setdefault(placed.resource_id, []).append(
                LoadRow(placed.assignment_id, placed.project_id, placed.task_id, placed.resource_id, daily)
            )
    return loads


# --- the fast path: days of many resources as arrays ---------------------------------------------


class _Window:
    """Days ``start``..``start + length - 1`` as indices, with each calendar's working days as a mask."""

    def __init__(self, start: dt.date, length: int) -> None:
        self.start = start
        self.length = length
        self.dates = [start + dt.timedelta(days=offset) for offset in range(length)]
        self._masks: dict[int, npt.NDArray[np.bool_]] = {}

    def index(self, day: dt.date) -> int:
        return (day - self.start).days

    def mask(self, calendar: WorkCalendar) -> npt.NDArray[np.bool_]:
        key = id(calendar)
        if key not in self._masks:
            self._masks[key] = np.array([calendar.is_working_day(day) for day in self.dates], dtype=bool)
        return self._masks[key]


@dataclass(frozen=True)
class Days:
    """One resource's days over a window: capacity (None: unknown), assignment load and absence."""

    start: dt.date
    capacity: list[float | None]
    assigned: list[float]
    absence: list[float]

    def figures(self) -> list[DayFigures]:
        return [
            DayFigures(
                self.start + dt.timedelta(days=index),
                known,
                _clean(assigned + absent),
                _clean(absent),
                assigned + absent,
            )
            for index, (known, assigned, absent) in enumerate(
                zip(self.capacity, self.assigned, self.absence, strict=True)
            )
        ]

    def weeks(self) -> list[WeekFigures]:
        """Seven days at a time from ``start`` (a Monday), as ``capacity.week_figures`` folds them."""
        return capacity.week_figures(self.figures())

    def week_absences(self) -> list[float]:
        return [_clean(sum(self.absence[offset : offset + 7])) for offset in range(0, len(self.absence), 7)]


class _Arrays:
    """Capacity, assignment load and absence of many resources x the days of a window, as arrays.

    Capacity is NaN where unknown. Each assignment adds its daily load to a running-sum row of its
    resource and project calendar (``+each`` on its first day, ``-each`` after its last), so the load
    of every day is one cumulative sum per calendar, masked by that calendar's working days. The
    figures are those of ``resources.capacity``, day by day (rounded to ``PLACES`` places).
    """

    def __init__(
        self,
        resources: dict[int, ResourceCalendar],
        placed: Iterable[_Placed] | _Placement,
        window: _Window,
        calendars: OrganizationCalendars | None = None,
    ) -> None:
        self.window = window
        self.ids = list(resources)
        self.rows = {pk: row for row, pk in enumerate(self.ids)}
        shape = (len(self.ids), window.length)
        self.capacity = np.zeros(shape)
        self.absence = np.zeros(shape)
        self.assigned = np.zeros(shape)
        for row, pk in enumerate(self.ids):
            self._capacity(row, resources[pk])
        if isinstance(placed, _Placement):
            self._load(placed, calendars or OrganizationCalendars({}, None))
        else:
            items = list(placed)
            found = {one.calendar_key: one.calendar for one in items}
            self._load(_Placement.of(items, window), OrganizationCalendars(found, None))

    def _capacity(self, row: int, resource: ResourceCalendar) -> None:
        window, units = self.window, resource.max_units / 100.0
        if resource.calendar is None:
            self.capacity[row] = np.nan
        elif resource.part_time:
            mask = window.mask(resource.calendar)
            self.capacity[row] = [
                rounded(resource.hours_on(day) * units) if worked else 0.0
                for day, worked in zip(window.dates, mask.tolist(), strict=True)
            ]
        else:
            self.capacity[row] = window.mask(resource.calendar) * rounded(resource.hours_per_day * units)
        for period in resource.absences:
            first = max(window.index(period.start), 0)
            last = min(window.index(period.finish), window.length - 1)
            if first > last:
                continue
            if resource.calendar is not None:
                self.absence[row, first : last + 1] = self.capacity[row, first : last + 1]
            else:  # the usual day's hours, as ``ResourceCalendar.absence_load`` takes them
                self.absence[row, first : last + 1] = [
                    rounded(resource.hours_on(day) * units) for day in window.dates[first : last + 1]
                ]

    def _load(self, placement: _Placement, calendars: OrganizationCalendars) -> None:
        """Each assignment's running sum per resource and calendar: ``+each`` from its first day, ``-each`` after."""
        count, length = len(self.ids), self.window.length
        if not count or not len(placement.resource_id):
            return
        ordered = np.array(self.ids, dtype=np.int64)
        order = np.argsort(ordered)
        found = np.searchsorted(ordered, placement.resource_id, sorter=order).clip(0, count - 1)
        row = order[found]
        ours = ordered[row] == placement.resource_id
        single = placement.single & ours
        if single.any():
            self.assigned += np.bincount(
                row[single] * length + placement.first[single],
                weights=placement.each[single],
                minlength=count * length,
            ).reshape(count, length)
        spread = ours & ~placement.single
        width = length + 1
        for key in np.unique(placement.calendar_key[spread]).tolist():
            chosen = spread & (placement.calendar_key == key)
            each = placement.each[chosen]
            size = count * width
            differences = np.bincount(row[chosen] * width + placement.first[chosen], weights=each, minlength=size)
            differences -= np.bincount(row[chosen] * width + placement.last[chosen] + 1, weights=each, minlength=size)
            calendar = calendars.by_id.get(key) or _MONDAY_TO_FRIDAY
            self.assigned += np.cumsum(differences.reshape(count, width), axis=1)[:, :-1] * self.window.mask(calendar)

    def days(self, pk: int) -> Days:
        row = self.rows[pk]
        known = self.capacity[row].tolist()
        return Days(
            self.window.start,
            [None if hours != hours else hours for hours in known],  # NaN: unknown
            self.assigned[row].tolist(),
            self.absence[row].tolist(),
        )

    def weeks(self) -> dict[int, WeekColumns]:
        """Each resource's weeks, as ``capacity.week_figures`` folds its days, as columns."""
        count, weeks = len(self.ids), self.window.length // 7
        shape = (count, weeks, 7)
        load = self.assigned + self.absence
        known = ~np.isnan(self.capacity[:, ::7]) if self.window.length else np.zeros((count, 0), dtype=bool)
        over_days = np.where(known, (_round(load) > self.capacity).reshape(shape).sum(axis=2), 0)
        capacity = _round(self.capacity.reshape(shape).sum(axis=2))  # NaN: unknown
        week_load = _round(load.reshape(shape).sum(axis=2))
        absence = _round(self.absence.reshape(shape).sum(axis=2))
        measured = known & (capacity != 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            percent = _round(np.where(measured, week_load / np.where(measured, capacity, 1.0) * 100.0, np.nan))
        over = known & ((over_days > 0) | (week_load > capacity))
        mondays = [self.window.start + WEEK * number for number in range(weeks)]
        columns = zip(
            capacity.tolist(),
            week_load.tolist(),
            absence.tolist(),
            percent.tolist(),
            over.tolist(),
            over_days.tolist(),
            strict=True,
        )
        return {
            pk: WeekColumns(
                mondays,
                [None if hours != hours else hours for hours in capacities],  # NaN: unknown
                loads,
                absences,
                [None if value != value else value for value in percents],
                overs,
                days,
            )
            for pk, (capacities, loads, absences, percents, overs, days) in zip(self.ids, columns, strict=True)
        }


def _round(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """``capacity.rounded`` of each value (never -0.0): NumPy's rounding, except within a hair of a tie, where
    NumPy rounds the scaled product and Python the exact value; there Python's ``round`` decides."""
    scaled = values * 10.0**PLACES
    result = np.round(values, PLACES) + 0.0
    near = np.argwhere(np.abs(scaled - np.floor(scaled) - 0.5) < _NEAR_TIE)
    for index in near.tolist():
        result[tuple(index)] = rounded(float(values[tuple(index)])) + 0.0
    return result


@dataclass(frozen=True)
class WeekColumns:
    """A resource's weeks as columns (the API reads them so); ``figures`` gives them as ``WeekFigures``."""

    week_starts: list[dt.date]
    capacity: list[float | None]  # None: unknown
    load: list[float]
    absence: list[float]
    utilisation: list[float | None]  # %; None without capacity
    over_allocated: list[bool]
    over_allocated_days: list[int]

    def figures(self) -> list[WeekFigures]:
        return [
            WeekFigures(monday, known, hours, days)
            for monday, known, hours, days in zip(
                self.week_starts, self.capacity, self.load, self.over_allocated_days, strict=True
            )
        ]


def _days_of(resources: dict[int, ResourceCalendar], placed: Iterable[_Placed], window: _Window) -> dict[int, Days]:
    arrays = _Arrays(resources, placed, window)
    return {pk: arrays.days(pk) for pk in arrays.ids}


def free_capacity(
    organization: Organization | int, resource_ids: Iterable[int], start: dt.date, finish: dt.date
) -> dict[int, float | None]:
    """Capacity minus load (assignments and absences) over ``start``..``finish``, in hours, per resource.

    None when the capacity is unknown (no calendar); negative when the resource is over-booked.
    Five queries; resources of other organisations are absent.
    """
    ids = list(set(resource_ids))
    if finish < start:
        return dict.fromkeys(ids, 0.0)
    calendars = organization_calendars(organization)
    resources = resource_calendars(organization, ids, start=start, finish=finish, calendars=calendars)
    window = _Window(start, (finish - start).days + 1)
    hours_of = {pk: resource.hours_per_day for pk, resource in resources.items()}
    placement = _placement(organization, calendars, hours_of, window, resource_ids=ids)
    arrays = _Arrays(resources, placement, window, calendars)
    capacities = arrays.capacity.sum(axis=1).tolist()
    loads = (arrays.assigned.sum(axis=1) + arrays.absence.sum(axis=1)).tolist()
    return {
        pk: None if known != known else _clean(known - load)  # NaN: unknown
        for pk, known, load in zip(arrays.ids, capacities, loads, strict=True)
    }


# --- utilisation: the heat map's grid -----------------------------------------------------------------


@dataclass(frozen=True)
class UtilisationFilters:
    """What the heat map and the API filter the resources on; empty values filter nothing."""

    department: str = ""
    skill_id: int | None = None
    kind: str = ""
    project_id: int | None = None
    role_id: int | None = None

    def is_empty(self) -> bool:
        return not (self.department or self.skill_id or self.kind or self.project_id or self.role_id)


@dataclass(frozen=True)
class ResourceRow:
    """One resource's line of the grid: who it is, and its weeks (``columns``, or ``weeks`` as figures)."""

    id: int
    code: str
    name: str
    kind: str
    department: str
    role_id: int | None
    role_name: str
    columns: WeekColumns

    @cached_property
    def weeks(self) -> list[WeekFigures]:
        return self.columns.figures()

    @property
    def absences(self) -> list[float]:
        return self.columns.absence


@dataclass(frozen=True)
class UtilisationGrid:
    start: dt.date
    weeks: list[dt.date]
    rows: list[ResourceRow]
    #: Resources matching the filters (all pages).
    count: int

    @property
    def finish(self) -> dt.date:
        return self.start + WEEK * len(self.weeks) - ONE_DAY


GRID_COLUMNS = (
    "pk",
    "code",
    "name",
    "kind",
    "department",
    "role_id",
    "role__name",
    "calendar_id",
    "hours_per_day",
    "max_units",
)


def _resource_filter(
    organization: Organization | int, filters: UtilisationFilters, start: dt.date, finish: dt.date
) -> Q:
    """The active named people and equipment matching the filters, as a condition on ``Resource``."""
    condition = Q(is_active=True, is_placeholder=False, kind__in=sorted(TIMED_KINDS))
    if filters.department:
        condition &= Q(department=filters.department)
    if filters.kind:
        condition &= Q(kind=filters.kind)
    if filters.role_id is not None:
        condition &= Q(role_id=filters.role_id)
    if filters.skill_id is not None:
        condition &= Q(
            pk__in=ResourceSkill.objects.for_organization(organization)
            .filter(skill_id=filters.skill_id)
            .values("resource_id")
        )
    if filters.project_id is not None:
        condition &= Q(
            pk__in=Assignment.objects.for_organization(organization)
            .filter(
                Q(task__planned_finish__gte=start) | Q(task__planned_start__gte=start),
                project_id=filters.project_id,
                task__planned_start__lte=finish,
            )
            .values("resource_id")
        )
    return condition


def utilisation(
    organization: Organization | int,
    *,
    start: dt.date,
    weeks: int,
    filters: UtilisationFilters | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> UtilisationGrid:
    """Capacity, load and utilisation of each week from ``start``'s Monday, per resource, by code.

    ``offset``/``limit`` take one page of the resources (``count`` is of all of them). Six queries
    whatever the number of resources, assignments and weeks (one when no resource matches): the
    count, the page of resources, their exceptions, the calendars and their exceptions, and the
    assignments of those resources whose tasks overlap the window.
    """
    filters = filters or UtilisationFilters()
    first = week_start(start)
    finish = first + WEEK * weeks - ONE_DAY
    week_starts = [first + WEEK * number for number in range(weeks)]
    condition = _resource_filter(organization, filters, first, finish)
    resources = Resource.objects.for_organization(organization).filter(condition)
    count = resources.count()
    page = resources.order_by("code", "pk").values_list(*GRID_COLUMNS)
    rows = list(page[offset : offset + limit] if limit is not None else page[offset:])
    if not rows:
        return UtilisationGrid(first, week_starts, [], count)
    ids = [row[0] for row in rows]
    calendars = organization_calendars(organization)
    exceptions = _exceptions(organization, ids, first, finish)
    resource_of = _calendars_of(
        ((pk, calendar_id, hours, units) for pk, *_, calendar_id, hours, units in rows), calendars, exceptions
    )
    window = _Window(first, weeks * 7)
    hours_of = {pk: resource.hours_per_day for pk, resource in resource_of.items()}
    # A long page reads the assignments of every matching resource (a join) rather than a long list of ids.
    by_ids = len(ids) <= _IDS_LISTED
    placement = _placement(
        organization,
        calendars,
        hours_of,
        window,
        resource_ids=ids if by_ids else None,
        resources=None if by_ids else condition,
    )
    weeks_of = _Arrays(resource_of, placement, window, calendars).weeks()
    result = [
        ResourceRow(pk, code, name, kind, department, role_id, role_name or "", weeks_of[pk])
        for pk, code, name, kind, department, role_id, role_name, *_ in rows
    ]
    return UtilisationGrid(first, week_starts, result, count)


def band(figures: WeekFigures | DayFigures) -> str:
    """The colour band of a cell: unknown capacity, no capacity, <50, <80, <100, exactly full, over."""
    if figures.capacity is None:
        return "unknown"
    if figures.over_allocated:
        return "over"
    if not figures.capacity:
        return "none"
    percent = figures.utilisation or 0.0
    if percent < 50:
        return "low"
    if percent < 80:
        return "medium"
    if percent < 100:
        return "high"
    return "full"


# --- one resource: days, weeks, and one week's assignments ------------------------------------------


@dataclass(frozen=True)
class ProjectRef:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class DetailDay:
    figures: DayFigures
    by_project: dict[int, float]


@dataclass(frozen=True)
class DetailWeek:
    figures: WeekFigures
    absence: float
    by_project: dict[int, float]


@dataclass(frozen=True)
class ResourceDetail:
    """One resource's days and weeks: capacity, load by project, absences, utilisation, over-allocation."""

    resource_id: int
    start: dt.date
    days: list[DetailDay]
    weeks: list[DetailWeek]
    projects: list[ProjectRef]


def _projects(organization: Organization | int, ids: Iterable[int]) -> dict[int, ProjectRef]:
    from projects.models import Project

    return {
        pk: ProjectRef(pk, code, name)
        for pk, code, name in Project.objects.for_organization(organization)
        .filter(pk__in=list(set(ids)))
        .values_list("pk", "code", "name")
    }


def resource_detail(
    organization: Organization | int, resource: Resource, *, start: dt.date, weeks: int
) -> ResourceDetail:
    """Days and weeks of one resource from ``start``'s Monday, with the load of each project; five queries.

    A material has no capacity (None, as unknown) and its load is its assigned quantity."""
    first = week_start(start)
    finish = first + WEEK * weeks - ONE_DAY
    calendars = organization_calendars(organization)
    resources = _calendars_of(
        [(resource.pk, resource.calendar_id, resource.hours_per_day, resource.max_units)],
        calendars,
        _exceptions(organization, [resource.pk], first, finish),
    )
    if resource.kind not in TIMED_KINDS:
        resources = {resource.pk: ResourceCalendar(None)}  # a material has no capacity and no absence
    placed = _placed(organization, calendars, start=first, finish=finish, resource_ids=[resource.pk])
    window = _Window(first, weeks * 7)
    one = _days_of(resources, placed, window)[resource.pk]
    per_project: dict[int, list[float]] = {}
    for item in placed:
        daily = per_project.setdefault(item.project_id, [0.0] * window.length)
        for day, hours in item.daily().items():
            daily[window.index(day)] += hours
    day_figures = one.figures()
    days = [
        DetailDay(figure, {pk: _clean(daily[index]) for pk, daily in per_project.items() if _clean(daily[index])})
        for index, figure in enumerate(day_figures)
    ]
    week_list = []
    for number, (figures, absence) in enumerate(zip(one.weeks(), one.week_absences(), strict=True)):
        span = slice(number * 7, number * 7 + 7)
        by_project = {pk: _clean(sum(daily[span])) for pk, daily in per_project.items()}
        week_list.append(DetailWeek(figures, absence, {pk: hours for pk, hours in by_project.items() if hours}))
    refs = _projects(organization, per_project)
    ordered = sorted(refs.values(), key=lambda ref: (ref.code, ref.id))
    return ResourceDetail(resource.pk, first, days, week_list, ordered)


@dataclass(frozen=True)
class WeekAssignment:
    """An assignment behind a cell: its project and task, and its hours on each day of the week."""

    assignment_id: int
    project: ProjectRef
    task_id: int
    task_code: str
    task_name: str
    hours: list[float]

    @property
    def total(self) -> float:
        return _clean(sum(self.hours))


@dataclass(frozen=True)
class WeekAbsence:
    kind: str
    start: dt.date
    finish: dt.date
    note: str
    hours: list[float]


@dataclass(frozen=True)
class ResourceWeek:
    """What lies behind one cell of the heat map: the week's days, assignments and absences."""

    week_start: dt.date
    days: list[DayFigures]
    figures: WeekFigures
    assignments: list[WeekAssignment]
    absences: list[WeekAbsence]


def resource_week(organization: Organization | int, resource: Resource, week: dt.date) -> ResourceWeek:
    """The assignments and absences of one resource in the week of ``week``; six queries."""
    from projects.models import WbsElement

    first = week_start(week)
    last = first + WEEK - ONE_DAY
    calendars = organization_calendars(organization)
    exceptions = _exceptions(organization, [resource.pk], first, last)
    resources = _calendars_of(
        [(resource.pk, resource.calendar_id, resource.hours_per_day, resource.max_units)], calendars, exceptions
    )
    placed = _placed(organization, calendars, start=first, finish=last, resource_ids=[resource.pk])
    window = _Window(first, 7)
    one = _days_of(resources, placed, window)[resource.pk]
    projects = _projects(organization, [item.project_id for item in placed])
    tasks = {
        pk: (code, name)
        for pk, code, name in WbsElement.objects.for_organization(organization)
        .filter(pk__in=[item.task_id for item in placed])
        .values_list("pk", "code", "name")
    }
    assignments = []
    for item in placed:
        hours = [0.0] * 7
        for day, value in item.daily().items():
            hours[window.index(day)] += value
        code, name = tasks.get(item.task_id, ("", ""))
        assignments.append(
            WeekAssignment(
                item.assignment_id, projects[item.project_id], item.task_id, code, name, [_clean(h) for h in hours]
            )
        )
    assignments.sort(key=lambda row: (row.project.code, row.task_code, row.assignment_id))
    absence_rows = (
        ResourceException.objects.for_organization(organization)
        .filter(resource=resource, kind__in=sorted(ABSENCE_KINDS), finish__gte=first, start__lte=last)
        .order_by("start", "pk")
        .values_list("kind", "start", "finish", "note")
    )
    capacities = one.capacity
    absences = []
    units = resources[resource.pk].max_units / 100.0
    for kind, period_start, period_finish, note in absence_rows:
        hours = []
        for index, day in enumerate(window.dates):
            if period_start <= day <= period_finish:
                known = capacities[index]
                hours.append(known if known is not None else rounded(resources[resource.pk].hours_on(day) * units))
            else:
                hours.append(0.0)
        absences.append(WeekAbsence(kind, period_start, period_finish, note, hours))
    return ResourceWeek(first, one.figures(), one.weeks()[0], assignments, absences)


# --- demand against capacity by role -----------------------------------------------------------------


@dataclass(frozen=True)
class RoleWeek:
    week_start: dt.date
    capacity: float  # of the named resources whose capacity is known
    absence: float
    demand: float  # assignments on the role's resources, named and placeholders
    placeholder_demand: float
    unknown: int  # named resources of the role whose capacity this week is unknown

    @property
    def available(self) -> float:
        return _clean(self.capacity - self.absence)

    @property
    def gap(self) -> float:
        """Capacity left after absences and demand; negative: a shortfall."""
        return _clean(self.capacity - self.absence - self.demand)


@dataclass(frozen=True)
class RoleDemand:
    role_id: int
    name: str
    kind: str
    named: int
    placeholders: int
    weeks: list[RoleWeek]

    @property
    def short_weeks(self) -> int:
        return sum(1 for week in self.weeks if week.gap < 0)


@dataclass(frozen=True)
class DemandTable:
    start: dt.date
    weeks: list[dt.date]
    roles: list[RoleDemand]


ROLE_RESOURCE_COLUMNS = ("pk", "calendar_id", "hours_per_day", "max_units", "role_id", "is_placeholder")


def role_demand(
    organization: Organization | int, *, start: dt.date, weeks: int, role_id: int | None = None, kind: str = ""
) -> DemandTable:
    """Per role of people or equipment and per week: the named resources' capacity and absences, and the
    demand of every assignment on the role's resources (placeholders included). Six queries."""
    first = week_start(start)
    finish = first + WEEK * weeks - ONE_DAY
    week_starts = [first + WEEK * number for number in range(weeks)]
    roles = ResourceRole.objects.for_organization(organization).filter(kind__in=sorted(TIMED_KINDS))
    if role_id is not None:
        roles = roles.filter(pk=role_id)
    if kind:
        roles = roles.filter(kind=kind)
    role_rows = list(roles.order_by("name", "pk").values_list("pk", "name", "kind"))
    if not role_rows:
        return DemandTable(first, week_starts, [])
    role_ids = [pk for pk, _name, _kind in role_rows]
    members = list(
        Resource.objects.for_organization(organization)
        .filter(role_id__in=role_ids, is_active=True, kind__in=sorted(TIMED_KINDS))
        .order_by("pk")
        .values_list(*ROLE_RESOURCE_COLUMNS)
    )
    calendars = organization_calendars(organization)
    ids = [row[0] for row in members]
    exceptions = _exceptions(organization, ids, first, finish)
    resource_of = _calendars_of((row[:4] for row in members), calendars, exceptions)
    window = _Window(first, weeks * 7)
    hours_of = {pk: resource.hours_per_day for pk, resource in resource_of.items()}
    roles_of = Q(role_id__in=role_ids, is_active=True, kind__in=sorted(TIMED_KINDS))
    placement = _placement(organization, calendars, hours_of, window, resources=roles_of)
    arrays = _Arrays(resource_of, placement, window, calendars)
    shape = (len(arrays.ids), weeks, 7)
    assigned = arrays.assigned.reshape(shape).sum(axis=2)
    week_capacity = arrays.capacity.reshape(shape).sum(axis=2)  # NaN: unknown
    unknown = np.isnan(week_capacity)
    week_absence = arrays.absence.reshape(shape).sum(axis=2)
    placeholder = np.array([row[5] for row in members], dtype=bool)[:, None]
    role_of = np.array([row[4] for row in members])
    result = []
    for pk, name, role_kind in role_rows:
        of_role = (role_of == pk)[:, None]
        named = of_role & ~placeholder
        demand = (assigned * of_role).sum(axis=0).tolist()
        on_placeholders = (assigned * (of_role & placeholder)).sum(axis=0).tolist()
        counted = named & ~unknown
        capacity_of = np.where(counted, week_capacity, 0.0).sum(axis=0).tolist()
        absence_of = np.where(counted, week_absence, 0.0).sum(axis=0).tolist()
        unknown_of = (named & unknown).sum(axis=0).tolist()
        result.append(
            RoleDemand(
                pk,
                name,
                role_kind,
                named=int(named[:, 0].sum()),
                placeholders=int((of_role & placeholder)[:, 0].sum()),
                weeks=[
                    RoleWeek(
                        week_starts[number],
                        _clean(capacity_of[number]),
                        _clean(absence_of[number]),
                        _clean(demand[number]),
                        _clean(on_placeholders[number]),
                        int(unknown_of[number]),
                    )
                    for number in range(weeks)
                ],
            )
        )
    return DemandTable(first, week_starts, result)


def resource_panel(organization: Organization, resource: Resource, *, weeks: int = 4) -> dict[str, Any]:
    """The next ``weeks`` weeks of one resource from this week, for its page in the pool (five queries).

    ``weeks`` holds for each week its ``week_start``, ``capacity`` (None: unknown), ``load``,
    ``utilisation`` (%, None without capacity), ``over_allocated`` and ``band`` (``BANDS``).
    """
    start = week_start(organization.today())
    detail = resource_detail(organization, resource, start=start, weeks=weeks)
    rows = [
        {
            "week_start": week.figures.week_start,
            "capacity": week.figures.capacity,
            "load": week.figures.load,
            "absence": week.absence,
            "utilisation": week.figures.utilisation,
            "over_allocated": week.figures.over_allocated,
            "band": band(week.figures),
        }
        for week in detail.weeks
    ]
    return {
        "start": start,
        "weeks": rows,
        "over_allocated_weeks": sum(1 for row in rows if row["over_allocated"]),
        "timed": resource.kind in TIMED_KINDS,
    }
