"""Finance in a real browser: approving a budget version, separation of duties, budget control."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from finance.models import ActualCost, BudgetLine, BudgetVersion, FinanceSettings
from finance.services import budgets
from tests.e2e.conftest import PageWatch, login
from tests.factories import OrganizationFactory
from tests.finance.test_pages_support import Books, build_books, submitted_version

PASSWORD = "correct-horse-battery"


@pytest.fixture
def books(live_server: Any) -> Books:
    return build_books(OrganizationFactory(name="Acme Build", slug="acme"))


def refreshed(version: BudgetVersion) -> BudgetVersion:
    return BudgetVersion.objects.for_organization(version.organization_id).get(pk=version.pk)


def submit_and_wait(page: Page, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).click()


def test_a_finance_user_approves_a_submitted_budget_version(
    page: Page, books: Books, screenshot: Callable[..., Path]
) -> None:
    v2 = submitted_version(books)
    login(page, books.finance.user.username, PASSWORD)

    page.goto("/o/acme/finance/")
    card = page.locator(f"li#v{v2.pk}")
    expect(card).to_be_visible()
    expect(card.locator("table.diff-table tbody tr")).to_have_count(2)
    expect(card.locator("tbody td.up")).to_have_count(1)  # labour goes up
    card.locator("textarea").fill("Checked against the design team's hours.")
    screenshot(page, "-queue")
    submit_and_wait(page, f"li#v{v2.pk} button[value=approve]")

    expect(page.locator(".message-success")).to_be_visible()
    expect(page.locator("main .empty-state")).to_be_visible()
    approved = refreshed(v2)
    assert (approved.status, approved.is_current) == ("approved", True)
    assert approved.decision_comment == "Checked against the design team's hours."

    page.goto(books.url("finance/"))
    current = page.locator(".version-list li.is-current")
    expect(current).to_have_count(1)
    expect(current.locator("a").first).to_have_text(f"v{v2.number}")
    screenshot(page, "-budget")


def test_the_submitter_cannot_approve_their_own_budget_version(
    new_page: Callable[..., Page], books: Books, screenshot: Callable[..., Path]
) -> None:
    finance = books.finance.user
    draft = budgets.budget_version_create(actor=finance, project=books.project, note="Finance's own revision")
    budgets.budget_line_add(actor=finance, version=draft, category=books.categories["other"], amount=Decimal("300"))

    page = new_page()
    login(page, finance.username, PASSWORD)
    page.goto(books.url(f"finance/versions/{draft.pk}/"))
    submit_and_wait(page, "form:has(input[name=op][value=submit]) button[type=submit]")
    expect(page.locator(".message-success")).to_be_visible()
    assert refreshed(draft).status == BudgetVersion.Status.SUBMITTED

    page.goto("/o/acme/finance/")
    card = page.locator(f"li#v{draft.pk}")
    expect(card).to_be_visible()
    expect(card.locator("button[value=approve]")).to_have_count(0)
    expect(card.locator(".note-box")).to_be_visible()
    screenshot(page, "-submitter")

    other = new_page()
    login(other, books.other_finance.user.username, PASSWORD)
    other.goto("/o/acme/finance/")
    expect(other.locator(f"li#v{draft.pk} button[value=approve]")).to_be_visible()
    assert refreshed(draft).status == BudgetVersion.Status.SUBMITTED


def test_a_blocked_over_budget_cost_is_refused_with_a_message_and_nothing_is_saved(
    page: Page, books: Books, page_watch: PageWatch, screenshot: Callable[..., Path]
) -> None:
    costs_url = books.url("finance/actual-costs/")
    page_watch.expect_status(costs_url, 400)
    login(page, books.finance.user.username, PASSWORD)

    page.goto("/o/acme/finance/settings/")
    page.locator("input[name=budget_control][value=block]").check()
    submit_and_wait(page, "form:has(input[name=op][value=control]) button[type=submit]")
    expect(page.locator(".message-success")).to_be_visible()
    settings = FinanceSettings.objects.for_organization(books.organization).get()
    assert settings.budget_control == FinanceSettings.BudgetControl.BLOCK

    page.goto(costs_url)
    expect(page.locator("main .empty-state")).to_be_visible()
    form = page.locator("form:has(input[name=op][value=create])")
    form.locator("input[name=date]").fill("2026-03-10")
    form.locator("input[name=amount]").fill("1500.00")  # labour has 1 000 approved
    form.locator("select[name=category]").select_option(str(books.categories["labour"].pk))
    form.locator("input[name=supplier]").fill("Design Institute")
    submit_and_wait(page, "form:has(input[name=op][value=create]) button[type=submit]")

    expect(page.locator(".message-error")).to_be_visible()
    amount_field = page.locator("form:has(input[name=op][value=create]) .field-invalid")
    expect(amount_field.locator("input[name=amount]")).to_have_value("1500.00")
    expect(amount_field.locator(".field-error").first).to_be_visible()
    expect(page.locator("main .empty-state")).to_be_visible()
    assert not ActualCost.objects.for_organization(books.organization).exists()
    assert BudgetLine.objects.for_organization(books.organization).filter(version=books.v1).count() == 2
    screenshot(page)
