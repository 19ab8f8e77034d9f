"""The alert kinds of plans and changes: milestones overdue, tasks slipped, change requests waiting.

Registered in ``ProjectsConfig.ready()``; the variance run calls ``evaluate`` on each batch.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pmo.alerts.kinds import ABOVE, DAYS, WORKING_DAYS, AlertKindSpec, EvaluationBatch, alert_kinds, project_page
from pmo.alerts.services import Finding
from pmo.models import OrgRole, Severity
from projects.models import BaselineTask, ChangeRequest
from projects.selectors.plan import working_day_slip


class ProjectSubjectType(models.TextChoices):
    """What the alerts of projects' kinds, and of a project's measures, are about."""

    PROJECT = "project", _("Project")
    TASK = "task", _("Task")
    CHANGE_REQUEST = "change_request", _("Change request")


class ProjectAlertKind(models.TextChoices):
    MILESTONE_OVERDUE = "milestone_overdue", _("Milestone past its baseline date")
    TASK_SLIPPED = "task_slipped", _("Task finish slipped against the baseline")
    CHANGE_REQUEST_WAITING = "change_request_waiting", _("Change request waiting for a decision")


PMO = (OrgRole.ADMIN.value, OrgRole.PMO.value)
MANAGER = ("manager",)
FIGURES = (
    ("due", _("Baseline date")),
    ("forecast", _("Forecast finish")),
    ("submitted_at", _("Submitted")),
    ("as_of", _("As of")),
)

KINDS = (
    AlertKindSpec(
        code=ProjectAlertKind.MILESTONE_OVERDUE.value,
        label=ProjectAlertKind.MILESTONE_OVERDUE.label,
        direction=ABOVE,
        unit=DAYS,
        threshold=Decimal("0"),
        red_threshold=None,
        severity=Severity.RED,
        org_roles=PMO,
        project_roles=MANAGER,
        explanation=_("Days since a milestone's baseline date while it is not done, above the threshold."),
        message=_("%(subject)s: the milestone was due on %(due)s (%(value)s days ago) and is not done."),
        subject_types=(ProjectSubjectType.TASK,),
        position=60,
        figures=FIGURES,
        link=project_page("project-task-history", subject="pk"),
    ),
    AlertKindSpec(
        code=ProjectAlertKind.TASK_SLIPPED.value,
        label=ProjectAlertKind.TASK_SLIPPED.label,
        direction=ABOVE,
        unit=WORKING_DAYS,
        threshold=Decimal("5"),
        red_threshold=Decimal("10"),
        severity=Severity.AMBER,
        org_roles=(),
        project_roles=("manager", "coordinator"),
        explanation=_("Working days between a task's baseline finish and its forecast finish, above the threshold."),
        message=_(
            "%(subject)s: forecast to finish on %(forecast)s, %(value)s working days after its baseline finish %(due)s."
        ),
        subject_types=(ProjectSubjectType.TASK,),
        position=70,
        figures=FIGURES,
        link=project_page("project-task-history", subject="pk"),
    ),
    AlertKindSpec(
        code=ProjectAlertKind.CHANGE_REQUEST_WAITING.value,
        label=ProjectAlertKind.CHANGE_REQUEST_WAITING.label,
        direction=ABOVE,
        unit=DAYS,
        threshold=Decimal("5"),
        red_threshold=None,
        severity=Severity.AMBER,
        org_roles=PMO,
        project_roles=MANAGER,
        explanation=_("Days a submitted change request has waited for a decision, above the threshold."),
        message=_("%(subject)s has waited %(value)s days for a decision."),
        subject_types=(ProjectSubjectType.CHANGE_REQUEST,),
        position=80,
        figures=FIGURES,
        link=project_page("project-change-request", subject="pk"),
    ),
)


def _task_findings(batch: EvaluationBatch) -> tuple[list[Finding], list[Finding]]:
    """Milestones past their baseline date and tasks forecast to finish late: one query.

    Compares each unfinished live task with its entry in the project's current baseline.
    """
    projects, as_of = batch.projects, batch.as_of
    rows = (
        BaselineTask.objects.for_organization(batch.organization)
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
                    ProjectSubjectType.TASK,
                    task_id,
                    label,
                    project_id,
                    late,
                    {"value": str(late), "due": finish.isoformat(), "as_of": as_of.isoformat()},
                )
            )
        slip = working_day_slip(batch.calendars[project_id], finish, forecast)
        if not is_milestone and slip is not None and slip > 0:
            slipped.append(
                Finding(
                    ProjectSubjectType.TASK,
                    task_id,
                    label,
                    project_id,
                    Decimal(slip),
                    {"value": str(slip), "due": finish.isoformat(), "forecast": forecast.isoformat()},
                )
            )
    return milestones, slipped


def _change_request_findings(batch: EvaluationBatch) -> list[Finding]:
    """Change requests submitted and not yet decided: one query."""
    now = timezone.now()
    projects = batch.projects
    requests = ChangeRequest.objects.for_organization(batch.organization).filter(
        project_id__in=list(projects), status=ChangeRequest.Status.SUBMITTED, submitted_at__isnull=False
    )
    return [
        Finding.waiting(
            ProjectSubjectType.CHANGE_REQUEST,
            pk,
            f"{projects[project_id].code} · CR-{number} {title}",
            project_id,
            at,
            now,
        )
        for pk, project_id, number, title, at in requests.values_list(
            "pk", "project_id", "number", "title", "submitted_at"
        )
    ]


def evaluate(batch: EvaluationBatch) -> Mapping[str, Iterable[Finding]]:
    milestones, slipped = _task_findings(batch)
    return {
        ProjectAlertKind.MILESTONE_OVERDUE: milestones,
        ProjectAlertKind.TASK_SLIPPED: slipped,
        ProjectAlertKind.CHANGE_REQUEST_WAITING: _change_request_findings(batch),
    }


def register() -> None:
    for subject_type in ProjectSubjectType:
        alert_kinds.register_subject_type(subject_type.value, subject_type.label)
    for spec in KINDS:
        alert_kinds.register(spec)
    alert_kinds.evaluator(evaluate, kinds=ProjectAlertKind.values)
