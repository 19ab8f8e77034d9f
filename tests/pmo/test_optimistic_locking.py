"""Optimistic locking in the API: every resource has an ETag, and a write with a stale If-Match is refused."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from finance.services import categories
from pmo import services as pmo_services
from pmo.models import Membership, Organization, OrgRole, User, WorkingCalendar
from projects.models import Project, WbsElement
from projects.services import control
from tests.alert_kinds import AlertKind
from tests.conftest import api_client_for, page_client_for, require_service
from tests.factories import PortfolioFactory, ProjectFactory, WbsElementFactory, WebhookFactory, member
from tests.pmo.test_alert_pages import rule_of, rule_post
from tests.projects.test_concurrent_writes import fire
from tests.projects.test_control_support import FRIDAY, build_plan, raise_change
from tests.tenancy.discovery import OrgRoute, organization_routes, url_for

BASE = "/api/v1/orgs/acme"


@pytest.fixture
def project(organization: Organization) -> Project:
    return ProjectFactory(organization=organization, name="Riverside park")


def project_url(project: Project) -> str:
    return f"{BASE}/projects/{project.pk}/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "projects/{project}/",
        "projects/{project}/wbs/{element}/",
        "project-settings/",
        "",
        "members/{membership}/",
    ],
)
def test_reading_a_resource_gives_its_etag(
    api: APIClient, project: Project, admin_member: Membership, organization: Organization, path: str
) -> None:
    element = WbsElementFactory(organization=organization, project=project)
    membership = admin_member
    url = f"{BASE}/" + path.format(project=project.pk, element=element.pk, membership=membership.pk)

    response = api.get(url)

    assert response.status_code == 200, response.content
    assert response["ETag"].startswith('"')
    assert len(response["ETag"]) > 10
    assert api.get(url)["ETag"] == response["ETag"]


def test_reading_me_gives_an_etag_and_a_stale_one_is_refused(api: APIClient) -> None:
    tag = api.get("/api/v1/me/")["ETag"]
    assert api.patch("/api/v1/me/", {"display_name": "Ada L."}, format="json", HTTP_IF_MATCH=tag).status_code == 200
    stale = api.patch("/api/v1/me/", {"display_name": "Ada"}, format="json", HTTP_IF_MATCH=tag)
    assert stale.status_code == 412


@pytest.mark.django_db
def test_a_patch_with_the_current_etag_succeeds_and_answers_the_new_one(api: APIClient, project: Project) -> None:
    tag = api.get(project_url(project))["ETag"]

    response = api.patch(project_url(project), {"name": "Riverside walk"}, format="json", HTTP_IF_MATCH=tag)

    assert response.status_code == 200, response.json()
    assert response["ETag"] not in ("", tag)
    assert response["ETag"] == api.get(project_url(project))["ETag"]


@pytest.mark.django_db
def test_a_patch_with_a_stale_etag_is_refused_with_412_and_changes_nothing(api: APIClient, project: Project) -> None:
    tag = api.get(project_url(project))["ETag"]
    api.patch(project_url(project), {"name": "Riverside walk"}, format="json")

    response = api.patch(project_url(project), {"name": "Riverside lane"}, format="json", HTTP_IF_MATCH=tag)

    assert response.status_code == 412
    error = response.json()["error"]
    assert error["code"] == "precondition_failed"
    assert error["message"]
    project.refresh_from_db()
    assert project.name == "Riverside walk"


@pytest.mark.django_db
def test_the_weak_etag_of_a_gzipped_answer_serves_as_if_match_and_still_refuses_when_stale(
    api: APIClient, project: Project
) -> None:
    api.patch(project_url(project), {"description": "x" * 400}, format="json")
    read = api.get(project_url(project), HTTP_ACCEPT_ENCODING="gzip")
    assert read["Content-Encoding"] == "gzip"
    weak = read["ETag"]
    assert weak.startswith('W/"')

    saved = api.patch(project_url(project), {"name": "Riverside walk"}, format="json", HTTP_IF_MATCH=weak)
    stale = api.patch(project_url(project), {"name": "Riverside lane"}, format="json", HTTP_IF_MATCH=weak)

    assert (saved.status_code, stale.status_code) == (200, 412)
    project.refresh_from_db()
    assert project.name == "Riverside walk"


@pytest.mark.django_db
def test_a_write_without_if_match_is_unconditional_as_before(api: APIClient, project: Project) -> None:
    api.patch(project_url(project), {"name": "Riverside walk"}, format="json")
    response = api.patch(project_url(project), {"name": "Riverside lane"}, format="json")
    assert response.status_code == 200
    assert api.patch(project_url(project), {"name": "Lane"}, format="json", HTTP_IF_MATCH="*").status_code == 200


@pytest.mark.django_db
def test_a_delete_or_an_action_with_a_stale_etag_is_refused(
    api: APIClient, project: Project, organization: Organization
) -> None:
    element = WbsElementFactory(organization=organization, project=project)
    url = f"{project_url(project)}wbs/{element.pk}/"
    tag = api.get(url)["ETag"]
    api.patch(url, {"name": "Renamed"}, format="json")

    assert api.delete(url, HTTP_IF_MATCH=tag).status_code == 412
    assert WbsElement.objects.for_organization(organization).filter(pk=element.pk).exists()
    assert api.delete(url, HTTP_IF_MATCH=api.get(url)["ETag"]).status_code == 204


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_of_fifty_concurrent_patches_with_the_same_etag_exactly_one_wins(project: Project, admin_user: User) -> None:
    if connection.vendor != "postgresql":
        require_service("PostgreSQL", "the row locks that decide the one winner are PostgreSQL's")
    tag = api_client_for(admin_user).get(project_url(project))["ETag"]

    def patch(number: int) -> Callable[[APIClient], Any]:
        body = {"name": f"Name {number}"}
        return lambda client: client.patch(project_url(project), body, format="json", HTTP_IF_MATCH=tag)

    statuses = fire([(admin_user, patch(number)) for number in range(50)])

    assert statuses == Counter({200: 1, 412: 49}), statuses


def _updatable_routes() -> list[OrgRoute]:
    routes = []
    for route in organization_routes():
        methods = route.implemented_methods()
        if route.is_api and "get" in methods and any(method in methods for method in ("patch", "put", "delete")):
            routes.append(route)
    return routes


@pytest.mark.django_db
@pytest.mark.parametrize("route", _updatable_routes(), ids=str)
def test_every_updatable_resource_has_an_etag_and_refuses_a_stale_write(
    route: OrgRoute, organization: Organization, admin_user: User
) -> None:
    client = api_client_for(admin_user)
    url = url_for(route, organization)

    read = client.get(url)

    assert read.status_code == 200, read.content
    assert read.get("ETag", "").startswith('"'), f"GET {url} sends no ETag"
    for method in ("patch", "put", "delete"):
        if method in route.implemented_methods():
            with transaction.atomic():
                refused = getattr(client, method)(url, {}, format="json", HTTP_IF_MATCH='"stale"')
                transaction.set_rollback(True)
            assert refused.status_code == 412, f"{method.upper()} {url} with a stale If-Match: {refused.status_code}"
            assert refused.json()["error"]["code"] == "precondition_failed"


# --- pages ------------------------------------------------------------------------------


def _version_in(page: str) -> str:
    match = re.search(r'name="row_version" value="([0-9a-f]+)"', page)
    assert match, "the edit form carries no version"
    return match.group(1)


@pytest.mark.django_db
def test_a_stale_project_edit_keeps_the_input_and_says_someone_else_changed_it(
    project: Project, admin_user: User
) -> None:
    client = page_client_for(admin_user)
    edit = f"/o/acme/projects/{project.pk}/edit/"
    version = _version_in(client.get(edit).content.decode())
    data = {"code": project.code, "priority": "high", "currency": "CNY", "planned_start": "2026-03-02"}
    assert client.post(edit, data | {"name": "Theirs", "row_version": version}).status_code == 302

    stale = client.post(edit, data | {"name": "Mine", "row_version": version})

    assert stale.status_code == 400
    page = stale.content.decode()
    assert "changed by someone else while you were editing" in page
    assert 'value="Mine"' in page
    project.refresh_from_db()
    assert project.name == "Theirs"
    # The form now carries the current version: submitting again saves the user's input.
    again = client.post(edit, data | {"name": "Mine", "row_version": _version_in(page)})
    assert again.status_code == 302
    project.refresh_from_db()
    assert project.name == "Mine"


@pytest.mark.django_db
def test_a_stale_wbs_element_edit_is_refused_and_a_current_one_saved(
    project: Project, admin_user: User, organization: Organization
) -> None:
    element = WbsElementFactory(organization=organization, project=project, name="Dig")
    client = page_client_for(admin_user)
    edit = f"/o/acme/projects/{project.pk}/wbs/{element.pk}/edit/"
    version = _version_in(client.get(edit).content.decode())
    data = {"kind": "task", "duration": 5, "budgeted_cost": "100", "percent_complete_method": "physical"}
    assert client.post(edit, data | {"name": "Dig deeper", "row_version": version}).status_code == 302

    stale = client.post(edit, data | {"name": "Dig wider", "row_version": version})

    assert stale.status_code == 400
    assert "changed by someone else while you were editing" in stale.content.decode()
    element.refresh_from_db()
    assert element.name == "Dig deeper"


@pytest.mark.django_db
def test_the_schema_documents_the_etag_if_match_and_412(api: APIClient) -> None:
    paths = api.get("/api/v1/schema/?format=json").json()["paths"]
    project = paths["/api/v1/orgs/{org_slug}/projects/{id}/"]

    assert "ETag" in project["get"]["responses"]["200"]["headers"]
    assert "304" in project["get"]["responses"]
    assert "If-None-Match" in [parameter["name"] for parameter in project["get"]["parameters"]]
    patch = project["patch"]
    assert "If-Match" in [parameter["name"] for parameter in patch["parameters"] if parameter["in"] == "header"]
    assert patch["responses"]["412"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert "412" not in paths["/api/v1/orgs/{org_slug}/projects/"]["post"]["responses"]


@pytest.mark.django_db
def test_a_stale_cost_category_edit_is_refused_with_the_input_kept(
    admin_user: User, organization: Organization
) -> None:
    category = categories.cost_categories(organization)[0]
    url = f"/o/acme/finance/settings/categories/{category.pk}/"
    client = page_client_for(admin_user)
    version = _version_in(client.get(url).content.decode())
    data = {"op": "save", "order": "1", "is_active": "on"}
    assert client.post(url, data | {"name": "Labour (ours)", "row_version": version}).status_code == 302

    stale = client.post(url, data | {"name": "Labour (theirs)", "row_version": version})

    assert stale.status_code == 412
    assert 'value="Labour (theirs)"' in stale.content.decode()
    category.refresh_from_db()
    assert category.name == "Labour (ours)"


@pytest.mark.django_db
def test_a_stale_portfolio_edit_is_refused(admin_user: User, organization: Organization) -> None:
    portfolio = PortfolioFactory(organization=organization, name="Old")
    url = f"/o/acme/projects/portfolios/{portfolio.pk}/edit/"
    client = page_client_for(admin_user)
    version = _version_in(client.get(url).content.decode())
    assert client.post(url, {"name": "New", "row_version": version}).status_code == 302

    stale = client.post(url, {"name": "Newer", "row_version": version})

    assert stale.status_code == 400
    portfolio.refresh_from_db()
    assert portfolio.name == "New"


@pytest.mark.django_db
def test_a_stale_alert_rule_edit_is_refused(admin_user: User, organization: Organization) -> None:
    rule = rule_of(organization, AlertKind.CPI_LOW)
    url = f"/o/acme/alerts/rules/{rule.pk}/"
    client = page_client_for(admin_user)
    version = _version_in(client.get(url).content.decode())
    assert client.post(url, rule_post(threshold="0.93") | {"row_version": version}).status_code == 302

    stale = client.post(url, rule_post(threshold="0.97") | {"row_version": version})

    assert stale.status_code == 400
    assert 'value="0.97"' in stale.content.decode()
    rule.refresh_from_db()
    assert rule.threshold == Decimal("0.93")


@pytest.mark.django_db
def test_a_stale_webhook_edit_is_refused(admin_user: User, organization: Organization) -> None:
    webhook = WebhookFactory(organization=organization, name="Chat", url="http://127.0.0.1:9/a")
    url = f"/o/acme/alerts/webhooks/{webhook.pk}/"
    client = page_client_for(admin_user)
    version = _version_in(client.get(url).content.decode())
    data = {"op": "save", "url": "http://127.0.0.1:9/a", "events": ["alert.opened"]}
    assert client.post(url, data | {"name": "Ours", "row_version": version}).status_code == 302

    stale = client.post(url, data | {"name": "Theirs", "row_version": version})

    assert stale.status_code == 400
    webhook.refresh_from_db()
    assert webhook.name == "Ours"


@pytest.mark.django_db
def test_a_stale_status_report_is_neither_saved_nor_submitted_and_keeps_the_text(organization: Organization) -> None:
    plan = build_plan(organization)
    report = control.status_report_create(actor=plan.manager.user, project=plan.project, period_end=FRIDAY)
    url = f"/o/acme/projects/{plan.project.pk}/status-reports/{report.pk}/"
    client = page_client_for(plan.manager.user)
    version = _version_in(client.get(url).content.decode())
    control.status_report_update(actor=plan.admin.user, report=report, accomplishments="Piles driven (admin).")
    data = dict.fromkeys(control.RAG_FIELDS, "amber") | {"accomplishments": "Piles driven.", "row_version": version}

    saved = client.post(url, data | {"op": "save"})
    submitted = client.post(url, data | {"op": "submit"})

    for response in (saved, submitted):
        assert response.status_code == 412
        page = response.content.decode()
        assert "Piles driven.</textarea>" in page
        assert 'class="message message-error"' in page
    report.refresh_from_db()
    assert (report.status, report.accomplishments) == ("draft", "Piles driven (admin).")
    assert client.post(url, data | {"op": "save", "row_version": _version_in(page)}).status_code == 302


@pytest.mark.django_db
def test_a_stale_change_request_edit_is_refused(organization: Organization) -> None:
    plan = build_plan(organization)
    change_request = raise_change(plan, plan.admin, submit=False)
    url = f"/o/acme/projects/{plan.project.pk}/change-requests/{change_request.pk}/"
    client = page_client_for(plan.admin.user)
    version = _version_in(client.get(url).content.decode())
    data = {"op": "save", "kind": "scope", "description": "D", "reason": "R", "impact_days": 0, "impact_cost": "0"}
    assert client.post(url, data | {"title": "Ours", "row_version": version}).status_code == 302

    stale = client.post(url, data | {"title": "Theirs", "row_version": version})

    assert stale.status_code == 412
    change_request.refresh_from_db()
    assert change_request.title == "Ours"


@pytest.mark.django_db
def test_a_stale_organisation_settings_form_is_refused(admin_user: User, organization: Organization) -> None:
    client = page_client_for(admin_user)
    version = _version_in(client.get("/o/acme/settings/").content.decode())
    data = {"default_currency": "CNY", "time_zone": "Asia/Shanghai"}
    assert client.post("/o/acme/settings/", data | {"name": "Acme One", "row_version": version}).status_code == 302

    stale = client.post("/o/acme/settings/", data | {"name": "Acme Two", "row_version": version})

    assert stale.status_code == 400
    organization.refresh_from_db()
    assert organization.name == "Acme One"


@pytest.mark.django_db
def test_a_stale_calendar_form_is_refused(admin_user: User, organization: Organization) -> None:
    calendar = WorkingCalendar.objects.for_organization(organization).get(is_default=True)
    url = f"/o/acme/settings/calendars/{calendar.pk}/"
    client = page_client_for(admin_user)
    version = _version_in(client.get(url).content.decode())
    assert (
        client.post(
            url, {"name": "Ours", "working_weekdays": ["0", "1"], "is_default": "on", "row_version": version}
        ).status_code
        == 302
    )

    stale = client.post(url, {"name": "Theirs", "working_weekdays": ["0"], "is_default": "on", "row_version": version})

    assert stale.status_code == 400
    calendar.refresh_from_db()
    assert calendar.name == "Ours"


@pytest.mark.django_db
def test_revoking_a_token_with_a_stale_etag_is_refused(api: APIClient) -> None:
    created = api.post("/api/v1/tokens/", {"name": "ERP sync"}, format="json").json()
    url = f"/api/v1/tokens/{created['id']}/"
    tag = api.get(url)["ETag"]

    assert api.delete(url, HTTP_IF_MATCH='"stale"').status_code == 412
    assert api.delete(url, HTTP_IF_MATCH=tag).status_code == 204


@pytest.mark.django_db
def test_a_read_with_the_current_etag_in_if_none_match_answers_304(api: APIClient, project: Project) -> None:
    tag = api.get(project_url(project))["ETag"]

    unchanged = api.get(project_url(project), HTTP_IF_NONE_MATCH=tag)
    api.patch(project_url(project), {"name": "Riverside walk"}, format="json")
    changed = api.get(project_url(project), HTTP_IF_NONE_MATCH=tag)

    assert unchanged.status_code == 304
    assert unchanged["ETag"] == tag
    assert not unchanged.content
    assert changed.status_code == 200
    assert changed.json()["name"] == "Riverside walk"


@pytest.mark.django_db
def test_a_stale_budget_control_form_is_refused_with_the_choice_kept(
    admin_user: User, organization: Organization
) -> None:
    url = "/o/acme/finance/settings/"
    client = page_client_for(admin_user)
    version = _version_in(client.get(url).content.decode())
    categories.finance_settings_update(actor=admin_user, organization=organization, budget_control="block")
    data = {"op": "control", "budget_control": "warn", "row_version": version}

    stale = client.post(url, data)

    assert stale.status_code == 412
    page = stale.content.decode()
    assert "changed by someone else while you were editing" in page
    assert re.search(r'value="warn"[^>]*checked', page)
    assert categories.finance_settings(organization).budget_control == "block"
    assert client.post(url, data | {"row_version": _version_in(page)}).status_code == 302
    assert categories.finance_settings(organization).budget_control == "warn"


@pytest.mark.django_db
def test_a_stale_member_role_change_is_refused_with_the_choice_kept(
    admin_user: User, organization: Organization
) -> None:
    target = member(organization, OrgRole.MEMBER)
    client = page_client_for(admin_user)

    def role_form(page: str) -> str:
        form = re.search(rf'action="/o/acme/members/{target.pk}/"(.*?)</form>', page, re.S)
        assert form is not None, "the member has no role form"
        return form.group(1)

    version = _version_in(role_form(client.get("/o/acme/members/").content.decode()))
    pmo_services.membership_change_role(actor=admin_user, membership=target, role=OrgRole.VIEWER)
    url = f"/o/acme/members/{target.pk}/"

    stale = client.post(url, {"role": OrgRole.FINANCE, "row_version": version})

    assert stale.status_code == 412
    page = stale.content.decode()
    assert "changed by someone else while you were editing" in page
    form = role_form(page)
    assert re.search(r'value="finance"\s*selected', form)
    target.refresh_from_db()
    assert target.role == OrgRole.VIEWER
    assert client.post(url, {"role": OrgRole.FINANCE, "row_version": _version_in(form)}).status_code == 302
    target.refresh_from_db()
    assert target.role == OrgRole.FINANCE
