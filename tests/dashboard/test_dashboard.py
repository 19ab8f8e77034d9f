"""The portfolio dashboard at /o/{org_slug}/: each figure against hand-built data, its links, filters and cost.

The portfolio (status date Friday 13 March 2026, Monday-to-Friday calendar):

    A  execution, P1, manager Ann   baseline: T1 1 000 (2-6 March, done), T2 3 000 (9-20 March, 20 %),
                                    M1 due 10 March (open), M2 due 3 April (forecast 8 April), M3 due 29 May
                                    PV 2 500, EV 1 600, AC 2 000 (+500 after the date): SPI 0.64, CPI 0.80
    B  planning, P2, manager Bob    baseline: T 2 000 (2-13 March, done); AC 1 900: SPI 1.00, CPI 1.0526
    C  initiation, programme of P1  no baseline; 300 spent; a milestone planned 20 March
    D  closed, P1                   counted by phase only

Alerts: A open red + acknowledged amber, C open amber, D open red, B a resolved red.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
from django.utils import timezone

from dashboard import portfolio as dashboard
from finance.earned_value import portfolio_evm
from finance.models import BudgetVersion
from pmo.models import AlertStatus, Organization, OrgRole, Severity, User
from projects.models import ChangeRequest, Phase, Portfolio, Project, StatusReport, WbsElement
from tests.alert_kinds import AlertKind
from tests.conftest import page_client_for
from tests.factories import (
    ActualCostFactory,
    AlertFactory,
    AlertRuleFactory,
    BaselineFactory,
    BaselineTaskFactory,
    BudgetLineFactory,
    BudgetVersionFactory,
    ChangeRequestFactory,
    PortfolioFactory,
    ProgressUpdateFactory,
    ProjectFactory,
    StatusReportFactory,
    WbsElementFactory,
    member,
)

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 3, 13)
DAY = dt.date


# --- building the portfolio ---------------------------------------------------------------


def task(
    project: Project,
    code: str,
    start: dt.date,
    finish: dt.date,
    budget: int,
    *,
    baseline: Any = None,
    percent: int = 0,
    effective: dt.date | None = None,
    milestone: bool = False,
    forecast: dt.date | None = None,
    done: bool = False,
) -> WbsElement:
    """A task or milestone of the plan, in the baseline when one is given, with its progress."""
    element = WbsElementFactory(
        project=project,
        organization=project.organization,
        code=code,
        name=f"{'Milestone' if milestone else 'Task'} {code}",
        kind=WbsElement.Kind.MILESTONE if milestone else WbsElement.Kind.TASK,
        duration=0 if milestone else 5,
        budgeted_cost=Decimal(budget),
        planned_start=forecast or start,
        planned_finish=forecast or finish,
        percent_complete=Decimal(100 if done else percent),
        actual_start=finish if done else None,
        actual_finish=finish if done else None,
    )
    if baseline is not None:
        BaselineTaskFactory(
            baseline=baseline,
            organization=project.organization,
            task=element,
            code=code,
            name=element.name,
            start=start,
            finish=finish,
            duration=0 if milestone else 5,
            budgeted_cost=Decimal(budget),
            is_milestone=milestone,
        )
    if percent or done:
        ProgressUpdateFactory(
            task=element,
            project=project,
            organization=project.organization,
            effective_date=effective or finish,
            percent_complete=Decimal(100 if done else percent),
        )
    return element


def current_baseline(project: Project) -> Any:
    return BaselineFactory(project=project, organization=project.organization, is_current=True)


def approved_budget(project: Project, amount: int, *, number: int = 1) -> BudgetVersion:
    version = BudgetVersionFactory(
        project=project,
        organization=project.organization,
        number=number,
        status=BudgetVersion.Status.APPROVED,
        is_current=True,
    )
    BudgetLineFactory(version=version, organization=project.organization, amount=Decimal(amount))
    return version


def cost(project: Project, amount: int, day: dt.date) -> None:
    ActualCostFactory(project=project, organization=project.organization, amount=Decimal(amount), date=day)


def alert(project: Project, kind: str, severity: str, status: str = AlertStatus.OPEN) -> None:
    rule = AlertRuleFactory(organization=project.organization, kind=kind)
    AlertFactory(
        project=project,
        organization=project.organization,
        rule=rule,
        kind=kind,
        severity=severity,
        status=status,
        resolved_at=timezone.now() if status == AlertStatus.RESOLVED else None,
    )


@dataclass
class Portfolio4:
    organization: Organization
    pmo: User
    ann: User
    bob: User
    p1: Portfolio
    p2: Portfolio
    a: Project
    b: Project
    c: Project
    d: Project
    m1: WbsElement
    m2: WbsElement
    mc: WbsElement
    change_request: ChangeRequest
    submitted_budget: BudgetVersion
    report_a: StatusReport
    report_b: StatusReport


@pytest.fixture
def portfolio(organization: Organization) -> Portfolio4:
    return build_portfolio(organization)


def build_portfolio(organization: Organization) -> Portfolio4:
    pmo = member(organization, OrgRole.PMO, username="pmo-lead").user
    ann = member(organization, OrgRole.PROJECT_MANAGER, username="ann", display_name="Ann").user
    bob = member(organization, OrgRole.PROJECT_MANAGER, username="bob", display_name="Bob").user
    p1 = PortfolioFactory(organization=organization, name="P1 Parks")
    p1a = PortfolioFactory(organization=organization, name="P1a Greenway", parent=p1, kind=Portfolio.Kind.PROGRAMME)
    p2 = PortfolioFactory(organization=organization, name="P2 Roads")

    a = ProjectFactory(
        organization=organization, code="A", name="Alpha", phase=Phase.EXECUTION, manager=ann, portfolio=p1
    )
    base_a = current_baseline(a)
    task(a, "1", DAY(2026, 3, 2), DAY(2026, 3, 6), 1000, baseline=base_a, done=True)
    task(a, "2", DAY(2026, 3, 9), DAY(2026, 3, 20), 3000, baseline=base_a, percent=20, effective=AS_OF)
    m1 = task(a, "3", DAY(2026, 3, 10), DAY(2026, 3, 10), 0, baseline=base_a, milestone=True)
    m2 = task(a, "4", DAY(2026, 4, 3), DAY(2026, 4, 3), 0, baseline=base_a, milestone=True, forecast=DAY(2026, 4, 8))
    task(a, "5", DAY(2026, 5, 29), DAY(2026, 5, 29), 0, baseline=base_a, milestone=True)
    approved_budget(a, 4000)
    cost(a, 2000, DAY(2026, 3, 10))
    cost(a, 500, DAY(2026, 3, 20))

    b = ProjectFactory(
        organization=organization, code="B", name="Bravo", phase=Phase.PLANNING, manager=bob, portfolio=p2
    )
    base_b = current_baseline(b)
    task(b, "1", DAY(2026, 3, 2), DAY(2026, 3, 13), 2000, baseline=base_b, done=True)
    task(b, "2", DAY(2026, 3, 12), DAY(2026, 3, 12), 0, baseline=base_b, milestone=True, done=True)
    approved_budget(b, 2000)
    submitted_budget = BudgetVersionFactory(
        project=b,
        organization=organization,
        number=2,
        status=BudgetVersion.Status.SUBMITTED,
        submitted_at=timezone.now(),
    )
    BudgetLineFactory(version=submitted_budget, organization=organization, amount=Decimal(2500))
    cost(b, 1900, DAY(2026, 3, 11))

    c = ProjectFactory(
        organization=organization, code="C", name="Charlie", phase=Phase.INITIATION, manager=ann, portfolio=p1a
    )
    mc = task(c, "1", DAY(2026, 3, 20), DAY(2026, 3, 20), 0, milestone=True)
    cost(c, 300, DAY(2026, 3, 5))

    d = ProjectFactory(organization=organization, code="D", name="Delta", phase=Phase.CLOSED, manager=ann, portfolio=p1)

    alert(a, AlertKind.CPI_LOW, Severity.RED)
    alert(a, AlertKind.SPI_LOW, Severity.AMBER, AlertStatus.ACKNOWLEDGED)
    alert(c, AlertKind.MILESTONE_OVERDUE, Severity.AMBER)
    alert(d, AlertKind.CPI_LOW, Severity.RED)
    alert(b, AlertKind.CPI_LOW, Severity.RED, AlertStatus.RESOLVED)

    change_request = ChangeRequestFactory(
        project=a,
        organization=organization,
        status=ChangeRequest.Status.SUBMITTED,
        submitted_at=timezone.now(),
        title="Wider footbridge",
    )
    ChangeRequestFactory(project=b, organization=organization, status=ChangeRequest.Status.DRAFT)

    report_a = StatusReportFactory(
        project=a,
        organization=organization,
        period_end=DAY(2026, 3, 6),
        status=StatusReport.Status.REVIEWED,
        submitted_at=timezone.now() - dt.timedelta(days=2),
        rag_overall="red",
        figures={"computed_rag": {"rag": "red", "as_of": "2026-03-06", "reasons": []}},
    )
    StatusReportFactory(project=a, organization=organization, period_end=AS_OF, rag_overall="green")  # a draft
    report_b = StatusReportFactory(
        project=b,
        organization=organization,
        period_end=DAY(2026, 3, 6),
        status=StatusReport.Status.SUBMITTED,
        submitted_at=timezone.now() - dt.timedelta(days=1),
        rag_overall="amber",
        rag_override_justification="The client is about to add scope.",
        figures={"computed_rag": {"rag": "green", "as_of": "2026-03-06", "reasons": []}},
    )
    return Portfolio4(
        organization,
        pmo,
        ann,
        bob,
        p1,
        p2,
        a,
        b,
        c,
        d,
        m1,
        m2,
        mc,
        change_request,
        submitted_budget,
        report_a,
        report_b,
    )


def board(data: Portfolio4, **filters: Any) -> dashboard.Dashboard:
    return dashboard.portfolio_dashboard(data.organization, dashboard.Filters(as_of=AS_OF, **filters))


def row(result: dashboard.Dashboard, project: Project) -> dashboard.ProjectHealth:
    return next(item for item in result.projects if item.project_id == project.pk)


class _Elements(HTMLParser):
    """Every element with an id, by id: its attributes and its text."""

    def __init__(self) -> None:
        super().__init__()
        self.by_id: dict[str, dict[str, Any]] = {}
        self._open: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if "id" in values:
            entry = {**values, "tag": tag, "text": ""}
            self.by_id[str(values["id"])] = entry
            self._open.append(entry)

    def handle_data(self, data: str) -> None:
        for entry in self._open:
            entry["text"] += data

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1]["tag"] == tag:
            self._open.pop()


def elements(html: str) -> dict[str, dict[str, Any]]:
    parser = _Elements()
    parser.feed(html)
    return parser.by_id


def page(user: User, query: str = "") -> Any:
    return page_client_for(user).get(f"/o/acme/?as_of={AS_OF.isoformat()}{query}")


# --- the RAG rule -------------------------------------------------------------------------


def rag(**overrides: Any) -> str:
    values: dict[str, Any] = {
        "has_baseline": True,
        "spi": Decimal("1.0"),
        "cpi": Decimal("1.0"),
        "red_alerts": 0,
        "amber_alerts": 0,
        "milestone_late_days": 0,
    } | overrides
    return dashboard.computed_rag(**values).rag


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, "green"),
        ({"spi": Decimal("0.95"), "cpi": Decimal("0.95")}, "green"),
        ({"spi": Decimal("0.9499")}, "amber"),
        ({"cpi": Decimal("0.90")}, "amber"),
        ({"cpi": Decimal("0.8999")}, "red"),
        ({"spi": Decimal("0.5")}, "red"),
        ({"amber_alerts": 2}, "amber"),
        ({"red_alerts": 1}, "red"),
        ({"milestone_late_days": 1}, "amber"),
        ({"milestone_late_days": 10}, "amber"),
        ({"milestone_late_days": 11}, "red"),
        ({"spi": None, "cpi": None}, "green"),
        ({"has_baseline": False, "red_alerts": 3}, "unknown"),
    ],
)
def test_the_computed_rag_follows_the_rule_shown(overrides: dict[str, Any], expected: str) -> None:
    assert rag(**overrides) == expected


def test_the_computed_rag_names_every_reason() -> None:
    result = dashboard.computed_rag(
        has_baseline=True,
        spi=Decimal("0.64"),
        cpi=Decimal("0.93"),
        red_alerts=1,
        amber_alerts=0,
        milestone_late_days=5,
    )
    assert result.rag == "red"
    assert [(reason.code, reason.rag, reason.value) for reason in result.reasons] == [
        ("spi", "red", "0.64"),
        ("cpi", "amber", "0.93"),
        ("red_alerts", "red", "1"),
        ("milestone", "amber", "5"),
    ]


def test_the_rule_text_names_the_thresholds() -> None:
    rule = dashboard.rag_rule_text()
    assert set(rule) == {"red", "amber", "green", "unknown", "notes"}
    assert "0.90" in rule["red"]
    assert "10" in rule["red"]
    assert "0.95" in rule["amber"]


# --- each figure --------------------------------------------------------------------------


def test_projects_are_counted_by_phase_closed_ones_included(portfolio: Portfolio4) -> None:
    counts = {count.phase: count.count for count in board(portfolio).phase_counts}
    assert counts == {
        "initiation": 1,
        "planning": 1,
        "execution": 1,
        "closing": 0,
        "operations": 0,
        "closed": 1,
        "cancelled": 0,
    }


def test_each_open_project_has_its_computed_rag_and_the_reasons(portfolio: Portfolio4) -> None:
    result = board(portfolio)
    assert [item.code for item in result.projects] == ["A", "B", "C"]
    a, b, c = (row(result, project) for project in (portfolio.a, portfolio.b, portfolio.c))
    assert a.computed.rag == "red"
    assert {reason.code: reason.value for reason in a.computed.reasons} == {
        "spi": "0.6400",
        "cpi": "0.8000",
        "red_alerts": "1",
        "amber_alerts": "1",
        "milestone": "5",
    }
    assert (a.red_alerts, a.amber_alerts, a.milestone_late_days) == (1, 1, 5)
    assert (b.computed.rag, b.computed.reasons) == ("green", ())
    assert c.computed.rag == "unknown"
    assert result.rag_counts == {"red": 1, "amber": 0, "green": 1, "unknown": 1}


def test_spi_and_cpi_of_each_project_carry_their_bands(portfolio: Portfolio4) -> None:
    result = board(portfolio)
    a, b, c = (row(result, project) for project in (portfolio.a, portfolio.b, portfolio.c))
    assert a.evm is not None
    assert b.evm is not None
    assert (a.evm.figures.bac, a.evm.figures.pv, a.evm.figures.ev, a.evm.figures.ac) == (
        Decimal("4000.00"),
        Decimal("2500.00"),
        Decimal("1600.00"),
        Decimal("2000.00"),
    )
    assert (a.evm.figures.spi, a.spi_band, a.evm.figures.cpi, a.cpi_band) == (
        Decimal("0.6400"),
        "red",
        Decimal("0.8000"),
        "red",
    )
    assert (b.evm.figures.spi, b.spi_band, b.evm.figures.cpi, b.cpi_band) == (
        Decimal("1.0000"),
        "green",
        Decimal("1.0526"),
        "green",
    )
    assert (c.evm, c.spi_band, c.cpi_band) == (None, None, None)


def test_portfolio_bac_ev_ac_and_eac_are_portfolio_evms_totals(portfolio: Portfolio4) -> None:
    result = board(portfolio)
    expected = portfolio_evm(portfolio.organization, AS_OF)
    assert result.evm_figures == expected.figures
    assert result.evm_totals == expected.totals
    figures = result.evm_figures
    assert (figures.bac, figures.ev, figures.ac, figures.eac) == (
        Decimal("6000.00"),
        Decimal("3600.00"),
        Decimal("3900.00"),
        Decimal("6500.00"),
    )
    by_portfolio = board(portfolio, portfolio_id=portfolio.p2.pk)
    assert by_portfolio.evm_figures == portfolio_evm(portfolio.organization, AS_OF, portfolio.p2).figures


def test_budget_sets_approved_against_actual_to_date_and_forecast(portfolio: Portfolio4) -> None:
    result = board(portfolio)
    a, b, c = (row(result, project) for project in (portfolio.a, portfolio.b, portfolio.c))
    assert (a.approved_budget, a.actual_cost, a.forecast) == (
        Decimal("4000.00"),
        Decimal("2000.00"),
        Decimal("5000.00"),
    )
    assert (b.approved_budget, b.actual_cost, b.forecast) == (
        Decimal("2000.00"),
        Decimal("1900.00"),
        Decimal("1900.00"),
    )
    assert (c.approved_budget, c.actual_cost, c.forecast) == (None, Decimal("300.00"), None)
    assert result.budget == dashboard.BudgetTotals(
        approved=Decimal("6000.00"), actual=Decimal("4200.00"), forecast=Decimal("6900.00")
    )


def test_milestones_overdue_or_due_within_thirty_days_are_listed_overdue_first(portfolio: Portfolio4) -> None:
    result = board(portfolio)
    listed = [(item.element_id, item.due, item.days, item.overdue) for item in result.milestones]
    assert listed == [
        (portfolio.m1.pk, DAY(2026, 3, 10), -3, True),
        (portfolio.mc.pk, DAY(2026, 3, 20), 7, False),
        (portfolio.m2.pk, DAY(2026, 4, 3), 21, False),
    ]
    assert (result.overdue_milestones, result.milestones_due_soon) == (1, 2)
    m2 = result.milestones[-1]
    assert (m2.baseline_date, m2.forecast_date) == (DAY(2026, 4, 3), DAY(2026, 4, 8))


def test_open_alerts_are_counted_by_severity_resolved_ones_not(portfolio: Portfolio4) -> None:
    assert board(portfolio).alert_counts == {"red": 2, "amber": 2}
    # Narrowed to P1, only its open projects' alerts count (the closed D's are left out).
    assert board(portfolio, portfolio_id=portfolio.p1.pk).alert_counts == {"red": 1, "amber": 2}


def test_change_requests_and_budget_versions_waiting_for_a_decision_are_listed(portfolio: Portfolio4) -> None:
    result = board(portfolio)
    assert [(item.change_request_id, item.project_code) for item in result.change_requests] == [
        (portfolio.change_request.pk, "A")
    ]
    assert [(item.budget_version_id, item.number, item.total) for item in result.budget_versions] == [
        (portfolio.submitted_budget.pk, 2, Decimal("2500.00"))
    ]


def test_recent_status_reports_show_reported_and_computed_rag_drafts_left_out(portfolio: Portfolio4) -> None:
    result = board(portfolio)
    assert [(item.report_id, item.rag, item.computed_at_submission) for item in result.recent_reports] == [
        (portfolio.report_b.pk, "amber", "green"),
        (portfolio.report_a.pk, "red", "red"),
    ]
    assert result.recent_reports[0].justification == "The client is about to add scope."


def test_a_managers_rating_beside_the_computed_one_is_an_override_only_when_they_differ(portfolio: Portfolio4) -> None:
    result = board(portfolio)
    a, b, c = (row(result, project) for project in (portfolio.a, portfolio.b, portfolio.c))
    assert a.reported is not None
    assert b.reported is not None
    assert (a.reported.report_id, a.reported.rag, a.overridden) == (portfolio.report_a.pk, "red", False)
    assert (b.reported.rag, b.reported.justification, b.overridden) == (
        "amber",
        "The client is about to add scope.",
        True,
    )
    assert (c.reported, c.overridden) == (None, False)
    assert result.reported_rag_counts == {"red": 1, "amber": 1, "green": 0, "none": 1}


# --- filters ------------------------------------------------------------------------------


def test_a_portfolio_filter_keeps_its_programmes_projects(portfolio: Portfolio4) -> None:
    result = board(portfolio, portfolio_id=portfolio.p1.pk)
    assert [item.code for item in result.projects] == ["A", "C"]
    assert {count.phase: count.count for count in result.phase_counts if count.count} == {
        "execution": 1,
        "initiation": 1,
        "closed": 1,
    }
    assert result.budget.approved == Decimal("4000.00")
    assert [item.element_id for item in result.milestones] == [portfolio.m1.pk, portfolio.mc.pk, portfolio.m2.pk]
    assert result.budget_versions == []
    assert [item.project_code for item in result.recent_reports] == ["A"]


def test_a_manager_filter_keeps_their_projects(portfolio: Portfolio4) -> None:
    result = board(portfolio, manager_id=portfolio.bob.pk)
    assert [item.code for item in result.projects] == ["B"]
    assert result.evm_figures.bac == Decimal("2000.00")
    assert result.alert_counts == {"red": 0, "amber": 0}
    assert result.milestones == []
    assert result.change_requests == []


def test_a_phase_filter_keeps_that_phase(portfolio: Portfolio4) -> None:
    result = board(portfolio, phase=Phase.EXECUTION)
    assert [item.code for item in result.projects] == ["A"]
    assert {count.phase: count.count for count in result.phase_counts if count.count} == {"execution": 1}
    assert result.rag_counts == {"red": 1, "amber": 0, "green": 0, "unknown": 0}


def test_the_page_applies_the_filters_from_the_query(portfolio: Portfolio4) -> None:
    response = page(portfolio.pmo, f"&manager={portfolio.ann.pk}&phase=initiation")
    assert response.status_code == 200
    assert [item.code for item in response.context["board"].projects] == ["C"]
    found = elements(response.content.decode())
    assert "project-" + str(portfolio.c.pk) in found
    assert "project-" + str(portfolio.a.pk) not in found
    assert found["kpi-projects"]["data-value"] == "1"


def test_a_filter_the_organisation_does_not_have_is_shown_in_error_and_ignored(
    portfolio: Portfolio4, other_organization: Organization
) -> None:
    elsewhere = PortfolioFactory(organization=other_organization)
    response = page(portfolio.pmo, f"&portfolio={elsewhere.pk}")
    assert response.status_code == 200
    assert "portfolio" in response.context["form"].errors
    assert len(response.context["board"].projects) == 3


def test_the_table_shows_only_the_projects_of_the_chosen_rag(portfolio: Portfolio4) -> None:
    response = page(portfolio.pmo, "&rag=green")
    found = elements(response.content.decode())
    assert f"project-{portfolio.b.pk}" in found
    assert f"project-{portfolio.a.pk}" not in found
    assert response.context["board"].rag_counts["red"] == 1  # the figures stay whole


# --- the page -----------------------------------------------------------------------------


def test_the_page_shows_each_figure(portfolio: Portfolio4) -> None:
    response = page(portfolio.pmo)
    assert response.status_code == 200
    found = elements(response.content.decode())
    assert found["kpi-projects"]["data-value"] == "3"
    assert (found["kpi-bac"]["data-value"], found["kpi-ev"]["data-value"]) == ("6000.00", "3600.00")
    assert (found["kpi-ac"]["data-value"], found["kpi-eac"]["data-value"]) == ("3900.00", "6500.00")
    assert (found["kpi-spi"]["data-value"], found["kpi-cpi"]["data-value"]) == ("0.8000", "0.9231")
    assert "idx-red" in found["kpi-spi"]["class"]
    assert "idx-amber" in found["kpi-cpi"]["class"]
    assert found["kpi-overdue"]["data-value"] == "1"
    assert (found["alerts-red"]["data-value"], found["alerts-amber"]["data-value"]) == ("2", "2")
    assert found["budget-approved"]["data-value"] == "6000.00"
    assert found["budget-actual"]["data-value"] == "4200.00"
    assert found["budget-forecast"]["data-value"] == "6900.00"
    assert found["waiting-change-requests"]["data-value"] == "1"
    assert found["waiting-budget-versions"]["data-value"] == "1"
    a_row, b_row = found[f"project-{portfolio.a.pk}"], found[f"project-{portfolio.b.pk}"]
    assert (a_row["data-rag"], a_row["data-reported"]) == ("red", "red")
    assert (b_row["data-rag"], b_row["data-reported"], b_row.get("class")) == ("green", "amber", "overridden")
    assert "The client is about to add scope." in b_row["text"]
    assert found[f"project-{portfolio.c.pk}"]["data-rag"] == "unknown"
    for milestone in (portfolio.m1, portfolio.mc, portfolio.m2):
        assert f"milestone-{milestone.pk}" in found
    assert found[f"milestone-{portfolio.m1.pk}"]["class"] == "overdue"
    assert f"report-{portfolio.report_b.pk}" in found
    assert f"change-request-{portfolio.change_request.pk}" in found
    assert f"budget-version-{portfolio.submitted_budget.pk}" in found
    assert found["rag-rule"]["text"].count("0.9") >= 2


def test_the_page_draws_the_charts_as_svg(portfolio: Portfolio4) -> None:
    html = page(portfolio.pmo).content.decode()
    assert html.count('<svg class="dash-chart') == 4
    assert 'data-key="phase-execution" data-value="1"' in html
    assert 'data-key="rag-red" data-value="1"' in html
    assert 'data-band="red" data-spi="0.6400" data-cpi="0.8000"' in html
    assert 'data-band="green" data-spi="1.0000" data-cpi="1.0526"' in html
    assert html.count('data-measure="approved"') == 2  # A and B; C has no approved budget
    assert "<script" not in html.split("<main", 1)[1]


def hrefs(html: str) -> set[str]:
    return {href.replace("&amp;", "&") for href in re.findall(r'href="([^"]+)"', html)}


def test_every_number_links_to_the_list_behind_it(portfolio: Portfolio4) -> None:
    html = page(portfolio.pmo).content.decode()
    found = elements(html)
    links = hrefs(html)
    a, b = portfolio.a.pk, portfolio.b.pk
    for figure in ("kpi-projects", "kpi-bac", "kpi-ev", "kpi-ac", "kpi-eac", "kpi-spi", "kpi-cpi"):
        assert found[figure]["href"] == "/o/acme/#health"
    assert found["kpi-overdue"]["href"] == "/o/acme/#milestones"
    assert found["kpi-red-alerts"]["href"].replace("&amp;", "&") == "/o/acme/alerts/?status=active&severity=red"
    assert found["alerts-amber"]["href"].replace("&amp;", "&") == "/o/acme/alerts/?status=active&severity=amber"
    assert found["waiting-budget-versions"]["href"] == "/o/acme/finance/"
    for phase in ("initiation", "planning", "execution", "closing", "operations", "closed"):
        assert f"/o/acme/projects/?phase={phase}" in links
    for colour in ("red", "amber", "green", "unknown"):
        assert f"/o/acme/?rag={colour}#health" in links
    assert f"/o/acme/projects/{a}/earned-value/" in links
    assert f"/o/acme/projects/{a}/finance/forecast/" in links
    assert f"/o/acme/projects/{b}/finance/" in links
    assert f"/o/acme/projects/{b}/finance/actual-costs/" in links
    assert f"/o/acme/alerts/?status=active&severity=red&project={a}" in links
    assert f"/o/acme/alerts/?status=active&severity=amber&project={a}" in links
    assert f"/o/acme/projects/{a}/status-reports/{portfolio.report_a.pk}/" in links
    assert f"/o/acme/projects/{a}/wbs/{portfolio.m1.pk}/history/" in links
    assert f"/o/acme/projects/{a}/change-requests/{portfolio.change_request.pk}/" in links
    assert f"/o/acme/projects/{b}/finance/versions/{portfolio.submitted_budget.pk}/" in links
    assert f"/o/acme/projects/{portfolio.c.pk}/baselines/" in links


def test_linked_lists_hold_the_numbers_they_are_linked_from(portfolio: Portfolio4) -> None:
    client = page_client_for(portfolio.pmo)
    red = client.get("/o/acme/alerts/?status=active&severity=red")
    assert red.context["page"].paginator.count == board(portfolio).alert_counts["red"]
    execution = client.get("/o/acme/projects/?phase=execution")
    assert execution.context["page"].paginator.count == 1


def test_with_filters_the_links_keep_them_and_totals_lead_to_the_table(portfolio: Portfolio4) -> None:
    html = page(portfolio.pmo, f"&portfolio={portfolio.p1.pk}").content.decode()
    found = elements(html)
    links = hrefs(html)
    assert found["kpi-red-alerts"]["href"] == f"/o/acme/?portfolio={portfolio.p1.pk}#health"
    assert found["waiting-budget-versions"]["href"] == f"/o/acme/?portfolio={portfolio.p1.pk}#decisions"
    assert f"/o/acme/projects/?phase=execution&portfolio={portfolio.p1.pk}" in links
    assert f"/o/acme/?portfolio={portfolio.p1.pk}&rag=red#health" in links


def test_a_viewer_sees_the_dashboard_read_only(portfolio: Portfolio4, organization: Organization) -> None:
    viewer = member(organization, OrgRole.VIEWER, username="exec").user
    response = page(viewer)
    assert response.status_code == 200
    html = response.content.decode()
    main = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    assert 'id="dashboard-actions"' not in main
    assert 'method="post"' not in main
    assert "/projects/new/" not in main
    assert elements(html)["kpi-bac"]["data-value"] == "6000.00"
    pmo_html = page(portfolio.pmo).content.decode()
    assert 'id="dashboard-actions"' in pmo_html


def test_another_organisations_member_gets_404(portfolio: Portfolio4, other_organization: Organization) -> None:
    outsider = member(other_organization, OrgRole.ADMIN).user
    assert page_client_for(outsider).get("/o/acme/").status_code == 404


def test_an_empty_organisation_shows_an_empty_dashboard(admin_user: User) -> None:
    response = page_client_for(admin_user).get("/o/acme/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Acme Build" in html
    assert elements(html)["kpi-projects"]["data-value"] == "0"


# --- a fixed number of queries ------------------------------------------------------------


def build_projects(organization: Organization, count: int, manager: User, *, first: int = 0) -> None:
    """``count`` projects with everything the dashboard reads: baselines, progress, costs, budgets, alerts..."""
    for number in range(first, first + count):
        project = ProjectFactory(
            organization=organization, code=f"Q{number:03d}", phase=Phase.EXECUTION, manager=manager
        )
        baseline = current_baseline(project)
        task(project, "1", DAY(2026, 3, 2), DAY(2026, 3, 6), 1000, baseline=baseline, done=True)
        task(project, "2", DAY(2026, 3, 9), DAY(2026, 3, 20), 2000, baseline=baseline, percent=30, effective=AS_OF)
        task(project, "3", DAY(2026, 3, 11), DAY(2026, 3, 11), 0, baseline=baseline, milestone=True)
        approved_budget(project, 3000)
        cost(project, 1200, DAY(2026, 3, 10))
        alert(project, AlertKind.CPI_LOW, Severity.RED)
        ChangeRequestFactory(
            project=project,
            organization=organization,
            status=ChangeRequest.Status.SUBMITTED,
            submitted_at=timezone.now(),
        )
        version = BudgetVersionFactory(
            project=project,
            organization=organization,
            number=2,
            status=BudgetVersion.Status.SUBMITTED,
            submitted_at=timezone.now(),
        )
        BudgetLineFactory(version=version, organization=organization, amount=Decimal(3500))
        StatusReportFactory(
            project=project,
            organization=organization,
            status=StatusReport.Status.SUBMITTED,
            submitted_at=timezone.now(),
            rag_overall="amber",
        )


# The session, the user and the membership; the dashboard's 29 reads: the filter choices (2), the
# projects by phase, the open projects (as values, then as projects for their earned value), their
# earned value (6), approved budgets, actual costs, the risks (4: exposure and contingency, top
# risks, heat map, risk matrix), quality (5: inspections, non-conformances, days to close, plan
# entries, surveys), open milestones and their baseline dates (2), alerts, latest reports, waiting
# change requests and budget versions, recent reports; the panels of its slot (resources, 3:
# over-allocation alerts, open requests, lines waiting; maintenance, 4: the O&M figures' work orders,
# assets, rounds and defects); and the header's organisations and alert bell.
PAGE_QUERIES = 41


def test_the_page_runs_a_fixed_number_of_queries_however_many_projects(
    organization: Organization, django_assert_num_queries: Any
) -> None:
    pmo = member(organization, OrgRole.PMO).user
    client = page_client_for(pmo)
    url = f"/o/acme/?as_of={AS_OF.isoformat()}"
    build_projects(organization, 2, pmo)
    with django_assert_num_queries(PAGE_QUERIES):
        assert len(client.get(url).context["board"].projects) == 2
    build_projects(organization, 10, pmo, first=2)
    with django_assert_num_queries(PAGE_QUERIES):
        assert len(client.get(url).context["board"].projects) == 12
