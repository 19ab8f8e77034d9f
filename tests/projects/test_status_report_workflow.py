"""Submitting a status report keeps what was typed, needs a narrative, and the PMO can send it back.

A new draft's overall rating is suggested from its figures; a draft submits without a
justification unless that rating is changed away from the computed one.
"""

from __future__ import annotations

import pytest
from django.utils import translation

from pmo.errors import ApplicationError
from pmo.models import AuditEvent, Organization, OrgRole
from projects.models import Rag, StatusReport
from projects.services import control
from tests.conftest import api_client_for, page_client_for
from tests.factories import member
from tests.projects.test_control_support import FRIDAY, MANAGER, Plan, build_plan, who

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(organization: Organization) -> Plan:
    return build_plan(organization)


def draft(plan: Plan) -> StatusReport:
    return control.status_report_create(actor=plan.manager.user, project=plan.project, period_end=FRIDAY)


def submitted(plan: Plan) -> StatusReport:
    report = control.status_report_update(actor=plan.manager.user, report=draft(plan), accomplishments="Piles driven.")
    return control.status_report_submit(**who(plan.manager, MANAGER), report=report)


def page_url(plan: Plan, report: StatusReport) -> str:
    return f"/o/acme/projects/{plan.project.pk}/status-reports/{report.pk}/"


def api_url(plan: Plan, report: StatusReport, suffix: str = "") -> str:
    return f"/api/v1/orgs/acme/projects/{plan.project.pk}/status-reports/{report.pk}/{suffix}"


def form_data(report: StatusReport, **fields: str) -> dict[str, str]:
    return {field: getattr(report, field) for field in control.REPORT_FIELDS} | fields


def events(plan: Plan, action: str) -> int:
    return AuditEvent.objects.for_organization(plan.organization).filter(action=action).count()


# --- the narrative ----------------------------------------------------------------------


@pytest.mark.parametrize("narrative", ["", "   \n "])
def test_a_report_without_a_narrative_cannot_be_submitted(plan: Plan, narrative: str) -> None:
    report = control.status_report_update(actor=plan.manager.user, report=draft(plan), accomplishments=narrative)

    with pytest.raises(ApplicationError) as refused:
        control.status_report_submit(**who(plan.manager, MANAGER), report=report)

    assert refused.value.code == "narrative_required"
    assert "accomplishments" in refused.value.fields
    report.refresh_from_db()
    assert (report.status, report.submitted_at) == (StatusReport.Status.DRAFT, None)
    assert events(plan, "status_report.submitted") == 0


def test_any_part_of_the_narrative_is_enough_to_submit(plan: Plan) -> None:
    report = control.status_report_update(actor=plan.manager.user, report=draft(plan), decisions_needed="Steel grade.")
    report = control.status_report_submit(**who(plan.manager, MANAGER), report=report)
    assert report.status == StatusReport.Status.SUBMITTED


def test_the_api_refuses_to_submit_an_empty_narrative(plan: Plan) -> None:
    report = draft(plan)
    response = api_client_for(plan.manager.user).post(api_url(plan, report, "submit/"), {})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "narrative_required"
    assert "accomplishments" in response.json()["error"]["fields"]
    report.refresh_from_db()
    assert report.status == StatusReport.Status.DRAFT


def test_the_api_submits_the_narrative_sent_with_the_submission(plan: Plan) -> None:
    report = draft(plan)
    response = api_client_for(plan.manager.user).post(
        api_url(plan, report, "submit/"), {"accomplishments": "Deck poured.", "next_steps": "Parapets."}
    )
    assert response.status_code == 200, response.json()
    report.refresh_from_db()
    assert (report.status, report.accomplishments, report.next_steps) == ("submitted", "Deck poured.", "Parapets.")


# --- submitting from the page -----------------------------------------------------------


def test_submitting_from_the_page_saves_what_was_typed_first(plan: Plan) -> None:
    report = draft(plan)
    data = form_data(report, op="submit", accomplishments="Piles driven.", rag_cost=Rag.AMBER)

    response = page_client_for(plan.manager.user).post(page_url(plan, report), data)

    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.accomplishments, report.rag_cost) == ("submitted", "Piles driven.", Rag.AMBER)
    assert events(plan, "status_report.updated") == 1
    assert events(plan, "status_report.submitted") == 1


def test_a_refused_submission_keeps_the_typed_text_on_the_form_and_in_the_draft(plan: Plan) -> None:
    report = draft(plan)
    # An overall rating other than the computed one needs a justification, which is missing.
    other = Rag.RED if report.figures["computed_rag"]["rag"] != Rag.RED else Rag.GREEN
    data = form_data(report, op="submit", accomplishments="Piles driven.", rag_overall=other)

    response = page_client_for(plan.manager.user).post(page_url(plan, report), data)

    assert response.status_code == 400
    assert "rag_override_justification" in response.context["form"].errors
    assert "Piles driven." in response.content.decode()
    report.refresh_from_db()
    assert (report.status, report.accomplishments, report.rag_overall) == ("draft", "Piles driven.", other)


def test_an_empty_narrative_submitted_from_the_page_is_shown_beside_the_field(plan: Plan) -> None:
    report = draft(plan)
    response = page_client_for(plan.manager.user).post(page_url(plan, report), form_data(report, op="submit"))
    assert response.status_code == 400
    assert "accomplishments" in response.context["form"].errors
    report.refresh_from_db()
    assert report.status == StatusReport.Status.DRAFT


def test_the_submit_button_belongs_to_the_form_with_the_narrative(plan: Plan) -> None:
    html = page_client_for(plan.manager.user).get(page_url(plan, draft(plan))).content.decode()
    assert '<form method="post" id="report-form"' in html
    assert 'form="report-form" name="op" value="submit"' in html


# --- returning a report to its author -----------------------------------------------------


def test_the_pmo_returns_a_submitted_report_to_its_author_who_edits_and_submits_it_again(
    plan: Plan, organization: Organization
) -> None:
    pmo = member(organization, OrgRole.PMO)
    report = submitted(plan)

    report = control.status_report_return(
        actor=pmo.user, membership=pmo, report=report, comment="  Say when the steel arrives.  "
    )

    assert (report.status, report.submitted_at) == (StatusReport.Status.DRAFT, None)
    assert (report.returned_by, report.return_comment) == (pmo.user, "Say when the steel arrives.")
    assert report.returned_at is not None
    event = AuditEvent.objects.for_organization(organization).get(action="status_report.returned")
    assert event.changes["return_comment"] == [None, "Say when the steel arrives."]
    report = control.status_report_update(actor=plan.manager.user, report=report, next_steps="Steel arrives on Monday.")
    report = control.status_report_submit(**who(plan.manager, MANAGER), report=report)
    assert report.status == StatusReport.Status.SUBMITTED


@pytest.mark.parametrize("case", ["draft", "reviewed", "not_pmo", "no_comment"])
def test_only_the_pmo_returns_a_submitted_report_and_only_with_a_comment(
    plan: Plan, organization: Organization, case: str
) -> None:
    pmo = member(organization, OrgRole.PMO)
    report = draft(plan) if case == "draft" else submitted(plan)
    if case == "reviewed":
        report = control.status_report_review(actor=pmo.user, membership=pmo, report=report)
    who_returns = plan.manager if case == "not_pmo" else pmo
    status = report.status

    with pytest.raises(ApplicationError) as refused:
        control.status_report_return(
            actor=who_returns.user,
            membership=who_returns,
            report=report,
            comment="" if case == "no_comment" else "Redo.",
        )

    expected = {"draft": 400, "reviewed": 400, "not_pmo": 403, "no_comment": 400}[case]
    assert refused.value.status_code == expected
    report.refresh_from_db()
    assert report.status == status
    assert events(plan, "status_report.returned") == 0


def test_the_api_returns_a_report_for_the_pmo_only(plan: Plan, organization: Organization) -> None:
    report = submitted(plan)
    url = api_url(plan, report, "return/")

    refused = api_client_for(plan.manager.user).post(url, {"comment": "Redo."})
    missing = api_client_for(member(organization, OrgRole.PMO).user).post(url, {})
    returned = api_client_for(member(organization, OrgRole.PMO).user).post(url, {"comment": "Add the steel date."})

    assert refused.status_code == 403
    assert missing.status_code == 400
    assert "comment" in missing.json()["error"]["fields"]
    assert returned.status_code == 200, returned.json()
    body = returned.json()
    assert (body["status"], body["return_comment"]) == ("draft", "Add the steel date.")
    assert body["returned_by"]["id"] is not None


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_pmo_returns_a_report_from_the_page_and_the_author_sees_why(
    plan: Plan, organization: Organization, language: str
) -> None:
    pmo = member(organization, OrgRole.PMO)
    pmo.user.language = plan.manager.user.language = language
    pmo.user.save()
    plan.manager.user.save()
    report = submitted(plan)
    url = page_url(plan, report)
    pmo_client = page_client_for(pmo.user)
    pmo_client.cookies["django_language"] = language
    assert 'name="op" value="return"' in pmo_client.get(url).content.decode()

    refused = pmo_client.post(url, {"op": "return", "return-comment": ""})
    assert refused.status_code == 400
    assert "comment" in refused.context["return_form"].errors
    response = pmo_client.post(url, {"op": "return", "return-comment": "Add the steel date."})

    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.return_comment) == ("draft", "Add the steel date.")
    author = page_client_for(plan.manager.user)
    author.cookies["django_language"] = language
    shown = author.get(url)
    html = shown.content.decode()
    assert shown.context["can_submit"]
    assert 'id="report-returned"' in html
    assert "Add the steel date." in html
    with translation.override(language):
        assert translation.gettext("Returned by %(who)s on %(when)s:").split("%")[0] in html


def test_a_manager_cannot_return_a_report_by_posting_the_form_anyway(plan: Plan) -> None:
    report = submitted(plan)
    response = page_client_for(plan.manager.user).post(
        page_url(plan, report), {"op": "return", "return-comment": "Redo."}
    )
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.status == StatusReport.Status.SUBMITTED
