"""The preventive API: plans, next due, work orders, generation, meters and readings; who may; bad input; tenancy."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from maintenance.api.preventive import (
    METER_ROWS,
    PLAN_ROWS,
    READING_ROWS,
    MeterReadingSerializer,
    MeterSerializer,
    PmPlanSerializer,
)
from maintenance.models import Meter, MeterReading, PmPlan, WorkOrder
from maintenance.services.meters import meter_reading_record
from maintenance.services.preventive import pm_plan_create
from pmo.models import OrgRole
from tests.conftest import api_client_for
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
    return f"/api/v1/orgs/{organization.slug}/maintenance"


@pytest.fixture
def manager(organization):
    return member(organization, OrgRole.MAINTENANCE, username="mia").user


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def test_the_maintenance_role_adds_a_calendar_plan_and_reads_its_next_due_point(organization, manager) -> None:
    asset = AssetFactory(organization=organization)
    api = api_client_for(manager)
    today = organization.today()
    answer = api.post(
        f"{base(organization)}/pm-plans/",
        {
            "name": "Lamp check",
            "asset": asset.pk,
            "interval": 1,
            "interval_unit": "months",
            "starts_on": (today + dt.timedelta(days=30)).isoformat(),
            "lead_days": 7,
            "priority": "P3",
        },
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert (body["trigger"], body["schedule"], body["asset_code"], body["priority"]) == (
        "calendar",
        "fixed",
        asset.code,
        "P3",
    )
    due = api.get(f"{base(organization)}/pm-plans/{body['id']}/next-due/").json()["results"]
    assert due == [
        {
            "asset": asset.pk,
            "asset_code": asset.code,
            "asset_name": asset.name,
            "due_key": (today + dt.timedelta(days=30)).isoformat(),
            "due_date": (today + dt.timedelta(days=30)).isoformat(),
            "opens_on": (today + dt.timedelta(days=23)).isoformat(),
            "due_value": None,
            "opens_at": None,
            "meter_total": None,
            "missing_meter": False,
            "last_done": None,
        }
    ]
    changed = api.patch(f"{base(organization)}/pm-plans/{body['id']}/", {"lead_days": 30}, format="json")
    assert changed.status_code == 200, changed.json()
    assert changed.json()["lead_days"] == 30
    made = api.post(f"{base(organization)}/pm-plans/generate/", {}, format="json")
    assert made.json() == {"made": 1, "already": 0}
    again = api.post(f"{base(organization)}/pm-plans/generate/", {}, format="json")
    assert again.json() == {"made": 0, "already": 1}
    orders = api.get(f"{base(organization)}/pm-plans/{body['id']}/work-orders/").json()["results"]
    assert [(o["kind"], o["pm_due_key"]) for o in orders] == [
        ("preventive", (today + dt.timedelta(days=30)).isoformat())
    ]
    off = api.post(f"{base(organization)}/pm-plans/{body['id']}/deactivate/", {}, format="json")
    assert off.json()["is_active"] is False
    on = api.post(f"{base(organization)}/pm-plans/{body['id']}/activate/", {}, format="json")
    assert on.json()["is_active"] is True


def test_bad_plan_input_gets_a_400_with_the_field_named_and_changes_nothing(organization, manager) -> None:
    asset = AssetFactory(organization=organization)
    api = api_client_for(manager)
    answer = api.post(
        f"{base(organization)}/pm-plans/",
        {"name": "Pump", "asset": asset.pk, "trigger": "meter", "meter_code": "pump-hours", "meter_interval": "500"},
        format="json",
    )
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert "meter_code" in error["fields"]
    assert "pump-hours" in error["message"]
    unknown = api.post(f"{base(organization)}/pm-plans/", {"name": "X", "colour": "red"}, format="json")
    assert unknown.json()["error"]["code"] == "unknown_field"
    plan = PmPlanFactory(organization=organization)
    refused = api.post(f"{base(organization)}/pm-plans/{plan.pk}/deactivate/", {"why": "x"}, format="json")
    assert refused.status_code == 400
    assert PmPlan.objects.for_organization(organization).count() == 1


def test_a_meter_reading_through_the_api_makes_the_due_work_order_and_refuses_going_down(organization, manager) -> None:
    asset = AssetFactory(organization=organization)
    api = api_client_for(manager)
    meter = api.post(
        f"{base(organization)}/meters/",
        {"asset": asset.pk, "code": "pump-hours", "name": "Pump running hours", "initial_value": "1000"},
        format="json",
    )
    assert meter.status_code == 201, meter.json()
    meter_id = meter.json()["id"]
    assert meter.json()["total"] == "1000.00"
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
    worker = member(organization, OrgRole.MEMBER, username="wu").user
    answer = api_client_for(worker).post(
        f"{base(organization)}/meters/{meter_id}/readings/", {"value": "1900"}, format="json"
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["meter"]["current_value"] == "1900.00"
    assert [order["pm_due_key"] for order in body["work_orders"]] == ["meter:2000"]
    down = api_client_for(worker).post(
        f"{base(organization)}/meters/{meter_id}/readings/", {"value": "1800"}, format="json"
    )
    assert down.status_code == 400
    assert down.json()["error"]["code"] == "meter_went_down"
    replaced = api_client_for(worker).post(
        f"{base(organization)}/meters/{meter_id}/readings/", {"value": "5", "replaced": True}, format="json"
    )
    assert replaced.status_code == 201
    assert (replaced.json()["meter"]["carried_over"], replaced.json()["meter"]["total"]) == ("1900.00", "1905.00")
    readings = api.get(f"{base(organization)}/meters/{meter_id}/readings/").json()["results"]
    assert [(r["value"], r["replaced"]) for r in readings] == [("5.00", True), ("1900.00", False)]
    assert WorkOrder.objects.for_organization(organization).count() == 1


def test_a_viewer_reads_but_changes_nothing_and_a_member_records_readings_only(organization) -> None:
    asset = AssetFactory(organization=organization)
    meter = MeterFactory(asset=asset)
    plan = PmPlanFactory(asset=asset)
    viewer = api_client_for(member(organization, OrgRole.VIEWER, username="vi").user)
    worker = api_client_for(member(organization, OrgRole.MEMBER, username="wu").user)
    url = base(organization)
    assert viewer.get(f"{url}/pm-plans/").status_code == 200
    assert viewer.get(f"{url}/meters/{meter.pk}/readings/").status_code == 200
    assert viewer.post(f"{url}/meters/{meter.pk}/readings/", {"value": "200"}, format="json").status_code == 403
    assert viewer.post(f"{url}/pm-plans/{plan.pk}/deactivate/", {}, format="json").status_code == 403
    assert worker.post(f"{url}/pm-plans/{plan.pk}/deactivate/", {}, format="json").status_code == 403
    assert worker.patch(f"{url}/pm-plans/{plan.pk}/", {"name": "Mine"}, format="json").status_code == 403
    assert (
        worker.post(f"{url}/meters/", {"asset": asset.pk, "code": "x", "name": "X"}, format="json").status_code == 403
    )
    assert worker.post(f"{url}/pm-plans/generate/", {}, format="json").status_code == 403
    assert worker.post(f"{url}/meters/{meter.pk}/readings/", {"value": "200"}, format="json").status_code == 201
    pmo = api_client_for(member(organization, OrgRole.PMO, username="po").user)
    assert pmo.post(f"{url}/pm-plans/{plan.pk}/deactivate/", {}, format="json").status_code == 200


def test_another_organisations_plans_meters_and_assets_look_nonexistent(
    organization, other_organization, manager
) -> None:
    foreign_plan = PmPlanFactory(organization=other_organization)
    foreign_meter = MeterFactory(organization=other_organization)
    foreign_asset = AssetFactory(organization=other_organization)
    api = api_client_for(manager)
    url = base(organization)
    assert api.get(f"{url}/pm-plans/{foreign_plan.pk}/").status_code == 404
    assert api.get(f"{url}/pm-plans/{foreign_plan.pk}/next-due/").status_code == 404
    assert api.get(f"{url}/meters/{foreign_meter.pk}/").status_code == 404
    assert api.post(f"{url}/meters/{foreign_meter.pk}/readings/", {"value": "1"}, format="json").status_code == 404
    answer = api.post(
        f"{url}/pm-plans/",
        {"name": "X", "asset": foreign_asset.pk, "interval": 1, "interval_unit": "days", "starts_on": "2027-01-01"},
        format="json",
    )
    assert answer.status_code == 400
    assert "asset" in answer.json()["error"]["fields"]


def test_the_lists_answer_what_their_serializers_declare_in_a_fixed_number_of_queries(organization, manager) -> None:
    category = AssetCategoryFactory(organization=organization)
    api = api_client_for(manager)
    url = base(organization)

    def add(count: int) -> None:
        for _ in range(count):
            asset = AssetFactory(organization=organization, category=category)
            meter = MeterFactory(asset=asset)
            MeterReadingFactory(meter=meter)
            PmPlanFactory(asset=asset)
        PmPlanFactory(organization=organization, asset=None, category=category)

    def queries(path: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get(path).status_code == 200
        return len(captured)

    add(2)
    meter = Meter.objects.for_organization(organization).first()
    paths = [f"{url}/pm-plans/", f"{url}/meters/", f"{url}/meters/{meter.pk}/readings/"]
    few = [queries(path) for path in paths]
    add(5)
    for _ in range(4):
        MeterReadingFactory(meter=meter)
    assert [queries(path) for path in paths] == few

    plans = PmPlan.objects.for_organization(organization).select_related("asset", "category").order_by("name", "pk")
    assert _json(api.get(f"{url}/pm-plans/").json()["results"]) == _json(PmPlanSerializer(plans, many=True).data)
    assert _json(PLAN_ROWS.build(plans.values(*PLAN_ROWS.columns))) == _json(PmPlanSerializer(plans, many=True).data)
    meters = Meter.objects.for_organization(organization).select_related("asset").order_by("asset__code", "code")
    assert _json(METER_ROWS.build(meters.values(*METER_ROWS.columns))) == _json(MeterSerializer(meters, many=True).data)
    readings = MeterReading.objects.for_organization(organization).filter(meter=meter)
    assert _json(READING_ROWS.build(readings.values(*READING_ROWS.columns))) == _json(
        MeterReadingSerializer(readings, many=True).data
    )


def test_next_due_of_a_category_plan_takes_the_same_queries_for_3_or_30_assets(organization, manager) -> None:
    category = AssetCategoryFactory(organization=organization)
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
    api = api_client_for(manager)
    path = f"{base(organization)}/pm-plans/{plan.pk}/next-due/"

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get(path).status_code == 200
        return len(captured)

    for _ in range(3):
        MeterFactory(asset=AssetFactory(organization=organization, category=category), code="lamp-hours")
    few = queries()
    for _ in range(27):
        MeterFactory(asset=AssetFactory(organization=organization, category=category), code="lamp-hours")
    assert queries() == few
    rows = api.get(path).json()["results"]
    assert len(rows) == 30
    assert {row["due_key"] for row in rows} == {"meter:10000"}
    meter = Meter.objects.for_organization(organization).first()
    meter_reading_record(actor=manager, meter=meter, value=Decimal("9900"))
    assert api.get(path).json()["count"] == 30
