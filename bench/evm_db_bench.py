"""Time the earned-value reads of a 2,000-task project, database included.

Run with ``python -m bench.evm_db_bench`` (SQLite in a temporary folder) or against PostgreSQL
with a scratch database of its own, e.g. ``createdb pmo_bench`` then
``DATABASE_URL=postgres://postgres@127.0.0.1:5432/pmo_bench python -m bench.evm_db_bench`` (it
migrates that database and adds a fresh organisation each run).

The project is the same on every run (``random.Random(42)``): 40 work packages holding 2,000
tasks of 1-30 calendar days spread over two years, one in ten a milestone, every
percent-complete method; a current baseline of them all; one to four progress updates on each
task started by the status date; 10,000 actual costs, most booked to a task; and the default
calendar with fifteen years of public holidays and make-up Saturdays. The status date falls in
the middle. It prints timings and query counts; nothing here asserts on them.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

REPETITIONS = 10
TASKS = 2000
PACKAGES = 40
COSTS = 10_000
PROJECT_START = dt.date(2026, 3, 2)
PROJECT_DAYS = 730
STATUS_DATE = PROJECT_START + dt.timedelta(days=PROJECT_DAYS // 2)


def main() -> None:
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmo.settings.test")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    from bench.schedule_bench import build_calendar
    from finance import earned_value
    from finance.models import ActualCost, CostCategory
    from pmo.models import CalendarException, Membership, OrgRole, User, WorkingCalendar
    from pmo.services import organization_create
    from projects.models import Baseline, BaselineTask, PercentCompleteMethod, ProgressUpdate, Project, WbsElement
    from projects.services import plan
    from projects.services.projects import project_create

    rng = random.Random(42)
    user = User.objects.create(username=f"bench{os.getpid()}")
    organization = organization_create(actor=None, name="Bench", slug=f"bench-{os.getpid()}", admin=user)
    Membership.objects.for_organization(organization).filter(user=user).update(role=OrgRole.ADMIN)
    calendar = WorkingCalendar.objects.for_organization(organization).get(is_default=True)
    work_calendar = build_calendar(rng)
    CalendarException.objects.bulk_create(
        [
            CalendarException(organization=organization, calendar=calendar, date=day, is_working=False)
            for day in sorted(work_calendar.holidays)
        ]
        + [
            CalendarException(organization=organization, calendar=calendar, date=day, is_working=True)
            for day in sorted(work_calendar.extra_working_days)
        ]
    )
    project = project_create(
        actor=user, organization=organization, code="B-1", name="Bench", planned_start=PROJECT_START
    )
    packages = [
        WbsElement(organization=organization, project=project, name=f"Package {p}", kind="summary", position=p, code="")
        for p in range(1, PACKAGES + 1)
    ]
    WbsElement.objects.bulk_create(packages)
    methods = list(PercentCompleteMethod)
    spans: list[tuple[dt.date, dt.date, bool]] = []
    tasks: list[WbsElement] = []
    for i in range(TASKS):
        is_milestone = i % 10 == 9
        start = PROJECT_START + dt.timedelta(days=rng.randrange(PROJECT_DAYS))
        finish = start if is_milestone else start + dt.timedelta(days=rng.randint(1, 30))
        spans.append((start, finish, is_milestone))
        tasks.append(
            WbsElement(
                organization=organization,
                project=project,
                parent=packages[i % PACKAGES],
                position=i,
                name=f"Task {i}",
                kind="milestone" if is_milestone else "task",
                duration=0 if is_milestone else (finish - start).days,
                budgeted_cost=Decimal(rng.randint(1, 500) * 100),
                percent_complete_method=methods[i % len(methods)],
                code="",
            )
        )
    WbsElement.objects.bulk_create(tasks, batch_size=1000)
    plan.renumber(project)
    baseline = Baseline.objects.create(
        organization=organization, project=project, name="Bench", is_current=True, created_by=user
    )
    BaselineTask.objects.bulk_create(
        [
            BaselineTask(
                organization=organization,
                baseline=baseline,
                task=element,
                code=str(i),
                name=element.name,
                is_milestone=is_milestone,
                start=start,
                finish=finish,
                duration=element.duration,
                budgeted_cost=element.budgeted_cost,
            )
            for i, (element, (start, finish, is_milestone)) in enumerate(zip(tasks, spans, strict=True))
        ],
        batch_size=1000,
    )
    updates: list[ProgressUpdate] = []
    for element, (start, _finish, _milestone) in zip(tasks, spans, strict=True):
        if start > STATUS_DATE + dt.timedelta(days=30):
            continue
        percent = Decimal(0)
        day = start
        for _ in range(rng.randint(1, 4)):
            previous = percent
            percent = min(Decimal(100), percent + Decimal(rng.randint(10, 60)))
            done = percent >= 100
            updates.append(
                ProgressUpdate(
                    organization=organization,
                    project=project,
                    task=element,
                    effective_date=day,
                    percent_complete=percent,
                    previous_percent_complete=previous,
                    actual_start=start,
                    actual_finish=day if done else None,
                    updated_by=user,
                )
            )
            if done:
                break
            day += dt.timedelta(days=rng.randint(1, 10))
    ProgressUpdate.objects.bulk_create(updates, batch_size=1000)
    category = CostCategory.objects.create(organization=organization, code="works", name="Works")
    ActualCost.objects.bulk_create(
        [
            ActualCost(
                organization=organization,
                project=project,
                date=PROJECT_START + dt.timedelta(days=rng.randrange(PROJECT_DAYS)),
                amount=Decimal(rng.randint(1, 2_000_000)) / 100,
                category=category,
                wbs_element=tasks[rng.randrange(TASKS)] if rng.random() < 0.9 else None,
                created_by=user,
            )
            for _ in range(COSTS)
        ],
        batch_size=1000,
    )
    project = Project.objects.for_organization(organization).select_related("organization").get(pk=project.pk)

    def timed(label: str, action: Callable[[], Any]) -> Any:
        samples = []
        queries = 0
        result = None
        for _ in range(REPETITIONS):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                result = action()
                samples.append((time.perf_counter() - started) * 1000)
            queries = len(captured.captured_queries)
        print(
            f"{label:<52} median {statistics.median(samples):7.1f} ms   max {max(samples):7.1f} ms   {queries} queries"
        )
        return result

    print(
        f"database: {connection.vendor}; {TASKS} baseline tasks, {len(updates)} progress updates, "
        f"{COSTS} actual costs, {PACKAGES} summaries; status date {STATUS_DATE}"
    )
    result = timed("project_evm", lambda: earned_value.project_evm(project, STATUS_DATE))
    series_end = PROJECT_START + dt.timedelta(days=PROJECT_DAYS)
    series = timed(
        "project_evm_series, weekly over two years",
        lambda: earned_value.project_evm_series(project, PROJECT_START, series_end, "week"),
    )
    timed(
        "project_evm_series, monthly over two years",
        lambda: earned_value.project_evm_series(project, PROJECT_START, series_end, "month"),
    )
    rows = timed("wbs_evm", lambda: earned_value.wbs_evm(project, STATUS_DATE))
    timed("project_forecast", lambda: earned_value.project_forecast(project, STATUS_DATE))
    timed("portfolio_evm (this project alone)", lambda: earned_value.portfolio_evm(organization, STATUS_DATE))
    figures = result.figures
    print(
        f"BAC {figures.bac}, PV {figures.pv}, EV {figures.ev}, AC {figures.ac}, SPI {figures.spi}, CPI {figures.cpi}; "
        f"{len(series)} weekly points, {len(rows)} WBS elements"
    )


if __name__ == "__main__":
    sys.exit(main())
