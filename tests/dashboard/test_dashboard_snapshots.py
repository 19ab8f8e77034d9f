"""On the organisation's today the dashboard reads the variance run's snapshots; otherwise, or without one, it computes.

Same portfolio as ``test_dashboard`` (status date Friday 13 March 2026), with the organisation's
today pinned to that date.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from dashboard import portfolio as dashboard
from finance.models import EvmSnapshot
from finance.variance import open_project_ids, variance_run_batch
from pmo.models import Organization, OrgRole
from projects.models import Project
from tests.dashboard.test_dashboard import AS_OF, Portfolio4, board, build_portfolio, build_projects, row
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def today_is_the_status_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Organization, "today", lambda self: AS_OF)


@pytest.fixture
def portfolio(organization: Organization, today_is_the_status_date: None) -> Portfolio4:
    built = build_portfolio(organization)
    EvmSnapshot.objects.for_organization(organization).delete()
    return built


def run_variance(organization: Organization) -> None:
    variance_run_batch(organization=organization, project_ids=open_project_ids(organization), as_of=AS_OF)


def measures(result: dashboard.Dashboard) -> dict[str, Any]:
    """What earned value and spending give the dashboard (not the alerts, which a variance run changes)."""
    return {
        "projects": [
            (item.code, item.evm, item.spi_band, item.cpi_band, item.approved_budget, item.actual_cost, item.forecast)
            for item in result.projects
        ],
        "figures": result.evm_figures,
        "totals": result.evm_totals,
        "budget": result.budget,
    }


def test_on_today_the_snapshots_give_the_figures_the_dashboard_computes_without_them(portfolio: Portfolio4) -> None:
    computed = board(portfolio)
    assert computed.evaluated_at is None

    run_variance(portfolio.organization)
    from_snapshots = board(portfolio)

    snapshots = EvmSnapshot.objects.for_organization(portfolio.organization)
    # A and B have a baseline, so a snapshot; C has none and is computed (no figures, its 300 spent).
    assert sorted(snapshots.values_list("project__code", flat=True)) == ["A", "B"]
    assert from_snapshots.evaluated_at == min(snapshots.values_list("computed_at", flat=True))
    assert measures(from_snapshots) == measures(computed)
    assert row(from_snapshots, portfolio.c).actual_cost == Decimal("300.00")


def test_the_snapshot_is_what_is_read_on_today_and_only_then(portfolio: Portfolio4) -> None:
    run_variance(portfolio.organization)
    EvmSnapshot.objects.for_organization(portfolio.organization).filter(project=portfolio.b).update(
        ev=Decimal("1500.00"), ac=Decimal("1600.00"), approved_budget=Decimal("2100.00")
    )

    b = row(board(portfolio), portfolio.b)
    assert b.evm is not None
    assert (b.evm.figures.ev, b.evm.figures.cpi, b.actual_cost, b.approved_budget) == (
        Decimal("1500.00"),
        Decimal("0.9375"),
        Decimal("1600.00"),
        Decimal("2100.00"),
    )
    # Any other status date is computed from the plan, the progress and the costs.
    yesterday = dashboard.portfolio_dashboard(portfolio.organization, dashboard.Filters(as_of=AS_OF - dt.timedelta(1)))
    assert yesterday.evaluated_at is None
    assert row(yesterday, portfolio.b).actual_cost == Decimal("1900.00")


def test_a_snapshot_in_a_currency_the_project_no_longer_has_is_not_read(portfolio: Portfolio4) -> None:
    run_variance(portfolio.organization)
    EvmSnapshot.objects.for_organization(portfolio.organization).filter(project=portfolio.b).update(
        currency="USD", ev=Decimal(1)
    )

    b = row(board(portfolio), portfolio.b)
    assert b.evm is not None
    assert b.evm.currency == portfolio.b.currency
    assert b.evm.figures.ev == Decimal("2000.00")


def test_a_project_without_a_snapshot_yet_is_computed_beside_the_others(portfolio: Portfolio4) -> None:
    run_variance(portfolio.organization)
    computed_b = row(board(portfolio), portfolio.b)
    EvmSnapshot.objects.for_organization(portfolio.organization).filter(project=portfolio.b).delete()

    result = board(portfolio)
    assert result.evaluated_at is not None  # A's
    assert row(result, portfolio.b).evm == computed_b.evm


# The dashboard's reads on today once every baselined project has its snapshot: the filter choices
# (2), the projects by phase, the open projects, the snapshots, the risks (4: exposure and
# contingency, top risks, heat map, risk matrix), quality (5), open milestones and their baseline
# dates (2), alerts, latest reports, waiting change requests and budget versions, recent reports.
SNAPSHOT_QUERIES = 21


def test_reading_snapshots_takes_a_fixed_number_of_queries_however_many_projects(
    organization: Organization, today_is_the_status_date: None, django_assert_num_queries: Any
) -> None:
    pmo = member(organization, OrgRole.PMO).user
    build_projects(organization, 2, pmo)
    run_variance(organization)
    filters = dashboard.Filters(as_of=AS_OF)
    with django_assert_num_queries(SNAPSHOT_QUERIES):
        dashboard.filter_choices(organization)
        result = dashboard.portfolio_dashboard(organization, filters)
    assert len(result.projects) == 2
    assert result.evaluated_at is not None

    build_projects(organization, 10, pmo, first=2)
    run_variance(organization)
    with django_assert_num_queries(SNAPSHOT_QUERIES):
        dashboard.filter_choices(organization)
        result = dashboard.portfolio_dashboard(organization, filters)
    assert len(result.projects) == 12
    assert Project.objects.for_organization(organization).count() == 12


def test_a_project_opened_between_two_reads_is_left_out_instead_of_failing(portfolio: Portfolio4) -> None:
    """The reads after the first take the open projects as a subquery: one opened meanwhile is among them."""
    from dashboard.portfolio.lists import milestone_slips
    from dashboard.portfolio.selectors import measure

    run_variance(portfolio.organization)
    read_first = [portfolio.b]  # A was "opened" after the projects were read
    scope = Project.objects.for_organization(portfolio.organization).open().values("pk")

    measured = measure(portfolio.organization, read_first, AS_OF, scope=scope)
    slips = milestone_slips(portfolio.organization, scope, {portfolio.b.pk: "B"}, AS_OF)

    assert set(measured.evm) == {portfolio.b.pk}
    assert {item.project_id for item in slips.due} <= {portfolio.b.pk}
    assert portfolio.a.pk not in slips.late_days


def test_a_snapshot_whose_sums_were_too_large_to_keep_is_computed_instead(portfolio: Portfolio4) -> None:
    run_variance(portfolio.organization)
    computed_b = row(board(portfolio), portfolio.b)
    EvmSnapshot.objects.for_organization(portfolio.organization).filter(project=portfolio.b).update(ac=None)

    assert row(board(portfolio), portfolio.b).evm == computed_b.evm
