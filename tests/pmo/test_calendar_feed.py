"""The calendar feed: its secret address, what it answers without a session, and its iCalendar text."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import icalendar
import pytest
from django.test import Client
from django.urls import reverse

from pmo.authentication import hash_secret
from pmo.calendar_feed.services import calendar_feed_regenerate, calendar_feed_revoke
from pmo.calendar_feed.sources import calendar_sources
from pmo.models import AuditEvent, CalendarFeed, Membership, Organization, OrgRole
from projects.models import Phase, WbsElement
from tests.conftest import api_client_for, page_client_for
from tests.factories import (
    ContractorFactory,
    InspectionFactory,
    OrganizationFactory,
    ProjectFactory,
    ProjectMemberFactory,
    RiskFactory,
    RoundFactory,
    WbsElementFactory,
    WorkOrderFactory,
    member,
)

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def feed_path(secret: str) -> str:
    return reverse("calendar-feed", kwargs={"secret": secret})


def fetch(secret: str, **headers: Any) -> Any:
    """The feed as a calendar program asks for it: no session, no cookie."""
    return Client().get(feed_path(secret), headers=headers)


def parsed(response: Any) -> icalendar.Calendar:
    assert response.status_code == 200, response.status_code
    return icalendar.Calendar.from_ical(response.content)


def events(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


def milestone(organization: Organization, membership: Membership, day: dt.date, **fields: Any) -> WbsElement:
    project = fields.pop("project", None) or ProjectFactory(organization=organization, phase=Phase.EXECUTION)
    ProjectMemberFactory(project=project, user=membership.user, role="member")
    return WbsElementFactory(
        project=project, kind=WbsElement.Kind.MILESTONE, duration=0, planned_finish=day, planned_start=day, **fields
    )


@pytest.fixture
def person(organization: Organization) -> Membership:
    return member(organization, OrgRole.PROJECT_MANAGER, username="mei")


@pytest.fixture
def secret(person: Membership) -> str:
    return calendar_feed_regenerate(actor=person.user, organization=person.organization)[1]


def test_the_feed_answers_without_a_session_as_an_icalendar_file(person: Membership, secret: str) -> None:
    today = person.organization.today()
    element = milestone(person.organization, person, today + dt.timedelta(days=10), name="Roof closed")
    response = fetch(secret)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = parsed(response)
    assert str(calendar["version"]) == "2.0"
    assert calendar["prodid"]
    [event] = calendar.walk("VEVENT")
    assert str(event["uid"]) == f"milestones-milestone-{element.pk}-{person.organization_id}@pmo"
    assert "Roof closed" in str(event["summary"])
    assert event["dtstamp"].dt.tzinfo is not None
    assert event["url"].startswith("http://testserver/o/acme/projects/")


def test_an_unknown_secret_answers_404(secret: str) -> None:
    assert fetch("x" * 43).status_code == 404


def test_revoking_stops_the_feed_at_once(person: Membership, secret: str) -> None:
    assert fetch(secret).status_code == 200
    assert calendar_feed_revoke(actor=person.user, organization=person.organization) is True
    assert fetch(secret).status_code == 404


def test_a_new_address_ends_the_old_one(person: Membership, secret: str) -> None:
    _feed, new = calendar_feed_regenerate(actor=person.user, organization=person.organization)
    assert fetch(secret).status_code == 404
    assert fetch(new).status_code == 200
    assert CalendarFeed.objects.for_organization(person.organization).count() == 1


def test_only_a_hash_of_the_secret_is_stored(person: Membership, secret: str) -> None:
    feed = CalendarFeed.objects.for_organization(person.organization).get()
    assert feed.token_hash == hash_secret(secret)
    assert secret not in str(list(CalendarFeed.objects.for_organization(person.organization).values()))


def test_a_person_who_left_the_organisation_or_was_deactivated_has_no_feed(person: Membership, secret: str) -> None:
    person.user.is_active = False
    person.user.save()
    assert fetch(secret).status_code == 404
    person.user.is_active = True
    person.user.save()
    Membership.objects.for_organization(person.organization).filter(pk=person.pk).delete()
    assert fetch(secret).status_code == 404


def test_dates_are_all_day_events_and_deadlines_are_in_the_organisations_time_zone(
    person: Membership, secret: str
) -> None:
    organization = person.organization
    day = organization.today() + dt.timedelta(days=3)
    element = milestone(organization, person, day)
    # 02:00 UTC is 10:00 in Shanghai.
    due = dt.datetime.combine(day, dt.time(2, 0), tzinfo=dt.UTC)
    order = WorkOrderFactory(
        organization=organization,
        assignee=person.user,
        response_due_at=due,
        resolution_due_at=due + dt.timedelta(hours=8),
    )
    calendar = parsed(fetch(secret))
    by_uid = events(calendar)
    all_day = by_uid[f"milestones-milestone-{element.pk}-{organization.pk}@pmo"]
    assert all_day["dtstart"].dt == day
    assert not isinstance(all_day["dtstart"].dt, dt.datetime)
    assert all_day["dtend"].dt == day + dt.timedelta(days=1)
    response = by_uid[f"work_orders-work-order-{order.pk}-response-{organization.pk}@pmo"]
    start = response["dtstart"].dt
    assert start == due
    assert start.tzinfo is not None
    assert start.utcoffset() == dt.timedelta(hours=8)
    assert start.hour == 10
    assert response["dtstart"].params["TZID"] == "Asia/Shanghai"
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    assert str(calendar["x-wr-timezone"]) == "Asia/Shanghai"


def test_another_organisations_time_zone_moves_the_times(secret: str, person: Membership) -> None:
    organization = person.organization
    organization.time_zone = "Europe/Berlin"
    organization.save()
    due = dt.datetime.combine(organization.today() + dt.timedelta(days=40), dt.time(9, 30), tzinfo=dt.UTC)
    WorkOrderFactory(organization=organization, assignee=person.user, response_due_at=due, resolution_due_at=due)
    calendar = parsed(fetch(secret))
    starts = [event["dtstart"] for event in calendar.walk("VEVENT")]
    assert {start.params["TZID"] for start in starts} == {"Europe/Berlin"}
    assert all(start.dt == due for start in starts)
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]


def test_the_owners_own_time_zone_comes_before_the_organisations(secret: str, person: Membership) -> None:
    organization = person.organization
    person.user.time_zone = "America/New_York"
    person.user.save()
    # 14:00 UTC on a day in January is 09:00 in New York (and 22:00 in Shanghai).
    due = dt.datetime(organization.today().year + 1, 1, 15, 14, 0, tzinfo=dt.UTC)
    order = WorkOrderFactory(
        organization=organization, assignee=person.user, response_due_at=due, resolution_due_at=due
    )
    calendar = parsed(fetch(secret))
    assert str(calendar["x-wr-timezone"]) == "America/New_York"
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["America/New_York"]
    start = events(calendar)[f"work_orders-work-order-{order.pk}-response-{organization.pk}@pmo"]["dtstart"]
    assert start.params["TZID"] == "America/New_York"
    assert (start.dt, start.dt.hour) == (due, 9)


def test_an_owner_without_a_time_zone_reads_the_organisations(secret: str, person: Membership) -> None:
    person.user.time_zone = ""
    person.user.save()
    due = dt.datetime.combine(person.organization.today() + dt.timedelta(days=4), dt.time(2, 0), tzinfo=dt.UTC)
    WorkOrderFactory(organization=person.organization, assignee=person.user, response_due_at=due, resolution_due_at=due)
    calendar = parsed(fetch(secret))
    assert str(calendar["x-wr-timezone"]) == "Asia/Shanghai"
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    assert {event["dtstart"].dt.hour for event in calendar.walk("VEVENT")} == {10}


def test_the_feed_follows_its_owner_not_whoever_is_signed_in(secret: str, person: Membership) -> None:
    """A calendar program brings no session; a signed-in browser opening the address changes nothing."""
    person.user.time_zone = "Asia/Tokyo"
    person.user.save()
    someone = member(person.organization, OrgRole.ADMIN, username="lena").user
    someone.time_zone = "Europe/London"
    someone.save()
    calendar = parsed(page_client_for(someone).get(feed_path(secret)))
    assert str(calendar["x-wr-timezone"]) == "Asia/Tokyo"


def test_a_new_time_zone_of_the_owner_is_a_new_etag(secret: str, person: Membership) -> None:
    milestone(person.organization, person, person.organization.today() + dt.timedelta(days=2))
    first = fetch(secret)["ETag"]
    assert fetch(secret, if_none_match=first).status_code == 304
    api_client_for(person.user).patch("/api/v1/me/", {"time_zone": "Europe/London"}, format="json")
    second = fetch(secret, if_none_match=first)
    assert second.status_code == 200
    assert second["ETag"] != first
    assert str(parsed(second)["x-wr-timezone"]) == "Europe/London"
    api_client_for(person.user).patch("/api/v1/me/", {"time_zone": ""}, format="json")
    assert fetch(secret)["ETag"] == first


def test_uids_are_stable_between_fetches(person: Membership, secret: str) -> None:
    milestone(person.organization, person, person.organization.today() + dt.timedelta(days=5))
    RiskFactory(organization=person.organization, owner=person.user, next_review=person.organization.today())
    first, second = events(parsed(fetch(secret))), events(parsed(fetch(secret)))
    assert len(first) == 2
    assert first.keys() == second.keys()


def test_the_window_runs_from_90_days_back_to_a_year_ahead(person: Membership, secret: str) -> None:
    organization = person.organization
    today = organization.today()
    inside = [today - dt.timedelta(days=90), today + dt.timedelta(days=365)]
    outside = [today - dt.timedelta(days=91), today + dt.timedelta(days=366)]
    kept = [milestone(organization, person, day).pk for day in inside]
    for day in outside:
        milestone(organization, person, day)
    found = events(parsed(fetch(secret)))
    assert sorted(found) == sorted(f"milestones-milestone-{pk}-{organization.pk}@pmo" for pk in kept)


def test_another_organisations_records_never_reach_the_feed(person: Membership, secret: str) -> None:
    """The same person in a second organisation: its milestones, inspections, rounds, work orders and risks
    stay in that organisation's feed."""
    other = OrganizationFactory(slug="rival")
    there = member(other, OrgRole.PROJECT_MANAGER, username="mei")
    day = other.today() + dt.timedelta(days=7)
    milestone(other, there, day, name="Rival milestone")
    InspectionFactory(organization=other, inspector=there.user, scheduled_date=day)
    RoundFactory(organization=other, inspector=there.user, due_date=day, period_start=day, period_end=day)
    WorkOrderFactory(organization=other, assignee=there.user)
    RiskFactory(organization=other, owner=there.user, next_review=day)
    assert events(parsed(fetch(secret))) == {}
    _feed, rival_secret = calendar_feed_regenerate(actor=there.user, organization=other)
    assert len(events(parsed(fetch(rival_secret)))) == 6  # the work order's two deadlines


def test_the_feed_runs_a_fixed_number_of_queries(
    person: Membership, secret: str, django_assert_num_queries: Any
) -> None:
    organization = person.organization
    day = organization.today() + dt.timedelta(days=2)
    contractor = ContractorFactory(organization=organization, user=person.user)
    for _ in range(3):
        milestone(organization, person, day)
        InspectionFactory(organization=organization, inspector=person.user, scheduled_date=day)
        WorkOrderFactory(organization=organization, contractor=contractor)
        RiskFactory(organization=organization, owner=person.user, next_review=day)
    for offset in range(3):
        start = day + dt.timedelta(days=7 * offset)
        RoundFactory(
            organization=organization, inspector=person.user, period_start=start, period_end=start, due_date=start
        )
    # One to find the feed, its organisation, person and membership; one per source.
    assert calendar_sources.queries == 5
    with django_assert_num_queries(6):
        calendar = parsed(fetch(secret))
    assert len(events(calendar)) == 3 + 3 + 6 + 3 + 3


def test_an_unchanged_feed_answers_304_to_its_etag(person: Membership, secret: str) -> None:
    first = fetch(secret)
    assert first["ETag"]
    assert "max-age" in first["Cache-Control"]
    assert fetch(secret, if_none_match=first["ETag"]).status_code == 304
    milestone(person.organization, person, person.organization.today())
    assert fetch(secret, if_none_match=first["ETag"]).status_code == 200


def test_the_feed_speaks_its_owners_language(person: Membership, secret: str) -> None:
    person.user.language = "zh-hans"
    person.user.save()
    RiskFactory(organization=person.organization, owner=person.user, next_review=person.organization.today())
    [event] = parsed(fetch(secret)).walk("VEVENT")
    assert str(event["summary"]).startswith("风险复核")


# --- the page ----------------------------------------------------------------------------------


def test_the_page_shows_the_address_once_and_revokes_it(person: Membership) -> None:
    client = page_client_for(person.user)
    url = reverse("org-calendar-feed", kwargs={"org_slug": "acme"})
    assert "You have no calendar feed." in client.get(url).content.decode()
    made = client.post(url, {"op": "regenerate"})
    assert made.status_code == 200
    address = made.context["new_url"]
    assert address.startswith("http://testserver/calendar/")
    assert address in made.content.decode()
    shown = client.get(url).content.decode()
    assert address not in shown
    assert "Make a new address" in shown
    assert Client().get(address).status_code == 200
    revoked = client.post(url, {"op": "revoke"}, follow=True)
    assert "no longer works" in revoked.content.decode()
    assert Client().get(address).status_code == 404


def test_regenerating_and_revoking_are_audited(person: Membership) -> None:
    organization, user = person.organization, person.user
    calendar_feed_regenerate(actor=user, organization=organization)
    calendar_feed_regenerate(actor=user, organization=organization)
    calendar_feed_revoke(actor=user, organization=organization)
    assert calendar_feed_revoke(actor=user, organization=organization) is False
    actions = list(
        AuditEvent.objects.for_organization(organization)
        .filter(actor=user)
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["calendar_feed.created", "calendar_feed.regenerated", "calendar_feed.revoked"]


def test_the_account_menu_links_to_the_page(person: Membership) -> None:
    page = page_client_for(person.user).get(reverse("org-alert-inbox", kwargs={"org_slug": "acme"}))
    assert reverse("org-calendar-feed", kwargs={"org_slug": "acme"}) in page.content.decode()


def test_the_page_names_the_time_zone_of_the_feed_and_links_to_the_profile(person: Membership) -> None:
    client = page_client_for(person.user)
    url = reverse("org-calendar-feed", kwargs={"org_slug": "acme"})
    assert "with times in Asia/Shanghai" in client.get(url).content.decode()
    person.user.time_zone = "Europe/Berlin"
    person.user.save()
    page = client.get(url).content.decode()
    assert "with times in Europe/Berlin" in page
    assert reverse("profile") in page


# --- the API -----------------------------------------------------------------------------------


def test_the_api_makes_shows_and_revokes_the_callers_feed(person: Membership) -> None:
    api = api_client_for(person.user)
    url = reverse("api-calendar-feed", kwargs={"org_slug": "acme"})
    assert api.get(url).json() == {"active": False, "created_at": None, "url": None}
    made = api.post(url)
    assert made.status_code == 201
    body = made.json()
    assert body["active"] is True
    assert body["url"].startswith("http://testserver/calendar/")
    assert Client().get(body["url"]).status_code == 200
    shown = api.get(url).json()
    assert shown["active"] is True
    assert shown["url"] is None
    assert shown["created_at"] == body["created_at"]
    assert api.delete(url).status_code == 204
    assert Client().get(body["url"]).status_code == 404
    assert api.delete(url).status_code == 204


def test_a_feed_is_its_owners_alone(person: Membership, organization: Organization) -> None:
    """Another member's call makes their own feed and never touches the first one's."""
    _feed, secret = calendar_feed_regenerate(actor=person.user, organization=organization)
    colleague = member(organization, OrgRole.VIEWER, username="viewer")
    api = api_client_for(colleague.user)
    url = reverse("api-calendar-feed", kwargs={"org_slug": "acme"})
    assert api.delete(url).status_code == 204
    assert fetch(secret).status_code == 200
    assert api.post(url).status_code == 201
    assert CalendarFeed.objects.for_organization(organization).count() == 2
