"""Timesheet reminders: after the organisation's deadline, once a week, to the person alone."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from pmo.models import Alert, AlertStatus, Notification, OrgRole
from resources.models import TimesheetReminder
from resources.services import reminders
from resources.services import timesheets as services
from resources.services.settings import resource_settings
from resources.tasks import timesheet_reminders
from tests.factories import ResourceFactory, member
from tests.resources.timesheets_support import MONDAY, Site, make_site

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def site() -> Site:
    return make_site()


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A moment in the organisation's zone (Asia/Shanghai, UTC+8)."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


NEXT_MONDAY = MONDAY + dt.timedelta(days=7)


def notified(site: Site) -> list[tuple[str, str]]:
    return list(
        Notification.objects.for_organization(site.org).order_by("pk").values_list("user__username", "alert__kind")
    )


def test_nobody_is_reminded_before_the_deadline_and_the_late_person_once_after_it(site: Site) -> None:
    # Last week is 2 to 8 March; it is due on Monday 9 March at 12:00 in Shanghai (04:00 UTC).
    assert reminders.timesheet_reminders_send(organization=site.org, now=at(NEXT_MONDAY, 11, 59)) == 0
    assert notified(site) == []

    assert reminders.timesheet_reminders_send(organization=site.org, now=at(NEXT_MONDAY, 12, 1)) == 1
    assert reminders.timesheet_reminders_send(organization=site.org, now=at(NEXT_MONDAY, 18)) == 0

    assert notified(site) == [("acme-lin", "timesheet_missing")]
    alert = Alert.objects.for_organization(site.org).get(kind="timesheet_missing")
    assert alert.project_id is None
    assert "2026-W10" in alert.message
    assert "2026-03-09 12:00" in alert.message
    reminder = TimesheetReminder.objects.for_organization(site.org).get()
    assert (reminder.resource, reminder.week_start) == (site.resource, MONDAY)


def test_a_submitted_week_and_people_without_a_user_are_not_reminded(site: Site) -> None:
    site.submitted(8)
    ResourceFactory(organization=site.org, code="R-CRANE", name="Crane crew")
    assert reminders.timesheet_reminders_send(organization=site.org, now=at(NEXT_MONDAY, 13)) == 0


def test_a_returned_week_is_reminded_and_submitting_it_resolves_the_reminder(site: Site) -> None:
    line = site.submitted(8)
    services.timesheet_line_reject(actor=site.manager, line=line, reason="Wrong task")
    assert reminders.timesheet_reminders_send(organization=site.org, now=at(NEXT_MONDAY, 13)) == 1

    services.timesheet_submit(actor=site.person, timesheet=site.week())

    alert = Alert.objects.for_organization(site.org).get(kind="timesheet_missing")
    assert alert.status == AlertStatus.RESOLVED


def test_the_organisations_own_deadline_counts(site: Site) -> None:
    rules = resource_settings(site.org)
    rules.timesheet_deadline_weekday = 1  # Tuesday
    rules.timesheet_deadline_time = dt.time(9, 30)
    rules.save()
    assert reminders.timesheet_reminders_send(organization=site.org, now=at(NEXT_MONDAY, 18)) == 0
    assert (
        reminders.timesheet_reminders_send(organization=site.org, now=at(NEXT_MONDAY + dt.timedelta(days=1), 9, 31))
        == 1
    )


def test_a_disabled_rule_tells_nobody_but_the_week_is_still_counted_as_reminded(site: Site) -> None:
    from pmo.alerts.services import alert_rules_ensure

    rule = alert_rules_ensure(site.org)["timesheet_missing"]
    rule.enabled = False
    rule.save()
    reminders.timesheet_reminders_send(organization=site.org, now=at(NEXT_MONDAY, 13))
    assert notified(site) == []
    assert TimesheetReminder.objects.for_organization(site.org).count() == 1


def test_the_hourly_task_reminds_every_organisation_of_last_week(
    site: Site, django_capture_on_commit_callbacks: Any
) -> None:
    other = make_site("rival")
    member(other.org, OrgRole.MEMBER)
    today = timezone.now().astimezone(SHANGHAI).date()
    last_week = today - dt.timedelta(days=today.weekday() + 7)
    due = at(last_week + dt.timedelta(days=7), 12)

    with django_capture_on_commit_callbacks(execute=True):
        timesheet_reminders.delay()

    sent = TimesheetReminder.objects.for_organization(site.org).values_list("week_start", flat=True)
    if timezone.now() >= due:
        assert list(sent) == [last_week]
        assert TimesheetReminder.objects.for_organization(other.org).count() == 1
    else:
        assert list(sent) == []
    assert settings.CELERY_BEAT_SCHEDULE["timesheet-reminders-hourly"]["task"] == "resources.timesheet_reminders"
