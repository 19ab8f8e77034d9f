"""The work-order pages: list, request, detail with its actions, and who may do what."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import django.db
import pytest
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from maintenance.models import HoldReason, Inspector, WorkOrder, WorkOrderEvent
from maintenance.services import work_orders as services
from pmo.models import AuditEvent, OrgRole
from tests.conftest import page_client_for
from tests.factories import (
    AssetFactory,
    ContractorFactory,
    CriterionFactory,
    DefectFactory,
    OrganizationFactory,
    SiteFactory,
    WorkOrderFactory,
    member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(organization):  # type: ignore[no-untyped-def]
    office = member(organization, OrgRole.MAINTENANCE, username="olga").user
    worker = member(organization, OrgRole.MEMBER, username="wang").user
    viewer = member(organization, OrgRole.VIEWER, username="vic").user
    asset = AssetFactory(organization=organization)
    return SimpleNamespace(org=organization, office=office, worker=worker, viewer=viewer, asset=asset)


def base(site) -> str:  # type: ignore[no-untyped-def]
    return f"/o/{site.org.slug}/maintenance/"


def corrective(site, priority: str = "P3") -> WorkOrder:  # type: ignore[no-untyped-def]
    defect = DefectFactory(
        organization=site.org,
        asset=site.asset,
        criterion=CriterionFactory(organization=site.org, category=site.asset.category),
        priority=priority,
    )
    return services.work_order_open_corrective(actor=site.office, defect=defect)


def late(site, **fields):  # type: ignore[no-untyped-def]
    past = timezone.now() - dt.timedelta(hours=3)
    return WorkOrderFactory(
        organization=site.org, asset=site.asset, response_due_at=past, resolution_due_at=past, number=900, **fields
    )


def queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(django.db.connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_list_runs_a_fixed_number_of_queries_and_shows_the_sla_due(site) -> None:  # type: ignore[no-untyped-def]
    client = page_client_for(site.office)
    url = base(site) + "work-orders/"
    late(site)
    client.get(url)
    one = queries(client, url)
    for _ in range(4):
        work_order = corrective(site)
        services.work_order_assign(
            actor=site.office,
            work_order=work_order,
            assignee=site.worker,
            contractor=ContractorFactory(organization=site.org),
        )
        site.asset = AssetFactory(organization=site.org)
    assert queries(client, url) == one
    page = client.get(url).content.decode()
    assert "WO-00900" in page
    assert "overdue by" in page
    assert "due in" in page


def test_the_list_filters_overdue_and_mine(site) -> None:  # type: ignore[no-untyped-def]
    late_one = late(site, title="Late one")
    WorkOrderFactory(organization=site.org, asset=site.asset, title="In time one", number=901)
    mine = corrective(site)
    services.work_order_assign(actor=site.office, work_order=mine, assignee=site.office)
    client = page_client_for(site.office)
    overdue = client.get(base(site) + "work-orders/?overdue=true").content.decode()
    assert late_one.title in overdue
    assert "In time one" not in overdue
    assigned = client.get(base(site) + "work-orders/?assignee=me").content.decode()
    assert mine.reference in assigned
    assert late_one.title not in assigned


def test_anyone_but_a_viewer_reports_a_request_for_an_outside_caller(site) -> None:  # type: ignore[no-untyped-def]
    client = page_client_for(site.worker)
    url = base(site) + "work-orders/new/"
    assert client.get(url).status_code == 200
    answer = client.post(
        url,
        {
            "title": "Broken bench slat",
            "priority": "P3",
            "location_text": "North gate, by the pond",
            "reporter_name": "Mr Li",
            "reporter_contact": "138 0000 0000",
        },
    )
    assert answer.status_code == 302
    work_order = WorkOrder.objects.for_organization(site.org).get()
    assert (work_order.kind, work_order.reporter_name, work_order.reported_by) == ("request", "Mr Li", site.worker)
    assert page_client_for(site.viewer).get(url).status_code == 403


def test_a_request_without_a_place_is_refused_and_nothing_is_made(site) -> None:  # type: ignore[no-untyped-def]
    answer = page_client_for(site.worker).post(
        base(site) + "work-orders/new/", {"title": "Somewhere", "priority": "P3"}
    )
    assert answer.status_code == 400
    assert "Name the asset, the site or where it is." in answer.content.decode()
    assert not WorkOrder.objects.for_organization(site.org).exists()


def test_the_office_dispatches_and_the_assignee_works_it_through_the_page(site) -> None:  # type: ignore[no-untyped-def]
    work_order = corrective(site)
    url = base(site) + f"work-orders/{work_order.pk}/"
    office, worker = page_client_for(site.office), page_client_for(site.worker)
    assert office.post(url, {"op": "assign", "assignee": site.worker.pk}).status_code == 302
    assert worker.post(url, {"op": "start"}).status_code == 302
    reason = HoldReason.objects.for_organization(site.org).get(code="waiting_access")
    assert worker.post(url, {"op": "hold", "reason": reason.pk}).status_code == 302
    page = worker.get(url).content.decode()
    assert "paused now" in page
    assert "clock paused" in page
    assert worker.post(url, {"op": "resume"}).status_code == 302
    answer = worker.post(
        url, {"op": "complete", "work_done": "Filled the pothole", "labour_hours": "2", "cost": "350", "materials": ""}
    )
    assert answer.status_code == 302
    work_order.refresh_from_db()
    assert work_order.status == "completed"
    statuses = list(
        WorkOrderEvent.objects.for_organization(site.org)
        .filter(work_order=work_order)
        .values_list("to_status", flat=True)
    )
    assert statuses == ["open", "assigned", "in_progress", "on_hold", "in_progress", "completed"]
    assert AuditEvent.objects.for_organization(site.org).filter(action="work_order.completed").count() == 1


def test_someone_else_may_not_start_a_work_order_assigned_to_another(site) -> None:  # type: ignore[no-untyped-def]
    work_order = corrective(site)
    services.work_order_assign(actor=site.office, work_order=work_order, assignee=site.office)
    other = member(site.org, OrgRole.MEMBER).user
    url = base(site) + f"work-orders/{work_order.pk}/"
    assert page_client_for(other).post(url, {"op": "start"}).status_code == 403
    assert page_client_for(site.viewer).post(url, {"op": "cancel", "reason": "x"}).status_code == 403
    work_order.refresh_from_db()
    assert work_order.status == "assigned"


def test_a_wrong_state_action_is_refused_with_a_message_and_changes_nothing(site) -> None:  # type: ignore[no-untyped-def]
    work_order = corrective(site)
    answer = page_client_for(site.office).post(base(site) + f"work-orders/{work_order.pk}/", {"op": "start"})
    assert answer.status_code == 400
    assert "it cannot be started" in answer.content.decode()
    work_order.refresh_from_db()
    assert work_order.status == "open"


def test_an_inspector_verifies_by_a_passing_reading_and_the_office_closes(site) -> None:  # type: ignore[no-untyped-def]
    work_order = corrective(site)
    services.work_order_assign(actor=site.office, work_order=work_order, assignee=site.worker)
    services.work_order_start(actor=site.worker, work_order=work_order)
    services.work_order_complete(actor=site.worker, work_order=work_order, work_done="Patched")
    inspector = member(site.org, OrgRole.MEMBER, username="ines").user
    url = base(site) + f"work-orders/{work_order.pk}/"
    assert page_client_for(inspector).post(url, {"op": "verify", "value": "5"}).status_code == 403
    Inspector.objects.create(organization=site.org, user=inspector)
    client = page_client_for(inspector)
    failing = client.post(url, {"op": "verify", "value": "25", "entered_as": "value"})
    assert failing.status_code == 302
    work_order.refresh_from_db()
    assert work_order.status == "in_progress"
    services.work_order_complete(actor=site.worker, work_order=work_order, work_done="Patched again")
    assert client.post(url, {"op": "verify", "value": "12", "entered_as": "value"}).status_code == 302
    assert page_client_for(site.office).post(url, {"op": "close"}).status_code == 302
    work_order.refresh_from_db()
    assert work_order.status == "closed"
    assert work_order.defect.status == "resolved"
    page = client.get(url).content.decode()
    assert "Verification readings" in page
    assert "failed" in page
    assert "passed" in page


def test_the_detail_page_runs_a_fixed_number_of_queries(site) -> None:  # type: ignore[no-untyped-def]
    work_order = corrective(site)
    client = page_client_for(site.office)
    url = base(site) + f"work-orders/{work_order.pk}/"
    client.get(url)
    one = queries(client, url)
    services.work_order_assign(actor=site.office, work_order=work_order, assignee=site.worker)
    services.work_order_start(actor=site.worker, work_order=work_order)
    reason = HoldReason.objects.for_organization(site.org).get(code="weather")
    services.work_order_hold(actor=site.worker, work_order=work_order, reason=reason)
    services.work_order_resume(actor=site.worker, work_order=work_order)
    assert queries(client, url) <= one + 2  # the hold reasons' form and the pauses appear once


def test_a_contractors_login_sees_only_the_firms_work_orders(site) -> None:  # type: ignore[no-untyped-def]
    login = member(site.org, OrgRole.MEMBER, username="firm").user
    firm = ContractorFactory(organization=site.org, user=login)
    theirs = corrective(site)
    services.work_order_assign(actor=site.office, work_order=theirs, contractor=firm)
    others = WorkOrderFactory(organization=site.org, asset=site.asset, title="Somebody else's", number=900)
    client = page_client_for(login)
    listing = client.get(base(site) + "work-orders/").content.decode()
    assert theirs.reference in listing
    assert others.title not in listing
    assert client.get(base(site) + f"work-orders/{others.pk}/").status_code == 404
    assert client.post(base(site) + f"work-orders/{theirs.pk}/", {"op": "start"}).status_code == 302


def test_another_organisations_work_order_is_not_found(site) -> None:  # type: ignore[no-untyped-def]
    other = OrganizationFactory()
    foreign = WorkOrderFactory(organization=other, asset=AssetFactory(organization=other))
    assert page_client_for(site.office).get(base(site) + f"work-orders/{foreign.pk}/").status_code == 404


def test_a_request_naming_another_organisations_site_is_refused(site) -> None:  # type: ignore[no-untyped-def]
    foreign_site = SiteFactory(organization=OrganizationFactory())
    answer = page_client_for(site.worker).post(
        base(site) + "work-orders/new/", {"title": "X", "priority": "P3", "site": foreign_site.pk}
    )
    assert answer.status_code == 400
    assert not WorkOrder.objects.for_organization(site.org).exists()
