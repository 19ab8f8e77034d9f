"""The alert kinds of quality: a non-conformance overdue, a critical non-conformance opened, a planned
inspection overdue and an acceptance rejected.

Registered in ``QualityConfig.ready()``; the variance run calls ``evaluate`` on each batch of open
projects, in four queries whatever the number of projects. Two services do not wait for the nightly
run: ``nc_raise`` calls :func:`on_raised` and ``deliverable_sign`` :func:`on_rejected` in their
transaction, which queue the evaluation of the project once it commits, so that a critical
non-conformance or a rejection is told at once.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.db import models
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from pmo.alerts.kinds import ABOVE, DAYS, AlertKindSpec, EvaluationBatch, alert_kinds, project_page
from pmo.alerts.services import Finding, project_evaluation_queue
from pmo.models import OrgRole, Severity
from quality.models import (
    OPEN_NC_STATUSES,
    AcceptanceStatus,
    Deliverable,
    Inspection,
    InspectionStatus,
    NonConformance,
    PlanEntry,
)
from quality.models import Severity as NcSeverity


class QualitySubjectType(models.TextChoices):
    NON_CONFORMANCE = "quality_nc", _("Non-conformance")
    INSPECTION = "quality_insp", _("Inspection")
    PLAN_ENTRY = "quality_plan", _("Inspection plan entry")
    DELIVERABLE = "quality_deliv", _("Deliverable")


class QualityAlertKind(models.TextChoices):
    NC_OVERDUE = "quality_nc_overdue", _("Non-conformance overdue")
    CRITICAL_NC_OPENED = "quality_critical_nc", _("Critical non-conformance opened")
    INSPECTION_OVERDUE = "quality_inspection_overdue", _("Planned inspection overdue")
    ACCEPTANCE_REJECTED = "quality_acceptance_rejected", _("Acceptance rejected")


QUALITY_OFFICE = (OrgRole.PMO.value, OrgRole.QUALITY.value)
MANAGER = ("manager",)
FIGURES = (
    ("code", _("Code")),
    ("severity", _("Severity")),
    ("raised_on", _("Raised on")),
    ("due", _("Due")),
    ("planned", _("Planned date")),
    ("rejected_on", _("Rejected on")),
    ("as_of", _("As of")),
)

KINDS = (
    AlertKindSpec(
        code=QualityAlertKind.NC_OVERDUE.value,
        label=QualityAlertKind.NC_OVERDUE.label,
        direction=ABOVE,
        unit=DAYS,
        threshold=Decimal("0"),
        red_threshold=Decimal("7"),
        severity=Severity.AMBER,
        org_roles=QUALITY_OFFICE,
        project_roles=MANAGER,
        explanation=_("Days since an open non-conformance's due date, above the threshold."),
        message=_("%(subject)s was due on %(due)s (%(value)s days ago) and is not closed."),
        subject_types=(QualitySubjectType.NON_CONFORMANCE,),
        position=210,
        figures=FIGURES,
        link=project_page("quality-nc", subject="nc_id"),
    ),
    AlertKindSpec(
        code=QualityAlertKind.CRITICAL_NC_OPENED.value,
        label=QualityAlertKind.CRITICAL_NC_OPENED.label,
        direction=ABOVE,
        unit=DAYS,
        threshold=Decimal("0"),
        red_threshold=None,
        severity=Severity.RED,
        org_roles=QUALITY_OFFICE,
        project_roles=MANAGER,
        explanation=_(
            "Days a critical non-conformance has been open, counting the day it was raised (1 on that day), "
            "above the threshold: with 0 every open critical one raises an alert as soon as it is raised."
        ),
        message=_("%(subject)s: a critical non-conformance, open since %(raised_on)s (%(value)s days)."),
        subject_types=(QualitySubjectType.NON_CONFORMANCE,),
        position=220,
        figures=FIGURES,
        link=project_page("quality-nc", subject="nc_id"),
    ),
    AlertKindSpec(
        code=QualityAlertKind.INSPECTION_OVERDUE.value,
        label=QualityAlertKind.INSPECTION_OVERDUE.label,
        direction=ABOVE,
        unit=DAYS,
        threshold=Decimal("0"),
        red_threshold=Decimal("14"),
        severity=Severity.AMBER,
        org_roles=QUALITY_OFFICE,
        project_roles=MANAGER,
        explanation=_(
            "Days since an open inspection's scheduled date, or since a plan entry's planned date while no "
            "inspection is scheduled for it, above the threshold."
        ),
        message=_("%(subject)s was planned for %(planned)s (%(value)s days ago) and is not done."),
        subject_types=(QualitySubjectType.INSPECTION, QualitySubjectType.PLAN_ENTRY),
        position=230,
        figures=FIGURES,
        link=project_page("project-quality-inspections"),
    ),
    AlertKindSpec(
        code=QualityAlertKind.ACCEPTANCE_REJECTED.value,
        label=QualityAlertKind.ACCEPTANCE_REJECTED.label,
        direction=ABOVE,
        unit=DAYS,
        threshold=Decimal("0"),
        red_threshold=Decimal("14"),
        severity=Severity.AMBER,
        org_roles=QUALITY_OFFICE,
        project_roles=MANAGER,
        explanation=_(
            "Days a deliverable has stood rejected, counting the day of the rejection (1 on that day), "
            "above the threshold; it clears when the deliverable is signed again."
        ),
        message=_("%(subject)s: its acceptance was rejected on %(rejected_on)s (%(value)s days)."),
        subject_types=(QualitySubjectType.DELIVERABLE,),
        position=240,
        figures=FIGURES,
        link=project_page("project-quality-deliverable", subject="deliverable_id"),
    ),
)


def _nc_findings(batch: EvaluationBatch) -> tuple[list[Finding], list[Finding]]:
    """Open non-conformances past their due date, and the open critical ones: one query."""
    as_of, projects = batch.as_of, batch.projects
    rows = (
        NonConformance.objects.for_organization(batch.organization)
        .filter(project_id__in=list(projects), status__in=OPEN_NC_STATUSES)
        .filter(models.Q(due_date__lt=as_of) | models.Q(severity=NcSeverity.CRITICAL))
        .values_list("pk", "project_id", "number", "title", "severity", "due_date", "raised_on")
    )
    overdue, critical = [], []
    for pk, project_id, number, title, severity, due, raised_on in rows:
        code = f"NC-{number:03d}"
        label = f"{projects[project_id].code} · {code} {title}"
        figures = {"code": code, "severity": severity, "due": due.isoformat(), "raised_on": raised_on.isoformat()}
        if due < as_of:
            days = (as_of - due).days
            overdue.append(
                Finding(
                    QualitySubjectType.NON_CONFORMANCE,
                    pk,
                    label,
                    project_id,
                    Decimal(days),
                    {"value": str(days), **figures, "as_of": as_of.isoformat()},
                )
            )
        if severity == NcSeverity.CRITICAL:
            days = max((as_of - raised_on).days, 0) + 1
            critical.append(
                Finding(
                    QualitySubjectType.NON_CONFORMANCE,
                    pk,
                    label,
                    project_id,
                    Decimal(days),
                    {"value": str(days), **figures},
                )
            )
    return overdue, critical


def _inspection_findings(batch: EvaluationBatch) -> list[Finding]:
    """Open inspections past their scheduled date, and plan entries past theirs with none scheduled: two queries."""
    as_of, projects = batch.as_of, batch.projects
    found = []
    inspections = (
        Inspection.objects.for_organization(batch.organization)
        .filter(
            project_id__in=list(projects),
            status__in=(InspectionStatus.SCHEDULED, InspectionStatus.IN_PROGRESS),
            scheduled_date__lt=as_of,
        )
        .values_list("pk", "project_id", "number", "template__name_zh", "template__name_en", "scheduled_date")
    )
    for pk, project_id, number, name_zh, name_en, scheduled in inspections:
        days = (as_of - scheduled).days
        code = f"I-{number:03d}"
        found.append(
            Finding(
                QualitySubjectType.INSPECTION,
                pk,
                f"{projects[project_id].code} · {code} {name_en or name_zh}",
                project_id,
                Decimal(days),
                {"value": str(days), "code": code, "planned": scheduled.isoformat(), "as_of": as_of.isoformat()},
            )
        )
    scheduled_for = Inspection.objects.filter(plan_entry=OuterRef("pk")).exclude(status=InspectionStatus.CANCELLED)
    entries = (
        PlanEntry.objects.for_organization(batch.organization)
        .filter(project_id__in=list(projects), planned_date__lt=as_of)
        .exclude(Exists(scheduled_for))
        .values_list("pk", "project_id", "template_code", "wbs_element__code", "phase", "planned_date")
    )
    for pk, project_id, template_code, element_code, phase, planned in entries:
        days = (as_of - planned).days
        where = element_code or phase
        found.append(
            Finding(
                QualitySubjectType.PLAN_ENTRY,
                pk,
                f"{projects[project_id].code} · {template_code} @ {where}",
                project_id,
                Decimal(days),
                {"value": str(days), "code": template_code, "planned": planned.isoformat(), "as_of": as_of.isoformat()},
            )
        )
    return found


def _rejection_findings(batch: EvaluationBatch) -> list[Finding]:
    """Deliverables whose latest acceptance decision is a rejection: one query."""
    as_of, projects = batch.as_of, batch.projects
    rows = (
        Deliverable.objects.for_organization(batch.organization)
        .filter(project_id__in=list(projects), status=AcceptanceStatus.REJECTED)
        .values_list("pk", "project_id", "wbs_element__code", "wbs_element__name", "decided_at")
    )
    found = []
    zone = zoneinfo.ZoneInfo(batch.organization.time_zone)
    for pk, project_id, code, name, decided_at in rows:
        rejected_on = decided_at.astimezone(zone).date()
        days = max((as_of - rejected_on).days, 0) + 1
        found.append(
            Finding(
                QualitySubjectType.DELIVERABLE,
                pk,
                f"{projects[project_id].code} · {code} {name}",
                project_id,
                Decimal(days),
                {"value": str(days), "rejected_on": rejected_on.isoformat()},
            )
        )
    return found


def evaluate(batch: EvaluationBatch) -> Mapping[str, Iterable[Finding]]:
    if not batch.projects:
        return {}
    overdue, critical = _nc_findings(batch)
    return {
        QualityAlertKind.NC_OVERDUE: overdue,
        QualityAlertKind.CRITICAL_NC_OPENED: critical,
        QualityAlertKind.INSPECTION_OVERDUE: _inspection_findings(batch),
        QualityAlertKind.ACCEPTANCE_REJECTED: _rejection_findings(batch),
    }


def register() -> None:
    """Register the quality alert kinds with the core's alert engine."""
    for subject_type in QualitySubjectType:
        alert_kinds.register_subject_type(subject_type.value, subject_type.label)
    for spec in KINDS:
        alert_kinds.register(spec)
    alert_kinds.evaluator(evaluate, kinds=QualityAlertKind.values)


def on_raised(nc: NonConformance) -> None:
    """Called by ``nc_raise`` in its transaction: a critical non-conformance raises its alert at once
    (the project is evaluated again as soon as the transaction commits)."""
    if nc.severity == NcSeverity.CRITICAL:
        project_evaluation_queue(nc.project)


def on_rejected(deliverable: Deliverable) -> None:
    """Called by ``deliverable_sign`` in its transaction when an acceptance is rejected: the alert is
    raised as soon as the transaction commits."""
    project_evaluation_queue(deliverable.project)
