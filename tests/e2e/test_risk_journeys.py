"""Risks in a real browser: the register drives the numbers.

The main journey: a risk manager raises a risk on a project that has a baseline and an approved
budget with a contingency reserve, assesses it (high, above the contingency), adds a response,
reassesses it lower, sees it move on the heat map (the inherent map keeps it where it started)
and the exposure fall below the contingency on the register and on the earned-value page's
risk-adjusted EAC, then runs a Monte Carlo analysis and reads P80.

Then, at a phone's width (390 px) and in Chinese, a risk's owner marks a response action done.

Figures worked by hand (the project is the hand-worked plan of tests.projects.test_control_support:
A 1 000 + B 3 000 in the baseline "Original", finishing with the milestone on 24 March 2026):

    contingency reserve of the approved budget v1     2 000.00
    EAC, typical: BAC 4 000 / CPI (EV 1 600 / AC 1 200)   3 000.00
    first assessment:  P4 x cost impact 4 = 16 (high), 50 %, cost 2 000 / 4 000 / 12 000
                       PERT mean (2 000 + 4 x 4 000 + 12 000) / 6 = 5 000; EMV 50 % x 5 000 = 2 500.00
                       risk-adjusted EAC 3 000 + 2 500 = 5 500.00
    reassessment:      P2 x cost impact 3 = 6 (medium), 20 %, same cost; EMV 20 % x 5 000 = 1 000.00
                       risk-adjusted EAC 3 000 + 1 000 = 4 000.00
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
from django.utils import translation
from playwright.sync_api import Locator, Page, expect

from finance.models import BudgetVersion
from finance.services import budgets, categories
from pmo.models import Membership, Organization, OrgRole
from projects.models import Project, ProjectRole
from risks.models import ActionStatus, MonteCarloRun, ResponseAction, Risk, RiskCategory, RunStatus
from risks.services import register, responses
from risks.services.settings import risk_categories_ensure_defaults
from risks.tasks import run_monte_carlo
from tests.e2e.conftest import TIMEOUT_MS, login
from tests.factories import OrganizationFactory, member
from tests.finance.test_earned_value_support import cost
from tests.projects.test_control_support import Plan, build_plan, join

PASSWORD = "correct-horse-battery"
D = Decimal
CONTINGENCY = D("2000.00")
EAC_TYPICAL = D("3000.00")  # BAC 4 000 / CPI (EV 1 600 / AC 1 200)
PHONE = {"width": 390, "height": 844}


@dataclass
class Site:
    organization: Organization
    plan: Plan
    project: Project
    risk_manager: Membership
    engineer: Membership  # a member of the project team who owns risks and actions
    version: BudgetVersion

    def url(self, path: str = "") -> str:
        return f"/o/{self.organization.slug}/projects/{self.project.pk}/{path}"

    def category(self, code: str) -> RiskCategory:
        return RiskCategory.objects.for_organization(self.organization).get(code=code)


@pytest.fixture
def site(live_server: Any) -> Site:
    organization = OrganizationFactory(name="Acme Build", slug="acme")
    plan = build_plan(organization)
    manager = join(plan.project, plan.manager, ProjectRole.MANAGER)
    finance = member(organization, OrgRole.FINANCE, username="chen")
    risk_manager = member(organization, OrgRole.RISK, username="wang-risk", display_name="王芳 Wang Fang")
    engineer = join(
        plan.project,
        member(organization, OrgRole.MEMBER, username="li-site", display_name="李娜 Li Na"),
        ProjectRole.MEMBER,
    )
    by_code = {category.code: category for category in categories.cost_categories(organization)}
    draft = budgets.budget_version_create(actor=manager.user, project=plan.project, note="Initial budget")
    budgets.budget_line_add(
        actor=manager.user, version=draft, category=by_code["labour"], amount=D("1000.00"), wbs_element=plan.a
    )
    budgets.budget_line_add(
        actor=manager.user, version=draft, category=by_code["materials"], amount=D("3000.00"), wbs_element=plan.b
    )
    budgets.budget_version_update(actor=manager.user, version=draft, contingency_reserve=CONTINGENCY)
    budgets.budget_version_submit(actor=manager.user, version=draft)
    version = budgets.budget_version_approve(actor=finance.user, membership=finance, version=draft)
    # EV 1 600 (A done, B 20 %) for AC 1 200: CPI 4/3, so the typical EAC (BAC / CPI) is 3 000.00.
    cost(plan.project, dt.date(2026, 3, 6), "1200.00", plan.a)
    risk_categories_ensure_defaults(organization)
    return Site(organization, plan, plan.project, risk_manager, engineer, version)


# --- helpers ---------------------------------------------------------------------------------


def submit(page: Page, form: Locator) -> None:
    with page.expect_navigation():
        form.locator("button[type=submit]").first.click()


def open_tab(page: Page, url: str) -> None:
    """Follow the project's tab that leads to ``url``."""
    with page.expect_navigation():
        page.locator(f'a[href="{url}"]').first.click()
    expect(page).to_have_url(re.compile(rf"{re.escape(url)}$"))


def cell(page: Page, probability: int, impact: int) -> Locator:
    """The heat map's cell; its <text> is the number of risks in it (absent when none)."""
    return page.locator(f'svg.heatmap [data-cell="{probability}-{impact}"]')


def expect_count(page: Page, probability: int, impact: int, count: int) -> None:
    figure = cell(page, probability, impact).locator("text")
    if count:
        expect(figure).to_have_text(str(count))
    else:
        expect(figure).to_have_count(0)


def money_text(value: Decimal) -> str:
    """A figure as the pages print it: thousands separated by commas, two places."""
    return f"{value:,.2f}"


def expect_exposure(page: Page, value: Decimal, *, over: bool) -> None:
    """The register's header shows the project's exposure beside its contingency, and whether it is over."""
    box = page.locator("#exposure")
    expect(box.locator("#exposure-value")).to_contain_text(money_text(value))
    expect(box.locator("#contingency-value")).to_contain_text(money_text(CONTINGENCY))
    expect(box).to_have_attribute("data-over", "true" if over else "false")


def indicator(page: Page, key: str) -> Decimal:
    """The figure of an indicator of the earned-value page (``li.indicator[data-key=...]``)."""
    value = page.locator(f"li.indicator[data-key={key}] .ind-value")
    expect(value).to_have_count(1)
    return Decimal(re.sub(r"[^\d.-]", "", value.inner_text()))


def expect_risk_adjusted_eac(page: Page, exposure: Decimal) -> None:
    """The earned-value page's risk panel: the exposure, and each EAC with the exposure added."""
    panel = page.locator("[data-panel=risk-eac]")
    expect(panel).to_be_visible()
    panel.scroll_into_view_if_needed()
    expect(panel.locator("li.indicator[data-key=risk_exposure] .ind-value")).to_have_text(money_text(exposure))
    assert indicator(page, "risk_exposure") == exposure
    assert indicator(page, "eac") == EAC_TYPICAL
    assert indicator(page, "risk_eac") == EAC_TYPICAL + exposure
    assert indicator(page, "risk_eac_atypical") == indicator(page, "eac_atypical") + exposure


def no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]  # type: ignore[index]


def the_risk(site: Site) -> Risk:
    return Risk.objects.for_organization(site.organization).get(project=site.project)


# --- the risk manager's journey ----------------------------------------------------------------


def test_a_risk_manager_raises_assesses_and_answers_a_risk_and_sees_heat_map_exposure_and_p80_follow(
    page: Page, site: Site, screenshot: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole journey on the real pages.

    The Monte Carlo run is a Celery task. Tests run tasks eagerly, in the request that queues them,
    so the page would never show a run in progress; here the queued task is kept and run by the
    test (as a worker would) once the page shows the run queued. Meanwhile no request of the
    browser reaches the server: the page watch routes every request, and Playwright's synchronous
    API handles a route only while the test is inside one of its calls.
    """
    queued: list[dict[str, Any]] = []
    monkeypatch.setattr(
        "risks.services.analysis.queue_on_commit",
        lambda task, **kwargs: queued.append(kwargs) if task is run_monte_carlo else None,
    )
    login(page, site.risk_manager.user.username, PASSWORD)

    # The register starts empty; the risk manager raises a risk from it.
    page.goto(site.url("risks/"))
    expect(page.locator("main .empty-state")).to_be_visible()
    with page.expect_navigation():
        page.locator(f'a[href="{site.url("risks/new/")}"]').first.click()
    form = page.locator("main form[method=post]")
    form.locator("input[name=title]").fill("Steel delivery late")
    form.locator("select[name=category]").select_option(str(site.category("supplier").pk))
    form.locator("select[name=kind]").select_option("threat")
    form.locator("textarea[name=cause]").fill("The only mill that rolls the beams is booked out.")
    form.locator("textarea[name=event]").fill("The structural steel arrives late.")
    form.locator("textarea[name=effect]").fill("Erection of the structure slips and the crane stands idle.")
    form.locator("select[name=owner]").select_option(str(site.engineer.user_id))
    form.locator("select[name=wbs_elements]").select_option(str(site.plan.b.pk))
    form.locator("textarea[name=trigger]").fill("No mill slot confirmed two weeks before erection.")
    screenshot(page, "-1-raise")
    submit(page, form)

    # Raising leads to the first (inherent) assessment.
    risk = the_risk(site)
    assert (risk.code, risk.status, risk.owner_id) == ("R-001", "identified", site.engineer.user_id)
    expect(page).to_have_url(re.compile(rf"{site.url(f'risks/{risk.pk}/assess/')}$"))
    expect(page.locator(".message-success")).to_contain_text("R-001")
    form = page.locator("main form[method=post]")
    form.locator("select[name=probability]").select_option("4")
    form.locator("select[name=impact_cost]").select_option("4")
    form.locator("select[name=impact_schedule]").select_option("3")
    form.locator("input[name=probability_percent]").fill("50")
    form.locator("input[name=cost_min]").fill("2000")
    form.locator("input[name=cost_likely]").fill("4000")
    form.locator("input[name=cost_max]").fill("12000")
    form.locator("input[name=days_min]").fill("2")
    form.locator("input[name=days_likely]").fill("5")
    form.locator("input[name=days_max]").fill("10")
    submit(page, form)

    # The risk page shows the score, the level and the EMV worked by hand.
    expect(page).to_have_url(re.compile(rf"{site.url(f'risks/{risk.pk}/')}$"))
    expect(page.locator(".message-success")).to_contain_text("16")
    expect(page.locator("main")).to_contain_text(money_text(D("2500.00")))
    risk = the_risk(site)
    assert (risk.score, risk.level, risk.emv, risk.status) == (16, "high", D("2500.00"), "assessed")
    screenshot(page, "-2-assessed")

    # The heat map has it in cell (4, 4); the exposure (its EMV) is above the contingency.
    page.goto(site.url("risks/"))
    expect_count(page, 4, 4, 1)
    expect(page.locator("svg.heatmap [data-cell] text")).to_have_count(1)  # no other cell has a risk
    expect(page.locator("table.risk-table tbody tr")).to_have_count(1)
    expect_exposure(page, D("2500.00"), over=True)
    screenshot(page, "-3-register")

    # The earned-value page adds the exposure to the EAC.
    open_tab(page, site.url("earned-value/"))
    expect_risk_adjusted_eac(page, D("2500.00"))
    page.goto(site.url("risks/"))

    # A response with an action, on the risk's page.
    with page.expect_navigation():
        page.locator(f'table.risk-table a[href="{site.url(f"risks/{risk.pk}/")}"]').first.click()
    responses_section = page.locator("section#responses")
    form = responses_section.locator("form:has(input[name=op][value=response_add])")
    form.locator("select[name$=strategy]").select_option("mitigate")
    form.locator("textarea[name$=description]").fill("Order from a second mill and stock the first two floors' beams.")
    submit(page, form)
    expect(page.locator(".message-success")).to_be_visible()
    expect(responses_section.locator(".response-item")).to_have_count(1)
    due = site.organization.today() + dt.timedelta(days=14)
    responses_section.locator("details.add-details:has(input[name=op][value=action_add]) summary").click()
    form = responses_section.locator("form:has(input[name=op][value=action_add])")
    # The form's fields are prefixed (several forms share the page): match the names' ends.
    form.locator("input[name$=title]").fill("Sign the second mill's supply contract")
    form.locator("select[name$=owner]").select_option(str(site.engineer.user_id))
    form.locator("input[name$=due]").fill(due.isoformat())
    form.locator("input[name$=cost]").fill("800")
    submit(page, form)
    expect(responses_section.locator(".action-item")).to_have_count(1)
    expect(responses_section.locator(".action-item")).to_contain_text("Sign the second mill's supply contract")
    risk = the_risk(site)
    assert risk.status == "responding"
    screenshot(page, "-4-response")

    # With the response in place the risk is reassessed lower, with a reason.
    with page.expect_navigation():
        page.locator(f'main a[href="{site.url(f"risks/{risk.pk}/assess/")}"]').first.click()
    form = page.locator("main form[method=post]")
    form.locator("select[name=probability]").select_option("2")
    form.locator("select[name=impact_cost]").select_option("3")
    form.locator("select[name=impact_schedule]").select_option("2")
    form.locator("input[name=probability_percent]").fill("20")
    form.locator("textarea[name=reason]").fill("Second mill contracted; half the beams in stock.")
    submit(page, form)
    expect(page.locator("main")).to_contain_text(money_text(D("1000.00")))
    expect(page.locator("#history")).to_contain_text("Second mill contracted")
    risk = the_risk(site)
    assert (risk.score, risk.inherent_score, risk.emv) == (6, 16, D("1000.00"))

    # On the current map it moved from (4, 4) to (2, 3); the inherent map keeps it at (4, 4).
    page.goto(site.url("risks/"))
    expect(page.locator("svg.heatmap")).to_have_attribute("data-basis", "current")
    expect_count(page, 4, 4, 0)
    expect_count(page, 2, 3, 1)
    expect_exposure(page, D("1000.00"), over=False)
    screenshot(page, "-5-moved")
    open_tab(page, site.url("earned-value/"))
    expect_risk_adjusted_eac(page, D("1000.00"))
    screenshot(page, "-5-earned-value", full_page=False)
    page.goto(site.url("risks/"))
    with page.expect_navigation():
        page.locator("#heatmap .segmented a").click()
    expect(page.locator("svg.heatmap")).to_have_attribute("data-basis", "inherent")
    expect_count(page, 4, 4, 1)
    expect_count(page, 2, 3, 0)
    screenshot(page, "-6-inherent")

    # A cell drills down to the register filtered to it.
    page.goto(site.url("risks/"))
    with page.expect_navigation():
        cell(page, 2, 3).click()
    expect(page).to_have_url(re.compile(r"probability=2.*impact=3|impact=3.*probability=2"))
    expect(page.locator("table.risk-table tbody tr")).to_have_count(1)
    expect(page.locator("table.risk-table tbody tr")).to_contain_text("Steel delivery late")

    # A Monte Carlo analysis: the run is queued (a worker's job: here the test plays the worker),
    # the page shows its progress and refreshes itself until the results are there.
    page.goto(site.url("risk-analysis/"))
    expect(page.locator("main .empty-state")).to_be_visible()
    form = page.locator("main form[method=post]:has(input[name=iterations])")
    form.locator("input[name=iterations]").fill("2000")
    form.locator("input[name=seed]").fill("20260302")
    submit(page, form)
    expect(page.locator("main progress")).to_be_visible()
    expect(page.locator("main form:has(input[name=iterations])")).to_have_count(0)
    screenshot(page, "-7-queued", full_page=False)
    assert len(queued) == 1
    run_monte_carlo.apply(kwargs=queued[0])  # no browser request reaches the server meanwhile (see the docstring)
    run = MonteCarloRun.objects.for_organization(site.organization).get(project=site.project)
    assert (run.status, run.iterations, run.seed) == (RunStatus.DONE, 2000, 20260302)
    p80 = run.results["finish"]["percentiles"]["80"]
    expect(page.locator("main table tr:has(th:text-is('P80')) td.date")).to_have_text(p80, timeout=TIMEOUT_MS)
    expect(page.locator("main progress")).to_have_count(0)
    expect(page.locator("main")).to_contain_text(f"{run.confident_finish:%Y-%m-%d}")
    # The baseline finishes with the milestone on 24 March; the risk and the spreads push P80 past it.
    assert run.results["baseline_finish"] == "2026-03-24"
    expect(page.locator("main")).to_contain_text("2026-03-24")
    assert dt.date.fromisoformat(p80) >= dt.date(2026, 3, 24)
    # The open risk was sampled as an event (it is linked to B, so it drives the finish date).
    assert [row["code"] for row in run.results["risks"]] == ["R-001"]
    expect(page.locator("main")).to_contain_text("R-001 Steel delivery late")
    screenshot(page, "-8-p80")

    # The same results in Chinese.
    with page.expect_navigation():
        page.locator(".lang-switch button[value=zh-hans]").click()
    expect(page.locator("main h2.register-title")).to_have_text(in_chinese("Risk analysis (Monte Carlo)"))
    expect(page.locator("main table tr:has(th:text-is('P80')) td.date")).to_have_text(p80)
    screenshot(page, "-9-p80-zh")


# --- the owner's phone ---------------------------------------------------------------------------


def in_chinese(text: Any) -> str:
    """``text`` (a lazy or plain msgid) as the Chinese pages show it; it must have a translation."""
    with translation.override("en"):
        english = translation.gettext(text) if isinstance(text, str) else str(text)
    with translation.override("zh-hans"):
        shown = translation.gettext(text) if isinstance(text, str) else str(text)
    assert shown != english, f"no Chinese for {english!r}"
    return shown


def test_at_phone_width_in_chinese_the_risk_owner_marks_a_response_action_done(
    new_page: Callable[..., Page], site: Site, screenshot: Callable[..., Path]
) -> None:
    manager, owner = site.risk_manager.user, site.engineer.user
    risk = register.risk_raise(
        actor=manager,
        organization=site.organization,
        project=site.project,
        title="塔吊故障 Tower crane breakdown",
        category=site.category("technical"),
        owner=owner,
    )
    risk = register.risk_assess(
        actor=manager,
        risk=risk,
        probability=3,
        impacts={"schedule": 4},
        cost=(D("1000"), D("3000"), D("8000")),
        days=(1, 3, 6),
    )
    response = responses.response_add(
        actor=manager, risk=risk, strategy="mitigate", description="备用塔吊随时待命 A standby crane on call."
    )
    action = responses.action_add(
        actor=manager,
        response=response,
        title="签订备用塔吊合同 Sign the standby crane contract",
        owner=owner,
        due=site.organization.today() + dt.timedelta(days=7),
        cost=D("800.00"),
    )

    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    login(page, owner.username, PASSWORD)
    page.goto(site.url(f"risks/{risk.pk}/"))
    with page.expect_navigation():
        page.locator(".lang-switch button[value=zh-hans]").click()
    responses_section = page.locator("section#responses")
    expect(responses_section.locator("h2").first).to_have_text(in_chinese("Responses"))
    item = responses_section.locator(f"#action-{action.pk}")
    expect(item.locator(".badge")).to_have_text(in_chinese(ActionStatus.PLANNED.label))
    no_sideways_scroll(page)
    screenshot(page, "-zh-390-before")

    form = item.locator("form:has(input[name=op][value=action_status])")
    form.locator("select[name$=status]").select_option(ActionStatus.DONE)
    submit(page, form)

    item = page.locator(f"section#responses #action-{action.pk}")
    expect(page.locator(".message-success")).to_be_visible()
    expect(item.locator(".badge")).to_have_text(in_chinese(ActionStatus.DONE.label))
    no_sideways_scroll(page)
    screenshot(page, "-zh-390-done")
    action = ResponseAction.objects.for_organization(site.organization).get(pk=action.pk)
    assert action.status == ActionStatus.DONE
    assert action.done_at is not None
