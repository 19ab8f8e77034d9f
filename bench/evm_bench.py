"""Time the earned-value figures of a synthetic project of 2,000 baseline items.

Run with ``python -m bench.evm_bench``. The project is the same on every run
(``random.Random(42)``): tasks of 1-30 calendar days spread over two years with one milestone in
ten, every percent-complete method, progress on most tasks, 10,000 dated costs, and a calendar
with fifteen years of public holidays and make-up Saturdays. The status date falls in the middle.
Only the tasks in progress on the status date need working-day counts (two each), so the same
baseline is also timed with every task stretched across the status date: the worst case. It
prints timings only; nothing here asserts on them.
"""

import random
import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from bench.schedule_bench import build_calendar
from finance.evm import (
    FIFTY_FIFTY,
    PHYSICAL,
    ZERO_HUNDRED,
    BaselineItem,
    TaskProgress,
    actual_cost,
    figures,
    totals,
)

ITEM_COUNT = 2000
COST_COUNT = 10_000
REPETITIONS = 50
PROJECT_START = date(2026, 3, 2)
PROJECT_DAYS = 730
STATUS_DATE = PROJECT_START + timedelta(days=PROJECT_DAYS // 2)


def cents(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randint(low * 100, high * 100)).scaleb(-2)


def build_project(rng: random.Random) -> tuple[list[BaselineItem], dict[int, TaskProgress]]:
    items: list[BaselineItem] = []
    progress: dict[int, TaskProgress] = {}
    for task_id in range(ITEM_COUNT):
        start = PROJECT_START + timedelta(days=rng.randrange(PROJECT_DAYS))
        is_milestone = rng.random() < 0.1
        finish = start if is_milestone else start + timedelta(days=rng.randint(1, 30))
        items.append(BaselineItem(task_id, start, finish, cents(rng, 0 if is_milestone else 500, 80_000), is_milestone))
        if start > STATUS_DATE or rng.random() < 0.1:
            continue
        actual_start = start + timedelta(days=rng.randint(-3, 5))
        actual_finish = actual_start + timedelta(days=rng.randint(0, 40)) if rng.random() < 0.6 else None
        method = rng.choice((PHYSICAL, PHYSICAL, ZERO_HUNDRED, FIFTY_FIFTY))
        progress[task_id] = TaskProgress(task_id, method, cents(rng, 0, 100), actual_start, actual_finish)
    return items, progress


def time_ms(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    rng = random.Random(42)
    calendar = build_calendar(rng)
    items, progress = build_project(rng)
    costs = [
        (PROJECT_START + timedelta(days=rng.randrange(PROJECT_DAYS)), cents(rng, 10, 20_000)) for _ in range(COST_COUNT)
    ]
    costs_to_date = actual_cost(costs, STATUS_DATE)
    result = figures(totals(items, calendar, progress, costs_to_date, STATUS_DATE))
    print(
        f"{len(items)} baseline items, {len(progress)} with progress, {len(costs)} costs; status date {STATUS_DATE}: "
        f"BAC {result.bac}, PV {result.pv}, EV {result.ev}, AC {result.ac}, SPI {result.spi}, CPI {result.cpi}"
    )

    spanning = [
        item
        if item.is_milestone
        else replace(item, start=min(item.start, STATUS_DATE), finish=max(item.finish, STATUS_DATE + timedelta(days=1)))
        for item in items
    ]

    timings: dict[str, list[float]] = {
        "totals() + figures()": [],
        "  every task in progress": [],
        f"actual_cost() of {COST_COUNT}": [],
    }
    for _ in range(REPETITIONS):
        timings["totals() + figures()"].append(
            time_ms(lambda: figures(totals(items, calendar, progress, costs_to_date, STATUS_DATE)))
        )
        timings["  every task in progress"].append(
            time_ms(lambda: figures(totals(spanning, calendar, progress, costs_to_date, STATUS_DATE)))
        )
        timings[f"actual_cost() of {COST_COUNT}"].append(time_ms(lambda: actual_cost(costs, STATUS_DATE)))

    print(f"\n{'operation':<28}{'runs':>6}{'median ms':>12}{'max ms':>10}")
    for operation, samples in timings.items():
        print(f"{operation:<28}{len(samples):>6}{statistics.median(samples):>12.2f}{max(samples):>10.2f}")


if __name__ == "__main__":
    main()
