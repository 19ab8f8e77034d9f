"""Time a Monte Carlo analysis: 5,000 iterations over a 2,000-task network on one core.

Run with ``python -m bench.montecarlo_bench`` (``--iterations``, ``--repeat``, ``--chunk`` to vary).
The network is the one ``bench.schedule_bench`` times the critical path on (``random.Random(42)``:
work packages of chained tasks closed by milestones, ~1.5 dependencies per task of all four types
with lags, fifteen years of holidays and make-up days), with a tenth of the tasks started or
finished before a data date, default three points (-10 % / +25 % of the planned duration and
cost) and 40 risk events linked to 1-5 tasks each. The process is pinned to one CPU and numpy's
thread pools to one thread before numpy loads. It prints the time of each repetition, the median,
the peak memory numpy allocated (tracemalloc) and the process's peak resident size; the target is
under 10 s.
"""

from __future__ import annotations

import os

for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[variable] = "1"

import argparse  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from datetime import timedelta  # noqa: E402
from decimal import Decimal  # noqa: E402

from bench.schedule_bench import PROJECT_START, build_calendar, build_network  # noqa: E402
from projects.scheduling import TaskInput, compute_schedule  # noqa: E402
from risks.montecarlo import (  # noqa: E402
    DEFAULT_CHUNK,
    PlannedLink,
    PlannedRisk,
    PlannedTask,
    dated_network,
    simulate,
)

TARGET_SECONDS = 10.0
RISKS = 40


def build(rng: random.Random):  # type: ignore[no-untyped-def]
    calendar = build_calendar(rng)
    tasks, dependencies = build_network(rng)
    data_date = calendar.add_working_days(PROJECT_START, 60)
    planned = []
    for task in tasks:
        d = task.duration
        cost = float(rng.randint(1, 50) * 1000)
        actual_start = actual_finish = None
        percent = Decimal(0)
        if task.id < len(tasks) // 10 and d:
            actual_start = calendar.add_working_days(PROJECT_START, rng.randint(0, 40))
            if rng.random() < 0.5:
                actual_finish = min(calendar.add_working_days(actual_start, d - 1), data_date - timedelta(days=1))
                actual_finish = max(actual_finish, actual_start)
            else:
                percent = Decimal(rng.choice([10, 25, 50, 75, 90]))
        planned.append(
            PlannedTask(
                id=task.id,
                duration=d,
                duration_points=(d * 0.9, float(d), d * 1.25),
                cost_points=(cost * 0.9, cost, cost * 1.25),
                actual_start=actual_start,
                actual_finish=actual_finish,
                percent_complete=percent,
            )
        )
    links = [PlannedLink(dep.predecessor_id, dep.successor_id, str(dep.type), dep.lag) for dep in dependencies]
    risks = [
        PlannedRisk(
            id=number,
            probability=rng.choice([0.1, 0.3, 0.5, 0.7, 0.9]),
            days=(float(rng.randint(0, 3)), float(rng.randint(3, 8)), float(rng.randint(8, 25))),
            cost=(10_000.0, 50_000.0, 200_000.0),
            task_ids=tuple(rng.sample(range(len(tasks)), rng.randint(1, 5))),
            opportunity=number % 8 == 0,
        )
        for number in range(RISKS)
    ]
    dated = dated_network(planned, links, calendar, PROJECT_START, data_date=data_date, risks=risks)
    # The same network through the critical path method: the deterministic finish must agree.
    critical_path = compute_schedule(
        [
            TaskInput(
                task.id, task.duration, task.actual_start, task.actual_finish, percent_complete=task.percent_complete
            )
            for task in planned
        ],
        dependencies,
        calendar,
        PROJECT_START,
        data_date=data_date,
    )
    return dated, len(links), critical_path.project_finish


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--chunk", type=int, default=DEFAULT_CHUNK)
    arguments = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    started = time.perf_counter()
    dated, link_count, cpm_finish = build(random.Random(42))
    network = dated.network
    print(
        f"network: {network.size} tasks, {link_count} dependencies, {len(dated.risks)} risk events; "
        f"built in {time.perf_counter() - started:.2f} s; CPUs allowed: {len(os.sched_getaffinity(0))}"
    )
    deterministic = network.schedule()
    engine_finish = dated.finish_date(deterministic.finish_day)
    agreement = "agrees" if engine_finish == cpm_finish else "DISAGREES"
    print(f"deterministic finish: {engine_finish}; compute_schedule: {cpm_finish} ({agreement})")

    timings = []
    for repetition in range(arguments.repeat):
        tracemalloc.start()
        began = time.perf_counter()
        simulation = simulate(
            network, dated.risks, iterations=arguments.iterations, seed=repetition, chunk=arguments.chunk
        )
        elapsed = time.perf_counter() - began
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        timings.append(elapsed)
        p50 = dated.finish_date(int(sorted(simulation.finish_day)[len(simulation.finish_day) // 2]))
        print(
            f"run {repetition + 1}: {arguments.iterations} iterations in {elapsed:.2f} s "
            f"(peak traced memory {peak / 2**20:.0f} MiB); P50 finish {p50}, "
            f"most critical task {simulation.criticality.max():.0%}"
        )
    median = statistics.median(timings)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    verdict = "met" if median < TARGET_SECONDS else "NOT met"
    print(
        f"median {median:.2f} s over {len(timings)} runs; peak RSS {rss:.0f} MiB; "
        f"target < {TARGET_SECONDS:.0f} s {verdict}"
    )


if __name__ == "__main__":
    main()
