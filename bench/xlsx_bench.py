"""Time the plan's Excel export and import of a 2,000-task project, and their peak memory.

Run with ``python -m bench.xlsx_bench`` (SQLite in a temporary folder) or against PostgreSQL with a
scratch database of its own, e.g. ``createdb pmo_bench`` then
``DATABASE_URL=postgres://postgres@127.0.0.1:5432/pmo_bench python -m bench.xlsx_bench`` (it migrates
that database and adds a fresh organisation each run).

The project is the same on every run (``random.Random(42)``): 40 work packages holding 2,000 tasks
of 1-20 working days, one in ten a milestone, every percent-complete method, about 2,400 links of
every type with lags, the first fifth of the tasks under way or done, and a current baseline of
them all. The export (``plan_export_xlsx``) and the import of that workbook into an empty project
(``plan_import_xlsx``: read, check, write, schedule, baseline) each run in a child process of their
own (``bench.child``, shared with ``bench.register_xlsx_bench``), which reports its wall time, its CPU
time (what the wall time is on an idle machine, the database's own work aside) and its peak
resident memory during the call (Django and the interpreter included). No tracer runs during the
call: ``tracemalloc`` would double its time.
It prints the figures and the targets (under 10 s and 300 MB each); nothing here asserts on them.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from bench.child import CHILD, measure, report, run_child, setup

TASKS = 2000
PACKAGES = 40
PROJECT_START = dt.date(2025, 3, 3)
TARGET_SECONDS = 10
TARGET_MEGABYTES = 300


def seed() -> tuple[int, int, int, int]:
    """The organisation, the project to export, an empty project to import into, and the user: their ids."""
    from pmo.models import Membership, OrgRole, User
    from pmo.services import organization_create
    from projects.models import Dependency, DependencyType, PercentCompleteMethod, Project, WbsElement
    from projects.services import plan
    from projects.services.projects import project_create

    rng = random.Random(42)
    user = User.objects.create(username=f"bench{os.getpid()}", language="en")
    organization = organization_create(actor=None, name="Bench", slug=f"bench-{os.getpid()}", admin=user)
    Membership.objects.for_organization(organization).filter(user=user).update(role=OrgRole.ADMIN)
    project = project_create(
        actor=user, organization=organization, code="B-1", name="Bench", planned_start=PROJECT_START
    )
    empty = project_create(
        actor=user, organization=organization, code="B-2", name="Bench copy", planned_start=PROJECT_START
    )
    packages = [
        WbsElement(organization=organization, project=project, name=f"Package {p}", kind="summary", position=p, code="")
        for p in range(1, PACKAGES + 1)
    ]
    WbsElement.objects.bulk_create(packages)
    methods = list(PercentCompleteMethod)
    tasks: list[WbsElement] = []
    today = organization.today()
    for i in range(TASKS):
        is_milestone = i % 10 == 9
        method = methods[i % len(methods)]
        started = i < TASKS // 5
        finished = started and i % 2 == 0
        start = PROJECT_START + dt.timedelta(days=i // 10)
        percent = Decimal(0)
        if finished:
            percent = Decimal(100)
        elif started:
            percent = {
                PercentCompleteMethod.PHYSICAL: Decimal(rng.randint(1, 99)),
                PercentCompleteMethod.FIFTY_FIFTY: Decimal(50),
            }.get(method, Decimal(0))
        tasks.append(
            WbsElement(
                organization=organization,
                project=project,
                parent=packages[i % PACKAGES],
                position=i,
                name=f"Task {i} 任务",
                kind="milestone" if is_milestone else "task",
                duration=0 if is_milestone else rng.randint(1, 20),
                budgeted_cost=Decimal(rng.randint(1, 500_000)) / 100,
                percent_complete_method=method,
                percent_complete=percent,
                actual_start=min(start, today) if started else None,
                actual_finish=min(start + dt.timedelta(days=5), today) if finished else None,
                notes="Notes" if i % 7 == 0 else "",
                code="",
            )
        )
    WbsElement.objects.bulk_create(tasks, batch_size=1000)
    links: set[tuple[int, int]] = set()
    types = list(DependencyType)
    for i in range(1, TASKS):
        for _ in range(rng.choice((1, 1, 1, 2))):
            j = rng.randrange(max(0, i - 30), i)
            links.add((j, i))
    Dependency.objects.bulk_create(
        [
            Dependency(
                organization=organization,
                project=project,
                predecessor=tasks[j],
                successor=tasks[i],
                type=types[(i + j) % len(types)],
                lag=rng.randint(-2, 5),
            )
            for j, i in sorted(links)
        ],
        batch_size=1000,
    )
    plan.renumber(project)
    projects = Project.objects.for_organization(organization).select_related("organization")
    plan.schedule_recompute(projects.get(pk=project.pk))
    plan.baseline_create(actor=user, project=projects.get(pk=project.pk), name="Bench baseline")
    return organization.pk, project.pk, empty.pk, user.pk


def child(step: str, organization_id: int, project_id: int, user_id: int, path: str) -> None:
    """One measured step in this process: ``export`` writes the workbook to ``path``, ``import`` reads it."""
    setup()
    from pmo.models import User
    from pmo.tenancy import activate
    from projects.models import Project
    from projects.services.plan_xlsx import plan_export_xlsx, plan_import_xlsx

    project = Project.objects.for_organization(organization_id).select_related("organization").get(pk=project_id)
    activate(project.organization)
    user = User.objects.get(pk=user_id)
    content = Path(path).read_bytes() if step == "import" else b""

    def call() -> dict[str, object]:
        if step == "export":
            Path(path).write_bytes(plan_export_xlsx(project))
            return {}
        result = plan_import_xlsx(actor=user, project=project, content=content)
        return {"elements": result.elements, "links": result.dependencies, "baseline": result.baseline_tasks}

    report(measure(call))


def main() -> None:
    if len(sys.argv) == 7 and sys.argv[1] == CHILD:
        child(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6])
        return
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    organization_id, project_id, empty_id, user_id = seed()
    print(f"database: {connection.vendor}; seeded {TASKS} tasks in {time.perf_counter() - started:.1f} s")
    connection.close()
    path = str(Path(tempfile.mkdtemp()) / "plan.xlsx")
    results = {
        step: run_child("bench.xlsx_bench", step, organization_id, target, user_id, path)
        for step, target in (("export", project_id), ("import", empty_id))
    }
    size = Path(path).stat().st_size
    print(f"workbook: {size / 1024:.0f} KB")
    for step, figures in results.items():
        met = figures["seconds"] < TARGET_SECONDS and figures["maxrss_mb"] < TARGET_MEGABYTES
        extra = "" if step == "export" else f"   ({figures['elements']} elements, {figures['links']} links, "
        extra += "" if step == "export" else f"{figures['baseline']} baseline tasks)"
        print(
            f"{step:<7} {figures['seconds']:6.2f} s (CPU {figures['cpu_seconds']:6.2f} s)   "
            f"peak RSS {figures['maxrss_mb']:6.1f} MB   "
            f"target {'met' if met else 'MISSED'}{extra}"
        )


if __name__ == "__main__":
    main()
