"""Time the server-side Gantt chart on a synthetic plan of 2,000 tasks, in memory (no database).

Run with ``python -m bench.gantt_bench``. The plan is the same on every run
(``random.Random(7)``): three levels of summaries over chained tasks and milestones, ~1.5
dependencies per task of every type, a current baseline with some slip, some progress. It
prints the milliseconds per zoom and the size of the markup; nothing here asserts on them.
"""

import os
import random
import statistics
import time
from datetime import date, timedelta

import django

TASK_COUNT = 2000
REPETITIONS = 10
PROJECT_START = date(2026, 3, 2)


def build_plan(rng: random.Random) -> tuple[list, list]:  # type: ignore[type-arg]
    from projects.gantt import GanttItem, GanttLink

    items: list[GanttItem] = []
    links: list[GanttLink] = []
    leaves: list[GanttItem] = []
    day = PROJECT_START
    next_id = 1
    phase = 0
    while len(leaves) < TASK_COUNT:
        phase += 1
        phase_row = len(items)
        items.append(GanttItem(next_id, str(phase), f"阶段 Phase {phase}", "summary", None, None))
        next_id += 1
        for package in range(1, rng.randint(3, 8) + 1):
            package_row = len(items)
            items.append(GanttItem(next_id, f"{phase}.{package}", f"工作包 Package {package}", "summary", None, None))
            next_id += 1
            for task in range(1, rng.randint(5, 20) + 1):
                milestone = rng.random() < 0.08
                duration = 0 if milestone else rng.randint(1, 15)
                start = day + timedelta(days=rng.randint(-5, 10))
                finish = start + timedelta(days=max(duration - 1, 0))
                slip = rng.choice((0, 0, 0, 2, -1, 5))
                leaf = GanttItem(
                    next_id,
                    f"{phase}.{package}.{task}",
                    f"任务 <Task> & “{next_id}” " + "long name " * rng.randint(0, 4),
                    "milestone" if milestone else "task",
                    start,
                    finish,
                    percent_complete=rng.choice((0, 0, 25, 50, 100)),
                    is_critical=rng.random() < 0.2,
                    total_float=rng.randint(0, 20),
                    baseline_start=start - timedelta(days=slip),
                    baseline_finish=finish - timedelta(days=slip),
                )
                if leaves and rng.random() < 0.9:
                    links.append(GanttLink(leaves[-1].id, leaf.id, rng.choice(("FS", "FS", "FS", "SS", "FF", "SF"))))
                if len(leaves) > 50 and rng.random() < 0.5:
                    other = leaves[rng.randrange(len(leaves) - 50, len(leaves) - 1)]
                    links.append(GanttLink(other.id, leaf.id, rng.choice(("FS", "SS", "FF", "SF")), rng.randint(-2, 3)))
                items.append(leaf)
                leaves.append(leaf)
                next_id += 1
                day += timedelta(days=rng.randint(0, 1))
            _roll(items, package_row)
        _roll(items, phase_row)
    return items, links


def _roll(items: list, row: int) -> None:  # type: ignore[type-arg]
    from dataclasses import replace

    summary = items[row]
    below = [item for item in items[row + 1 :] if item.code.startswith(summary.code + ".") and item.start]
    items[row] = replace(
        summary,
        start=min(item.start for item in below),
        finish=max(item.finish for item in below),
        baseline_start=min(item.baseline_start for item in below),
        baseline_finish=max(item.baseline_finish for item in below),
        is_critical=any(item.is_critical for item in below),
    )


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmo.settings.test")
    django.setup()
    from django.utils import translation

    from projects.gantt import Zoom, render_gantt

    translation.activate("zh-hans")
    items, links = build_plan(random.Random(7))
    leaves = sum(1 for item in items if item.kind != "summary")
    print(f"{len(items)} rows ({leaves} tasks and milestones), {len(links)} dependencies")
    print(f"\n{'zoom':<10}{'runs':>6}{'median ms':>12}{'max ms':>10}{'width px':>10}{'markup kB':>11}")
    today = PROJECT_START + timedelta(days=200)
    for zoom in Zoom:
        samples = []
        for _ in range(REPETITIONS):
            started = time.perf_counter()
            chart = render_gantt(items, links, zoom=zoom, today=today, row_href=lambda item: f"../wbs/#e{item.id}")
            samples.append((time.perf_counter() - started) * 1000)
        assert chart is not None
        size = len(chart.labels_html) + len(chart.axis_svg) + len(chart.body_svg)
        print(
            f"{zoom.value:<10}{REPETITIONS:>6}{statistics.median(samples):>12.1f}{max(samples):>10.1f}"
            f"{chart.width:>10}{size / 1024:>11.0f}"
        )


if __name__ == "__main__":
    main()
