"""Timesheet reminders: a person whose last week is not submitted by the organisation's deadline is told.

The deadline is a weekday and time of the week after (``ResourceSettings``, by default Monday
12:00) in the organisation's time zone. After it, each named person linked to a member whose
timesheet of last week is missing, draft or returned gets one in-app notification (an alert of the
kind ``timesheet_missing``, addressed to that person alone); a ``TimesheetReminder`` row keeps it
to once a week. Submitting the week resolves the reminder's alert.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pmo.alerts.kinds import ABOVE, DAYS, AlertKindSpec, alert_kinds
from pmo.alerts.services import Finding, alerts_open_for_people, alerts_resolve_subjects
from pmo.models import Alert, Membership, Organization, Severity, User
from resources.models import Resource, ResourceKind, Timesheet, TimesheetReminder, TimesheetStatus
from resources.services.settings import resource_settings


class ReminderAlertKind(models.TextChoices):
    TIMESHEET_MISSING = "timesheet_missing", _("Timesheet not submitted")


class ReminderSubjectType(models.TextChoices):
    TIMESHEET_WEEK = "timesheet_week", _("Timesheet week")


KIND = ReminderAlertKind.TIMESHEET_MISSING.value
SUBJECT = ReminderSubjectType.TIMESHEET_WEEK.value
#: A week whose timesheet is in one of these has been handed in.
HANDED_IN = (TimesheetStatus.SUBMITTED, TimesheetStatus.APPROVED)


def _timesheet_page(alert: Alert, org_slug: str) -> str | None:
    try:
        url = reverse("org-timesheet", kwargs={"org_slug": org_slug})
    except NoReverseMatch:
        return None
    week = alert.figures.get("week_start")
    return f"{url}?week={week}" if week else url


SPEC = AlertKindSpec(
    code=KIND,
    label=ReminderAlertKind.TIMESHEET_MISSING.label,
    direction=ABOVE,
    unit=DAYS,
    threshold=Decimal("0"),
    red_threshold=None,
    severity=Severity.AMBER,
    org_roles=(),
    project_roles=(),
    explanation=_(
        "Days since the organisation's deadline for last week's timesheet; the person whose week is not "
        "submitted is told, once a week."
    ),
    message=_("The timesheet of %(subject)s was due %(due)s and is not submitted yet."),
    subject_types=(SUBJECT,),
    position=340,
    link=_timesheet_page,
    figures=(("due", _("Due")), ("week", _("Week")), ("week_start", _("Monday of the week"))),
)


def register_alert_kind() -> None:
    alert_kinds.register_subject_type(SUBJECT, ReminderSubjectType.TIMESHEET_WEEK.label)
    alert_kinds.register(SPEC)


def deadline_of(organization: Organization, week_start: dt.date, weekday: int, at: dt.time) -> dt.datetime:
    """When the timesheet of the week starting ``week_start`` is due: ``weekday`` and ``at`` of the next week."""
    zone = zoneinfo.ZoneInfo(organization.time_zone)
    day = week_start + dt.timedelta(days=7 + weekday)
    return dt.datetime.combine(day, at, tzinfo=zone)


def _last_week(organization: Organization, now: dt.datetime) -> dt.date:
    local = now.astimezone(zoneinfo.ZoneInfo(organization.time_zone)).date()
    return local - dt.timedelta(days=local.weekday() + 7)


@transaction.atomic
def timesheet_reminders_send(*, organization: Organization, now: dt.datetime | None = None) -> int:
    """Remind each person whose last week is not submitted once its deadline has passed; how many were told.

    Idempotent: a person reminded of a week is not reminded of it again.
    """
    now = now or timezone.now()
    settings = resource_settings(organization)
    week = _last_week(organization, now)
    due = deadline_of(organization, week, settings.timesheet_deadline_weekday, settings.timesheet_deadline_time)
    if now < due:
        return 0
    members = Membership.objects.for_organization(organization).filter(user__is_active=True).values("user_id")
    people = list(
        Resource.objects.for_organization(organization)
        .filter(kind=ResourceKind.PERSON, is_active=True, user_id__in=members)
        .select_related("user")
        .order_by("pk")
    )
    handed_in = set(
        Timesheet.objects.for_organization(organization)
        .filter(week_start=week, status__in=HANDED_IN)
        .values_list("resource_id", flat=True)
    )
    reminded = set(
        TimesheetReminder.objects.for_organization(organization)
        .filter(week_start=week)
        .values_list("resource_id", flat=True)
    )
    late = [person for person in people if person.pk not in handed_in and person.pk not in reminded]
    if not late:
        return 0
    TimesheetReminder.objects.bulk_create(
        [
            TimesheetReminder(organization=organization, resource=person, week_start=week, sent_at=now)
            for person in late
        ],
        ignore_conflicts=True,
    )
    rows = dict(
        TimesheetReminder.objects.for_organization(organization)
        .filter(week_start=week, resource__in=late)
        .values_list("resource_id", "pk")
    )
    overdue = Decimal((now - due).total_seconds() / 86400).quantize(Decimal("0.01"))
    label = _week_label(week)
    findings: list[tuple[Finding, list[User]]] = []
    for person in late:
        user: Any = person.user
        finding = Finding(
            SUBJECT,
            rows[person.pk],
            f"{person.name}, {label}",
            None,
            max(overdue, Decimal("0.01")),
            {
                "value": str(overdue),
                "due": due.strftime("%Y-%m-%d %H:%M"),
                "week": label,
                "week_start": week.isoformat(),
            },
        )
        findings.append((finding, [user]))
    alerts_open_for_people(organization=organization, kind=KIND, findings=findings)
    return len(late)


def _week_label(week_start: dt.date) -> str:
    year, number, _weekday = week_start.isocalendar()
    return f"{year}-W{number:02d}"


def reminder_alerts_resolve(timesheet: Timesheet) -> None:
    """The week is handed in: resolve its reminder's alert, if one was sent."""
    if timesheet.status not in HANDED_IN:
        return
    ids = TimesheetReminder.objects.for_organization(timesheet.organization_id).filter(
        resource_id=timesheet.resource_id, week_start=timesheet.week_start
    )
    subject_ids = list(ids.values_list("pk", flat=True))
    if subject_ids:
        alerts_resolve_subjects(
            organization=timesheet.organization, kind=KIND, subject_type=SUBJECT, subject_ids=subject_ids
        )
