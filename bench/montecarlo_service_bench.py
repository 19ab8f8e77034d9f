"""Time a Monte Carlo run through the service, database included: 5,000 iterations, 2,000 tasks.

Run with ``python -m bench.montecarlo_service_bench`` (SQLite in a temporary folder) or against a
scratch PostgreSQL database of its own (``DATABASE_URL=postgres://…/pmo_bench``; it migrates it and
adds a fresh organisation each run). The project is ``bench.schedule_bench``'s network (seed 42)
stored as WBS tasks and dependencies, with 40 assessed risks linked to 1-5 tasks each and a
current baseline. It times ``monte_carlo_request`` (which, with no broker, executes the run as
the request commits: snapshot, simulation, storage) on one CPU and prints the run's own timing of
the simulation; nothing here asserts on the figures.
"""

from __future__ import annotations

import os

for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[variable] = "1"

import random  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from decimal import Decimal  # noqa: E402

ITERATIONS = 5000
RISKS = 40


def main() -> None:
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmo.settings.test")
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from bench.schedule_bench import PROJECT_START, build_network
    from pmo.models import Membership, OrgRole, User
    from pmo.services import organization_create
    from projects.models import Baseline, BaselineTask, Dependency, WbsElement
    from projects.services import plan
    from projects.services.projects import project_create
    from projects.services.schedule import schedule_recompute
    from risks.models import MonteCarloRun, Risk, RiskWbsLink
    from risks.services.analysis import monte_carlo_request
    from risks.services.settings import risk_categories

    rng = random.Random(42)
    user = User.objects.create(username=f"mcbench{os.getpid()}")
    organization = organization_create(actor=None, name="MC bench", slug=f"mc-bench-{os.getpid()}", admin=user)
    Membership.objects.for_organization(organization).filter(user=user).update(role=OrgRole.ADMIN)
    project = project_create(
        actor=user, organization=organization, code="MC-1", name="Monte Carlo bench", planned_start=PROJECT_START
    )
    started = time.perf_counter()
    tasks, dependencies = build_network(rng)
    elements = [
        WbsElement(
            organization=organization,
            project=project,
            name=f"Task {task.id}",
            position=index,
            kind="milestone" if task.duration == 0 else "task",
            duration=task.duration,
            budgeted_cost=Decimal(rng.randint(1, 50) * 1000),
            code="",
        )
        for index, task in enumerate(tasks)
    ]
    WbsElement.objects.bulk_create(elements, batch_size=1000)
    plan.renumber(project)
    Dependency.objects.bulk_create(
        [
            Dependency(
                organization=organization,
                project=project,
                predecessor=elements[link.predecessor_id],
                successor=elements[link.successor_id],
                type=str(link.type),
                lag=link.lag,
            )
            for link in dependencies
        ],
        batch_size=1000,
    )
    schedule_recompute(project)
    baseline = Baseline.objects.create(
        organization=organization, project=project, name="Bench", is_current=True, created_by=user
    )
    fresh = list(WbsElement.objects.for_organization(organization).filter(project=project).order_by("pk"))
    BaselineTask.objects.bulk_create(
        [
            BaselineTask(
                organization=organization,
                baseline=baseline,
                task=element,
                code=element.code,
                name=element.name,
                is_milestone=element.kind == "milestone",
                start=element.planned_start,
                finish=element.planned_finish,
                duration=element.duration,
                budgeted_cost=element.budgeted_cost,
            )
            for element in fresh
        ],
        batch_size=1000,
    )
    category = risk_categories(organization)[0]
    risks = Risk.objects.bulk_create(
        [
            Risk(
                organization=organization,
                project=project,
                number=number + 1,
                title=f"Risk {number + 1}",
                category=category,
                raised_by=user,
                status="assessed",
                probability=rng.randint(1, 5),
                probability_percent=Decimal(rng.choice([10, 30, 50, 70, 90])),
                days_min=rng.randint(0, 3),
                days_likely=rng.randint(3, 8),
                days_max=rng.randint(8, 25),
                cost_min=Decimal(10_000),
                cost_likely=Decimal(50_000),
                cost_max=Decimal(200_000),
            )
            for number in range(RISKS)
        ]
    )
    RiskWbsLink.objects.bulk_create(
        [
            RiskWbsLink(organization=organization, risk=risk, element=element)
            for risk in risks
            for element in rng.sample(fresh, rng.randint(1, 5))
        ]
    )
    seconds = time.perf_counter() - started
    print(f"seeded {len(fresh)} tasks, {len(dependencies)} dependencies, {RISKS} risks in {seconds:.1f} s")

    began = time.perf_counter()
    run = monte_carlo_request(actor=user, project=project, iterations=ITERATIONS, seed=1)
    elapsed = time.perf_counter() - began
    run = MonteCarloRun.objects.for_organization(organization).get(pk=run.pk)
    print(
        f"request + run through the service: {elapsed:.2f} s "
        f"(simulation and summary {run.results.get('seconds', float('nan')):.2f} s); status {run.status}; "
        f"P50 {run.p50_finish}, P{run.confidence} {run.confident_finish}, baseline {run.baseline_finish}, "
        f"probability of the baseline finish {run.finish_probability} %"
    )
    print(f"database: {os.environ['DATABASE_URL'].split('@')[-1]}")


if __name__ == "__main__":
    main()
