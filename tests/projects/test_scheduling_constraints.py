"""Date constraints in the critical path, checked against networks worked by hand.

Tables as in ``test_scheduling``: (id, d, ES, EF, LS, LF, TF, FF) in working-day indices from
Monday 2 March 2026, finishes exclusive. The network is A (id 1, 3 days) → B (id 2, 2 days) unless
a test says otherwise: unconstrained, A runs 0-3 and B 3-5.
"""

from datetime import date

import pytest

from pmo.workdays import WorkCalendar
from projects.scheduling import Constraint, ScheduleResult, TaskInput, compute_schedule
from tests.projects.test_scheduling import MONDAY, Row, assert_matches, dep

CALENDAR = WorkCalendar()


def chain(constraint: Constraint, day: date, *, delay: int = 0, extra: list[TaskInput] | None = None) -> ScheduleResult:
    """A → B with B constrained."""
    tasks = [
        TaskInput(1, 3),
        TaskInput(2, 2, constraint=constraint, constraint_date=day, delay=delay),
        *(extra or []),
    ]
    return compute_schedule(tasks, [dep(1, 2)], CALENDAR, MONDAY)


def test_as_soon_as_possible_with_a_date_changes_nothing() -> None:
    assert_matches(chain(Constraint.ASAP, date(2026, 3, 20)), [(1, 3, 0, 3, 0, 3, 0, 0), (2, 2, 3, 5, 3, 5, 0, 0)])


@pytest.mark.parametrize(
    ("day", "table"),
    [
        # Monday 9 March (index 5): B waits, A gains two days of float.
        (date(2026, 3, 9), [(1, 3, 0, 3, 2, 5, 2, 2), (2, 2, 5, 7, 5, 7, 0, 0)]),
        # Saturday 7 March: the next working day, Monday 9.
        (date(2026, 3, 7), [(1, 3, 0, 3, 2, 5, 2, 2), (2, 2, 5, 7, 5, 7, 0, 0)]),
        # Tuesday 3 March: already met by the link.
        (date(2026, 3, 3), [(1, 3, 0, 3, 0, 3, 0, 0), (2, 2, 3, 5, 3, 5, 0, 0)]),
    ],
)
def test_start_no_earlier_than_holds_the_start_back(day: date, table: list[Row]) -> None:
    assert_matches(chain(Constraint.SNET, day), table)


@pytest.mark.parametrize(
    ("day", "table"),
    [
        # Wednesday 11 March (index 7): B finishes that day, so starts on index 6.
        (date(2026, 3, 11), [(1, 3, 0, 3, 3, 6, 3, 3), (2, 2, 6, 8, 6, 8, 0, 0)]),
        # Sunday 15 March: the working day before, Friday 13 (index 9).
        (date(2026, 3, 15), [(1, 3, 0, 3, 5, 8, 5, 5), (2, 2, 8, 10, 8, 10, 0, 0)]),
    ],
)
def test_finish_no_earlier_than_holds_the_finish_back(day: date, table: list[Row]) -> None:
    assert_matches(chain(Constraint.FNET, day), table)


@pytest.mark.parametrize(
    ("day", "table"),
    [
        # Tuesday 10 March (index 6): later than the link allows.
        (date(2026, 3, 10), [(1, 3, 0, 3, 3, 6, 3, 3), (2, 2, 6, 8, 6, 8, 0, 0)]),
        # Wednesday 4 March (index 2): before A finishes. The constraint wins over the link and A, which
        # would have to finish a day earlier than it can, has a day of negative float.
        (date(2026, 3, 4), [(1, 3, 0, 3, -1, 2, -1, -1), (2, 2, 2, 4, 2, 4, 0, 0)]),
    ],
)
def test_must_start_on_pins_the_start_even_against_a_predecessor(day: date, table: list[Row]) -> None:
    result = chain(Constraint.MSO, day)

    assert_matches(result, table)
    assert (1 in result.critical_path) == (day == date(2026, 3, 4))


@pytest.mark.parametrize(
    ("day", "table"),
    [
        # Sunday 15 March: Friday 13 (index 9).
        (date(2026, 3, 15), [(1, 3, 0, 3, 5, 8, 5, 5), (2, 2, 8, 10, 8, 10, 0, 0)]),
        # Wednesday 4 March (index 2): B must run 3-4 March, A is two days late for it.
        (date(2026, 3, 4), [(1, 3, 0, 3, -2, 1, -2, -2), (2, 2, 1, 3, 1, 3, 0, 0)]),
    ],
)
def test_must_finish_on_pins_the_finish_even_against_a_predecessor(day: date, table: list[Row]) -> None:
    assert_matches(chain(Constraint.MFO, day), table)


# With C (id 3, 8 days) alongside, A → B has three days of float: B's late start is index 6.
ALONGSIDE = [TaskInput(3, 8)]


@pytest.mark.parametrize(
    ("day", "table"),
    [
        # Thursday 5 March (index 3): the float is used up.
        (date(2026, 3, 5), [(1, 3, 0, 3, 0, 3, 0, 0), (2, 2, 3, 5, 3, 5, 0, 3)]),
        # Wednesday 4 March (index 2): B cannot start in time; both run a day late.
        (date(2026, 3, 4), [(1, 3, 0, 3, -1, 2, -1, 0), (2, 2, 3, 5, 2, 4, -1, 3)]),
        # Saturday 7 March: the next working day, Monday 9 (index 5), leaves two days.
        (date(2026, 3, 7), [(1, 3, 0, 3, 2, 5, 2, 0), (2, 2, 3, 5, 5, 7, 2, 3)]),
    ],
)
def test_start_no_later_than_bounds_the_late_start(day: date, table: list[Row]) -> None:
    result = chain(Constraint.SNLT, day, extra=ALONGSIDE)

    assert_matches(result, [*table, (3, 8, 0, 8, 0, 8, 0, 0)])


@pytest.mark.parametrize(
    ("day", "table"),
    [
        # Friday 6 March (index 4): the float is used up.
        (date(2026, 3, 6), [(1, 3, 0, 3, 0, 3, 0, 0), (2, 2, 3, 5, 3, 5, 0, 3)]),
        # Thursday 5 March (index 3): a day too early for the links.
        (date(2026, 3, 5), [(1, 3, 0, 3, -1, 2, -1, 0), (2, 2, 3, 5, 2, 4, -1, 3)]),
        # Sunday 8 March: the working day before, Friday 6.
        (date(2026, 3, 8), [(1, 3, 0, 3, 0, 3, 0, 0), (2, 2, 3, 5, 3, 5, 0, 3)]),
    ],
)
def test_finish_no_later_than_bounds_the_late_finish(day: date, table: list[Row]) -> None:
    result = chain(Constraint.FNLT, day, extra=ALONGSIDE)

    assert_matches(result, [*table, (3, 8, 0, 8, 0, 8, 0, 0)])
    assert (result.tasks[2].total_float < 0) == (day == date(2026, 3, 5))


@pytest.mark.parametrize(
    ("day", "index"),
    [(date(2026, 3, 9), 5), (date(2026, 3, 7), 4)],  # Saturday 7 March: Friday 6
)
def test_a_milestone_that_must_finish_on_a_day_falls_on_that_day(day: date, index: int) -> None:
    tasks = [TaskInput(1, 3), TaskInput(2, 0, constraint=Constraint.MFO, constraint_date=day)]

    result = compute_schedule(tasks, [dep(1, 2)], CALENDAR, MONDAY)

    assert_matches(
        result, [(1, 3, 0, 3, index - 3, index, index - 3, index - 3), (2, 0, index, index, index, index, 0, 0)]
    )
    assert result.tasks[2].early_finish == (day if index == 5 else date(2026, 3, 6))


def test_a_leveling_delay_comes_on_top_of_the_constraint() -> None:
    # SNET Monday 9 March (index 5) and two days of delay: B starts on index 7.
    result = chain(Constraint.SNET, date(2026, 3, 9), delay=2)

    assert_matches(result, [(1, 3, 0, 3, 2, 5, 2, 2), (2, 2, 7, 9, 7, 9, 0, 0)])


def test_a_started_task_keeps_its_actual_start_whatever_its_constraint() -> None:
    tasks = [
        TaskInput(1, 3, actual_start=date(2026, 3, 3), constraint=Constraint.MSO, constraint_date=date(2026, 3, 10))
    ]

    result = compute_schedule(tasks, [], CALENDAR, MONDAY)

    assert result.tasks[1].early_start == date(2026, 3, 3)


def test_a_hard_constraint_before_the_data_date_gives_way_to_it() -> None:
    tasks = [TaskInput(1, 2, constraint=Constraint.MSO, constraint_date=date(2026, 3, 3))]

    result = compute_schedule(tasks, [], CALENDAR, MONDAY, data_date=date(2026, 3, 9))

    assert result.tasks[1].early_start == date(2026, 3, 9)
