"""The organisation's finance rules over the API: cost categories, budget control and exchange rates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from finance.models import ExchangeRate
from pmo.models import Membership, Organization, OrgRole
from tests.conftest import api_client_for
from tests.factories import ExchangeRateFactory, member

pytestmark = pytest.mark.django_db
BASE = "/api/v1/orgs/acme"


@pytest.fixture
def finance(organization: Organization) -> Membership:
    return member(organization, OrgRole.FINANCE)


@pytest.fixture
def finance_client(finance: Membership) -> APIClient:
    return api_client_for(finance.user)


def test_the_category_list_starts_with_the_defaults(organization: Organization) -> None:
    client = api_client_for(member(organization, OrgRole.VIEWER).user)

    body = client.get(f"{BASE}/cost-categories/").json()

    assert [row["code"] for row in body["results"]] == [
        "labour",
        "materials",
        "equipment",
        "subcontract",
        "travel",
        "other",
    ]
    assert body["results"][0] == {
        "id": body["results"][0]["id"],
        "code": "labour",
        "name": "人工 Labour",
        "order": 1,
        "is_active": True,
    }


def test_finance_adds_renames_and_switches_off_categories(finance_client: APIClient) -> None:
    created = finance_client.post(
        f"{BASE}/cost-categories/", {"code": "Permits", "name": "许可 Permits", "order": 7}, format="json"
    )
    assert created.status_code == 201, created.json()
    assert created.json()["code"] == "permits"

    duplicate = finance_client.post(f"{BASE}/cost-categories/", {"code": "permits", "name": "Again"}, format="json")
    assert duplicate.status_code == 400
    assert duplicate.json()["error"]["code"] == "duplicate_code"

    changed = finance_client.patch(
        f"{BASE}/cost-categories/{created.json()['id']}/", {"name": "证照 Permits", "is_active": False}, format="json"
    )
    assert (changed.json()["name"], changed.json()["is_active"]) == ("证照 Permits", False)
    active = finance_client.get(f"{BASE}/cost-categories/?is_active=true").json()["results"]
    assert "permits" not in [row["code"] for row in active]


@pytest.mark.parametrize("role", [OrgRole.PMO, OrgRole.PROJECT_MANAGER, OrgRole.MEMBER])
def test_only_finance_and_administrators_change_the_finance_rules(organization: Organization, role: OrgRole) -> None:
    client = api_client_for(member(organization, role).user)

    assert client.post(f"{BASE}/cost-categories/", {"code": "x", "name": "X"}, format="json").status_code == 403
    assert client.patch(f"{BASE}/finance-settings/", {"budget_control": "block"}, format="json").status_code == 403
    assert client.get(f"{BASE}/finance-settings/").status_code == 200


def test_budget_control_is_read_and_changed(api: APIClient) -> None:
    assert api.get(f"{BASE}/finance-settings/").json() == {"budget_control": "warn"}

    changed = api.patch(f"{BASE}/finance-settings/", {"budget_control": "block"}, format="json")
    wrong = api.patch(f"{BASE}/finance-settings/", {"budget_control": "maybe"}, format="json")

    assert changed.json() == {"budget_control": "block"}
    assert wrong.status_code == 400
    assert "budget_control" in wrong.json()["error"]["fields"]
    assert api.get(f"{BASE}/finance-settings/").json() == {"budget_control": "block"}


def test_exchange_rates_are_added_listed_by_currency_and_day_and_removed(
    organization: Organization, finance_client: APIClient
) -> None:
    for day, rate in [(1, "7.10"), (15, "7.20")]:
        ExchangeRateFactory(
            organization=organization, currency="USD", rate=Decimal(rate), valid_from=dt.date(2026, 2, day)
        )
    ExchangeRateFactory(organization=organization, currency="EUR", rate=Decimal("7.9"), valid_from=dt.date(2026, 2, 20))

    created = finance_client.post(
        f"{BASE}/exchange-rates/", {"currency": "gbp", "rate": "9.123456", "valid_from": "2026-02-01"}, format="json"
    )
    assert created.status_code == 201, created.json()
    assert created.json() | {"id": 0} == {"id": 0, "currency": "GBP", "rate": "9.123456", "valid_from": "2026-02-01"}

    def rows(query: str) -> list[tuple[str, str]]:
        return [
            (row["currency"], row["rate"])
            for row in finance_client.get(f"{BASE}/exchange-rates/{query}").json()["results"]
        ]

    assert rows("?currency=usd") == [("USD", "7.200000"), ("USD", "7.100000")]
    assert rows("?date=2026-02-14") == [("GBP", "9.123456"), ("USD", "7.100000")]
    assert rows("?date=2026-02-20&currency=EUR") == [("EUR", "7.900000")]

    own = finance_client.post(
        f"{BASE}/exchange-rates/", {"currency": "CNY", "rate": "1", "valid_from": "2026-02-01"}, format="json"
    )
    assert own.json()["error"]["code"] == "own_currency"
    assert finance_client.delete(f"{BASE}/exchange-rates/{created.json()['id']}/").status_code == 204
    assert not ExchangeRate.objects.for_organization(organization).filter(currency="GBP").exists()
