"""The risks on the portfolio dashboard: exposure against contingency per project and in total, the projects
over their contingency, the top risks and the heat map, on the page and in the API, in fixed queries."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, cast

import pytest
from django.utils import translation

from dashboard import portfolio as dashboard
from finance.models import BudgetVersion
from pmo.models import Organization, OrgRole, User
from projects.models import Phase, Project
from risks.models import Risk
from tests.conftest import api_client_for, page_client_for
from tests.dashboard.test_dashboard import AS_OF, build_projects
from tests.factories import (
    BudgetVersionFactory,
    ExchangeRateFactory,
    PortfolioFactory,
    ProjectFactory,
    RiskFactory,
    member,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/orgs/acme/dashboard/"


def new_project(organization: Organization, code: str, **fields: Any) -> Project:
    fields.setdefault("phase", Phase.EXECUTION)
    return cast(Project, ProjectFactory(organization=organization, code=code, name=f"Project {code}", **fields))


def new_risk(project: Project | None, organization: Organization, emv: str, **fields: Any) -> Risk:
    fields.setdefault("status", "assessed")
    return cast(Risk, RiskFactory(project=project, organization=organization, emv=Decimal(emv), **fields))


def contingency(project: Project, amount: str) -> None:
    BudgetVersionFactory(
        project=project,
        status=BudgetVersion.Status.APPROVED,
        is_current=True,
        number=90,
        contingency_reserve=Decimal(amount),
    )


@pytest.fixture
def pmo(organization: Organization) -> User:
    return member(organization, OrgRole.PMO, username="pmo").user


@pytest.fixture
def books(organization: Organization) -> dict[str, Project]:
    """A (CNY) 700 exposed against 650; B (USD at 7) 100 against 300; C 0 without a budget; an org risk."""
    a, b, c = (
        new_project(organization, "A"),
        new_project(organization, "B", currency="USD"),
        new_project(organization, "C"),
    )
    ExchangeRateFactory(organization=organization, currency="USD", rate=Decimal("7"), valid_from=AS_OF)
    new_risk(a, organization, "1000.00", score=20, level="high", title="Crane collapse")
    new_risk(a, organization, "-300.00", kind="opportunity", score=6, level="medium")
    new_risk(a, organization, "5000.00", status="closed", score=25, level="high")
    contingency(a, "650.00")
    new_risk(b, organization, "100.00", score=12, level="medium", probability=3, impact=4)
    contingency(b, "300.00")
    new_risk(None, organization, "0.00", score=16, level="high", title="Regulation changes")
    return {"A": a, "B": b, "C": c}


def test_the_dashboard_adds_up_exposure_and_contingency_and_names_the_projects_over(
    organization: Organization, pmo: User, books: dict[str, Project]
) -> None:
    board = dashboard.portfolio_dashboard(organization, dashboard.Filters(as_of=AS_OF))

    exposure = board.risks.exposure
    # 700 + 100 x 7 = 1,400 exposed against 650 + 300 x 7 = 2,750.
    assert (exposure.exposure, exposure.contingency) == (Decimal("1400.00"), Decimal("2750.00"))
    assert [row.code for row in exposure.over] == ["A"]
    rows = {row.code: row for row in board.projects}
    assert (rows["A"].risk_exposure, rows["A"].contingency, rows["A"].exposure_over) == (
        Decimal("700.00"),
        Decimal("650.00"),
        True,
    )
    assert (rows["C"].risk_exposure, rows["C"].contingency) == (Decimal("0.00"), None)
    assert [risk.title for risk in board.risks.top_risks][:2] == ["Crane collapse", "Regulation changes"]
    assert board.risks.heat_map.counts == {(3, 4): 1}


def test_the_page_shows_the_totals_the_projects_over_the_top_risks_and_the_heat_map(
    organization: Organization, pmo: User, books: dict[str, Project]
) -> None:
    with translation.override("en"):
        html = page_client_for(pmo).get(f"/o/acme/?as_of={AS_OF.isoformat()}", HTTP_ACCEPT_LANGUAGE="en")
    content = html.content.decode()

    assert 'id="risk-exposure-total" data-value="1400.00"' in content
    assert 'id="risk-contingency-total" data-value="2750.00"' in content
    assert 'id="risk-over-count" data-value="1"' in content
    rows = re.findall(r'id="risk-row-(\d+)" data-over="(true|false)"', content)
    assert rows == [(str(books["A"].pk), "true"), (str(books["B"].pk), "false")]  # C has neither: not listed
    assert re.search(r'id="top-risk-\d+" data-level="high"', content)
    assert 'class="heatmap"' in content
    assert 'data-cell="3-4"' in content
    assert "/o/acme/risks/?status=open" in content


def test_the_api_carries_the_same_figures_per_project_and_in_total(
    organization: Organization, pmo: User, books: dict[str, Project]
) -> None:
    body = api_client_for(pmo).get(URL, {"as_of": AS_OF.isoformat()}).json()

    risks = body["risks"]
    assert (risks["exposure"], risks["contingency"], risks["headroom"]) == ("1400.00", "2750.00", "1350.00")
    assert [(row["code"], row["exposure"], row["contingency"], row["excess"]) for row in risks["over"]] == [
        ("A", "700.00", "650.00", "50.00")
    ]
    assert risks["top_risks"][0]["title"] == "Crane collapse"
    assert risks["top_risks"][1]["project"] is None
    assert len(risks["heat_map"]["cells"]) == 25
    assert risks["heat_map"]["appetite"] == 12
    by_code = {row["code"]: row for row in body["projects"]}
    assert (by_code["B"]["risk_exposure"], by_code["B"]["contingency"]) == ("100.00", "300.00")
    assert by_code["C"]["contingency"] is None


def test_a_narrowed_dashboard_counts_only_its_projects_risks(organization: Organization, pmo: User) -> None:
    one, two = PortfolioFactory(organization=organization), PortfolioFactory(organization=organization)
    kept, other = new_project(organization, "K", portfolio=one), new_project(organization, "O", portfolio=two)
    new_risk(kept, organization, "10.00", score=9, level="medium", probability=3, impact=3)
    new_risk(other, organization, "90.00", score=25, level="high", probability=5, impact=5)
    new_risk(None, organization, "0.00", score=20, level="high", probability=4, impact=5)

    board = dashboard.portfolio_dashboard(organization, dashboard.Filters(as_of=AS_OF, portfolio_id=one.pk))

    assert board.risks.exposure.exposure == Decimal("10.00")
    assert [risk.project_code for risk in board.risks.top_risks] == ["K"]
    assert board.risks.heat_map.counts == {(3, 3): 1}


def test_another_organisations_risks_never_reach_the_dashboard(
    organization: Organization, other_organization: Organization, pmo: User
) -> None:
    elsewhere = new_project(other_organization, "X")
    new_risk(elsewhere, other_organization, "999.00", score=25, level="high", probability=5, impact=5)

    body = api_client_for(pmo).get(URL, {"as_of": AS_OF.isoformat()}).json()

    assert body["risks"]["exposure"] == "0.00"
    assert body["risks"]["top_risks"] == []
    assert body["risks"]["heat_map"]["total"] == 0


# The dashboard's pins (tests/dashboard/test_dashboard*.py) with risks on every project.
PAGE_QUERIES = 41  # with the O&M panel's four
API_QUERIES = 30


def add_risks(organization: Organization) -> None:
    for project in Project.objects.for_organization(organization).filter(risks__isnull=True):
        for number in range(3):
            new_risk(project, organization, "100.00", score=4 * (number + 1), probability=2, impact=number + 1)


def test_the_risks_keep_the_page_and_the_api_at_a_fixed_number_of_queries(
    organization: Organization, pmo: User, django_assert_num_queries: Any
) -> None:
    page, api = page_client_for(pmo), api_client_for(pmo)
    build_projects(organization, 2, pmo)
    add_risks(organization)
    with django_assert_num_queries(PAGE_QUERIES):
        page.get(f"/o/acme/?as_of={AS_OF.isoformat()}")
    with django_assert_num_queries(API_QUERIES):
        api.get(URL, {"as_of": AS_OF.isoformat()})
    build_projects(organization, 10, pmo, first=2)
    add_risks(organization)
    with django_assert_num_queries(PAGE_QUERIES):
        assert len(page.get(f"/o/acme/?as_of={AS_OF.isoformat()}").context["board"].risks.exposure.projects) == 12
    with django_assert_num_queries(API_QUERIES):
        assert api.get(URL, {"as_of": AS_OF.isoformat()}).json()["risks"]["exposure"] == "3600.00"
