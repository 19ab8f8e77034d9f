"""The preventive pages: plans with their next due points, a plan's page, the forms, meters and the reading
form; who may; fixed query counts; other organisations' objects answer 404."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from maintenance.models import Meter, PmPlan, WorkOrder
from maintenance.services.preventive import generate_preventive, pm_plan_create
from pmo.models import OrgRole
from tests.conftest import page_client_for
from tests.factories import (
    AssetCategoryFactory,
    AssetFactory,
    MeterFactory,
    MeterReadingFactory,
    PmPlanFactory,
    member,
)

pytestmark = pytest.mark.django_db


def base(organization) -> str:
    return f"/o/{organization.slug}/maintenance"


@pytest.fixture
def manager(organization):
    return member(organization, OrgRole.MAINTENANCE, username="mia", language="en").user


def queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        answer = client.get(path)
        assert answer.status_code == 200, path
    return len(captured)


def test_the_plan_list_shows_each_plans_next_due_point(organization, manager) -> None:
    category = AssetCategoryFactory(organization=organization, name_en="Street light")
    lamps = [AssetFactory(organization=organization, category=category) for _ in range(3)]
    MeterFactory(asset=lamps[0], code="lamp-hours", current_value=Decimal("9850"))
    pm_plan_create(
        actor=manager,
        organization=organization,
        name="Lamp replacement",
        category=category,
        trigger="meter",
        meter_code="lamp-hours",
        meter_interval=Decimal("10000"),
        meter_lead=Decimal("200"),
    )
    pm_plan_create(
        actor=manager,
        organization=organization,
        name="Monthly check",
        asset=lamps[1],
        interval=1,
        interval_unit="months",
        starts_on=dt.date(2099, 1, 31),
        lead_days=7,
    )
    page = page_client_for(manager).get(f"{base(organization)}/preventive/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Lamp replacement" in text
    assert "Every 10,000 h of meter lamp-hours, opened 200 h ahead" in text
    assert "2 assets lack the meter" in text
    assert "10,000 h" in text
    assert "appears at 9,800 h" in text
    assert "Due every month from 2099-01-31, on fixed dates; opened 7 days ahead" in text
    assert "2099-01-31" in text
    assert "appears on 2099-01-24" in text


def test_the_plan_list_takes_the_same_queries_for_2_or_12_plans(organization, manager) -> None:
    client = page_client_for(manager)
    category = AssetCategoryFactory(organization=organization)

    def add(count: int) -> None:
        for _ in range(count):
            asset = AssetFactory(organization=organization, category=category)
            MeterFactory(asset=asset, code="lamp-hours")
            PmPlanFactory(asset=asset, schedule="floating")
            PmPlanFactory(
                organization=organization,
                asset=None,
                category=category,
                trigger="meter",
                interval=None,
                interval_unit="",
                starts_on=None,
                meter_code="lamp-hours",
                meter_interval=Decimal("100"),
            )

    add(1)
    few = queries(client, f"{base(organization)}/preventive/")
    add(5)
    assert queries(client, f"{base(organization)}/preventive/") == few


def test_a_plans_page_takes_the_same_queries_for_few_or_many_assets_and_work_orders(organization, manager) -> None:
    client = page_client_for(manager)
    category = AssetCategoryFactory(organization=organization)
    plan = pm_plan_create(
        actor=manager,
        organization=organization,
        name="Bench oiling",
        category=category,
        interval=1,
        interval_unit="weeks",
        starts_on=dt.date(2027, 3, 1),
        lead_days=0,
    )
    path = f"{base(organization)}/preventive/{plan.pk}/"
    for _ in range(2):
        AssetFactory(organization=organization, category=category)
    generate_preventive(organization=organization, today=dt.date(2027, 3, 1))
    few = queries(client, path)
    for _ in range(8):
        AssetFactory(organization=organization, category=category)
    generate_preventive(organization=organization, today=dt.date(2027, 3, 8))
    assert WorkOrder.objects.for_organization(organization).count() == 12
    assert queries(client, path) == few
    text = client.get(path).content.decode()
    assert "2027-03-08" in text


def test_the_meter_page_takes_the_same_queries_for_few_or_many_readings(organization, manager) -> None:
    client = page_client_for(manager)
    meter = MeterFactory(asset=AssetFactory(organization=organization))
    PmPlanFactory(
        asset=meter.asset,
        trigger="meter",
        interval=None,
        interval_unit="",
        starts_on=None,
        meter_code=meter.code,
        meter_interval=Decimal("500"),
    )
    MeterReadingFactory(meter=meter)
    path = f"{base(organization)}/meters/{meter.pk}/"
    few = queries(client, path)
    for _ in range(30):
        MeterReadingFactory(meter=meter)
    assert queries(client, path) == few
    meters_path = f"{base(organization)}/assets/{meter.asset_id}/meters/"
    few = queries(client, meters_path)
    MeterFactory(asset=meter.asset, code="other-hours")
    assert queries(client, meters_path) == few


def test_a_plan_is_added_and_changed_through_the_form(organization, manager) -> None:
    asset = AssetFactory(organization=organization, code="RP-P001")
    client = page_client_for(manager)
    answer = client.post(
        f"{base(organization)}/preventive/new/",
        {
            "name": "Pump overhaul",
            "asset_code": "RP-P001",
            "trigger": "calendar",
            "interval": "1",
            "interval_unit": "years",
            "schedule": "floating",
            "starts_on": "2027-03-01",
            "lead_days": "30",
            "priority": "P2",
        },
    )
    plan = PmPlan.objects.for_organization(organization).get()
    assert answer.status_code == 302
    assert answer["Location"] == f"{base(organization)}/preventive/{plan.pk}/"
    assert (plan.asset, plan.schedule, plan.lead_days, plan.priority) == (asset, "floating", 30, "P2")
    edit = client.get(f"{base(organization)}/preventive/{plan.pk}/edit/")
    assert edit.status_code == 200
    changed = client.post(
        f"{base(organization)}/preventive/{plan.pk}/edit/",
        {
            "name": "Pump overhaul",
            "asset_code": "RP-P001",
            "trigger": "calendar",
            "interval": "2",
            "interval_unit": "years",
            "schedule": "floating",
            "starts_on": "2027-03-01",
            "lead_days": "30",
            "priority": "P2",
        },
    )
    assert changed.status_code == 302
    plan.refresh_from_db()
    assert plan.interval == 2
    off = client.post(f"{base(organization)}/preventive/{plan.pk}/", {"op": "deactivate"})
    assert off.status_code == 302
    plan.refresh_from_db()
    assert not plan.is_active


def test_a_bad_plan_shows_the_error_beside_the_field_and_adds_nothing(organization, manager) -> None:
    client = page_client_for(manager)
    AssetFactory(organization=organization, code="RP-P001")
    answer = client.post(
        f"{base(organization)}/preventive/new/",
        {
            "name": "Pump",
            "asset_code": "RP-P001",
            "trigger": "meter",
            "meter_code": "pump-hours",
            "meter_interval": "500",
            "priority": "P3",
        },
    )
    assert answer.status_code == 400
    assert "has no meter with the code pump-hours" in answer.content.decode()
    unknown = client.post(
        f"{base(organization)}/preventive/new/",
        {
            "name": "Pump",
            "asset_code": "NOPE",
            "trigger": "calendar",
            "interval": "1",
            "interval_unit": "days",
            "priority": "P3",
        },
    )
    assert unknown.status_code == 400
    assert "No asset has the code NOPE" in unknown.content.decode()
    assert not PmPlan.objects.for_organization(organization).exists()


def test_a_member_records_a_reading_on_the_phone_page_and_a_lower_one_is_refused(organization, manager) -> None:
    asset = AssetFactory(organization=organization)
    meter = MeterFactory(asset=asset, code="pump-hours", current_value=Decimal("1850"))
    pm_plan_create(
        actor=manager,
        organization=organization,
        name="Pump service",
        asset=asset,
        trigger="meter",
        meter_code="pump-hours",
        meter_interval=Decimal("2000"),
        meter_lead=Decimal("100"),
    )
    worker = page_client_for(member(organization, OrgRole.MEMBER, username="wu", language="en").user)
    path = f"{base(organization)}/meters/{meter.pk}/"
    page = worker.get(path).content.decode()
    assert 'inputmode="decimal"' in page
    answer = worker.post(path, {"value": "1900"}, follow=True)
    text = answer.content.decode()
    assert "Reading 1,900 h recorded." in text
    assert "It brought 1 preventive work order due" in text
    refused = worker.post(path, {"value": "1800"})
    assert refused.status_code == 400
    assert "a meter only goes up" in refused.content.decode()
    meter.refresh_from_db()
    assert meter.current_value == Decimal("1900")


def test_a_viewer_reads_every_page_but_may_not_write(organization, manager) -> None:
    asset = AssetFactory(organization=organization)
    meter = MeterFactory(asset=asset)
    plan = PmPlanFactory(asset=asset)
    viewer = page_client_for(member(organization, OrgRole.VIEWER, username="vi").user)
    url = base(organization)
    for path in (f"{url}/preventive/", f"{url}/preventive/{plan.pk}/", f"{url}/meters/{meter.pk}/"):
        assert viewer.get(path).status_code == 200, path
    assert viewer.get(f"{url}/assets/{asset.pk}/meters/").status_code == 200
    assert 'name="value"' not in viewer.get(f"{url}/meters/{meter.pk}/").content.decode()
    assert viewer.get(f"{url}/preventive/new/").status_code == 403
    assert viewer.post(f"{url}/preventive/", {}).status_code == 403
    assert viewer.post(f"{url}/meters/{meter.pk}/", {"value": "500"}).status_code == 403
    worker = page_client_for(member(organization, OrgRole.MEMBER, username="wu").user)
    assert worker.post(f"{url}/preventive/{plan.pk}/", {"op": "deactivate"}).status_code == 403
    assert worker.post(f"{url}/assets/{asset.pk}/meters/", {"code": "x", "name": "X"}).status_code == 403


def test_a_meter_is_added_on_the_assets_meters_page(organization, manager) -> None:
    asset = AssetFactory(organization=organization)
    client = page_client_for(manager)
    answer = client.post(
        f"{base(organization)}/assets/{asset.pk}/meters/",
        {"code": "pump-hours", "name": "Pump running hours", "unit": "h", "initial_value": "120"},
    )
    assert answer.status_code == 302
    meter = Meter.objects.for_organization(organization).get(asset=asset)
    assert (meter.code, meter.current_value) == ("pump-hours", Decimal("120"))
    again = client.post(
        f"{base(organization)}/assets/{asset.pk}/meters/",
        {"code": "pump-hours", "name": "Again", "unit": "h", "initial_value": "0"},
    )
    assert again.status_code == 400
    assert "already has a meter with the code pump-hours" in again.content.decode()


def test_another_organisations_plans_meters_and_assets_answer_404(organization, other_organization, manager) -> None:
    client = page_client_for(manager)
    url = base(organization)
    plan = PmPlanFactory(organization=other_organization)
    meter = MeterFactory(organization=other_organization)
    for path in (
        f"{url}/preventive/{plan.pk}/",
        f"{url}/preventive/{plan.pk}/edit/",
        f"{url}/meters/{meter.pk}/",
        f"{url}/assets/{meter.asset_id}/meters/",
    ):
        assert client.get(path).status_code == 404, path
    assert client.post(f"{url}/meters/{meter.pk}/", {"value": "1000"}).status_code == 404
