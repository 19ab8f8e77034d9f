"""Rounds made from inspection plans: one per plan and period, whatever runs twice or dies halfway."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from maintenance import generation
from maintenance.generation import Period, due_date, generate_rounds, period_of, periods_between
from maintenance.models import AssetStatus, DayRule, Frequency, Round, RoundStop
from maintenance.tasks import generate_rounds as generate_rounds_task
from pmo.models import CalendarException, Organization, WorkingCalendar
from pmo.workdays import WorkCalendar
from tests.factories import (
    AreaFactory,
    AssetCategoryFactory,
    AssetFactory,
    CriterionFactory,
    InspectionPlanFactory,
    MaintenanceSettingsFactory,
    SiteFactory,
)

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 3, 2)


def inspected_category(organization: Organization) -> Any:
    category = AssetCategoryFactory(organization=organization)
    CriterionFactory(organization=organization, category=category)
    return category


def plan_with_assets(organization: Organization, count: int = 3, **plan_fields: Any) -> Any:
    category = inspected_category(organization)
    site = SiteFactory(organization=organization)
    for number in range(count):
        AssetFactory(organization=organization, site=site, category=category, route_order=count - number)
    fields = {"frequency": Frequency.WEEKLY, "starts_on": MONDAY, **plan_fields}
    plan = InspectionPlanFactory(organization=organization, **fields)
    plan.categories.set([category])
    return plan


def rounds_of(plan: Any) -> list[tuple[dt.date, dt.date, dt.date]]:
    return list(
        Round.objects.for_organization(plan.organization_id)
        .filter(plan=plan)
        .order_by("period_start")
        .values_list("period_start", "period_end", "due_date")
    )


# --- periods -------------------------------------------------------------------------------


def test_weekly_periods_run_monday_to_sunday_across_a_month_end() -> None:
    periods = periods_between(Frequency.WEEKLY, dt.date(2026, 3, 27), dt.date(2026, 4, 7))
    assert periods == [
        Period(dt.date(2026, 3, 23), dt.date(2026, 3, 29)),
        Period(dt.date(2026, 3, 30), dt.date(2026, 4, 5)),
        Period(dt.date(2026, 4, 6), dt.date(2026, 4, 12)),
    ]


def test_monthly_and_quarterly_periods_are_calendar_months_and_quarters() -> None:
    assert period_of(Frequency.MONTHLY, dt.date(2028, 2, 14)) == Period(dt.date(2028, 2, 1), dt.date(2028, 2, 29))
    assert period_of(Frequency.QUARTERLY, dt.date(2026, 11, 3)) == Period(dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert period_of(Frequency.MONTHLY, dt.date(2026, 12, 31)) == Period(dt.date(2026, 12, 1), dt.date(2026, 12, 31))


def test_a_round_is_due_on_the_last_working_day_of_its_period_and_a_holiday_moves_it_earlier() -> None:
    calendar = WorkCalendar(holidays=[dt.date(2026, 4, 3)])  # a Friday off
    week = period_of(Frequency.WEEKLY, dt.date(2026, 3, 31))
    assert due_date(week, DayRule.WORKING_DAYS, calendar) == dt.date(2026, 4, 2)
    assert due_date(week, DayRule.EVERY_DAY, calendar) == dt.date(2026, 4, 5)
    month = period_of(Frequency.MONTHLY, dt.date(2026, 5, 10))  # 31 May 2026 is a Sunday
    assert due_date(month, DayRule.WORKING_DAYS, calendar) == dt.date(2026, 5, 29)


def test_a_period_without_a_working_day_is_due_on_its_last_day() -> None:
    calendar = WorkCalendar()
    saturday = period_of(Frequency.DAILY, dt.date(2026, 3, 7))
    assert due_date(saturday, DayRule.WORKING_DAYS, calendar) == dt.date(2026, 3, 7)


# --- the run ---------------------------------------------------------------------------------


def test_a_run_makes_the_current_period_and_those_starting_within_the_lead_days(organization: Organization) -> None:
    MaintenanceSettingsFactory(organization=organization, round_lead_days=7)
    plan = plan_with_assets(organization)
    result = generate_rounds(organization=organization, today=dt.date(2026, 3, 4))
    assert rounds_of(plan) == [
        (dt.date(2026, 3, 2), dt.date(2026, 3, 8), dt.date(2026, 3, 6)),
        (dt.date(2026, 3, 9), dt.date(2026, 3, 15), dt.date(2026, 3, 13)),
    ]
    assert (result.rounds, result.stops) == (2, 6)


def test_running_twice_makes_the_same_rounds(organization: Organization) -> None:
    plan = plan_with_assets(organization)
    generate_rounds(organization=organization, today=MONDAY)
    first = rounds_of(plan)
    again = generate_rounds(organization=organization, today=MONDAY)
    assert again.rounds == 0
    assert rounds_of(plan) == first
    assert RoundStop.objects.for_organization(organization).count() == 3 * len(first)


def test_a_run_that_dies_after_its_first_round_leaves_whole_rounds_and_the_next_run_makes_the_rest(
    organization: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    plans = [plan_with_assets(organization, frequency=Frequency.DAILY, day_rule=DayRule.EVERY_DAY) for _ in range(2)]
    real_insert = generation._insert_round
    calls: list[int] = []

    def dying_insert(*args: Any, **kwargs: Any) -> Any:
        made = real_insert(*args, **kwargs)
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the worker died")
        return made

    monkeypatch.setattr(generation, "_insert_round", dying_insert)
    with pytest.raises(RuntimeError):
        generate_rounds(organization=organization, today=MONDAY)
    assert Round.objects.for_organization(organization).count() == 1
    assert RoundStop.objects.for_organization(organization).count() == 3

    monkeypatch.setattr(generation, "_insert_round", real_insert)
    generate_rounds(organization=organization, today=MONDAY)
    days = 8  # today and the seven days ahead
    for plan in plans:
        periods = [start for start, _end, _due in rounds_of(plan)]
        assert len(periods) == len(set(periods)) == days
    assert RoundStop.objects.for_organization(organization).count() == 2 * days * 3


def test_a_round_already_made_by_a_concurrent_run_is_skipped_not_doubled(organization: Organization) -> None:
    plan = plan_with_assets(organization)
    week = period_of(Frequency.WEEKLY, MONDAY)
    asset_ids = generation.route(plan)
    assert generation._insert_round(plan, week, week.end, asset_ids) == 3
    # Another run that read no round for the period before this one committed: its insert conflicts.
    assert generation._insert_round(plan, week, week.end, asset_ids) is None
    assert Round.objects.for_organization(organization).filter(plan=plan).count() == 1
    assert RoundStop.objects.for_organization(organization).count() == 3


def test_working_day_daily_plans_skip_days_off_and_holidays(organization: Organization) -> None:
    calendar = WorkingCalendar.objects.for_organization(organization).get(is_default=True)
    CalendarException.objects.create(organization=organization, calendar=calendar, date=dt.date(2026, 3, 4))
    MaintenanceSettingsFactory(organization=organization, round_lead_days=6)
    plan = plan_with_assets(organization, frequency=Frequency.DAILY, day_rule=DayRule.WORKING_DAYS)
    generate_rounds(organization=organization, today=MONDAY)
    days = [start for start, _end, _due in rounds_of(plan)]
    assert days == [dt.date(2026, 3, 2), dt.date(2026, 3, 3), dt.date(2026, 3, 5), dt.date(2026, 3, 6)]


def test_weekly_due_dates_follow_the_calendar_of_the_settings(organization: Organization) -> None:
    calendar = WorkingCalendar.objects.create(organization=organization, name="Parks")
    CalendarException.objects.create(organization=organization, calendar=calendar, date=dt.date(2026, 3, 6))
    MaintenanceSettingsFactory(organization=organization, round_lead_days=0, calendar=calendar)
    plan = plan_with_assets(organization)
    generate_rounds(organization=organization, today=MONDAY)
    assert rounds_of(plan) == [(dt.date(2026, 3, 2), dt.date(2026, 3, 8), dt.date(2026, 3, 5))]


def test_plans_make_no_round_before_they_start_after_they_end_or_when_inactive(organization: Organization) -> None:
    MaintenanceSettingsFactory(organization=organization, round_lead_days=7)
    later = plan_with_assets(organization, starts_on=dt.date(2026, 3, 20))
    ended = plan_with_assets(organization, starts_on=dt.date(2026, 1, 5), ends_on=dt.date(2026, 3, 1))
    inactive = plan_with_assets(organization, is_active=False)
    ending = plan_with_assets(organization, starts_on=dt.date(2026, 1, 5), ends_on=dt.date(2026, 3, 4))
    generate_rounds(organization=organization, today=MONDAY)
    assert rounds_of(later) == rounds_of(ended) == rounds_of(inactive) == []
    assert [start for start, _end, _due in rounds_of(ending)] == [MONDAY]


def test_stops_follow_the_route_and_leave_out_retired_assets_and_assets_without_criteria(
    organization: Organization,
) -> None:
    category = inspected_category(organization)
    bare = AssetCategoryFactory(organization=organization)
    north, south = (
        SiteFactory(organization=organization, code="B-N"),
        SiteFactory(organization=organization, code="A-S"),
    )
    gate = AreaFactory(organization=organization, site=north, name="Gate", position=2)
    lawn = AreaFactory(organization=organization, site=north, name="Lawn", position=1)
    make = AssetFactory
    expected = [
        make(organization=organization, site=south, category=category, code="S2", route_order=1),
        make(organization=organization, site=north, category=category, code="N-0", route_order=9),
        make(organization=organization, site=north, area=lawn, category=category, code="L2", route_order=1),
        make(organization=organization, site=north, area=lawn, category=category, code="L1", route_order=2),
        make(organization=organization, site=north, area=gate, category=category, code="G1", route_order=1),
    ]
    make(organization=organization, site=north, area=gate, category=bare, code="G0")
    make(
        organization=organization,
        site=north,
        category=category,
        code="OLD",
        status=AssetStatus.RETIRED,
        retired_on=dt.date(2026, 1, 1),
        retired_reason="Removed",
    )
    plan = InspectionPlanFactory(organization=organization, frequency=Frequency.MONTHLY, starts_on=MONDAY)
    generate_rounds(organization=organization, today=MONDAY)
    made = Round.objects.for_organization(organization).get(plan=plan, period_start=dt.date(2026, 3, 1))
    stops = list(made.stops.order_by("position").values_list("asset__code", flat=True))
    assert stops == [asset.code for asset in expected]


def test_a_plan_scoped_to_an_area_and_chosen_criteria_stops_only_there(organization: Organization) -> None:
    category = inspected_category(organization)
    other = inspected_category(organization)
    site = SiteFactory(organization=organization)
    area = AreaFactory(organization=organization, site=site)
    inside = AssetFactory(organization=organization, site=site, area=area, category=category)
    AssetFactory(organization=organization, site=site, category=category)
    AssetFactory(organization=organization, site=site, area=area, category=other)
    plan = InspectionPlanFactory(organization=organization, starts_on=MONDAY)
    plan.areas.set([area])
    plan.criteria.set(list(category.criteria.all()))
    assert generation.route(plan) == [inside.pk]


def test_the_run_costs_the_same_queries_for_few_and_many_assets(organization: Organization) -> None:
    MaintenanceSettingsFactory(organization=organization, round_lead_days=0)
    category = inspected_category(organization)
    site = SiteFactory(organization=organization)
    AssetFactory(organization=organization, site=site, category=category)
    InspectionPlanFactory(organization=organization, starts_on=MONDAY)

    def queries_for_a_run() -> int:
        with CaptureQueriesContext(connection) as captured:
            result = generation.generate_rounds(organization=organization, today=MONDAY)
        assert result.rounds == 1
        Round.objects.for_organization(organization).all().delete()
        return len(captured)

    few = queries_for_a_run()
    for _number in range(80):
        AssetFactory(organization=organization, site=site, category=category)
    assert queries_for_a_run() == few


def test_the_task_makes_every_organisations_rounds(
    organization: Organization, other_organization: Organization, django_capture_on_commit_callbacks: Any
) -> None:
    mine = plan_with_assets(organization)
    theirs = plan_with_assets(other_organization)
    with django_capture_on_commit_callbacks(execute=True):
        generate_rounds_task.delay()
    assert rounds_of(mine)
    assert rounds_of(theirs)
    stops = RoundStop.objects.for_organization(other_organization).filter(round__plan=theirs)
    assert stops.count() == 3 * len(rounds_of(theirs))
