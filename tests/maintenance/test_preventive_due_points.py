"""Due points of preventive plans, worked out by hand (maintenance.preventive is pure: no database)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from maintenance.preventive import (
    CalendarRule,
    MeterRule,
    add_months,
    calendar_next_point,
    calendar_point_to_make,
    fixed_due_date,
    meter_key,
    meter_next_point,
    meter_point_to_make,
)

D = dt.date


def test_monthly_from_the_31st_clamps_to_the_month_end_and_comes_back_to_the_31st() -> None:
    rule = CalendarRule(interval=1, unit="months", starts_on=D(2027, 1, 31))
    dates = [fixed_due_date(rule, k) for k in range(5)]
    assert dates == [D(2027, 1, 31), D(2027, 2, 28), D(2027, 3, 31), D(2027, 4, 30), D(2027, 5, 31)]


def test_monthly_from_the_31st_in_a_leap_year_falls_on_the_29th_of_february() -> None:
    rule = CalendarRule(interval=1, unit="months", starts_on=D(2028, 1, 31))
    assert fixed_due_date(rule, 1) == D(2028, 2, 29)
    assert fixed_due_date(rule, 2) == D(2028, 3, 31)


def test_add_months_crosses_the_year_end() -> None:
    assert add_months(D(2027, 11, 30), 3) == D(2028, 2, 29)
    assert add_months(D(2027, 12, 15), 1) == D(2028, 1, 15)


def test_the_fixed_monthly_plan_makes_the_31_january_point_then_28_february_then_31_march() -> None:
    rule = CalendarRule(interval=1, unit="months", starts_on=D(2027, 1, 31), lead_days=0)
    assert calendar_point_to_make(rule, today=D(2027, 1, 30)) is None
    assert calendar_point_to_make(rule, today=D(2027, 1, 31)).key == "2027-01-31"  # type: ignore[union-attr]
    assert calendar_point_to_make(rule, today=D(2027, 2, 27)).key == "2027-01-31"  # type: ignore[union-attr]
    assert calendar_point_to_make(rule, today=D(2027, 2, 28)).key == "2027-02-28"  # type: ignore[union-attr]
    assert calendar_point_to_make(rule, today=D(2027, 3, 30)).key == "2027-02-28"  # type: ignore[union-attr]
    assert calendar_point_to_make(rule, today=D(2027, 3, 31)).key == "2027-03-31"  # type: ignore[union-attr]


def test_weekly_every_two_weeks_falls_due_on_the_same_weekday() -> None:
    rule = CalendarRule(interval=2, unit="weeks", starts_on=D(2027, 3, 1), lead_days=0)  # a Monday
    assert [fixed_due_date(rule, k) for k in range(3)] == [D(2027, 3, 1), D(2027, 3, 15), D(2027, 3, 29)]
    assert calendar_point_to_make(rule, today=D(2027, 3, 14)).key == "2027-03-01"  # type: ignore[union-attr]
    assert calendar_point_to_make(rule, today=D(2027, 3, 15)).key == "2027-03-15"  # type: ignore[union-attr]


def test_yearly_from_29_february_falls_on_28_february_then_back_on_29_february_in_leap_years() -> None:
    rule = CalendarRule(interval=1, unit="years", starts_on=D(2028, 2, 29))
    assert [fixed_due_date(rule, k) for k in range(5)] == [
        D(2028, 2, 29),
        D(2029, 2, 28),
        D(2030, 2, 28),
        D(2031, 2, 28),
        D(2032, 2, 29),
    ]
    assert calendar_point_to_make(rule, today=D(2031, 12, 31)).key == "2031-02-28"  # type: ignore[union-attr]


def test_every_ten_days() -> None:
    rule = CalendarRule(interval=10, unit="days", starts_on=D(2027, 3, 1), lead_days=2)
    assert calendar_point_to_make(rule, today=D(2027, 3, 8)).key == "2027-03-01"  # type: ignore[union-attr]
    assert calendar_point_to_make(rule, today=D(2027, 3, 9)).key == "2027-03-11"  # type: ignore[union-attr]


def test_the_work_order_appears_exactly_lead_days_before_not_a_day_earlier() -> None:
    rule = CalendarRule(interval=1, unit="months", starts_on=D(2027, 3, 1), lead_days=7)
    assert calendar_point_to_make(rule, today=D(2027, 2, 21)) is None
    point = calendar_point_to_make(rule, today=D(2027, 2, 22))
    assert point is not None
    assert (point.key, point.due_date, point.opens_on) == ("2027-03-01", D(2027, 3, 1), D(2027, 2, 22))
    # The next month's due point, 1 April, appears on 25 March and not on the 24th.
    assert calendar_point_to_make(rule, today=D(2027, 3, 24)).key == "2027-03-01"  # type: ignore[union-attr]
    assert calendar_point_to_make(rule, today=D(2027, 3, 25)).key == "2027-04-01"  # type: ignore[union-attr]


def test_missed_due_points_give_only_the_latest_open_one_not_a_backlog() -> None:
    rule = CalendarRule(interval=1, unit="weeks", starts_on=D(2027, 3, 1), lead_days=0)
    # The generator did not run for a month: four due points passed; only the latest is made.
    assert calendar_point_to_make(rule, today=D(2027, 3, 31)).key == "2027-03-29"  # type: ignore[union-attr]


def test_floating_before_any_completion_falls_due_on_the_start_date() -> None:
    rule = CalendarRule(interval=3, unit="months", starts_on=D(2027, 3, 1), lead_days=5, floating=True)
    assert calendar_point_to_make(rule, today=D(2027, 2, 23)) is None
    assert calendar_point_to_make(rule, today=D(2027, 2, 24)).key == "2027-03-01"  # type: ignore[union-attr]
    # Still the start date months later: nothing was completed, nothing moves on.
    assert calendar_point_to_make(rule, today=D(2027, 9, 1)).key == "2027-03-01"  # type: ignore[union-attr]


def test_floating_after_a_late_completion_counts_from_the_completion_date() -> None:
    rule = CalendarRule(interval=3, unit="months", starts_on=D(2027, 3, 1), lead_days=5, floating=True)
    # Due 1 March, done three weeks late on 22 March: next due 22 June, appearing on 17 June.
    assert calendar_point_to_make(rule, today=D(2027, 6, 16), last_done=D(2027, 3, 22)) is None
    point = calendar_point_to_make(rule, today=D(2027, 6, 17), last_done=D(2027, 3, 22))
    assert point is not None
    assert (point.key, point.opens_on) == ("2027-06-22", D(2027, 6, 17))
    # A fixed plan with the same numbers ignores the completion: 1 June.
    fixed = CalendarRule(interval=3, unit="months", starts_on=D(2027, 3, 1), lead_days=5)
    assert calendar_point_to_make(fixed, today=D(2027, 6, 17), last_done=D(2027, 3, 22)).key == "2027-06-01"  # type: ignore[union-attr]


def test_the_next_calendar_point_is_the_open_one_until_it_is_made_then_the_one_after() -> None:
    rule = CalendarRule(interval=1, unit="months", starts_on=D(2027, 1, 31), lead_days=3)
    assert calendar_next_point(rule, today=D(2027, 1, 1)).key == "2027-01-31"
    assert calendar_next_point(rule, today=D(2027, 2, 26)).key == "2027-02-28"
    made = frozenset({"2027-02-28"})
    assert calendar_next_point(rule, today=D(2027, 2, 26), made=made).key == "2027-03-31"


def test_meter_every_2000_hours_with_a_lead_of_100_hours() -> None:
    rule = MeterRule(interval=Decimal("2000"), lead=Decimal("100"))
    assert meter_point_to_make(rule, value=Decimal("1899")) is None
    point = meter_point_to_make(rule, value=Decimal("1900"))
    assert point is not None
    assert (point.key, point.due_value, point.opens_at) == ("meter:2000", Decimal("2000"), Decimal("1900"))
    assert meter_point_to_make(rule, value=Decimal("1950")).key == "meter:2000"  # type: ignore[union-attr]
    assert meter_point_to_make(rule, value=Decimal("3899.99")).key == "meter:2000"  # type: ignore[union-attr]
    assert meter_point_to_make(rule, value=Decimal("3900")).key == "meter:4000"  # type: ignore[union-attr]
    # Jumping past two due points makes the latest only.
    assert meter_point_to_make(rule, value=Decimal("8000")).key == "meter:8000"  # type: ignore[union-attr]


def test_the_next_meter_point_and_the_reading_that_opens_it() -> None:
    rule = MeterRule(interval=Decimal("2000"), lead=Decimal("100"))
    assert meter_next_point(rule, value=Decimal("0")).key == "meter:2000"
    nxt = meter_next_point(rule, value=Decimal("1950"), made=frozenset({"meter:2000"}))
    assert (nxt.key, nxt.opens_at) == ("meter:4000", Decimal("3900"))


def test_meter_keys_carry_no_exponent_and_no_trailing_zeros() -> None:
    assert meter_key(Decimal("12000.00")) == "meter:12000"
    assert meter_key(Decimal("2500.50")) == "meter:2500.5"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"interval": 0, "unit": "days"}, "interval"),
        ({"interval": 1, "unit": "fortnights"}, "unit"),
        ({"interval": 1, "unit": "days", "lead_days": -1}, "lead_days"),
    ],
)
def test_a_calendar_rule_refuses_nonsense(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CalendarRule(starts_on=D(2027, 1, 1), **kwargs)  # type: ignore[arg-type]
