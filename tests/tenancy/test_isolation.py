"""Every organisation URL, found from the URL configuration, hides one tenant from another."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client
from rest_framework.test import APIClient

from pmo.models import Organization, OrgRole
from tests.factories import member
from tests.tenancy.discovery import ALL_METHODS, OrgRoute, organization_routes, url_for

ROUTES = organization_routes()


class _Rollback(Exception):
    pass


def _request(client: Client | APIClient, method: str, url: str) -> int:
    """Send one request and undo whatever it wrote."""
    options = {"format": "json"} if isinstance(client, APIClient) else {"content_type": "application/json"}
    try:
        with transaction.atomic():
            response = getattr(client, method)(url, data={}, **options)
            raise _Rollback(response.status_code)
    except _Rollback as done:
        return int(done.args[0])


def _client(route: OrgRoute, user: object) -> Client | APIClient:
    client: Client | APIClient = APIClient() if route.is_api else Client()
    if route.is_api:
        client.force_authenticate(user)  # type: ignore[union-attr]
    else:
        client.force_login(user)  # type: ignore[arg-type]
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_a_member_of_another_organisation_gets_404_for_every_method(
    route: OrgRoute, organization: Organization, other_organization: Organization
) -> None:
    owner = member(organization, OrgRole.ADMIN)
    outsider = member(other_organization, OrgRole.ADMIN)
    url = url_for(route, organization)

    # Control: the owner's admin reaches the URL, so a 404 below is the tenancy at work.
    assert _request(_client(route, owner.user), "get", url) != 404, f"owner cannot reach {url}"

    for method in ALL_METHODS:
        status = _request(_client(route, outsider.user), method, url)
        assert status == 404, f"{method.upper()} {url} answered {status} to another organisation's member"


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_an_unknown_organisation_looks_like_a_forbidden_one(route: OrgRoute, organization: Organization) -> None:
    owner = member(organization, OrgRole.ADMIN)
    url = url_for(route, organization).replace(f"/{organization.slug}/", "/no-such-org/", 1)
    assert _request(_client(route, owner.user), "get", url) == 404


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_anonymous_visitors_are_sent_to_sign_in(route: OrgRoute, organization: Organization) -> None:
    url = url_for(route, organization)
    client: Client | APIClient = APIClient() if route.is_api else Client()
    status = _request(client, "get", url)
    assert status == (401 if route.is_api else 302)
