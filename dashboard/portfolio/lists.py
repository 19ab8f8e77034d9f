"""The dashboard's lists and counts beside earned value: one query each, whatever the number of projects.

Alerts by project and severity, open milestones with their baseline dates, the latest report of
each project, the recent reports, and the change requests and budget versions waiting for a
decision.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from django.db.models import Count, F, QuerySet, Sum, Window
from django.db.models.functions import RowNumber

from dashboard.portfolio.figures import MilestoneDue, RecentReport, ReportedRag, WaitingBudget, WaitingChange
from finance.models import BudgetVersion
from pmo.models import Alert, AlertStatus, Organization, Severity
from projects.models import BaselineTask, ChangeRequest, StatusReport, WbsElement

# The projects a list is about: their ids, or a query of them (which spares sending a thousand ids).
ProjectIds = Collection[int] | QuerySet[Any, Any]

# Milestones due within this many days of the status date (and every overdue one) are listed.
MILESTONE_WINDOW_DAYS = 30
RECENT_REPORTS = 8

ACTIVE_ALERT_STATUSES = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)
DECIDED_REPORT_STATUSES = (StatusReport.Status.SUBMITTED, StatusReport.Status.REVIEWED)

_ZERO = Decimal(0)
_CENT = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_EVEN)


def active_alerts(organization: Organization, project_ids: ProjectIds | None) -> dict[int | None, dict[str, int]]:
    """Open and acknowledged alerts by project and severity: one query (every project when ``project_ids`` is None)."""
    alerts = Alert.objects.for_organization(organization).filter(status__in=ACTIVE_ALERT_STATUSES)
    if project_ids is not None:
        alerts = alerts.filter(project_id__in=project_ids)
    counts: dict[int | None, dict[str, int]] = defaultdict(lambda: dict.fromkeys(Severity.values, 0))
    for project_id, severity, count in (
        alerts.values("project_id", "severity")
        .annotate(n=Count("*"))  # not Count("id"): the partial index alert_active_by_project answers alone
        .order_by()
        .values_list("project_id", "severity", "n")
    ):
        counts[project_id][severity] += count
    return counts


@dataclass
class MilestoneSlips:
    """The largest delay of each project's unfinished milestones, and those due by the end of the window."""

    late_days: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    due: list[MilestoneDue] = field(default_factory=list)


def milestone_slips(
    organization: Organization, project_ids: ProjectIds, codes: dict[int, str], as_of: dt.date
) -> MilestoneSlips:
    """The unfinished milestones against their current baseline dates: two queries (each on a partial index).

    A milestone is late by the calendar days past its baseline date while unfinished, or by
    those its forecast (planned finish) falls after it; one without a baseline date is never
    late. It is due on its baseline date, or on its forecast without one; those due by the end
    of the window (overdue ones included) are listed, the earliest first.
    """
    baseline_dates = dict(
        BaselineTask.objects.for_organization(organization)
        .filter(is_milestone=True, baseline__is_current=True, baseline__project_id__in=project_ids)
        .order_by()
        .values_list("task_id", "finish")
    )
    rows = (
        WbsElement.objects.for_organization(organization)
        .milestones()
        .filter(project_id__in=project_ids, actual_finish__isnull=True, percent_complete__lt=100)
        .order_by()
        .values_list("project_id", "pk", "code", "name", "planned_finish", "planned_start")
    )
    horizon = as_of + dt.timedelta(days=MILESTONE_WINDOW_DAYS)
    slips = MilestoneSlips()
    late_days = slips.late_days
    for project_id, pk, code, name, finish, start in rows:
        if project_id not in codes:
            continue  # a project opened since the caller read its projects
        baseline = baseline_dates.get(pk)
        forecast = finish or start
        if baseline is not None:
            late = (as_of - baseline).days
            if forecast is not None:
                late = max(late, (forecast - baseline).days)
            if late > late_days[project_id]:
                late_days[project_id] = late
        day = baseline or forecast
        if day is not None and day <= horizon:
            slips.due.append(
                MilestoneDue(project_id, codes[project_id], pk, code, name, baseline, forecast, day, (day - as_of).days)
            )
    slips.due.sort(key=lambda item: (item.due, item.project_code, item.code))
    return slips


def latest_reports(organization: Organization, project_ids: ProjectIds) -> dict[int, ReportedRag]:
    """Each project's latest submitted or reviewed status report: one query (a window)."""
    rows = (
        StatusReport.objects.for_organization(organization)
        .filter(project_id__in=project_ids, status__in=DECIDED_REPORT_STATUSES)
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("project_id")], order_by=[F("period_end").desc(), F("id").desc()])
        )
        .filter(rank=1)
        .values_list("project_id", "pk", "period_end", "status", "rag_overall", "rag_override_justification")
    )
    return {
        project_id: ReportedRag(pk, period_end, status, rag, justification)
        for project_id, pk, period_end, status, rag, justification in rows
    }


def recent_reports(organization: Organization, project_ids: ProjectIds) -> list[RecentReport]:
    reports = (
        StatusReport.objects.for_organization(organization)
        .filter(project_id__in=project_ids, status__in=DECIDED_REPORT_STATUSES)
        .select_related("project", "author")
        .order_by(F("submitted_at").desc(nulls_last=True), "-period_end", "-id")[:RECENT_REPORTS]
    )
    recent = []
    for report in reports:
        compared = (report.figures or {}).get("computed_rag") or {}
        recent.append(
            RecentReport(
                report_id=report.pk,
                project_id=report.project_id,
                project_code=report.project.code,
                project_name=report.project.name,
                period_end=report.period_end,
                status=report.status,
                rag=report.rag_overall,
                justification=report.rag_override_justification,
                author_name=str(report.author),
                submitted_at=report.submitted_at,
                computed_at_submission=compared.get("rag"),
            )
        )
    return recent


def waiting_changes(organization: Organization, project_ids: ProjectIds) -> list[WaitingChange]:
    rows = (
        ChangeRequest.objects.for_organization(organization)
        .filter(project_id__in=project_ids, status=ChangeRequest.Status.SUBMITTED)
        .order_by(F("submitted_at").asc(nulls_last=True), "pk")
        .values_list(
            "pk", "project_id", "project__code", "number", "title", "impact_cost", "impact_days", "submitted_at"
        )
    )
    return [WaitingChange(*row) for row in rows]


def waiting_budgets(organization: Organization, project_ids: ProjectIds) -> list[WaitingBudget]:
    rows = (
        BudgetVersion.objects.for_organization(organization)
        .filter(project_id__in=project_ids, status=BudgetVersion.Status.SUBMITTED)
        .annotate(total=Sum("lines__amount"))
        .order_by(F("submitted_at").asc(nulls_last=True), "pk")
        .values_list("pk", "project_id", "project__code", "number", "project__currency", "total", "submitted_at")
    )
    return [
        WaitingBudget(pk, project_id, code, number, currency, money(total or _ZERO), submitted_at)
        for pk, project_id, code, number, currency, total, submitted_at in rows
    ]
