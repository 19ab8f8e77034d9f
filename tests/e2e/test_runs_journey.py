"""The PMO runs the variance check and follows it on the runs page, on a desktop and on a phone (390 px),
in English and in Chinese; a member who is not in the PMO office is refused the page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from pmo.models import OrgRole, Run, RunStatus
from tests.e2e.conftest import login
from tests.factories import OrganizationFactory, member
from tests.finance.test_earned_value_support import build_textbook

PASSWORD = "correct-horse-battery"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def fits_the_phone(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= 390"))


def test_the_pmo_runs_the_variance_check_and_sees_the_run_complete_with_its_batches(
    new_page: Callable[..., Page], screenshot: Callable[..., Path], page_watch: Any
) -> None:
    organization = OrganizationFactory(name="Acme Build", slug="acme")
    build_textbook(organization, "P-1")
    build_textbook(organization, "P-2")
    member(organization, OrgRole.PMO, username="pmo-li")
    member(organization, OrgRole.MEMBER, username="member-wu")

    page = new_page()
    login(page, "pmo-li", PASSWORD)
    page.goto("/o/acme/settings/runs/")
    expect(page.locator(".empty-state")).to_contain_text("No runs yet.")

    page.goto("/o/acme/alerts/rules/")
    page.get_by_role("button", name="Run variance now").click()
    expect(page.locator(".message-success")).to_contain_text("The variance check is queued")
    # The variance check, and maintenance's alert sync that "run the check now" starts too.
    run = Run.objects.get(kind="finance.variance")
    assert set(Run.objects.values_list("status", flat=True)) == {RunStatus.COMPLETE}  # Celery is eager here

    page.goto("/o/acme/settings/")
    page.locator("nav.tabs").get_by_role("link", name="Runs").click()
    row = page.locator(f"#run-{run.pk}")
    expect(row).to_contain_text("Variance check")
    expect(row).to_contain_text("2 of 2 batches")
    expect(row.locator(".run-status")).to_have_text("Complete")
    screenshot(page, "-en-1280")

    row.get_by_role("link", name="Variance check").click()
    expect(page.locator("#batches tbody tr")).to_have_count(2)
    expect(page.locator("#batches")).to_contain_text("2 projects as of")
    expect(page.locator("#batches")).to_contain_text("The alerts of projects closed since")

    phone = new_page(**PHONE)
    login(phone, "pmo-li", PASSWORD)
    phone.goto("/o/acme/settings/runs/")
    expect(phone.locator(f"#run-{run.pk} .run-status")).to_have_text("Complete")
    assert fits_the_phone(phone)
    screenshot(phone, "-en-390")
    phone.locator(".lang-switch button[value=zh-hans]").click()
    expect(phone.locator(f"#run-{run.pk}")).to_contain_text("偏差检查")
    expect(phone.locator(f"#run-{run.pk} .run-status")).to_have_text("完成")
    assert fits_the_phone(phone)
    screenshot(phone, "-zh-390")
    phone.goto(f"/o/acme/settings/runs/{run.pk}/")
    expect(phone.locator("#batches")).to_contain_text("个项目")
    assert fits_the_phone(phone)
    screenshot(phone, "-zh-390-run")

    outsider = new_page()
    login(outsider, "member-wu", PASSWORD)
    page_watch.expect_status("/o/acme/settings/runs/", 403)
    response = outsider.goto("/o/acme/settings/runs/")
    assert response is not None
    assert response.status == 403
