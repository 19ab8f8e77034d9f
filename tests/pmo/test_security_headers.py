"""Every page and API answer carries the security headers; signed-in answers are not cached."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, cast

import pytest
from django.test import Client
from django.urls import get_resolver, reverse

from pmo.models import Invitation, Organization, OrgRole, User
from projects.gantt import GanttItem, GanttLink, Zoom, render_gantt
from tests.factories import member
from tests.tenancy.discovery import OrgRoute, _walk, url_for

MONDAY = dt.date(2026, 3, 2)
# Class-based views that answer GET, and every function view (the home page, health, the admin).
ROUTES = [
    route
    for route in _walk(get_resolver().url_patterns, (), "")
    if route.view_class is None or "get" in route.implemented_methods()
]
ORG_ROUTES = [route for route in ROUTES if "org_slug" in route.kwargs]
# Routes without keywords; those with keywords outside an organisation (a password-reset link,
# an admin object) are left out.
PLAIN_ROUTES = [route for route in ROUTES if not route.kwargs]
# A script element without src runs inline, unless it is data (json_script).
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def csp_directives(response: Any) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_security_headers(response: Any, *, signed_in: bool) -> None:
    csp = csp_directives(response)
    assert csp.get("default-src") == ["'self'"]
    assert csp.get("script-src") == ["'self'"], "scripts only from the app's own files"
    assert csp.get("object-src") == ["'none'"]
    assert csp.get("base-uri") == ["'none'"]
    assert csp.get("frame-ancestors") == ["'none'"]
    assert csp.get("form-action") == ["'self'"]
    assert "camera=()" in response.headers.get("Permissions-Policy", "")
    cache_control = response.headers.get("Cache-Control", "")
    if signed_in and "public" not in cache_control:  # public: the same bytes for everyone (the ReDoc bundle)
        assert "no-store" in cache_control
        assert "private" in cache_control
    if "text/html" in response.headers.get("Content-Type", ""):
        body = response.content.decode()
        assert not INLINE_SCRIPT.findall(body), "an inline script would be refused by the policy"
        assert not EVENT_HANDLER.findall(body), "an inline event handler would be refused by the policy"
        assert "<style" not in body, "a style element would be refused by the policy; use a file"


@pytest.mark.django_db
@pytest.mark.parametrize("route", ORG_ROUTES, ids=str)
def test_every_organisation_route_sends_the_security_headers(route: OrgRoute, organization: Organization) -> None:
    client = Client()
    client.force_login(member(organization, OrgRole.ADMIN).user)
    response = client.get(url_for(route, organization))
    assert response.status_code < 500
    assert_security_headers(response, signed_in=True)


@pytest.mark.django_db
@pytest.mark.parametrize("route", PLAIN_ROUTES, ids=str)
def test_every_route_sends_the_security_headers_signed_in_and_not(route: OrgRoute, organization: Organization) -> None:
    url = reverse(route.name)
    assert_security_headers(Client().get(url), signed_in=False)
    user = member(organization, OrgRole.ADMIN).user
    if route.name.startswith("admin:"):
        User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)  # the operator's pages
    client = Client()
    client.force_login(user)
    assert_security_headers(client.get(url), signed_in=True)


@pytest.mark.django_db
def test_error_pages_send_the_security_headers() -> None:
    assert_security_headers(Client().get("/no-such-page/"), signed_in=False)


@pytest.mark.django_db
def test_the_api_documentation_pages_load_their_scripts_from_files(organization: Organization) -> None:
    for url in ["/api/v1/docs/", "/api/v1/redoc/"]:
        response = Client().get(url)
        assert response.status_code == 200
        assert_security_headers(response, signed_in=False)


@pytest.mark.django_db
def test_a_signed_out_page_may_be_cached_but_a_signed_in_one_may_not(organization: Organization) -> None:
    assert "no-store" not in Client().get("/healthz").headers.get("Cache-Control", "")
    client = Client()
    client.force_login(member(organization, OrgRole.ADMIN).user)
    assert "no-store" in client.get("/o/acme/").headers["Cache-Control"]


def test_the_gantt_chart_draws_its_arrowheads_without_a_style_element() -> None:
    first = GanttItem(1, "1", "Survey", "task", MONDAY, MONDAY + dt.timedelta(days=4), is_critical=True)
    second = GanttItem(2, "2", "Drawings", "task", MONDAY + dt.timedelta(days=7), MONDAY + dt.timedelta(days=9))
    third = GanttItem(
        3, "3", "Approval", "task", MONDAY + dt.timedelta(days=7), MONDAY + dt.timedelta(days=9), is_critical=True
    )
    chart = render_gantt([first, second, third], [GanttLink(1, 2, "FS"), GanttLink(1, 3, "FS")], zoom=Zoom.WEEK)
    assert chart is not None
    svg = str(chart.body_svg)
    assert "<style" not in svg
    assert re.search(r'<path class="g-dep" d="[^"]+" marker-end="url\(#ga\)"/>', svg)
    assert re.search(r'<path class="g-dep c" d="[^"]+" marker-end="url\(#gac\)"/>', svg)


@pytest.mark.django_db
def test_the_invitation_page_sends_the_security_headers(organization: Organization) -> None:
    from pmo.invitations import link_token
    from tests.factories import InvitationFactory

    url = reverse(
        "invitation", kwargs={"token": link_token(cast(Invitation, InvitationFactory(organization=organization)))}
    )
    response = Client().get(url)
    assert response.status_code == 200
    assert_security_headers(response, signed_in=False)


@pytest.mark.django_db
def test_a_signed_in_api_answer_is_not_stored_but_the_public_redoc_bundle_is_cached(organization: Organization) -> None:
    client = Client()
    client.force_login(member(organization, OrgRole.ADMIN).user)
    assert "no-store" in client.get("/api/v1/me/").headers["Cache-Control"]
    bundle = client.get("/api/v1/redoc-dist/bundles/redoc.standalone.js").headers["Cache-Control"]
    assert "public" in bundle
    assert "no-store" not in bundle
