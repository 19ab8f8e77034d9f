"""A manager writes the week's report and submits it without saving first; the PMO sends it back."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from pmo.models import OrgRole
from projects.models import StatusReport
from projects.services import control
from tests.e2e.conftest import login
from tests.factories import OrganizationFactory, member
from tests.projects.test_control_support import FRIDAY, build_plan

PASSWORD = "correct-horse-battery"


def test_what_was_typed_is_submitted_and_the_returned_report_shows_why(page: Page) -> None:
    organization = OrganizationFactory(name="Acme Build", slug="acme")
    plan = build_plan(organization)
    member(organization, OrgRole.PMO, username="pmo-li")
    report = control.status_report_create(actor=plan.manager.user, project=plan.project, period_end=FRIDAY)
    url = f"/o/acme/projects/{plan.project.pk}/status-reports/{report.pk}/"

    login(page, plan.manager.user.username, PASSWORD)
    page.goto(url)
    page.fill("textarea[name=accomplishments]", "Piles driven on the east bank.")
    page.get_by_role("button", name="Submit to the PMO").click()  # never "Save draft"

    expect(page.locator(".message-success")).to_be_visible()
    report.refresh_from_db()
    assert (report.status, report.accomplishments) == (StatusReport.Status.SUBMITTED, "Piles driven on the east bank.")

    page.context.clear_cookies()
    login(page, "pmo-li", PASSWORD)
    page.goto(url)
    page.fill("textarea[name='return-comment']", "Say when the steel arrives.")
    page.get_by_role("button", name="Return to the author").click()
    expect(page.locator("#report-returned")).to_contain_text("Say when the steel arrives.")
    report.refresh_from_db()
    assert report.status == StatusReport.Status.DRAFT
