"""Time rescheduling a 2,000-task project through the service, database included.

Run with ``python -m bench.reschedule_bench`` (SQLite in a temporary folder) or against
PostgreSQL with a scratch database of its own, e.g. ``createdb pmo_bench`` then
``DATABASE_URL=postgres://postgres@127.0.0.1:5432/pmo_bench python -m bench.reschedule_bench``
(it migrates that database and adds a fresh organisation each run). It prints timings and
query counts; nothing here asserts on them.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from decimal import Decimal

REPETITIONS = 10
TASKS = 2000


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
    from pmo.models import Membership, OrgRole, User
    from pmo.services import organization_create
    from projects.models import Dependency, Project, WbsElement
    from projects.services import plan
    from projects.services.projects import project_create

    rng = random.Random(42)
    user = User.objects.create(username=f"bench{os.getpid()}")
    organization = organization_create(actor=None, name="Bench", slug=f"bench-{os.getpid()}", admin=user)
    Membership.objects.for_organization(organization).filter(user=user).update(role=OrgRole.ADMIN)
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

    def timed(label: str, action) -> None:  # type: ignore[no-untyped-def]
        samples = []
        queries = 0
        for repetition in range(REPETITIONS):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                action(repetition)
                samples.append((time.perf_counter() - started) * 1000)
            queries = len(captured.captured_queries)
        print(
            f"{label:<52} median {statistics.median(samples):7.1f} ms   max {max(samples):7.1f} ms   {queries} queries"
        )

    target = tasks[5]

    def change_duration(repetition: int) -> None:
        element = WbsElement.objects.for_organization(organization).get(pk=target.pk)
        plan.wbs_element_update(actor=user, element=element, duration=3 + repetition % 2 * 4)

    def recompute(_repetition: int) -> None:
        plan.schedule_recompute(Project.objects.for_organization(organization).get(pk=project.pk))

    print(f"database: {connection.vendor}; {TASKS} tasks, {len(unique)} dependencies, 40 summaries")
    timed("schedule_recompute (nothing changed)", recompute)
    timed("wbs_element_update: one duration change + reschedule", change_duration)


if __name__ == "__main__":
    sys.exit(main())
