"""Alerts in a real browser: a PMO admin lowers a threshold, runs variance, reads and acknowledges the alert."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from finance.models import BudgetVersion
from pmo.alerts.services import alert_rules_ensure
from pmo.models import Alert, AlertStatus, Notification, Organization, OrgRole
from tests.alert_kinds import AlertKind
from tests.e2e.conftest import login
from tests.factories import BudgetLineFactory, BudgetVersionFactory, OrganizationFactory, member
from tests.finance.test_earned_value_support import Built, build_textbook

PASSWORD = "correct-horse-battery"


@pytest.fixture
def built(live_server: Any) -> Built:
    organization = OrganizationFactory(name="Acme Build", slug="acme")
    built = build_textbook(organization)
    # Approved budget 10,000: the actual cost of 5,200 is 52 % of it, under the default 100 %.
    version = BudgetVersionFactory(
        organization=organization, project=built.project, status=BudgetVersion.Status.APPROVED, is_current=True
    )
    BudgetLineFactory(organization=organization, version=version, amount=Decimal("10000.00"))
    return built


def bell_count(page: Page) -> int:
    badge = page.locator("#alert-bell-count")
    return int(badge.inner_text()) if badge.count() else 0


def unread(organization: Organization, user_id: int) -> int:
    return Notification.objects.for_organization(organization).filter(user_id=user_id, read_at__isnull=True).count()


def test_a_pmo_admin_lowers_a_threshold_runs_variance_and_acknowledges_the_alert(
    page: Page, built: Built, screenshot: Callable[..., Path]
) -> None:
    organization = built.organization
    pmo = member(organization, OrgRole.PMO, username="pmo-lead", password=PASSWORD).user
    rule = alert_rules_ensure(organization)[AlertKind.COST_OVER_BUDGET]
    login(page, pmo.username, PASSWORD)

    page.goto("/o/acme/alerts/rules/")
    expect(page.locator("#alert-bell-count")).to_have_count(0)
    with page.expect_navigation():
        page.locator(f"#rule-{AlertKind.COST_OVER_BUDGET} a.button").click()
    page.locator("#id_threshold").fill("40")
    with page.expect_navigation():
        page.locator("#rule-form button[type=submit]").click()
    expect(page.locator(f"#rule-{AlertKind.COST_OVER_BUDGET} .threshold").first).to_have_text("40")
    rule.refresh_from_db()
    assert rule.threshold == Decimal("40")

    with page.expect_navigation():
        page.locator("#run-variance button").click()
    expect(page.locator(".message-success")).to_be_visible()
    over_budget = Alert.objects.for_organization(organization).get(kind=AlertKind.COST_OVER_BUDGET)
    assert over_budget.figures["value"] == "52.0"
    page.goto("/o/acme/alerts/")
    expect(page.locator(f"a[href='/o/acme/alerts/{over_budget.pk}/']").first).to_be_visible()
    count = bell_count(page)
    assert count == unread(organization, pmo.pk) >= 1
    screenshot(page, "-alerts")

    page.locator("#alert-bell").click()
    page.wait_for_url("**/alerts/inbox/")
    item = page.locator("#inbox li.inbox-item.unread").filter(has_text="52.0")
    expect(item).to_have_count(1)
    with page.expect_navigation():
        item.locator("button.inbox-open").click()
    expect(page.locator("#alert-message")).to_contain_text("52.0")
    assert bell_count(page) == count - 1
    with page.expect_navigation():
        page.locator("button[value=acknowledge]").first.click()
    expect(page.locator(".message-success")).to_be_visible()
    screenshot(page, "-acknowledged")

    over_budget.refresh_from_db()
    assert (over_budget.status, over_budget.acknowledged_by_id) == (AlertStatus.ACKNOWLEDGED, pmo.pk)
