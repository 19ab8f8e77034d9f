"""Time exporting a 2,000-task project as MS Project XML (MSPDI) and importing it back, database included.

Run with ``python -m bench.mspdi_bench`` (SQLite in a temporary folder) or against PostgreSQL with a
scratch database of its own, e.g. ``createdb pmo_bench`` then
``DATABASE_URL=postgres://postgres@127.0.0.1:5432/pmo_bench python -m bench.mspdi_bench`` (it
migrates that database and adds a fresh organisation each run). The project: 40 work packages of
2,000 tasks (every 25th a milestone), ~1.3 links a task of every type with lags, a calendar with
holidays and make-up days, 50 resources with rates, one or two assignments a task, progress on the
first tasks and a current baseline. Each repetition exports the project and creates a new project
from the file (``project_create_from_mspdi``). It prints the file's size, the timings, the queries,
the peak of Python allocations during the round trip (tracemalloc) and the process's peak resident
memory; nothing here asserts on them (targets: under 10 s, under 300 MB).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from decimal import Decimal

REPETITIONS = 3
TASKS = 2000
RESOURCES = 50


def main() -> None:
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmo.settings.test")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    from pmo.models import CalendarException, Membership, OrgRole, User, WorkingCalendar
    from pmo.services import organization_create
    from projects.models import Dependency, WbsElement
    from projects.services import plan
    from projects.services.baselines import baseline_create
    from projects.services.projects import project_create
    from resources.models import Assignment, CostRate, Resource
    from resources.services.costing import assignments_refresh
    from resources.services.mspdi import project_create_from_mspdi, project_export_mspdi

    rng = random.Random(42)
    user = User.objects.create(username=f"bench{os.getpid()}")
    organization = organization_create(actor=None, name="Bench", slug=f"bench-{os.getpid()}", admin=user)
    Membership.objects.for_organization(organization).filter(user=user).update(role=OrgRole.ADMIN)
    calendar = WorkingCalendar.objects.for_organization(organization).get(is_default=True)
    CalendarException.objects.bulk_create(
        [
            CalendarException(organization=organization, calendar=calendar, date=day, name="Holiday")
            for day in (dt.date(2026, 5, 1) + dt.timedelta(days=91 * n) for n in range(24))
            if day.weekday() < 5
        ]
        + [
            CalendarException(organization=organization, calendar=calendar, date=day, is_working=True, name="Make-up")
            for day in (dt.date(2026, 5, 9) + dt.timedelta(days=182 * n) for n in range(12))
            if day.weekday() >= 5
        ]
    )
    project = project_create(
        actor=user, organization=organization, code="B-1", name="Bench", planned_start=dt.date(2026, 3, 2)
    )
    packages = [
        WbsElement(organization=organization, project=project, name=f"Package {p}", kind="summary", position=p, code="")
        for p in range(1, 41)
    ]
    WbsElement.objects.bulk_create(packages)
    tasks = [
        WbsElement(
            organization=organization,
            project=project,
            parent=packages[i % 40],
            position=i,
            name=f"Task {i}",
            kind="milestone" if i % 25 == 24 else "task",
            duration=0 if i % 25 == 24 else rng.randint(1, 15),
            budgeted_cost=Decimal(rng.randint(1, 500) * 100),
            code="",
        )
        for i in range(TASKS)
    ]
    WbsElement.objects.bulk_create(tasks, batch_size=1000)
    links = []
    for index in range(1, TASKS):
        for _ in range(rng.choice((1, 1, 2))):
            predecessor = tasks[rng.randrange(max(0, index - 60), index)]
            links.append(
                Dependency(
                    organization=organization,
                    project=project,
                    predecessor=predecessor,
                    successor=tasks[index],
                    type=rng.choice(("FS", "FS", "FS", "SS", "FF", "SF")),
                    lag=rng.randint(-2, 3),
                )
            )
    unique = {(link.predecessor_id, link.successor_id): link for link in links}
    Dependency.objects.bulk_create(list(unique.values()), batch_size=1000)
    plan.renumber(project)
    plan.schedule_recompute(project)
    baseline_create(actor=user, project=project, name="Approved")
    people = Resource.objects.bulk_create(
        [
            Resource(organization=organization, code=f"R{n:03d}", name=f"Person {n}", kind="person")
            for n in range(RESOURCES)
        ]
    )
    CostRate.objects.bulk_create(
        [
            CostRate(
                organization=organization,
                resource=person,
                effective_from=dt.date(2026, 1, 1),
                standard_rate=Decimal(rng.randint(40, 120)),
                created_by=user,
            )
            for person in people
        ]
    )
    assignments = []
    for task in tasks:
        if task.kind == "milestone":
            continue
        for person in rng.sample(people, k=rng.choice((1, 1, 2))):
            by_units = rng.random() < 0.7
            assignments.append(
                Assignment(
                    organization=organization,
                    project=project,
                    task=task,
                    resource=person,
                    mode="units" if by_units else "work",
                    units=Decimal(rng.choice((50, 100))) if by_units else Decimal("0"),
                    work=Decimal("0") if by_units else Decimal(rng.randint(4, 80)),
                    created_by=user,
                )
            )
    Assignment.objects.bulk_create(assignments, batch_size=1000)
    assignments_refresh(project)

    print(
        f"database: {connection.vendor}; {TASKS} tasks, 40 summaries, {len(unique)} links, "
        f"{len(assignments)} assignments, {RESOURCES} resources"
    )
    export_ms: list[float] = []
    import_ms: list[float] = []
    cpu_ms: list[float] = []
    commit_ms: list[float] = []
    size = 0
    export_queries = import_queries = 0
    peak = 0.0
    for repetition in range(REPETITIONS + 1):
        # The last repetition traces allocations (which slows it down) and is left out of the timings.
        traced = repetition == REPETITIONS
        if traced:
            tracemalloc.start()
        cpu = time.process_time()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            content = project_export_mspdi(project=project, rates_visible=True)
            exported = time.perf_counter() - started
        export_queries = len(captured.captured_queries)
        size = len(content)
        # Inside an outer transaction, so that the work queued on commit (the new project's alert
        # evaluation, run eagerly here; on a worker when deployed) is timed apart.
        with transaction.atomic():
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                result = project_create_from_mspdi(
                    actor=user, organization=organization, content=content, code=f"B-{repetition + 2}"
                )
                imported = time.perf_counter() - started
            import_queries = len(captured.captured_queries)
            spent = time.process_time() - cpu
            committing = time.perf_counter()
        committed = time.perf_counter() - committing
        if traced:
            peak = tracemalloc.get_traced_memory()[1] / (1024 * 1024)
            tracemalloc.stop()
        else:
            export_ms.append(exported * 1000)
            import_ms.append(imported * 1000)
            cpu_ms.append(spent * 1000)
            commit_ms.append(committed * 1000)
        assert result.tasks == TASKS + 40, result.tasks
        assert result.report == [], result.report
    total = [a + b for a, b in zip(export_ms, import_ms, strict=True)]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"file: {size / (1024 * 1024):.1f} MB")
    print(
        f"{'export (project_export_mspdi)':<40} median {statistics.median(export_ms):8.1f} ms   "
        f"{export_queries} queries"
    )
    print(
        f"{'import (project_create_from_mspdi)':<40} median {statistics.median(import_ms):8.1f} ms   "
        f"{import_queries} queries"
    )
    print(f"{'export + import, wall':<40} median {statistics.median(total):8.1f} ms   max {max(total):8.1f} ms")
    print(f"{'export + import, CPU of this process':<40} median {statistics.median(cpu_ms):8.1f} ms")
    print(f"{'work queued on commit (eager here)':<40} median {statistics.median(commit_ms):8.1f} ms")
    print(f"peak Python allocations during a round trip: {peak:.1f} MB (tracemalloc)")
    print(f"peak resident memory of the process: {rss:.1f} MB")


if __name__ == "__main__":
    sys.exit(main())
