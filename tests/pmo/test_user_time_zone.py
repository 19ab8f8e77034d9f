"""Each person's own time zone: chosen on the profile page or through ``/me/``, and shown by the pages,
the API, PDF reports and jobs (the organisation's when the person has none)."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from pmo import services
from pmo.errors import ApplicationError
from pmo.forms import COMMON_TIME_ZONES
from pmo.jobs import JobContext, JobKind, JobOutcome, job_kinds, job_start
from pmo.models import AuditEvent, Organization, OrgRole, User, known_time_zones
from pmo.pdf import render_pdf
from tests.conftest import page_client_for
from tests.factories import OrganizationFactory, member
from tests.pdf_support import pdf_text

pytestmark = pytest.mark.django_db

PROFILE = "/accounts/profile/"


@pytest.fixture
def person(organization: Organization) -> User:
    return member(organization, OrgRole.MEMBER, username="mei", language="en").user


def saved(user: User) -> str:
    user.refresh_from_db()
    return user.time_zone


# --- the model and the service ---


def test_a_new_person_follows_the_organisations_time_zone(person: User, organization: Organization) -> None:
    assert person.time_zone == ""
    assert person.time_zone_in(organization) == "Asia/Shanghai"
    person.time_zone = "Europe/London"
    assert person.time_zone_in(organization) == "Europe/London"


def test_an_unknown_time_zone_is_refused_with_a_clear_message(person: User) -> None:
    person.time_zone = "Mars/Olympus_Mons"
    with pytest.raises(ValidationError) as refused:
        person.full_clean()
    with translation.override("en"):
        assert refused.value.message_dict["time_zone"] == [
            "“Mars/Olympus_Mons” is not a known time zone: use a name from the IANA time zone database, "
            "such as Asia/Shanghai."
        ]
    with pytest.raises(ApplicationError) as error:
        services.user_set_time_zone(user=person, time_zone="asia/shanghai")
    assert list(error.value.fields) == ["time_zone"]
    assert saved(person) == ""


def test_the_service_sets_and_clears_the_time_zone(person: User) -> None:
    services.user_update_profile(user=person, time_zone="Asia/Tokyo")
    assert saved(person) == "Asia/Tokyo"
    services.user_update_profile(user=person, display_name="Mei")
    assert saved(person) == "Asia/Tokyo"
    services.user_update_profile(user=person, time_zone="")
    assert saved(person) == ""


# --- the API ---


def test_me_shows_and_changes_the_time_zone(person: User) -> None:
    api = APIClient()
    api.force_authenticate(person)
    assert api.get("/api/v1/me/").json()["time_zone"] == ""
    response = api.patch("/api/v1/me/", {"time_zone": "America/New_York"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["time_zone"] == "America/New_York"
    assert saved(person) == "America/New_York"
    assert api.patch("/api/v1/me/", {"time_zone": ""}, format="json").json()["time_zone"] == ""
    assert saved(person) == ""


@pytest.mark.parametrize("value", ["Nowhere/City", "asia/shanghai", "+08:00", "Asia/Shanghai/", "x" * 65, 8, None])
def test_me_refuses_a_time_zone_that_is_not_one_with_the_field_named(person: User, value: Any) -> None:
    api = APIClient()
    api.force_authenticate(person)
    response = api.patch("/api/v1/me/", {"time_zone": value}, format="json")
    assert response.status_code == 400
    body = response.json()["error"]
    assert list(body["fields"]) == ["time_zone"], body
    assert saved(person) == ""


def test_the_schema_documents_the_time_zone_of_me(api: APIClient) -> None:
    schema = api.get("/api/v1/schema/", {"format": "json"}, HTTP_ACCEPT_LANGUAGE="en").json()
    schemas = schema["components"]["schemas"]
    shown = schemas["Me"]["properties"]["time_zone"]
    assert shown["type"] == "string"
    assert "IANA" in shown["description"]
    assert "readOnly" not in shown
    assert "time_zone" in schemas["PatchedMeRequest"]["properties"]
    assert schema["paths"]["/api/v1/me/"]["patch"]["summary"] == "Change my display name, language or time zone"


def test_date_times_in_the_api_carry_the_callers_offset_else_the_organisations(
    organization: Organization, person: User
) -> None:
    api = APIClient()
    api.force_authenticate(person)
    url = "/api/v1/orgs/acme/members/"
    assert all(row["created_at"].endswith("+08:00") for row in api.get(url).json()["results"])
    person.time_zone = "America/Los_Angeles"
    person.save()
    offsets = {row["created_at"][-6:] for row in api.get(url).json()["results"]}
    assert offsets <= {"-08:00", "-07:00"}


def test_a_token_or_a_session_outside_organisations_reads_the_persons_own_zone(person: User) -> None:
    person.time_zone = "Asia/Tokyo"
    person.save()
    _token, raw = services.api_token_create(user=person, name="sync")
    by_token = APIClient()
    by_token.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert by_token.get("/api/v1/tokens/").json()["results"][0]["created_at"].endswith("+09:00")
    assert by_token.get("/api/v1/orgs/acme/members/").json()["results"][0]["created_at"].endswith("+09:00")
    by_session = page_client_for(person)
    assert by_session.get("/api/v1/tokens/").json()["results"][0]["created_at"].endswith("+09:00")
    assert by_session.get("/api/v1/orgs/acme/members/").json()["results"][0]["created_at"].endswith("+09:00")


# --- the profile page ---


def test_the_account_menu_links_to_the_profile(person: User) -> None:
    page = page_client_for(person).get(reverse("org-home", kwargs={"org_slug": "acme"}))
    assert f'href="{PROFILE}"' in page.content.decode()


def options(page: str) -> list[tuple[str, str]]:
    start = page.index('<select name="time_zone"')
    select = page[start : page.index("</select>", start)]
    found = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)<', select)
    return [(value, html.unescape(label)) for value, label in found]


def test_the_profile_offers_the_organisations_zone_then_the_common_ones_then_all(person: User) -> None:
    found = options(page_client_for(person).get(PROFILE).content.decode())
    assert found[0] == ("", "Organisation's time zone (Asia/Shanghai)")
    assert [value for value, _label in found[1:10]] == list(COMMON_TIME_ZONES)
    assert found[1][1] == "Asia/Shanghai (UTC+08:00)"
    rest = [value for value, _label in found[10:]]
    assert rest == sorted(rest)
    assert set(rest) == known_time_zones() - set(COMMON_TIME_ZONES)


def test_the_first_choice_names_every_organisation_zone_of_the_person(person: User) -> None:
    member(OrganizationFactory(slug="london", time_zone="Europe/London"), OrgRole.VIEWER, username=person.username)
    found = options(page_client_for(person).get(PROFILE).content.decode())
    assert found[0] == ("", "Organisation's time zone (Asia/Shanghai, Europe/London)")


def test_the_profile_page_speaks_chinese(person: User) -> None:
    person.language = "zh-hans"
    person.save()
    page = page_client_for(person).get(PROFILE).content.decode()
    assert "个人资料" in page
    assert options(page)[0] == ("", "组织的时区（Asia/Shanghai）")


def test_the_profile_page_saves_the_time_zone_and_times_follow_it(person: User) -> None:
    client = page_client_for(person)
    data = {"display_name": "Mei", "language": "en", "time_zone": "Asia/Tokyo"}
    response = client.post(PROFILE, data)
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.display_name, person.time_zone) == ("Mei", "Asia/Tokyo")
    page = client.get(PROFILE).content.decode()
    assert "Your profile is saved." in page
    assert "Times on these pages are in Asia/Tokyo" in page
    assert ('value="Asia/Tokyo" selected') in page
    assert client.post(PROFILE, {**data, "time_zone": ""}).status_code == 302
    assert saved(person) == ""


def test_the_profile_page_refuses_an_unknown_zone_beside_the_field(person: User) -> None:
    response = page_client_for(person).post(PROFILE, {"language": "en", "time_zone": "Mars/Base"})
    assert response.status_code == 400
    assert "Mars/Base is not one of the available choices" in response.content.decode()
    assert saved(person) == ""


def test_a_language_chosen_on_the_profile_is_remembered_for_the_sign_in_page(person: User) -> None:
    response = page_client_for(person).post(PROFILE, {"language": "zh-hans", "time_zone": ""})
    assert response.cookies["django_language"].value == "zh-hans"
    person.refresh_from_db()
    assert person.language == "zh-hans"


def test_profile_changes_stay_out_of_the_organisations_audit_trail(person: User, organization: Organization) -> None:
    """Like the language and the alert e-mails, a time zone is a personal preference, not the organisation's."""
    page_client_for(person).post(PROFILE, {"language": "en", "time_zone": "Asia/Tokyo"})
    assert not AuditEvent.objects.for_organization(organization).filter(actor=person).exists()


# --- pages, the middleware ---


def audit_time(client: Any) -> str:
    page = client.get(reverse("org-audit", kwargs={"org_slug": "acme"})).content.decode()
    return re.findall(r"<time datetime=\"[^\"]+\">([^<]+)</time>", page)[0]


def test_organisation_pages_show_times_in_the_persons_zone_else_the_organisations(
    organization: Organization, admin_user: User
) -> None:
    # 12:00 UTC: 20:00 in Shanghai, 13:00 in Berlin, 21:00 in Tokyo.
    AuditEvent.objects.create(
        organization=organization,
        actor=admin_user,
        action="test.done",
        target_type="pmo.organization",
        created_at=dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC),
    )
    assert AuditEvent.objects.for_organization(organization).count() == 1
    client = page_client_for(admin_user)
    assert audit_time(client) == "2026-03-02 20:00:00"
    organization.time_zone = "Europe/Berlin"
    organization.save()
    assert audit_time(client) == "2026-03-02 13:00:00"
    admin_user.time_zone = "Asia/Tokyo"
    admin_user.save()
    assert audit_time(client) == "2026-03-02 21:00:00"


def test_pages_outside_an_organisation_use_the_persons_zone_else_the_servers(person: User, settings: Any) -> None:
    client = page_client_for(person)
    assert f"Times on these pages are in {settings.TIME_ZONE}" in client.get(PROFILE).content.decode()
    person.time_zone = "Europe/London"
    person.save()
    assert "Times on these pages are in Europe/London" in client.get(PROFILE).content.decode()


def test_a_request_leaves_the_server_zone_active_behind_it(person: User, settings: Any) -> None:
    person.time_zone = "America/New_York"
    person.save()
    client = page_client_for(person)
    client.get(PROFILE)
    client.get(reverse("org-home", kwargs={"org_slug": "acme"}))
    assert timezone.get_current_timezone_name() == settings.TIME_ZONE


# --- reports and jobs ---


def test_a_pdf_report_says_when_it_was_made_in_the_active_time_zone(organization: Organization) -> None:
    with translation.override("en"), timezone.override("America/New_York"):
        text = pdf_text(render_pdf("pdf/base.html", {}, organization=organization, title="Weekly report"))
    assert "(America/New_York)" in text


@pytest.fixture
def clock_job() -> Iterator[list[str]]:
    seen: list[str] = []

    def handle(context: JobContext) -> JobOutcome:
        seen.append(timezone.get_current_timezone_name())
        return JobOutcome(report={"counts": {}, "messages": []}, link="/o/acme/")

    job_kinds.register(JobKind("tests.clock", "Clock", handle))
    yield seen
    job_kinds.unregister("tests.clock")


def test_a_job_runs_by_its_requesters_clock_else_the_organisations(
    organization: Organization, person: User, clock_job: list[str]
) -> None:
    organization.time_zone = "Europe/Berlin"
    organization.save()
    job_start(kind="tests.clock", organization=organization, requested_by=person, inline=True)
    person.time_zone = "Asia/Singapore"
    person.save()
    job_start(kind="tests.clock", organization=organization, requested_by=person, inline=True)
    assert clock_job == ["Europe/Berlin", "Asia/Singapore"]
