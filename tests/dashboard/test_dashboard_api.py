"""GET /api/v1/orgs/{org_slug}/dashboard/: the dashboard's figures, the same as the page's."""

from __future__ import annotations

from typing import Any

import pytest

from dashboard import portfolio as dashboard
from pmo.models import Organization, OrgRole
from tests.conftest import api_client_for, page_client_for
from tests.dashboard.test_dashboard import AS_OF, Portfolio4, build_portfolio, build_projects, elements
from tests.factories import PortfolioFactory, member

pytestmark = pytest.mark.django_db

URL = "/api/v1/orgs/acme/dashboard/"


@pytest.fixture
def portfolio(organization: Organization) -> Portfolio4:
    return build_portfolio(organization)


def fetch(data: Portfolio4, **query: Any) -> dict[str, Any]:
    response = api_client_for(data.pmo).get(URL, {"as_of": AS_OF.isoformat(), **query})
    assert response.status_code == 200, response.content
    return response.json()  # type: ignore[no-any-return]


def test_the_api_answers_the_selectors_figures(portfolio: Portfolio4) -> None:
    board = dashboard.portfolio_dashboard(portfolio.organization, dashboard.Filters(as_of=AS_OF))
    body = fetch(portfolio)

    assert body["as_of"] == "2026-03-13"
    assert body["currency"] == board.currency
    totals = body["totals"]
    for name in ("bac", "pv", "ev", "ac", "eac", "spi", "cpi"):
        assert totals["figures"][name] == str(getattr(board.evm_figures, name)), name
    assert (totals["spi_band"], totals["cpi_band"]) == (board.spi_band, board.cpi_band)
    assert totals["budget"] == {
        "approved": str(board.budget.approved),
        "actual": str(board.budget.actual),
        "forecast": str(board.budget.forecast),
    }
    assert {item["phase"]: item["count"] for item in body["projects_by_phase"]} == {
        count.phase: count.count for count in board.phase_counts
    }
    assert body["projects_by_rag"] == {"computed": board.rag_counts, "reported": board.reported_rag_counts}
    assert body["alerts"] == board.alert_counts
    assert body["milestones"]["overdue"] == board.overdue_milestones
    assert body["milestones"]["due_soon"] == board.milestones_due_soon
    assert [item["id"] for item in body["milestones"]["items"]] == [item.element_id for item in board.milestones]
    assert [item["id"] for item in body["waiting"]["change_requests"]] == [
        item.change_request_id for item in board.change_requests
    ]
    assert [(item["id"], item["total"]) for item in body["waiting"]["budget_versions"]] == [
        (item.budget_version_id, str(item.total)) for item in board.budget_versions
    ]
    assert [
        (item["id"], item["rag"], item["computed_rag_at_submission"]) for item in body["recent_status_reports"]
    ] == [(item.report_id, item.rag, item.computed_at_submission) for item in board.recent_reports]
    assert set(body["rag_rule"]) == {"red", "amber", "green", "unknown", "notes"}


def test_each_project_carries_its_indices_rag_and_the_managers_rating(portfolio: Portfolio4) -> None:
    projects = {item["code"]: item for item in fetch(portfolio)["projects"]}
    assert list(projects) == ["A", "B", "C"]
    a, b, c = projects["A"], projects["B"], projects["C"]
    assert (a["figures"]["spi"], a["spi_band"], a["figures"]["cpi"], a["cpi_band"]) == (
        "0.6400",
        "red",
        "0.8000",
        "red",
    )
    assert a["computed_rag"]["rag"] == "red"
    assert {reason["code"] for reason in a["computed_rag"]["reasons"]} == {
        "spi",
        "cpi",
        "red_alerts",
        "amber_alerts",
        "milestone",
    }
    assert a["alerts"] == {"red": 1, "amber": 1}
    assert (a["approved_budget"], a["actual_cost"], a["forecast"]) == ("4000.00", "2000.00", "5000.00")
    assert (b["computed_rag"]["rag"], b["reported_rag"]["rag"], b["overridden"]) == ("green", "amber", True)
    assert b["reported_rag"]["justification"] == "The client is about to add scope."
    assert (c["figures"], c["computed_rag"]["rag"], c["reported_rag"]) == (None, "unknown", None)


def test_the_api_and_the_page_show_the_same_figures(portfolio: Portfolio4) -> None:
    body = fetch(portfolio, portfolio=portfolio.p1.pk)
    html = page_client_for(portfolio.pmo).get(f"/o/acme/?as_of={AS_OF.isoformat()}&portfolio={portfolio.p1.pk}")
    found = elements(html.content.decode())
    figures = body["totals"]["figures"]
    for name in ("bac", "ev", "ac", "spi", "cpi"):
        assert found[f"kpi-{name}"]["data-value"] == figures[name], name
    assert found["kpi-eac"]["data-value"] == (figures["eac"] or "")
    assert found["budget-forecast"]["data-value"] == body["totals"]["budget"]["forecast"]
    assert found["alerts-red"]["data-value"] == str(body["alerts"]["red"])
    assert found["kpi-projects"]["data-value"] == str(len(body["projects"]))
    for item in body["projects"]:
        assert found[f"project-{item['project']}"]["data-rag"] == item["computed_rag"]["rag"]


def test_the_filters_narrow_the_figures(portfolio: Portfolio4) -> None:
    assert [item["code"] for item in fetch(portfolio, portfolio=portfolio.p1.pk)["projects"]] == ["A", "C"]
    assert [item["code"] for item in fetch(portfolio, manager=portfolio.bob.pk)["projects"]] == ["B"]
    by_phase = fetch(portfolio, phase="execution")
    assert [item["code"] for item in by_phase["projects"]] == ["A"]
    assert by_phase["filters"] == {"portfolio": None, "manager": None, "phase": "execution"}


def test_a_portfolio_of_another_organisation_or_an_unknown_phase_is_refused(
    portfolio: Portfolio4, other_organization: Organization
) -> None:
    elsewhere = PortfolioFactory(organization=other_organization)
    client = api_client_for(portfolio.pmo)
    refused = client.get(URL, {"portfolio": elsewhere.pk})
    assert refused.status_code == 400
    assert "portfolio" in refused.json()["error"]["fields"]
    assert "phase" in client.get(URL, {"phase": "closed"}).json()["error"]["fields"]
    assert "manager" in client.get(URL, {"manager": portfolio.pmo.pk}).json()["error"]["fields"]


def test_a_viewer_reads_the_dashboard(portfolio: Portfolio4, organization: Organization) -> None:
    viewer = member(organization, OrgRole.VIEWER, username="exec").user
    response = api_client_for(viewer).get(URL, {"as_of": AS_OF.isoformat()})
    assert response.status_code == 200
    assert response.json()["totals"]["figures"]["bac"] == "6000.00"
    assert api_client_for(viewer).post(URL, {}).status_code == 405


def test_another_organisation_gets_404(portfolio: Portfolio4, other_organization: Organization) -> None:
    outsider = member(other_organization, OrgRole.ADMIN).user
    assert api_client_for(outsider).get(URL).status_code == 404


# The membership, then the dashboard's 29 reads (as on the page).
API_QUERIES = 30


def test_the_api_runs_a_fixed_number_of_queries_however_many_projects(
    organization: Organization, django_assert_num_queries: Any
) -> None:
    pmo = member(organization, OrgRole.PMO).user
    client = api_client_for(pmo)
    build_projects(organization, 2, pmo)
    with django_assert_num_queries(API_QUERIES):
        assert len(client.get(URL, {"as_of": AS_OF.isoformat()}).json()["projects"]) == 2
    build_projects(organization, 10, pmo, first=2)
    with django_assert_num_queries(API_QUERIES):
        assert len(client.get(URL, {"as_of": AS_OF.isoformat()}).json()["projects"]) == 12
