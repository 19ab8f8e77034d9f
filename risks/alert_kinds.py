"""The alert kinds of the risk register: high risks unanswered, reviews and actions overdue, exposure above
contingency, and a Monte Carlo P80 finish later than the baseline's.

Registered in ``RisksConfig.ready()``; the variance run calls ``evaluate`` on each batch of open
projects. Risks of the organisation (no project) are in no batch and raise no alert. The
evaluator reads the batch in six queries whatever the number of projects, risks or runs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.db import models
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pmo.alerts.kinds import (
    ABOVE,
    AMOUNT,
    DAYS,
    WORKING_DAYS,
    AlertKindSpec,
    EvaluationBatch,
    alert_kinds,
    project_page,
)
from pmo.alerts.services import Finding
from pmo.models import OrgRole, Severity
from projects.alert_kinds import ProjectSubjectType
from projects.models import Project
from projects.selectors.plan import working_day_slip
from risks.models import ActionStatus, MonteCarloRun, ResponseAction, Risk, RiskAssessment, RunStatus, risk_code
from risks.querysets import OPEN
from risks.selectors import project_exposures


class RiskSubjectType(models.TextChoices):
    RISK = "risk", _("Risk")
    RISK_ACTION = "risk_action", _("Risk response action")


class RiskAlertKind(models.TextChoices):
    HIGH_RISK_UNANSWERED = "high_risk_unanswered", _("High risk without a response")
    RISK_REVIEW_OVERDUE = "risk_review_overdue", _("Risk review overdue")
    RISK_ACTION_OVERDUE = "risk_action_overdue", _("Risk response action overdue")
    EXPOSURE_OVER_CONTINGENCY = "exposure_over_contingency", _("Risk exposure above the contingency reserve")
    P80_FINISH_LATE = "p80_finish_late", _("Confident finish later than the baseline finish")


RISK_OFFICE = (OrgRole.PMO.value, OrgRole.RISK.value)
RISK_AND_FINANCE = (*RISK_OFFICE, OrgRole.FINANCE.value)
MANAGER = ("manager",)
RISK_PAGE = project_page("project-risk", subject="pk")
REGISTER_PAGE = project_page("project-risks")
FIGURES = (
    ("risk", _("Risk")),
    ("level", _("Level")),
    ("since", _("High since")),
    ("due", _("Due")),
    ("exposure", _("Risk exposure")),
    ("contingency", _("Contingency reserve")),
    ("confidence", _("Confidence level (%)")),
    ("confident_finish", _("Finish at the confidence level")),
    ("baseline_finish", _("Baseline finish")),
    ("finished_at", _("Analysed")),
    ("currency", _("Currency")),
    ("as_of", _("As of")),
)

KINDS = (
    AlertKindSpec(
        code=RiskAlertKind.HIGH_RISK_UNANSWERED.value,
        label=RiskAlertKind.HIGH_RISK_UNANSWERED.label,
        direction=ABOVE,
        unit=DAYS,
        threshold=Decimal("7"),
        red_threshold=Decimal("21"),
        severity=Severity.AMBER,
        org_roles=RISK_OFFICE,
        project_roles=MANAGER,
        explanation=_(
            "Days an open high risk has waited for a planned response since it became high, above the threshold."
        ),
        message=_("%(subject)s has been high for %(value)s days without a response."),
        subject_types=(RiskSubjectType.RISK,),
        position=110,
        figures=FIGURES,
        link=RISK_PAGE,
    ),
    AlertKindSpec(
        code=RiskAlertKind.RISK_REVIEW_OVERDUE.value,
        label=RiskAlertKind.RISK_REVIEW_OVERDUE.label,
        direction=ABOVE,
        unit=DAYS,
        threshold=Decimal("0"),
        red_threshold=Decimal("14"),
        severity=Severity.AMBER,
        org_roles=RISK_OFFICE,
        project_roles=MANAGER,
        explanation=_("Days since an open risk's next review was due, above the threshold."),
        message=_("%(subject)s: its review was due on %(due)s (%(value)s days ago)."),
        subject_types=(RiskSubjectType.RISK,),
        position=120,
        figures=FIGURES,
        link=RISK_PAGE,
    ),
    AlertKindSpec(
        code=RiskAlertKind.RISK_ACTION_OVERDUE.value,
        label=RiskAlertKind.RISK_ACTION_OVERDUE.label,
        direction=ABOVE,
        unit=DAYS,
        threshold=Decimal("0"),
        red_threshold=Decimal("14"),
        severity=Severity.AMBER,
        org_roles=RISK_OFFICE,
        project_roles=MANAGER,
        explanation=_(
            "Days since a response action of an open risk was due while it is not done, above the threshold."
        ),
        message=_("%(subject)s: the action was due on %(due)s (%(value)s days ago) and is not done."),
        subject_types=(RiskSubjectType.RISK_ACTION,),
        position=130,
        figures=FIGURES,
        link=REGISTER_PAGE,
    ),
    AlertKindSpec(
        code=RiskAlertKind.EXPOSURE_OVER_CONTINGENCY.value,
        label=RiskAlertKind.EXPOSURE_OVER_CONTINGENCY.label,
        direction=ABOVE,
        unit=AMOUNT,
        threshold=Decimal("0"),
        red_threshold=None,
        severity=Severity.AMBER,
        org_roles=RISK_AND_FINANCE,
        project_roles=MANAGER,
        explanation=_(
            "Risk exposure (EMV of the open threats minus the open opportunities) less the contingency reserve of "
            "the current approved budget, in the project's currency, above the threshold."
        ),
        message=_(
            "%(subject)s: risk exposure %(exposure)s is %(value)s above the contingency reserve %(contingency)s."
        ),
        subject_types=(ProjectSubjectType.PROJECT,),
        position=140,
        figures=FIGURES,
        link=REGISTER_PAGE,
    ),
    AlertKindSpec(
        code=RiskAlertKind.P80_FINISH_LATE.value,
        label=RiskAlertKind.P80_FINISH_LATE.label,
        direction=ABOVE,
        unit=WORKING_DAYS,
        threshold=Decimal("0"),
        red_threshold=Decimal("10"),
        severity=Severity.AMBER,
        org_roles=RISK_OFFICE,
        project_roles=MANAGER,
        explanation=_(
            "Working days from the baseline finish to the finish the latest Monte Carlo analysis gives at the "
            "organisation's confidence level (P80 by default), above the threshold."
        ),
        message=_(
            "%(subject)s: at %(confidence)s%% confidence it finishes on %(confident_finish)s, %(value)s working days "
            "after the baseline finish %(baseline_finish)s."
        ),
        subject_types=(ProjectSubjectType.PROJECT,),
        position=150,
        figures=FIGURES,
        link=project_page("project-risk-analysis"),
    ),
)


def _label(project: Project, number: int, title: str) -> str:
    return f"{project.code} · {risk_code(number)} {title}"


def _high_since(batch: EvaluationBatch, risk_ids: list[int]) -> dict[int, dt.datetime]:
    """When each risk's current run of high levels began, from its history: one query."""
    since: dict[int, dt.datetime] = {}
    rows = (
        RiskAssessment.objects.for_organization(batch.organization)
        .filter(risk_id__in=risk_ids)
        .order_by("at", "id")
        .values_list("risk_id", "at", "level")
    )
    for risk_id, at, level in rows:
        if level == "high":
            since.setdefault(risk_id, at)
        else:
            since.pop(risk_id, None)
    return since


def _unanswered_findings(batch: EvaluationBatch) -> list[Finding]:
    """Open high risks without a response, and how long they have been high: two queries."""
    now = timezone.now()
    projects = batch.projects
    rows = list(
        Risk.objects.for_organization(batch.organization)
        .filter(project_id__in=list(projects))
        .open()
        .high()
        .unanswered()
        .values_list("pk", "project_id", "number", "title", "raised_at")
    )
    since = _high_since(batch, [row[0] for row in rows]) if rows else {}
    found = []
    for pk, project_id, number, title, raised_at in rows:
        start = since.get(pk, raised_at)
        days = max((now - start).days, 0)
        found.append(
            Finding(
                RiskSubjectType.RISK,
                pk,
                _label(projects[project_id], number, title),
                project_id,
                Decimal(days),
                {"value": str(days), "risk": risk_code(number), "level": "high", "since": start.isoformat()},
            )
        )
    return found


def _review_findings(batch: EvaluationBatch) -> list[Finding]:
    """Open risks whose next review is past: one query."""
    as_of, projects = batch.as_of, batch.projects
    rows = (
        Risk.objects.for_organization(batch.organization)
        .filter(project_id__in=list(projects))
        .review_overdue(as_of)
        .values_list("pk", "project_id", "number", "title", "level", "next_review")
    )
    found = []
    for pk, project_id, number, title, level, due in rows:
        days = (as_of - due).days
        found.append(
            Finding(
                RiskSubjectType.RISK,
                pk,
                _label(projects[project_id], number, title),
                project_id,
                Decimal(days),
                {
                    "value": str(days),
                    "risk": risk_code(number),
                    "level": level,
                    "due": due.isoformat(),
                    "as_of": as_of.isoformat(),
                },
            )
        )
    return found


def _action_findings(batch: EvaluationBatch) -> list[Finding]:
    """Planned or started actions of open risks past their due date: one query."""
    as_of, projects = batch.as_of, batch.projects
    rows = (
        ResponseAction.objects.for_organization(batch.organization)
        .filter(
            risk__project_id__in=list(projects),
            risk__status__in=OPEN,
            status__in=(ActionStatus.PLANNED, ActionStatus.IN_PROGRESS),
            due__lt=as_of,
        )
        .values_list("pk", "risk__project_id", "risk__number", "title", "due")
    )
    found = []
    for pk, project_id, number, title, due in rows:
        days = (as_of - due).days
        found.append(
            Finding(
                RiskSubjectType.RISK_ACTION,
                pk,
                f"{projects[project_id].code} · {risk_code(number)} · {title}",
                project_id,
                Decimal(days),
                {"value": str(days), "risk": risk_code(number), "due": due.isoformat(), "as_of": as_of.isoformat()},
            )
        )
    return found


def _exposure_findings(batch: EvaluationBatch) -> list[Finding]:
    """Every project's exposure less its contingency (none without an approved budget): one query."""
    projects = batch.projects
    scoped = Project.objects.for_organization(batch.organization).filter(pk__in=list(projects))
    found = []
    for row in project_exposures(scoped, batch.organization.pk):
        excess = -row.headroom
        contingency = row.contingency if row.contingency is not None else Decimal("0.00")
        found.append(
            Finding(
                ProjectSubjectType.PROJECT,
                row.project_id,
                f"{row.code} {row.name}",
                row.project_id,
                excess,
                {
                    "value": str(excess),
                    "exposure": str(row.exposure),
                    "contingency": str(contingency),
                    "currency": row.currency,
                },
            )
        )
    return found


def _p80_findings(batch: EvaluationBatch) -> list[Finding]:
    """The latest finished Monte Carlo run of each project against its baseline finish: one query."""
    projects = batch.projects
    runs = MonteCarloRun.objects.for_organization(batch.organization)
    latest = (
        runs.filter(project=OuterRef("project"), status=RunStatus.DONE)
        .order_by("-finished_at", "-requested_at", "-id")
        .values("pk")[:1]
    )
    rows = (
        runs.filter(project_id__in=list(projects), status=RunStatus.DONE, pk=Subquery(latest))
        .exclude(confident_finish__isnull=True)
        .exclude(baseline_finish__isnull=True)
        .values_list("project_id", "confidence", "confident_finish", "baseline_finish", "finished_at")
    )
    found = []
    for project_id, confidence, confident, baseline, finished_at in rows:
        late = working_day_slip(batch.calendars[project_id], baseline, confident)
        if late is None:
            continue
        project = projects[project_id]
        found.append(
            Finding(
                ProjectSubjectType.PROJECT,
                project_id,
                f"{project.code} {project.name}",
                project_id,
                Decimal(late),
                {
                    "value": str(late),
                    "confidence": str(confidence),
                    "confident_finish": confident.isoformat(),
                    "baseline_finish": baseline.isoformat(),
                    "finished_at": finished_at.isoformat() if finished_at else "",
                },
            )
        )
    return found


def evaluate(batch: EvaluationBatch) -> Mapping[str, Iterable[Finding]]:
    if not batch.projects:
        return {}
    return {
        RiskAlertKind.HIGH_RISK_UNANSWERED: _unanswered_findings(batch),
        RiskAlertKind.RISK_REVIEW_OVERDUE: _review_findings(batch),
        RiskAlertKind.RISK_ACTION_OVERDUE: _action_findings(batch),
        RiskAlertKind.EXPOSURE_OVER_CONTINGENCY: _exposure_findings(batch),
        RiskAlertKind.P80_FINISH_LATE: _p80_findings(batch),
    }


def register() -> None:
    for subject_type in RiskSubjectType:
        alert_kinds.register_subject_type(subject_type.value, subject_type.label)
    for spec in KINDS:
        alert_kinds.register(spec)
    alert_kinds.evaluator(evaluate, kinds=RiskAlertKind.values)
