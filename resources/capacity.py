"""Capacity and load, day by day: pure Python, no Django, no database.

Conventions (hand-worked in ``tests/resources/test_capacity.py``):

- Hours are floats rounded to ``PLACES`` decimal places when compared or shown, so that work
  spread over three days and added up again compares equal to what was assigned.
- A resource's capacity on a day is ``hours_per_day * max_units / 100`` on a working day of its
  calendar, 0 on a day off, and **unknown** (``None``) when it has no calendar and the
  organisation has no default: unknown is not zero and is shown as such. A part-time period
  replaces the hours per day on its working days.
- Leave, training and other absences are load, not lost capacity: an absent day carries the
  day's whole capacity as load, so work assigned on it shows as an over-allocation.
- An assignment's load lies on its task's working days (the project's calendar), from the task's
  planned start to its planned finish, spread evenly: given in units, ``units / 100 *
  hours_per_day`` a day; given as work, ``work / days``. A milestone (or a span with no working
  day) puts all of its work on its start day. Rescheduling the task moves the load with it
  because nothing per day is stored.
- Utilisation = load / capacity; over-allocated means load strictly greater than capacity
  (exactly 100 % is not over-allocated). A day with load and zero capacity is over-allocated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from pmo.workdays import WorkCalendar

PLACES = 4
ONE_DAY = dt.timedelta(days=1)


def rounded(value: float) -> float:
    return round(value, PLACES)


def days(start: dt.date, finish: dt.date) -> Iterator[dt.date]:
    day = start
    while day <= finish:
        yield day
        day += ONE_DAY


@dataclass(frozen=True, slots=True)
class Period:
    start: dt.date
    finish: dt.date
    hours: float | None = None  # part-time hours per working day; None for an absence

    def covers(self, day: dt.date) -> bool:
        return self.start <= day <= self.finish


@dataclass(frozen=True)
class ResourceCalendar:
    """What one resource can work: its calendar (None: unknown), hours a day, units, part-time and absences."""

    calendar: WorkCalendar | None
    hours_per_day: float = 8.0
    max_units: float = 100.0
    part_time: tuple[Period, ...] = ()
    absences: tuple[Period, ...] = ()
    _units: float = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_units", self.max_units / 100.0)

    def hours_on(self, day: dt.date) -> float:
        """The hours a day of one unit on ``day`` (part-time or the usual), whether worked or not."""
        for period in self.part_time:
            if period.covers(day) and period.hours is not None:
                return period.hours
        return self.hours_per_day

    def capacity(self, day: dt.date) -> float | None:
        """Hours the resource can work on ``day``; None when unknown (no calendar)."""
        if self.calendar is None:
            return None
        if not self.calendar.is_working_day(day):
            return 0.0
        return rounded(self.hours_on(day) * self._units)

    def is_absent(self, day: dt.date) -> bool:
        return any(period.covers(day) for period in self.absences)

    def absence_load(self, day: dt.date) -> float:
        """The load an absence puts on ``day``: the whole day's capacity (the usual day when unknown)."""
        if not self.is_absent(day):
            return 0.0
        capacity = self.capacity(day)
        if capacity is None:
            return rounded(self.hours_on(day) * self._units)
        return capacity


@dataclass(frozen=True, slots=True)
class AssignmentLoad:
    """One assignment as the spreading reads it."""

    start: dt.date | None  # the task's planned start; None: not scheduled, no load
    finish: dt.date | None
    units: float  # %
    work: float  # hours (or the material's unit)
    by_work: bool  # given as total work rather than units
    hours_per_day: float = 8.0  # the resource's, for units


def task_working_days(calendar: WorkCalendar, start: dt.date, finish: dt.date) -> list[dt.date]:
    """The task's working days from start to finish; the start day alone when none is worked."""
    worked = [day for day in days(start, finish) if calendar.is_working_day(day)]
    return worked or [start]


def spread(assignment: AssignmentLoad, calendar: WorkCalendar) -> dict[dt.date, float]:
    """The assignment's load per day over its task's working days (the project's calendar)."""
    if assignment.start is None or assignment.finish is None:
        return {}
    worked = task_working_days(calendar, assignment.start, max(assignment.finish, assignment.start))
    if assignment.by_work:
        each = assignment.work / len(worked)
    else:
        each = assignment.units / 100.0 * assignment.hours_per_day
    return dict.fromkeys(worked, each)


def total_work(assignment: AssignmentLoad, calendar: WorkCalendar) -> float:
    """The assignment's whole work: given, or units over the task's working days."""
    if assignment.by_work:
        return rounded(assignment.work)
    return rounded(sum(spread(assignment, calendar).values()))


@dataclass(frozen=True, slots=True)
class DayFigures:
    day: dt.date
    capacity: float | None
    load: float  # assignments and absences, rounded
    absence: float
    #: The load before rounding, so that a week adds up to what was assigned (3 x 3.3333 is not 10).
    exact_load: float | None = field(default=None, repr=False, compare=False)

    @property
    def utilisation(self) -> float | None:
        """Load / capacity in %; None when capacity is unknown or zero (a loaded day off is over-allocated)."""
        if not self.capacity:
            return None
        return rounded(self.load / self.capacity * 100.0)

    @property
    def over_allocated(self) -> bool:
        if self.capacity is None:
            return False
        return rounded(self.load) > rounded(self.capacity)


def day_figures(
    resource: ResourceCalendar, loads: Iterable[dict[dt.date, float]], start: dt.date, finish: dt.date
) -> list[DayFigures]:
    """Capacity, load and absence of each day from ``start`` to ``finish``."""
    total: dict[dt.date, float] = {}
    for load in loads:
        for day, hours in load.items():
            if start <= day <= finish:
                total[day] = total.get(day, 0.0) + hours
    figures = []
    for day in days(start, finish):
        absence = resource.absence_load(day)
        exact = total.get(day, 0.0) + absence
        figures.append(DayFigures(day, resource.capacity(day), rounded(exact), rounded(absence), exact))
    return figures


@dataclass(frozen=True, slots=True)
class WeekFigures:
    week_start: dt.date
    capacity: float | None  # None when any day of the week is unknown
    load: float
    over_allocated_days: int

    @property
    def utilisation(self) -> float | None:
        if not self.capacity:
            return None
        return rounded(self.load / self.capacity * 100.0)

    @property
    def over_allocated(self) -> bool:
        """The week's load over its capacity, or any day of it over-allocated."""
        if self.capacity is None:
            return False
        return self.over_allocated_days > 0 or rounded(self.load) > rounded(self.capacity)


def week_figures(figures: list[DayFigures]) -> list[WeekFigures]:
    """Days grouped into weeks from Monday."""
    weeks: dict[dt.date, list[DayFigures]] = {}
    for figure in figures:
        weeks.setdefault(figure.day - dt.timedelta(days=figure.day.weekday()), []).append(figure)
    result = []
    for week_start, group in weeks.items():
        unknown = any(figure.capacity is None for figure in group)
        capacity = None if unknown else rounded(sum(figure.capacity or 0.0 for figure in group))
        result.append(
            WeekFigures(
                week_start,
                capacity,
                rounded(sum(figure.load if figure.exact_load is None else figure.exact_load for figure in group)),
                sum(1 for figure in group if figure.over_allocated),
            )
        )
    return result
