"""The Monte Carlo engine against the critical path method and against distributions known by hand.

With no variance (optimistic = likely = pessimistic) and no risk events every iteration is the
project's critical path schedule: the engine must give the dates ``projects.scheduling`` gives on
the hand-worked networks of tests/projects/test_scheduling.py. With variance, a chain of
triangular tasks has the mean Σ (a + b + c) / 3, and two parallel paths finish as the later of the
two: their finish has the distribution function F_A(x) · F_B(x).

Sampling tolerances are four standard errors: a correct engine fails such a check about once in
16,000 runs, and the seeds are fixed, so the tests are deterministic.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import numpy as np
import pytest

from pmo.workdays import WorkCalendar
from projects.scheduling import DependencyInput, TaskInput, compute_schedule
from risks.montecarlo import (
    Link,
    Network,
    NetworkError,
    PlannedLink,
    PlannedRisk,
    PlannedTask,
    RiskEvent,
    Task,
    dated_network,
    percentile_days,
    simulate,
    triangular,
)
from tests.projects.test_scheduling import (
    FF,
    FS,
    MIXED_DEPENDENCIES,
    MIXED_TASKS,
    MONDAY,
    SF,
    SS,
    TEXTBOOK_DEPENDENCIES,
    TEXTBOOK_TASKS,
    dep,
)


def planned(tasks: Sequence[TaskInput]) -> list[PlannedTask]:
    """The tasks with point estimates at their planned duration: no variance."""
    return [
        PlannedTask(
            id=task.id,
            duration=task.duration,
            duration_points=(float(task.duration),) * 3,
            cost_points=(100.0, 100.0, 100.0),
            actual_start=task.actual_start,
            actual_finish=task.actual_finish,
            percent_complete=task.percent_complete,
        )
        for task in tasks
    ]


def planned_links(dependencies: Sequence[DependencyInput]) -> list[PlannedLink]:
    return [PlannedLink(d.predecessor_id, d.successor_id, str(d.type), d.lag) for d in dependencies]


def assert_agrees_with_the_critical_path(
    tasks: Sequence[TaskInput],
    dependencies: Sequence[DependencyInput],
    calendar: WorkCalendar,
    start: date,
    data_date: date | None = None,
) -> None:
    expected = compute_schedule(tasks, dependencies, calendar, start, data_date=data_date)
    dated = dated_network(planned(tasks), planned_links(dependencies), calendar, start, data_date=data_date)

    schedule = dated.network.schedule()

    for i, task_id in enumerate(dated.task_ids):
        row = expected.tasks[task_id]
        es, ef = schedule.early_start[i], schedule.early_finish[i]
        ls, lf = schedule.late_start[i], schedule.late_finish[i]
        span = ef - es
        assert es == calendar.index_of(row.early_start, start), task_id
        assert (ef - 1 if span else es) == calendar.index_of(row.early_finish, start), task_id
        assert ls == calendar.index_of(row.late_start, start), task_id
        assert (lf - 1 if span else ls) == calendar.index_of(row.late_finish, start), task_id
        assert schedule.total_float[i] == row.total_float, task_id
        assert bool(schedule.critical[i]) is row.is_critical, task_id
    assert dated.finish_date(schedule.finish_day) == expected.project_finish

    simulation = simulate(dated.network, iterations=7, seed=3, chunk=3)

    assert set(simulation.finish_day.tolist()) == {schedule.finish_day}
    assert simulation.cost.tolist() == [100.0 * len(tasks)] * 7
    critical = [expected.tasks[task_id].is_critical for task_id in dated.task_ids]
    assert simulation.criticality.tolist() == [1.0 if flag else 0.0 for flag in critical]


def test_without_variance_the_textbook_network_is_the_critical_path_schedule() -> None:
    assert_agrees_with_the_critical_path(TEXTBOOK_TASKS, TEXTBOOK_DEPENDENCIES, WorkCalendar(), MONDAY)


def test_without_variance_all_four_dependency_types_with_lags_give_the_critical_path_schedule() -> None:
    assert_agrees_with_the_critical_path(MIXED_TASKS, MIXED_DEPENDENCIES, WorkCalendar(), MONDAY)


def test_without_variance_holidays_and_a_make_up_saturday_give_the_critical_path_dates() -> None:
    national_day = [date(2026, 10, day) for day in range(1, 8)]
    calendar = WorkCalendar(holidays=national_day, extra_working_days=[date(2026, 10, 10)])

    assert_agrees_with_the_critical_path(MIXED_TASKS, MIXED_DEPENDENCIES, calendar, date(2026, 9, 27))


def test_without_variance_actual_starts_override_the_network() -> None:
    late_start = [TaskInput(1, 2, actual_start=date(2026, 3, 4), name="A"), *TEXTBOOK_TASKS[1:]]
    assert_agrees_with_the_critical_path(late_start, TEXTBOOK_DEPENDENCIES, WorkCalendar(), MONDAY)

    finished = [
        TaskInput(1, 2, actual_start=date(2026, 3, 2), actual_finish=date(2026, 3, 4), name="A"),
        TaskInput(2, 3, actual_start=date(2026, 3, 3), name="B"),
        *TEXTBOOK_TASKS[2:],
    ]
    assert_agrees_with_the_critical_path(finished, TEXTBOOK_DEPENDENCIES, WorkCalendar(), MONDAY)

    before_the_start = [TaskInput(1, 3, actual_start=date(2026, 2, 26)), TaskInput(2, 2)]
    assert_agrees_with_the_critical_path(before_the_start, [dep(1, 2)], WorkCalendar(), MONDAY)


def test_without_variance_milestones_and_start_tied_tasks_give_the_critical_path_schedule() -> None:
    tasks = [TaskInput(1, 0), TaskInput(2, 3), TaskInput(3, 0), TaskInput(4, 2), TaskInput(5, 0), TaskInput(6, 1)]
    dependencies = [dep(1, 2), dep(2, 3), dep(3, 4), dep(4, 5), dep(1, 6), dep(6, 5)]
    assert_agrees_with_the_critical_path(tasks, dependencies, WorkCalendar(), MONDAY)

    assert_agrees_with_the_critical_path([TaskInput(1, 10), TaskInput(2, 2)], [dep(1, 2, SS)], WorkCalendar(), MONDAY)


@pytest.mark.parametrize("data_date", [date(2026, 2, 20), date(2026, 3, 4), date(2026, 3, 9), date(2026, 3, 7)])
def test_without_variance_a_data_date_schedules_remaining_work_as_the_critical_path_does(data_date: date) -> None:
    tasks = [
        TaskInput(1, 2, actual_start=date(2026, 3, 2), actual_finish=date(2026, 3, 3), name="A"),
        TaskInput(2, 3, actual_start=date(2026, 3, 2), percent_complete=Decimal("50"), name="B"),
        TaskInput(9, 0, actual_start=date(2026, 3, 3), name="Milestone reported started"),
        TaskInput(10, 10, actual_start=date(2026, 3, 2), percent_complete=Decimal("80"), name="Paving"),
        TaskInput(11, 3, actual_start=date(2026, 3, 2), percent_complete=Decimal("100"), name="Survey"),
        *TEXTBOOK_TASKS[2:],
    ]
    dependencies = [*TEXTBOOK_DEPENDENCIES, dep(9, 6), dep(10, 8, FF, 1), dep(11, 7, SF, 2)]

    assert_agrees_with_the_critical_path(tasks, dependencies, WorkCalendar(), MONDAY, data_date=data_date)
    assert_agrees_with_the_critical_path(TEXTBOOK_TASKS, TEXTBOOK_DEPENDENCIES, WorkCalendar(), MONDAY, data_date)


def test_without_variance_random_networks_give_the_critical_path_schedule() -> None:
    rng = random.Random(11)
    calendar = WorkCalendar(holidays=[date(2026, 4, 6), date(2026, 5, 1)], extra_working_days=[date(2026, 4, 11)])
    for _ in range(60):
        ids = list(range(1, 21))
        tasks = []
        for task_id in ids:
            duration = rng.choice([0, 1, 2, 3, 5, 8])
            started = duration and rng.random() < 0.2
            actual_start = date(2026, 3, rng.randint(2, 12)) if started else None
            finished = started and rng.random() < 0.5
            tasks.append(
                TaskInput(
                    task_id,
                    duration,
                    actual_start=actual_start,
                    actual_finish=date(2026, 3, 13) if finished else None,
                    percent_complete=Decimal(rng.choice([0, 25, 50, 90])) if started and not finished else Decimal(0),
                )
            )
        dependencies = [
            dep(p, s, rng.choice([FS, SS, FF, SF]), rng.randint(-3, 3))
            for s in ids
            for p in rng.sample(range(1, s), min(s - 1, rng.randint(0, 3)))
        ]
        rng.shuffle(tasks)
        data_date = rng.choice([None, date(2026, 3, 9), date(2026, 3, 18)])

        assert_agrees_with_the_critical_path(tasks, dependencies, calendar, MONDAY, data_date)


def test_a_chain_of_triangular_tasks_has_the_mean_of_the_sum_of_their_means() -> None:
    points = [(2.0, 4.0, 9.0), (1.0, 1.0, 6.0), (3.0, 5.0, 5.0), (0.5, 2.0, 3.5), (10.0, 12.0, 20.0)]
    network = Network([Task(duration=p) for p in points], [Link(i, i + 1) for i in range(len(points) - 1)])
    iterations = 20_000

    simulation = simulate(network, iterations=iterations, seed=2026)

    mean = sum((a + b + c) / 3 for a, b, c in points)  # 25.6667
    variance = sum((a * a + b * b + c * c - a * b - a * c - b * c) / 18 for a, b, c in points)
    standard_error = math.sqrt(variance / iterations)
    assert abs(simulation.finish.mean() - mean) < 4 * standard_error
    assert simulation.finish.var() == pytest.approx(variance, rel=0.05)
    assert simulation.criticality.tolist() == [1.0] * len(points)


def test_two_parallel_paths_finish_with_the_distribution_of_the_later_one() -> None:
    # A and B run side by side; a milestone follows both, so the project ends with the later one.
    a, b = (4.0, 6.0, 12.0), (5.0, 7.0, 9.0)
    network = Network([Task(duration=a), Task(duration=b), Task(duration=(0.0, 0.0, 0.0))], [Link(0, 2), Link(1, 2)])
    iterations = 20_000

    simulation = simulate(network, iterations=iterations, seed=99)

    def cdf(x: float, low: float, mode: float, high: float) -> float:
        if x <= low:
            return 0.0
        if x >= high:
            return 1.0
        if x <= mode:
            return (x - low) ** 2 / ((high - low) * (mode - low))
        return 1 - (high - x) ** 2 / ((high - low) * (high - mode))

    for x in np.linspace(5.0, 11.5, 14):
        exact = cdf(x, *a) * cdf(x, *b)
        observed = float(np.mean(simulation.finish <= x))
        tolerance = 4 * math.sqrt(exact * (1 - exact) / iterations) + 1e-9
        assert abs(observed - exact) <= tolerance, x
    # A is later in P(A > B) of the iterations: the criticality index of each path.
    samples = np.random.default_rng(5).triangular(*a, size=(2, 400_000))
    versus = np.random.default_rng(6).triangular(*b, size=400_000)
    a_later = float(np.mean(samples[0] > versus))
    assert simulation.criticality[0] == pytest.approx(a_later, abs=4 * math.sqrt(a_later * (1 - a_later) / iterations))
    assert simulation.criticality[0] + simulation.criticality[1] == pytest.approx(1.0)
    assert simulation.criticality[2] == 1.0


def test_the_same_seed_gives_the_same_run_and_another_seed_another() -> None:
    network = Network(
        [Task(duration=(1.0, 3.0, 8.0), cost=(5.0, 8.0, 20.0)), Task(duration=(2.0, 2.5, 4.0))], [Link(0, 1, "SS", 1)]
    )
    risks = [RiskEvent(0.4, days=(1.0, 2.0, 5.0), cost=(10.0, 20.0, 50.0), tasks=(1,))]

    first = simulate(network, risks, iterations=1200, seed=42)
    again = simulate(network, risks, iterations=1200, seed=42)
    other = simulate(network, risks, iterations=1200, seed=43)

    assert np.array_equal(first.finish, again.finish)
    assert np.array_equal(first.cost, again.cost)
    assert np.array_equal(first.criticality, again.criticality)
    assert not np.array_equal(first.finish, other.finish)


def test_a_risk_that_occurs_adds_its_days_to_its_tasks_and_its_cost_to_the_project() -> None:
    network = Network([Task(duration=(5.0, 5.0, 5.0), cost=(100.0, 100.0, 100.0)), Task((3.0, 3.0, 3.0))], [Link(0, 1)])
    certain = RiskEvent(1.0, days=(2.0, 2.0, 2.0), cost=(50.0, 50.0, 50.0), tasks=(0,))
    never = RiskEvent(0.0, days=(9.0, 9.0, 9.0), cost=(900.0, 900.0, 900.0), tasks=(1,))
    opportunity = RiskEvent(1.0, days=(1.0, 1.0, 1.0), cost=(30.0, 30.0, 30.0), tasks=(1,), opportunity=True)

    simulation = simulate(network, [certain, never, opportunity], iterations=10, seed=1)

    assert simulation.finish.tolist() == [5.0 + 2.0 + 3.0 - 1.0] * 10
    assert simulation.cost.tolist() == [100.0 + 50.0 - 30.0] * 10
    assert simulation.risk_occurrence.tolist() == [1.0, 0.0, 1.0]


def test_a_risk_occurs_in_its_probability_share_of_the_iterations() -> None:
    network = Network([Task(duration=(5.0, 5.0, 5.0))], [])
    risk = RiskEvent(0.3, days=(1.0, 2.0, 4.0), tasks=(0,))
    iterations = 10_000

    simulation = simulate(network, [risk], iterations=iterations, seed=8)

    assert simulation.risk_occurrence[0] == pytest.approx(0.3, abs=4 * math.sqrt(0.3 * 0.7 / iterations))
    assert simulation.finish.mean() == pytest.approx(5.0 + 0.3 * 7.0 / 3, abs=0.05)
    assert simulation.risk_correlation[0] > 0.9


def test_the_tornado_ranks_the_widest_task_on_the_critical_path_first() -> None:
    # A (wide) then B (narrow) on the critical path; C beside them with ample float.
    network = Network([Task((5.0, 10.0, 30.0)), Task((4.0, 5.0, 6.0)), Task((1.0, 2.0, 3.0))], [Link(0, 1)])

    simulation = simulate(network, iterations=4000, seed=4)

    correlation = simulation.task_correlation
    assert correlation[0] > 0.95
    assert 0.0 < correlation[1] < correlation[0]
    assert abs(correlation[2]) < 0.1
    assert simulation.criticality.tolist() == [1.0, 1.0, 0.0]


def test_a_finished_task_is_not_delayed_by_a_risk_event() -> None:
    tasks = [
        PlannedTask(1, 3, (2.0, 3.0, 6.0), actual_start=date(2026, 3, 2), actual_finish=date(2026, 3, 4)),
        PlannedTask(2, 2, (2.0, 2.0, 2.0)),
    ]
    risk = PlannedRisk(7, 1.0, days=(4.0, 4.0, 4.0), task_ids=(1, 404))

    dated = dated_network(tasks, [PlannedLink(1, 2)], WorkCalendar(), MONDAY, risks=[risk])
    simulation = simulate(dated.network, dated.risks, iterations=50, seed=1)

    assert set(simulation.finish.tolist()) == {5.0}
    assert dated.finish_date(int(simulation.finish_day[0])) == date(2026, 3, 6)


def test_percentiles_read_the_inverted_distribution_function() -> None:
    days = np.arange(1, 101, dtype=np.int64)[::-1].copy()

    assert percentile_days(days, [10, 50, 80, 90, 100]) == {10: 10, 50: 50, 80: 80, 90: 90, 100: 100}


def test_triangular_samples_of_a_point_estimate_are_the_point_itself() -> None:
    uniform = np.random.default_rng(0).random((1, 1000))
    point = np.asarray([[7.0]])

    assert set(triangular(uniform, point, point, point).ravel().tolist()) == {7.0}


def test_a_cycle_is_refused() -> None:
    with pytest.raises(NetworkError, match="cycle"):
        Network([Task((1.0, 1.0, 1.0)), Task((1.0, 1.0, 1.0))], [Link(0, 1), Link(1, 0)])


def test_points_out_of_order_are_refused() -> None:
    with pytest.raises(NetworkError, match="out of order"):
        Network([Task((3.0, 2.0, 4.0))], [])
