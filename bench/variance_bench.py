"""Time the variance run over one organisation of many projects, database included.

Run with ``python -m bench.variance_bench`` (SQLite in a temporary folder) or against PostgreSQL
with a scratch database of its own, e.g. ``createdb pmo_bench_variance`` then
``DATABASE_URL=postgres://postgres@127.0.0.1:5432/pmo_bench_variance python -m bench.variance_bench``.
It migrates that database, drops the organisations it seeded last time (``variance-bench`` and
``variance-bench-sizes``) and seeds them again. ``--projects``, ``--tasks-per-project``,
``--batch-size`` and ``--seed`` change the size (1,000 x 200 tasks, batches of 100, seed 42).

The organisation is the same on every run with the same seed: each project draws a profile (on
track, slipping, troubled or ahead) that sets how far its progress lags the baseline, how much it
spends for what it earns, how large its approved budget is and how many of its tasks slip past
their baseline finish; one task in ten is a milestone. Every project has a current baseline of all
its tasks (but one in a hundred), one or two progress updates on most tasks started by the status
date, a few actual costs, an approved budget, a manager, often a coordinator; a few have a change
request or a budget version waiting for a decision, a few are closed. The organisation has PMO,
finance and admin members and one webhook.

The runs happen in a fresh child process, so that its peak resident memory is the run's and not
the seeding's: the first run of the status date (it opens the alerts), a second run the same day
(it updates them and opens nothing), then both again under tracemalloc inside a transaction that
is rolled back (tracing slows them down, so their times are not shown). Celery is eager; the
outbox relay the run queues after each batch is counted but not run, since it is the relay's
work, not the run's. Last, one batch of projects of 20 tasks and one of 200 tasks each, in a
second organisation, show that a batch's queries do not grow with the tasks.

Settings are ``pmo.settings.test``, as for the other benches: Celery eager whatever REDIS_URL
says, e-mail in memory, DEBUG off (no query log growing in memory). The databases named
postgres, test and the templates are refused. It prints figures; nothing here asserts on them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from finance.models import CostCategory
    from pmo.models import Organization, User
    from projects.models import Project

AS_OF = dt.date(2027, 6, 15)
SLUG = "variance-bench"
SIZES_SLUG = "variance-bench-sizes"
SIZES = (20, 200)
SIZES_PROJECTS = 20
INSERT_BATCH = 5000
# Projects seeded per round of inserts: bounds the seeding's memory whatever the size.
PROJECTS_PER_ROUND = 25
FORBIDDEN_DATABASES = {"postgres", "test", "template0", "template1"}
RESULT_PREFIX = "RESULT "
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Profile:
    name: str
    weight: int
    schedule: tuple[float, float]  # progress against plan (about SPI)
    spend: tuple[float, float]  # actual cost for the value earned (about 1 / CPI)
    budget: tuple[float, float]  # approved budget against the baseline budget
    slip_share: float  # unfinished tasks whose forecast finish is past the baseline finish
    finish_rate: float  # tasks and milestones due by the status date that are done


PROFILES = (
    Profile("on track", 55, (0.97, 1.06), (0.92, 1.04), (1.00, 1.15), 0.01, 0.97),
    Profile("slipping", 25, (0.85, 0.96), (0.98, 1.10), (0.95, 1.10), 0.05, 0.85),
    Profile("troubled", 15, (0.60, 0.85), (1.15, 1.60), (0.60, 1.00), 0.12, 0.60),
    Profile("ahead", 5, (1.05, 1.20), (0.85, 0.98), (1.00, 1.20), 0.00, 1.00),
)


@dataclass
class TaskPlan:
    number: int
    start: dt.date
    finish: dt.date
    forecast: dt.date
    is_milestone: bool
    budget: Decimal
    method: str
    percent: Decimal
    actual_start: dt.date | None
    actual_finish: dt.date | None
    # (effective date, percent, previous percent)
    updates: list[tuple[dt.date, Decimal, Decimal]]


@dataclass(frozen=True)
class CostPlan:
    date: dt.date
    amount: Decimal
    category: int  # index in the organisation's categories
    task: int | None  # index in the project's tasks


@dataclass
class ProjectPlan:
    number: int
    profile: Profile
    start: dt.date
    finish: dt.date
    closed: bool
    baselined: bool
    manager: User
    coordinator: User | None
    tasks: list[TaskPlan]
    costs: list[CostPlan]
    budget_lines: list[Decimal]  # one per cost category, in order
    change_request_days: int | None
    budget_waiting_days: int | None


@dataclass
class People:
    admin: User
    managers: list[User]
    coordinators: list[User]


@dataclass
class SeedCounts:
    rows: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, count: int) -> None:
        self.rows[name] = self.rows.get(name, 0) + count


def _options(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--tasks-per-project", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    # The child process that runs the measurements on the seeded database.
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _bootstrap(database_url: str) -> str:
    if not database_url:
        database_url = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    parts = urlsplit(database_url)
    if parts.scheme.startswith("postgres") and parts.path.lstrip("/") in FORBIDDEN_DATABASES:
        sys.exit(f"Refusing to seed {parts.path.lstrip('/')!r}: give the bench a scratch database of its own.")
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmo.settings.test")
    import django

    django.setup()
    return database_url


def _rss_mb() -> tuple[float, float]:
    """Resident memory now (0 where /proc is missing) and the process's peak so far, in MB."""
    try:
        with open("/proc/self/statm") as statm:
            now = int(statm.read().split()[1]) * resource.getpagesize() / 2**20
    except OSError:
        now = 0.0
    # Linux reports the peak in kilobytes.
    return now, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- dropping and seeding ---------------------------------------------------------------


def _drop_organization(slug: str) -> None:
    """Delete every row of the organisation, and the bench's users among its members.

    Plain DELETEs by organisation, table by table, in one transaction: the foreign keys Django
    creates are deferred to the commit, by which time nothing points at the deleted rows.
    """
    from django.apps import apps
    from django.db import connection, transaction

    from pmo.models import Membership, Organization, User

    organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        return
    users = list(
        Membership.objects.for_organization(organization)
        .filter(user__username__startswith=f"{slug}-")
        .values_list("user_id", flat=True)
    )
    quote = connection.ops.quote_name
    with transaction.atomic():
        with connection.cursor() as cursor:
            for model in apps.get_models():
                if model is not Organization and "organization" in {
                    field.name for field in model._meta.concrete_fields
                }:
                    table = quote(model._meta.db_table)
                    cursor.execute(f"DELETE FROM {table} WHERE organization_id = %s", [organization.pk])  # noqa: S608
            cursor.execute(f"DELETE FROM {quote(Organization._meta.db_table)} WHERE id = %s", [organization.pk])  # noqa: S608
        User.objects.filter(pk__in=users).delete()


def _seed_organization(
    slug: str, name: str, projects: int, counts: SeedCounts
) -> tuple[Organization, People, list[Any]]:
    """The organisation: its calendar, cost categories, one webhook, and its people by role."""
    from bench.schedule_bench import build_calendar
    from finance.models import CostCategory
    from pmo.models import CalendarException, Membership, OrgRole, User, Webhook, WebhookEvent, WorkingCalendar
    from pmo.services import organization_create

    def person(name: str, alert_email: str) -> User:
        return User(
            username=f"{slug}-{name}",
            email=f"{name}@{slug}.example.com",
            alert_email=alert_email,
            password="!",  # noqa: S106 - an unusable password
        )

    admin = person("admin", User.AlertEmail.IMMEDIATE)
    admin.save()
    organization = organization_create(actor=None, name=name, slug=slug, admin=admin)
    calendar = WorkingCalendar.objects.for_organization(organization).get(is_default=True)
    work_calendar = build_calendar(random.Random(0))
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
    categories = CostCategory.objects.bulk_create(
        [
            CostCategory(organization=organization, code=code, name=code.capitalize(), order=order)
            for order, code in enumerate(("works", "materials", "services"))
        ]
    )
    Webhook.objects.create(
        organization=organization,
        name="Control room",
        url="https://hooks.example.com/pmo",
        secret="0" * 64,
        events=[WebhookEvent.ALERT_OPENED, WebhookEvent.ALERT_ESCALATED, WebhookEvent.ALERT_RESOLVED],
        created_by=admin,
    )

    staff = [
        (person("pmo-1", User.AlertEmail.IMMEDIATE), OrgRole.PMO),
        (person("pmo-2", User.AlertEmail.DIGEST), OrgRole.PMO),
        (person("finance-1", User.AlertEmail.IMMEDIATE), OrgRole.FINANCE),
        (person("finance-2", User.AlertEmail.OFF), OrgRole.FINANCE),
    ]
    # One manager and one coordinator for every eight projects; most want their e-mails at once.
    teams = max(1, math.ceil(projects / 8))
    email_choices = [User.AlertEmail.IMMEDIATE] * 6 + [User.AlertEmail.DIGEST] * 3 + [User.AlertEmail.OFF]
    managers = [person(f"manager-{i}", email_choices[i % 10]) for i in range(teams)]
    coordinators = [person(f"coordinator-{i}", email_choices[(i + 3) % 10]) for i in range(teams)]
    User.objects.bulk_create([user for user, _role in staff] + managers + coordinators, batch_size=INSERT_BATCH)
    Membership.objects.bulk_create(
        [Membership(organization=organization, user=user, role=role) for user, role in staff]
        + [Membership(organization=organization, user=user, role=OrgRole.PROJECT_MANAGER) for user in managers]
        + [Membership(organization=organization, user=user, role=OrgRole.MEMBER) for user in coordinators],
        batch_size=INSERT_BATCH,
    )
    counts.add("users", 1 + len(staff) + 2 * teams)
    return organization, People(admin=admin, managers=managers, coordinators=coordinators), categories


def _plan_tasks(
    rng: random.Random, profile: Profile, schedule: float, tasks: int, start: dt.date, span: int
) -> list[TaskPlan]:
    """The baseline, the forecast and the progress of each task, with its updates."""
    from projects.models import PercentCompleteMethod

    methods = [PercentCompleteMethod.PHYSICAL, PercentCompleteMethod.ZERO_HUNDRED, PercentCompleteMethod.FIFTY_FIFTY]
    plans: list[TaskPlan] = []
    for number in range(tasks):
        is_milestone = number % 10 == 9
        task_start = start + dt.timedelta(days=rng.randrange(max(1, span - 30)))
        task_finish = task_start if is_milestone else task_start + dt.timedelta(days=rng.randint(1, 30))
        budget = Decimal(rng.randint(1, 500) * 100)
        method = rng.choices(methods, weights=(6, 2, 2))[0]
        percent = 0
        if task_start <= AS_OF:
            due = task_finish <= AS_OF
            if due and rng.random() < profile.finish_rate:
                percent = 100
            elif due and not is_milestone:
                percent = max(50, min(99, round(schedule * 90 + rng.gauss(0, 5))))
            elif not due:
                planned = (AS_OF - task_start).days / (task_finish - task_start).days
                percent = max(0, min(99, round((planned * schedule + rng.gauss(0, 0.05)) * 100)))
        actual_start = actual_finish = None
        updates: list[tuple[dt.date, Decimal, Decimal]] = []
        if percent:
            begun = task_finish if is_milestone else task_start
            actual_start = min(begun + dt.timedelta(days=rng.randint(0, 3)), AS_OF)
            if percent == 100:
                actual_finish = max(actual_start, min(task_finish + dt.timedelta(days=rng.randint(-2, 5)), AS_OF))
            last = actual_finish or max(actual_start, AS_OF - dt.timedelta(days=rng.randint(0, 10)))
            if last > actual_start and percent >= 20 and rng.random() < 0.5:
                updates.append((actual_start + (last - actual_start) / 2, Decimal(percent // 2), Decimal(0)))
            updates.append((last, Decimal(percent), updates[-1][1] if updates else Decimal(0)))
        forecast = task_finish
        if percent < 100 and rng.random() < profile.slip_share:
            forecast = task_finish + dt.timedelta(days=rng.randint(2, 30))
        plans.append(
            TaskPlan(
                number=number,
                start=task_start,
                finish=task_finish,
                forecast=forecast,
                is_milestone=is_milestone,
                budget=budget,
                method=method,
                percent=Decimal(percent),
                actual_start=actual_start,
                actual_finish=actual_finish,
                updates=updates,
            )
        )
    return plans


def _plan_project(rng: random.Random, number: int, tasks: int, people: People, categories: int) -> ProjectPlan:
    """Everything drawn for one project; inserting it draws nothing more.

    The project's own draws come before its tasks', so that a project of 20 tasks and one of 200
    drawn from the same seed share their profile, dates and team.
    """
    profile = rng.choices(PROFILES, weights=[profile.weight for profile in PROFILES])[0]
    if rng.random() < 0.03:
        start = AS_OF + dt.timedelta(days=rng.randint(5, 60))
    else:
        start = AS_OF - dt.timedelta(days=rng.randint(60, 520))
    span = rng.randint(240, 900)
    schedule = rng.uniform(*profile.schedule)
    closed = rng.random() < 0.01
    baselined = rng.random() >= 0.01
    coordinator = people.coordinators[number % len(people.coordinators)] if rng.random() < 0.5 else None
    change_request_days = rng.randint(1, 15) if rng.random() < 0.05 else None
    budget_waiting_days = rng.randint(1, 20) if rng.random() < 0.03 else None
    budget_factor = Decimal(rng.uniform(*profile.budget))
    plans = _plan_tasks(rng, profile, schedule, tasks, start, span)
    bac = sum((plan.budget for plan in plans), Decimal(0))
    earned = sum((plan.budget * plan.percent / 100 for plan in plans), Decimal(0))
    spent = (earned * Decimal(rng.uniform(*profile.spend))).quantize(CENT)
    if not spent and start <= AS_OF:
        # Mobilisation: money goes out before any work is reported.
        spent = (bac / 100).quantize(CENT)
    costs: list[CostPlan] = []
    if spent:
        weights = [rng.random() + 0.1 for _ in range(rng.randint(3, 8))]
        for weight in weights:
            costs.append(
                CostPlan(
                    date=start + dt.timedelta(days=rng.randrange(max(1, (AS_OF - start).days))),
                    amount=(spent * Decimal(weight / sum(weights))).quantize(CENT),
                    category=rng.randrange(categories),
                    task=rng.randrange(tasks) if tasks and rng.random() < 0.7 else None,
                )
            )
        if rng.random() < 0.2:
            # An invoice dated after the status date: not in AC yet.
            costs.append(
                CostPlan(
                    date=AS_OF + dt.timedelta(days=rng.randint(1, 30)),
                    amount=Decimal(rng.randint(1_000, 5_000_000)) / 100,
                    category=rng.randrange(categories),
                    task=None,
                )
            )
    budget = bac * budget_factor
    shares = [rng.random() + 0.2 for _ in range(rng.randint(1, categories))]
    return ProjectPlan(
        number=number,
        profile=profile,
        start=start,
        finish=start + dt.timedelta(days=span),
        closed=closed,
        baselined=baselined,
        manager=people.managers[number % len(people.managers)],
        coordinator=coordinator,
        tasks=plans,
        costs=costs,
        budget_lines=[(budget * Decimal(share / sum(shares))).quantize(CENT) for share in shares],
        change_request_days=change_request_days,
        budget_waiting_days=budget_waiting_days,
    )


def _insert_projects(
    organization: Organization, people: People, categories: list[CostCategory], plans: list[ProjectPlan]
) -> dict[str, int]:
    """Insert the projects with their plans, baselines, progress, costs and budgets; rows by kind."""
    from django.utils import timezone

    from finance.models import ActualCost, BudgetLine, BudgetVersion
    from projects.models import (
        Baseline,
        BaselineTask,
        ChangeRequest,
        Phase,
        ProgressUpdate,
        Project,
        ProjectMember,
        ProjectRole,
        WbsElement,
    )
    from projects.models.plan import wbs_sort_key

    now = timezone.now()
    projects = Project.objects.bulk_create(
        [
            Project(
                organization=organization,
                code=f"P-{plan.number:05d}",
                name=f"{plan.profile.name.capitalize()} project {plan.number}",
                planned_start=plan.start,
                planned_finish=plan.finish,
                phase=Phase.CLOSED if plan.closed else Phase.EXECUTION,
                manager=plan.manager,
                created_at=now,
            )
            for plan in plans
        ]
    )
    members = [
        ProjectMember(organization=organization, project=project, user=user, role=role)
        for project, plan in zip(projects, plans, strict=True)
        for user, role in ((plan.manager, ProjectRole.MANAGER), (plan.coordinator, ProjectRole.COORDINATOR))
        if user is not None
    ]
    ProjectMember.objects.bulk_create(members, batch_size=INSERT_BATCH)

    # Tasks hang from work packages of about 25 tasks each.
    package_counts = [max(1, len(plan.tasks) // 25) for plan in plans]
    packages = [
        [
            WbsElement(
                organization=organization,
                project=project,
                position=index + 1,
                code=str(index + 1),
                sort_key=wbs_sort_key(str(index + 1)),
                name=f"Work package {index + 1}",
                kind=WbsElement.Kind.SUMMARY,
                duration=0,
                budgeted_cost=sum((task.budget for task in plan.tasks[index::count]), Decimal(0)),
                planned_start=min((task.start for task in plan.tasks[index::count]), default=None),
                planned_finish=max((task.forecast for task in plan.tasks[index::count]), default=None),
            )
            for index in range(count)
        ]
        for project, plan, count in zip(projects, plans, package_counts, strict=True)
    ]
    WbsElement.objects.bulk_create([package for group in packages for package in group], batch_size=INSERT_BATCH)
    elements: list[list[WbsElement]] = []
    for project, plan, group in zip(projects, plans, packages, strict=True):
        elements.append([])
        for task in plan.tasks:
            parent = group[task.number % len(group)]
            position = task.number // len(group) + 1
            code = f"{parent.code}.{position}"
            elements[-1].append(
                WbsElement(
                    organization=organization,
                    project=project,
                    parent=parent,
                    position=position,
                    code=code,
                    sort_key=wbs_sort_key(code),
                    name=f"Task {task.number + 1}",
                    kind=WbsElement.Kind.MILESTONE if task.is_milestone else WbsElement.Kind.TASK,
                    duration=0 if task.is_milestone else (task.finish - task.start).days,
                    budgeted_cost=task.budget,
                    percent_complete_method=task.method,
                    percent_complete=task.percent,
                    actual_start=task.actual_start,
                    actual_finish=task.actual_finish,
                    planned_start=task.start,
                    planned_finish=task.forecast,
                )
            )
    WbsElement.objects.bulk_create([element for group in elements for element in group], batch_size=INSERT_BATCH)

    baselined = [
        (project, plan, group) for project, plan, group in zip(projects, plans, elements, strict=True) if plan.baselined
    ]
    baselines = Baseline.objects.bulk_create(
        [
            Baseline(
                organization=organization,
                project=project,
                name="Approved plan",
                is_current=True,
                created_by=people.admin,
                created_at=now,
            )
            for project, _plan, _group in baselined
        ]
    )
    baseline_tasks = BaselineTask.objects.bulk_create(
        [
            BaselineTask(
                organization=organization,
                baseline=baseline,
                task=element,
                code=element.code,
                sort_key=element.sort_key,
                name=element.name,
                is_milestone=task.is_milestone,
                start=task.start,
                finish=task.finish,
                duration=element.duration,
                budgeted_cost=task.budget,
            )
            for baseline, (_project, plan, group) in zip(baselines, baselined, strict=True)
            for element, task in zip(group, plan.tasks, strict=True)
        ],
        batch_size=INSERT_BATCH,
    )
    updates = ProgressUpdate.objects.bulk_create(
        [
            ProgressUpdate(
                organization=organization,
                project=project,
                task=element,
                effective_date=effective,
                percent_complete=percent,
                previous_percent_complete=previous,
                actual_start=task.actual_start,
                actual_finish=task.actual_finish if percent == 100 else None,
                updated_by=plan.manager,
                created_at=now,
            )
            for project, plan, group in zip(projects, plans, elements, strict=True)
            for element, task in zip(group, plan.tasks, strict=True)
            for effective, percent, previous in task.updates
        ],
        batch_size=INSERT_BATCH,
    )
    costs = ActualCost.objects.bulk_create(
        [
            ActualCost(
                organization=organization,
                project=project,
                date=cost.date,
                amount=cost.amount,
                category=categories[cost.category],
                wbs_element=None if cost.task is None else group[cost.task],
                created_by=plan.manager,
                created_at=now,
            )
            for project, plan, group in zip(projects, plans, elements, strict=True)
            for cost in plan.costs
        ],
        batch_size=INSERT_BATCH,
    )
    approved = BudgetVersion.objects.bulk_create(
        [
            BudgetVersion(
                organization=organization,
                project=project,
                number=1,
                status=BudgetVersion.Status.APPROVED,
                is_current=True,
                created_by=plan.manager,
                created_at=now - dt.timedelta(days=200),
                submitted_by=plan.manager,
                submitted_at=now - dt.timedelta(days=200),
                decided_by=people.admin,
                decided_at=now - dt.timedelta(days=199),
            )
            for project, plan in zip(projects, plans, strict=True)
        ]
    )
    lines = BudgetLine.objects.bulk_create(
        [
            BudgetLine(organization=organization, version=version, category=category, amount=amount)
            for version, plan in zip(approved, plans, strict=True)
            for category, amount in zip(categories, plan.budget_lines, strict=False)
        ]
    )
    waiting = BudgetVersion.objects.bulk_create(
        [
            BudgetVersion(
                organization=organization,
                project=project,
                number=2,
                status=BudgetVersion.Status.SUBMITTED,
                created_by=plan.manager,
                created_at=now - dt.timedelta(days=plan.budget_waiting_days),
                submitted_by=plan.manager,
                submitted_at=now - dt.timedelta(days=plan.budget_waiting_days),
            )
            for project, plan in zip(projects, plans, strict=True)
            if plan.budget_waiting_days is not None
        ]
    )
    requests = ChangeRequest.objects.bulk_create(
        [
            ChangeRequest(
                organization=organization,
                project=project,
                number=1,
                title="Extend the foundations",
                kind=ChangeRequest.Kind.SCOPE,
                description="The soil survey found softer ground.",
                reason="Site conditions.",
                impact_days=10,
                impact_cost=Decimal("150000.00"),
                status=ChangeRequest.Status.SUBMITTED,
                requested_by=plan.manager,
                created_at=now - dt.timedelta(days=plan.change_request_days),
                submitted_at=now - dt.timedelta(days=plan.change_request_days),
            )
            for project, plan in zip(projects, plans, strict=True)
            if plan.change_request_days is not None
        ]
    )
    return {
        "projects": len(projects),
        "project members": len(members),
        "WBS summaries": sum(len(group) for group in packages),
        "tasks": sum(len(group) for group in elements),
        "baselines": len(baselines),
        "baseline tasks": len(baseline_tasks),
        "progress updates": len(updates),
        "actual costs": len(costs),
        "budget versions": len(approved) + len(waiting),
        "budget lines": len(lines),
        "change requests": len(requests),
    }


def _seed_projects(
    organization: Organization,
    people: People,
    categories: list[CostCategory],
    *,
    seed: int,
    projects: int,
    tasks: int,
    first_number: int,
    counts: SeedCounts,
) -> None:
    """``projects`` projects of ``tasks`` tasks each, inserted ``PROJECTS_PER_ROUND`` projects at a time.

    Each project draws from its own generator, seeded with ``seed`` and its rank among these projects.
    """
    from django.db import transaction

    for start in range(0, projects, PROJECTS_PER_ROUND):
        plans = [
            _plan_project(random.Random(f"{seed}:{rank}"), first_number + rank, tasks, people, len(categories))
            for rank in range(start, min(start + PROJECTS_PER_ROUND, projects))
        ]
        with transaction.atomic():
            for name, count in _insert_projects(organization, people, categories, plans).items():
                counts.add(name, count)


def _seed(options: argparse.Namespace) -> tuple[SeedCounts, float]:
    from django.db import connection

    counts = SeedCounts()
    started = time.perf_counter()
    for slug in (SLUG, SIZES_SLUG):
        _drop_organization(slug)
    dropped = time.perf_counter()
    print(f"dropped the previous bench organisations in {dropped - started:.1f} s", file=sys.stderr)

    organization, people, categories = _seed_organization(SLUG, "Variance bench", options.projects, counts)
    _seed_projects(
        organization,
        people,
        categories,
        seed=options.seed,
        projects=options.projects,
        tasks=options.tasks_per_project,
        first_number=1,
        counts=counts,
    )
    seeded = time.perf_counter() - dropped

    sizes_counts = SeedCounts()
    sizes, sizes_people, sizes_categories = _seed_organization(
        SIZES_SLUG, "Variance bench, batch sizes", SIZES_PROJECTS * len(SIZES), sizes_counts
    )
    for group, tasks in enumerate(SIZES):
        # The same seed for each group: the same profiles, only the number of tasks differs.
        _seed_projects(
            sizes,
            sizes_people,
            sizes_categories,
            seed=options.seed,
            projects=SIZES_PROJECTS,
            tasks=tasks,
            first_number=1 + group * SIZES_PROJECTS,
            counts=sizes_counts,
        )
    if connection.vendor == "postgresql":
        # Fresh tables have no statistics yet; production ones do.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return counts, seeded


# --- measuring --------------------------------------------------------------------------


@dataclass
class QueryCounter:
    """Counts the queries of a connection and the time spent executing them (no SQL kept)."""

    queries: int = 0
    seconds: float = 0.0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.queries += 1


@dataclass
class RunFigures:
    seconds: float
    cpu_seconds: float
    sql_seconds: float
    queries: int
    batch_queries: list[int]
    batch_seconds: list[float]
    relays_queued: int
    report: dict[str, int]


@contextmanager
def _relay_counted() -> Iterator[list[int]]:
    """The outbox relay queued after a batch is counted and not run."""
    from unittest import mock

    from pmo.tasks import relay_outbox

    queued = [0]

    def count() -> None:
        queued[0] += 1

    with mock.patch.object(relay_outbox, "delay_on_commit", count):
        yield queued


def _timed_run(organization: Organization, batch_size: int) -> RunFigures:
    from unittest import mock

    from django.db import connection

    from finance import variance

    counter = QueryCounter()
    batch_queries: list[int] = []
    batch_seconds: list[float] = []
    run_batch = variance.variance_run_batch

    def recorded_batch(**kwargs: Any) -> variance.BatchReport:
        before = counter.queries
        started = time.perf_counter()
        result = run_batch(**kwargs)
        batch_seconds.append(time.perf_counter() - started)
        batch_queries.append(counter.queries - before)
        return result

    with (
        _relay_counted() as relays,
        connection.execute_wrapper(counter),
        mock.patch.object(variance, "variance_run_batch", recorded_batch),
    ):
        started, cpu_started = time.perf_counter(), time.process_time()
        report = variance.variance_run(organization=organization, as_of=AS_OF, batch_size=batch_size)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    alerts = report.alerts
    return RunFigures(
        seconds=seconds,
        cpu_seconds=cpu_seconds,
        sql_seconds=counter.seconds,
        queries=counter.queries,
        batch_queries=batch_queries,
        batch_seconds=batch_seconds,
        relays_queued=relays[0],
        report={
            "projects": report.projects,
            "snapshots": report.snapshots,
            "opened": alerts.opened,
            "updated": alerts.updated,
            "escalated": alerts.escalated,
            "resolved": alerts.resolved,
            "notifications": alerts.notifications,
            "messages": alerts.messages,
        },
    )


class _RolledBack(Exception):
    pass


def _traced_peak_mb(organization: Organization, batch_size: int, *, first: bool) -> float:
    """The run's peak of Python allocations, inside a transaction rolled back afterwards.

    ``first`` removes the organisation's alerts first, so that the run opens them again.
    """
    from django.db import transaction

    from finance.variance import variance_run
    from pmo.models import Alert, Notification, OutboxMessage

    peak = 0
    with _relay_counted():
        try:
            with transaction.atomic():
                if first:
                    Notification.objects.for_organization(organization).delete()
                    OutboxMessage.objects.for_organization(organization).delete()
                    Alert.objects.for_organization(organization).delete()
                tracemalloc.start()
                try:
                    variance_run(organization=organization, as_of=AS_OF, batch_size=batch_size)
                    peak = tracemalloc.get_traced_memory()[1]
                finally:
                    tracemalloc.stop()
                raise _RolledBack
        except _RolledBack:
            pass
    return peak / 2**20


def _batch_queries(organization: Organization, projects: list[Project]) -> dict[str, int]:
    """One batch's queries: reads, and the writes (one per kind of change, plus the transaction's own)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from finance.variance import variance_run_batch

    with _relay_counted(), CaptureQueriesContext(connection) as captured:
        variance_run_batch(organization=organization, project_ids=[project.pk for project in projects], as_of=AS_OF)
    reads = sum(1 for query in captured.captured_queries if query["sql"].lstrip().upper().startswith("SELECT"))
    return {"reads": reads, "writes": len(captured.captured_queries) - reads}


def _measure(options: argparse.Namespace) -> dict[str, Any]:
    from pmo.models import Organization
    from projects.models import Project

    rss_start = _rss_mb()
    organization = Organization.objects.get(slug=SLUG)
    first = _timed_run(organization, options.batch_size)
    rss_first = _rss_mb()
    second = _timed_run(organization, options.batch_size)
    rss_second = _rss_mb()
    traced_first = _traced_peak_mb(organization, options.batch_size, first=True)
    traced_second = _traced_peak_mb(organization, options.batch_size, first=False)

    sizes = Organization.objects.get(slug=SIZES_SLUG)
    projects = list(Project.objects.for_organization(sizes).open().order_by("code"))
    size_queries = []
    for group, tasks in enumerate(SIZES):
        batch = [
            project
            for project in projects
            if 1 + group * SIZES_PROJECTS <= int(project.code.removeprefix("P-")) <= (group + 1) * SIZES_PROJECTS
        ]
        size_queries.append(
            {
                "tasks": tasks,
                "projects": len(batch),
                "first": _batch_queries(sizes, batch),
                "second": _batch_queries(sizes, batch),
            }
        )
    return {
        "runs": [first.__dict__, second.__dict__],
        "rss": [rss_start, rss_first, rss_second],
        "traced": [traced_first, traced_second],
        "sizes": size_queries,
    }


# --- output -----------------------------------------------------------------------------


def _number(value: float) -> str:
    return f"{value:,.0f}"


def _print_table(
    options: argparse.Namespace, vendor: str, counts: SeedCounts, seed_seconds: float, measured: dict[str, Any]
) -> None:
    first, second = (RunFigures(**run) for run in measured["runs"])
    rss_start, rss_first, rss_second = measured["rss"]
    traced_first, traced_second = measured["traced"]
    tasks = options.projects * options.tasks_per_project
    print()
    print(
        f"variance run on {vendor}: {options.projects:,} projects x {options.tasks_per_project:,} tasks "
        f"= {tasks:,} tasks, batches of {options.batch_size}, seed {options.seed}, as of {AS_OF}"
    )
    print()
    print(f"seeding: {seed_seconds:.1f} s")
    print("  " + ", ".join(f"{name} {_number(count)}" for name, count in counts.rows.items()))
    print()
    rows: list[tuple[str, str, str]] = [
        ("wall time", f"{first.seconds:.2f} s", f"{second.seconds:.2f} s"),
        ("  of which executing SQL", f"{first.sql_seconds:.2f} s", f"{second.sql_seconds:.2f} s"),
        ("CPU time of the process", f"{first.cpu_seconds:.2f} s", f"{second.cpu_seconds:.2f} s"),
        ("queries, whole run", _number(first.queries), _number(second.queries)),
        ("batches", _number(len(first.batch_queries)), _number(len(second.batch_queries))),
        (
            "queries per batch (min-max)",
            f"{min(first.batch_queries, default=0)}-{max(first.batch_queries, default=0)}",
            f"{min(second.batch_queries, default=0)}-{max(second.batch_queries, default=0)}",
        ),
        (
            "seconds per batch (median, max)",
            f"{statistics.median(first.batch_seconds or [0]):.2f}, {max(first.batch_seconds, default=0):.2f}",
            f"{statistics.median(second.batch_seconds or [0]):.2f}, {max(second.batch_seconds, default=0):.2f}",
        ),
        ("peak memory, tracemalloc", f"{traced_first:.0f} MB", f"{traced_second:.0f} MB"),
        (
            "RSS before -> after",
            f"{rss_start[0]:.0f} -> {rss_first[0]:.0f} MB",
            f"{rss_first[0]:.0f} -> {rss_second[0]:.0f} MB",
        ),
        (
            "max RSS (ru_maxrss) before -> after",
            f"{rss_start[1]:.0f} -> {rss_first[1]:.0f} MB",
            f"{rss_first[1]:.0f} -> {rss_second[1]:.0f} MB",
        ),
    ]
    for name in ("projects", "snapshots", "opened", "updated", "escalated", "resolved", "notifications", "messages"):
        label = {"projects": "open projects", "snapshots": "snapshots (projects with a baseline)"}.get(
            name, name if name in ("notifications", "messages") else f"alerts {name}"
        )
        rows.append((label, _number(first.report[name]), _number(second.report[name])))
    rows.append(("outbox relays queued (not run)", _number(first.relays_queued), _number(second.relays_queued)))
    width = max(len(label) for label, _first, _second in rows)
    print(f"{'':<{width}}  {'first run':>18}  {'same day again':>18}")
    for label, first_value, second_value in rows:
        print(f"{label:<{width}}  {first_value:>18}  {second_value:>18}")
    print()
    print("queries of one batch, reads + writes (the writes: one per kind of change, and the transaction's own)")
    for size in measured["sizes"]:
        first_batch, second_batch = size["first"], size["second"]
        print(
            f"  {size['projects']} projects x {size['tasks']:>3} tasks:"
            f"  first run {first_batch['reads']} + {first_batch['writes']},"
            f"  same day again {second_batch['reads']} + {second_batch['writes']}"
        )


def main(argv: list[str] | None = None) -> None:
    options = _options(argv)
    database_url = _bootstrap(options.database_url)
    if options.measure:
        print(RESULT_PREFIX + json.dumps(_measure(options)))
        return

    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    counts, seed_seconds = _seed(options)
    print(f"seeded in {seed_seconds:.1f} s; measuring in a fresh process", file=sys.stderr)
    connection.close()
    child = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.variance_bench",
            "--measure",
            f"--projects={options.projects}",
            f"--tasks-per-project={options.tasks_per_project}",
            f"--batch-size={options.batch_size}",
            f"--seed={options.seed}",
            f"--database-url={database_url}",
        ],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    line = next(line for line in child.stdout.splitlines() if line.startswith(RESULT_PREFIX))
    measured = json.loads(line.removeprefix(RESULT_PREFIX))
    _print_table(options, connection.vendor, counts, seed_seconds, measured)


if __name__ == "__main__":
    main()
