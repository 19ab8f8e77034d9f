"""Time the critical path computation on a synthetic project of 2,000 tasks.

Run with ``python -m bench.schedule_bench``. The project is the same on every run
(``random.Random(42)``): work packages of chained tasks, ~1.5 dependencies per task of every
type with lags, a milestone closing each package, and a calendar with fifteen years of public
holidays and make-up Saturdays. It prints timings only; nothing here asserts on them.
"""

import random
import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta

from pmo.workdays import WorkCalendar
from projects.scheduling import DependencyInput, DependencyType, TaskInput, compute_schedule, find_cycle

TASK_COUNT = 2000
DEPENDENCIES_PER_TASK = 1.5
REPETITIONS = 30
PROJECT_START = date(2026, 3, 2)


def build_calendar(rng: random.Random) -> WorkCalendar:
    """Weekends off; New Year, a Spring Festival week, May Day and National Day each year."""
    holidays: set[date] = set()
    make_up: set[date] = set()
    for year in range(2026, 2041):
        holidays.add(date(year, 1, 1))
        spring = date(year, 1, 25) + timedelta(days=rng.randrange(25))
        holidays.update(spring + timedelta(days=offset) for offset in range(8))
        holidays.update(date(year, 5, day) for day in range(1, 6))
        holidays.update(date(year, 10, day) for day in range(1, 8))
        for anchor in (spring - timedelta(days=3), date(year, 4, 28), date(year, 10, 10)):
            saturday = anchor + timedelta(days=(5 - anchor.weekday()) % 7)
            if saturday not in holidays:
                make_up.add(saturday)
    return WorkCalendar(holidays=holidays, extra_working_days=make_up)


def build_network(rng: random.Random) -> tuple[list[TaskInput], list[DependencyInput]]:
    """Work packages of 8-30 chained tasks ending in a milestone, cross-linked to earlier work."""
    tasks: list[TaskInput] = []
    dependencies: list[DependencyInput] = []
    while len(tasks) < TASK_COUNT:
        size = min(rng.randint(8, 30), TASK_COUNT - len(tasks))
        for offset in range(size):
            task_id = len(tasks)
            is_milestone = offset == size - 1
            tasks.append(TaskInput(task_id, 0 if is_milestone else rng.randint(1, 15), name=f"T{task_id}"))
            if offset:
                kind = rng.choices(list(DependencyType), weights=(80, 12, 6, 2))[0]
                dependencies.append(DependencyInput(task_id - 1, task_id, kind, rng.choice((0, 0, 0, 1, 2, -1))))
    target = int(TASK_COUNT * DEPENDENCIES_PER_TASK)
    links = {(dependency.predecessor_id, dependency.successor_id) for dependency in dependencies}
    while len(dependencies) < target:
        successor = rng.randrange(1, TASK_COUNT)
        predecessor = rng.randrange(max(0, successor - 400), successor)
        if predecessor == successor - 1 or (predecessor, successor) in links:
            continue
        links.add((predecessor, successor))
        kind = rng.choices(list(DependencyType), weights=(70, 15, 10, 5))[0]
        dependencies.append(DependencyInput(predecessor, successor, kind, rng.randint(-3, 5)))
    return tasks, dependencies


def time_ms(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    rng = random.Random(42)
    calendar = build_calendar(rng)
    tasks, dependencies = build_network(rng)
    result = compute_schedule(tasks, dependencies, calendar, PROJECT_START)
    milestones = sum(1 for task in tasks if task.duration == 0)
    print(
        f"{len(tasks)} tasks ({milestones} milestones), {len(dependencies)} dependencies; "
        f"{result.project_start} to {result.project_finish}, {len(result.critical_path)} critical tasks"
    )

    timings: dict[str, list[float]] = {"full schedule": [], "after one duration change": [], "find_cycle (refusal)": []}
    for _ in range(REPETITIONS):
        timings["full schedule"].append(time_ms(lambda: compute_schedule(tasks, dependencies, calendar, PROJECT_START)))

        changed = list(tasks)
        position = rng.randrange(len(changed))
        changed[position] = replace(changed[position], duration=changed[position].duration + rng.randint(1, 10))
        timings["after one duration change"].append(
            time_ms(lambda changed=changed: compute_schedule(changed, dependencies, calendar, PROJECT_START))
        )

        proposed = DependencyInput(rng.randrange(TASK_COUNT // 2, TASK_COUNT), rng.randrange(TASK_COUNT // 2))
        timings["find_cycle (refusal)"].append(
            time_ms(lambda proposed=proposed: find_cycle(range(TASK_COUNT), [*dependencies, proposed]))
        )

    print(f"\n{'operation':<28}{'runs':>6}{'median ms':>12}{'max ms':>10}")
    for operation, samples in timings.items():
        print(f"{operation:<28}{len(samples):>6}{statistics.median(samples):>12.2f}{max(samples):>10.2f}")


if __name__ == "__main__":
    main()
