"""A status report's overall rating may differ from the computed RAG only with a justification.

The plan of ``test_control_support`` on Friday 13 March 2026 has SPI 0.7273 (EV 1 600 over PV
2 200) and no cost yet: its computed RAG is red.
"""

from __future__ import annotations

import re

import pytest

from pmo.errors import ApplicationError
from pmo.models import AuditEvent, Organization, OrgRole
from projects.models import Rag, StatusReport
from projects.services import control
from projects.services.projects import project_create
from tests.conftest import api_client_for, page_client_for
from tests.factories import member
from tests.projects.test_control_support import FRIDAY, MANAGER, MONDAY, Plan, build_plan, narrated, who

pytestmark = pytest.mark.django_db

JUSTIFICATION = "Steel arrives Monday; the two lost days are made up the week after."


@pytest.fixture
def plan(organization: Organization) -> Plan:
    return build_plan(organization)


def draft(plan: Plan, **fields: str) -> StatusReport:
    report = narrated(control.status_report_create(actor=plan.manager.user, project=plan.project, period_end=FRIDAY))
    if fields:
        report = control.status_report_update(actor=plan.manager.user, report=report, **fields)
    return report


def submitted_events(plan: Plan) -> int:
    return AuditEvent.objects.for_organization(plan.organization).filter(action="status_report.submitted").count()


def test_a_new_draft_records_the_computed_rag_of_its_week(plan: Plan) -> None:
    report = draft(plan)
    computed = report.figures["computed_rag"]
    assert (computed["rag"], computed["as_of"]) == ("red", "2026-03-13")
    assert {"code": "spi", "rag": "red", "value": "0.7273"} in computed["reasons"]


def test_an_overall_rating_other_than_the_computed_one_without_justification_is_refused_and_changes_nothing(
    plan: Plan,
) -> None:
    report = draft(plan, rag_overall=Rag.GREEN)
    figures = report.figures

    with pytest.raises(ApplicationError) as refused:
        control.status_report_submit(**who(plan.manager, MANAGER), report=report)

    assert refused.value.code == "justification_required"
    assert refused.value.status_code == 400
    assert "rag_override_justification" in refused.value.fields
    report.refresh_from_db()
    assert (report.status, report.submitted_at, report.rag_overall) == (StatusReport.Status.DRAFT, None, Rag.GREEN)
    assert report.figures == figures
    assert submitted_events(plan) == 0


def test_a_blank_justification_counts_as_none(plan: Plan) -> None:
    report = draft(plan, rag_overall=Rag.AMBER, rag_override_justification="   ")
    assert report.rag_override_justification == ""
    with pytest.raises(ApplicationError):
        control.status_report_submit(**who(plan.manager, MANAGER), report=report)


def test_with_a_justification_the_different_rating_is_submitted_beside_the_computed_one(plan: Plan) -> None:
    report = draft(plan, rag_overall=Rag.GREEN, rag_override_justification=f"  {JUSTIFICATION}  ")

    report = control.status_report_submit(**who(plan.manager, MANAGER), report=report)

    assert report.status == StatusReport.Status.SUBMITTED
    report.refresh_from_db()
    assert (report.rag_overall, report.rag_override_justification) == (Rag.GREEN, JUSTIFICATION)
    assert report.figures["computed_rag"]["rag"] == "red"
    assert report.figures["spi"] == "0.7273"  # the week's figures stay as they were
    event = AuditEvent.objects.for_organization(plan.organization).get(action="status_report.submitted")
    assert event.changes["computed_rag"] == [None, "red"]


def test_the_computed_rating_needs_no_justification(plan: Plan) -> None:
    report = draft(plan, rag_overall=Rag.RED)
    report = control.status_report_submit(**who(plan.manager, MANAGER), report=report)
    assert report.status == StatusReport.Status.SUBMITTED
    assert report.rag_override_justification == ""


def test_without_a_baseline_nothing_is_computed_and_any_rating_goes(organization: Organization) -> None:
    admin = member(organization, OrgRole.ADMIN)
    project = project_create(
        actor=admin.user, organization=organization, code="NB-1", name="No baseline", planned_start=MONDAY
    )
    report = control.status_report_create(actor=admin.user, project=project, period_end=FRIDAY)
    assert report.figures["computed_rag"]["rag"] == "unknown"
    report = control.status_report_update(
        actor=admin.user, report=report, rag_overall=Rag.AMBER, accomplishments="Site cleared."
    )
    report = control.status_report_submit(actor=admin.user, membership=admin, project_role=None, report=report)
    assert report.status == StatusReport.Status.SUBMITTED


def test_the_api_refuses_on_the_justification_field_then_accepts_it(plan: Plan) -> None:
    client = api_client_for(plan.manager.user)
    base = f"/api/v1/orgs/acme/projects/{plan.project.pk}/status-reports/"
    created = client.post(base, {"period_end": FRIDAY.isoformat()})
    report_id = created.json()["id"]
    assert created.json()["computed_rag"]["rag"] == "red"
    assert client.patch(f"{base}{report_id}/", {"rag_overall": "amber", "issues": "Late steel."}).status_code == 200

    refused = client.post(f"{base}{report_id}/submit/", {})
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "justification_required"
    assert "rag_override_justification" in refused.json()["error"]["fields"]
    assert client.get(f"{base}{report_id}/").json()["status"] == "draft"

    saved = client.patch(f"{base}{report_id}/", {"rag_override_justification": JUSTIFICATION})
    assert saved.json()["rag_override_justification"] == JUSTIFICATION
    submitted = client.post(f"{base}{report_id}/submit/", {})
    assert submitted.status_code == 200
    body = submitted.json()
    assert (body["status"], body["rag_overall"], body["computed_rag"]["rag"]) == ("submitted", "amber", "red")


def test_the_page_asks_for_the_justification_shows_the_computed_rag_and_the_refusal(plan: Plan) -> None:
    report = draft(plan)
    client = page_client_for(plan.manager.user)
    url = f"/o/acme/projects/{plan.project.pk}/status-reports/{report.pk}/"
    html = client.get(url).content.decode()
    assert 'name="rag_override_justification"' in html
    assert 'id="computed-rag" data-rag="red"' in html

    data = dict.fromkeys(control.RAG_FIELDS, "green") | {"op": "save", "accomplishments": "Piles driven."}
    assert client.post(url, data).status_code == 302
    refused = client.post(url, {"op": "submit"})
    assert refused.status_code == 400
    assert 'class="message message-error"' in refused.content.decode()
    report.refresh_from_db()
    assert report.status == StatusReport.Status.DRAFT

    assert client.post(url, data | {"rag_override_justification": JUSTIFICATION}).status_code == 302
    assert client.post(url, {"op": "submit"}).status_code == 302
    shown = client.get(url).content.decode()
    assert 'id="rag-justification"' in shown
    assert JUSTIFICATION in shown


def test_after_a_refused_submission_the_page_carries_the_saved_version_so_the_next_submit_is_not_a_conflict(
    plan: Plan,
) -> None:
    report = draft(plan)
    client = page_client_for(plan.manager.user)
    url = f"/o/acme/projects/{plan.project.pk}/status-reports/{report.pk}/"
    version = re.search(r'name="row_version" value="([0-9a-f]+)"', client.get(url).content.decode())
    assert version is not None

    typed = dict.fromkeys(control.RAG_FIELDS, "green") | {"accomplishments": "Piles driven.", "op": "submit"}
    refused = client.post(url, typed | {"row_version": version.group(1)})
    assert refused.status_code == 400
    # The narrative was saved before the submission was refused; the form now carries that version.
    again = re.search(r'name="row_version" value="([0-9a-f]+)"', refused.content.decode())
    assert again is not None
    assert again.group(1) != version.group(1)

    accepted = client.post(url, typed | {"row_version": again.group(1), "rag_override_justification": JUSTIFICATION})
    assert accepted.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.accomplishments) == (StatusReport.Status.SUBMITTED, "Piles driven.")
    assert report.rag_override_justification == JUSTIFICATION
