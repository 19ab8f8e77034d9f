"""The earned-value API: exactly the figures worked by hand, as strings, and fixed numbers of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from pmo.models import Organization, OrgRole
from tests.conftest import api_client_for
from tests.factories import ExchangeRateFactory, ManualForecastFactory, PortfolioFactory, member
from tests.finance.test_earned_value_support import (
    baseline,
    build_sized,
    build_textbook,
    cost,
    march,
    new_project,
    progress,
    task,
)

pytestmark = pytest.mark.django_db

TEXTBOOK_ON_9_MARCH = {
    "as_of": "2026-03-09",
    "currency": "CNY",
    "bac": "10000.00",
    "pv": "5000.00",
    "ev": "4000.00",
    "ac": "4500.00",
    "sv": "-1000.00",
    "cv": "-500.00",
    "spi": "0.8000",
    "cpi": "0.8889",
    "eac": "11250.00",
    "eac_atypical": "10500.00",
    "eac_combined": "12937.50",
    "etc": "6750.00",
    "vac": "-1250.00",
    "tcpi": "1.0909",
}


def url(project_id: int | None = None, suffix: str = "") -> str:
    if project_id is None:
        return f"/api/v1/orgs/acme/evm/{suffix}"
    return f"/api/v1/orgs/acme/projects/{project_id}/{suffix}"


def error(response) -> dict:  # type: ignore[no-untyped-def,type-arg]
    return response.json()["error"]  # type: ignore[no-any-return]


# --- one project ----------------------------------------------------------------------


def test_the_textbook_project_answers_every_figure_as_a_string(organization: Organization, api: APIClient) -> None:
    built = build_textbook(organization)

    response = api.get(url(built.project.pk, "evm/"), {"as_of": "2026-03-09"})

    assert response.status_code == 200, response.json()
    assert response.json() == TEXTBOOK_ON_9_MARCH


def test_undefined_ratios_are_null_not_zero_or_infinite(organization: Organization, api: APIClient) -> None:
    built = build_textbook(organization)

    body = api.get(url(built.project.pk, "evm/"), {"as_of": "2026-02-27"}).json()

    assert (body["pv"], body["ev"], body["ac"]) == ("0.00", "0.00", "0.00")
    assert (body["spi"], body["cpi"], body["eac"], body["eac_combined"], body["etc"], body["vac"]) == (None,) * 6
    assert (body["eac_atypical"], body["tcpi"]) == ("10000.00", "1.0000")


def test_every_reader_may_see_earned_value(organization: Organization) -> None:
    built = build_textbook(organization)
    viewer = member(organization, OrgRole.VIEWER)

    response = api_client_for(viewer.user).get(url(built.project.pk, "evm/"), {"as_of": "2026-03-09"})

    assert response.status_code == 200
    assert response.json()["cpi"] == "0.8889"


def test_the_status_date_defaults_to_today_in_the_organisation(organization: Organization, api: APIClient) -> None:
    built = build_textbook(organization)

    body = api.get(url(built.project.pk, "evm/")).json()

    assert body["as_of"] == organization.today().isoformat()
    assert (body["pv"], body["ev"], body["ac"]) == ("10000.00", "4000.00", "5200.00")


def test_a_bad_date_is_a_field_error(organization: Organization, api: APIClient) -> None:
    built = build_textbook(organization)

    response = api.get(url(built.project.pk, "evm/"), {"as_of": "9 March"})

    assert response.status_code == 400
    assert error(response)["code"] == "invalid"
    assert "as_of" in error(response)["fields"]


@pytest.mark.parametrize("suffix", ["evm/", "evm/series/", "evm/wbs/", "forecast/"])
def test_a_project_without_a_baseline_answers_400_no_baseline(
    suffix: str, organization: Organization, api: APIClient
) -> None:
    _admin, project = new_project(organization, "P-9")

    response = api.get(url(project.pk, suffix))

    assert response.status_code == 400
    assert error(response)["code"] == "no_baseline"


def test_another_organisations_project_is_not_found(
    organization: Organization, other_organization: Organization, api: APIClient
) -> None:
    built = build_textbook(other_organization)

    assert api.get(url(built.project.pk, "evm/")).status_code == 404


# --- series -----------------------------------------------------------------------------


def test_a_weekly_series_answers_a_point_every_sunday_and_on_the_last_day(
    organization: Organization, api: APIClient
) -> None:
    built = build_textbook(organization)
    progress(built.admin.user, built.tasks["B"], march(13), percent_complete="50")

    response = api.get(
        url(built.project.pk, "evm/series/"), {"from": "2026-03-02", "to": "2026-03-18", "interval": "week"}
    )

    assert response.status_code == 200, response.json()
    points = response.json()
    assert [(p["as_of"], p["pv"], p["ev"], p["ac"], p["spi"], p["cpi"]) for p in points] == [
        ("2026-03-08", "4000.00", "4000.00", "4500.00", "1.0000", "0.8889"),
        ("2026-03-15", "9000.00", "7000.00", "5200.00", "0.7778", "1.3462"),
        ("2026-03-18", "10000.00", "7000.00", "5200.00", "0.7000", "1.3462"),
    ]
    assert set(points[0]) == set(TEXTBOOK_ON_9_MARCH)


def test_a_monthly_series_answers_month_ends(organization: Organization, api: APIClient) -> None:
    built = build_textbook(organization)

    points = api.get(
        url(built.project.pk, "evm/series/"), {"from": "2026-02-01", "to": "2026-04-15", "interval": "month"}
    ).json()

    assert [(p["as_of"], p["pv"]) for p in points] == [
        ("2026-02-28", "0.00"),
        ("2026-03-31", "10000.00"),
        ("2026-04-15", "10000.00"),
    ]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2026-03-18", "to": "2026-03-02"}, "from"),
        ({"from": "2016-01-01", "to": "2026-03-01", "interval": "week"}, "from"),
        ({"interval": "day"}, "interval"),
        ({"to": "soon"}, "to"),
    ],
    ids=["reversed", "too-many-points", "unknown-interval", "bad-date"],
)
def test_a_series_query_is_checked(
    query: dict[str, str], field: str, organization: Organization, api: APIClient
) -> None:
    built = build_textbook(organization)

    response = api.get(url(built.project.pk, "evm/series/"), query)

    assert response.status_code == 400
    assert field in error(response)["fields"]


# --- the WBS ----------------------------------------------------------------------------


def test_the_wbs_answers_each_element_with_summaries_recomputed_from_their_sums(
    organization: Organization, api: APIClient
) -> None:
    # As in test_earned_value: Site (A, B) and C, on Wednesday 4 March.
    admin, project = new_project(organization, "W-1")
    actor = admin.user
    site = task(project, actor, "Site", "0.00")
    a = task(project, actor, "A", "1000.00", parent=site)
    b = task(project, actor, "B", "3000.00", parent=site)
    task(project, actor, "C", "2000.00")
    baseline(project, actor)
    progress(actor, a, march(4), percent_complete="100", actual_start=march(2), actual_finish=march(4))
    progress(actor, b, march(4), percent_complete="20")
    cost(project, march(3), "1200.00", a)
    cost(project, march(3), "400.00", b)

    response = api.get(url(project.pk, "evm/wbs/"), {"as_of": "2026-03-04"})

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["as_of"], body["currency"]) == ("2026-03-04", "CNY")
    rows = [
        (
            row["code"],
            row["name"],
            row["depth"],
            row["is_summary"],
            row["figures"]["pv"],
            row["figures"]["ev"],
            row["figures"]["ac"],
            row["figures"]["spi"],
            row["figures"]["cpi"],
        )
        for row in body["elements"]
    ]
    assert rows == [
        # 1,600 / 2,400 and 1,600 / 1,600: not the means of the children's ratios.
        ("1", "Site", 0, True, "2400.00", "1600.00", "1600.00", "0.6667", "1.0000"),
        ("1.1", "A", 1, False, "600.00", "1000.00", "1200.00", "1.6667", "0.8333"),
        ("1.2", "B", 1, False, "1800.00", "600.00", "400.00", "0.3333", "1.5000"),
        ("2", "C", 0, False, "1200.00", "0.00", "0.00", "0.0000", None),
    ]
    assert body["elements"][1]["id"] == a.pk
    assert body["elements"][1]["parent"] == site.pk


# --- the forecast -----------------------------------------------------------------------


def test_the_forecast_answers_each_method_and_the_manual_estimate(organization: Organization, api: APIClient) -> None:
    built = build_textbook(organization)
    estimate = ManualForecastFactory(
        organization=organization,
        project=built.project,
        estimate_to_complete=Decimal("7000.00"),
        justification="Steel prices up.",
        created_at=dt.datetime(2026, 3, 9, 2, tzinfo=dt.UTC),
    )

    response = api.get(url(built.project.pk, "forecast/"), {"as_of": "2026-03-09"})

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["as_of"], body["currency"], body["bac"], body["ac"], body["ev"]) == (
        "2026-03-09",
        "CNY",
        "10000.00",
        "4500.00",
        "4000.00",
    )
    assert (body["cpi"], body["spi"]) == ("0.8889", "0.8000")
    assert body["methods"] == [
        {"method": "typical", "eac": "11250.00", "etc": "6750.00", "vac": "-1250.00"},
        {"method": "atypical", "eac": "10500.00", "etc": "6000.00", "vac": "-500.00"},
        {"method": "combined", "eac": "12937.50", "etc": "8437.50", "vac": "-2937.50"},
        {"method": "manual", "eac": "11500.00", "etc": "7000.00", "vac": "-1500.00"},
    ]
    assert body["manual"]["estimate_to_complete"] == "7000.00"
    assert body["manual"]["justification"] == "Steel prices up."
    assert body["manual"]["created_by"]["id"] == estimate.created_by_id
    assert body["manual"]["created_at"].startswith("2026-03-09")


# --- the portfolio ----------------------------------------------------------------------


def test_the_portfolio_answers_each_project_in_its_currency_and_the_total_in_the_organisations(
    organization: Organization, api: APIClient
) -> None:
    build_textbook(organization, "P-1")
    admin, usd = new_project(organization, "P-2", currency="USD")
    works = task(usd, admin.user, "Works", "1000.00")
    baseline(usd, admin.user)
    progress(admin.user, works, march(4), percent_complete="50")
    cost(usd, march(3), "400.00")
    admin, eur = new_project(organization, "P-3", currency="EUR")
    task(eur, admin.user, "Works", "800.00")
    baseline(eur, admin.user)
    _admin, bare = new_project(organization, "P-4")
    ExchangeRateFactory(organization=organization, currency="USD", rate=Decimal("7.200000"), valid_from=march(1))
    ExchangeRateFactory(organization=organization, currency="USD", rate=Decimal("7.500000"), valid_from=march(10))

    response = api.get(url(), {"as_of": "2026-03-09"})

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["as_of"] == "2026-03-09"
    rows = {row["code"]: row for row in body["rows"]}
    assert list(rows) == ["P-1", "P-2", "P-3", "P-4"]
    assert rows["P-2"]["currency"] == "USD"
    assert rows["P-2"]["rate"] == "7.200000"
    assert (rows["P-2"]["figures"]["bac"], rows["P-2"]["figures"]["ev"], rows["P-2"]["figures"]["cpi"]) == (
        "1000.00",
        "500.00",
        "1.2500",
    )
    assert rows["P-2"]["reason"] is None
    assert rows["P-3"]["rate"] is None
    assert rows["P-3"]["figures"]["bac"] == "800.00"
    assert rows["P-4"]["figures"] is None
    assert rows["P-4"]["reason"]["code"] == "no_baseline"
    assert rows["P-4"]["project"] == bare.pk
    assert body["missing_rates"] == [{"currency": "EUR", "projects": [eur.pk]}]
    assert body["total"] == {
        "currency": "CNY",
        "figures": {
            "bac": "17200.00",
            "pv": "12200.00",
            "ev": "7600.00",
            "ac": "7380.00",
            "sv": "-4600.00",
            "cv": "220.00",
            "spi": "0.6230",
            "cpi": "1.0298",
            "eac": "16702.11",
            "eac_atypical": "16980.00",
            "eac_combined": "22344.43",
            "etc": "9322.11",
            "vac": "497.89",
            "tcpi": "0.9776",
        },
    }


def test_the_portfolio_filter_keeps_a_portfolio_and_its_programmes(organization: Organization, api: APIClient) -> None:
    portfolio = PortfolioFactory(organization=organization, name="Parks")
    programme = PortfolioFactory(organization=organization, name="Riverside", kind="programme", parent=portfolio)
    build_sized(organization, 2, code="A-1", portfolio=portfolio)
    build_sized(organization, 2, code="A-2", portfolio=programme)
    build_sized(organization, 2, code="A-3")

    body = api.get(url(), {"as_of": "2026-03-09", "portfolio": portfolio.pk}).json()

    assert [row["code"] for row in body["rows"]] == ["A-1", "A-2"]


def test_a_portfolio_of_another_organisation_is_a_field_error(
    organization: Organization, other_organization: Organization, api: APIClient
) -> None:
    theirs = PortfolioFactory(organization=other_organization)

    response = api.get(url(), {"portfolio": theirs.pk})

    assert response.status_code == 400
    assert "portfolio" in error(response)["fields"]


# --- fixed numbers of queries -----------------------------------------------------------


@pytest.mark.parametrize("size", [5, 50])
def test_the_project_endpoints_run_a_fixed_number_of_queries(
    size: int,
    organization: Organization,
    api: APIClient,
    django_assert_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    project = build_sized(organization, size, code="Q-1")
    ManualForecastFactory(organization=organization, project=project, created_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
    # Membership, project and project role in one query; then the reads of finance.earned_value.
    for suffix, query, queries in (
        ("evm/", {"as_of": "2026-03-09"}, 1 + 6),
        ("evm/series/", {"from": "2026-03-02", "to": "2026-06-30"}, 1 + 6),
        ("evm/wbs/", {"as_of": "2026-03-09"}, 1 + 7),
        ("forecast/", {"as_of": "2026-03-09"}, 1 + 7),
    ):
        with django_assert_num_queries(queries):
            response = api.get(url(project.pk, suffix), query)
        assert response.status_code == 200, (suffix, response.json())


@pytest.mark.parametrize("size", [5, 20])
def test_the_portfolio_endpoint_runs_a_fixed_number_of_queries(
    size: int,
    organization: Organization,
    api: APIClient,
    django_assert_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    portfolio = PortfolioFactory(organization=organization)
    for number in range(size):
        build_sized(organization, 3, code=f"R-{number:02d}", currency=("CNY", "USD")[number % 2], portfolio=portfolio)
    ExchangeRateFactory(organization=organization, currency="USD", valid_from=march(1))

    # Membership, then the eight reads of the roll-up.
    with django_assert_num_queries(1 + 8):
        body = api.get(url(), {"as_of": "2026-03-09"}).json()
    assert len(body["rows"]) == size
    # The portfolio is checked first.
    with django_assert_num_queries(1 + 1 + 8):
        body = api.get(url(), {"as_of": "2026-03-09", "portfolio": portfolio.pk}).json()
    assert len(body["rows"]) == size


def test_the_project_manager_records_an_estimate_to_complete_through_the_api(organization) -> None:  # type: ignore[no-untyped-def]
    from finance.models import ManualForecast
    from pmo.models import OrgRole
    from tests.conftest import api_client_for
    from tests.factories import member
    from tests.projects.helpers import make_project

    pm = member(organization, OrgRole.PROJECT_MANAGER)
    project = make_project(organization, manager=pm.user)
    client = api_client_for(pm.user)
    url = f"/api/v1/orgs/{organization.slug}/projects/{project.pk}/forecast/"
    refused = client.post(url, {"estimate_to_complete": "1000.00", "justification": ""}, format="json")
    assert refused.status_code == 400
    created = client.post(url, {"estimate_to_complete": "1000.00", "justification": "Re-estimated"}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["estimate_to_complete"] == "1000.00"
    assert ManualForecast.objects.for_organization(organization).filter(project=project).count() == 1
    viewer = api_client_for(member(organization, OrgRole.VIEWER).user)
    assert viewer.post(url, {"estimate_to_complete": "1.00", "justification": "x"}, format="json").status_code == 403
