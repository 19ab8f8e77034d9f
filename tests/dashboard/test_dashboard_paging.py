"""A large portfolio on the dashboard: the project table comes a page at a time, the charts stay readable.

Same portfolio as ``test_dashboard`` (A, B, C open; D closed), with the page sizes made small.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from dashboard import views
from dashboard.portfolio import charts
from pmo.models import Organization
from tests.conftest import api_client_for
from tests.dashboard.test_dashboard import AS_OF, Portfolio4, build_portfolio, elements, page

pytestmark = pytest.mark.django_db

URL = "/api/v1/orgs/acme/dashboard/"


@pytest.fixture
def portfolio(organization: Organization) -> Portfolio4:
    return build_portfolio(organization)


def rows_shown(html: str) -> list[str]:
    return sorted(key for key in elements(html) if key.startswith("project-"))


def test_the_table_comes_a_page_at_a_time_and_the_totals_cover_every_project(
    portfolio: Portfolio4, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "HEALTH_PAGE_SIZE", 2)

    first = page(portfolio.pmo).content.decode()
    second = page(portfolio.pmo, "&page=2").content.decode()

    assert rows_shown(first) == sorted([f"project-{portfolio.a.pk}", f"project-{portfolio.b.pk}"])
    assert rows_shown(second) == [f"project-{portfolio.c.pk}"]
    for html in (first, second):
        found = elements(html)
        assert found["kpi-projects"]["data-value"] == "3"
        assert found["kpi-bac"]["data-value"] == "6000.00"
    assert 'rel="next"' in first
    assert "page=2" in first
    # A page past the end shows the last one, as the other lists do.
    assert rows_shown(page(portfolio.pmo, "&page=9").content.decode()) == [f"project-{portfolio.c.pk}"]


def test_the_rag_filter_and_the_pages_go_together(portfolio: Portfolio4, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views, "HEALTH_PAGE_SIZE", 1)
    html = page(portfolio.pmo, "&rag=green").content.decode()
    assert rows_shown(html) == [f"project-{portfolio.b.pk}"]
    assert 'rel="next"' not in html


def fetch(data: Portfolio4, **query: Any) -> Any:
    return api_client_for(data.pmo).get(URL, {"as_of": AS_OF.isoformat(), **query})


def test_the_api_pages_the_project_rows_and_keeps_the_totals_whole(portfolio: Portfolio4) -> None:
    first = fetch(portfolio, page_size=2).json()
    second = fetch(portfolio, page_size=2, page=2).json()

    assert [item["code"] for item in first["projects"]] == ["A", "B"]
    assert [item["code"] for item in second["projects"]] == ["C"]
    assert first["projects_page"] == {"count": 3, "page": 1, "page_size": 2, "pages": 2}
    assert second["projects_page"] == {"count": 3, "page": 2, "page_size": 2, "pages": 2}
    assert first["totals"] == second["totals"]
    assert first["totals"]["figures"]["bac"] == "6000.00"
    assert fetch(portfolio).json()["projects_page"]["page_size"] == 50


def test_the_api_filters_the_rows_by_computed_rag(portfolio: Portfolio4) -> None:
    body = fetch(portfolio, rag="unknown").json()
    assert [item["code"] for item in body["projects"]] == ["C"]
    assert body["projects_page"]["count"] == 1
    assert body["projects_by_rag"]["computed"]["red"] == 1  # the figures stay whole


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"page": 0}, "page"),
        ({"page_size": 501}, "page_size"),
        ({"page_size": "many"}, "page_size"),
        ({"rag": "purple"}, "rag"),
    ],
)
def test_the_api_refuses_pages_and_filters_that_do_not_exist(
    portfolio: Portfolio4, query: dict[str, Any], field: str
) -> None:
    response = fetch(portfolio, **query)
    assert response.status_code == 400, response.content
    assert list(response.json()["error"]["fields"]) == [field]


def test_a_page_past_the_last_is_not_found(portfolio: Portfolio4) -> None:
    response = fetch(portfolio, page=3, page_size=2)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_the_budget_chart_draws_the_largest_projects_and_says_how_many_are_left_out(
    portfolio: Portfolio4, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "budget-left-out" not in elements(page(portfolio.pmo).content.decode())
    monkeypatch.setattr(charts, "BUDGET_ROWS", 1)
    html = page(portfolio.pmo).content.decode()

    # A: approved 4,000 and forecast 5,000, larger than B's and C's.
    assert html.count('data-measure="approved"') == 1
    assert f"/projects/{portfolio.a.pk}/finance/" in html.split('class="dash-chart budget-chart"', 1)[1]
    assert "budget-left-out" in elements(html)


def test_with_many_dots_only_the_worst_are_labelled() -> None:
    points = [
        charts.Point(label=f"P{n:02d}", tip="", spi=Decimal("0.80") + Decimal(n) / 100, cpi=Decimal("1.00"), band="")
        for n in range(40)
    ]
    svg = str(charts.index_scatter(points, title="t", x_label="x", y_label="y"))
    assert svg.count('class="sc-dot') == 40
    assert svg.count('class="sc-label"') == charts.SCATTER_LABELS
    assert ">P00</text>" in svg
    assert ">P39</text>" not in svg
