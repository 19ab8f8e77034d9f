"""Critical path schedules checked against networks worked by hand.

The tables give each task's duration d and, in working-day indices from the project start with
exclusive finishes (see ``projects.scheduling``), ES, EF, LS, LF, total float TF and free float FF.
``MONDAY_TO_FRIDAY`` turns indices into dates for a plain week starting on Monday 2 March 2026.
"""

import random
from datetime import date
from decimal import Decimal

import pytest

from pmo.workdays import WorkCalendar
from projects.scheduling import (
    CycleError,
    DependencyInput,
    DependencyType,
    ScheduleResult,
    TaskInput,
    TaskSchedule,
    compute_schedule,
    find_cycle,
    remaining_duration,
)

FS, SS, FF, SF = DependencyType.FS, DependencyType.SS, DependencyType.FF, DependencyType.SF

MONDAY = date(2026, 3, 2)
MONDAY_TO_FRIDAY = {
    -2: date(2026, 2, 26),
    -1: date(2026, 2, 27),
    0: date(2026, 3, 2),
    1: date(2026, 3, 3),
    2: date(2026, 3, 4),
    3: date(2026, 3, 5),
    4: date(2026, 3, 6),
    5: date(2026, 3, 9),
    6: date(2026, 3, 10),
    7: date(2026, 3, 11),
    8: date(2026, 3, 12),
    9: date(2026, 3, 13),
    10: date(2026, 3, 16),
    11: date(2026, 3, 17),
    12: date(2026, 3, 18),
    13: date(2026, 3, 19),
    14: date(2026, 3, 20),
    15: date(2026, 3, 23),
    16: date(2026, 3, 24),
    17: date(2026, 3, 25),
}

# (id, d, ES, EF, LS, LF, TF, FF)
Row = tuple[int, int, int, int, int, int, int, int]


def expected_schedule(row: Row) -> TaskSchedule:
    """A hand-worked row as the dates it must be reported as (milestones on their start day)."""
    task_id, duration, es, ef, ls, lf, total_float, free_float = row
    day = MONDAY_TO_FRIDAY
    return TaskSchedule(
        id=task_id,
        early_start=day[es],
        early_finish=day[ef - 1] if duration else day[es],
        late_start=day[ls],
        late_finish=day[lf - 1] if duration else day[ls],
        total_float=total_float,
        free_float=free_float,
        is_critical=total_float <= 0,
    )


def assert_matches(result: ScheduleResult, table: list[Row]) -> None:
    assert result.tasks == {row[0]: expected_schedule(row) for row in table}


def dep(predecessor: int, successor: int, kind: DependencyType = FS, lag: int = 0) -> DependencyInput:
    return DependencyInput(predecessor_id=predecessor, successor_id=successor, type=kind, lag=lag)


# (a) The classic textbook activity-on-node network, A..H as ids 1..8.
TEXTBOOK_TASKS = [
    TaskInput(1, 2, name="A"),
    TaskInput(2, 3, name="B"),
    TaskInput(3, 2, name="C"),
    TaskInput(4, 4, name="D"),
    TaskInput(5, 4, name="E"),
    TaskInput(6, 3, name="F"),
    TaskInput(7, 5, name="G"),
    TaskInput(8, 2, name="H"),
]
TEXTBOOK_DEPENDENCIES = [
    dep(1, 3),
    dep(1, 4),
    dep(2, 4),
    dep(3, 5),
    dep(3, 6),
    dep(4, 7),
    dep(5, 7),
    dep(6, 8),
    dep(7, 8),
]
# Forward: ES = max EF of predecessors.  Backward: LF = min LS of successors, 15 at the end.
#      d  ES  EF  LS  LF  TF  FF
# A    2   0   2   0   2   0   0   FF = min(C 2-2, D 3-2)
# B    3   0   3   1   4   1   0   LF = D.LS; FF = D 3-3
# C    2   2   4   2   4   0   0   LF = min(E.LS 4, F.LS 10)
# D    4   3   7   4   8   1   1   ES = max(A 2, B 3); FF = G 8-7
# E    4   4   8   4   8   0   0
# F    3   4   7  10  13   6   6   LF = H.LS; FF = H 13-7
# G    5   8  13   8  13   0   0   ES = max(D 7, E 8)
# H    2  13  15  13  15   0   0   ES = max(F 7, G 13); finish boundary 15
TEXTBOOK_TABLE: list[Row] = [
    (1, 2, 0, 2, 0, 2, 0, 0),
    (2, 3, 0, 3, 1, 4, 1, 0),
    (3, 2, 2, 4, 2, 4, 0, 0),
    (4, 4, 3, 7, 4, 8, 1, 1),
    (5, 4, 4, 8, 4, 8, 0, 0),
    (6, 3, 4, 7, 10, 13, 6, 6),
    (7, 5, 8, 13, 8, 13, 0, 0),
    (8, 2, 13, 15, 13, 15, 0, 0),
]

# (b) All four dependency types with positive and negative lags; A..F as ids 1..6.
MIXED_TASKS = [
    TaskInput(1, 4, name="A"),
    TaskInput(2, 3, name="B"),
    TaskInput(3, 5, name="C"),
    TaskInput(4, 2, name="D"),
    TaskInput(5, 3, name="E"),
    TaskInput(6, 2, name="F"),
]
MIXED_DEPENDENCIES = [
    dep(1, 2, FS, 2),
    dep(1, 3, SS, 1),
    dep(2, 4, FF, -1),
    dep(3, 5, FS, -2),
    dep(4, 5, FS, 0),
    dep(1, 6, SS, -3),
    dep(3, 6, SF, 4),
    dep(6, 5, FS, 0),
]
# Forward:
#   A: 0..4.  B: FS+2 -> ES >= 4+2 = 6, EF 9.  C: SS+1 -> ES >= 0+1 = 1, EF 6.
#   D: FF-1 -> EF >= 9-1 = 8, ES >= 8-2 = 6.
#   F: SS-3 -> ES >= 0-3 = -3 (not before 0); SF+4 -> EF >= 1+4 = 5, ES >= 3. ES 3, EF 5.
#   E: FS-2 from C -> 6-2 = 4; FS from D -> 8; FS from F -> 5. ES 8, EF 11. Finish boundary 11.
# Backward:
#   E: LF 11, LS 8.  D: LF <= E.LS 8, LS 6.  F: LF <= E.LS 8, LS 6.
#   B: FF-1 -> LF <= D.LF + 1 = 9, LS 6.
#   C: FS-2 -> LF <= E.LS + 2 = 10; SF+4 -> LS <= F.LF - 4 = 4, LF <= 4+5 = 9. LF 9, LS 4.
#   A: FS+2 -> LF <= B.LS - 2 = 4; SS+1 -> LS <= C.LS - 1 = 3, LF <= 7; SS-3 -> LS <= F.LS + 3 = 9,
#      LF <= 13. LF 4, LS 0.
# Free float (link slacks):
#   A: B 6-(4+2) = 0, C 1-(0+1) = 0, F 3-(0-3) = 6 -> 0.   B: D FF 8-(9-1) = 0.
#   C: E 8-(6-2) = 4, F SF 5-(1+4) = 0 -> 0.   D: E 8-8 = 0.   F: E 8-5 = 3.   E: 11-11 = 0.
#      d  ES  EF  LS  LF  TF  FF
# A    4   0   4   0   4   0   0
# B    3   6   9   6   9   0   0
# C    5   1   6   4   9   3   0
# D    2   6   8   6   8   0   0
# E    3   8  11   8  11   0   0
# F    2   3   5   6   8   3   3
MIXED_TABLE: list[Row] = [
    (1, 4, 0, 4, 0, 4, 0, 0),
    (2, 3, 6, 9, 6, 9, 0, 0),
    (3, 5, 1, 6, 4, 9, 3, 0),
    (4, 2, 6, 8, 6, 8, 0, 0),
    (5, 3, 8, 11, 8, 11, 0, 0),
    (6, 2, 3, 5, 6, 8, 3, 3),
]


def test_textbook_network_on_a_plain_week() -> None:
    result = compute_schedule(TEXTBOOK_TASKS, TEXTBOOK_DEPENDENCIES, WorkCalendar(), MONDAY)

    assert_matches(result, TEXTBOOK_TABLE)
    assert result.critical_path == [1, 3, 5, 7, 8]
    assert result.project_start == date(2026, 3, 2)
    assert result.project_finish == date(2026, 3, 20)


def test_free_float_is_smaller_than_total_float_when_the_successor_has_float() -> None:
    result = compute_schedule(TEXTBOOK_TASKS, TEXTBOOK_DEPENDENCIES, WorkCalendar(), MONDAY)

    b, d = result.tasks[2], result.tasks[4]
    # B may slip one day before the project is late, but any slip delays D's early start.
    assert (b.total_float, b.free_float) == (1, 0)
    assert (d.total_float, d.free_float) == (1, 1)


def test_all_four_dependency_types_with_positive_and_negative_lags() -> None:
    result = compute_schedule(MIXED_TASKS, MIXED_DEPENDENCIES, WorkCalendar(), MONDAY)

    assert_matches(result, MIXED_TABLE)
    assert result.critical_path == [1, 2, 4, 5]
    assert result.project_finish == date(2026, 3, 16)


def test_mixed_network_across_national_day_and_a_make_up_saturday() -> None:
    national_day = [date(2026, 10, day) for day in range(1, 8)]
    calendar = WorkCalendar(holidays=national_day, extra_working_days=[date(2026, 10, 10)])

    result = compute_schedule(MIXED_TASKS, MIXED_DEPENDENCIES, calendar, date(2026, 9, 27))

    # Starting on Sunday 27 September, index by index:
    #   0 Mon 28/9, 1 Tue 29/9, 2 Wed 30/9, (1..7 October off), 3 Thu 8/10, 4 Fri 9/10,
    #   5 Sat 10/10 (worked), (Sun 11 off), 6 Mon 12/10, 7 Tue 13/10, 8 Wed 14/10, 9 Thu 15/10, 10 Fri 16/10.
    # The indices are those of the table above; a finish is reported on index EF - 1.
    def schedule(task_id: int, dates: tuple[str, str, str, str], total_float: int, free_float: int) -> TaskSchedule:
        es, ef, ls, lf = (date.fromisoformat(f"2026-{day}") for day in dates)
        return TaskSchedule(task_id, es, ef, ls, lf, total_float, free_float, total_float <= 0)

    assert result.tasks == {
        1: schedule(1, ("09-28", "10-08", "09-28", "10-08"), 0, 0),
        2: schedule(2, ("10-12", "10-14", "10-12", "10-14"), 0, 0),
        3: schedule(3, ("09-29", "10-10", "10-09", "10-14"), 3, 0),
        4: schedule(4, ("10-12", "10-13", "10-12", "10-13"), 0, 0),
        5: schedule(5, ("10-14", "10-16", "10-14", "10-16"), 0, 0),
        6: schedule(6, ("10-08", "10-09", "10-12", "10-13"), 3, 3),
    }
    assert result.project_start == date(2026, 9, 28)
    assert result.project_finish == date(2026, 10, 16)
    assert result.critical_path == [1, 2, 4, 5]


def test_a_late_actual_start_pushes_the_successors() -> None:
    tasks = [TaskInput(1, 2, actual_start=date(2026, 3, 4), name="A"), *TEXTBOOK_TASKS[1:]]

    result = compute_schedule(tasks, TEXTBOOK_DEPENDENCIES, WorkCalendar(), MONDAY)

    # A actually started on Wednesday (index 2) instead of 0.
    #      d  ES  EF  LS  LF  TF  FF
    # A    2   2   4   2   4   0   0
    # B    3   0   3   3   6   3   1   LF = D.LS 6; FF = D 4-3
    # C    2   4   6   4   6   0   0   LF = min(E.LS 6, F.LS 12)
    # D    4   4   8   6  10   2   2   ES = max(A 4, B 3); LF = G.LS; FF = G 10-8
    # E    4   6  10   6  10   0   0
    # F    3   6   9  12  15   6   6   LF = H.LS 15; FF = H 15-9
    # G    5  10  15  10  15   0   0
    # H    2  15  17  15  17   0   0   finish boundary 17
    assert_matches(
        result,
        [
            (1, 2, 2, 4, 2, 4, 0, 0),
            (2, 3, 0, 3, 3, 6, 3, 1),
            (3, 2, 4, 6, 4, 6, 0, 0),
            (4, 4, 4, 8, 6, 10, 2, 2),
            (5, 4, 6, 10, 6, 10, 0, 0),
            (6, 3, 6, 9, 12, 15, 6, 6),
            (7, 5, 10, 15, 10, 15, 0, 0),
            (8, 2, 15, 17, 15, 17, 0, 0),
        ],
    )
    assert result.project_finish == date(2026, 3, 24)
    assert result.critical_path == [1, 3, 5, 7, 8]


def test_actual_dates_and_an_imposed_finish_give_negative_float() -> None:
    tasks = [
        TaskInput(1, 2, actual_start=date(2026, 3, 2), actual_finish=date(2026, 3, 4), name="A"),
        TaskInput(2, 3, actual_start=date(2026, 3, 3), name="B"),
        *TEXTBOOK_TASKS[2:],
    ]

    result = compute_schedule(tasks, TEXTBOOK_DEPENDENCIES, WorkCalendar(), MONDAY, project_finish=date(2026, 3, 19))

    # A finished: ES 0, EF = index of Wed 4 March + 1 = 3, so its span is 3 days, not 2.
    # B started on Tuesday: ES 1, EF 4.  The imposed finish, Thu 19 March (index 13), gives the
    # finish boundary 14, although the early finish boundary is 16.
    #      d  ES  EF  LS  LF  TF  FF
    # A    3   0   3  -2   1  -2   0   LF = min(C.LS 1, D.LS 3); FF = min(C 3-3, D 4-3)
    # B    3   1   4   0   3  -1   0   LF = D.LS 3; FF = D 4-4
    # C    2   3   5   1   3  -2   0   LF = min(E.LS 3, F.LS 9)
    # D    4   4   8   3   7  -1   1   ES = max(A 3, B 4); LF = G.LS 7; FF = G 9-8
    # E    4   5   9   3   7  -2   0
    # F    3   5   8   9  12   4   6   LF = H.LS 12; FF = H 14-8 (above its total float: the
    #                                  imposed finish lowers TF, not the slack before H)
    # G    5   9  14   7  12  -2   0   ES = max(D 8, E 9); LF = H.LS 12
    # H    2  14  16  12  14  -2  -2   LF = 14 (imposed); FF = 14-16
    assert_matches(
        result,
        [
            (1, 3, 0, 3, -2, 1, -2, 0),
            (2, 3, 1, 4, 0, 3, -1, 0),
            (3, 2, 3, 5, 1, 3, -2, 0),
            (4, 4, 4, 8, 3, 7, -1, 1),
            (5, 4, 5, 9, 3, 7, -2, 0),
            (6, 3, 5, 8, 9, 12, 4, 6),
            (7, 5, 9, 14, 7, 12, -2, 0),
            (8, 2, 14, 16, 12, 14, -2, -2),
        ],
    )
    finished = result.tasks[1]
    assert (finished.early_start, finished.early_finish) == (date(2026, 3, 2), date(2026, 3, 4))
    assert result.critical_path == [1, 2, 3, 4, 5, 7, 8]
    assert result.project_finish == date(2026, 3, 23)


def test_an_actual_start_overrides_the_predecessors() -> None:
    tasks = [TaskInput(1, 3, name="Survey"), TaskInput(2, 2, actual_start=date(2026, 3, 3), name="Clear site")]

    result = compute_schedule(tasks, [dep(1, 2)], WorkCalendar(), MONDAY)

    # FS would start "Clear site" at index 3; it started at index 1 and runs to index 2.
    assert result.tasks[2].early_start == date(2026, 3, 3)
    assert result.tasks[2].early_finish == date(2026, 3, 4)


def test_a_task_started_before_the_project_start_keeps_its_date() -> None:
    tasks = [TaskInput(1, 3, actual_start=date(2026, 2, 26), name="Design"), TaskInput(2, 2, name="Build")]

    result = compute_schedule(tasks, [dep(1, 2)], WorkCalendar(), MONDAY)

    # Design: ES -2 (Thu 26 Feb), EF 1; Build: ES 1, EF 3. Both critical.
    assert_matches(result, [(1, 3, -2, 1, -2, 1, 0, 0), (2, 2, 1, 3, 1, 3, 0, 0)])
    assert result.project_start == date(2026, 2, 26)


def test_milestones_in_a_chain_and_at_the_end() -> None:
    tasks = [
        TaskInput(1, 0, name="Kick-off"),
        TaskInput(2, 3, name="Design"),
        TaskInput(3, 0, name="Design approved"),
        TaskInput(4, 2, name="Build"),
        TaskInput(5, 0, name="Handover"),
        TaskInput(6, 1, name="Permits"),
    ]
    dependencies = [dep(1, 2), dep(2, 3), dep(3, 4), dep(4, 5), dep(1, 6), dep(6, 5)]

    result = compute_schedule(tasks, dependencies, WorkCalendar(), MONDAY)

    #                   d  ES  EF  LS  LF  TF  FF
    # Kick-off          0   0   0   0   0   0   0   LF = min(Design.LS 0, Permits.LS 4)
    # Design            3   0   3   0   3   0   0
    # Design approved   0   3   3   3   3   0   0   falls due on index 3, Thu 5 March
    # Build             2   3   5   3   5   0   0
    # Handover          0   5   5   5   5   0   0   falls due on index 5, Mon 9 March
    # Permits           1   0   1   4   5   4   4   LF = Handover.LS 5; FF = 5-1
    assert_matches(
        result,
        [
            (1, 0, 0, 0, 0, 0, 0, 0),
            (2, 3, 0, 3, 0, 3, 0, 0),
            (3, 0, 3, 3, 3, 3, 0, 0),
            (4, 2, 3, 5, 3, 5, 0, 0),
            (5, 0, 5, 5, 5, 5, 0, 0),
            (6, 1, 0, 1, 4, 5, 4, 4),
        ],
    )
    assert result.tasks[3].early_start == result.tasks[3].early_finish == date(2026, 3, 5)
    assert result.critical_path == [1, 2, 3, 4, 5]
    assert result.project_finish == date(2026, 3, 9)


def test_a_task_tied_only_by_its_start_still_cannot_finish_after_the_project() -> None:
    tasks = [TaskInput(1, 10, name="Supervision"), TaskInput(2, 2, name="Mobilise")]

    result = compute_schedule(tasks, [dep(1, 2, SS)], WorkCalendar(), MONDAY)

    # Finish boundary 10 (Supervision). Mobilise: LF 10, LS 8. SS alone would allow
    # Supervision LS <= 8, LF <= 18; the project finish caps it at LF 10, LS 0.
    assert_matches(result, [(1, 10, 0, 10, 0, 10, 0, 0), (2, 2, 0, 2, 8, 10, 8, 8)])
    assert result.critical_path == [1]


def test_an_empty_project_starts_and_finishes_on_its_first_working_day() -> None:
    result = compute_schedule([], [], WorkCalendar(), date(2026, 3, 1))

    assert result == ScheduleResult({}, [], date(2026, 3, 2), date(2026, 3, 2))


def test_a_three_task_cycle_is_refused_naming_the_tasks_in_order() -> None:
    tasks = [TaskInput(1, 2, name="Design"), TaskInput(2, 3, name="Build"), TaskInput(3, 1, name="Test")]
    dependencies = [dep(2, 3), dep(3, 1), dep(1, 2)]

    with pytest.raises(CycleError, match="Design → Build → Test → Design") as raised:
        compute_schedule(tasks, dependencies, WorkCalendar(), MONDAY)

    assert raised.value.cycle == [1, 2, 3, 1]


def test_a_cycle_off_the_first_tasks_is_found_and_named_by_id_without_names() -> None:
    tasks = [TaskInput(task_id, 1) for task_id in (10, 20, 30, 40)]
    dependencies = [dep(10, 20), dep(20, 30), dep(30, 40), dep(40, 30)]

    with pytest.raises(CycleError, match="task 30 → task 40 → task 30") as raised:
        compute_schedule(tasks, dependencies, WorkCalendar(), MONDAY)

    assert raised.value.cycle == [30, 40, 30]


def test_a_self_dependency_is_a_cycle() -> None:
    with pytest.raises(CycleError) as raised:
        compute_schedule([TaskInput(4, 1, name="Pour")], [dep(4, 4)], WorkCalendar(), MONDAY)

    assert raised.value.cycle == [4, 4]
    assert "Pour → Pour" in str(raised.value)


def test_find_cycle_returns_none_for_a_dag() -> None:
    assert find_cycle(range(1, 9), TEXTBOOK_DEPENDENCIES) is None


def test_find_cycle_refuses_a_new_dependency_that_closes_a_loop() -> None:
    proposed = dep(8, 2)  # H before B, while B already leads to H through D and G

    assert find_cycle(range(1, 9), [*TEXTBOOK_DEPENDENCIES, proposed]) == [2, 4, 7, 8, 2]
    assert find_cycle([5], [dep(5, 5, SS, 1)]) == [5, 5]


def test_unknown_task_ids_in_dependencies_are_named() -> None:
    with pytest.raises(ValueError, match="unknown task ids: 7, 9"):
        compute_schedule([TaskInput(1, 1)], [dep(1, 9), dep(7, 1)], WorkCalendar(), MONDAY)


def test_a_negative_duration_is_refused() -> None:
    with pytest.raises(ValueError, match="Excavate has a negative duration"):
        compute_schedule([TaskInput(1, -1, name="Excavate")], [], WorkCalendar(), MONDAY)


def test_a_repeated_task_id_is_refused() -> None:
    with pytest.raises(ValueError, match="more than once"):
        compute_schedule([TaskInput(1, 1), TaskInput(1, 2)], [], WorkCalendar(), MONDAY)


def test_an_actual_finish_needs_an_actual_start_on_or_before_it() -> None:
    with pytest.raises(ValueError, match="no actual start"):
        compute_schedule([TaskInput(1, 1, actual_finish=MONDAY)], [], WorkCalendar(), MONDAY)
    with pytest.raises(ValueError, match="before its actual start"):
        compute_schedule(
            [TaskInput(1, 1, actual_start=date(2026, 3, 3), actual_finish=MONDAY)], [], WorkCalendar(), MONDAY
        )


def test_a_data_date_before_the_project_start_changes_nothing() -> None:
    result = compute_schedule(
        TEXTBOOK_TASKS, TEXTBOOK_DEPENDENCIES, WorkCalendar(), MONDAY, data_date=date(2026, 2, 20)
    )

    assert_matches(result, TEXTBOOK_TABLE)


def test_work_not_started_by_the_data_date_starts_on_it_and_its_successors_follow() -> None:
    # Data date Wednesday 4 March (index 2): no task may start before it; A and B start there and
    # the whole network moves by two days, floats unchanged.
    #      d  ES  EF  LS  LF  TF  FF
    # A    2   2   4   2   4   0   0
    # B    3   2   5   3   6   1   0
    # C    2   4   6   4   6   0   0
    # D    4   5   9   6  10   1   1
    # E    4   6  10   6  10   0   0
    # F    3   6   9  12  15   6   6
    # G    5  10  15  10  15   0   0
    # H    2  15  17  15  17   0   0
    result = compute_schedule(TEXTBOOK_TASKS, TEXTBOOK_DEPENDENCIES, WorkCalendar(), MONDAY, data_date=date(2026, 3, 4))

    assert_matches(
        result,
        [(task_id, d, es + 2, ef + 2, ls + 2, lf + 2, tf, ff) for task_id, d, es, ef, ls, lf, tf, ff in TEXTBOOK_TABLE],
    )
    assert result.project_finish == date(2026, 3, 24)


def test_remaining_work_of_a_started_task_is_scheduled_from_the_data_date() -> None:
    tasks = [
        TaskInput(1, 2, actual_start=date(2026, 3, 2), actual_finish=date(2026, 3, 3), name="A"),
        TaskInput(2, 3, actual_start=date(2026, 3, 2), percent_complete=Decimal("50"), name="B"),
        *TEXTBOOK_TASKS[2:],
    ]

    result = compute_schedule(tasks, TEXTBOOK_DEPENDENCIES, WorkCalendar(), MONDAY, data_date=date(2026, 3, 9))

    # Data date Monday 9 March (index 5). A finished on its actual dates (0..2). B started at 0 and
    # is half done: its remaining ceil(3 x 50 %) = 2 days run from the data date, EF 5 + 2 = 7, so
    # it spans 0..7 and keeps its actual start. C is not started: ES = max(A 2, data date 5) = 5.
    # Backward from the finish boundary 18; A's span is 2, B's is 7.
    #      d  ES  EF  LS  LF  TF  FF
    # A    2   0   2   3   5   3   3   LF = min(C.LS 5, D.LS 7); FF = min(C 5-2, D 7-2)
    # B    3   0   7   0   7   0   0   LF = D.LS 7
    # C    2   5   7   5   7   0   0   LF = min(E.LS 7, F.LS 13)
    # D    4   7  11   7  11   0   0   ES = max(A 2, B 7)
    # E    4   7  11   7  11   0   0
    # F    3   7  10  13  16   6   6   LF = H.LS 16
    # G    5  11  16  11  16   0   0
    # H    2  16  18  16  18   0   0   ES = max(F 10, G 16)
    assert_matches(
        result,
        [
            (1, 2, 0, 2, 3, 5, 3, 3),
            (2, 3, 0, 7, 0, 7, 0, 0),
            (3, 2, 5, 7, 5, 7, 0, 0),
            (4, 4, 7, 11, 7, 11, 0, 0),
            (5, 4, 7, 11, 7, 11, 0, 0),
            (6, 3, 7, 10, 13, 16, 6, 6),
            (7, 5, 11, 16, 11, 16, 0, 0),
            (8, 2, 16, 18, 16, 18, 0, 0),
        ],
    )
    assert (result.tasks[1].early_start, result.tasks[1].early_finish) == (date(2026, 3, 2), date(2026, 3, 3))
    assert result.tasks[2].early_start == date(2026, 3, 2)
    assert result.critical_path == [2, 3, 4, 5, 7, 8]
    assert result.project_finish == date(2026, 3, 25)


def test_a_data_date_on_a_weekend_moves_unstarted_work_and_milestones_to_the_next_working_day() -> None:
    tasks = [
        TaskInput(1, 2, actual_start=date(2026, 3, 2), actual_finish=date(2026, 3, 3), name="Survey"),
        TaskInput(2, 0, name="Approved"),
        TaskInput(3, 3, name="Build"),
    ]

    result = compute_schedule(tasks, [dep(1, 2), dep(2, 3)], WorkCalendar(), MONDAY, data_date=date(2026, 3, 7))

    # Saturday 7 March has the index of Monday 9 March (5): the milestone falls due then, Build follows.
    assert (result.tasks[2].early_start, result.tasks[2].early_finish) == (date(2026, 3, 9), date(2026, 3, 9))
    assert (result.tasks[3].early_start, result.tasks[3].early_finish) == (date(2026, 3, 9), date(2026, 3, 11))
    assert result.project_finish == date(2026, 3, 11)


def test_a_started_task_ahead_of_plan_finishes_its_remaining_work_early() -> None:
    tasks = [TaskInput(1, 10, actual_start=date(2026, 3, 2), percent_complete=Decimal("80"), name="Paving")]

    result = compute_schedule(tasks, [], WorkCalendar(), MONDAY, data_date=date(2026, 3, 5))

    # Index 3 on the data date, 20 % of 10 days = 2 days left: EF 5, so the last day is Friday 6 March.
    assert result.tasks[1].early_finish == date(2026, 3, 6)


def test_a_task_reported_started_and_later_done_by_percent_keeps_its_span() -> None:
    tasks = [TaskInput(1, 3, actual_start=date(2026, 3, 2), percent_complete=Decimal("100"), name="Survey")]

    result = compute_schedule(tasks, [], WorkCalendar(), MONDAY, data_date=date(2026, 3, 16))

    assert result.tasks[1].early_finish == date(2026, 3, 4)


def test_remaining_duration_rounds_up_and_is_never_zero_while_work_remains() -> None:
    assert remaining_duration(3, Decimal("50")) == 2
    assert remaining_duration(10, Decimal("99.99")) == 1
    assert remaining_duration(10, Decimal("0")) == 10
    assert remaining_duration(10, Decimal("100")) == 0
    assert remaining_duration(0, Decimal("50")) == 0


def test_a_long_chain_is_scheduled_without_recursion() -> None:
    tasks = [TaskInput(task_id, 1) for task_id in range(5000)]
    dependencies = [dep(task_id, task_id + 1) for task_id in range(4999)]

    result = compute_schedule(tasks, dependencies, WorkCalendar(), MONDAY)

    # 5000 one-day tasks: 1000 five-day weeks, the last ending on Friday of week 1000.
    assert result.project_finish == date(2026, 3, 6) + (1000 - 1) * (date(2026, 3, 9) - date(2026, 3, 2))
    assert len(result.critical_path) == 5000


def reference_indices(
    durations: dict[int, int], dependencies: list[DependencyInput]
) -> dict[int, tuple[int, int, int, int, int]]:
    """ES, EF, LS, LF and FF by relaxing every constraint of the conventions until nothing moves."""
    es = dict.fromkeys(durations, 0)
    changed = True
    while changed:
        changed = False
        for link in dependencies:
            p, s, lag = link.predecessor_id, link.successor_id, link.lag
            bound = {
                FS: es[p] + durations[p] + lag,
                SS: es[p] + lag,
                FF: es[p] + durations[p] + lag - durations[s],
                SF: es[p] + lag - durations[s],
            }[link.type]
            if bound > es[s]:
                es[s], changed = bound, True
    ef = {task: es[task] + durations[task] for task in durations}
    finish = max(ef.values())
    lf = dict.fromkeys(durations, finish)
    changed = True
    while changed:
        changed = False
        for link in dependencies:
            p, s, lag = link.predecessor_id, link.successor_id, link.lag
            ls_s = lf[s] - durations[s]
            bound = {
                FS: ls_s - lag,
                SS: ls_s - lag + durations[p],
                FF: lf[s] - lag,
                SF: lf[s] - lag + durations[p],
            }[link.type]
            if bound < lf[p]:
                lf[p], changed = bound, True
    free = {task: finish - ef[task] for task in durations}
    for link in dependencies:
        p, s, lag = link.predecessor_id, link.successor_id, link.lag
        slack = {
            FS: es[s] - (ef[p] + lag),
            SS: es[s] - (es[p] + lag),
            FF: ef[s] - (ef[p] + lag),
            SF: ef[s] - (es[p] + lag),
        }[link.type]
        free[p] = min(free[p], slack)
    return {task: (es[task], ef[task], lf[task] - durations[task], lf[task], free[task]) for task in durations}


def test_random_networks_match_a_relaxation_of_the_constraints() -> None:
    rng = random.Random(7)
    calendar = WorkCalendar(holidays=[date(2026, 4, 6), date(2026, 5, 1)], extra_working_days=[date(2026, 4, 11)])
    for _ in range(200):
        durations = {task_id: rng.choice([0, 1, 2, 3, 5, 8]) for task_id in range(1, 16)}
        dependencies = [
            dep(p, s, rng.choice([FS, SS, FF, SF]), rng.randint(-3, 3))
            for s in durations
            for p in rng.sample(range(1, s), min(s - 1, rng.randint(0, 3)))
        ]
        tasks = [TaskInput(task_id, duration) for task_id, duration in durations.items()]
        rng.shuffle(tasks)

        result = compute_schedule(tasks, dependencies, calendar, MONDAY)

        for task_id, (es, ef, ls, lf, free) in reference_indices(durations, dependencies).items():
            schedule = result.tasks[task_id]
            last = -1 if durations[task_id] else 0
            assert calendar.index_of(schedule.early_start, MONDAY) == es
            assert calendar.index_of(schedule.early_finish, MONDAY) == ef + last
            assert calendar.index_of(schedule.late_start, MONDAY) == ls
            assert calendar.index_of(schedule.late_finish, MONDAY) == lf + last
            assert (schedule.total_float, schedule.free_float) == (ls - es, free)
