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
from decimal import Decimal

from django.db import transaction
from django.db.models import DecimalField, Sum
from django.utils import timezone

from finance.alert_kinds import APPROVED_BUDGETS, EARNED_VALUE
from finance.earned_value import ProjectEvm, project_calendars, projects_evm
from finance.models import BudgetLine, EvmSnapshot
from pmo.alerts.kinds import EvaluationBatch, alert_kinds
from pmo.alerts.services import (
    SyncResult,
    alert_rules_ensure,
    alerts_resolve_closed_projects,
    alerts_sync,
    recipients_load,
    relay_soon,
)
from pmo.models import Organization
from projects.models import Project

logger = logging.getLogger(__name__)

BATCH_SIZE = 100
SNAPSHOT_FIGURES = ["bac", "pv", "ev", "ac", "sv", "cv", "spi", "cpi", "eac", "etc", "vac", "tcpi"]
_CENT = Decimal("0.01")


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

    findings = alert_kinds.evaluate(
        EvaluationBatch(
            organization=organization,
            projects=projects,
            as_of=as_of,
            calendars=calendars,
            computed={EARNED_VALUE: evaluated, APPROVED_BUDGETS: budgets},
        )
    )
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
