"""Writes refuse keys that are not fields of the resource, on every endpoint, instead of dropping them."""

from __future__ import annotations

import contextlib
import inspect
from typing import Any

import pytest
from django.apps import apps
from rest_framework import serializers

from pmo.api.inputs import StrictInputMixin
from pmo.models import Organization, OrgRole
from tests.conftest import api_client_for
from tests.factories import ProjectFactory, member
from tests.finance.test_services_support import category
from tests.tenancy.discovery import organization_routes, url_for

pytestmark = pytest.mark.django_db

BASE = "/api/v1/orgs/acme"
PROJECT_APPS = ("pmo", "projects", "finance", "resources", "risks", "quality", "maintenance")
UNKNOWN = "zz_not_a_field"


def _project_serializers() -> list[type[serializers.BaseSerializer[Any]]]:
    found: list[type[serializers.BaseSerializer[Any]]] = []
    pending: list[type[Any]] = [serializers.Serializer]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in PROJECT_APPS and not inspect.isabstract(cls):
            found.append(cls)
    return found


def test_every_serializer_of_the_project_checks_its_input_strictly() -> None:
    for config in apps.get_app_configs():
        if config.name in PROJECT_APPS:
            for module in ("api.serializers", "api.views", "api.control", "api.evm", "api.snapshots"):
                with contextlib.suppress(ModuleNotFoundError):
                    __import__(f"{config.name}.{module}")
    found = _project_serializers()
    assert len(found) > 50, "the walk found too few serializers; it is broken"
    lax = sorted(f"{cls.__module__}.{cls.__qualname__}" for cls in found if not issubclass(cls, StrictInputMixin))
    assert lax == []


def test_a_cost_in_another_currency_is_refused_naming_the_field(organization: Organization) -> None:
    project = ProjectFactory(organization=organization, currency="CNY")
    client = api_client_for(member(organization, OrgRole.ADMIN).user)

    response = client.post(
        f"{BASE}/projects/{project.pk}/costs/",
        {"date": "2026-03-02", "amount": "100.00", "category": category(organization, "labour").pk, "currency": "USD"},
        format="json",
    )

    assert response.status_code == 400, response.json()
    error = response.json()["error"]
    assert error["code"] == "unknown_field"
    assert list(error["fields"]) == ["currency"]
    assert "currency" in error["message"]
    assert not project.actual_costs.exists()


def test_a_read_only_field_sent_in_a_write_is_refused(organization: Organization) -> None:
    client = api_client_for(member(organization, OrgRole.ADMIN).user)

    response = client.patch(f"{BASE}/", {"name": "Acme", "slug": "elsewhere"}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unknown_field"
    assert list(response.json()["error"]["fields"]) == ["slug"]


def test_every_unknown_key_is_named(organization: Organization) -> None:
    client = api_client_for(member(organization, OrgRole.ADMIN).user)

    response = client.patch(f"{BASE}/", {"name": "Acme", "colour": "red", "size": 3}, format="json")

    assert response.status_code == 400
    assert sorted(response.json()["error"]["fields"]) == ["colour", "size"]


def test_query_parameters_other_than_the_filters_are_still_accepted(organization: Organization) -> None:
    client = api_client_for(member(organization, OrgRole.ADMIN).user)

    response = client.get(f"{BASE}/dashboard/", {"as_of": "2026-03-02", "page": 1, "ordering": "name"})

    assert response.status_code == 200


def _routes_with_writes() -> list[tuple[str, str]]:
    return [
        (route.name, method)
        for route in organization_routes()
        if route.is_api
        for method in route.implemented_methods()
        if method in ("post", "put", "patch")
    ]


@pytest.mark.parametrize(("route_name", "method"), _routes_with_writes())
def test_every_write_endpoint_refuses_an_unknown_field(
    organization: Organization, route_name: str, method: str
) -> None:
    route = next(route for route in organization_routes() if route.name == route_name)
    admin = member(organization, OrgRole.ADMIN)
    client = api_client_for(admin.user)
    url = url_for(route, organization)

    response = getattr(client, method)(url, {UNKNOWN: 1}, format="json")
    if response.status_code == 403:  # a decision the administrator does not take: ask finance
        finance = member(organization, OrgRole.FINANCE)
        response = getattr(api_client_for(finance.user), method)(url, {UNKNOWN: 1}, format="json")

    if response.status_code in (405, 415):  # no such method here, or a file upload rather than JSON
        return
    assert response.status_code == 400, (url, response.status_code, response.content[:300])
    assert response.json()["error"]["code"] == "unknown_field", response.json()
    assert UNKNOWN in response.json()["error"]["fields"]
