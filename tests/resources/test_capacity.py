"""The capacity engine (resources.capacity) worked by hand.

March 2026: Monday 2, 9 and 16 start the weeks. The calendar used throughout works Monday to
Friday, with a holiday on Wednesday 4 March and a make-up working day (调休) on Saturday 7 March:

    Mon 2  Tue 3  Wed 4  Thu 5  Fri 6  Sat 7  Sun 8 | Mon 9 ... Fri 13  Sat 14  Sun 15
    work   work   HOL    work   work   MAKE-UP off  | work ... work    off     off
"""

from __future__ import annotations

import datetime as dt

from pmo.workdays import WorkCalendar
from resources.capacity import (
    AssignmentLoad,
    DayFigures,
    Period,
    ResourceCalendar,
    day_figures,
    spread,
    task_working_days,
    total_work,
    week_figures,
)


def d(day: int, month: int = 3) -> dt.date:
    return dt.date(2026, month, day)


HOLIDAY = d(4)
MAKE_UP = d(7)
CALENDAR = WorkCalendar(holidays=[HOLIDAY], extra_working_days=[MAKE_UP])
PLAIN = WorkCalendar()


def units(start: dt.date, finish: dt.date, percent: float, hours_per_day: float = 8.0) -> AssignmentLoad:
    return AssignmentLoad(start, finish, units=percent, work=0.0, by_work=False, hours_per_day=hours_per_day)


def work(start: dt.date | None, finish: dt.date | None, hours: float) -> AssignmentLoad:
    return AssignmentLoad(start, finish, units=0.0, work=hours, by_work=True)


def by_day(figures: list[DayFigures]) -> dict[dt.date, DayFigures]:
    return {figure.day: figure for figure in figures}


# --- capacity -------------------------------------------------------------------------------


def test_a_holiday_has_no_capacity_and_a_make_up_saturday_has_a_full_day() -> None:
    person = ResourceCalendar(CALENDAR)
    assert person.capacity(d(3)) == 8.0  # an ordinary Tuesday
    assert person.capacity(HOLIDAY) == 0.0  # the holiday on a Wednesday
    assert person.capacity(MAKE_UP) == 8.0  # Saturday worked (调休)
    assert person.capacity(d(8)) == 0.0  # Sunday
    assert person.capacity(d(14)) == 0.0  # an ordinary Saturday


def test_the_week_of_a_holiday_and_a_make_up_day_still_has_five_working_days() -> None:
    # Mon, Tue, Thu, Fri, Sat worked: 5 x 8 = 40 h; the following plain week: Mon-Fri 5 x 8 = 40 h.
    figures = day_figures(ResourceCalendar(CALENDAR), [], d(2), d(15))
    weeks = week_figures(figures)
    assert [(week.week_start, week.capacity, week.load) for week in weeks] == [(d(2), 40.0, 0.0), (d(9), 40.0, 0.0)]
    assert [figure.capacity for figure in figures[:7]] == [8.0, 8.0, 0.0, 8.0, 8.0, 8.0, 0.0]


def test_hours_per_day_and_maximum_units_multiply() -> None:
    # 7.5 h a day x 300 % (a crew of three) = 22.5 h on a working day; still 0 on a day off.
    crew = ResourceCalendar(CALENDAR, hours_per_day=7.5, max_units=300.0)
    assert crew.capacity(d(2)) == 22.5
    assert crew.capacity(HOLIDAY) == 0.0


def test_a_crew_of_three_at_300_percent_is_full_not_over_allocated() -> None:
    # Capacity 8 x 300 % = 24 h. An assignment at 300 % units: 300 / 100 x 8 = 24 h a day = 100 %.
    crew = ResourceCalendar(PLAIN, max_units=300.0)
    full = spread(units(d(9), d(13), 300.0), PLAIN)
    monday = day_figures(crew, [full], d(9), d(9))[0]
    assert (monday.capacity, monday.load, monday.utilisation, monday.over_allocated) == (24.0, 24.0, 100.0, False)
    # One more hour from another task on the Monday: 25 / 24 = 104.1666… % → 104.1667, over-allocated.
    monday = day_figures(crew, [full, {d(9): 1.0}], d(9), d(9))[0]
    assert (monday.load, monday.utilisation, monday.over_allocated) == (25.0, 104.1667, True)


def test_a_part_time_period_replaces_the_hours_of_its_working_days() -> None:
    # Part-time 4 h a day from Mon 9 to Wed 11: capacity 4, 4, 4, then 8, 8 on Thu 12 and Fri 13; the
    # weekend stays 0. Week of 9 March: 3 x 4 + 2 x 8 = 28 h.
    person = ResourceCalendar(CALENDAR, part_time=(Period(d(9), d(11), 4.0),))
    figures = day_figures(person, [], d(9), d(15))
    assert [figure.capacity for figure in figures] == [4.0, 4.0, 4.0, 8.0, 8.0, 0.0, 0.0]
    assert week_figures(figures)[0].capacity == 28.0


def test_a_half_time_assignment_fills_a_part_time_day_exactly_and_a_full_one_doubles_it() -> None:
    # Part-time 4 h; 50 % of 8 h = 4 h a day: 4 / 4 = 100 %, not over-allocated.
    person = ResourceCalendar(CALENDAR, part_time=(Period(d(9), d(13), 4.0),))
    half = day_figures(person, [spread(units(d(9), d(13), 50.0), CALENDAR)], d(9), d(9))[0]
    assert (half.capacity, half.load, half.utilisation, half.over_allocated) == (4.0, 4.0, 100.0, False)
    # 100 % of 8 h = 8 h on a 4 h day: 200 %, over-allocated.
    full = day_figures(person, [spread(units(d(9), d(13), 100.0), CALENDAR)], d(9), d(9))[0]
    assert (full.load, full.utilisation, full.over_allocated) == (8.0, 200.0, True)


def test_a_part_time_crew_scales_by_its_units() -> None:
    # Part-time 4 h x 300 % = 12 h.
    crew = ResourceCalendar(PLAIN, max_units=300.0, part_time=(Period(d(9), d(13), 4.0),))
    assert crew.capacity(d(10)) == 12.0
    assert crew.capacity(d(16)) == 24.0


# --- leave is load --------------------------------------------------------------------------


def test_a_day_of_leave_is_a_full_load_exactly_at_capacity() -> None:
    # Leave on Mon 9: load 8 h (the whole day's capacity), utilisation 8 / 8 = 100 %, not over-allocated.
    person = ResourceCalendar(CALENDAR, absences=(Period(d(9), d(9)),))
    monday = day_figures(person, [], d(9), d(9))[0]
    assert (monday.capacity, monday.load, monday.absence) == (8.0, 8.0, 8.0)
    assert (monday.utilisation, monday.over_allocated) == (100.0, False)


def test_an_assignment_on_leave_is_an_over_allocation() -> None:
    # Leave Mon 9 to Tue 10; an assignment at 100 % from Mon 9 to Fri 13 (8 h a day).
    #   Mon 9, Tue 10: 8 (leave) + 8 = 16 h on 8 h → 200 %, over-allocated
    #   Wed 11..Fri 13: 8 h on 8 h → 100 %, not over-allocated
    # Week: capacity 40, load 2 x 16 + 3 x 8 = 56 → 140 %, 2 days over.
    person = ResourceCalendar(CALENDAR, absences=(Period(d(9), d(10)),))
    figures = day_figures(person, [spread(units(d(9), d(13), 100.0), CALENDAR)], d(9), d(15))
    assert [(figure.load, figure.over_allocated) for figure in figures[:5]] == [
        (16.0, True),
        (16.0, True),
        (8.0, False),
        (8.0, False),
        (8.0, False),
    ]
    assert figures[0].utilisation == 200.0
    (week,) = week_figures(figures)
    assert (week.capacity, week.load, week.utilisation, week.over_allocated_days, week.over_allocated) == (
        40.0,
        56.0,
        140.0,
        2,
        True,
    )


def test_leave_over_a_holiday_a_make_up_day_and_a_weekend_counts_only_working_days() -> None:
    # Leave Mon 2 to Sun 8: Mon 8, Tue 8, Wed 0 (holiday), Thu 8, Fri 8, Sat 8 (make-up), Sun 0.
    # Week: capacity 40, load 40: exactly 100 %.
    person = ResourceCalendar(CALENDAR, absences=(Period(d(2), d(8)),))
    figures = day_figures(person, [], d(2), d(8))
    assert [figure.absence for figure in figures] == [8.0, 8.0, 0.0, 8.0, 8.0, 8.0, 0.0]
    (week,) = week_figures(figures)
    assert (week.capacity, week.load, week.utilisation, week.over_allocated) == (40.0, 40.0, 100.0, False)


def test_leave_during_a_part_time_period_loads_the_part_time_day() -> None:
    # Part-time 4 h from Mon 9 to Fri 13, leave on Tue 10: load 4 = capacity 4.
    person = ResourceCalendar(CALENDAR, part_time=(Period(d(9), d(13), 4.0),), absences=(Period(d(10), d(10)),))
    tuesday = day_figures(person, [], d(10), d(10))[0]
    assert (tuesday.capacity, tuesday.load, tuesday.absence, tuesday.over_allocated) == (4.0, 4.0, 4.0, False)


# --- unknown capacity -----------------------------------------------------------------------


def test_without_a_calendar_capacity_is_unknown_never_zero_and_never_over_allocated() -> None:
    nobody_knows = ResourceCalendar(None)
    assert nobody_knows.capacity(d(9)) is None
    assert nobody_knows.capacity(d(14)) is None  # a Saturday is unknown too, not 0
    # 24 h of work a day for a week: still not over-allocated, utilisation unknown.
    figures = day_figures(nobody_knows, [spread(units(d(9), d(13), 300.0), PLAIN)], d(9), d(15))
    monday = figures[0]
    assert (monday.capacity, monday.load, monday.utilisation, monday.over_allocated) == (None, 24.0, None, False)
    (week,) = week_figures(figures)
    assert (week.capacity, week.load, week.utilisation, week.over_allocated) == (None, 120.0, None, False)


def test_leave_without_a_calendar_loads_the_usual_day() -> None:
    # No calendar: the usual day (7.5 h x 100 %) is the load of a day of leave; capacity stays unknown.
    person = ResourceCalendar(None, hours_per_day=7.5, absences=(Period(d(9), d(9)),))
    monday = day_figures(person, [], d(9), d(9))[0]
    assert (monday.capacity, monday.load, monday.absence, monday.over_allocated) == (None, 7.5, 7.5, False)


# --- load spreading -------------------------------------------------------------------------


def test_units_spread_over_a_task_spanning_a_weekend() -> None:
    # Task Thu 12 to Wed 18 March: Thu, Fri, Mon, Tue, Wed = 5 working days.
    # 50 % x 8 h = 4 h on each working day, nothing on Sat 14 / Sun 15; total work 5 x 4 = 20 h.
    assignment = units(d(12), d(18), 50.0)
    load = spread(assignment, PLAIN)
    assert load == {d(12): 4.0, d(13): 4.0, d(16): 4.0, d(17): 4.0, d(18): 4.0}
    assert d(14) not in load
    assert d(15) not in load
    assert total_work(assignment, PLAIN) == 20.0


def test_units_total_work_counts_only_the_working_days() -> None:
    # 50 % from Mon 2 to Sun 8 on the holiday calendar: Mon, Tue, Thu, Fri, Sat (make-up) = 5 days
    # x 4 h = 20 h; the holiday (Wed 4) and Sunday carry nothing.
    assignment = units(d(2), d(8), 50.0)
    assert sorted(spread(assignment, CALENDAR)) == [d(2), d(3), d(5), d(6), d(7)]
    assert total_work(assignment, CALENDAR) == 20.0


def test_a_milestone_in_units_takes_one_day_of_its_units() -> None:
    # A milestone on Fri 13 at 100 %: 100 / 100 x 8 = 8 h on that day, 8 h of work in all.
    assignment = units(d(13), d(13), 100.0)
    assert spread(assignment, PLAIN) == {d(13): 8.0}
    assert total_work(assignment, PLAIN) == 8.0


def test_units_use_the_resources_hours_per_day() -> None:
    # 50 % of a 7.5 h day = 3.75 h a day.
    assert spread(units(d(9), d(10), 50.0, hours_per_day=7.5), PLAIN) == {d(9): 3.75, d(10): 3.75}


def test_work_spread_evenly_over_the_working_days_skipping_the_holiday() -> None:
    # Task Mon 2 to Fri 6 with the holiday on Wed 4: 4 working days; 30 h / 4 = 7.5 h each.
    load = spread(work(d(2), d(6), 30.0), CALENDAR)
    assert load == {d(2): 7.5, d(3): 7.5, d(5): 7.5, d(6): 7.5}


def test_work_spread_includes_the_make_up_saturday() -> None:
    # Task Thu 5 to Mon 9: Thu 5, Fri 6, Sat 7 (make-up), Mon 9 = 4 working days; 20 h / 4 = 5 h each.
    load = spread(work(d(5), d(9), 20.0), CALENDAR)
    assert load == {d(5): 5.0, d(6): 5.0, d(7): 5.0, d(9): 5.0}


def test_a_milestone_puts_all_of_its_work_on_its_day() -> None:
    # A milestone on Fri 13 (start = finish) with 6 h of work: 6 h on Fri 13.
    assert spread(work(d(13), d(13), 6.0), PLAIN) == {d(13): 6.0}
    assert task_working_days(PLAIN, d(13), d(13)) == [d(13)]


def test_a_span_with_no_working_day_puts_all_of_its_work_on_its_start() -> None:
    # Sat 14 to Sun 15: no working day, so 10 h all on Sat 14; a day off with load is over-allocated.
    load = spread(work(d(14), d(15), 10.0), PLAIN)
    assert load == {d(14): 10.0}
    saturday = day_figures(ResourceCalendar(PLAIN), [load], d(14), d(14))[0]
    assert (saturday.capacity, saturday.load, saturday.utilisation, saturday.over_allocated) == (
        0.0,
        10.0,
        None,
        True,
    )


def test_an_unscheduled_task_carries_no_load() -> None:
    assert spread(work(None, None, 40.0), PLAIN) == {}
    assert spread(work(d(9), None, 40.0), PLAIN) == {}


def test_rescheduling_the_task_moves_the_load() -> None:
    # 16 h over Mon 9 to Tue 10 (8 h each); the task moves a week later to Mon 16 to Tue 17.
    person = ResourceCalendar(PLAIN)
    before = spread(work(d(9), d(10), 16.0), PLAIN)
    after = spread(work(d(16), d(17), 16.0), PLAIN)
    assert before == {d(9): 8.0, d(10): 8.0}
    assert after == {d(16): 8.0, d(17): 8.0}
    weeks_before = week_figures(day_figures(person, [before], d(9), d(22)))
    weeks_after = week_figures(day_figures(person, [after], d(9), d(22)))
    assert [week.load for week in weeks_before] == [16.0, 0.0]
    assert [week.load for week in weeks_after] == [0.0, 16.0]


def test_load_follows_the_project_calendar_not_the_resources() -> None:
    # The project works the make-up Saturday 7 March; the person's calendar is plain (Sat 7 off).
    # 12 h from Fri 6 to Mon 9 on the project's calendar: Fri 6, Sat 7, Mon 9 = 3 days x 4 h.
    # Sat 7: 4 h on a capacity of 0 → over-allocated.
    load = spread(work(d(6), d(9), 12.0), CALENDAR)
    assert load == {d(6): 4.0, d(7): 4.0, d(9): 4.0}
    saturday = by_day(day_figures(ResourceCalendar(PLAIN), [load], d(6), d(9)))[d(7)]
    assert (saturday.capacity, saturday.load, saturday.over_allocated) == (0.0, 4.0, True)


def test_loads_outside_the_window_are_ignored_and_several_assignments_add_up() -> None:
    # Two assignments on Mon 9: 3 h and 2.5 h = 5.5 h; a load on Mon 16 lies outside Mon 9..Sun 15.
    figures = day_figures(ResourceCalendar(PLAIN), [{d(9): 3.0, d(16): 8.0}, {d(9): 2.5}], d(9), d(15))
    assert len(figures) == 7
    assert figures[0].load == 5.5
    assert sum(figure.load for figure in figures) == 5.5


# --- utilisation and over-allocation at the boundary ----------------------------------------


def test_exactly_one_hundred_percent_is_not_over_allocated() -> None:
    # Two half-time assignments on an 8 h day: 4 + 4 = 8 h = 100 %.
    person = ResourceCalendar(PLAIN)
    half = spread(units(d(9), d(9), 50.0), PLAIN)
    monday = day_figures(person, [half, half], d(9), d(9))[0]
    assert (monday.load, monday.utilisation, monday.over_allocated) == (8.0, 100.0, False)


def test_one_hundred_point_zero_one_percent_is_over_allocated() -> None:
    # 100.01 % units x 8 h = 8.0008 h on 8 h: 100.01 %, over-allocated.
    person = ResourceCalendar(PLAIN)
    monday = day_figures(person, [spread(units(d(9), d(9), 100.01), PLAIN)], d(9), d(9))[0]
    assert (monday.load, monday.utilisation, monday.over_allocated) == (8.0008, 100.01, True)


def test_float_noise_below_the_rounding_places_is_not_an_over_allocation() -> None:
    # 0.1 + 0.2 + 7.7 is 8.000000000000002 in floats: rounded to 4 places it is 8, not over 8.
    loads = [{d(9): 0.1}, {d(9): 0.2}, {d(9): 7.7}]
    monday = day_figures(ResourceCalendar(PLAIN), loads, d(9), d(9))[0]
    assert (monday.load, monday.utilisation, monday.over_allocated) == (8.0, 100.0, False)


def test_ten_hours_over_three_days_add_back_up_to_ten() -> None:
    # 10 h over Mon 9..Wed 11: 3.3333… h a day, shown as 3.3333; the total work is 10 and the
    # week's load is 10 exactly (not 3 x 3.3333 = 9.9999); week utilisation 10 / 40 = 25 %.
    assignment = work(d(9), d(11), 10.0)
    load = spread(assignment, PLAIN)
    assert total_work(assignment, PLAIN) == 10.0
    figures = day_figures(ResourceCalendar(PLAIN), [load], d(9), d(15))
    assert [figure.load for figure in figures[:3]] == [3.3333, 3.3333, 3.3333]
    (week,) = week_figures(figures)
    assert (week.load, week.utilisation) == (10.0, 25.0)


def test_three_sevenths_utilisation_is_rounded_to_four_places() -> None:
    # 3 h on a 7 h day: 42.857142…% → 42.8571.
    monday = day_figures(ResourceCalendar(PLAIN, hours_per_day=7.0), [{d(9): 3.0}], d(9), d(9))[0]
    assert monday.utilisation == 42.8571


# --- weeks ----------------------------------------------------------------------------------


def test_weeks_start_on_monday_and_a_partial_window_keeps_its_days() -> None:
    # Window Thu 5 to Tue 10 March: week of 2 March holds Thu 5..Sun 8 (Thu 8, Fri 8, Sat 8 make-up,
    # Sun 0 = 24 h); week of 9 March holds Mon 9, Tue 10 (16 h).
    weeks = week_figures(day_figures(ResourceCalendar(CALENDAR), [], d(5), d(10)))
    assert [(week.week_start, week.capacity) for week in weeks] == [(d(2), 24.0), (d(9), 16.0)]


def test_a_week_under_its_capacity_with_one_day_over_is_over_allocated() -> None:
    # 12 h on Mon 9 only: the week's load 12 < 40, but Monday 12 > 8 → the week is over-allocated.
    (week,) = week_figures(day_figures(ResourceCalendar(PLAIN), [{d(9): 12.0}], d(9), d(15)))
    assert (week.load, week.utilisation, week.over_allocated_days, week.over_allocated) == (12.0, 30.0, 1, True)


def test_a_week_of_exactly_full_days_is_not_over_allocated() -> None:
    # 100 % units Mon 9..Fri 13: 5 x 8 = 40 h on 40 h.
    (week,) = week_figures(
        day_figures(ResourceCalendar(PLAIN), [spread(units(d(9), d(13), 100.0), PLAIN)], d(9), d(15))
    )
    assert (week.capacity, week.load, week.utilisation, week.over_allocated_days, week.over_allocated) == (
        40.0,
        40.0,
        100.0,
        0,
        False,
    )


def test_a_week_with_no_capacity_has_no_utilisation() -> None:
    # A calendar that works Saturdays only, read from Mon 9 to Fri 13: capacity 0 and no load, so
    # utilisation is None (not a division by zero) and the week is not over-allocated.
    saturdays = WorkCalendar(working_weekdays=(5,))
    (week,) = week_figures(day_figures(ResourceCalendar(saturdays), [], d(9), d(13)))
    assert (week.capacity, week.load, week.utilisation, week.over_allocated) == (0.0, 0.0, None, False)
