"""Working-calendar arithmetic: which days are worked, and counting in working days.

Conventions:

- Weekdays are numbered as ``date.weekday()`` numbers them: 0 is Monday, 6 is Sunday.
- A day is worked when its weekday is a working weekday and it is not a holiday, or when it
  is an extra working day (a make-up day, 调休, worked on a weekend). Holidays on a weekend
  and extra days on a working weekday change nothing.
- Counting is inclusive: ``working_days_between(day, day)`` is 1 when ``day`` is worked.
- A day that is not worked rolls forward to the next working day before any counting, so
  ``add_working_days(saturday, 0)`` and ``add_working_days(saturday, 1)`` are the next Monday
  and Tuesday of a Monday-to-Friday week. This keeps the arithmetic consistent:
  ``add_working_days(add_working_days(day, a), b) == add_working_days(day, a + b)``.
- Indices number working days from an origin: the first working day on or after the origin
  is 0, the working day before it is -1. A day that is not worked has the index of the next
  working day, so ``add_working_days(day, n) == day_at(index_of(day, origin) + n, origin)``.

Every working day has a global number: how many working days come before it, counted from
ordinal 0 of the proleptic Gregorian calendar. That number is found without walking the days:
whole weeks times the working weekdays in a week, a table lookup for the part of a week, and
the net effect of the exceptions before the day, found by bisecting the sorted exceptions.
Every operation costs O(log e) for e exceptions, however far apart the dates are.
"""

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from datetime import date

_DAYS_IN_WEEK = 7


def _weekday_of_ordinal(ordinal: int) -> int:
    # Ordinal 1 (1 January of year 1) is a Monday.
    return (ordinal + 6) % _DAYS_IN_WEEK


class WorkCalendar:
    """The working days of a calendar: working weekdays, holidays and make-up days."""

    __slots__ = (
        "_exception_ordinals",
        "_net_added_through",
        "_per_week",
        "_worked_before_residue",
        "_worked_residues",
        "_worked_through",
        "extra_working_days",
        "holidays",
        "working_weekdays",
    )

    def __init__(
        self,
        working_weekdays: Iterable[int] = (0, 1, 2, 3, 4),
        holidays: Iterable[date] = (),
        extra_working_days: Iterable[date] = (),
    ) -> None:
        weekdays = frozenset(working_weekdays)
        if not weekdays:
            raise ValueError("A work calendar needs at least one working weekday.")
        invalid = sorted(weekday for weekday in weekdays if not 0 <= weekday < _DAYS_IN_WEEK)
        if invalid:
            raise ValueError(f"Weekdays are numbered 0 (Monday) to 6 (Sunday), not {invalid}.")
        self.working_weekdays: frozenset[int] = weekdays
        self.holidays: frozenset[date] = frozenset(holidays)
        self.extra_working_days: frozenset[date] = frozenset(extra_working_days)
        clashes = sorted(self.holidays & self.extra_working_days)
        if clashes:
            listed = ", ".join(day.isoformat() for day in clashes)
            raise ValueError(f"A day cannot be both a holiday and an extra working day: {listed}.")

        # The week pattern, over residues of the ordinal modulo 7.
        self._per_week = len(weekdays)
        self._worked_residues = tuple(
            residue for residue in range(_DAYS_IN_WEEK) if _weekday_of_ordinal(residue) in weekdays
        )
        self._worked_before_residue = tuple(
            sum(1 for residue in self._worked_residues if residue < limit) for limit in range(_DAYS_IN_WEEK + 1)
        )

        # Only the exceptions that change the week pattern: -1 for a holiday on a working
        # weekday, +1 for an extra working day on another weekday.
        exceptions = sorted(
            [(day.toordinal(), -1) for day in self.holidays if day.weekday() in weekdays]
            + [(day.toordinal(), 1) for day in self.extra_working_days if day.weekday() not in weekdays]
        )
        self._exception_ordinals = [ordinal for ordinal, _ in exceptions]
        # For exception i: the net working days added by exceptions 0..i, and the global
        # number of working days on or before it.
        self._net_added_through: list[int] = []
        self._worked_through: list[int] = []
        net_added = 0
        for ordinal, change in exceptions:
            net_added += change
            self._net_added_through.append(net_added)
            self._worked_through.append(self._regular_before(ordinal + 1) + net_added)

    def __repr__(self) -> str:
        return (
            f"WorkCalendar(working_weekdays={sorted(self.working_weekdays)}, "
            f"holidays={len(self.holidays)}, extra_working_days={len(self.extra_working_days)})"
        )

    def is_working_day(self, day: date) -> bool:
        if day in self.extra_working_days:
            return True
        return day.weekday() in self.working_weekdays and day not in self.holidays

    def working_days_between(self, start: date, end: date) -> int:
        """Count the working days from ``start`` to ``end``, both included; 0 if ``end < start``."""
        if end < start:
            return 0
        return self._worked_before(end.toordinal() + 1) - self._worked_before(start.toordinal())

    def add_working_days(self, day: date, count: int) -> date:
        """Move ``count`` working days forward (backward when negative) from ``day``.

        A day that is not worked first rolls forward to the next working day, which is also
        the answer for a count of 0.
        """
        return date.fromordinal(self._nth_working_ordinal(self._worked_before(day.toordinal()) + count))

    def next_working_day(self, day: date) -> date:
        """Return ``day`` itself if it is worked, else the next working day."""
        return date.fromordinal(self._nth_working_ordinal(self._worked_before(day.toordinal())))

    def previous_working_day(self, day: date) -> date:
        """Return ``day`` itself if it is worked, else the previous working day."""
        return date.fromordinal(self._nth_working_ordinal(self._worked_before(day.toordinal() + 1) - 1))

    def index_of(self, day: date, origin: date) -> int:
        """Index of ``day`` among working days counted from ``origin`` (see the module conventions)."""
        return self._worked_before(day.toordinal()) - self._worked_before(origin.toordinal())

    def day_at(self, index: int, origin: date) -> date:
        """The working day with this index from ``origin``: the inverse of ``index_of``."""
        return date.fromordinal(self._nth_working_ordinal(self._worked_before(origin.toordinal()) + index))

    def _regular_before(self, ordinal: int) -> int:
        """Working weekdays with an ordinal in [0, ordinal), ignoring the exceptions."""
        weeks, residue = divmod(ordinal, _DAYS_IN_WEEK)
        return weeks * self._per_week + self._worked_before_residue[residue]

    def _worked_before(self, ordinal: int) -> int:
        """Working days with an ordinal in [0, ordinal): the global number of the next working day."""
        exceptions_before = bisect_left(self._exception_ordinals, ordinal)
        net_added = self._net_added_through[exceptions_before - 1] if exceptions_before else 0
        return self._regular_before(ordinal) + net_added

    def _nth_working_ordinal(self, number: int) -> int:
        """The ordinal of the working day whose global number is ``number``."""
        # The exceptions on or before the answer are exactly those with at most ``number``
        # working days on or before them; between two exceptions the week pattern holds.
        exceptions_before = bisect_right(self._worked_through, number)
        net_added = self._net_added_through[exceptions_before - 1] if exceptions_before else 0
        weeks, position = divmod(number - net_added, self._per_week)
        ordinal = weeks * _DAYS_IN_WEEK + self._worked_residues[position]
        # Past the next exception the pattern no longer holds: that exception is then an
        # extra working day, and it is the answer.
        if exceptions_before < len(self._exception_ordinals):
            ordinal = min(ordinal, self._exception_ordinals[exceptions_before])
        return ordinal
