"""Operations and maintenance in a real browser: from a project's handover to a closed work order.

The riverside greenway's project, in closing, delivered the asphalt greenway (its WBS 2.3, flagged as a
deliverable). The O&M manager starts the project's handover on a new site; the proposed row is completed
(code, category asphalt road, location, 400 m², install date, warranty end) and the handover completed:
the asset is in the register with the project as its origin. A weekly inspection plan covers the site
and the beat's generator makes this week's round. The inspector, on a phone (390 px) and in Chinese,
walks it: a pothole of 35 mm against "a defect when > 20 mm" fails at once, with its rule shown, and a
work order opens; the other readings pass and the round is completed. The manager finds the work order
in the list with its SLA deadline and assigns it to a technician, who starts and completes the repair
(work done, hours, cost); the inspector verifies it with a new reading of 0 mm that passes; the manager
closes it. The O&M figures move along: no open work order and no defect after the handover, one open
work order and one defect after the round, none open again after closing, with a mean time to repair,
the resolution deadline met and the repair's cost.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Locator, Page, expect

from maintenance.generation import generate_rounds
from maintenance.models import (
    Asset,
    Criterion,
    CriterionKind,
    Handover,
    HandoverRow,
    HandoverStatus,
    Round,
    WorkOrder,
    WorkOrderStatus,
)
from maintenance.services.plans import plan_create
from maintenance.services.settings import inspector_name
from maintenance.standards import builtin_category
from pmo.models import Membership, Organization, OrgRole
from projects.models import Phase, Project, ProjectRole
from quality.services.acceptance import deliverable_flag
from tests.e2e.conftest import login
from tests.factories import OrganizationFactory, ProjectFactory, WbsElementFactory, member
from tests.projects.test_control_support import join

PASSWORD = "correct-horse-battery"
PHONE = {"width": 390, "height": 844}
PLAN = "绿道每周巡查 Weekly greenway inspection"


@dataclass
class Site:
    organization: Organization
    project: Project
    manager: Membership
    inspector: Membership
    technician: Membership

    def url(self, name: str, *args: Any) -> str:
        return reverse(name, args=[self.organization.slug, *args])


@pytest.fixture
def site(live_server: Any) -> Site:
    organization = OrganizationFactory(name="Riverside Works", slug="riverside-om")
    manager = member(organization, OrgRole.MAINTENANCE, username="zhou-om", display_name="周强 Zhou Qiang")
    inspector = member(
        organization, OrgRole.MEMBER, username="li-inspector", display_name="李巡检 Li Xunjian", language="zh-hans"
    )
    technician = member(organization, OrgRole.MEMBER, username="sun-tech", display_name="孙师傅 Master Sun")
    pm = member(organization, OrgRole.PROJECT_MANAGER, username="zhang-pm", display_name="张伟 Zhang Wei")
    project = ProjectFactory(
        organization=organization,
        code="GW-J-01",
        name="滨河绿道 Riverside greenway",
        phase=Phase.CLOSING,
        manager=pm.user,
    )
    join(project, pm, ProjectRole.MANAGER)
    task = WbsElementFactory(project=project, organization=organization, code="2.3", name="沥青绿道 Asphalt greenway")
    deliverable_flag(actor=pm.user, project=project, wbs_element=task, criteria="面层平整，无坑槽。Even, no potholes.")
    inspector_name(actor=manager.user, organization=organization, user=inspector.user)
    return Site(organization, project, manager, inspector, technician)


def submit(page: Page, form: Locator) -> None:
    with page.expect_navigation():
        form.locator("button[type=submit]").first.click()


def post_form(page: Page, op: str) -> Locator:
    """The page's form that posts ``op``."""
    return page.locator(f"main form:has(input[name=op][value={op}])")


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]  # type: ignore[index]


def figure(page: Page, site: Site, name: str) -> str:
    page.goto(site.url("org-maintenance"))
    return page.locator(f"#om-headline [data-figure={name}]").first.inner_text().strip()


def test_a_handed_over_asset_fails_a_round_on_a_phone_and_its_work_order_is_repaired_verified_and_closed(
    site: Site, new_page: Callable[..., Page], screenshot: Callable[..., Path]
) -> None:
    organization, project = site.organization, site.project
    zone = zoneinfo.ZoneInfo(organization.time_zone)
    today = organization.today()
    road = builtin_category(organization, "asphalt-road")

    # The O&M manager starts the handover on a new site and completes the proposed row.
    desk = new_page()
    login(desk, site.manager.user.username, PASSWORD)
    desk.goto(site.url("project-maintenance-handover", project.pk))
    start = post_form(desk, "start")
    start.locator("input[name=site-new_code]").fill("GW")
    start.locator("input[name=site-new_name]").fill("滨河绿道 Riverside greenway")
    submit(desk, start)
    row = HandoverRow.objects.for_organization(organization).get(handover__project=project)
    assert row.wbs_element is not None
    assert row.wbs_element.code == "2.3"
    details = desk.locator(f"#row-{row.pk}")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    form = details.locator("form:has(input[name=op][value=row])")
    prefix = f"r{row.pk}"
    form.locator(f"[name={prefix}-code]").fill("GW-P01")
    form.locator(f"[name={prefix}-category]").select_option(str(road.pk))
    form.locator(f"[name={prefix}-location_text]").fill("K0+000-K0+100")
    form.locator(f"[name={prefix}-quantity]").fill("400")
    form.locator(f"[name={prefix}-unit]").select_option("m2")
    form.locator(f"[name={prefix}-install_date]").fill((today - dt.timedelta(days=30)).isoformat())
    form.locator(f"[name={prefix}-warranty_end]").fill((today + dt.timedelta(days=700)).isoformat())
    submit(desk, form)
    expect(desk.locator(f"#row-{row.pk} summary")).not_to_contain_text(re.compile(r"Lacks|缺"))
    submit(desk, post_form(desk, "complete"))
    handover = Handover.objects.for_organization(organization).get(project=project)
    assert handover.status == HandoverStatus.COMPLETED
    asset = Asset.objects.for_organization(organization).get(code="GW-P01")
    assert asset.origin_project_id == project.pk
    assert asset.origin_wbs_element_id == row.wbs_element_id
    expect(desk.locator(f"#row-{row.pk} summary a.badge")).to_have_text("GW-P01")
    screenshot(desk, "-handover")
    assert figure(desk, site, "open") == "0"
    assert figure(desk, site, "defects") == "0"

    # A weekly plan over the site; the beat's generator makes this week's round.
    plan_create(
        actor=site.manager.user,
        organization=organization,
        name=PLAN,
        starts_on=today - dt.timedelta(days=today.weekday()),
        inspector=site.inspector.user,
        sites=[asset.site],
    )
    generate_rounds(organization=organization, today=today)
    round_ = Round.objects.for_organization(organization).get(plan__name=PLAN, period_start__lte=today)
    criteria = list(
        Criterion.objects.for_organization(organization)
        .filter(category=road, retired_at__isnull=True)
        .prefetch_related("versions")
    )
    pothole = next(criterion for criterion in criteria if criterion.code == "pothole-depth")

    # The inspector walks the round on a phone, in Chinese: the pothole fails at once, with its rule.
    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    login(phone, site.inspector.user.username, PASSWORD)
    phone.goto(site.url("org-maintenance-rounds"))
    with phone.expect_navigation():
        phone.locator(f"main a[href*='/rounds/{round_.pk}/']").first.click()
    expect(phone.locator(".stop-card h2")).to_contain_text("GW-P01")
    for criterion in criteria:
        version = next(version for version in criterion.versions.all() if version.is_current)
        value = "35" if criterion == pothole else "0"
        phone.locator(f"input[name=value-{criterion.pk}]").fill(value)
        if version.kind == CriterionKind.COMPOUND:
            phone.locator(f"input[name=second-{criterion.pk}]").fill("500")
    no_sideways_scroll(phone)
    submit(phone, phone.locator("#readings-form"))
    failed = phone.locator(f"#criterion-{pothole.pk}")
    expect(failed).to_have_class(re.compile("criterion-failed"))
    expect(failed.locator(".criterion-rule")).to_contain_text("20")
    expect(failed.locator(".verdict")).to_contain_text("35")
    work_order = WorkOrder.objects.for_organization(organization).get(asset=asset)
    expect(failed.locator(".verdict a")).to_have_text(work_order.reference)
    assert phone.locator(".criterion-passed").count() == len(criteria) - 1
    no_sideways_scroll(phone)
    screenshot(phone, "-round-phone")
    submit(phone, post_form(phone, "complete"))
    round_.refresh_from_db()
    assert round_.status == "completed"

    # The work order opened with the criterion's priority and its SLA deadlines.
    assert (work_order.status, work_order.priority, work_order.criterion_id) == (
        WorkOrderStatus.OPEN,
        pothole.versions.get(is_current=True).priority,
        pothole.pk,
    )
    assert work_order.opened_at < work_order.response_due_at <= work_order.resolution_due_at
    assert figure(desk, site, "open") == "1"
    assert figure(desk, site, "defects") == "1"
    desk.goto(site.url("org-maintenance-work-orders"))
    listed = desk.locator("main tbody tr", has=desk.locator(f"a:text-is('{work_order.reference}')"))
    resolve_by = work_order.resolution_due_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    expect(listed.locator("td.date")).to_contain_text(resolve_by)
    with desk.expect_navigation():
        listed.locator(f"a:text-is('{work_order.reference}')").first.click()
    expect(desk.locator("main")).to_contain_text(resolve_by)
    expect(desk.locator("main")).to_contain_text(work_order.response_due_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"))

    # The manager assigns it to the technician.
    assign = post_form(desk, "assign")
    assign.locator("select[name=assignee]").select_option(str(site.technician.user.pk))
    submit(desk, assign)
    work_order.refresh_from_db()
    assert (work_order.status, work_order.assignee_id) == (WorkOrderStatus.ASSIGNED, site.technician.user.pk)

    # The technician starts and completes the repair.
    bench = new_page()
    login(bench, site.technician.user.username, PASSWORD)
    bench.goto(site.url("org-maintenance-work-order", work_order.pk))
    submit(bench, post_form(bench, "start"))
    complete = post_form(bench, "complete")
    complete.locator("[name=work_done]").fill("铣刨并重铺 2 m²。Milled and re-laid 2 m².")
    complete.locator("[name=labour_hours]").fill("6")
    complete.locator("[name=cost]").fill("1800")
    submit(bench, complete)
    work_order.refresh_from_db()
    assert work_order.status == WorkOrderStatus.COMPLETED
    assert work_order.cost == Decimal("1800")

    # The inspector verifies it on the phone with a new reading that passes.
    phone.goto(site.url("org-maintenance-work-order", work_order.pk))
    verify = post_form(phone, "verify")
    verify.locator("[name=value]").fill("0")
    no_sideways_scroll(phone)
    submit(phone, verify)
    work_order.refresh_from_db()
    assert work_order.status == WorkOrderStatus.VERIFIED
    assert work_order.verification_readings.get().passed

    # The manager closes it; the figures show the repair.
    desk.goto(site.url("org-maintenance-work-order", work_order.pk))
    submit(desk, post_form(desk, "close"))
    work_order.refresh_from_db()
    assert work_order.status == WorkOrderStatus.CLOSED
    assert not work_order.resolution_breached
    screenshot(desk, "-closed")
    assert figure(desk, site, "open") == "0"
    assert figure(desk, site, "mttr") != "—"
    assert re.fullmatch(r"100(\.0)? %", figure(desk, site, "resolution"))
    assert re.sub(r"\D", "", figure(desk, site, "cost")) == "180000"
    screenshot(desk, "-figures")
