"""The leveling engine on small networks worked by hand.

Monday 2 March 2026 is working-day index 0 of a Monday-to-Friday week (``MONDAY_TO_FRIDAY`` turns
indices into dates); one person, R, works 8 hours a day at 100 %. A task at 100 % puts 8 hours on
each of its days, so two of them on the same day make 16 > 8: over-allocated.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import replace

import pytest

from pmo.workdays import WorkCalendar
from projects.scheduling import DependencyInput, DependencyType
from resources.capacity import Period, ResourceCalendar
from resources.leveling import (
    Demand,
    LevelingInput,
    LevelingProject,
    LevelingTask,
    Move,
    OverAllocation,
    ProjectFinish,
    level,
    result_as_json,
)
from tests.projects.test_scheduling import MONDAY, MONDAY_TO_FRIDAY

D = MONDAY_TO_FRIDAY
CALENDAR = WorkCalendar()
R, S = 7, 8
FULL = (Demand(R, hours_per_day=8.0),)
PERIOD_END = dt.date(2026, 6, 30)


def task(task_id: int, duration: int, *, demands: tuple[Demand, ...] = FULL, **fields: object) -> LevelingTask:
    return LevelingTask(id=task_id, duration=duration, sort_key=f"{task_id:05d}", demands=demands, **fields)  # type: ignore[arg-type]


def project(
    project_id: int, tasks: list[LevelingTask], links: Sequence[tuple[int, int]] = (), **fields: object
) -> LevelingProject:
    return LevelingProject(
        id=project_id,
        start=MONDAY,
        calendar=CALENDAR,
        tasks=tuple(tasks),
        dependencies=tuple(DependencyInput(p, s, DependencyType.FS) for p, s in links),
        **fields,  # type: ignore[arg-type]
    )


def problem(*projects: LevelingProject, beyond: bool = False, **fields: object) -> LevelingInput:
    resources = fields.pop("resources", None) or {R: ResourceCalendar(CALENDAR), S: ResourceCalendar(CALENDAR)}
    return LevelingInput(
        projects=projects,
        resources=resources,  # type: ignore[arg-type]
        start=MONDAY,
        finish=PERIOD_END,
        allow_beyond_float=beyond,
        **fields,  # type: ignore[arg-type]
    )


def over(days: range, load: float = 16.0, resource: int = R) -> tuple[OverAllocation, ...]:
    return tuple(OverAllocation(resource, D[i], load, 8.0) for i in days)


def test_a_task_with_float_moves_within_it_and_the_finish_stays() -> None:
    # B(5) -> C(3) is the critical path (finish index 8, Wednesday 11 March); A(3) runs beside it
    # with 5 days of float. A and B both need R on days 0-2: A yields (more float) and goes to the
    # first start where it fits, index 5 (B is done, C needs nobody): delay 5, A 9..11 March.
    tasks = [task(1, 3), task(2, 5), task(3, 3, demands=())]
    result = level(problem(project(10, tasks, [(2, 3)])))
    assert result.moves == (Move(1, 10, D[0], D[2], D[5], D[7], 5, 5, False, (R,)),)
    assert result.delays() == {10: {1: 5}}
    assert result.projects == (ProjectFinish(10, D[7], D[7]),)
    assert result.before == over(range(3))
    assert result.after == ()
    assert (result.iterations, result.capped) == (1, False)


def test_without_float_nothing_moves_and_the_over_allocation_is_left() -> None:
    # A(5) and B(5) side by side, both critical: within float nothing can move; R carries 16 h on
    # each of the five days.
    first = project(10, [task(1, 5)], priority=0)
    second = project(20, [task(2, 5)], priority=2)
    result = level(problem(first, second))
    assert result.moves == ()
    assert result.before == result.after == over(range(5))
    assert result.projects == (ProjectFinish(10, D[4], D[4]), ProjectFinish(20, D[4], D[4]))


def test_beyond_float_the_lower_priority_projects_task_moves_and_its_finish_with_it() -> None:
    # The same two projects, beyond float allowed: project 10 has the lower priority, so its task
    # yields: it first fits at index 5, after B; its finish goes from Friday 6 to Friday 13 March.
    first = project(10, [task(1, 5)], priority=0)
    second = project(20, [task(2, 5)], priority=2)
    result = level(problem(first, second, beyond=True))
    assert result.moves == (Move(1, 10, D[0], D[4], D[5], D[9], 5, 5, True, (R,)),)
    assert result.projects == (ProjectFinish(10, D[4], D[9]), ProjectFinish(20, D[4], D[4]))
    assert result.after == ()
    # Priorities the other way round: project 20's task yields instead.
    result = level(problem(replace(first, priority=3), second, beyond=True))
    assert [(move.task_id, move.new_start) for move in result.moves] == [(2, D[5])]


def test_a_delayed_task_pushes_its_successors_by_the_critical_path_rules() -> None:
    # A(2) -> A2(2, nobody), beside B(4) critical with C(2) after it (finish index 5). A has 2 days
    # of float; A and B clash on days 0-1. Within float A could start at 2 at the latest but does
    # not fit before 4: nothing moves. Beyond float A starts at 4 (delay 4) and pushes A2 to 6..7;
    # the finish moves from Tuesday 10 to Wednesday 11 March.
    tasks = [task(1, 2), task(2, 2, demands=()), task(3, 4), task(4, 2, demands=())]
    network = project(10, tasks, [(1, 2), (3, 4)])
    assert level(problem(network)).moves == ()
    result = level(problem(network, beyond=True))
    assert result.moves == (
        Move(1, 10, D[0], D[1], D[4], D[5], 4, 4, True, (R,)),
        Move(2, 10, D[2], D[3], D[6], D[7], 0, 0, True, ()),
    )
    assert result.projects == (ProjectFinish(10, D[5], D[7]),)


def test_a_started_task_never_moves_and_the_other_yields() -> None:
    # A(3) started on Monday with the most float; B(3) critical via B -> C(4). A cannot move, so
    # B, the only one that may, is delayed beyond its float to index 3 (after A).
    tasks = [task(1, 3, actual_start=MONDAY), task(2, 3), task(3, 4, demands=())]
    result = level(problem(project(10, tasks, [(2, 3)]), beyond=True))
    assert [(move.task_id, move.new_start, move.added_delay) for move in result.moves] == [(2, D[3], 3), (3, D[6], 0)]


def test_nothing_to_level_gives_an_empty_proposal() -> None:
    # A(3) then B(3) on R one after the other; S on a third task beside them: nobody is over.
    tasks = [task(1, 3), task(2, 3), task(3, 3, demands=(Demand(S, hours_per_day=8.0),))]
    result = level(problem(project(10, tasks, [(1, 2)]), beyond=True))
    assert (result.moves, result.before, result.after, result.iterations) == ((), (), (), 0)
    assert result.delays() == {}


def test_exactly_full_is_not_over_allocated_and_work_is_spread() -> None:
    # A at 50 % (4 h) and B given as 20 h of work over 5 days (4 h a day): 8 h = capacity, not over.
    tasks = [task(1, 5, demands=(Demand(R, hours_per_day=4.0),)), task(2, 5, demands=(Demand(R, work=20.0),))]
    assert level(problem(project(10, tasks))).before == ()


def test_leave_counts_as_load_and_unknown_capacity_is_never_over() -> None:
    # R is on leave on Tuesday 3 March: A(2) on Monday and Tuesday over-allocates R on Tuesday
    # (8 h of leave + 8 h); A has float (beside B(6) without R) and moves to Wednesday (index 2).
    # S has no calendar: its capacity is unknown, so its load is never over-allocated.
    resources = {
        R: ResourceCalendar(CALENDAR, absences=(Period(D[1], D[1]),)),
        S: ResourceCalendar(None),
    }
    tasks = [task(1, 2), task(2, 6, demands=(Demand(S, hours_per_day=24.0),))]
    result = level(problem(project(10, tasks), resources=resources))
    assert result.before == (OverAllocation(R, D[1], 16.0, 8.0),)
    assert [(move.task_id, move.new_start) for move in result.moves] == [(1, D[2])]
    assert result.after == ()


def test_only_the_period_is_leveled() -> None:
    # The clash is on days 0-4 but the period starts on Monday 9 March: nothing to level.
    first = project(10, [task(1, 5)], priority=0)
    second = project(20, [task(2, 5)], priority=2)
    leveled = level(replace(problem(first, second, beyond=True), start=D[5]))
    assert (leveled.before, leveled.moves) == ((), ())


def test_the_iteration_cap_stops_the_run() -> None:
    # Beside a 12-day task that needs nobody: 1(1) and 2(1) on R on day 0; 5(5, nobody) -> 3(1) and
    # 4(1) on R on day 5. Each clash takes one reschedule: 2 yields (same float and start, larger
    # sort key) and goes to day 1, then 4 to day 6. A cap of 1 leaves the second clash, and says so.
    tasks = [task(1, 1), task(2, 1), task(3, 1), task(4, 1), task(5, 5, demands=()), task(6, 12, demands=())]
    network = project(10, tasks, [(5, 3), (5, 4)])
    capped = level(replace(problem(network), max_iterations=1))
    assert (capped.iterations, capped.capped) == (1, True)
    assert capped.after == (OverAllocation(R, D[5], 16.0, 8.0),)
    full = level(problem(network))
    assert (full.iterations, full.capped, full.after) == (2, False, ())
    assert [(move.task_id, move.new_start) for move in full.moves] == [(2, D[1]), (4, D[6])]


def test_the_tasks_moved_for_one_day_do_not_crowd_into_the_same_gap() -> None:
    # Three 1-day tasks on R on day 0, beside a 10-day task without R: 3 yields first and goes to
    # day 1; 2, next, sees day 1 taken by 3 and goes to day 2; one reschedule for both.
    tasks = [task(1, 1), task(2, 1), task(3, 1), task(4, 10, demands=())]
    result = level(problem(project(10, tasks)))
    assert [(move.task_id, move.new_start) for move in result.moves] == [(2, D[2]), (3, D[1])]
    assert (result.iterations, result.after) == (1, ())


def random_problem(seed: int) -> LevelingInput:
    """A few projects of chained tasks sharing four people, in a shuffled order."""
    rng = random.Random(seed)
    projects = []
    task_id = 0
    for project_id in range(1, 4):
        tasks, links = [], []
        for offset in range(25):
            task_id += 1
            people = rng.sample(range(4), k=rng.randint(1, 2))
            demands = tuple(Demand(person, hours_per_day=rng.choice((4.0, 8.0))) for person in people)
            tasks.append(task(task_id, rng.randint(1, 6), demands=demands))
            if offset and rng.random() < 0.6:
                links.append((task_id - rng.randint(1, min(offset, 4)), task_id))
        rng.shuffle(tasks)
        projects.append(project(project_id, tasks, links, priority=rng.randint(0, 3)))
    rng.shuffle(projects)
    resources = {person: ResourceCalendar(CALENDAR) for person in range(4)}
    return LevelingInput(
        projects=tuple(projects), resources=resources, start=MONDAY, finish=PERIOD_END, allow_beyond_float=True
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_same_input_gives_the_same_proposal_in_any_order(seed: int) -> None:
    first = level(random_problem(seed))
    assert first.moves
    assert first.before
    again = level(random_problem(seed))
    assert result_as_json(again) == result_as_json(first)
    reordered = random_problem(seed)
    reordered = replace(
        reordered,
        projects=tuple(
            replace(item, tasks=tuple(reversed(item.tasks))) for item in sorted(reordered.projects, key=lambda p: -p.id)
        ),
    )
    assert result_as_json(level(reordered)) == result_as_json(first)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_within_float_no_task_passes_its_late_start_and_no_finish_moves(seed: int) -> None:
    within = level(replace(random_problem(seed), allow_beyond_float=False))
    assert within.moves
    assert all(finish.old_finish == finish.new_finish for finish in within.projects)
    assert not any(move.beyond_float for move in within.moves)
    beyond = level(random_problem(seed))
    assert any(move.beyond_float for move in beyond.moves)
    assert all(move.added_delay >= 0 and move.new_start >= move.old_start for move in beyond.moves)
