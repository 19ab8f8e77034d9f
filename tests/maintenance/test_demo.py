"""What a newcomer finds in the demo's operations and maintenance: the riverside park handed over with
about 150 assets in two sites, the built-in standards, a weekly inspection plan with four weeks of rounds
done and this week's half done, work orders in every state, two SLA breaches, one warranty claim, a
reading that joined its asset's open work order, preventive work by calendar and by meter, and a
citizen's call."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from maintenance.demo import PLAN_NAME
from maintenance.models import (
    Asset,
    AssetCategory,
    AssetReading,
    Criterion,
    Defect,
    Handover,
    HandoverStatus,
    InspectionPlan,
    PmTrigger,
    Round,
    RoundStatus,
    RoundStop,
    Site,
    StopStatus,
    WorkOrder,
    WorkOrderEvent,
    WorkOrderKind,
    WorkOrderStatus,
)
from pmo.models import Organization
from projects.demo import PARK
from projects.models import Phase, Project

pytestmark = pytest.mark.django_db
DAY = dt.date(2027, 3, 10)  # a Wednesday
MODELS = (Handover, Asset, InspectionPlan, Round, RoundStop, AssetReading, Defect, WorkOrder, WorkOrderEvent)


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[Organization]:
    """The demo seeded once for the module at ten in the morning of ``DAY`` in Shanghai, rolled back after."""
    moment = dt.datetime.combine(DAY, dt.time(2, 0), tzinfo=dt.UTC)
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch, transaction.atomic():
        patch.setattr(timezone, "now", lambda: moment)
        call_command("seed_demo", quiet_logins=True)
        yield Organization.objects.get(slug="demo")
        transaction.set_rollback(True)


def chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def english(text: str) -> bool:
    return any("a" <= ch.lower() <= "z" for ch in text)


def test_the_park_is_handed_over_with_about_150_assets_in_two_sites(demo: Organization) -> None:
    park = Project.objects.for_organization(demo).get(code=PARK)
    assert park.phase == Phase.EXECUTION  # the projects' demo goes on
    handover = Handover.objects.for_organization(demo).get(project=park)
    assert handover.status == HandoverStatus.COMPLETED
    assets = Asset.objects.for_organization(demo).select_related("category", "site", "origin_wbs_element")
    assert 140 <= assets.count() <= 160
    assert all(asset.origin_project_id == park.pk and asset.handover_id == handover.pk for asset in assets)
    assert {site.name for site in Site.objects.for_organization(demo)} == {
        "滨河绿道 Riverside greenway",
        "滨河公园 Riverside park",
    }
    assert all(chinese(asset.name) and english(asset.name) for asset in assets)
    categories = Counter(asset.category.code for asset in assets)
    assert {"asphalt-road", "footpath-kerb", "footbridge", "sculpture", "seat", "sign", "lighting"} <= set(categories)
    assert {"greenery", "heritage-tree"} <= set(categories)
    greenway = assets.get(code="GW-P11")
    assert greenway.origin_wbs_element is not None
    assert greenway.origin_wbs_element.code == "2.3"
    today = demo.today()
    in_warranty = [asset for asset in assets if asset.under_warranty(today)]
    assert 10 < len(in_warranty) < len(assets) / 2
    assert all(asset.contractor_id for asset in in_warranty)


def test_the_organisation_has_the_seed_standards(demo: Organization) -> None:
    assert AssetCategory.objects.for_organization(demo).filter(builtin=True).count() >= 10
    pothole = Criterion.objects.for_organization(demo).get(category__code="asphalt-road", code="pothole-depth")
    version = pothole.versions.get(is_current=True)
    assert (version.defect_when, version.limit) == ("gt", 20)


def test_a_weekly_plan_has_four_weeks_of_rounds_done_and_this_weeks_half_done(demo: Organization) -> None:
    plan = InspectionPlan.objects.for_organization(demo).get(name=PLAN_NAME)
    assert plan.frequency == "weekly"
    assert plan.inspector is not None
    assert plan.inspector.username == "member"
    rounds = list(Round.objects.for_organization(demo).filter(plan=plan).order_by("period_start"))
    monday = DAY - dt.timedelta(days=DAY.weekday())
    assert [(r.period_start, r.status) for r in rounds] == [
        *((monday - dt.timedelta(weeks=weeks), RoundStatus.COMPLETED) for weeks in (4, 3, 2, 1)),
        (monday, RoundStatus.IN_PROGRESS),
        (monday + dt.timedelta(weeks=1), RoundStatus.SCHEDULED),
    ]
    for done in rounds[:4]:
        assert done.completed_at is not None
        assert done.completed_at.date() < monday
        stops = RoundStop.objects.for_organization(demo).filter(round=done)
        assert stops.count() > 100
        assert not stops.exclude(status=StopStatus.DONE).exists()
    this_week = RoundStop.objects.for_organization(demo).filter(round=rounds[4])
    assert this_week.filter(status=StopStatus.DONE).exists()
    assert this_week.filter(status=StopStatus.PENDING).exists()
    readings = AssetReading.objects.for_organization(demo).filter(round__plan=plan)
    assert readings.count() > 1500
    assert all(reading.taken_at <= timezone.now() for reading in readings)
    failing = readings.filter(passed=False)
    assert failing.count() == 11
    assert not failing.filter(defect__isnull=True).exists()


def test_work_orders_stand_in_every_state(demo: Organization) -> None:
    orders = WorkOrder.objects.for_organization(demo)
    statuses = Counter(orders.values_list("status", flat=True))
    assert set(statuses) == set(WorkOrderStatus.values)
    assert Counter(orders.values_list("kind", flat=True)) == {
        WorkOrderKind.CORRECTIVE: 10,
        WorkOrderKind.PREVENTIVE: 4,
        WorkOrderKind.REQUEST: 1,
    }
    held = orders.get(status=WorkOrderStatus.ON_HOLD)
    assert held.hold_reason is not None
    assert held.hold_reason.pauses_clock
    cancelled = orders.get(status=WorkOrderStatus.CANCELLED)
    assert cancelled.cancel_reason
    for order in orders.filter(
        status__in=[WorkOrderStatus.COMPLETED, WorkOrderStatus.VERIFIED, WorkOrderStatus.CLOSED]
    ):
        assert order.work_done
        assert order.cost > 0
        assert order.completed_at is not None
    for order in orders.filter(status__in=[WorkOrderStatus.VERIFIED, WorkOrderStatus.CLOSED]):
        assert order.verification_readings.get().passed
    for order in orders:
        assert order.opened_at <= timezone.now()
        assert order.opened_at < order.response_due_at <= order.resolution_due_at
        events = list(order.events.order_by("at", "id"))
        assert events[0].from_status == ""
        assert events[-1].to_status == order.status
        assert [event.at for event in events] == sorted(event.at for event in events)


def test_two_work_orders_breached_their_resolution_deadline(demo: Organization) -> None:
    breached = WorkOrder.objects.for_organization(demo).filter(resolution_breached=True)
    assert sorted(breached.values_list("status", flat=True)) == [WorkOrderStatus.CLOSED, WorkOrderStatus.IN_PROGRESS]
    closed = breached.get(status=WorkOrderStatus.CLOSED)
    assert closed.completed_at is not None
    assert closed.completed_at > closed.resolution_due_at
    late = breached.get(status=WorkOrderStatus.IN_PROGRESS)
    assert late.resolution_due_at < timezone.now()
    assert not WorkOrder.objects.for_organization(demo).filter(response_breached=True).exists()


def test_one_defect_is_a_warranty_claim_against_the_builder_of_the_new_section(demo: Organization) -> None:
    claims = Defect.objects.for_organization(demo).filter(warranty_claim=True).select_related("asset", "contractor")
    assert claims.count() == 1
    claim = claims.get()
    assert claim.asset.code == "GW-P12"
    assert claim.contractor is not None
    assert claim.contractor.name == "城建路桥工程有限公司 City Roads & Bridges Co."
    assert claim.origin_project is not None
    assert claim.origin_project.code == PARK
    order = WorkOrder.objects.for_organization(demo).get(defect=claim)
    assert order.warranty_claim
    assert order.contractor == claim.contractor
    assert order.status == WorkOrderStatus.IN_PROGRESS


def test_a_second_breach_of_the_rusted_sculpture_joined_its_open_work_order(demo: Organization) -> None:
    sculpture = Asset.objects.for_organization(demo).get(code="RP-Z02")
    order = WorkOrder.objects.for_organization(demo).get(asset=sculpture)
    assert order.status == WorkOrderStatus.ON_HOLD
    assert order.defect is not None
    assert order.defect.readings.filter(passed=False).count() == 2


def test_preventive_work_by_calendar_and_by_meter_and_a_citizens_call(demo: Organization) -> None:
    preventive = (
        WorkOrder.objects.for_organization(demo)
        .filter(kind=WorkOrderKind.PREVENTIVE)
        .select_related("pm_plan", "asset")
    )
    by_trigger = Counter(order.pm_plan.trigger for order in preventive if order.pm_plan)
    assert by_trigger == {PmTrigger.CALENDAR: 1, PmTrigger.METER: 3}
    assert {order.asset.code for order in preventive if order.pm_plan and order.pm_plan.trigger == "meter"} == {
        "GW-L04",
        "GW-L11",
        "GW-L23",
    }
    request = WorkOrder.objects.for_organization(demo).get(kind=WorkOrderKind.REQUEST)
    assert request.reporter_name
    assert request.reporter_contact
    assert chinese(request.title)
    assert english(request.title)


def test_seeding_again_adds_nothing(demo: Organization) -> None:
    before = {model.__name__: model.objects.for_organization(demo).count() for model in MODELS}
    call_command("seed_demo", quiet_logins=True)
    assert {model.__name__: model.objects.for_organization(demo).count() for model in MODELS} == before
