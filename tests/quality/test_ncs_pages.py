"""Non-conformance pages: the lists, raising one, and one's page through its lifecycle to closure."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from finance.models import ActualCost
from pmo.models import OrgRole
from quality.models import CorrectiveAction, NcEvent, NonConformance
from quality.services import ncs
from quality.views.ncs import stepper
from tests.conftest import page_client_for
from tests.factories import NonConformanceFactory, ProjectFactory, member
from tests.quality.nc_support import NcSite, make_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def site() -> NcSite:
    return make_site()


def list_url(site: NcSite) -> str:
    return f"/o/{site.org.slug}/projects/{site.project.pk}/quality/ncs/"


def nc_url(site: NcSite, nc: NonConformance) -> str:
    return f"/o/{site.org.slug}/projects/{site.project.pk}/quality/ncs/{nc.pk}/"


def create_url(site: NcSite) -> str:
    return f"/o/{site.org.slug}/projects/{site.project.pk}/quality/ncs/new/"


def reload(nc: NonConformance) -> NonConformance:
    return NonConformance.objects.for_organization(nc.organization_id).get(pk=nc.pk)


# --- lists ----------------------------------------------------------------------------------------


def test_an_empty_list_says_so_and_offers_to_raise_one(site: NcSite) -> None:
    text = page_client_for(site.worker).get(list_url(site)).content.decode()
    assert "No non-conformances yet." in text
    assert create_url(site) in text


def test_a_viewer_reads_the_list_without_the_raise_button(site: NcSite) -> None:
    site.raise_nc()
    answer = page_client_for(site.viewer).get(list_url(site))
    assert answer.status_code == 200
    assert "Pothole 23 mm deep" in answer.content.decode()
    assert create_url(site) not in answer.content.decode()


def test_the_list_filters_by_severity_status_and_overdue(site: NcSite) -> None:
    critical = site.raise_nc(title="Guard rail missing", severity="critical")
    site.raise_nc(title="Kerb chipped", severity="minor")
    late = NonConformanceFactory(
        organization=site.org, project=site.project, number=99, title="Late one", due_date=dt.date(2020, 1, 1)
    )
    client = page_client_for(site.quality)
    text = client.get(list_url(site), {"severity": "critical"}).content.decode()
    assert critical.title in text
    assert "Kerb chipped" not in text
    text = client.get(list_url(site), {"overdue": "true"}).content.decode()
    assert late.title in text
    assert critical.title not in text
    text = client.get(list_url(site), {"status": "closed"}).content.decode()
    assert "No non-conformances match these filters." in text
    text = client.get(list_url(site), {"q": "NC-2"}).content.decode()
    assert "Kerb chipped" in text
    assert critical.title not in text


def test_the_list_sorts_by_severity_critical_first(site: NcSite) -> None:
    site.raise_nc(title="Minor thing", severity="minor")
    site.raise_nc(title="Critical thing", severity="critical")
    text = page_client_for(site.quality).get(list_url(site), {"ordering": "severity"}).content.decode()
    assert text.index("Critical thing") < text.index("Minor thing")
    text = page_client_for(site.quality).get(list_url(site), {"ordering": "-severity"}).content.decode()
    assert text.index("Minor thing") < text.index("Critical thing")


def test_the_project_list_reads_a_fixed_number_of_queries(site: NcSite) -> None:
    client = page_client_for(site.quality)
    site.raise_nc()
    client.get(list_url(site))
    with CaptureQueriesContext(connection) as few:
        assert client.get(list_url(site)).status_code == 200
    for number in range(12):
        site.raise_nc(title=f"Defect {number}", responsible_user=site.worker)
    with CaptureQueriesContext(connection) as many:
        assert client.get(list_url(site)).status_code == 200
    assert len(many) == len(few), [query["sql"] for query in many.captured_queries]


def test_the_organisation_list_shows_every_project_and_filters_by_project(site: NcSite) -> None:
    other = ProjectFactory(organization=site.org, phase="execution")
    site.raise_nc(title="On the first project")
    ncs.nc_raise(actor=site.quality, project=other, title="On the second project")
    client = page_client_for(site.quality)
    url = f"/o/{site.org.slug}/quality/ncs/"
    text = client.get(url).content.decode()
    assert "On the first project" in text
    assert "On the second project" in text
    text = client.get(url, {"project": other.pk}).content.decode()
    assert "On the first project" not in text
    assert "On the second project" in text
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in range(5):
        ncs.nc_raise(actor=site.quality, project=ProjectFactory(organization=site.org), title=f"More {number}")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_another_organisation_sees_nothing(site: NcSite) -> None:
    nc = site.raise_nc()
    stranger = member(make_site("rival").org, OrgRole.ADMIN).user
    client = page_client_for(stranger)
    assert client.get(list_url(site)).status_code == 404
    assert client.get(nc_url(site, nc)).status_code == 404


# --- raising --------------------------------------------------------------------------------------


def test_the_raise_form_prefills_the_due_date_from_the_severity(site: NcSite) -> None:
    text = page_client_for(site.worker).get(create_url(site)).content.decode()
    today = site.today()
    assert f'value="{(today + dt.timedelta(days=14)).isoformat()}"' in text
    assert f'data-due-critical="{(today + dt.timedelta(days=2)).isoformat()}"' in text
    assert "quality_nc.js" in text


def test_anyone_on_the_project_raises_one_and_a_viewer_may_not(site: NcSite) -> None:
    answer = page_client_for(site.worker).post(
        create_url(site),
        {
            "title": "Crack in the slab",
            "severity": "critical",
            "inspection_type": site.raise_nc().inspection_type_id,
            "responsible_kind": "contractor",
            "responsible_name": "Hengda Paving",
        },
    )
    nc = NonConformance.objects.for_organization(site.org).get(title="Crack in the slab")
    assert answer.status_code == 302
    assert answer["Location"] == nc_url(site, nc)
    assert (nc.code, nc.raised_by, nc.due_date) == ("NC-002", site.worker, site.today() + dt.timedelta(days=2))
    assert page_client_for(site.viewer).get(create_url(site)).status_code == 403
    assert page_client_for(site.viewer).post(create_url(site), {"title": "No"}).status_code == 403


def test_a_refused_raise_keeps_the_input_and_changes_nothing(site: NcSite) -> None:
    kind = site.raise_nc().inspection_type_id
    answer = page_client_for(site.worker).post(
        create_url(site),
        {"title": "Keep me", "severity": "major", "inspection_type": kind, "responsible_kind": "supplier"},
    )
    assert answer.status_code == 400
    text = answer.content.decode()
    assert "Keep me" in text
    assert "Name the contractor or supplier." in text
    assert NonConformance.objects.for_organization(site.org).count() == 1


# --- one non-conformance ------------------------------------------------------------------------


def post(site: NcSite, user, nc: NonConformance, **data):  # type: ignore[no-untyped-def]
    return page_client_for(user).post(nc_url(site, nc), data)


def test_the_manager_drives_it_from_open_to_verification(site: NcSite) -> None:
    nc = site.raise_nc()
    text = page_client_for(site.manager).get(nc_url(site, nc)).content.decode()
    assert "Start the root cause analysis" in text
    assert post(site, site.manager, nc, op="transition", to_status="analysis").status_code == 302
    answer = post(site, site.manager, nc, op="transition", to_status="action_plan")
    assert answer.status_code == 400
    assert "Record the root cause before planning the actions." in answer.content.decode()
    assert reload(nc).status == "analysis"
    assert post(site, site.manager, nc, op="root_cause", root_cause="Base not compacted").status_code == 302
    assert post(site, site.manager, nc, op="transition", to_status="action_plan").status_code == 302
    answer = post(
        site,
        site.manager,
        nc,
        op="action_add",
        kind="corrective",
        description="Refill and compact",
        owner=site.worker.pk,
        due_date=site.today().isoformat(),
    )
    assert answer.status_code == 302
    action = CorrectiveAction.objects.for_organization(site.org).get()
    assert post(site, site.manager, nc, op="transition", to_status="in_progress").status_code == 302
    # the worker owns the action: reports it done, and may do nothing else
    assert (
        post(
            site, site.worker, nc, op="action_update", action=action.pk, **{f"a{action.pk}-status": "done"}
        ).status_code
        == 302
    )
    assert post(site, site.worker, nc, op="transition", to_status="verification").status_code == 403
    assert post(site, site.manager, nc, op="transition", to_status="verification").status_code == 302
    nc = reload(nc)
    assert nc.status == "verification"
    assert [event.to_status for event in NcEvent.objects.for_organization(site.org).filter(non_conformance=nc)] == [
        "open",
        "analysis",
        "action_plan",
        "in_progress",
        "verification",
    ]


def test_the_quality_role_closes_it_with_evidence_and_the_worker_cannot_verify(site: NcSite) -> None:
    nc, _action = site.awaiting_verification()
    text = page_client_for(site.quality).get(nc_url(site, nc)).content.decode()
    assert 'value="verify"' in text
    assert post(site, site.worker, nc, op="verify", passed="true", note="Fine").status_code == 403
    answer = post(site, site.quality, nc, op="verify", passed="true", note="")
    assert answer.status_code == 400
    assert reload(nc).status == "verification"
    assert post(site, site.quality, nc, op="verify", passed="true", note="Re-measured: 8 mm").status_code == 302
    nc = reload(nc)
    assert (nc.status, nc.verified_by, nc.verification_note) == ("closed", site.quality, "Re-measured: 8 mm")
    text = page_client_for(site.viewer).get(nc_url(site, nc)).content.decode()
    assert "Re-measured: 8 mm" in text
    assert 'value="verify"' not in text


def test_a_quality_manager_who_did_the_work_is_told_someone_else_must_verify(site: NcSite) -> None:
    nc, action = site.planned()
    ncs.action_update(actor=site.manager, action=action, owner=site.quality)
    ncs.nc_transition(actor=site.manager, nc=nc, to_status="in_progress")
    ncs.action_update(
        actor=site.quality, action=CorrectiveAction.objects.for_organization(site.org).get(), status="done"
    )
    ncs.nc_transition(actor=site.manager, nc=nc, to_status="verification")
    text = page_client_for(site.quality).get(nc_url(site, nc)).content.decode()
    assert "someone else of the quality role must verify it" in text
    answer = post(site, site.quality, nc, op="verify", passed="true", note="Mine")
    assert answer.status_code == 400
    assert reload(nc).status == "verification"


def test_a_failed_verification_sends_it_back_to_the_work(site: NcSite) -> None:
    nc, _action = site.awaiting_verification()
    assert post(site, site.quality, nc, op="verify", passed="false", note="Still 21 mm").status_code == 302
    assert reload(nc).status == "in_progress"


def test_cancelling_needs_a_reason_and_the_stepper_stops_there(site: NcSite) -> None:
    nc = site.raise_nc()
    ncs.nc_transition(actor=site.manager, nc=nc, to_status="analysis")
    assert post(site, site.manager, nc, op="cancel", reason="").status_code == 400
    assert post(site, site.manager, nc, op="cancel", reason="Raised twice").status_code == 302
    nc = reload(nc)
    assert (nc.status, nc.cancel_reason) == ("cancelled", "Raised twice")
    history = list(NcEvent.objects.for_organization(site.org).filter(non_conformance=nc).order_by("at", "id"))
    states = [(str(step["label"]), step["state"]) for step in stepper(nc, history)]
    assert states[:3] == [("Open", "done"), ("Root cause analysis", "done"), ("Cancelled", "cancelled")]
    assert {state for _label, state in states[3:]} == {"todo"}
    assert "Raised twice" in page_client_for(site.viewer).get(nc_url(site, nc)).content.decode()


def test_rework_cost_becomes_an_actual_cost_of_the_project_in_rework(site: NcSite) -> None:
    nc = site.raise_nc()
    answer = post(site, site.manager, nc, op="rework", amount="1200.50", date=site.today().isoformat())
    assert answer.status_code == 302
    cost = ActualCost.objects.for_organization(site.org).get()
    assert (cost.project, cost.amount, cost.category.code, cost.reference) == (
        site.project,
        Decimal("1200.50"),
        "rework",
        "NC-001",
    )
    assert reload(nc).rework_cost == Decimal("1200.50")
    text = page_client_for(site.viewer).get(nc_url(site, nc)).content.decode()
    assert "1,200.50" in text or "1200.50" in text
    assert post(site, site.manager, nc, op="rework", amount="-3", date=site.today().isoformat()).status_code == 400
    assert post(site, site.worker, nc, op="rework", amount="5", date=site.today().isoformat()).status_code == 403
    assert ActualCost.objects.for_organization(site.org).count() == 1


def test_a_viewer_may_not_post_and_an_unknown_operation_is_refused(site: NcSite) -> None:
    nc = site.raise_nc()
    assert post(site, site.viewer, nc, op="transition", to_status="analysis").status_code == 403
    assert post(site, site.manager, nc, op="explode").status_code == 400
    assert reload(nc).status == "open"


def test_a_stale_root_cause_form_is_refused_and_keeps_the_input(site: NcSite) -> None:
    nc = site.raise_nc()
    ncs.nc_transition(actor=site.manager, nc=nc, to_status="analysis")
    client = page_client_for(site.manager)
    text = client.get(nc_url(site, nc)).content.decode()
    version = text.split('name="row_version" value="')[1].split('"')[0]
    ncs.nc_update(actor=site.quality, nc=reload(nc), title="Changed meanwhile")
    answer = client.post(nc_url(site, nc), {"op": "root_cause", "root_cause": "Mine", "row_version": version})
    assert answer.status_code in (400, 409, 412)
    assert reload(nc).root_cause == ""


def test_the_page_reads_in_chinese(site: NcSite) -> None:
    nc, _action = site.planned()
    site.manager.language = "zh-hans"
    site.manager.save(update_fields=["language"])
    text = page_client_for(site.manager).get(nc_url(site, nc)).content.decode()
    for words in ("纠正和预防措施", "措施计划", "开始整改", "返工费用"):
        assert words in text, words
    text = page_client_for(site.manager).get(list_url(site)).content.decode()
    assert "1 个质量问题" in text
    assert "重大" in text
