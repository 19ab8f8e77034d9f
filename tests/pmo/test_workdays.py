import random
from datetime import date, timedelta

import pytest

from pmo.workdays import WorkCalendar

ONE_DAY = timedelta(days=1)

# 2026 Spring Festival: 15-23 February off, Saturday 14 February worked in exchange.
SPRING_FESTIVAL = [date(2026, 2, 15) + timedelta(days=offset) for offset in range(9)]
SPRING_MAKE_UP = [date(2026, 2, 14)]


def spring_festival_calendar() -> WorkCalendar:
    return WorkCalendar(holidays=SPRING_FESTIVAL, extra_working_days=SPRING_MAKE_UP)


class ReferenceCalendar:
    """The calendar rules walked one day at a time: slow, obviously right."""

    def __init__(self, weekdays: set[int], holidays: set[date], extras: set[date]) -> None:
        self.weekdays = weekdays
        self.holidays = holidays
        self.extras = extras

    def is_working_day(self, day: date) -> bool:
        return day in self.extras or (day.weekday() in self.weekdays and day not in self.holidays)

    def working_days_between(self, start: date, end: date) -> int:
        count = 0
        day = start
        while day <= end:
            count += self.is_working_day(day)
            day += ONE_DAY
        return count

    def next_working_day(self, day: date) -> date:
        while not self.is_working_day(day):
            day += ONE_DAY
        return day

    def previous_working_day(self, day: date) -> date:
        while not self.is_working_day(day):
            day -= ONE_DAY
        return day

    def add_working_days(self, day: date, count: int) -> date:
        day = self.next_working_day(day)
        step = ONE_DAY if count > 0 else -ONE_DAY
        for _ in range(abs(count)):
            day += step
            while not self.is_working_day(day):
                day += step
        return day

    def index_of(self, day: date, origin: date) -> int:
        first = self.next_working_day(origin)
        day = self.next_working_day(day)
        if day >= first:
            return self.working_days_between(first, day) - 1
        return -self.working_days_between(day, first - ONE_DAY)

    def day_at(self, index: int, origin: date) -> date:
        return self.add_working_days(origin, index)


def random_calendars(rng: random.Random, how_many: int) -> list[tuple[WorkCalendar, ReferenceCalendar]]:
    window_start = date(2025, 1, 1)
    pairs = []
    for _ in range(how_many):
        weekdays = set(rng.sample(range(7), rng.randint(1, 7)))
        days = [window_start + timedelta(days=rng.randrange(3 * 365)) for _ in range(rng.randint(0, 60))]
        split = rng.randint(0, len(days))
        holidays = set(days[:split])
        extras = set(days[split:]) - holidays
        pairs.append(
            (
                WorkCalendar(weekdays, holidays, extras),
                ReferenceCalendar(weekdays, holidays, extras),
            )
        )
    return pairs


def random_day(rng: random.Random) -> date:
    # Reaches beyond the exceptions window on both sides.
    return date(2024, 10, 1) + timedelta(days=rng.randrange(4 * 365))


def test_weekends_are_not_worked_on_a_default_calendar() -> None:
    calendar = WorkCalendar()

    assert calendar.is_working_day(date(2026, 3, 6))  # Friday
    assert not calendar.is_working_day(date(2026, 3, 7))  # Saturday
    assert not calendar.is_working_day(date(2026, 3, 8))  # Sunday
    assert calendar.is_working_day(date(2026, 3, 9))  # Monday


def test_holidays_are_off_and_make_up_days_are_worked() -> None:
    calendar = spring_festival_calendar()

    assert calendar.is_working_day(date(2026, 2, 13))  # Friday
    assert calendar.is_working_day(date(2026, 2, 14))  # Saturday, worked in exchange
    assert not calendar.is_working_day(date(2026, 2, 16))  # Monday, holiday
    assert not calendar.is_working_day(date(2026, 2, 23))  # Monday, last day off
    assert calendar.is_working_day(date(2026, 2, 24))  # Tuesday


def test_counting_is_inclusive_of_both_ends() -> None:
    calendar = WorkCalendar()

    assert calendar.working_days_between(date(2026, 3, 2), date(2026, 3, 2)) == 1
    assert calendar.working_days_between(date(2026, 3, 2), date(2026, 3, 6)) == 5
    assert calendar.working_days_between(date(2026, 3, 2), date(2026, 3, 8)) == 5
    assert calendar.working_days_between(date(2026, 3, 2), date(2026, 3, 9)) == 6
    assert calendar.working_days_between(date(2026, 3, 7), date(2026, 3, 8)) == 0


def test_counting_backwards_gives_zero() -> None:
    calendar = WorkCalendar()

    assert calendar.working_days_between(date(2026, 3, 9), date(2026, 3, 2)) == 0


def test_spring_festival_counts() -> None:
    calendar = spring_festival_calendar()

    # Mon 9 .. Sat 14 February: six days worked; 15..23 off; Tue 24 .. Fri 27: four.
    assert calendar.working_days_between(date(2026, 2, 9), date(2026, 2, 27)) == 10
    assert calendar.working_days_between(date(2026, 2, 15), date(2026, 2, 23)) == 0


def test_ten_years_of_weekdays() -> None:
    calendar = WorkCalendar()

    # 2026-01-01 (Thursday) to 2035-12-31 (Monday): 3652 days = 521 weeks + 5 days
    # (Thu, Fri, Sat, Sun, Mon), so 521 * 5 + 3 working days.
    assert calendar.working_days_between(date(2026, 1, 1), date(2035, 12, 31)) == 2608


def test_adding_working_days_skips_the_spring_festival() -> None:
    calendar = spring_festival_calendar()

    assert calendar.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert calendar.add_working_days(date(2026, 2, 13), 2) == date(2026, 2, 24)
    assert calendar.add_working_days(date(2026, 2, 24), -1) == date(2026, 2, 14)
    assert calendar.add_working_days(date(2026, 2, 24), -2) == date(2026, 2, 13)


def test_adding_zero_rolls_a_day_off_forward() -> None:
    calendar = spring_festival_calendar()

    assert calendar.add_working_days(date(2026, 3, 4), 0) == date(2026, 3, 4)
    assert calendar.add_working_days(date(2026, 3, 7), 0) == date(2026, 3, 9)
    assert calendar.add_working_days(date(2026, 2, 16), 0) == date(2026, 2, 24)


def test_adding_from_a_day_off_counts_from_the_next_working_day() -> None:
    calendar = WorkCalendar()

    assert calendar.add_working_days(date(2026, 3, 7), 1) == date(2026, 3, 10)  # Sat + 1 = Tue
    assert calendar.add_working_days(date(2026, 3, 7), -1) == date(2026, 3, 6)  # Sat - 1 = Fri


def test_next_and_previous_working_day() -> None:
    calendar = spring_festival_calendar()

    assert calendar.next_working_day(date(2026, 2, 15)) == date(2026, 2, 24)
    assert calendar.previous_working_day(date(2026, 2, 23)) == date(2026, 2, 14)
    assert calendar.next_working_day(date(2026, 2, 14)) == date(2026, 2, 14)
    assert calendar.previous_working_day(date(2026, 2, 14)) == date(2026, 2, 14)
    assert calendar.previous_working_day(date(2026, 3, 8)) == date(2026, 3, 6)


def test_indices_from_an_origin() -> None:
    calendar = spring_festival_calendar()
    origin = date(2026, 2, 12)  # Thursday

    assert calendar.index_of(date(2026, 2, 12), origin) == 0
    assert calendar.index_of(date(2026, 2, 14), origin) == 2
    assert calendar.index_of(date(2026, 2, 18), origin) == 3  # off: index of Tue 24
    assert calendar.index_of(date(2026, 2, 24), origin) == 3
    assert calendar.index_of(date(2026, 2, 11), origin) == -1
    assert calendar.index_of(date(2026, 2, 6), origin) == -4
    assert calendar.day_at(3, origin) == date(2026, 2, 24)
    assert calendar.day_at(-4, origin) == date(2026, 2, 6)


def test_an_origin_on_a_day_off_numbers_from_the_next_working_day() -> None:
    calendar = WorkCalendar()
    sunday = date(2026, 3, 8)

    assert calendar.day_at(0, sunday) == date(2026, 3, 9)
    assert calendar.day_at(-1, sunday) == date(2026, 3, 6)
    assert calendar.index_of(date(2026, 3, 7), sunday) == 0


def test_six_day_week() -> None:
    calendar = WorkCalendar(working_weekdays=range(6), holidays=[date(2026, 3, 4)])

    assert calendar.is_working_day(date(2026, 3, 7))  # Saturday
    assert not calendar.is_working_day(date(2026, 3, 8))  # Sunday
    # Mon 2 .. Sun 15 March: 12 working days less the Wednesday holiday.
    assert calendar.working_days_between(date(2026, 3, 2), date(2026, 3, 15)) == 11
    assert calendar.add_working_days(date(2026, 3, 6), 2) == date(2026, 3, 9)


def test_a_holiday_on_a_weekend_and_an_extra_day_on_a_weekday_change_nothing() -> None:
    plain = WorkCalendar()
    redundant = WorkCalendar(holidays=[date(2026, 3, 7)], extra_working_days=[date(2026, 3, 4)])

    start, end = date(2026, 3, 1), date(2026, 3, 31)
    assert redundant.working_days_between(start, end) == plain.working_days_between(start, end)
    assert redundant.day_at(10, start) == plain.day_at(10, start)


def test_no_working_weekday_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one working weekday"):
        WorkCalendar(working_weekdays=())


def test_weekday_numbers_outside_the_week_are_refused() -> None:
    with pytest.raises(ValueError, match=r"\[7\]"):
        WorkCalendar(working_weekdays=(0, 7))


def test_a_day_both_holiday_and_extra_working_day_is_refused() -> None:
    with pytest.raises(ValueError, match="2026-02-15"):
        WorkCalendar(holidays=SPRING_FESTIVAL, extra_working_days=[date(2026, 2, 15)])


def test_calendar_matches_day_by_day_reference() -> None:
    rng = random.Random(20260214)
    for calendar, reference in random_calendars(rng, 40):
        for _ in range(60):
            day = random_day(rng)
            other = day + timedelta(days=rng.randint(-40, 400))
            count = rng.randint(-30, 30)
            assert calendar.is_working_day(day) == reference.is_working_day(day)
            assert calendar.working_days_between(day, other) == reference.working_days_between(day, other)
            assert calendar.add_working_days(day, count) == reference.add_working_days(day, count)
            assert calendar.next_working_day(day) == reference.next_working_day(day)
            assert calendar.previous_working_day(day) == reference.previous_working_day(day)


def test_index_of_and_day_at_match_reference_and_round_trip() -> None:
    rng = random.Random(1001)
    for calendar, reference in random_calendars(rng, 40):
        for _ in range(60):
            origin = random_day(rng)
            day = origin + timedelta(days=rng.randint(-200, 200))
            index = calendar.index_of(day, origin)
            assert index == reference.index_of(day, origin)
            assert calendar.day_at(index, origin) == reference.next_working_day(day)
            some_index = rng.randint(-150, 150)
            some_day = calendar.day_at(some_index, origin)
            assert some_day == reference.day_at(some_index, origin)
            assert calendar.index_of(some_day, origin) == some_index
