"""Working calendars: weekdays, holidays and make-up days; projects on a calendar follow it."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from pmo.errors import ApplicationError
from pmo.models import AuditEvent, CalendarException, Membership, Organization, OrgRole, WorkingCalendar
from pmo.services import calendar_create, calendar_exception_add, calendar_update
from projects.models import WbsElement
from tests.conftest import page_client_for
from tests.factories import member
from tests.projects.helpers import add_task, make_project

pytestmark = pytest.mark.django_db
D = dt.date


def default_calendar(organization: Organization) -> WorkingCalendar:
    return WorkingCalendar.objects.for_organization(organization).get(is_default=True)


def test_a_holiday_reschedules_the_projects_on_the_calendar(
    organization: Organization,
    admin_member: Membership,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    project = make_project(organization, actor=admin_member)
    task = add_task(project, "Survey", actor=admin_member)
    assert task.planned_finish == D(2026, 3, 6)
    with django_capture_on_commit_callbacks(execute=True):
        calendar_exception_add(
            actor=admin_member.user, calendar=default_calendar(organization), date=D(2026, 3, 4), name="Holiday"
        )
    assert WbsElement.objects.for_organization(organization).get(pk=task.pk).planned_finish == D(2026, 3, 9)


def test_a_make_up_working_day_must_fall_on_a_day_off(organization: Organization, admin_member: Membership) -> None:
    calendar = default_calendar(organization)
    with pytest.raises(ApplicationError) as raised:
        calendar_exception_add(actor=admin_member.user, calendar=calendar, date=D(2026, 3, 4), is_working=True)
    assert "is_working" in raised.value.fields
    with pytest.raises(ApplicationError):
        calendar_exception_add(actor=admin_member.user, calendar=calendar, date=D(2026, 3, 7))  # a Saturday
    calendar_exception_add(actor=admin_member.user, calendar=calendar, date=D(2026, 3, 7), is_working=True)
    with pytest.raises(ApplicationError):  # one exception a day
        calendar_exception_add(actor=admin_member.user, calendar=calendar, date=D(2026, 3, 7), is_working=True)
    assert CalendarException.objects.for_organization(organization).count() == 1


def test_there_is_always_exactly_one_default_calendar(organization: Organization, admin_member: Membership) -> None:
    six_days = calendar_create(
        actor=admin_member.user, organization=organization, name="Six days", working_weekdays=[0, 1, 2, 3, 4, 5]
    )
    calendar_update(actor=admin_member.user, calendar=six_days, is_default=True)
    defaults = WorkingCalendar.objects.for_organization(organization).filter(is_default=True)
    assert list(defaults.values_list("name", flat=True)) == ["Six days"]
    with pytest.raises(ApplicationError):
        calendar_update(actor=admin_member.user, calendar=six_days, is_default=False)
    assert AuditEvent.objects.for_organization(organization).filter(action__startswith="calendar.").count() == 2


def test_a_calendar_without_working_days_is_refused(organization: Organization, admin_member: Membership) -> None:
    with pytest.raises(ApplicationError):
        calendar_create(actor=admin_member.user, organization=organization, name="Never", working_weekdays=[])
    assert WorkingCalendar.objects.for_organization(organization).count() == 1


def test_the_calendar_api_lists_creates_and_adds_exceptions(api: APIClient, organization: Organization) -> None:
    created = api.post("/api/v1/orgs/acme/calendars/", {"name": "Site", "working_weekdays": [0, 1, 2, 3, 4, 5]})
    assert created.status_code == 201, created.json()
    calendar_id = created.json()["id"]
    added = api.post(
        f"/api/v1/orgs/acme/calendars/{calendar_id}/exceptions/", {"date": "2026-10-01", "name": "National Day"}
    )
    assert added.status_code == 201, added.json()
    listing = api.get(f"/api/v1/orgs/acme/calendars/{calendar_id}/exceptions/").json()
    assert [row["date"] for row in listing["results"]] == ["2026-10-01"]
    assert api.post("/api/v1/orgs/acme/calendars/", {"name": "Bad", "working_weekdays": [9]}).status_code == 400


def test_members_read_calendars_and_the_pmo_office_edits_them(organization: Organization) -> None:
    viewer = page_client_for(member(organization, OrgRole.VIEWER).user)
    assert viewer.get("/o/acme/settings/calendars/").status_code == 200
    assert viewer.post("/o/acme/settings/calendars/", {"name": "X", "working_weekdays": [0]}).status_code == 403
    pmo = page_client_for(member(organization, OrgRole.PMO).user)
    response = pmo.post("/o/acme/settings/calendars/", {"name": "Six days", "working_weekdays": ["0", "1", "5"]})
    assert response.status_code == 302
    calendar = WorkingCalendar.objects.for_organization(organization).get(name="Six days")
    assert calendar.working_weekdays == [0, 1, 5]
    page = pmo.post(f"/o/acme/settings/calendars/{calendar.pk}/", {"date": "2026-03-07", "is_working": "on"})
    assert page.status_code == 400  # a Saturday is a working day on this calendar already
    assert "is_working" in page.context["exception_form"].errors


@pytest.mark.django_db
def test_the_working_weekdays_are_a_group_named_by_its_legend_above_the_days(organization: Organization) -> None:
    import re

    pmo = page_client_for(member(organization, OrgRole.PMO, language="en").user)
    calendar = WorkingCalendar.objects.for_organization(organization).first()
    assert calendar is not None
    html = pmo.get(f"/o/acme/settings/calendars/{calendar.pk}/").content.decode()

    group = re.search(r"<fieldset[^>]*>\s*<legend[^>]*>(.*?)</legend>(.*?)</fieldset>", html, re.S)
    assert group is not None
    assert "Working weekdays" in group.group(1)
    assert group.group(2).count('type="checkbox"') == 7
    assert "Working weekdays" not in group.group(2)  # the name is no longer a label beside one of the days
