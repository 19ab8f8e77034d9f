"""A project manager's journey through a plan in a real browser: WBS, progress, Gantt chart."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from pmo.models import OrgRole
from projects.models import Project, WbsElement
from projects.services import plan
from projects.services import projects as project_services
from tests.e2e.conftest import login
from tests.factories import ActualCostFactory, CostCategoryFactory, OrganizationFactory, member

PASSWORD = "correct-horse-battery"


@pytest.fixture
def park() -> tuple[Project, WbsElement]:
    organization = OrganizationFactory(name="Riverside Works", slug="riverside")
    admin = member(organization, OrgRole.ADMIN, username="pmo-admin").user
    manager = member(organization, OrgRole.PROJECT_MANAGER, username="zhang", display_name="张伟 Zhang Wei").user
    project = project_services.project_create(
        actor=admin,
        organization=organization,
        code="GW-1",
        name="滨河公园 Riverside park",
        manager=manager,
        planned_start=dt.date(2026, 3, 2),
    )
    design = plan.wbs_element_create(actor=manager, project=project, name="设计 Design", kind="summary", duration=0)
    survey = plan.wbs_element_create(
        actor=manager,
        project=project,
        name="现场测量 Site survey",
        parent=design,
        duration=10,
        budgeted_cost=Decimal("40000"),
    )
    drawings = plan.wbs_element_create(
        actor=manager,
        project=project,
        name="施工图 Drawings",
        parent=design,
        duration=8,
        budgeted_cost=Decimal("90000"),
    )
    approval = plan.wbs_element_create(
        actor=manager, project=project, name="设计审批 Approved", kind="milestone", duration=0
    )
    plan.dependency_create(actor=manager, project=project, predecessor=survey, successor=drawings)
    plan.dependency_create(actor=manager, project=project, predecessor=drawings, successor=approval)
    plan.baseline_create(actor=manager, project=project, name="Approved plan")
    ActualCostFactory(
        organization=organization,
        project=project,
        date=dt.date(2026, 3, 6),
        amount=Decimal("10000.00"),
        category=CostCategoryFactory(organization=organization, code="labour"),
        created_by=admin,
    )
    return project, survey


def fill_width(page: Page, task_id: int) -> float:
    return float(page.locator(f"svg.gantt-svg g#t{task_id} rect.g-pf").get_attribute("width") or 0)


def index(page: Page, key: str) -> str:
    value = page.locator(f"li.indicator[data-key={key}] .ind-value")
    band = value.locator(".badge")
    return value.inner_text().removesuffix(band.inner_text() if band.count() else "").strip()


def test_a_project_manager_updates_progress_inline_and_sees_the_gantt_bar_fill_and_spi_cpi_change(
    page: Page, park: tuple[Project, WbsElement], screenshot: Callable[..., Path]
) -> None:
    project, survey = park
    login(page, "zhang", PASSWORD)

    page.goto("/o/riverside/projects/")
    page.get_by_role("link", name=project.code).click()
    expect(page.locator("main h1")).to_contain_text(project.name)

    # Long after the plan's end: PV = BAC = 130,000; nothing earned yet against 10,000 spent.
    page.goto(f"/o/riverside/projects/{project.pk}/earned-value/")
    assert (index(page, "spi"), index(page, "cpi")) == ("0.0000", "0.0000")
    page.goto(f"/o/riverside/projects/{project.pk}/")

    page.locator("nav.project-tabs a").nth(2).click()  # Gantt
    expect(page).to_have_url(re.compile(r"/gantt/$"))
    bar = page.locator(f"svg.gantt-svg g#t{survey.pk}")
    expect(bar).to_have_attribute("data-pct", "0")
    assert fill_width(page, survey.pk) == 0

    page.locator("nav.project-tabs a").nth(1).click()  # WBS
    expect(page).to_have_url(re.compile(r"/wbs/$"))
    row = page.locator(f"tr#e{survey.pk}")
    row.locator("details.row-form summary").click()
    row.locator("input[name=percent_complete]").fill("40")
    with page.expect_navigation():
        row.locator("form button[type=submit]").click()

    expect(page).to_have_url(re.compile(rf"/wbs/#e{survey.pk}$"))
    expect(page.locator(".message-success")).to_be_visible()
    expect(page.locator(f"tr#e{survey.pk} .pct-cell")).to_contain_text("40 %")

    page.locator("nav.project-tabs a").nth(2).click()
    expect(bar).to_have_attribute("data-pct", "40")
    bar_width = float(page.locator(f"svg.gantt-svg g#t{survey.pk} rect.g-bar").get_attribute("width") or 0)
    assert fill_width(page, survey.pk) == pytest.approx(bar_width * 0.4, abs=1)
    expect(page.locator(f"ol.gantt-labels li >> text={survey.name}")).to_be_visible()
    screenshot(page)

    # 40 % of the survey's 40,000 earned: SPI 16,000 / 130,000, CPI 16,000 / 10,000.
    page.goto(f"/o/riverside/projects/{project.pk}/earned-value/")
    assert (index(page, "spi"), index(page, "cpi")) == ("0.1231", "1.6000")
    screenshot(page, "-earned-value")


@pytest.mark.parametrize("language", ["en-US", "zh-CN"])
def test_on_a_phone_every_project_tab_and_the_wbs_progress_action_are_on_screen(
    new_page: Callable[..., Page], park: tuple[Project, WbsElement], screenshot: Callable[..., Path], language: str
) -> None:
    project, survey = park
    page = new_page(viewport={"width": 390, "height": 844}, locale=language)
    login(page, "zhang", PASSWORD)
    page.goto(f"/o/riverside/projects/{project.pk}/wbs/")

    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    tabs = page.locator("nav.project-tabs a")
    assert tabs.count() >= 10
    for n in range(tabs.count()):
        box = tabs.nth(n).bounding_box()
        assert box is not None
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= 390

    action = page.locator(f"tr#e{survey.pk} details.row-form summary")
    box = action.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= 390
    action.click()
    save = page.locator(f"tr#e{survey.pk} form button[type=submit]")
    expect(save).to_be_visible()
    box = save.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= 390
    screenshot(page, f"-{language}")
