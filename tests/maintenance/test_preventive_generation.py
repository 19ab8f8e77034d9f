"""Preventive work orders made by the generator and by meter readings, exactly once per asset and due point."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from django.utils.translation import override

from maintenance.models import AssetStatus, PmPlan, WorkOrder, WorkOrderKind, WorkOrderStatus
from maintenance.services.meters import meter_create, meter_reading_record
from maintenance.services.preventive import generate_preventive, plan_targets, pm_plan_create, pm_plan_set_active
from pmo.errors import ApplicationError
from pmo.models import AuditEvent, OrgRole
from tests.factories import AssetCategoryFactory, AssetFactory, MeterFactory, member

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def manager(organization):
    return member(organization, OrgRole.MAINTENANCE, username="mia").user


def preventive(organization, plan=None) -> list[WorkOrder]:
    orders = WorkOrder.objects.for_organization(organization).filter(kind=WorkOrderKind.PREVENTIVE)
    if plan is not None:
        orders = orders.filter(pm_plan=plan)
    return list(orders.order_by("pk"))


def keys(organization, plan=None) -> list[str]:
    return [order.pm_due_key for order in preventive(organization, plan)]


def monthly(organization, manager, asset, **extra):
    values = {
        "name": "Lamp check",
        "asset": asset,
        "trigger": "calendar",
        "interval": 1,
        "interval_unit": "months",
        "starts_on": D(2027, 1, 31),
        "lead_days": 0,
    }
    values.update(extra)
    return pm_plan_create(actor=manager, organization=organization, **values)


def test_a_fixed_monthly_plan_from_31_january_makes_31_jan_then_28_feb_then_31_mar(organization, manager) -> None:
    asset = AssetFactory(organization=organization)
    plan = monthly(organization, manager, asset)
    for day in (D(2027, 1, 30), D(2027, 1, 31), D(2027, 2, 1), D(2027, 2, 28), D(2027, 3, 30), D(2027, 3, 31)):
        generate_preventive(organization=organization, today=day)
    assert keys(organization, plan) == ["2027-01-31", "2027-02-28", "2027-03-31"]
    orders = preventive(organization, plan)
    assert [order.due_date for order in orders] == [D(2027, 1, 31), D(2027, 2, 28), D(2027, 3, 31)]
    assert {(order.kind, order.asset_id, order.priority) for order in orders} == {("preventive", asset.pk, "P4")}


def test_a_weekly_plan_makes_one_work_order_a_week_with_its_lead(organization, manager) -> None:
    asset = AssetFactory(organization=organization)
    plan = monthly(organization, manager, asset, interval_unit="weeks", starts_on=D(2027, 3, 1), lead_days=2)
    for offset in range(21):
        generate_preventive(organization=organization, today=D(2027, 2, 25) + dt.timedelta(days=offset))
    assert keys(organization, plan) == ["2027-03-01", "2027-03-08", "2027-03-15"]


def test_a_yearly_plan_makes_one_work_order_a_year(organization, manager) -> None:
    asset = AssetFactory(organization=organization)
    plan = monthly(organization, manager, asset, interval_unit="years", starts_on=D(2027, 4, 1), lead_days=30)
    for day in (D(2027, 3, 1), D(2027, 3, 2), D(2027, 12, 1), D(2028, 3, 2), D(2028, 3, 3)):
        generate_preventive(organization=organization, today=day)
    assert keys(organization, plan) == ["2027-04-01", "2028-04-01"]


def test_the_work_order_appears_exactly_lead_days_before_not_a_day_earlier(organization, manager) -> None:
    asset = AssetFactory(organization=organization)
    plan = monthly(organization, manager, asset, starts_on=D(2027, 3, 1), lead_days=7)
    assert generate_preventive(organization=organization, today=D(2027, 2, 21)).made == 0
    assert keys(organization, plan) == []
    assert generate_preventive(organization=organization, today=D(2027, 2, 22)).made == 1
    assert keys(organization, plan) == ["2027-03-01"]


def test_a_floating_plan_counts_from_a_late_completion(organization, manager) -> None:
    asset = AssetFactory(organization=organization)
    plan = monthly(organization, manager, asset, interval=3, starts_on=D(2027, 3, 1), lead_days=5, schedule="floating")
    generate_preventive(organization=organization, today=D(2027, 2, 24))
    first = preventive(organization, plan)[0]
    assert first.pm_due_key == "2027-03-01"
    # Not done yet in May: nothing more is made (the next due point waits for the completion).
    assert generate_preventive(organization=organization, today=D(2027, 5, 30)).made == 0
    # Completed three weeks late, on 22 March (the organisation's day).
    first.status = WorkOrderStatus.COMPLETED
    first.completed_at = dt.datetime(2027, 3, 22, 10, 0, tzinfo=dt.UTC)
    first.save()
    assert generate_preventive(organization=organization, today=D(2027, 6, 16)).made == 0
    assert generate_preventive(organization=organization, today=D(2027, 6, 17)).made == 1
    assert keys(organization, plan) == ["2027-03-01", "2027-06-22"]


def test_running_the_generator_twice_makes_the_same_work_orders(organization, manager) -> None:
    asset = AssetFactory(organization=organization)
    monthly(organization, manager, asset, starts_on=D(2027, 3, 1))
    first = generate_preventive(organization=organization, today=D(2027, 3, 1))
    second = generate_preventive(organization=organization, today=D(2027, 3, 1))
    assert (first.made, second.made, second.already) == (1, 0, 1)
    assert len(preventive(organization)) == 1


def test_a_month_without_runs_makes_only_the_latest_due_point(organization, manager) -> None:
    asset = AssetFactory(organization=organization)
    plan = monthly(organization, manager, asset, interval_unit="weeks", starts_on=D(2027, 3, 1))
    generate_preventive(organization=organization, today=D(2027, 3, 31))
    assert keys(organization, plan) == ["2027-03-29"]


def test_a_category_plan_makes_one_work_order_for_each_active_asset(organization, manager) -> None:
    category = AssetCategoryFactory(organization=organization)
    assets = [AssetFactory(organization=organization, category=category) for _ in range(3)]
    AssetFactory(
        organization=organization,
        category=category,
        status=AssetStatus.RETIRED,
        retired_on=D(2027, 1, 1),
        retired_reason="Removed",
    )
    AssetFactory(organization=organization)  # another category
    plan = pm_plan_create(
        actor=manager,
        organization=organization,
        name="Bench oiling",
        category=category,
        interval=6,
        interval_unit="months",
        starts_on=D(2027, 4, 1),
        lead_days=0,
    )
    result = generate_preventive(organization=organization, today=D(2027, 4, 1))
    assert result.made == 3
    assert sorted(order.asset_id for order in preventive(organization, plan)) == sorted(a.pk for a in assets)
    assert generate_preventive(organization=organization, today=D(2027, 4, 1)).made == 0


def test_an_inactive_plan_makes_nothing(organization, manager) -> None:
    asset = AssetFactory(organization=organization)
    plan = monthly(organization, manager, asset, starts_on=D(2027, 3, 1))
    pm_plan_set_active(actor=manager, plan=plan, active=False)
    assert generate_preventive(organization=organization, today=D(2027, 3, 1)).made == 0
    assert (
        AuditEvent.objects.for_organization(organization).filter(action="maintenance_pm_plan.deactivated").count() == 1
    )


def test_a_meter_every_2000_hours_with_a_lead_of_100_hours(organization, manager) -> None:
    asset = AssetFactory(organization=organization)
    meter = meter_create(actor=manager, asset=asset, code="pump-hours", name="Pump running hours")
    plan = pm_plan_create(
        actor=manager,
        organization=organization,
        name="Pump service",
        asset=asset,
        trigger="meter",
        meter_code="pump-hours",
        meter_interval=Decimal("2000"),
        meter_lead=Decimal("100"),
        priority="P3",
    )
    made = meter_reading_record(actor=manager, meter=meter, value=Decimal("1899")).generation.made
    assert (made, keys(organization, plan)) == (0, [])
    assert meter_reading_record(actor=manager, meter=meter, value=Decimal("1900")).generation.made == 1
    assert keys(organization, plan) == ["meter:2000"]
    assert meter_reading_record(actor=manager, meter=meter, value=Decimal("1950")).generation.made == 0
    assert generate_preventive(organization=organization, today=D(2027, 3, 1)).made == 0
    assert keys(organization, plan) == ["meter:2000"]
    assert meter_reading_record(actor=manager, meter=meter, value=Decimal("3900")).generation.made == 1
    assert keys(organization, plan) == ["meter:2000", "meter:4000"]
    assert preventive(organization, plan)[0].due_date is None


def test_a_meter_plan_on_a_category_follows_each_assets_own_meter(organization, manager) -> None:
    category = AssetCategoryFactory(organization=organization)
    lamp_a, lamp_b, lamp_c = (AssetFactory(organization=organization, category=category) for _ in range(3))
    MeterFactory(asset=lamp_a, code="lamp-hours", current_value=Decimal("9950"))
    MeterFactory(asset=lamp_b, code="lamp-hours", current_value=Decimal("100"))
    # lamp_c has no such meter: it gets nothing, and the page says so.
    plan = pm_plan_create(
        actor=manager,
        organization=organization,
        name="Lamp replacement",
        category=category,
        trigger="meter",
        meter_code="lamp-hours",
        meter_interval=Decimal("10000"),
        meter_lead=Decimal("100"),
    )
    assert generate_preventive(organization=organization, today=D(2027, 3, 1)).made == 1
    assert [(o.asset_id, o.pm_due_key) for o in preventive(organization, plan)] == [(lamp_a.pk, "meter:10000")]
    targets = {t.asset.pk: t for t in plan_targets(organization, [plan], today=D(2027, 3, 1))}
    assert targets[lamp_c.pk].missing_meter
    assert targets[lamp_b.pk].next_point.key == "meter:10000"  # type: ignore[union-attr]
    assert targets[lamp_a.pk].next_point.key == "meter:20000"  # type: ignore[union-attr]


def test_a_reading_below_the_current_value_is_refused_and_changes_nothing(organization, manager) -> None:
    meter = MeterFactory(asset=AssetFactory(organization=organization), current_value=Decimal("1900"))
    with pytest.raises(ApplicationError) as refused:
        meter_reading_record(actor=manager, meter=meter, value=Decimal("1850"))
    assert refused.value.code == "meter_went_down"
    with override("en"), pytest.raises(ApplicationError, match="a meter only goes up"):
        meter_reading_record(actor=manager, meter=meter, value=Decimal("1850"))
    meter.refresh_from_db()
    assert (meter.current_value, meter.readings.count()) == (Decimal("1900"), 0)


def test_a_replaced_meter_carries_its_count_over_and_plans_keep_counting(organization, manager) -> None:
    asset = AssetFactory(organization=organization)
    meter = meter_create(actor=manager, asset=asset, code="pump-hours", name="Pump", initial_value=Decimal("1950"))
    plan = pm_plan_create(
        actor=manager,
        organization=organization,
        name="Pump service",
        asset=asset,
        trigger="meter",
        meter_code="pump-hours",
        meter_interval=Decimal("2000"),
        meter_lead=Decimal("100"),
    )
    generate_preventive(organization=organization, today=D(2027, 3, 1))
    assert keys(organization, plan) == ["meter:2000"]
    recorded = meter_reading_record(actor=manager, meter=meter, value=Decimal("10"), replaced=True)
    meter = recorded.meter
    assert (meter.current_value, meter.carried_over, meter.total) == (Decimal("10"), Decimal("1950"), Decimal("1960"))
    assert recorded.reading.replaced
    # 1950 on the old meter + 1940 on the new one = 3890: not yet; 1950 more = 3900: the 4000 point.
    assert meter_reading_record(actor=manager, meter=meter, value=Decimal("1940")).generation.made == 0
    assert meter_reading_record(actor=manager, meter=meter, value=Decimal("1950")).generation.made == 1
    assert keys(organization, plan) == ["meter:2000", "meter:4000"]


def test_a_reading_dated_before_the_last_one_is_refused(organization, manager) -> None:
    meter = MeterFactory(asset=AssetFactory(organization=organization))
    meter_reading_record(actor=manager, meter=meter, value=Decimal("10"))
    with pytest.raises(ApplicationError) as refused:
        meter_reading_record(
            actor=manager, meter=meter, value=Decimal("20"), read_at=timezone.now() - dt.timedelta(days=1)
        )
    assert refused.value.code == "reading_out_of_order"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name": " "}, "name"),
        ({"interval": 0}, "interval"),
        ({"interval_unit": "fortnights"}, "interval_unit"),
        ({"starts_on": None}, "starts_on"),
        ({"lead_days": 400}, "lead_days"),
        ({"trigger": "meter", "meter_code": "", "meter_interval": Decimal("10")}, "meter_code"),
        ({"trigger": "meter", "meter_code": "lamp-hours", "meter_interval": None}, "meter_interval"),
        (
            {
                "trigger": "meter",
                "meter_code": "lamp-hours",
                "meter_interval": Decimal("10"),
                "meter_lead": Decimal("10"),
            },
            "meter_lead",
        ),
        ({"trigger": "meter", "meter_code": "no-such-meter", "meter_interval": Decimal("10")}, "meter_code"),
        ({"priority": "P9"}, "priority"),
    ],
)
def test_a_plan_with_bad_values_is_refused_with_the_field_named(organization, manager, values, field) -> None:
    asset = AssetFactory(organization=organization)
    MeterFactory(asset=asset, code="lamp-hours")
    with pytest.raises(ApplicationError) as refused:
        monthly(organization, manager, asset, **values)
    assert field in refused.value.fields
    assert not PmPlan.objects.for_organization(organization).exists()


def test_a_plan_names_one_asset_or_one_category_never_both_or_neither(organization, manager) -> None:
    asset = AssetFactory(organization=organization)
    with override("en"):
        with pytest.raises(ApplicationError, match="either one asset or a category"):
            monthly(organization, manager, asset, category=asset.category)
        with pytest.raises(ApplicationError, match="either one asset or a category"):
            monthly(organization, manager, None)


def test_an_asset_of_another_organisation_is_refused(organization, other_organization, manager) -> None:
    foreign = AssetFactory(organization=other_organization)
    with pytest.raises(ApplicationError) as refused:
        monthly(organization, manager, foreign)
    assert refused.value.code == "not_found"


def test_the_plan_name_is_unique_in_the_organisation(organization, manager) -> None:
    asset = AssetFactory(organization=organization)
    monthly(organization, manager, asset)
    with override("en"), pytest.raises(ApplicationError, match="already exists"):
        monthly(organization, manager, asset)


def test_the_beat_task_makes_every_organisations_due_work_orders(
    organization, other_organization, manager, django_capture_on_commit_callbacks
) -> None:
    from maintenance.tasks import generate_preventive as generate_preventive_task

    today = organization.today()
    mine = monthly(organization, manager, AssetFactory(organization=organization), starts_on=today)
    theirs = pm_plan_create(
        actor=None,
        organization=other_organization,
        name="Their plan",
        asset=AssetFactory(organization=other_organization),
        interval=1,
        interval_unit="weeks",
        starts_on=today,
        lead_days=0,
    )
    with django_capture_on_commit_callbacks(execute=True):
        generate_preventive_task.delay()
        generate_preventive_task.delay()
    assert keys(organization, mine) == [today.isoformat()]
    assert keys(other_organization, theirs) == [today.isoformat()]


def test_a_cancelled_work_order_of_a_floating_plan_counts_as_done_on_its_cancellation_day(
    organization, manager
) -> None:
    asset = AssetFactory(organization=organization)
    plan = monthly(organization, manager, asset, interval=1, starts_on=D(2027, 3, 1), schedule="floating")
    generate_preventive(organization=organization, today=D(2027, 3, 1))
    first = preventive(organization, plan)[0]
    first.status = WorkOrderStatus.CANCELLED
    first.cancel_reason = "Pump replaced under warranty"
    first.cancelled_at = dt.datetime(2027, 3, 10, 8, 0, tzinfo=dt.UTC)
    first.save()
    assert generate_preventive(organization=organization, today=D(2027, 4, 9)).made == 0
    assert generate_preventive(organization=organization, today=D(2027, 4, 10)).made == 1
    assert keys(organization, plan) == ["2027-03-01", "2027-04-10"]
