"""SLA clocks: deadlines in working hours of the organisation's calendar, or around the clock.

A working-hours clock runs on the working days of a :class:`pmo.workdays.WorkCalendar` (weekends,
holidays and make-up days included) between the start and end of the working day, in the
organisation's time zone. Time outside that window does not count: a work order opened on a
Friday evening starts its clock at 09:00 on Monday. Adding N hours lands at the end of the
working day when it is used up exactly (8 h from 09:00 is 17:00 the same day, not 09:00 the next).

An around-the-clock clock counts every hour.

Both clocks offer the same two operations: :meth:`add` (the instant a duration of clock time after
another) and :meth:`elapsed` (the clock time between two instants). Pauses use them both: a pause
on a pausing hold reason lasts ``elapsed(start, end)``, and the due times move by that much clock
time (``add(due, paused)``).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from pmo.models import CalendarException, Organization, WorkingCalendar
from pmo.workdays import WorkCalendar

ZERO = dt.timedelta(0)


class Clock(Protocol):
    @property
    def around_the_clock(self) -> bool: ...

    def add(self, instant: dt.datetime, duration: dt.timedelta) -> dt.datetime: ...

    def elapsed(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta: ...


@dataclass(frozen=True)
class AroundTheClock:
    """Every hour counts."""

    around_the_clock: bool = True

    def add(self, instant: dt.datetime, duration: dt.timedelta) -> dt.datetime:
        return instant + duration

    def elapsed(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        return max(end - start, ZERO)


@dataclass(frozen=True)
class WorkingHours:
    """Only the hours between ``start`` and ``end`` of the calendar's working days count, in ``tz``."""

    calendar: WorkCalendar
    start: dt.time = dt.time(9, 0)
    end: dt.time = dt.time(17, 0)
    tz: dt.tzinfo = dt.UTC
    around_the_clock: bool = False

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError("The working day must end after it starts.")

    @property
    def day_length(self) -> dt.timedelta:
        return dt.datetime.combine(dt.date.min, self.end) - dt.datetime.combine(dt.date.min, self.start)

    def _window(self, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        return (
            dt.datetime.combine(day, self.start, tzinfo=self.tz),
            dt.datetime.combine(day, self.end, tzinfo=self.tz),
        )

    def add(self, instant: dt.datetime, duration: dt.timedelta) -> dt.datetime:
        """The instant ``duration`` of working time after ``instant`` (time outside the hours skipped)."""
        if duration < ZERO:
            raise ValueError("A duration to add cannot be negative.")
        local = instant.astimezone(self.tz)
        day = local.date()
        if self.calendar.is_working_day(day) and local < self._window(day)[1]:
            opens, closes = self._window(day)
            cursor = max(local, opens)
            if cursor + duration <= closes:
                return cursor + duration
            duration -= closes - cursor
            day = self.calendar.next_working_day(day + dt.timedelta(days=1))
        elif self.calendar.is_working_day(day):
            day = self.calendar.next_working_day(day + dt.timedelta(days=1))
        else:
            day = self.calendar.next_working_day(day)
        if duration == ZERO:
            return self._window(day)[0]
        # ``full`` whole working days, then the rest (0 < rest <= a day) on the last day.
        length = self.day_length
        full, rest = divmod(duration, length)
        if rest == ZERO:
            full, rest = full - 1, length
        last = self.calendar.add_working_days(day, full)
        return self._window(last)[0] + rest

    def elapsed(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """Working time between two instants (zero when ``end`` is not after ``start``)."""
        if end <= start:
            return ZERO
        first, last = start.astimezone(self.tz), end.astimezone(self.tz)
        first_day, last_day = first.date(), last.date()
        if first_day == last_day:
            return self._within(first_day, first, last)
        total = self._within(first_day, first, None) + self._within(last_day, None, last)
        between = self.calendar.working_days_between(first_day + dt.timedelta(days=1), last_day - dt.timedelta(days=1))
        return total + between * self.day_length

    def _within(self, day: dt.date, start: dt.datetime | None, end: dt.datetime | None) -> dt.timedelta:
        """Working time of one day between ``start`` and ``end`` (None: the day's own bounds)."""
        if not self.calendar.is_working_day(day):
            return ZERO
        opens, closes = self._window(day)
        low = opens if start is None else max(start, opens)
        high = closes if end is None else min(end, closes)
        return max(high - low, ZERO)


def hours(value: Decimal | float | int) -> dt.timedelta:
    """A number of hours as a duration, to the second."""
    return dt.timedelta(seconds=int((Decimal(str(value)) * 3600).to_integral_value()))


def organization_work_calendar(organization_id: int, calendar_id: int | None) -> WorkCalendar:
    """The working days of the calendar (the organisation's default when None), like the projects'
    ``project_work_calendar``; Monday to Friday when the organisation has no calendar."""
    calendars = WorkingCalendar.objects.for_organization(organization_id)
    calendar = calendars.filter(pk=calendar_id).first() if calendar_id else calendars.filter(is_default=True).first()
    if calendar is None:
        return WorkCalendar()
    holidays: list[dt.date] = []
    extra: list[dt.date] = []
    for day, is_working in (
        CalendarException.objects.for_organization(organization_id)
        .filter(calendar=calendar)
        .values_list("date", "is_working")
    ):
        (extra if is_working else holidays).append(day)
    return WorkCalendar(calendar.working_weekdays, holidays, extra)


def working_hours_for(organization: Organization) -> WorkingHours:
    """The organisation's working-hours clock: its maintenance settings' calendar and hours, in its time zone."""
    from maintenance.services.settings import maintenance_settings_for

    settings = maintenance_settings_for(organization)
    return WorkingHours(
        calendar=organization_work_calendar(organization.pk, settings.calendar_id),
        start=settings.workday_start,
        end=settings.workday_end,
        tz=zoneinfo.ZoneInfo(organization.time_zone),
    )


def clock_for(organization: Organization, *, around_the_clock: bool) -> Clock:
    """The clock a work order's SLA runs on."""
    if around_the_clock:
        return AroundTheClock()
    return working_hours_for(organization)


def due_times(
    *, organization: Organization, priority: str, opened_at: dt.datetime
) -> tuple[dt.datetime, dt.datetime, bool]:
    """``(respond by, resolve by, around the clock)`` of a work order of the priority opened then,
    from the organisation's SLA target for the priority."""
    from maintenance.services.settings import sla_targets_for

    target = sla_targets_for(organization)[priority]
    clock = clock_for(organization, around_the_clock=target.around_the_clock)
    return (
        clock.add(opened_at, hours(target.response_hours)),
        clock.add(opened_at, hours(target.resolution_hours)),
        target.around_the_clock,
    )
