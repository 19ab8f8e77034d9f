"""Seed an organisation of its own with deterministic synthetic projects, for the benchmarks.

``manage.py seed_bench --projects 20 --tasks-per-project 50 [--seed 42]`` makes (or makes again)
the organisation ``bench-20x50``: members in every role, portfolios, projects each with a manager,
a WBS of packages (summaries) over tasks and milestones chained finish-to-start, a schedule by the
critical-path method, a current baseline, progress with its history, actual costs, an approved
budget by cost category, weekly status reports, a few change requests and budget versions waiting
for a decision, risk registers (``_bench_risks``: 20 risks a project with their history, responses
and issues, and ten of the organisation's), quality records (``_bench_quality``: an inspection plan,
50 inspections of 20 readings a project, their non-conformances, a survey in closing), a resource pool
(``_bench_resources``: up to 500 people, equipment and materials with skills, rates and leave, and 50
assignments a project), operations and maintenance (``_bench_maintenance``: 50 assets a project over
sites of ten projects, weekly inspection rounds with their readings, defects and work orders in every
state), and the alerts of a variance run.
``--big-project-tasks 2000`` adds one project of that many tasks (the earned-value benchmark reads it).

The same seed and status date give the same data. Each project draws a profile (on track, slipping,
troubled, ahead) that sets its pace against the baseline, what it spends for the value it earns,
its approved budget against its baseline budget and how often an unfinished task grows longer;
the work is then played out leaf after leaf along the chains up to the status date, so lateness
carries down the chains as it would on site, and the variance run finds a spread of SPI, CPI,
slipped tasks and overdue milestones.

Rows are written with bulk inserts, around the services, for speed: audit events are not written,
and the WBS codes, the schedule (``projects.scheduling.compute_schedule`` over the same calendar)
and the roll-up of summaries are what ``schedule_recompute`` would make. Seeding an
organisation again first deletes every row of the old one; only organisations whose slug starts
with ``bench-`` are ever deleted.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone, translation

from dashboard.management.commands import _bench_maintenance, _bench_quality, _bench_resources, _bench_risks
from finance.models import ActualCost, BudgetLine, BudgetVersion, CostCategory
from finance.services.categories import cost_categories_ensure_defaults
from finance.variance import variance_run
from pmo import services
from pmo.alerts.services import alert_rules_ensure
from pmo.models import Membership, Organization, OrgRole, User
from pmo.tenancy import TenantModel
from pmo.workdays import WorkCalendar
from projects.models import (
    Baseline,
    BaselineTask,
    ChangeRequest,
    Dependency,
    PercentCompleteMethod,
    Phase,
    Portfolio,
    Priority,
    ProgressUpdate,
    Project,
    ProjectMember,
    ProjectRole,
    Rag,
    StatusReport,
    WbsElement,
    wbs_sort_key,
)
from projects.scheduling import DependencyInput, ScheduleResult, TaskInput, compute_schedule
from projects.selectors import project_work_calendar
from projects.services.schedule import schedule_data_date

SLUG_PREFIX = "bench-"
BENCH_PASSWORD = "pmo-bench-2026"  # noqa: S105  (printed with the logins; synthetic data only)
TIME_ZONE = "Asia/Shanghai"
TASKS_PER_PACKAGE = 25
# Packages run in this many chains one after the other, so a project lasts about as long at any size.
PACKAGES_IN_A_ROW = 4
PROJECTS_PER_ROUND = 25
INSERT_BATCH = 5000
CENT = Decimal("0.01")
HUNDRED = Decimal(100)

# (username suffix, role); the project managers take the projects in turn.
MEMBERS: list[tuple[str, str]] = [
    ("admin", OrgRole.ADMIN),
    ("pmo", OrgRole.PMO),
    ("pm1", OrgRole.PROJECT_MANAGER),
    ("pm2", OrgRole.PROJECT_MANAGER),
    ("pm3", OrgRole.PROJECT_MANAGER),
    ("finance", OrgRole.FINANCE),
    ("quality", OrgRole.QUALITY),
    ("risk", OrgRole.RISK),
    ("maintenance", OrgRole.MAINTENANCE),
    ("member", OrgRole.MEMBER),
    ("viewer", OrgRole.VIEWER),
]
PORTFOLIOS = ["Infrastructure", "Buildings", "Energy", "Water"]


@dataclass(frozen=True)
class Profile:
    """How a project goes: its pace against the baseline, its spend for the value earned, its budget."""

    weight: int
    pace: tuple[float, float]
    spend: tuple[float, float]
    budget: tuple[float, float]  # the approved budget against the baseline budget
    slip_share: float  # unfinished tasks whose remaining duration grows


PROFILES = [
    Profile(weight=50, pace=(0.95, 1.05), spend=(0.9, 1.05), budget=(1.0, 1.15), slip_share=0.0),  # on track
    Profile(weight=25, pace=(0.85, 0.95), spend=(1.0, 1.15), budget=(0.95, 1.1), slip_share=0.03),  # slipping
    Profile(weight=10, pace=(0.7, 0.85), spend=(1.1, 1.3), budget=(0.9, 1.05), slip_share=0.08),  # troubled
    Profile(weight=15, pace=(1.0, 1.1), spend=(0.85, 1.0), budget=(1.0, 1.2), slip_share=0.0),  # ahead
]
METHODS = [PercentCompleteMethod.PHYSICAL, PercentCompleteMethod.ZERO_HUNDRED, PercentCompleteMethod.FIFTY_FIFTY]


@dataclass
class _Built:
    """One project's rows before insertion, linked by object (the inserts fill the ids in)."""

    project: Project
    members: list[ProjectMember] = field(default_factory=list)
    summaries: list[WbsElement] = field(default_factory=list)
    leaves: list[WbsElement] = field(default_factory=list)
    dependencies: list[Dependency] = field(default_factory=list)
    baseline: Baseline | None = None
    baseline_tasks: list[BaselineTask] = field(default_factory=list)
    updates: list[ProgressUpdate] = field(default_factory=list)
    costs: list[ActualCost] = field(default_factory=list)
    versions: list[BudgetVersion] = field(default_factory=list)
    lines: list[BudgetLine] = field(default_factory=list)
    change_requests: list[ChangeRequest] = field(default_factory=list)
    reports: list[StatusReport] = field(default_factory=list)
    risks: _bench_risks.Register = field(default_factory=_bench_risks.Register)
    quality: _bench_quality.Records = field(default_factory=_bench_quality.Records)
    # Share of each leaf's work done by the status date, by position among the leaves.
    done: list[float] = field(default_factory=list)


def drop_bench_organization(organization: Organization) -> None:
    """Delete a bench organisation and every row it owns, table by table (foreign keys checked at commit)."""
    if not organization.slug.startswith(SLUG_PREFIX):
        raise CommandError(f"Only bench organisations (slug {SLUG_PREFIX}...) are deleted, not {organization.slug!r}.")
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        for model in apps.get_models():
            if issubclass(model, TenantModel):
                # The rows of a many-to-many field's own table (no organisation column) go with their owners.
                for many in model._meta.local_many_to_many:
                    through = many.remote_field.through._meta  # type: ignore[union-attr]
                    if through.auto_created:
                        cursor.execute(
                            f"DELETE FROM {quote(through.db_table)} WHERE {quote(many.m2m_column_name())} IN "  # noqa: S608
                            f"(SELECT id FROM {quote(model._meta.db_table)} WHERE organization_id = %s)",
                            [organization.pk],
                        )
                # Raw deletes: audit events refuse the ORM's delete, and the collector would load every row.
                cursor.execute(
                    f"DELETE FROM {quote(model._meta.db_table)} WHERE organization_id = %s",  # noqa: S608
                    [organization.pk],
                )
        cursor.execute(f"DELETE FROM {quote(Organization._meta.db_table)} WHERE id = %s", [organization.pk])  # noqa: S608


class _Seeder:
    def __init__(
        self,
        *,
        organization: Organization,
        users: dict[str, User],
        rng: random.Random,
        status_date: dt.date,
        calendar: WorkCalendar,
        seed: int = 0,
    ) -> None:
        self.organization = organization
        self.users = users
        self.rng = rng
        self.status_date = status_date
        self.calendar = calendar
        self.managers = [users["pm1"], users["pm2"], users["pm3"]]
        self.portfolios = Portfolio.objects.bulk_create(
            [Portfolio(organization=organization, name=name, owner=users["pmo"]) for name in PORTFOLIOS]
        )
        cost_categories_ensure_defaults(organization)
        self.categories = list(CostCategory.objects.for_organization(organization).order_by("order", "pk"))
        self.counts: dict[str, int] = {}
        self.risks = _bench_risks.RiskSeeder(organization=organization, users=users, status_date=status_date, seed=seed)
        self.quality = _bench_quality.QualitySeeder(
            organization=organization, users=users, status_date=status_date, seed=seed
        )

    def moment(self, day: dt.date, hour: int = 10) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour), tzinfo=zoneinfo.ZoneInfo(TIME_ZONE))

    def seed(self, projects: int, tasks_per_project: int, big_project_tasks: int) -> None:
        specs = [
            (f"B-{number:04d}", f"Bench project {number:04d}", tasks_per_project) for number in range(1, projects + 1)
        ]
        rounds = [specs[start : start + PROJECTS_PER_ROUND] for start in range(0, len(specs), PROJECTS_PER_ROUND)]
        if big_project_tasks:
            rounds.append([("B-BIG", f"Bench programme of {big_project_tasks} tasks", big_project_tasks)])
        index = 0
        for specs_of_round in rounds:
            built = []
            for code, name, tasks in specs_of_round:
                built.append(self.project(index, code, name, tasks))
                index += 1
            self.insert(built)

    def project(self, index: int, code: str, name: str, tasks: int) -> _Built:
        rng, organization = self.rng, self.organization
        planned_start = self.status_date - dt.timedelta(days=rng.randint(20, 520))
        profile = rng.choices(PROFILES, weights=[profile.weight for profile in PROFILES])[0]
        pace, spend, budget_factor = (rng.uniform(*bounds) for bounds in (profile.pace, profile.spend, profile.budget))
        manager = self.managers[index % len(self.managers)]
        project = Project(
            organization=organization,
            code=code,
            name=name,
            portfolio=rng.choice(self.portfolios),
            manager=manager,
            sponsor=self.users["pmo"],
            client=f"Client {rng.randint(1, 30)}",
            priority=rng.choice(list(Priority)),
            currency=organization.default_currency,
            planned_start=planned_start,
            phase=rng.choices([Phase.EXECUTION, Phase.PLANNING, Phase.CLOSING], weights=[85, 10, 5])[0],
            created_at=self.moment(planned_start - dt.timedelta(days=30)),
        )
        built = _Built(project=project)
        built.members.append(
            ProjectMember(organization=organization, project=project, user=manager, role=ProjectRole.MANAGER)
        )
        if rng.random() < 0.5:
            built.members.append(
                ProjectMember(
                    organization=organization, project=project, user=self.users["member"], role=ProjectRole.COORDINATOR
                )
            )
        self.plan(built, tasks)
        baseline_result = self.baseline(built, planned_start)
        self.progress(built, pace, profile.slip_share)
        current = compute_schedule(
            [
                TaskInput(
                    i, leaf.duration, leaf.actual_start, leaf.actual_finish, percent_complete=leaf.percent_complete
                )
                for i, leaf in enumerate(built.leaves)
            ],
            self.links(built),
            self.calendar,
            planned_start,
            data_date=schedule_data_date(project),
        )
        for i, leaf in enumerate(built.leaves):
            row = current.tasks[i]
            leaf.planned_start, leaf.planned_finish = row.early_start, row.early_finish
            leaf.late_start, leaf.late_finish = row.late_start, row.late_finish
            leaf.total_float, leaf.free_float, leaf.is_critical = row.total_float, row.free_float, row.is_critical
        for number, summary in enumerate(built.summaries):
            self.roll_up(summary, built.leaves[number * TASKS_PER_PACKAGE : (number + 1) * TASKS_PER_PACKAGE])
        project.planned_finish = baseline_result.project_finish
        project.scheduled_start = min(leaf.planned_start for leaf in built.leaves if leaf.planned_start)
        project.scheduled_finish = max(leaf.planned_finish for leaf in built.leaves if leaf.planned_finish)
        self.costs(built, spend)
        self.budget(built, budget_factor)
        self.control(built)
        baseline_cost = sum((leaf.budgeted_cost for leaf in built.leaves), Decimal(0))
        built.risks = self.risks.register(project, built.leaves, baseline_cost)
        built.quality = self.quality.records(project, built.leaves)
        return built

    def roll_up(self, summary: WbsElement, leaves: list[WbsElement]) -> None:
        """A package's dates, cost and progress from its leaves, as ``schedule_recompute`` rolls them up."""
        cost = sum((leaf.budgeted_cost for leaf in leaves), Decimal(0))
        weights = [leaf.budgeted_cost if cost > 0 else Decimal(leaf.duration) for leaf in leaves]
        total_weight = sum(weights, Decimal(0))
        earned = sum((w * leaf.percent_complete for w, leaf in zip(weights, leaves, strict=True)), Decimal(0))
        summary.budgeted_cost = cost
        summary.percent_complete = (earned / total_weight if total_weight > 0 else Decimal(0)).quantize(CENT)
        summary.planned_start = min(leaf.planned_start for leaf in leaves if leaf.planned_start)
        summary.planned_finish = max(leaf.planned_finish for leaf in leaves if leaf.planned_finish)
        summary.late_start = min(leaf.late_start for leaf in leaves if leaf.late_start)
        summary.late_finish = max(leaf.late_finish for leaf in leaves if leaf.late_finish)
        summary.total_float = min(leaf.total_float for leaf in leaves if leaf.total_float is not None)
        summary.is_critical = any(leaf.is_critical for leaf in leaves)

    def plan(self, built: _Built, tasks: int) -> None:
        """Packages of up to 25 leaves chained finish-to-start; the packages in chains of four."""
        rng, organization, project = self.rng, self.organization, built.project
        packages = math.ceil(tasks / TASKS_PER_PACKAGE)
        for number in range(1, packages + 1):
            built.summaries.append(
                WbsElement(
                    organization=organization,
                    project=project,
                    position=number,
                    code=str(number),
                    sort_key=wbs_sort_key(str(number)),
                    name=f"Package {number}",
                    kind=WbsElement.Kind.SUMMARY,
                    duration=0,
                )
            )
        for i in range(tasks):
            package, position = divmod(i, TASKS_PER_PACKAGE)
            position += 1
            code = f"{package + 1}.{position}"
            is_milestone = position % 10 == 0
            built.leaves.append(
                WbsElement(
                    organization=organization,
                    project=project,
                    parent=built.summaries[package],
                    position=position,
                    code=code,
                    sort_key=wbs_sort_key(code),
                    name=f"{'Milestone' if is_milestone else 'Task'} {code}",
                    kind=WbsElement.Kind.MILESTONE if is_milestone else WbsElement.Kind.TASK,
                    duration=0 if is_milestone else rng.randint(1, 8),
                    budgeted_cost=Decimal(0) if is_milestone else Decimal(rng.randint(20, 600) * 100),
                    percent_complete_method=rng.choices(METHODS, weights=[70, 15, 15])[0],
                )
            )
        in_a_row = max(1, packages // PACKAGES_IN_A_ROW)
        for i, leaf in enumerate(built.leaves):
            package, position = divmod(i, TASKS_PER_PACKAGE)
            predecessor = None
            if position > 0:
                predecessor = built.leaves[i - 1]
            elif package >= in_a_row:
                predecessor = built.leaves[(package - in_a_row) * TASKS_PER_PACKAGE + TASKS_PER_PACKAGE - 1]
            if predecessor is not None:
                built.dependencies.append(
                    Dependency(organization=organization, project=project, predecessor=predecessor, successor=leaf)
                )

    def links(self, built: _Built) -> list[DependencyInput]:
        position = {id(leaf): i for i, leaf in enumerate(built.leaves)}
        return [DependencyInput(position[id(d.predecessor)], position[id(d.successor)]) for d in built.dependencies]

    def baseline(self, built: _Built, planned_start: dt.date) -> ScheduleResult:
        result = compute_schedule(
            [TaskInput(i, leaf.duration) for i, leaf in enumerate(built.leaves)],
            self.links(built),
            self.calendar,
            planned_start,
        )
        built.baseline = Baseline(
            organization=self.organization,
            project=built.project,
            name="Baseline 1",
            is_current=True,
            created_by=built.project.manager,
            created_at=self.moment(planned_start - dt.timedelta(days=7)),
        )
        for i, leaf in enumerate(built.leaves):
            row = result.tasks[i]
            built.baseline_tasks.append(
                BaselineTask(
                    organization=self.organization,
                    baseline=built.baseline,
                    task=leaf,
                    code=leaf.code,
                    sort_key=leaf.sort_key,
                    name=leaf.name,
                    is_milestone=leaf.kind == WbsElement.Kind.MILESTONE,
                    start=row.early_start,
                    finish=row.early_finish,
                    duration=leaf.duration,
                    budgeted_cost=leaf.budgeted_cost,
                )
            )
        return result

    def progress(self, built: _Built, pace: float, slip_share: float) -> None:
        """Work done by the status date, leaf after leaf along the chains, with the reports of it.

        A leaf starts the working day after its predecessor finished (on its baseline start when it
        has none) and takes its duration divided by the project's pace, give or take 5 %.
        """
        rng, calendar, today = self.rng, self.calendar, self.status_date
        predecessors = {id(link.successor): link.predecessor for link in built.dependencies}
        for leaf, frozen in zip(built.leaves, built.baseline_tasks, strict=True):
            predecessor = predecessors.get(id(leaf))
            start: dt.date | None = frozen.start
            if predecessor is not None:
                finished = predecessor.actual_finish
                start = None if finished is None else calendar.add_working_days(finished, 1)
            done = 0.0
            if start is not None and start <= today:
                leaf.actual_start = start
                if leaf.kind == WbsElement.Kind.MILESTONE:
                    leaf.actual_finish, leaf.percent_complete = start, HUNDRED
                else:
                    needed = max(1, round(leaf.duration / (pace * rng.uniform(0.95, 1.05))))
                    done = min(1.0, calendar.working_days_between(start, today) / needed)
                    if done >= 1:
                        leaf.actual_finish = calendar.add_working_days(start, needed - 1)
                        leaf.percent_complete = HUNDRED
                    elif leaf.percent_complete_method == PercentCompleteMethod.PHYSICAL:
                        leaf.percent_complete = Decimal(min(99, max(1, int(done * 100))))
                    elif leaf.percent_complete_method == PercentCompleteMethod.FIFTY_FIFTY:
                        leaf.percent_complete = Decimal(50)
            built.done.append(done)
            if leaf.actual_finish is None and leaf.kind == WbsElement.Kind.TASK and rng.random() < slip_share:
                leaf.duration += rng.randint(1, 6)
            if leaf.actual_start is not None:
                self.reports_of(built, leaf, leaf.actual_start)

    def reports_of(self, built: _Built, leaf: WbsElement, start: dt.date) -> None:
        rng = self.rng
        end = leaf.actual_finish or self.status_date
        final = leaf.percent_complete
        steps: list[tuple[dt.date, Decimal, dt.date | None]] = []
        if leaf.kind == WbsElement.Kind.MILESTONE:
            steps.append((end, HUNDRED, end))
        elif leaf.percent_complete_method == PercentCompleteMethod.PHYSICAL:
            count = rng.randint(1, 3)
            span = (end - start).days
            days = sorted(rng.randint(0, span) for _ in range(count - 1))
            partial_top = int(final) if final < HUNDRED else 99
            partials = sorted(rng.randint(1, max(1, partial_top)) for _ in range(count - 1))
            steps.extend(
                (start + dt.timedelta(days=day), Decimal(p), None) for day, p in zip(days, partials, strict=True)
            )
            steps.append((end, final, leaf.actual_finish))
        else:
            started = Decimal(50) if leaf.percent_complete_method == PercentCompleteMethod.FIFTY_FIFTY else Decimal(0)
            steps.append((start, started, None))
            if leaf.actual_finish is not None:
                steps.append((end, HUNDRED, end))
        previous_percent, previous_start, previous_finish = Decimal(0), None, None
        for effective, percent, actual_finish in steps:
            built.updates.append(
                ProgressUpdate(
                    organization=self.organization,
                    project=built.project,
                    task=leaf,
                    effective_date=effective,
                    percent_complete=percent,
                    previous_percent_complete=previous_percent,
                    actual_start=start,
                    previous_actual_start=previous_start,
                    actual_finish=actual_finish,
                    previous_actual_finish=previous_finish,
                    updated_by=built.project.manager,
                    created_at=self.moment(effective, 17),
                )
            )
            previous_percent, previous_start, previous_finish = percent, start, actual_finish

    def costs(self, built: _Built, spend: float) -> None:
        rng, project = self.rng, built.project
        finance = self.users["finance"]
        for number, (leaf, done) in enumerate(zip(built.leaves, built.done, strict=True), start=1):
            start = leaf.actual_start
            if start is None or not done:
                continue
            total = leaf.budgeted_cost * Decimal(str(round(done * spend * rng.uniform(0.9, 1.1), 4)))
            parts = 2 if rng.random() < 0.3 else 1
            end = leaf.actual_finish or self.status_date
            for part in range(parts):
                built.costs.append(
                    ActualCost(
                        organization=self.organization,
                        project=project,
                        date=start + dt.timedelta(days=rng.randint(0, (end - start).days)),
                        amount=(total / parts).quantize(CENT),
                        category=rng.choice(self.categories),
                        wbs_element=leaf,
                        supplier=f"Supplier {rng.randint(1, 40)}",
                        reference=f"INV-{project.code}-{number}-{part + 1}",
                        created_by=finance,
                    )
                )
        built.costs.append(
            ActualCost(
                organization=self.organization,
                project=project,
                date=project.planned_start,
                amount=Decimal(rng.randint(10, 200) * 100),
                category=self.categories[-1],
                reference=f"MGT-{project.code}",
                created_by=finance,
            )
        )

    def budget(self, built: _Built, budget_factor: float) -> None:
        rng, organization, project = self.rng, self.organization, built.project
        finance, manager = self.users["finance"], project.manager
        baseline_budget = sum((leaf.budgeted_cost for leaf in built.leaves), Decimal(0))
        total = (baseline_budget * Decimal(str(round(budget_factor, 4)))).quantize(CENT)
        approved = BudgetVersion(
            organization=organization,
            project=project,
            number=1,
            status=BudgetVersion.Status.APPROVED,
            is_current=True,
            created_by=manager,
            created_at=self.moment(project.planned_start - dt.timedelta(days=20)),
            submitted_by=manager,
            submitted_at=self.moment(project.planned_start - dt.timedelta(days=15)),
            decided_by=finance,
            decided_at=self.moment(project.planned_start - dt.timedelta(days=10)),
        )
        built.versions.append(approved)
        weights = [rng.randint(1, 10) for _ in self.categories]
        shares = [(total * weight / sum(weights)).quantize(CENT) for weight in weights]
        shares[-1] = total - sum(shares[:-1], Decimal(0))
        built.lines.extend(
            BudgetLine(organization=organization, version=approved, category=category, amount=share)
            for category, share in zip(self.categories, shares, strict=True)
        )
        if rng.random() < 0.05:
            waiting = BudgetVersion(
                organization=organization,
                project=project,
                number=2,
                status=BudgetVersion.Status.SUBMITTED,
                is_current=False,
                created_by=manager,
                submitted_by=manager,
                submitted_at=self.moment(self.status_date - dt.timedelta(days=rng.randint(1, 20))),
                note="Rising material prices.",
            )
            built.versions.append(waiting)
            built.lines.append(
                BudgetLine(
                    organization=organization,
                    version=waiting,
                    category=self.categories[1],
                    amount=(total * Decimal("1.05")).quantize(CENT),
                )
            )

    def control(self, built: _Built) -> None:
        """Two weekly status reports, and now and then a change request waiting for a decision."""
        rng, organization, project = self.rng, self.organization, built.project
        last_friday = self.status_date - dt.timedelta(days=(self.status_date.weekday() - 4) % 7)
        for weeks_ago, status in ((1, StatusReport.Status.REVIEWED), (0, StatusReport.Status.SUBMITTED)):
            period_end = last_friday - dt.timedelta(weeks=weeks_ago)
            rags = {
                name: rng.choices([Rag.GREEN, Rag.AMBER, Rag.RED], weights=[70, 20, 10])[0]
                for name in ("rag_schedule", "rag_cost", "rag_scope", "rag_quality", "rag_risk")
            }
            overall = Rag.RED if Rag.RED in rags.values() else Rag.AMBER if Rag.AMBER in rags.values() else Rag.GREEN
            built.reports.append(
                StatusReport(
                    organization=organization,
                    project=project,
                    period_end=period_end,
                    status=status,
                    rag_overall=overall,
                    accomplishments="Work continued as planned.",
                    next_steps="Carry on with the next packages.",
                    author=project.manager,
                    created_at=self.moment(period_end, 16),
                    submitted_at=self.moment(period_end, 17),
                    reviewed_by=self.users["pmo"] if status == StatusReport.Status.REVIEWED else None,
                    reviewed_at=self.moment(period_end + dt.timedelta(days=3)) if weeks_ago else None,
                    **rags,
                )
            )
        if rng.random() < 0.05:
            days = rng.randint(1, 30)
            built.change_requests.append(
                ChangeRequest(
                    organization=organization,
                    project=project,
                    number=1,
                    title="Extend the second package",
                    kind=ChangeRequest.Kind.SCHEDULE,
                    description="More work found on site.",
                    reason="Ground conditions.",
                    impact_days=rng.randint(1, 20),
                    impact_cost=Decimal(rng.randint(1, 50) * 1000),
                    status=ChangeRequest.Status.SUBMITTED,
                    requested_by=project.manager,
                    created_at=self.moment(self.status_date - dt.timedelta(days=days + 1)),
                    submitted_at=self.moment(self.status_date - dt.timedelta(days=days)),
                )
            )

    def create(self, model: type[Any], rows: list[Any]) -> None:
        model.objects.bulk_create(rows, batch_size=INSERT_BATCH)
        self.counts[model.__name__] = self.counts.get(model.__name__, 0) + len(rows)

    def insert(self, built: list[_Built]) -> None:
        """One round of projects, parents before children."""
        create = self.create

        def gather(attribute: str) -> list[Any]:
            return [row for one in built for row in getattr(one, attribute)]

        create(Project, [one.project for one in built])
        create(ProjectMember, gather("members"))
        create(WbsElement, gather("summaries"))
        create(WbsElement, gather("leaves"))
        create(Dependency, gather("dependencies"))
        create(Baseline, [one.baseline for one in built if one.baseline is not None])
        create(BaselineTask, gather("baseline_tasks"))
        create(ProgressUpdate, gather("updates"))
        create(ActualCost, gather("costs"))
        create(BudgetVersion, gather("versions"))
        create(BudgetLine, gather("lines"))
        create(ChangeRequest, gather("change_requests"))
        create(StatusReport, gather("reports"))
        _bench_risks.insert([one.risks for one in built], create)
        _bench_quality.insert([one.quality for one in built], create, self.counts)


class Command(BaseCommand):
    help = (
        "Create (again) a bench organisation of synthetic projects with bulk inserts; the same seed "
        "gives the same data. Prints the logins."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--projects", type=int, required=True, help="Number of projects.")
        parser.add_argument("--tasks-per-project", type=int, required=True, help="Tasks and milestones per project.")
        parser.add_argument("--seed", type=int, default=42, help="Seed of the random numbers (default 42).")
        parser.add_argument("--org", help=f"Slug of the organisation (default {SLUG_PREFIX}<projects>x<tasks>).")
        parser.add_argument(
            "--big-project-tasks", type=int, default=0, help="Add one project of this many tasks (default none)."
        )
        parser.add_argument("--status-date", help=f"YYYY-MM-DD the progress runs to (default today in {TIME_ZONE}).")
        parser.add_argument("--no-variance", action="store_true", help="Skip the variance run (no alerts).")

    def handle(self, *args: Any, **options: Any) -> None:
        projects, tasks, big = options["projects"], options["tasks_per_project"], options["big_project_tasks"]
        if projects < 1 or tasks < 1 or big < 0:
            raise CommandError("--projects and --tasks-per-project must be at least 1, --big-project-tasks at least 0.")
        slug = options["org"] or f"{SLUG_PREFIX}{projects}x{tasks}"
        if not slug.startswith(SLUG_PREFIX):
            raise CommandError(f"The slug of a bench organisation starts with {SLUG_PREFIX!r}; {slug!r} does not.")
        status_date = self._status_date(options["status_date"])
        started = time.monotonic()
        with transaction.atomic():
            previous = Organization.objects.filter(slug=slug).first()
            if previous is not None:
                drop_bench_organization(previous)
            organization, users = self._organization(slug, projects, tasks)
            seeder = _Seeder(
                organization=organization,
                users=users,
                rng=random.Random(options["seed"]),  # noqa: S311  (synthetic data, not secrets)
                status_date=status_date,
                calendar=project_work_calendar(Project(organization=organization, planned_start=status_date)),
                seed=options["seed"],
            )
            seeder.seed(projects, tasks, big)
            _bench_resources.seed(
                organization=organization,
                users=users,
                status_date=status_date,
                seed=options["seed"],
                projects=projects,
                create=seeder.create,
            )
            _bench_risks.insert([seeder.risks.register(None, [], Decimal(1_000_000))], seeder.create)
            _bench_maintenance.seed(
                organization=organization,
                users=users,
                status_date=status_date,
                seed=options["seed"],
                create=seeder.create,
                counts=seeder.counts,
            )
            alert_rules_ensure(organization)
        seeded = time.monotonic() - started
        self._analyze()
        counts = ", ".join(f"{count:,} {name}" for name, count in seeder.counts.items())
        self.stdout.write(f"{slug}: seeded in {seeded:.1f} s as of {status_date}: {counts}.")
        if not options["no_variance"]:
            started = time.monotonic()
            report = variance_run(organization=organization, as_of=status_date)
            self.stdout.write(
                f"Variance run in {time.monotonic() - started:.1f} s: {report.snapshots} snapshots, "
                f"{report.alerts.opened} alerts opened, {report.alerts.notifications} notifications."
            )
        self.stdout.write(
            self.style.SUCCESS(f"Bench organisation: /o/{slug}/  password of every login: {BENCH_PASSWORD}")
        )
        with translation.override("en"):
            for suffix, role in MEMBERS:
                self.stdout.write(f"  {slug}-{suffix:<11} {OrgRole(role).label}")

    def _status_date(self, value: str | None) -> dt.date:
        if not value:
            return timezone.now().astimezone(zoneinfo.ZoneInfo(TIME_ZONE)).date()
        try:
            return dt.date.fromisoformat(value)
        except ValueError as error:
            raise CommandError(f"--status-date must be a date YYYY-MM-DD, not {value!r}.") from error

    def _organization(self, slug: str, projects: int, tasks: int) -> tuple[Organization, dict[str, User]]:
        password = make_password(BENCH_PASSWORD)
        users: dict[str, User] = {}
        for suffix, _role in MEMBERS:
            username = f"{slug}-{suffix}"
            user = User.objects.filter(username=username).first() or User(username=username)
            user.display_name = f"Bench {suffix}"
            user.language = User.Language.ENGLISH
            # No e-mail: the variance run fills the inbox and queues nothing to send.
            user.alert_email = User.AlertEmail.OFF
            user.password = password
            user.is_active = True
            user.save()
            users[suffix] = user
        organization = services.organization_create(
            actor=users["admin"],
            name=f"Bench {projects} x {tasks}",
            slug=slug,
            default_currency="CNY",
            time_zone=TIME_ZONE,
            admin=users["admin"],
        )
        Membership.objects.bulk_create(
            [
                Membership(organization=organization, user=users[suffix], role=role)
                for suffix, role in MEMBERS
                if role != OrgRole.ADMIN
            ]
        )
        return organization, users

    def _analyze(self) -> None:
        """Fresh planner statistics: right after a bulk load they would wait for autovacuum."""
        if connection.vendor != "postgresql":
            return
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            for model in apps.get_models():
                if issubclass(model, TenantModel):
                    cursor.execute(f"ANALYZE {quote(model._meta.db_table)}")
