"""Cost categories (defaults on first read), budget control and exchange rates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from finance.models import CostCategory, ExchangeRate, FinanceSettings
from finance.services import categories, rates
from pmo.errors import ApplicationError
from pmo.models import Organization, OrgRole, User
from tests.factories import ExchangeRateFactory, member
from tests.finance.test_services_support import events

pytestmark = pytest.mark.django_db


@pytest.fixture
def finance_user(organization: Organization) -> User:
    return member(organization, OrgRole.FINANCE).user


DEFAULT_CODES = [code for code, _name in categories.DEFAULT_COST_CATEGORIES]


def all_categories(organization: Organization) -> list[CostCategory]:
    return list(CostCategory.objects.for_organization(organization).order_by("order"))


# --- cost categories ------------------------------------------------------------------


def test_an_organisation_gets_the_bilingual_default_categories_on_first_read(organization: Organization) -> None:
    assert all_categories(organization) == []

    listed = categories.cost_categories(organization)

    assert [category.code for category in listed] == [
        "labour",
        "materials",
        "equipment",
        "subcontract",
        "travel",
        "other",
    ]
    assert listed[0].name == "人工 Labour"
    categories.cost_categories_ensure_defaults(organization)
    assert len(all_categories(organization)) == 6


def test_defaults_are_not_seeded_again_once_the_organisation_has_categories(
    organization: Organization, finance_user: User
) -> None:
    categories.cost_categories(organization)
    for category in all_categories(organization):
        categories.cost_category_update(actor=finance_user, category=category, is_active=False)

    assert categories.cost_categories(organization) == []
    assert len(all_categories(organization)) == 6


def test_adding_a_category_first_keeps_the_defaults(organization: Organization, finance_user: User) -> None:
    category = categories.cost_category_create(
        actor=finance_user, organization=organization, code=" Permits ", name=" 许可 Permits ", order=9
    )

    assert (category.code, category.name, category.order) == ("permits", "许可 Permits", 9)
    assert len(all_categories(organization)) == 7
    assert categories.cost_categories(organization)[-1] == category
    assert events(organization, "cost_category.created") == 1


@pytest.mark.parametrize(
    ("code", "name", "field"),
    [("labour", "Again", "code"), ("", "Nameless code", "code"), ("not a slug", "X", "code"), ("ok", " ", "name")],
)
def test_a_category_needs_a_new_slug_code_and_a_name(
    organization: Organization, finance_user: User, code: str, name: str, field: str
) -> None:
    with pytest.raises(ApplicationError) as refused:
        categories.cost_category_create(actor=finance_user, organization=organization, code=code, name=name)

    assert field in refused.value.fields
    assert {category.code for category in all_categories(organization)} <= set(DEFAULT_CODES)


def test_a_category_is_renamed_reordered_and_switched_off_but_its_code_stays(
    organization: Organization, finance_user: User
) -> None:
    labour = categories.cost_categories(organization)[0]

    categories.cost_category_update(actor=finance_user, category=labour, name="人工费 Labour", order=7, is_active=False)

    labour.refresh_from_db()
    assert (labour.code, labour.name, labour.order, labour.is_active) == ("labour", "人工费 Labour", 7, False)
    with pytest.raises(ApplicationError):
        categories.cost_category_update(actor=finance_user, category=labour, code="staff")
    assert events(organization, "cost_category.updated") == 1


# --- budget control -------------------------------------------------------------------


def test_budget_control_defaults_to_warn_and_can_block(organization: Organization, finance_user: User) -> None:
    assert categories.finance_settings(organization).budget_control == FinanceSettings.BudgetControl.WARN

    categories.finance_settings_update(actor=finance_user, organization=organization, budget_control="block")

    assert categories.finance_settings(organization).budget_control == FinanceSettings.BudgetControl.BLOCK
    assert events(organization, "finance_settings.updated") == 1
    with pytest.raises(ApplicationError) as refused:
        categories.finance_settings_update(actor=finance_user, organization=organization, budget_control="shout")
    assert "budget_control" in refused.value.fields


# --- exchange rates -------------------------------------------------------------------


def test_the_rate_on_a_day_is_the_latest_one_from_that_day_or_before(organization: Organization) -> None:
    for day, rate in [(1, "7.10"), (15, "7.20"), (28, "7.05")]:
        ExchangeRateFactory(
            organization=organization, currency="USD", rate=Decimal(rate), valid_from=dt.date(2026, 2, day)
        )
    ExchangeRateFactory(
        organization=organization, currency="EUR", rate=Decimal("7.90"), valid_from=dt.date(2026, 2, 10)
    )

    assert rates.rate_on(organization, "USD", dt.date(2026, 2, 14)) == Decimal("7.10")
    assert rates.rate_on(organization, "usd", dt.date(2026, 2, 15)) == Decimal("7.20")
    assert rates.rate_on(organization, "USD", dt.date(2026, 3, 31)) == Decimal("7.05")


def test_a_missing_rate_is_none_and_the_own_currency_is_one(organization: Organization) -> None:
    ExchangeRateFactory(organization=organization, currency="USD", valid_from=dt.date(2026, 2, 1))

    assert rates.rate_on(organization, "USD", dt.date(2026, 1, 31)) is None
    assert rates.rate_on(organization, "GBP", dt.date(2026, 2, 1)) is None
    assert rates.rate_on(organization, "CNY", dt.date(2000, 1, 1)) == Decimal(1)


def test_rates_of_several_currencies_come_in_one_query(
    organization: Organization, other_organization: Organization, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    ExchangeRateFactory(organization=organization, currency="USD", rate=Decimal("7.1"), valid_from=dt.date(2026, 1, 1))
    ExchangeRateFactory(organization=organization, currency="USD", rate=Decimal("7.2"), valid_from=dt.date(2026, 2, 1))
    ExchangeRateFactory(organization=organization, currency="EUR", rate=Decimal("7.9"), valid_from=dt.date(2026, 1, 1))
    ExchangeRateFactory(
        organization=other_organization, currency="GBP", rate=Decimal("9"), valid_from=dt.date(2026, 1, 1)
    )

    with django_assert_num_queries(1):
        found = rates.rates_on(organization, ["USD", "EUR", "GBP", "CNY"], dt.date(2026, 1, 20))

    assert found == {"USD": Decimal("7.1"), "EUR": Decimal("7.9"), "GBP": None, "CNY": Decimal(1)}


def test_a_rate_is_added_once_per_currency_and_day_and_removed(organization: Organization, finance_user: User) -> None:
    rate = rates.exchange_rate_create(
        actor=finance_user,
        organization=organization,
        currency="usd",
        rate=Decimal("7.123456"),
        valid_from=dt.date(2026, 3, 1),
    )
    assert rate.currency == "USD"

    with pytest.raises(ApplicationError) as refused:
        rates.exchange_rate_create(
            actor=finance_user,
            organization=organization,
            currency="USD",
            rate=Decimal("7.2"),
            valid_from=dt.date(2026, 3, 1),
        )
    assert refused.value.code == "duplicate_rate"

    rates.exchange_rate_delete(actor=finance_user, rate=rate)
    assert not ExchangeRate.objects.for_organization(organization).exists()
    assert events(organization, "exchange_rate.created") == 1
    assert events(organization, "exchange_rate.deleted") == 1


@pytest.mark.parametrize(
    ("currency", "rate", "field"),
    [("CNY", "1", "currency"), ("US", "7", "currency"), ("USD", "0", "rate"), ("USD", "-1", "rate")],
)
def test_a_rate_is_of_another_currency_and_more_than_zero(
    organization: Organization, finance_user: User, currency: str, rate: str, field: str
) -> None:
    with pytest.raises(ApplicationError) as refused:
        rates.exchange_rate_create(
            actor=finance_user,
            organization=organization,
            currency=currency,
            rate=Decimal(rate),
            valid_from=dt.date(2026, 3, 1),
        )

    assert field in refused.value.fields
