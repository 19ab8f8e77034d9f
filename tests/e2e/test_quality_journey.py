"""Quality in a real browser: from a checklist's numeric limit to a closed project.

A quality manager builds a checklist template with a numeric item (flatness under a 3 m
straightedge, ≤ 5 mm) and schedules an inspection of a project in closing with it; the
inspector, on a phone (390 px) and in Chinese, records a failing reading (7 mm), sees it judged
at once and signs the inspection off; the non-conformance opens by itself. The project manager
analyses it, plans the corrective action and does it; the quality manager verifies and closes it.
The PMO sees the closing gate blocked while the deliverable is not accepted; once the quality
manager signs the acceptance, the gate passes and the project moves on to operations.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from pmo.models import Membership, Organization, OrgRole
from projects.models import Phase, Project, ProjectRole, WbsElement
from quality.models import ChecklistTemplate, Deliverable, Inspection, NcStatus, NonConformance, Outcome
from quality.services.acceptance import deliverable_flag
from quality.services.settings import builtin_type, inspection_types_ensure_defaults
from tests.e2e.conftest import login
from tests.factories import OrganizationFactory, ProjectFactory, WbsElementFactory, member
from tests.projects.test_control_support import join

PASSWORD = "correct-horse-battery"
PHONE = {"width": 390, "height": 844}


@dataclass
class Site:
    organization: Organization
    project: Project
    task: WbsElement
    deliverable: Deliverable
    quality_manager: Membership
    inspector: Membership
    manager: Membership
    pmo: Membership

    def org_url(self, path: str = "") -> str:
        return f"/o/{self.organization.slug}/{path}"

    def url(self, path: str = "") -> str:
        return f"/o/{self.organization.slug}/projects/{self.project.pk}/{path}"


@pytest.fixture
def site(live_server: Any) -> Site:
    organization = OrganizationFactory(name="Riverside Works", slug="riverside")
    inspection_types_ensure_defaults(organization)
    quality_manager = member(organization, OrgRole.QUALITY, username="liu-quality", display_name="刘洋 Liu Yang")
    inspector = member(
        organization, OrgRole.QUALITY, username="zhao-inspector", display_name="赵工 Zhao Gong", language="zh-hans"
    )
    manager = member(organization, OrgRole.PROJECT_MANAGER, username="zhang-pm", display_name="张伟 Zhang Wei")
    pmo = member(organization, OrgRole.PMO, username="li-pmo", display_name="李敏 Li Min")
    project = ProjectFactory(
        organization=organization, code="GW-J-01", name="Riverside greenway", phase=Phase.CLOSING, manager=manager.user
    )
    join(project, manager, ProjectRole.MANAGER)
    task = WbsElementFactory(project=project, organization=organization, code="2.3", name="Asphalt greenway")
    deliverable = deliverable_flag(
        actor=manager.user, project=project, wbs_element=task, criteria="Flatness within 5 mm under a 3 m straightedge."
    )
    return Site(organization, project, task, deliverable, quality_manager, inspector, manager, pmo)


def submit(page: Page, form: Locator, button: str = "button[type=submit]") -> None:
    with page.expect_navigation():
        form.locator(button).first.click()


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]  # type: ignore[index]


def post_form(page: Page, op: str) -> Locator:
    """The page's form that posts ``op``."""
    return page.locator(f"main form:has(input[name=op][value={op}])")


def transition(page: Page, to_status: str) -> None:
    submit(page, page.locator(f"main form:has(input[name=to_status][value={to_status}])"))


def test_a_failing_reading_on_a_phone_opens_a_non_conformance_closed_before_the_closing_gate_passes(
    site: Site, new_page: Callable[..., Page], screenshot: Callable[..., Path]
) -> None:
    organization, project = site.organization, site.project

    # The quality manager builds the checklist: one numeric item, ≤ 5 mm.
    desk = new_page()
    login(desk, site.quality_manager.user.username, PASSWORD)
    desk.goto(site.org_url("quality/templates/new/"))
    form = desk.locator("main form.quality-template-form")
    form.locator("input[name=code]").fill("AP-J")
    form.locator("input[name=name_zh]").fill("沥青面层检查")
    form.locator("input[name=name_en]").fill("Asphalt surfacing")
    form.locator("select[name=inspection_type]").select_option(str(builtin_type(organization, "quality").pk))
    item = form.locator("fieldset.quality-item-fieldset").first
    item.locator("input[name=items-0-text_zh]").fill("平整度（3 m 直尺最大间隙）")
    item.locator("input[name=items-0-text_en]").fill("Flatness under a 3 m straightedge")
    item.locator("select[name=items-0-kind]").select_option("numeric")
    item.locator("select[name=items-0-severity]").select_option("major")
    limit = item.locator("details.quality-item-part").first
    if limit.get_attribute("open") is None:
        limit.locator("summary").click()
    limit.locator("input[name=items-0-unit]").fill("mm")
    limit.locator("select[name=items-0-comparator]").select_option("lte")
    limit.locator("input[name=items-0-limit_a]").fill("5")
    submit(desk, form, "button[type=submit]:not([name])")
    expect(desk).to_have_url(re.compile(r"/quality/templates/\d+/$"))
    expect(desk.locator("main .quality-rule").first).to_have_text("≤ 5 mm")

    # She schedules an inspection of the greenway with it, for the inspector.
    desk.goto(site.url("quality/inspections/new/"))
    form = desk.locator("main form[method=post]")
    template = ChecklistTemplate.objects.for_organization(organization).get(code="AP-J", is_current=True)
    form.locator("select[name=template]").select_option(str(template.pk))
    form.locator("select[name=wbs_element]").select_option(str(site.task.pk))
    form.locator("input[name=location]").fill("K0+400 to K0+600")
    form.locator("select[name=inspector]").select_option(str(site.inspector.user_id))
    submit(desk, form)
    inspection = Inspection.objects.for_organization(organization).get(project=project)
    inspection_url = site.url(f"quality/inspections/{inspection.pk}/")

    # The inspector, on a phone and in Chinese, records 7 mm: judged at once as a defect.
    phone = new_page(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    login(phone, site.inspector.user.username, PASSWORD)
    phone.goto(inspection_url)
    reading = phone.locator("main form.reading-form").first
    number = reading.locator("input[name=number]")
    expect(number).to_have_attribute("inputmode", "decimal")
    number.fill("7")
    submit(phone, reading)
    verdict = phone.locator("main .reading-verdict").first
    expect(verdict).to_contain_text("7 mm > 5 mm")
    expect(phone.locator("main .check-card.check-failed")).to_have_count(1)
    no_sideways_scroll(phone)
    screenshot(phone, "-phone-reading")
    submit(phone, post_form(phone, "sign"))
    inspection.refresh_from_db()
    assert inspection.outcome == Outcome.FAILED
    no_sideways_scroll(phone)
    screenshot(phone, "-phone-signed")

    # The non-conformance opened by itself, major, from the inspection.
    nc = NonConformance.objects.for_organization(organization).get(project=project)
    assert (nc.status, nc.severity, nc.inspection_id) == (NcStatus.OPEN, "major", inspection.pk)

    # The project manager analyses it, plans the corrective action and does it.
    pm = new_page()
    login(pm, site.manager.user.username, PASSWORD)
    pm.goto(site.url("quality/ncs/"))
    with pm.expect_navigation():
        pm.locator(f'main a[href$="/quality/ncs/{nc.pk}/"]').first.click()
    transition(pm, NcStatus.ANALYSIS)
    cause = post_form(pm, "root_cause")
    cause.locator("textarea[name=root_cause]").fill("The paver's levelling reference moved.")
    submit(pm, cause)
    transition(pm, NcStatus.ACTION_PLAN)
    pm.locator("main details.nc-add summary").first.click()
    action = post_form(pm, "action_add")
    action.locator("textarea[name=description]").fill("Mill and re-lay K0+420 to K0+460.")
    action.locator("select[name=owner]").select_option(str(site.manager.user_id))
    action.locator("input[name=due_date]").fill(organization.today().isoformat())
    submit(pm, action)
    expect(pm.locator("main table.nc-actions tbody tr")).to_have_count(1)
    transition(pm, NcStatus.IN_PROGRESS)
    done = post_form(pm, "action_update").first
    done.locator("select[name$=status]").select_option("done")
    submit(pm, done)
    transition(pm, NcStatus.VERIFICATION)
    nc.refresh_from_db()
    assert nc.status == NcStatus.VERIFICATION

    # The quality manager verifies the rework and closes it.
    desk.goto(site.url(f"quality/ncs/{nc.pk}/"))
    verify = post_form(desk, "verify")
    verify.locator("input[name=passed][value=true]").check()
    verify.locator("textarea[name=note]").fill("Re-measured: largest gap 3 mm.")
    submit(desk, verify)
    nc.refresh_from_db()
    assert nc.status == NcStatus.CLOSED
    assert nc.verified_by_id == site.quality_manager.user_id

    # The PMO finds the closing gate blocked: the deliverable is not accepted yet.
    office = new_page()
    login(office, site.pmo.user.username, PASSWORD)
    office.goto(site.url("gate/"))
    check = office.locator("main li.computed-check[data-check=quality_acceptance]")
    expect(check).to_have_class(re.compile("is-failed"))
    expect(check).to_contain_text("not accepted")
    expect(office.locator("main #computed-checks")).to_have_class(re.compile("is-blocked"))

    # The quality manager signs the acceptance.
    desk.goto(site.url(f"quality/deliverables/{site.deliverable.pk}/"))
    sign = post_form(desk, "sign")
    sign.locator("input[name=decision][value=accepted]").check()
    sign.locator("textarea[name=note]").fill("Flatness re-measured within 5 mm.")
    submit(desk, sign)
    site.deliverable.refresh_from_db()
    assert site.deliverable.status == "accepted"

    # Now the gate passes, and the PMO moves the project on.
    office.reload()
    expect(check).to_have_class(re.compile("is-passed"))
    gate = office.locator("main form.gate-form")
    for box in gate.locator("input[type=checkbox]").all():
        box.check()
    submit(office, gate)
    project.refresh_from_db()
    assert project.phase == Phase.OPERATIONS
