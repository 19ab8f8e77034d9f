"""The variance run: earned value of every open project as of a date, snapshots, and alerts.

A run fans out per organisation and in batches of projects. A batch is one transaction: it
locks its projects (so two evaluations of one project go one after the other), computes their
earned value set-based (the same number of queries for 10 or 10,000 tasks), upserts one
snapshot per project and date, evaluates every alert rule on the batch's projects and writes
the alerts with their notifications and outgoing messages. A batch that dies is rolled back
whole and runs again from the start; running it twice gives the same result as once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

from django.db import transaction
from django.db.models import DecimalField, F, Q, Sum
from django.utils import timezone

from finance.earned_value import ProjectEvm, project_calendars, projects_evm
from finance.models import BudgetLine, BudgetVersion, EvmSnapshot
from pmo.alerts.services import (
    Finding,
    SyncResult,
    alert_rules_ensure,
    alerts_resolve_closed_projects,
    alerts_sync,
    recipients_load,
    relay_soon,
)
from pmo.models import AlertKind, Organization, SubjectType
from pmo.workdays import WorkCalendar
from projects.models import BaselineTask, ChangeRequest, Project
from projects.selectors.plan import working_day_slip

logger = logging.getLogger(__name__)

BATCH_SIZE = 100
SNAPSHOT_FIGURES = ["bac", "pv", "ev", "ac", "sv", "cv", "spi", "cpi", "eac", "etc", "vac", "tcpi"]
_TENTH = Decimal("0.1")
_CENT = Decimal("0.01")
_HUNDRED = Decimal(100)


@dataclass
class BatchReport:
    projects: int = 0
    snapshots: int = 0
    alerts: SyncResult = field(default_factory=SyncResult)

    def add(self, other: BatchReport) -> None:
        self.projects += other.projects
        self.snapshots += other.snapshots
        self.alerts.add(other.alerts)


def open_project_ids(organization: Organization) -> list[int]:
    return list(Project.objects.for_organization(organization).open().order_by("pk").values_list("pk", flat=True))


def batches(ids: list[int], size: int = BATCH_SIZE) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _percent(part: Decimal, whole: Decimal) -> Decimal:
    return (part * _HUNDRED / whole).quantize(_TENTH, rounding=ROUND_HALF_EVEN)


def _text(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def approved_budgets(organization: Organization, project_ids: list[int]) -> dict[int, Decimal]:
    """The lines of each project's current approved budget version, summed: one query."""
    rows = (
        BudgetLine.objects.for_organization(organization)
        .filter(version__project_id__in=project_ids, version__is_current=True)
        .values("version__project_id")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("version__project_id", "total")
    )
    # SQLite drops the trailing zeros of sums: money has two places.
    return {project_id: total.quantize(_CENT) for project_id, total in rows if total is not None}


def _storable(project: Project, name: str, value: Decimal | None) -> Decimal | None:
    """``value`` if the snapshot's column holds it, else None (not measurable), logged.

    One project's figure the database would refuse must not fail the batch's one insert, and
    so the snapshots of every other project of the batch.
    """
    column = EvmSnapshot._meta.get_field(name)
    assert isinstance(column, DecimalField)
    if value is None or abs(value) < Decimal(10) ** (column.max_digits - column.decimal_places):
        return value
    logger.warning(
        "Project %s: %s %s is too large for its snapshot column and is stored as not measurable.",
        project.pk,
        name,
        value,
    )
    return None


def _snapshot(organization: Organization, project: Project, result: ProjectEvm, budget: Decimal | None) -> EvmSnapshot:
    figures = result.figures
    return EvmSnapshot(
        organization=organization,
        project=project,
        date=result.as_of,
        currency=result.currency,
        approved_budget=_storable(project, "approved_budget", budget),
        computed_at=timezone.now(),
        **{name: _storable(project, name, getattr(figures, name)) for name in SNAPSHOT_FIGURES},
    )


def _index_findings(project: Project, result: ProjectEvm, budget: Decimal | None) -> dict[str, Finding]:
    """The project-level measures: SPI, CPI, VAC, cost against budget, spend against progress."""
    figures = result.figures
    label = f"{project.code} {project.name}"
    common = {"as_of": result.as_of.isoformat(), "currency": result.currency}

    def finding(measure: Decimal, values: dict[str, str]) -> Finding:
        return Finding(SubjectType.PROJECT, project.pk, label, project.pk, measure, {**common, **values})

    found: dict[str, Finding] = {}
    if figures.spi is not None:
        found[AlertKind.SPI_LOW] = finding(
            figures.spi, {"value": str(figures.spi), "pv": str(figures.pv), "ev": str(figures.ev)}
        )
    if figures.cpi is not None:
        found[AlertKind.CPI_LOW] = finding(
            figures.cpi, {"value": str(figures.cpi), "ev": str(figures.ev), "ac": str(figures.ac)}
        )
    if figures.vac is not None:
        found[AlertKind.VAC_NEGATIVE] = finding(
            figures.vac, {"value": str(figures.vac), "eac": _text(figures.eac), "bac": str(figures.bac)}
        )
    if budget:
        spent = _percent(figures.ac, budget)
        found[AlertKind.COST_OVER_BUDGET] = finding(
            spent, {"value": str(spent), "ac": str(figures.ac), "budget": str(budget)}
        )
        if figures.bac:
            done = _percent(figures.ev, figures.bac)
            found[AlertKind.SPEND_AHEAD_OF_PROGRESS] = finding(
                spent - done, {"value": str(spent - done), "spent": str(spent), "done": str(done)}
            )
    return found


def _task_findings(
    organization: Organization,
    projects: dict[int, Project],
    calendars: dict[int, WorkCalendar],
    as_of: dt.date,
) -> tuple[list[Finding], list[Finding]]:
    """Milestones past their baseline date and tasks forecast to finish late: one query.

    Compares each unfinished live task with its entry in the project's current baseline.
    """
    rows = (
        BaselineTask.objects.for_organization(organization)
        .filter(
            baseline__project_id__in=list(projects),
            baseline__is_current=True,
            task__isnull=False,
            task__actual_finish__isnull=True,
            task__percent_complete__lt=100,
            task__project_id__in=list(projects),
        )
        .filter(Q(is_milestone=True, finish__lt=as_of) | Q(task__planned_finish__gt=F("finish")))
        .order_by()
        .values_list(
            "baseline__project_id",
            "task_id",
            "task__code",
            "task__name",
            "is_milestone",
            "finish",
            "task__planned_finish",
        )
    )
    milestones: list[Finding] = []
    slipped: list[Finding] = []
    for project_id, task_id, code, name, is_milestone, finish, forecast in rows:
        project = projects[project_id]
        label = f"{project.code} · {code} {name}"
        if is_milestone and finish < as_of:
            late = Decimal((as_of - finish).days)
            milestones.append(
                Finding(
                    SubjectType.TASK,
                    task_id,
                    label,
                    project_id,
                    late,
                    {"value": str(late), "due": finish.isoformat(), "as_of": as_of.isoformat()},
                )
            )
        slip = working_day_slip(calendars[project_id], finish, forecast)
        if not is_milestone and slip is not None and slip > 0:
            slipped.append(
                Finding(
                    SubjectType.TASK,
                    task_id,
                    label,
                    project_id,
                    Decimal(slip),
                    {"value": str(slip), "due": finish.isoformat(), "forecast": forecast.isoformat()},
                )
            )
    return milestones, slipped


def _waiting_findings(organization: Organization, projects: dict[int, Project]) -> tuple[list[Finding], list[Finding]]:
    """Change requests and budget versions submitted and not yet decided: two queries."""
    now = timezone.now()
    requests = ChangeRequest.objects.for_organization(organization).filter(
        project_id__in=list(projects), status=ChangeRequest.Status.SUBMITTED, submitted_at__isnull=False
    )
    change_requests = [
        Finding(
            SubjectType.CHANGE_REQUEST,
            pk,
            f"{projects[project_id].code} · CR-{number} {title}",
            project_id,
            Decimal((now - submitted_at).days),
            {"value": str((now - submitted_at).days), "submitted_at": submitted_at.isoformat()},
        )
        for pk, project_id, number, title, submitted_at in requests.values_list(
            "pk", "project_id", "number", "title", "submitted_at"
        )
    ]
    versions = BudgetVersion.objects.for_organization(organization).filter(
        project_id__in=list(projects), status=BudgetVersion.Status.SUBMITTED, submitted_at__isnull=False
    )
    budgets = [
        Finding(
            SubjectType.BUDGET_VERSION,
            pk,
            f"{projects[project_id].code} · v{number}",
            project_id,
            Decimal((now - submitted_at).days),
            {"value": str((now - submitted_at).days), "submitted_at": submitted_at.isoformat()},
        )
        for pk, project_id, number, submitted_at in versions.values_list("pk", "project_id", "number", "submitted_at")
    ]
    return change_requests, budgets


@transaction.atomic
def variance_run_batch(*, organization: Organization, project_ids: Iterable[int], as_of: dt.date) -> BatchReport:
    """Snapshots and alerts of the open projects among ``project_ids`` as of ``as_of``.

    A fixed number of queries whatever the size of the projects (about twenty, plus one write
    per kind of change); closed projects among the ids are skipped.
    """
    projects = {
        project.pk: project
        for project in Project.objects.for_organization(organization)
        .open()
        .filter(pk__in=list(project_ids))
        .select_for_update(of=("self",), no_key=True)
        .order_by("pk")
    }
    report = BatchReport(projects=len(projects))
    if not projects:
        return report
    ids = list(projects)
    calendars = project_calendars(organization.pk, list(projects.values()))
    evaluated = projects_evm(organization, list(projects.values()), as_of, calendars=calendars)
    budgets = approved_budgets(organization, ids)

    snapshots = [_snapshot(organization, projects[pk], result, budgets.get(pk)) for pk, result in evaluated.items()]
    if snapshots:
        EvmSnapshot.objects.bulk_create(
            snapshots,
            update_conflicts=True,
            unique_fields=["organization", "project", "date"],
            update_fields=["currency", "approved_budget", "computed_at", *SNAPSHOT_FIGURES],
        )
    report.snapshots = len(snapshots)

    findings: dict[str, list[Finding]] = {kind: [] for kind in AlertKind.values}
    for pk, result in evaluated.items():
        for kind, finding in _index_findings(projects[pk], result, budgets.get(pk)).items():
            findings[kind].append(finding)
    milestones, slipped = _task_findings(organization, projects, calendars, as_of)
    findings[AlertKind.MILESTONE_OVERDUE] = milestones
    findings[AlertKind.TASK_SLIPPED] = slipped
    change_requests, budget_versions = _waiting_findings(organization, projects)
    findings[AlertKind.CHANGE_REQUEST_WAITING] = change_requests
    findings[AlertKind.BUDGET_WAITING] = budget_versions

    recipients = recipients_load(organization, ids)
    for kind, rule in alert_rules_ensure(organization).items():
        report.alerts.add(
            alerts_sync(
                organization=organization,
                rule=rule,
                findings=findings.get(kind, []),
                project_ids=ids,
                recipients=recipients,
            )
        )
    relay_soon(report.alerts)
    return report


def variance_run(*, organization: Organization, as_of: dt.date, batch_size: int = BATCH_SIZE) -> BatchReport:
    """The whole organisation in this process, batch after batch (for ``run_variance --wait``)."""
    report = BatchReport()
    ids = open_project_ids(organization)
    for batch in batches(ids, batch_size):
        report.add(variance_run_batch(organization=organization, project_ids=batch, as_of=as_of))
    with transaction.atomic():
        report.alerts.add(alerts_resolve_closed_projects(organization=organization, open_project_ids=ids))
    return report
