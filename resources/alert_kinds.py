"""The alert kinds of resources: a resource over-allocated in the weeks ahead, timesheet lines waiting for
approval, and a resource assigned to a task while it is away.

Registered in ``ResourcesConfig.ready()``; the variance run calls ``evaluate`` on each batch of open
projects, in nine queries whatever the number of projects, resources, assignments or lines. The
thresholds are the alert rules' (the organisation changes them on the alert rules page); the weeks
looked ahead are the resource settings' ``overallocation_weeks``.

An alert belongs to one project, so that the project's manager hears about it and the run resolves it
when the condition clears:

- over-allocation: one alert per resource and project that loads it in a week above the threshold,
  told to the resource managers and that project's manager. Its subject id packs the two ids
  (:func:`overload_subject`), the subject being that pair; the resource's utilisation counts every
  open project's assignments, so each project involved gets its alert in its own batch.
- approvals waiting: one alert per project whose submitted lines include one waiting longer than
  the threshold, told to its manager. Lines outside any project (leave, training, administration)
  belong to no project and so to no batch: the resource office finds them on its approvals page.
- away while assigned: one alert per assignment whose task, from today to its finish, overlaps an
  absence of the resource (leave, training, another absence), told to the project's manager and the
  resource managers.
"""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.db.models import Count, F, Min
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pmo.alerts.kinds import (
    ABOVE,
    DAYS,
    PERCENT,
    WORKING_DAYS,
    AlertKindSpec,
    EvaluationBatch,
    alert_kinds,
    project_page,
)
from pmo.alerts.services import (
    Finding,
    SyncResult,
    alert_rules_ensure,
    alerts_open_for_people,
    alerts_resolve_subjects,
)
from pmo.models import Alert, AlertRule, AlertStatus, Membership, Organization, OrgRole, Severity
from pmo.workdays import WorkCalendar
from projects.alert_kinds import ProjectSubjectType
from resources.models import ABSENCE_KINDS, Assignment, LineStatus, Resource, ResourceSettings, TimesheetLine
from resources.overallocation import resource_weeks, shown, window

#: Subject ids of over-allocations: the resource's id times this plus the project's id.
PAIR = 1 << 32


class ResourceSubjectType(models.TextChoices):
    OVERLOAD = "res_overload", _("Resource on a project")
    ASSIGNMENT = "res_assignment", _("Assignment")
    TIMESHEET = "res_timesheet", _("Timesheet")


class ResourceAlertKind(models.TextChoices):
    OVERALLOCATED = "resource_overallocated", _("Resource over-allocated")
    APPROVAL_WAITING = "timesheet_approval_waiting", _("Timesheet lines waiting for approval")
    AWAY_WHILE_ASSIGNED = "assignment_resource_away", _("Resource assigned while away")


RESOURCE_OFFICE = (OrgRole.RESOURCE.value,)
_PROJECT_APPROVALS = project_page("project-timesheet-approvals")


def _approvals_page(alert: Alert, org_slug: str) -> str | None:
    """The project's approvals page; the resource office's for lines outside any project."""
    if alert.project_id is not None:
        return _PROJECT_APPROVALS(alert, org_slug)
    try:
        return reverse("org-timesheet-approvals", kwargs={"org_slug": org_slug})
    except NoReverseMatch:
        return None


MANAGER = ("manager",)
FIGURES = (
    ("resource", _("Resource")),
    ("weeks", _("Weeks above the threshold")),
    ("project_hours", _("Hours of the project in those weeks")),
    ("lines", _("Lines waiting longer than the threshold")),
    ("waiting", _("Lines waiting")),
    ("submitted_on", _("Oldest submitted on")),
    ("task", _("Task")),
    ("task_start", _("Task start")),
    ("task_finish", _("Task finish")),
    ("away", _("Away")),
    ("as_of", _("As of")),
)

KINDS = (
    AlertKindSpec(
        code=ResourceAlertKind.OVERALLOCATED.value,
        label=ResourceAlertKind.OVERALLOCATED.label,
        direction=ABOVE,
        unit=PERCENT,
        threshold=Decimal("110"),
        red_threshold=Decimal("150"),
        severity=Severity.AMBER,
        org_roles=RESOURCE_OFFICE,
        project_roles=MANAGER,
        explanation=_(
            "A resource's utilisation in a week ahead (load from every project and absences over capacity), "
            "above the threshold, in a week the project loads it; the weeks looked ahead are the resource "
            "settings'."
        ),
        message=_(
            "%(subject)s: utilisation up to %(value)s%% in the weeks of %(weeks)s, "
            "with %(project_hours)s hours of this project; the threshold is %(threshold)s%%."
        ),
        subject_types=(ResourceSubjectType.OVERLOAD,),
        position=310,
        figures=FIGURES,
        link=project_page("project-resources"),
    ),
    AlertKindSpec(
        code=ResourceAlertKind.APPROVAL_WAITING.value,
        label=ResourceAlertKind.APPROVAL_WAITING.label,
        direction=ABOVE,
        unit=DAYS,
        threshold=Decimal("3"),
        red_threshold=Decimal("7"),
        severity=Severity.AMBER,
        org_roles=(),
        project_roles=MANAGER,
        explanation=_(
            "Days the project's oldest submitted timesheet line has waited for approval, above the threshold."
        ),
        message=_(
            "%(subject)s: %(lines)s of %(waiting)s timesheet lines waiting for approval have waited longer "
            "than %(threshold)s days; the oldest was submitted on %(submitted_on)s (%(value)s days)."
        ),
        subject_types=(ProjectSubjectType.PROJECT, ResourceSubjectType.TIMESHEET),
        position=320,
        figures=FIGURES,
        link=_approvals_page,
    ),
    AlertKindSpec(
        code=ResourceAlertKind.AWAY_WHILE_ASSIGNED.value,
        label=ResourceAlertKind.AWAY_WHILE_ASSIGNED.label,
        direction=ABOVE,
        unit=WORKING_DAYS,
        threshold=Decimal("0"),
        red_threshold=None,
        severity=Severity.AMBER,
        org_roles=RESOURCE_OFFICE,
        project_roles=MANAGER,
        explanation=_(
            "Working days of a task, from today to its finish, on which its assigned resource is on leave, "
            "in training or otherwise away, above the threshold."
        ),
        message=_(
            "%(subject)s: the resource is away %(away)s, %(value)s working days of the task "
            "(%(task_start)s to %(task_finish)s)."
        ),
        subject_types=(ResourceSubjectType.ASSIGNMENT,),
        position=330,
        figures=FIGURES,
        link=project_page("project-resources"),
    ),
)


def overload_subject(resource_id: int, project_id: int) -> int:
    """The subject id of a resource's over-allocation alert on a project."""
    return resource_id * PAIR + project_id


def overload_parts(subject_id: int) -> tuple[int, int]:
    """The resource's and the project's ids of an over-allocation alert's subject."""
    return divmod(subject_id, PAIR)


def _thresholds(batch: EvaluationBatch) -> dict[str, Decimal]:
    """Each kind's threshold: the organisation's rule, else the kind's default (before its first run)."""
    found = {spec.code: spec.threshold for spec in KINDS}
    rules = AlertRule.objects.for_organization(batch.organization).filter(kind__in=list(found))
    found.update(dict(rules.values_list("kind", "threshold")))
    return found


def _overload_findings(batch: EvaluationBatch, threshold: Decimal) -> list[Finding]:
    """Resources above the threshold in a week ahead, per project of the batch loading them then: six queries."""
    organization, projects = batch.organization, batch.projects
    weeks = (
        ResourceSettings.objects.for_organization(organization).values_list("overallocation_weeks", flat=True).first()
    )
    weeks = weeks or ResourceSettings._meta.get_field("overallocation_weeks").get_default()
    first, last = window(batch.as_of, weeks)
    loaded = Assignment.objects.for_organization(organization).filter(
        project_id__in=list(projects), task__planned_start__lte=last, task__planned_finish__gte=first
    )
    resources = Resource.objects.for_organization(organization).filter(pk__in=loaded.values("resource_id"))
    found = []
    for item in resource_weeks(organization, resources, start=batch.as_of, weeks=weeks).values():
        over = item.over(threshold)
        for project_id in sorted({pk for week in over for pk in week.by_project if pk in projects}):
            mine = [week for week in over if project_id in week.by_project]
            peak = max(week.utilisation or 0.0 for week in mine)
            hours = sum(week.by_project[project_id] for week in mine)
            found.append(
                Finding(
                    ResourceSubjectType.OVERLOAD,
                    overload_subject(item.resource.id, project_id),
                    f"{projects[project_id].code} · {item.resource}",
                    project_id,
                    Decimal(str(peak)),
                    {
                        "value": shown(peak),
                        "resource": str(item.resource),
                        "weeks": ", ".join(
                            f"{week.week_start.isoformat()} ({shown(week.utilisation)}%)" for week in mine
                        ),
                        "project_hours": shown(hours),
                        "as_of": batch.as_of.isoformat(),
                    },
                )
            )
    return found


def _approval_findings(batch: EvaluationBatch, threshold: Decimal) -> list[Finding]:
    """Each project's submitted lines: how many, how many waited longer than the threshold, the oldest: one query."""
    now = timezone.now()
    # Waited longer than the threshold in whole days: (now - submitted).days > threshold.
    cutoff = now - dt.timedelta(days=math.floor(threshold) + 1)
    rows = (
        TimesheetLine.objects.for_organization(batch.organization)
        .filter(project_id__in=list(batch.projects), status=LineStatus.SUBMITTED, submitted_at__isnull=False)
        .values("project_id")
        .annotate(
            waiting=Count("pk"),
            late=Count("pk", filter=models.Q(submitted_at__lte=cutoff)),
            oldest=Min("submitted_at"),
        )
        .order_by("project_id")
        .values_list("project_id", "waiting", "late", "oldest")
    )
    found = []
    zone = zoneinfo.ZoneInfo(batch.organization.time_zone)
    for project_id, waiting, late, oldest in rows:
        project = batch.projects[project_id]
        finding = Finding.waiting(
            ProjectSubjectType.PROJECT, project_id, f"{project.code} {project.name}", project_id, oldest, now
        )
        found.append(
            Finding(
                finding.subject_type,
                finding.subject_id,
                finding.subject_label,
                project_id,
                finding.measure,
                {
                    "value": finding.figures["value"],
                    "lines": str(late),
                    "waiting": str(waiting),
                    "submitted_on": oldest.astimezone(zone).date().isoformat(),
                },
            )
        )
    return found


@dataclass
class _Away:
    """An assignment whose task overlaps absences of its resource, and those absences."""

    project_id: int
    resource: str
    task: str
    start: dt.date
    finish: dt.date
    periods: list[tuple[dt.date, dt.date]] = field(default_factory=list)

    def working_days(self, calendar: WorkCalendar, as_of: dt.date) -> int:
        """The task's working days from ``as_of`` to its finish on which the resource is away."""
        days: set[dt.date] = set()
        for away_start, away_finish in self.periods:
            day, last = max(away_start, self.start, as_of), min(away_finish, self.finish)
            while day <= last:
                if calendar.is_working_day(day):
                    days.add(day)
                day += dt.timedelta(days=1)
        return len(days)


def _away_findings(batch: EvaluationBatch) -> list[Finding]:
    """Assignments whose task, from today on, overlaps an absence of the resource: one query."""
    as_of, projects = batch.as_of, batch.projects
    rows = (
        Assignment.objects.for_organization(batch.organization)
        .filter(
            # One filter call: every condition on the exceptions is about the same absence.
            models.Q(resource__exceptions__finish__gte=as_of),
            models.Q(resource__exceptions__finish__gte=F("task__planned_start")),
            project_id__in=list(projects),
            task__planned_finish__gte=as_of,
            task__actual_finish__isnull=True,
            resource__exceptions__kind__in=sorted(ABSENCE_KINDS),
            resource__exceptions__start__lte=F("task__planned_finish"),
        )
        .order_by("pk", "resource__exceptions__start")
        .values_list(
            "pk",
            "project_id",
            "resource__code",
            "resource__name",
            "task__code",
            "task__name",
            "task__planned_start",
            "task__planned_finish",
            "resource__exceptions__start",
            "resource__exceptions__finish",
        )
    )
    found: dict[int, _Away] = {}
    for pk, project_id, code, name, task_code, task_name, start, finish, away_start, away_finish in rows:
        away = found.get(pk)
        if away is None:
            away = found[pk] = _Away(project_id, f"{code} {name}", f"{task_code} {task_name}", start, finish)
        away.periods.append((away_start, away_finish))
    findings = []
    for pk, away in found.items():
        days = away.working_days(batch.calendars[away.project_id], as_of)
        findings.append(
            Finding(
                ResourceSubjectType.ASSIGNMENT,
                pk,
                f"{projects[away.project_id].code} · {away.task} · {away.resource}",
                away.project_id,
                Decimal(days),
                {
                    "value": str(days),
                    "resource": away.resource,
                    "task": away.task,
                    "task_start": away.start.isoformat(),
                    "task_finish": away.finish.isoformat(),
                    "away": ", ".join(f"{first.isoformat()}/{last.isoformat()}" for first, last in away.periods),
                    "as_of": as_of.isoformat(),
                },
            )
        )
    return findings


def evaluate(batch: EvaluationBatch) -> Mapping[str, Iterable[Finding]]:
    if not batch.projects:
        return {}
    thresholds = _thresholds(batch)
    return {
        ResourceAlertKind.OVERALLOCATED: _overload_findings(batch, thresholds[ResourceAlertKind.OVERALLOCATED]),
        ResourceAlertKind.APPROVAL_WAITING: _approval_findings(batch, thresholds[ResourceAlertKind.APPROVAL_WAITING]),
        ResourceAlertKind.AWAY_WHILE_ASSIGNED: _away_findings(batch),
    }


def office_approvals_sync(*, organization: Organization, now: dt.datetime | None = None) -> SyncResult:
    """Lines outside any project (leave, training, administration) waiting longer than the rule's threshold.

    They belong to no project, so the variance run does not see them: the hourly timesheet run calls
    this. One alert per timesheet with such lines, told to the resource managers (who decide them);
    resolved once none of its lines waits longer than the threshold. Three queries and the writes.
    """
    now = now or timezone.now()
    rule = alert_rules_ensure(organization)[ResourceAlertKind.APPROVAL_WAITING]
    cutoff = now - dt.timedelta(days=math.floor(rule.threshold) + 1)
    rows = (
        TimesheetLine.objects.for_organization(organization)
        .filter(project__isnull=True, status=LineStatus.SUBMITTED, submitted_at__isnull=False)
        .values("timesheet_id")
        .annotate(
            waiting=Count("pk"),
            late=Count("pk", filter=models.Q(submitted_at__lte=cutoff)),
            oldest=Min("submitted_at"),
        )
        .order_by("timesheet_id")
        .values_list(
            "timesheet_id",
            "timesheet__resource__code",
            "timesheet__resource__name",
            "timesheet__week_start",
            "waiting",
            "late",
            "oldest",
        )
    )
    zone = zoneinfo.ZoneInfo(organization.time_zone)
    findings = []
    for timesheet_id, code, name, week, waiting, late, oldest in rows:
        if not late:
            continue
        year, number, _weekday = week.isocalendar()
        days = (now - oldest).days
        findings.append(
            Finding(
                ResourceSubjectType.TIMESHEET,
                timesheet_id,
                f"{code} {name} · {year}-W{number:02d}",
                None,
                Decimal(days),
                {
                    "value": str(days),
                    "lines": str(late),
                    "waiting": str(waiting),
                    "submitted_on": oldest.astimezone(zone).date().isoformat(),
                },
            )
        )
    office = [
        membership.user
        for membership in Membership.objects.for_organization(organization)
        .filter(role__in=RESOURCE_OFFICE, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    ]
    result = alerts_open_for_people(
        organization=organization,
        kind=ResourceAlertKind.APPROVAL_WAITING,
        findings=[(finding, office) for finding in findings],
    )
    still = {finding.subject_id for finding in findings}
    cleared = (
        Alert.objects.for_organization(organization)
        .filter(
            kind=ResourceAlertKind.APPROVAL_WAITING,
            subject_type=ResourceSubjectType.TIMESHEET,
            status__in=[AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED],
        )
        .exclude(subject_id__in=still)
        .values_list("subject_id", flat=True)
    )
    result.add(
        alerts_resolve_subjects(
            organization=organization,
            kind=ResourceAlertKind.APPROVAL_WAITING,
            subject_type=ResourceSubjectType.TIMESHEET,
            subject_ids=list(cleared),
        )
    )
    return result


def register() -> None:
    """Register the resource alert kinds with the core's alert engine."""
    for subject_type in ResourceSubjectType:
        alert_kinds.register_subject_type(subject_type.value, subject_type.label)
    for spec in KINDS:
        alert_kinds.register(spec)
    alert_kinds.evaluator(evaluate, kinds=ResourceAlertKind.values)
