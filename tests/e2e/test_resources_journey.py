"""Resources in a real browser: from a project manager's request to labour cost in earned value.

The North bridge's project manager asks the resource office for a civil engineer for the
foundations next week. The only one, Wang, is already booked full time on the East depot that
week; the resource manager proposes him anyway (his free hours show 0) and fulfils the request.
The heat map then shows Wang over-allocated next week. A leveling proposal of the bridge, within
float (the permits run three weeks beside the survey and the foundations), moves the foundations a
week later; the resource manager applies it and the over-allocation is gone. Then Wang, on a phone
(390 px), fills in last week's hours on the site survey and submits them; the project manager
approves them, and the 40 hours at 120.00 an hour (4,800.00) appear as the bridge's actual cost
in its earned value.

Dates are relative to the organisation's today: the weeks are last week (the survey starts), this
week, next week (the foundations and the depot design) and the week after.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Locator, Page, expect

from finance.models import ActualCost
from pmo.models import Membership, Organization, OrgRole
from projects.models import Project, WbsElement
from projects.services.baselines import baseline_create
from projects.services.projects import project_create
from projects.services.wbs import dependency_create, wbs_element_create
from resources.models import (
    Assignment,
    LevelingRun,
    LevelingStatus,
    LineStatus,
    RequestStatus,
    Resource,
    ResourceRequest,
    TimesheetLine,
)
from resources.services.assignments import assignment_create
from resources.services.pool import resource_create, resource_role_create
from resources.services.rates_service import cost_rate_add
from tests.e2e.conftest import login
from tests.factories import OrganizationFactory, member

PASSWORD = "correct-horse-battery"
PHONE = {"width": 390, "height": 844}
RATE = Decimal("120.00")


@dataclass
class Site:
    organization: Organization
    bridge: Project
    depot: Project
    survey: WbsElement
    foundations: WbsElement
    wang: Resource
    office: Membership
    manager: Membership
    engineer: Membership
    last_monday: dt.date
    next_monday: dt.date

    def url(self, name: str, *args: Any) -> str:
        return reverse(name, args=[self.organization.slug, *args])


@pytest.fixture
def site(live_server: Any) -> Site:
    organization = OrganizationFactory(name="Lakeside Engineering", slug="lakeside")
    today = organization.today()
    this_monday = today - dt.timedelta(days=today.weekday())
    last_monday = this_monday - dt.timedelta(weeks=1)
    next_monday = this_monday + dt.timedelta(weeks=1)
    admin = member(organization, OrgRole.ADMIN, username="admin-lakeside")
    office = member(organization, OrgRole.RESOURCE, username="chen-resources", display_name="陈静 Chen Jing")
    manager = member(organization, OrgRole.PROJECT_MANAGER, username="zhang-pm", display_name="张伟 Zhang Wei")
    depot_manager = member(organization, OrgRole.PROJECT_MANAGER, username="wu-pm", display_name="吴芳 Wu Fang")
    engineer = member(organization, OrgRole.MEMBER, username="wang-engineer", display_name="王强 Wang Qiang")
    actor = admin.user

    # The bridge: a 10-day survey from last Monday, then the 5-day foundations (next week); the
    # permits run 20 days beside them, so the foundations have 10 working days of float.
    bridge = project_create(
        actor=actor,
        organization=organization,
        code="NB-01",
        name="North bridge",
        planned_start=last_monday,
        manager=manager.user,
    )
    survey = wbs_element_create(
        actor=actor, project=bridge, name="Site survey", duration=10, budgeted_cost=Decimal("9600")
    )
    foundations = wbs_element_create(
        actor=actor, project=bridge, name="Foundations", duration=5, budgeted_cost=Decimal("4800")
    )
    wbs_element_create(actor=actor, project=bridge, name="Permits and approvals", duration=20)
    dependency_create(actor=actor, project=bridge, predecessor=survey, successor=foundations)
    baseline_create(actor=actor, project=bridge, name="Original")

    # The depot: its design takes next week.
    depot = project_create(
        actor=actor,
        organization=organization,
        code="ED-02",
        name="East depot",
        planned_start=next_monday,
        manager=depot_manager.user,
    )
    design = wbs_element_create(actor=actor, project=depot, name="Depot design", duration=5)

    # The pool: Wang, the only civil engineer, at 120.00 an hour, full time on the depot's design.
    civil = resource_role_create(actor=actor, organization=organization, name="Civil engineer")
    wang = resource_create(
        actor=actor,
        organization=organization,
        code="CE-01",
        name="王强 Wang Qiang",
        user=engineer.user,
        role=civil,
        department="Engineering",
    )
    cost_rate_add(actor=actor, resource=wang, effective_from=last_monday - dt.timedelta(days=60), standard_rate=RATE)
    assignment_create(actor=actor, project=depot, task=design, resource=wang, units=Decimal("100"))

    for element in (survey, foundations):
        element.refresh_from_db()
    assert (survey.planned_start, foundations.planned_start) == (last_monday, next_monday)
    return Site(
        organization, bridge, depot, survey, foundations, wang, office, manager, engineer, last_monday, next_monday
    )


def submit(page: Page, form: Locator, button: str = "button[type=submit]") -> None:
    with page.expect_navigation():
        form.locator(button).first.click()


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]  # type: ignore[index]


def heat_cell(page: Page, site: Site, monday: dt.date) -> Locator:
    return page.locator(f'#heatmap a.util-cell[data-cell="{site.wang.pk}-{monday.isoformat()}"]')


def test_a_fulfilled_request_is_leveled_and_approved_hours_become_labour_cost_in_earned_value(
    site: Site, new_page: Callable[..., Page], screenshot: Callable[..., Path]
) -> None:
    organization = site.organization

    # The project manager asks for a civil engineer for the foundations, 40 hours next week.
    pm = new_page()
    login(pm, site.manager.user.username, PASSWORD)
    pm.goto(site.url("project-resource-request-create", site.bridge.pk) + f"?task={site.foundations.pk}")
    form = pm.locator("main form[method=post]")
    expect(form.locator("input[name=start]")).to_have_value(site.next_monday.isoformat())
    form.locator("select[name=role]").select_option(label="Civil engineer")
    form.locator("input[name=hours]").fill("40")
    form.locator("textarea[name=note]").fill("Pile caps and abutments.")
    submit(pm, form)
    asked = ResourceRequest.objects.for_organization(organization).get(project=site.bridge)
    assert (asked.status, asked.task_id, asked.hours) == (RequestStatus.OPEN, site.foundations.pk, Decimal("40"))

    # The resource manager finds it waiting, sees Wang has no free hours that week, proposes and fulfils.
    desk = new_page()
    login(desk, site.office.user.username, PASSWORD)
    desk.goto(site.url("org-resource-requests"))
    with desk.expect_navigation():
        desk.locator(f'main a[href$="/requests/{asked.pk}/"]').first.click()
    candidate = desk.locator("main .rq-candidates tbody tr").filter(has_text="CE-01")
    expect(candidate).to_have_count(1)
    expect(candidate.locator("td.num").last).to_have_text("0")  # 40 h of capacity, 40 h on the depot
    submit(desk, candidate.locator("form.rq-propose"))
    submit(desk, desk.locator("main form:has(input[name=op][value=fulfil])"))
    asked.refresh_from_db()
    assert asked.status == RequestStatus.FULFILLED
    assignment = Assignment.objects.for_organization(organization).get(task=site.foundations)
    assert (assignment.resource_id, assignment.work) == (site.wang.pk, Decimal("40.00"))

    # The heat map: next week Wang carries the depot's 40 h and the foundations' 40 h on 40 h: 200 %.
    desk.goto(site.url("org-resources"))
    over = heat_cell(desk, site, site.next_monday)
    expect(over).to_have_class(re.compile(r"\butil-over\b"))
    expect(over).to_have_attribute("aria-label", re.compile(r"80 h of 40 h \(200%\), over-allocated on 5 days"))
    screenshot(desk, "-heatmap-over")

    # A leveling proposal for the bridge, within float: the foundations move a week later.
    desk.goto(site.url("org-resource-leveling"))
    form = desk.locator("main form[method=post]")
    form.locator(f"input[name=projects][value='{site.bridge.pk}']").check()
    submit(desk, form)
    expect(desk).to_have_url(re.compile(r"/resources/leveling/\d+/$"))
    run = LevelingRun.objects.for_organization(organization).get()
    week_after = site.next_monday + dt.timedelta(weeks=1)
    moved = desk.locator("main table.lvl-moves tbody tr")
    expect(moved).to_have_count(1)
    expect(moved.first).to_contain_text("Foundations")
    new_dates = moved.first.locator("td.date").nth(1)
    expect(new_dates).to_have_text(re.compile(rf"{week_after}\W+{week_after + dt.timedelta(days=4)}"))
    expect(desk.locator("main .lvl-figure-value").nth(2)).to_have_text("5 → 0")
    screenshot(desk, "-leveling-proposal")
    submit(desk, desk.locator("main form:has(input[name=op][value=apply])"))
    run.refresh_from_db()
    assert run.status == LevelingStatus.APPLIED
    site.foundations.refresh_from_db()
    assert site.foundations.planned_start == week_after

    # The over-allocation is gone: 100 % next week (the depot), 100 % the week after (the foundations).
    desk.goto(site.url("org-resources"))
    for monday in (site.next_monday, week_after):
        cell = heat_cell(desk, site, monday)
        expect(cell).to_have_class(re.compile(r"\butil-full\b"))
        expect(cell).to_have_attribute("aria-label", re.compile(r"40 h of 40 h \(100%\)"))
    expect(desk.locator("#heatmap a.util-over")).to_have_count(0)

    # Wang, on a phone, books last week's hours on the survey: 8 h Monday to Friday, and submits.
    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    login(phone, site.engineer.user.username, PASSWORD)
    phone.goto(site.url("org-timesheet") + f"?week={site.last_monday.isoformat()}")
    add = phone.locator("main form.ts-add")
    add.locator("select[name=task]").select_option(label=f"NB-01 · {site.survey.code} Site survey")
    for day in ("mon", "tue", "wed", "thu", "fri"):
        hours = add.locator(f"input[name=hours_{day}]")
        expect(hours).to_have_attribute("inputmode", "decimal")
        hours.fill("8")
    submit(phone, add)
    expect(phone.locator("main table.ts-grid tbody tr.ts-line")).to_have_count(1)
    expect(phone.locator("main table.ts-grid tfoot .ts-total")).to_have_text("40")
    no_sideways_scroll(phone)
    screenshot(phone, "-phone-timesheet")
    submit(phone, phone.locator("main form:has(button[name=op][value=submit])"), "button[name=op][value=submit]")
    line = TimesheetLine.objects.for_organization(organization).get(timesheet__resource=site.wang)
    assert (line.status, line.task_id, line.total_hours) == (LineStatus.SUBMITTED, site.survey.pk, Decimal("40"))
    no_sideways_scroll(phone)
    screenshot(phone, "-phone-submitted")

    # The project manager approves the line on the bridge's approvals page.
    pm.goto(site.url("project-timesheet-approvals", site.bridge.pk))
    group = pm.locator("main form.ts-group")
    expect(group).to_have_count(1)
    expect(group).to_contain_text("Site survey")
    submit(pm, group, "button[name=decision][value=approve]")
    line.refresh_from_db()
    assert line.status == LineStatus.APPROVED

    # 5 days x 8 h x 120.00 = 4,800.00 of labour, one cost a day, against the survey.
    costs = ActualCost.objects.for_organization(organization).filter(project=site.bridge)
    assert sorted((cost.date, cost.amount) for cost in costs) == [
        (site.last_monday + dt.timedelta(days=offset), Decimal("960.00")) for offset in range(5)
    ]
    assert {cost.wbs_element_id for cost in costs} == {site.survey.pk}

    # The bridge's earned value counts it as its actual cost.
    pm.goto(site.url("project-earned-value", site.bridge.pk))
    actual = pm.locator("main dl.kpis div").filter(has_text="Actual cost (AC)").locator("dd")
    expect(actual).to_have_text("4,800.00")
    screenshot(pm, "-earned-value")
