"""The non-conformance API: lists, raising, changes under ETags, the lifecycle, actions and rework costs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from finance.models import ActualCost
from pmo.models import AuditEvent, OrgRole
from quality.api.ncs import ACTION_ROWS, NC_ROWS, CorrectiveActionSerializer, NonConformanceSerializer
from quality.models import CorrectiveAction, NonConformance
from quality.services import ncs
from tests.conftest import api_client_for
from tests.factories import ProjectFactory, member
from tests.quality.nc_support import NcSite, make_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def site() -> NcSite:
    return make_site()


def base(site: NcSite) -> str:
    return f"/api/v1/orgs/{site.org.slug}/projects/{site.project.pk}/non-conformances/"


def reload(nc: NonConformance) -> NonConformance:
    return NonConformance.objects.for_organization(nc.organization_id).get(pk=nc.pk)


def test_anyone_on_the_project_raises_one_with_the_due_date_of_its_severity(site: NcSite) -> None:
    answer = api_client_for(site.worker).post(
        base(site), {"title": "Exposed rebar", "severity": "critical"}, format="json"
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert (body["code"], body["status"], body["severity"]) == ("NC-001", "open", "critical")
    assert body["due_date"] == (site.today() + dt.timedelta(days=2)).isoformat()
    assert body["inspection_type_code"] == "quality"


def test_bad_input_is_refused_and_changes_nothing(site: NcSite) -> None:
    client = api_client_for(site.manager)
    for payload, field in [
        ({"title": "x", "severity": "dire"}, "severity"),
        ({"title": "x", "colour": "red"}, "colour"),
        ({"severity": "minor"}, "title"),
        ({"title": "x", "responsible_kind": "contractor"}, "responsible_name"),
        ({"title": "x", "due_date": "2000-01-01"}, "due_date"),
    ]:
        answer = client.post(base(site), payload, format="json")
        assert answer.status_code == 400, payload
        assert field in answer.json()["error"]["fields"], answer.json()
    assert NonConformance.objects.for_organization(site.org).count() == 0


def test_a_viewer_may_read_but_not_raise(site: NcSite) -> None:
    site.raise_nc()
    client = api_client_for(site.viewer)
    assert client.get(base(site)).status_code == 200
    assert client.post(base(site), {"title": "No"}, format="json").status_code == 403
    assert NonConformance.objects.for_organization(site.org).count() == 1


def test_another_organisation_gets_404(site: NcSite) -> None:
    nc = site.raise_nc()
    stranger = member(make_site("rival").org, OrgRole.ADMIN).user
    client = api_client_for(stranger)
    assert client.get(base(site)).status_code == 404
    assert client.get(f"{base(site)}{nc.pk}/").status_code == 404
    assert client.post(f"{base(site)}{nc.pk}/transition/", {"to_status": "analysis"}, format="json").status_code == 404


def test_the_list_filters_and_reads_a_fixed_number_of_queries(site: NcSite) -> None:
    client = api_client_for(site.quality)
    site.raise_nc(severity="critical", responsible_user=site.worker)
    with CaptureQueriesContext(connection) as few:
        assert client.get(base(site)).status_code == 200
    for number in range(10):
        site.raise_nc(title=f"Defect {number}", severity="minor")
    with CaptureQueriesContext(connection) as many:
        body = client.get(base(site)).json()
    assert len(many) == len(few)
    assert body["count"] == 11
    critical = client.get(base(site), {"severity": "critical"}).json()
    assert [row["code"] for row in critical["results"]] == ["NC-001"]
    assert critical["results"][0]["responsible_user"]["id"] == site.worker.pk
    mine = client.get(base(site), {"responsible": site.worker.pk}).json()
    assert mine["count"] == 1
    assert client.get(base(site), {"overdue": "true"}).json()["count"] == 0


def test_the_rows_are_what_the_serializer_gives(site: NcSite) -> None:
    nc, action = site.planned()
    ncs.rework_cost_record(actor=site.manager, nc=nc, amount="10", date=site.today())
    nc = (
        NonConformance.objects.for_organization(site.org)
        .select_related("project", "inspection_type", "responsible_user", "raised_by", "verified_by")
        .get(pk=nc.pk)
    )
    rows = NonConformance.objects.for_organization(site.org).filter(pk=nc.pk).values(*NC_ROWS.columns)
    assert NC_ROWS.build(rows) == [NonConformanceSerializer(nc).data]
    rows = CorrectiveAction.objects.for_organization(site.org).filter(pk=action.pk).values(*ACTION_ROWS.columns)
    action = CorrectiveAction.objects.for_organization(site.org).select_related("owner").get(pk=action.pk)
    assert ACTION_ROWS.build(rows) == [CorrectiveActionSerializer(action).data]


def test_the_organisation_list_shows_every_project(site: NcSite) -> None:
    other = ProjectFactory(organization=site.org, phase="execution")
    site.raise_nc(title="First")
    ncs.nc_raise(actor=site.quality, project=other, title="Second")
    client = api_client_for(site.viewer)
    url = f"/api/v1/orgs/{site.org.slug}/non-conformances/"
    body = client.get(url).json()
    assert {row["title"] for row in body["results"]} == {"First", "Second"}
    assert client.get(url, {"project": other.pk}).json()["count"] == 1
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in range(5):
        ncs.nc_raise(actor=site.quality, project=ProjectFactory(organization=site.org), title=f"More {number}")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_patch_honours_if_match(site: NcSite) -> None:
    nc = site.raise_nc()
    client = api_client_for(site.manager)
    read = client.get(f"{base(site)}{nc.pk}/")
    tag = read["ETag"]
    ncs.nc_update(actor=site.quality, nc=reload(nc), title="Changed meanwhile")
    stale = client.patch(f"{base(site)}{nc.pk}/", {"title": "Mine"}, format="json", HTTP_IF_MATCH=tag)
    assert stale.status_code == 412
    assert reload(nc).title == "Changed meanwhile"
    fresh = client.get(f"{base(site)}{nc.pk}/")["ETag"]
    answer = client.patch(f"{base(site)}{nc.pk}/", {"title": "Mine"}, format="json", HTTP_IF_MATCH=fresh)
    assert answer.status_code == 200
    assert answer.json()["title"] == "Mine"
    assert answer["ETag"] != fresh


def test_the_worker_may_not_change_or_move_the_non_conformance(site: NcSite) -> None:
    nc = site.raise_nc()
    client = api_client_for(site.worker)
    assert client.patch(f"{base(site)}{nc.pk}/", {"title": "Mine"}, format="json").status_code == 403
    assert client.post(f"{base(site)}{nc.pk}/transition/", {"to_status": "analysis"}, format="json").status_code == 403
    assert reload(nc).status == "open"


def test_the_lifecycle_through_the_api_and_the_worker_cannot_verify(site: NcSite) -> None:
    nc = site.raise_nc()
    manager, worker, quality = (api_client_for(user) for user in (site.manager, site.worker, site.quality))
    url = f"{base(site)}{nc.pk}/"
    assert manager.post(f"{url}transition/", {"to_status": "analysis"}, format="json").status_code == 200
    refused = manager.post(f"{url}transition/", {"to_status": "action_plan"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "root_cause_missing"
    assert manager.patch(url, {"root_cause": "Base not compacted"}, format="json").status_code == 200
    assert manager.post(f"{url}transition/", {"to_status": "action_plan"}, format="json").status_code == 200
    actions = f"{url}actions/"
    assert (
        worker.post(
            actions, {"description": "x", "owner": site.worker.pk, "due_date": "2030-01-01"}, format="json"
        ).status_code
        == 403
    )
    created = manager.post(
        actions,
        {"description": "Refill and compact", "owner": site.worker.pk, "due_date": site.today().isoformat()},
        format="json",
    )
    assert created.status_code == 201, created.json()
    action_url = f"{actions}{created.json()['id']}/"
    assert manager.post(f"{url}transition/", {"to_status": "in_progress"}, format="json").status_code == 200
    # the owner reports progress, but may not move the due date
    assert worker.patch(action_url, {"due_date": "2030-01-01"}, format="json").status_code == 403
    tag = worker.get(action_url)["ETag"]
    done = worker.patch(action_url, {"status": "done", "note": "Compacted"}, format="json", HTTP_IF_MATCH=tag)
    assert done.status_code == 200
    assert done.json()["completed_by"]["id"] == site.worker.pk
    assert worker.patch(action_url, {"note": "again"}, format="json", HTTP_IF_MATCH=tag).status_code == 412
    assert manager.post(f"{url}transition/", {"to_status": "verification"}, format="json").status_code == 200
    assert worker.post(f"{url}verify/", {"passed": True, "note": "ok"}, format="json").status_code == 403
    refused = quality.post(f"{url}verify/", {"passed": True, "note": ""}, format="json")
    assert refused.status_code == 400
    assert reload(nc).status == "verification"
    failed = quality.post(f"{url}verify/", {"passed": False, "note": "Still 21 mm"}, format="json")
    assert failed.json()["status"] == "in_progress"
    assert manager.post(f"{url}transition/", {"to_status": "verification"}, format="json").status_code == 200
    closed = quality.post(f"{url}verify/", {"passed": True, "note": "Re-measured: 8 mm"}, format="json")
    assert closed.status_code == 200
    assert (closed.json()["status"], closed.json()["verified_by"]["id"]) == ("closed", site.quality.pk)
    assert AuditEvent.objects.for_organization(site.org).filter(action="non_conformance.verified").count() == 1


def test_a_manager_who_did_the_work_cannot_verify(site: NcSite) -> None:
    nc, action = site.planned()
    ncs.action_update(actor=site.manager, action=action, owner=site.quality)
    ncs.nc_transition(actor=site.manager, nc=nc, to_status="in_progress")
    ncs.action_update(
        actor=site.quality, action=CorrectiveAction.objects.for_organization(site.org).get(), status="done"
    )
    ncs.nc_transition(actor=site.manager, nc=nc, to_status="verification")
    answer = api_client_for(site.quality).post(
        f"{base(site)}{nc.pk}/verify/", {"passed": True, "note": "Mine"}, format="json"
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "verifier_did_the_work"
    assert reload(nc).status == "verification"


def test_cancel_needs_a_reason(site: NcSite) -> None:
    nc = site.raise_nc()
    client = api_client_for(site.manager)
    assert client.post(f"{base(site)}{nc.pk}/cancel/", {}, format="json").status_code == 400
    assert client.post(f"{base(site)}{nc.pk}/cancel/", {"reason": " "}, format="json").status_code == 400
    answer = client.post(f"{base(site)}{nc.pk}/cancel/", {"reason": "Duplicate of NC-002"}, format="json")
    assert answer.json()["status"] == "cancelled"
    assert client.post(f"{base(site)}{nc.pk}/transition/", {"to_status": "analysis"}, format="json").status_code == 400


def test_rework_costs_are_actual_costs_in_rework(site: NcSite) -> None:
    nc = site.raise_nc()
    url = f"{base(site)}{nc.pk}/rework-costs/"
    manager = api_client_for(site.manager)
    answer = manager.post(url, {"amount": "1200.50", "date": site.today().isoformat()}, format="json")
    assert answer.status_code == 201, answer.json()
    assert (answer.json()["amount"], answer.json()["category"], answer.json()["reference"]) == (
        "1200.50",
        "rework",
        "NC-001",
    )
    cost = ActualCost.objects.for_organization(site.org).get()
    assert (cost.project_id, cost.amount) == (site.project.pk, Decimal("1200.50"))
    assert manager.post(url, {"amount": "0", "date": site.today().isoformat()}, format="json").status_code == 400
    assert manager.post(url, {"amount": "abc", "date": site.today().isoformat()}, format="json").status_code == 400
    assert (
        api_client_for(site.worker)
        .post(url, {"amount": "5", "date": site.today().isoformat()}, format="json")
        .status_code
        == 403
    )
    assert ActualCost.objects.for_organization(site.org).count() == 1
    listed = api_client_for(site.viewer).get(url)
    assert listed.status_code == 200
    assert [row["amount"] for row in listed.json()] == ["1200.50"]
    assert api_client_for(site.viewer).get(f"{base(site)}{nc.pk}/").json()["rework_cost"] == "1200.50"


def test_the_action_list_reads_a_fixed_number_of_queries(site: NcSite) -> None:
    nc, _action = site.planned()
    client = api_client_for(site.viewer)
    url = f"{base(site)}{nc.pk}/actions/"
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for number in range(5):
        ncs.action_add(
            actor=site.manager, nc=nc, description=f"More {number}", owner=site.manager, due_date=site.today()
        )
    with CaptureQueriesContext(connection) as many:
        body = client.get(url).json()
    assert len(many) == len(few)
    assert body["count"] == 6
    assert client.get(f"{base(site)}999999/actions/").status_code == 404
