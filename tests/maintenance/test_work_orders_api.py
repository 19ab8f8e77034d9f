"""The work-order and O&M settings API: lists in a fixed number of queries, the lifecycle, who may do what."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from maintenance.api.work_orders import WORK_ORDER_ROWS, WorkOrderSerializer, annotate
from maintenance.models import HoldReason, Inspector, SlaTarget, WorkOrder
from maintenance.services import work_orders as services
from pmo.models import AuditEvent, OrgRole
from tests.conftest import api_client_for
from tests.factories import (
    AssetFactory,
    ContractorFactory,
    CriterionFactory,
    DefectFactory,
    OrganizationFactory,
    WorkOrderFactory,
    member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(organization):  # type: ignore[no-untyped-def]
    return SimpleNamespace(
        org=organization,
        office=member(organization, OrgRole.MAINTENANCE).user,
        worker=member(organization, OrgRole.MEMBER).user,
        viewer=member(organization, OrgRole.VIEWER).user,
    )


def url(site, rest: str) -> str:  # type: ignore[no-untyped-def]
    return f"/api/v1/orgs/{site.org.slug}/maintenance/{rest}"


def corrective(site) -> WorkOrder:  # type: ignore[no-untyped-def]
    asset = AssetFactory(organization=site.org)
    defect = DefectFactory(
        organization=site.org, asset=asset, criterion=CriterionFactory(organization=site.org, category=asset.category)
    )
    return services.work_order_open_corrective(actor=site.office, defect=defect)


def test_the_list_answers_what_the_serializer_declares_in_a_fixed_number_of_queries(
    site,  # type: ignore[no-untyped-def]
    django_assert_num_queries,
) -> None:
    for _ in range(3):
        work_order = corrective(site)
        services.work_order_assign(
            actor=site.office,
            work_order=work_order,
            assignee=site.worker,
            contractor=ContractorFactory(organization=site.org),
        )
    api = api_client_for(site.office)
    with django_assert_num_queries(3):
        body = api.get(url(site, "work-orders/")).json()
    rows = [
        annotate(work_order)
        for work_order in WorkOrder.objects.for_organization(site.org)
        .select_related("asset", "site", "contractor", "assignee", "reported_by", "hold_reason")
        .order_by("-number")
    ]
    assert body["results"] == WorkOrderSerializer(rows, many=True).data
    assert [row["reference"] for row in body["results"]] == ["WO-00003", "WO-00002", "WO-00001"]
    assert WORK_ORDER_ROWS.columns


def test_the_list_filters_by_status_priority_and_assignee_me(site) -> None:  # type: ignore[no-untyped-def]
    mine = corrective(site)
    services.work_order_assign(actor=site.office, work_order=mine, assignee=site.worker)
    corrective(site)
    api = api_client_for(site.worker)
    assert [r["id"] for r in api.get(url(site, "work-orders/?assignee=me")).json()["results"]] == [mine.pk]
    assert len(api.get(url(site, "work-orders/?status=any_open&priority=P3")).json()["results"]) == 2
    assert api.get(url(site, "work-orders/?breached=true")).json()["results"] == []


def test_the_list_filters_by_the_age_buckets_of_the_om_home(site) -> None:  # type: ignore[no-untyped-def]
    """The home's "open for 1 to 7 days" row drills down to the same work orders: a day old is in
    1 to 7 days, not under a day; seven days old is in 7 to 30."""
    now = timezone.now()
    ages = {}
    for days in (0, 1, 6, 7, 45):
        work_order = corrective(site)
        WorkOrder.objects.for_organization(site.org).filter(pk=work_order.pk).update(
            opened_at=now - dt.timedelta(days=days, minutes=1 if days == 0 else 0)
        )
        ages[days] = work_order.pk
    api = api_client_for(site.office)

    def ids(bucket: str) -> list[int]:
        answer = api.get(url(site, f"work-orders/?status=any_open&age={bucket}&ordering=number"))
        return [row["id"] for row in answer.json()["results"]]

    assert ids("lt1") == [ages[0]]
    assert ids("1to7") == [ages[1], ages[6]]
    assert ids("7to30") == [ages[7]]
    assert ids("gt30") == [ages[45]]
    refused = api.get(url(site, "work-orders/?age=old"))
    assert refused.status_code == 400
    assert "age" in refused.json()["error"]["fields"]


def test_a_work_order_goes_through_its_lifecycle_by_the_api(site) -> None:  # type: ignore[no-untyped-def]
    work_order = corrective(site)
    office, worker = api_client_for(site.office), api_client_for(site.worker)
    detail = url(site, f"work-orders/{work_order.pk}/")
    assert office.post(detail + "assign/", {"assignee": site.worker.pk}, format="json").status_code == 200
    assert worker.post(detail + "start/", {}, format="json").json()["status"] == "in_progress"
    reason = HoldReason.objects.for_organization(site.org).get(code="waiting_client")
    assert worker.post(detail + "hold/", {"reason": reason.pk}, format="json").json()["status"] == "on_hold"
    assert worker.post(detail + "resume/", {}, format="json").json()["status"] == "in_progress"
    done = worker.post(detail + "complete/", {"work_done": "Patched", "cost": "99.90"}, format="json").json()
    assert (done["status"], done["cost"]) == ("completed", "99.90")
    Inspector.objects.create(organization=site.org, user=site.worker)
    verified = worker.post(detail + "verify/", {"value": "10"}, format="json").json()
    assert verified["work_order"]["status"] == "verified"
    assert verified["reading"]["passed"] is True
    assert office.post(detail + "close/", {}, format="json").json()["status"] == "closed"
    history = office.get(detail + "events/").json()
    assert [event["to_status"] for event in history] == [
        "open",
        "assigned",
        "in_progress",
        "on_hold",
        "in_progress",
        "completed",
        "verified",
        "closed",
    ]


def test_refusals_have_the_stable_error_body_and_change_nothing(site) -> None:  # type: ignore[no-untyped-def]
    work_order = corrective(site)
    api = api_client_for(site.office)
    answer = api.post(url(site, f"work-orders/{work_order.pk}/start/"), {}, format="json")
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "invalid_transition"
    answer = api.post(url(site, f"work-orders/{work_order.pk}/cancel/"), {"reason": ""}, format="json")
    assert answer.status_code == 400
    work_order.refresh_from_db()
    assert work_order.status == "open"


def test_who_may_do_what(site) -> None:  # type: ignore[no-untyped-def]
    work_order = corrective(site)
    services.work_order_assign(actor=site.office, work_order=work_order, assignee=site.office)
    detail = url(site, f"work-orders/{work_order.pk}/")
    worker, viewer = api_client_for(site.worker), api_client_for(site.viewer)
    assert worker.post(detail + "start/", {}, format="json").status_code == 403
    assert worker.post(detail + "assign/", {"assignee": site.worker.pk}, format="json").status_code == 403
    assert viewer.get(detail).status_code == 200
    assert (
        viewer.post(url(site, "work-orders/"), {"title": "x", "location_text": "y"}, format="json").status_code == 403
    )
    created = worker.post(url(site, "work-orders/"), {"title": "Lamp out", "location_text": "Gate 2"}, format="json")
    assert created.status_code == 201
    assert created.json()["kind"] == "request"


def test_only_an_inspector_verifies(site) -> None:  # type: ignore[no-untyped-def]
    work_order = corrective(site)
    services.work_order_assign(actor=site.office, work_order=work_order, assignee=site.worker)
    services.work_order_start(actor=site.worker, work_order=work_order)
    services.work_order_complete(actor=site.worker, work_order=work_order, work_done="Done")
    answer = api_client_for(site.worker).post(
        url(site, f"work-orders/{work_order.pk}/verify/"), {"value": "1"}, format="json"
    )
    assert answer.status_code == 403


def test_a_contractors_login_sees_only_the_firms_work_orders(site) -> None:  # type: ignore[no-untyped-def]
    login = member(site.org, OrgRole.MEMBER).user
    firm = ContractorFactory(organization=site.org, user=login)
    theirs = corrective(site)
    services.work_order_assign(actor=site.office, work_order=theirs, contractor=firm)
    others = corrective(site)
    api = api_client_for(login)
    assert [row["id"] for row in api.get(url(site, "work-orders/")).json()["results"]] == [theirs.pk]
    assert api.get(url(site, f"work-orders/{others.pk}/")).status_code == 404
    assert api.post(url(site, f"work-orders/{theirs.pk}/start/"), {}, format="json").status_code == 200


def test_another_organisations_work_order_is_not_found(site) -> None:  # type: ignore[no-untyped-def]
    other = OrganizationFactory()
    foreign = WorkOrderFactory(organization=other, asset=AssetFactory(organization=other))
    assert api_client_for(site.office).get(url(site, f"work-orders/{foreign.pk}/")).status_code == 404


def test_settings_targets_reasons_and_inspectors_through_the_api(site) -> None:  # type: ignore[no-untyped-def]
    office = api_client_for(site.office)
    shown = office.get(url(site, "settings/")).json()
    assert (shown["workday_start"], shown["workday_end"], shown["calendar"]) == ("09:00:00", "17:00:00", None)
    assert office.patch(url(site, "settings/"), {"workday_start": "08:30"}, format="json").status_code == 200
    refused = office.patch(url(site, "settings/"), {"workday_end": "08:00"}, format="json")
    assert refused.status_code == 400
    targets = office.get(url(site, "sla-targets/")).json()
    assert [target["priority"] for target in targets] == ["P1", "P2", "P3", "P4"]
    p2 = SlaTarget.objects.for_organization(site.org).get(priority="P2").pk
    changed = office.put(
        url(site, f"sla-targets/{p2}/"),
        {"response_hours": "4", "resolution_hours": "16", "around_the_clock": False},
        format="json",
    )
    assert changed.json()["response_hours"] == "4.00"
    backwards = office.put(
        url(site, f"sla-targets/{p2}/"),
        {"response_hours": "20", "resolution_hours": "16", "around_the_clock": False},
        format="json",
    )
    assert backwards.status_code == 400
    assert SlaTarget.objects.for_organization(site.org).get(priority="P2").response_hours == 4
    reason = office.post(
        url(site, "hold-reasons/"), {"code": "permit", "name_en": "Waiting for a permit", "pauses_clock": True}
    )
    assert reason.status_code == 201
    assert office.post(url(site, "hold-reasons/"), {"code": "permit", "name_en": "Again"}).status_code == 400
    named = office.post(url(site, "inspectors/"), {"user": site.worker.pk}, format="json")
    assert named.status_code == 201
    assert office.post(url(site, "inspectors/"), {"user": site.viewer.pk}, format="json").status_code == 400
    assert office.delete(url(site, f"inspectors/{named.json()['id']}/")).status_code == 204
    assert not Inspector.objects.for_organization(site.org).get().is_active
    assert (
        api_client_for(site.worker)
        .put(
            url(site, f"sla-targets/{p2}/"),
            {"response_hours": "1", "resolution_hours": "2", "around_the_clock": True},
        )
        .status_code
        == 403
    )
    actions = set(AuditEvent.objects.for_organization(site.org).values_list("action", flat=True))
    assert {"maintenance_settings.updated", "sla_target.updated", "hold_reason.created", "inspector.named"} <= actions
