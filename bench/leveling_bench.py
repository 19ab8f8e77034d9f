"""Time resource leveling on a synthetic project of 2,000 tasks and 50 resources.

Run with ``python -m bench.leveling_bench``. The network and its calendar are those of
``bench/schedule_bench.py`` (``random.Random(42)``: work packages of chained tasks, ~1.5
dependencies per task of every type with lags, fifteen years of holidays and make-up days); then,
from the same generator, each work package gets a crew of three of the 50 resources (half of them
drawn from a busy dozen), and each task one or two of its crew at 50 or 100 %, so that packages
running side by side over-allocate the people they share. The pure engine
(``resources.leveling.level``) runs within float, then beyond it, over the whole plan. It prints
figures only; nothing here asserts on them (target: under 5 s).
"""

import random
import statistics
import time
from datetime import timedelta

from bench.schedule_bench import PROJECT_START, build_calendar, build_network
from projects.scheduling import compute_schedule
from resources.capacity import ResourceCalendar
from resources.leveling import Demand, LevelingInput, LevelingProject, LevelingResult, LevelingTask, level

RESOURCE_COUNT = 50
BUSY = 12
REPETITIONS = 3


def build_problem(rng: random.Random, *, allow_beyond_float: bool) -> LevelingInput:
    calendar = build_calendar(rng)
    tasks, dependencies = build_network(rng)
    leveled: list[LevelingTask] = []
    crew: list[int] = []
    for task in tasks:
        if task.id == 0 or not crew or (leveled and leveled[-1].duration == 0):
            # A new work package (the previous task closed one with its milestone): a new crew.
            crew = sorted(
                {rng.randrange(BUSY) if rng.random() < 0.5 else rng.randrange(RESOURCE_COUNT) for _ in range(3)}
            )
        demands: tuple[Demand, ...] = ()
        if task.duration:
            chosen = rng.sample(crew, k=min(len(crew), 1 if rng.random() < 0.7 else 2))
            demands = tuple(Demand(resource_id, hours_per_day=rng.choice((4.0, 8.0))) for resource_id in sorted(chosen))
        leveled.append(
            LevelingTask(id=task.id, duration=task.duration, name=task.name, sort_key=f"{task.id:05d}", demands=demands)
        )
    finish = compute_schedule(tasks, dependencies, calendar, PROJECT_START).project_finish
    project = LevelingProject(
        id=1,
        start=PROJECT_START,
        calendar=calendar,
        tasks=tuple(leveled),
        dependencies=tuple(dependencies),
        priority=1,
    )
    resources = {resource_id: ResourceCalendar(calendar) for resource_id in range(RESOURCE_COUNT)}
    return LevelingInput(
        projects=(project,),
        resources=resources,
        start=PROJECT_START,
        finish=finish + timedelta(days=3 * 365),
        allow_beyond_float=allow_beyond_float,
    )


def describe(result: LevelingResult) -> str:
    delayed = sum(1 for move in result.moves if move.added_delay)
    finish = result.projects[0]
    return (
        f"over-allocated resource-days {len(result.before)} -> {len(result.after)}; "
        f"{delayed} tasks delayed, {len(result.moves)} moved; finish {finish.old_finish} -> {finish.new_finish}; "
        f"{result.iterations} reschedules{' (capped)' if result.capped else ''}"
    )


def main() -> None:
    for allow_beyond_float in (False, True):
        problem = build_problem(random.Random(42), allow_beyond_float=allow_beyond_float)
        wall: list[float] = []
        cpu: list[float] = []
        result = None
        for _ in range(REPETITIONS):
            started, started_cpu = time.perf_counter(), time.process_time()
            result = level(problem)
            wall.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        assert result is not None
        label = "beyond float" if allow_beyond_float else "within float"
        print(f"{label}: {describe(result)}")
        print(
            f"{label}: {len(wall)} runs, median {statistics.median(wall):.2f} s (CPU {statistics.median(cpu):.2f} s), "
            f"max {max(wall):.2f} s"
        )


if __name__ == "__main__":
    main()
