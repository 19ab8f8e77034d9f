"""The O&M figures of the hand-worked data set (figures_support.py says what each row is)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from maintenance.selectors import (
    BREAKDOWN_QUERIES,
    FIGURE_QUERIES,
    Scope,
    breakdown,
    defect_record,
    label_breakdown,
    lifecycle_cost,
    maintenance_figures,
)
from pmo.models import Organization
from tests.factories import OrganizationFactory
from tests.maintenance.figures_support import NOW, TODAY, HandWorked, hand_worked

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(organization: Organization) -> HandWorked:
    return hand_worked(organization)


def test_the_window_is_the_ninety_days_up_to_today(data: HandWorked) -> None:
    figures = maintenance_figures(data.organization, now=NOW)
    assert (figures.scope.since, figures.scope.until) == (dt.date(2025, 12, 19), TODAY)


def test_sla_compliance_counts_what_was_responded_or_resolved_or_is_past_its_deadline(data: HandWorked) -> None:
    figures = maintenance_figures(data.organization, now=NOW)
    # Opened in the window, not cancelled: W1..W5.  Response measurable: W1, W2, W4 (started) and
    # W3 (deadline passed); W5's is ahead.  Met: W1 and W4.  2 / 4 = 50 %.
    assert figures.opened == 5
    assert (figures.response_met, figures.response_measurable) == (2, 4)
    assert figures.response_compliance == Decimal("50.0")
    # Resolution measurable: W1, W2 (completed), W4 (deadline passed).  Met: W1.  1 / 3 = 33.3 %.
    assert (figures.resolution_met, figures.resolution_measurable) == (1, 3)
    assert figures.resolution_compliance == Decimal("33.3")
    # Open and breached now: W3 (response), W4 (resolution); W2 was late but is done.
    assert figures.breached == 2


def test_open_work_orders_by_priority_and_age_and_the_overdue_ones(data: HandWorked) -> None:
    figures = maintenance_figures(data.organization, now=NOW)
    assert figures.open_by_priority == {"P1": 1, "P2": 0, "P3": 1, "P4": 1}
    assert figures.open_work_orders == 3
    # W5 is 2 hours old, W3 3 days, W4 40 days.
    assert figures.open_by_age == {"lt1": 1, "1to7": 1, "7to30": 0, "gt30": 1}
    assert figures.overdue == 1


def test_mean_time_to_repair_is_the_mean_of_the_completed_ones_hours(data: HandWorked) -> None:
    figures = maintenance_figures(data.organization, now=NOW)
    # W1: 10 days - (9 days 1 hour) = 23 h.  W2: 5 days - 1 day = 96 h.  (23 + 96) / 2 = 59.5 h.
    assert figures.completed == 2
    assert figures.mean_hours_to_repair == Decimal("59.5")


def test_cost_per_asset_and_per_square_metre_of_known_surface(data: HandWorked) -> None:
    figures = maintenance_figures(data.organization, now=NOW)
    # Completed in the window: W1 1000 + W2 500.  Active assets: A1, A2, A3 (A4 retired).
    assert figures.cost == Decimal("1500.00")
    assert figures.assets == 3
    assert figures.cost_per_asset == Decimal("500.00")
    # Known surfaces: A1 100 m² and A2 50 m² (its quantity in m²); both work orders are on them.
    assert (figures.surface, figures.assets_with_surface) == (Decimal("150.00"), 2)
    assert figures.cost_per_m2 == Decimal("10.00")


def test_inspection_completion_counts_rounds_due_before_today_or_done_on_time_in_local_days(
    data: HandWorked,
) -> None:
    figures = maintenance_figures(data.organization, now=NOW)
    # Counted: R1, R2, R3, R5 (R4 is due today and open; R6 cancelled).  On time: R1 (23:30 local on
    # its due day, 15:30 UTC) and R5.  2 / 4 = 50 %.  Overdue now: R3.
    assert (figures.rounds_on_time, figures.rounds_counted) == (2, 4)
    assert figures.inspection_completion == Decimal("50.0")
    assert figures.rounds_overdue == 1


def test_defects_per_category_and_criterion_in_the_window(data: HandWorked) -> None:
    with translation.override("en"):
        figures = maintenance_figures(data.organization, now=NOW)
    assert (figures.defects, figures.defects_open, figures.warranty_claims) == (4, 2, 2)
    road, seat = figures.by_category
    assert (road.name, road.found, road.open, road.warranty_claims) == ("Asphalt road", 3, 2, 1)
    assert [(row.criterion, row.found, row.open, row.warranty_claims) for row in road.criteria] == [
        ("pothole", 2, 1, 1),
        ("bump", 1, 1, 0),
    ]
    assert road.criteria[1].measure == "Bump"
    assert (seat.name, seat.found, seat.open, seat.warranty_claims) == ("Seat", 1, 0, 1)


def test_a_site_filter_narrows_work_orders_assets_rounds_and_defects(data: HandWorked) -> None:
    figures = maintenance_figures(data.organization, Scope(site=data.s2.pk), now=NOW)
    # S2: W3 and W5; A3; rounds stopping at A3: R4 (not counted), R5 (on time), R6 (cancelled); D4.
    assert (figures.response_met, figures.response_measurable, figures.resolution_measurable) == (0, 1, 0)
    assert figures.open_by_priority == {"P1": 0, "P2": 0, "P3": 1, "P4": 1}
    assert figures.assets == 1
    assert figures.cost_per_m2 is None
    assert (figures.rounds_on_time, figures.rounds_counted, figures.rounds_overdue) == (1, 1, 0)
    assert (figures.defects, figures.warranty_claims) == (1, 1)


def test_a_contractor_filter_reads_its_work_and_the_assets_it_built(data: HandWorked) -> None:
    figures = maintenance_figures(data.organization, Scope(contractor=data.k1.pk), now=NOW)
    # Work assigned to K1 in the window: W1, W2.  Assets K1 built: A1, A2; their defects: D1, D2, D3.
    assert (figures.response_met, figures.response_measurable) == (1, 2)
    assert (figures.resolution_met, figures.resolution_measurable) == (1, 2)
    assert figures.open_work_orders == 0
    assert (figures.cost, figures.assets) == (Decimal("1500.00"), 2)
    assert (figures.defects, figures.defects_open, figures.warranty_claims) == (3, 2, 1)


def test_a_category_and_an_origin_project_filter(data: HandWorked) -> None:
    seat = maintenance_figures(data.organization, Scope(category=data.seat.pk), now=NOW)
    assert (seat.opened, seat.assets, seat.defects) == (2, 1, 1)
    project = maintenance_figures(data.organization, Scope(origin_project=data.project.pk), now=NOW)
    # W1, W2, W4 (W6 cancelled, W7 outside the window); A1, A2.
    assert (project.opened, project.assets, project.overdue, project.defects) == (3, 2, 1, 3)


def test_a_narrower_window(data: HandWorked) -> None:
    figures = maintenance_figures(
        data.organization, Scope(since=dt.date(2026, 3, 12), until=dt.date(2026, 3, 18)), now=NOW
    )
    # Opened from 12 March: W2 (13th), W3 (15th), W5 (today).  Completed: W2.  Rounds due: R3, R4 (today, open), R5.
    assert figures.opened == 3
    assert (figures.completed, figures.mean_hours_to_repair, figures.cost) == (1, Decimal("96.0"), Decimal("500.00"))
    assert (figures.rounds_on_time, figures.rounds_counted) == (1, 2)  # R3 late, R5 on time


def test_lifecycle_cost_of_an_asset_a_site_and_an_origin_project(data: HandWorked) -> None:
    a1 = lifecycle_cost(data.organization, asset=data.a1.pk)
    assert (a1.cost, a1.work_orders) == (Decimal("1000.00"), 2)  # W1 and W4; W6 cancelled
    a2 = lifecycle_cost(data.organization, asset=data.a2.pk)
    assert (a2.cost, a2.by_kind["request"]) == (Decimal("800.00"), Decimal("800.00"))  # W2 500 + W7 300, all time
    assert lifecycle_cost(data.organization, site=data.s1.pk).cost == Decimal("1800.00")
    assert lifecycle_cost(data.organization, origin_project=data.project.pk).cost == Decimal("1800.00")


def test_the_defect_record_of_an_origin_project_and_of_a_contractor(data: HandWorked) -> None:
    record = defect_record(data.organization, origin_project=data.project.pk)
    # D1, D2, D3, D5 (all time): open D1 and D3; warranty claim D1 (open); on A1 and A2.
    assert (record.defects, record.open, record.warranty_claims, record.open_warranty_claims, record.assets) == (
        4,
        2,
        1,
        1,
        2,
    )
    k2 = defect_record(data.organization, contractor=data.k2.pk)
    assert (k2.defects, k2.open, k2.warranty_claims, k2.open_warranty_claims) == (1, 0, 1, 0)


def test_the_per_site_and_per_contractor_tables(data: HandWorked) -> None:
    sites = label_breakdown(data.organization, "site", breakdown(data.organization, "site", now=NOW))
    assert [row.label for row in sites] == ["S1 North bank", "S2 South bank"]
    s1, s2 = sites
    assert (s1.assets, s1.open, s1.overdue, s1.cost, s1.defects, s1.warranty_claims) == (
        2,
        1,
        1,
        Decimal("1500.00"),
        3,
        1,
    )
    assert (s1.response_compliance, s1.resolution_compliance) == (Decimal("66.7"), Decimal("33.3"))
    assert (s2.assets, s2.open, s2.response_compliance, s2.resolution_compliance) == (1, 2, Decimal("0.0"), None)
    contractors = label_breakdown(data.organization, "contractor", breakdown(data.organization, "contractor", now=NOW))
    # K1: W1, W2 assigned, A1 and A2 built, D1-D3; K2: W4, A3, D4; nobody: W3, W5.
    assert [(row.label, row.open, row.assets, row.defects) for row in contractors] == [
        ("K1 Paving", 0, 2, 3),
        ("K2 Furniture", 1, 1, 1),
        ("", 2, 0, 0),
    ]


def test_the_figures_and_a_breakdown_take_a_fixed_number_of_queries(
    data: HandWorked, django_assert_num_queries: object
) -> None:
    with django_assert_num_queries(FIGURE_QUERIES):  # type: ignore[operator]
        maintenance_figures(data.organization, Scope(site=data.s1.pk, category=data.road.pk), now=NOW)
    with django_assert_num_queries(BREAKDOWN_QUERIES):  # type: ignore[operator]
        breakdown(data.organization, "contractor", now=NOW)


def test_an_organisation_with_nothing_has_empty_figures() -> None:
    figures = maintenance_figures(OrganizationFactory(), now=NOW)
    assert figures.is_empty
    assert (figures.response_compliance, figures.mean_hours_to_repair, figures.cost_per_asset) == (None, None, None)
    assert figures.open_by_priority == {"P1": 0, "P2": 0, "P3": 0, "P4": 0}


def test_another_organisations_rows_are_not_counted(data: HandWorked, other_organization: Organization) -> None:
    hand_worked(other_organization)
    figures = maintenance_figures(data.organization, now=NOW)
    assert (figures.opened, figures.assets, figures.defects, figures.rounds_counted) == (5, 3, 4, 4)
