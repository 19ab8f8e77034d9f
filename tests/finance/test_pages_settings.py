"""The organisation's finance settings: cost categories, budget control and exchange rates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from finance.models import CostCategory, ExchangeRate, FinanceSettings
from finance.services import categories, rates
from pmo.models import Membership, Organization, OrgRole
from tests.conftest import page_client_for
from tests.factories import member

pytestmark = pytest.mark.django_db

SETTINGS = "/o/acme/finance/settings/"


@pytest.fixture
def finance(organization: Organization) -> Membership:
    return member(organization, OrgRole.FINANCE)


def codes(organization: Organization) -> list[str]:
    return list(
        CostCategory.objects.for_organization(organization).order_by("order", "pk").values_list("code", flat=True)
    )


def test_a_new_organisation_sees_the_default_categories_and_the_forms(finance: Membership) -> None:
    response = page_client_for(finance.user).get(SETTINGS)
    assert response.status_code == 200
    assert [category.code for category in response.context["categories"]][:3] == ["labour", "materials", "equipment"]
    assert response.context["finance_settings"].budget_control == FinanceSettings.BudgetControl.WARN
    for form in ("category_form", "control_form", "rate_form"):
        assert form in response.context


def test_adding_a_category_and_refusing_a_code_already_taken(finance: Membership, organization: Organization) -> None:
    client = page_client_for(finance.user)
    added = client.post(SETTINGS, {"op": "category", "code": "permits", "name": "Permits", "order": "7"})
    assert added.status_code == 302
    assert "permits" in codes(organization)
    before = codes(organization)
    taken = client.post(SETTINGS, {"op": "category", "code": "permits", "name": "Again", "order": "8"})
    assert taken.status_code == 400
    assert "code" in taken.context["category_form"].errors
    assert 'class="field-error"' in taken.content.decode()
    assert codes(organization) == before


def test_switching_a_category_off_keeps_it_listed_and_its_code_unchanged(
    finance: Membership, organization: Organization
) -> None:
    category = categories.cost_categories(organization)[0]
    url = f"/o/acme/finance/settings/categories/{category.pk}/"
    client = page_client_for(finance.user)
    assert client.get(url).context["form"].initial["is_active"] is True
    response = client.post(url, {"op": "save", "name": "Labour (internal)", "order": "1", "code": "hacked"})
    assert response.status_code == 302
    category.refresh_from_db()
    assert (category.code, category.name, category.is_active) == ("labour", "Labour (internal)", False)
    listing = client.get(SETTINGS)
    assert category in listing.context["categories"]
    assert 'class="inactive-row"' in listing.content.decode()
    bad = client.post(url, {"op": "save", "name": "", "order": "-1"})
    assert bad.status_code == 400
    assert {"name", "order"} <= set(bad.context["form"].errors)


def test_budget_control_is_switched_to_block(finance: Membership, organization: Organization) -> None:
    client = page_client_for(finance.user)
    assert client.post(SETTINGS, {"op": "control", "budget_control": "block"}).status_code == 302
    assert categories.finance_settings(organization).budget_control == FinanceSettings.BudgetControl.BLOCK
    bad = client.post(SETTINGS, {"op": "control", "budget_control": "shrug"})
    assert bad.status_code == 400
    assert "budget_control" in bad.context["control_form"].errors
    assert categories.finance_settings(organization).budget_control == FinanceSettings.BudgetControl.BLOCK


def test_exchange_rates_are_added_refused_when_wrong_and_removed(
    finance: Membership, organization: Organization
) -> None:
    client = page_client_for(finance.user)
    added = client.post(SETTINGS, {"op": "rate", "currency": "usd", "rate": "7.1234", "valid_from": "2026-01-01"})
    assert added.status_code == 302
    rate = ExchangeRate.objects.for_organization(organization).get()
    assert (rate.currency, rate.rate) == ("USD", Decimal("7.123400"))
    own = client.post(SETTINGS, {"op": "rate", "currency": "CNY", "rate": "1", "valid_from": "2026-01-01"})
    assert own.status_code == 400
    assert "currency" in own.context["rate_form"].errors
    for data in ({"currency": "US", "rate": "7"}, {"currency": "EUR", "rate": "0"}, {"currency": "EUR", "rate": "x"}):
        bad = client.post(SETTINGS, {"op": "rate", "valid_from": "2026-01-01", **data})
        assert bad.status_code == 400
    assert ExchangeRate.objects.for_organization(organization).count() == 1
    removed = client.post(f"/o/acme/finance/settings/rates/{rate.pk}/delete/")
    assert removed.status_code == 302
    assert not ExchangeRate.objects.for_organization(organization).exists()


@pytest.mark.parametrize("role", [OrgRole.PMO, OrgRole.PROJECT_MANAGER, OrgRole.VIEWER])
def test_others_read_the_settings_and_cannot_change_them(organization: Organization, role: str) -> None:
    rate = rates.exchange_rate_create(
        actor=member(organization, OrgRole.ADMIN).user,
        organization=organization,
        currency="USD",
        rate=Decimal("7.1"),
        valid_from=dt.date(2026, 1, 1),
    )
    client = page_client_for(member(organization, role).user)
    page = client.get(SETTINGS)
    assert page.status_code == 200
    assert not page.context["may_manage"]
    assert "category_form" not in page.context
    assert '<form method="post"' not in page.content.decode().split('id="main"')[1]
    assert client.post(SETTINGS, {"op": "control", "budget_control": "block"}).status_code == 403
    assert client.post(f"/o/acme/finance/settings/rates/{rate.pk}/delete/").status_code == 403
    assert ExchangeRate.objects.for_organization(organization).exists()
