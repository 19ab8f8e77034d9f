"""When preventive work falls due: pure arithmetic of due points, dates and meter values in, due points out.

A plan falls due at **due points**, each named by a **due key** that the work order made for it keeps
(``WorkOrder.pm_due_key``): ``"2027-03-01"`` for a calendar plan, ``"meter:12000"`` for a meter plan.
One work order per plan, asset and due key (the constraint ``maintenance_pm_once_per_due_point``).

Calendar plans fall due every ``interval`` days, weeks, months or years:

- **fixed**: at ``starts_on + k * interval`` (k = 0, 1, 2 …). Every due point is counted from
  ``starts_on``, never from the previous (clamped) due point: a month or year that lacks the start's
  day of month gives its last day, and the next one gets the start's day back. Monthly from 31 January
  2027: 31 Jan, 28 Feb, 31 Mar, 30 Apr … (not 28 Mar, 28 Apr). Yearly from 29 February 2028: 28 Feb
  2029 … and 29 Feb 2032.
- **floating**: the first due point is ``starts_on``; after that, the last completion plus the
  interval (a job done late moves every later due point; a cancelled job counts as the last one
  done on the day it was cancelled, so that a floating plan never stalls behind it).

A calendar work order appears ``lead_days`` before its due date, and not a day earlier.

Meter plans fall due at ``k * meter_interval`` units of the asset's meter (k = 1, 2 …); the work
order appears when the meter's reading reaches the due point minus ``meter_lead``.

**Missed due points are not a backlog.** When several due points are open at once (the generator
did not run for a month, the meter jumped past two due points), only the latest of them is made:
one job brings the asset up to date, and a generator that catches up never floods the list with
work that is already overtaken. The due points skipped stay unmade for good.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

DAYS, WEEKS, MONTHS, YEARS = "days", "weeks", "months", "years"
UNITS = (DAYS, WEEKS, MONTHS, YEARS)
METER_KEY_PREFIX = "meter:"


@dataclass(frozen=True)
class CalendarRule:
    """A calendar plan's schedule: every ``interval`` ``unit`` from ``starts_on``."""

    interval: int
    unit: str
    starts_on: dt.date
    lead_days: int = 0
    floating: bool = False

    def __post_init__(self) -> None:
        if self.interval < 1:
            raise ValueError("interval must be at least 1")
        if self.unit not in UNITS:
            raise ValueError(f"unknown interval unit {self.unit!r}")
        if self.lead_days < 0:
            raise ValueError("lead_days cannot be negative")


@dataclass(frozen=True)
class MeterRule:
    """A meter plan's schedule: every ``interval`` units, opened ``lead`` units before."""

    interval: Decimal
    lead: Decimal = Decimal("0")

    def __post_init__(self) -> None:
        if self.interval <= 0:
            raise ValueError("interval must be positive")
        if self.lead < 0:
            raise ValueError("lead cannot be negative")


@dataclass(frozen=True)
class DuePoint:
    """One due point: its key, and when its work order appears (a date, or a meter reading)."""

    key: str
    due_date: dt.date | None = None
    opens_on: dt.date | None = None
    due_value: Decimal | None = None
    opens_at: Decimal | None = None


def add_months(start: dt.date, months: int) -> dt.date:
    """``start`` moved by whole months, the day of month clamped to the month's last day."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def shift(start: dt.date, unit: str, count: int) -> dt.date:
    """``start`` plus ``count`` days, weeks, months or years (months and years clamp the day)."""
    if unit == DAYS:
        return start + dt.timedelta(days=count)
    if unit == WEEKS:
        return start + dt.timedelta(weeks=count)
    if unit == MONTHS:
        return add_months(start, count)
    if unit == YEARS:
        return add_months(start, 12 * count)
    raise ValueError(f"unknown interval unit {unit!r}")


def fixed_due_date(rule: CalendarRule, k: int) -> dt.date:
    """The k-th due date of a fixed plan (k = 0 is ``starts_on``), counted from ``starts_on``."""
    return shift(rule.starts_on, rule.unit, k * rule.interval)


def date_key(day: dt.date) -> str:
    return day.isoformat()


def meter_key(value: Decimal) -> str:
    """``meter:12000``, ``meter:2500.5``: the value without exponent or trailing zeros."""
    text = format(value.normalize(), "f")
    return METER_KEY_PREFIX + text


def _calendar_point(rule: CalendarRule, due: dt.date) -> DuePoint:
    return DuePoint(key=date_key(due), due_date=due, opens_on=due - dt.timedelta(days=rule.lead_days))


def _latest_fixed_index(rule: CalendarRule, today: dt.date) -> int | None:
    """The largest k whose work order has appeared by ``today`` (due date - lead ≤ today), or None."""
    horizon = today + dt.timedelta(days=rule.lead_days)
    if horizon < rule.starts_on:
        return None
    if rule.unit in (DAYS, WEEKS):
        step = rule.interval * (7 if rule.unit == WEEKS else 1)
        return (horizon - rule.starts_on).days // step
    months = rule.interval * (12 if rule.unit == YEARS else 1)
    elapsed = (horizon.year - rule.starts_on.year) * 12 + horizon.month - rule.starts_on.month
    k = max(elapsed // months, 0)
    # Clamping never moves a due date out of its month, so the estimate is right or one too far.
    while k > 0 and fixed_due_date(rule, k) > horizon:
        k -= 1
    return k


def calendar_point_to_make(rule: CalendarRule, *, today: dt.date, last_done: dt.date | None = None) -> DuePoint | None:
    """The due point whose work order should exist on ``today``: the latest open one, or None.

    ``last_done`` is the day the plan's last work order on the asset was completed (floating plans
    only; fixed plans ignore it).
    """
    if rule.floating:
        due = rule.starts_on if last_done is None else shift(last_done, rule.unit, rule.interval)
        point = _calendar_point(rule, due)
        return point if point.opens_on is not None and point.opens_on <= today else None
    k = _latest_fixed_index(rule, today)
    return None if k is None else _calendar_point(rule, fixed_due_date(rule, k))


def calendar_next_point(
    rule: CalendarRule, *, today: dt.date, last_done: dt.date | None = None, made: frozenset[str] = frozenset()
) -> DuePoint:
    """The next due point still to make: the open one if it is not made yet, else the one after it.

    ``made`` holds the due keys whose work orders exist. For a floating plan whose current due point
    is made, the next one depends on a completion to come: the estimate assumes it is done on its
    due date.
    """
    if rule.floating:
        due = rule.starts_on if last_done is None else shift(last_done, rule.unit, rule.interval)
        if date_key(due) in made:
            due = shift(due, rule.unit, rule.interval)
        return _calendar_point(rule, due)
    k = _latest_fixed_index(rule, today)
    if k is None:
        return _calendar_point(rule, rule.starts_on)
    current = fixed_due_date(rule, k)
    if date_key(current) not in made:
        return _calendar_point(rule, current)
    return _calendar_point(rule, fixed_due_date(rule, k + 1))


def _meter_point(rule: MeterRule, k: int) -> DuePoint:
    due = rule.interval * k
    return DuePoint(key=meter_key(due), due_value=due, opens_at=due - rule.lead)


def meter_point_to_make(rule: MeterRule, *, value: Decimal) -> DuePoint | None:
    """The latest due point open at a meter reading of ``value`` (reading ≥ due point - lead), or None."""
    k = int((value + rule.lead) // rule.interval)
    return _meter_point(rule, k) if k >= 1 else None


def meter_next_point(rule: MeterRule, *, value: Decimal, made: frozenset[str] = frozenset()) -> DuePoint:
    """The next due point still to make at a reading of ``value``."""
    current = meter_point_to_make(rule, value=value)
    if current is None:
        return _meter_point(rule, 1)
    if current.key not in made:
        return current
    return _meter_point(rule, int((value + rule.lead) // rule.interval) + 1)
