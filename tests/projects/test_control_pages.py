from __future__ import annotations

import pytest

from pmo.models import Organization, OrgRole
from projects.models import ChangeRequest, StatusReport
from projects.services import control
from tests.conftest import page_client_for
from tests.factories import member
from tests.projects.test_control_support import FRIDAY, MANAGER, Plan, build_plan, join, narrated, raise_change, who

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(organization: Organization) -> Plan:
    return build_plan(organization)


def page(plan: Plan, path: str) -> str:
    return f"/o/acme/projects/{plan.project.pk}/{path}"


# --- status reports ---------------------------------------------------------------------


@pytest.mark.parametrize("role", [OrgRole.ADMIN, OrgRole.PMO, OrgRole.FINANCE, OrgRole.VIEWER])
def test_every_role_reads_the_status_reports_and_only_writers_get_the_form(
    plan: Plan, organization: Organization, role: str
) -> None:
    control.status_report_create(actor=plan.manager.user, project=plan.project, period_end=FRIDAY)
    response = page_client_for(member(organization, role).user).get(page(plan, "status-reports/"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 1
    assert ("create_form" in response.context) is (role in {OrgRole.ADMIN, OrgRole.PMO})
    assert ('name="op" value="create"' in response.content.decode()) is (role in {OrgRole.ADMIN, OrgRole.PMO})


def test_the_projects_manager_creates_this_weeks_report_from_the_page(plan: Plan) -> None:
    client = page_client_for(plan.manager.user)
    listing = client.get(page(plan, "status-reports/"))
    assert listing.context["create_form"].initial["period_end"] == listing.context["week_end"]
    response = client.post(page(plan, "status-reports/"), {"op": "create", "period_end": "2026-03-12"})
    report = StatusReport.objects.for_organization(plan.organization).get()
    assert response.status_code == 302
    assert response["Location"] == page(plan, f"status-reports/{report.pk}/")
    assert report.period_end == FRIDAY
    detail = client.get(response["Location"])
    assert detail.status_code == 200
    assert detail.context["figures"]["planned_percent"] == "55.00"
    assert 'class="message message-success"' in detail.content.decode()


@pytest.mark.parametrize("period_end", ["", "not a date", "2026-03-11"])
def test_a_bad_or_taken_week_is_shown_beside_the_field(plan: Plan, period_end: str) -> None:
    control.status_report_create(actor=plan.manager.user, project=plan.project, period_end=FRIDAY)
    response = page_client_for(plan.manager.user).post(
        page(plan, "status-reports/"), {"op": "create", "period_end": period_end}
    )
    assert response.status_code == 400
    assert "period_end" in response.context["create_form"].errors
    assert 'class="field-error"' in response.content.decode()
    assert StatusReport.objects.for_organization(plan.organization).count() == 1


def test_the_author_edits_a_draft_with_rag_selects_and_submits_it(plan: Plan) -> None:
    report = control.status_report_create(actor=plan.manager.user, project=plan.project, period_end=FRIDAY)
    client = page_client_for(plan.manager.user)
    url = page(plan, f"status-reports/{report.pk}/")
    shown = client.get(url)
    html = shown.content.decode()
    assert shown.context["can_edit"]
    assert shown.context["can_submit"]
    assert 'id="id_rag_schedule"' in html
    assert "rag-select rag-red" in html  # the suggested schedule rating, coloured
    # Overall green against a computed red (SPI 0.73) is submitted only with a justification.
    data = dict.fromkeys(control.RAG_FIELDS, "green") | {
        "op": "save",
        "accomplishments": "Piles driven.",
        "rag_override_justification": "Steel arrives Monday; the lost days are recovered by the next week.",
    }
    assert client.post(url, data).status_code == 302
    assert client.post(url, {"op": "submit"}).status_code == 302
    report.refresh_from_db()
    assert (report.status, report.rag_schedule, report.accomplishments) == ("submitted", "green", "Piles driven.")
    after = client.get(url)
    assert not after.context["can_edit"]
    assert not after.context["can_review"]
    assert 'name="op" value="submit"' not in after.content.decode()


def test_an_invalid_rating_is_shown_beside_its_select(plan: Plan) -> None:
    report = control.status_report_create(actor=plan.manager.user, project=plan.project, period_end=FRIDAY)
    data = dict.fromkeys(control.RAG_FIELDS, "green") | {"op": "save", "rag_cost": "purple"}
    response = page_client_for(plan.manager.user).post(page(plan, f"status-reports/{report.pk}/"), data)
    assert response.status_code == 400
    assert "rag_cost" in response.context["form"].errors
    assert 'class="field-error"' in response.content.decode()


def test_buttons_follow_who_may_submit_and_review(plan: Plan, organization: Organization) -> None:
    report = control.status_report_create(actor=plan.manager.user, project=plan.project, period_end=FRIDAY)
    url = page(plan, f"status-reports/{report.pk}/")
    coordinator = join(plan.project, member(organization, OrgRole.MEMBER), "coordinator")
    as_coordinator = page_client_for(coordinator.user).get(url)
    assert as_coordinator.context["can_edit"]
    assert not as_coordinator.context["can_submit"]
    assert 'value="submit"' not in as_coordinator.content.decode()
    as_viewer = page_client_for(member(organization, OrgRole.VIEWER).user).get(url)
    assert not as_viewer.context["can_edit"]
    assert '<form method="post"' not in as_viewer.content.decode()

    control.status_report_submit(**who(plan.manager, MANAGER), report=narrated(report))
    pmo = member(organization, OrgRole.PMO)
    assert page_client_for(pmo.user).get(url).context["can_review"]
    assert not page_client_for(plan.manager.user).get(url).context["can_review"]
    reviewed = page_client_for(pmo.user).post(url, {"op": "review", "comment": "Fine."})
    assert reviewed.status_code == 302
    report.refresh_from_db()
    assert (report.status, report.review_comment) == ("reviewed", "Fine.")


def test_the_manager_cannot_review_by_posting_the_form_anyway(plan: Plan) -> None:
    report = control.status_report_create(actor=plan.manager.user, project=plan.project, period_end=FRIDAY)
    control.status_report_submit(**who(plan.manager, MANAGER), report=narrated(report))
    response = page_client_for(plan.manager.user).post(page(plan, f"status-reports/{report.pk}/"), {"op": "review"})
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.status == StatusReport.Status.SUBMITTED


def test_an_illegal_transition_on_the_page_is_a_message_and_changes_nothing(plan: Plan) -> None:
    report = control.status_report_create(actor=plan.manager.user, project=plan.project, period_end=FRIDAY)
    control.status_report_submit(**who(plan.manager, MANAGER), report=narrated(report))
    response = page_client_for(plan.manager.user).post(page(plan, f"status-reports/{report.pk}/"), {"op": "submit"})
    assert response.status_code == 400
    assert 'class="message message-error"' in response.content.decode()


def test_an_unknown_operation_is_refused(plan: Plan) -> None:
    report = control.status_report_create(actor=plan.manager.user, project=plan.project, period_end=FRIDAY)
    response = page_client_for(plan.admin.user).post(page(plan, f"status-reports/{report.pk}/"), {"op": "delete"})
    assert response.status_code == 400


# --- change requests --------------------------------------------------------------------


def test_the_change_request_form_offers_the_projects_elements(plan: Plan, organization: Organization) -> None:
    requester = join(plan.project, member(organization, OrgRole.MEMBER), "member")
    client = page_client_for(requester.user)
    form = client.get(page(plan, "change-requests/")).context["create_form"]
    assert list(form.fields["affected"].queryset) == [plan.a, plan.b, plan.milestone]
    response = client.post(
        page(plan, "change-requests/"),
        {
            "op": "create",
            "title": "Wider path",
            "kind": "scope",
            "description": "Widen to 3 m.",
            "reason": "Safety.",
            "impact_days": "2",
            "impact_cost": "8000",
            "affected": [str(plan.a.pk), str(plan.b.pk)],
        },
    )
    assert response.status_code == 302
    change_request = ChangeRequest.objects.for_organization(organization).get()
    assert response["Location"] == page(plan, f"change-requests/{change_request.pk}/")
    assert sorted(link.element_id for link in change_request.affected.all()) == sorted([plan.a.pk, plan.b.pk])


def test_a_change_request_missing_fields_shows_inline_errors(plan: Plan) -> None:
    response = page_client_for(plan.manager.user).post(
        page(plan, "change-requests/"), {"op": "create", "title": "", "kind": "scope", "impact_days": "x"}
    )
    assert response.status_code == 400
    assert {"title", "description", "reason", "impact_days"} <= set(response.context["create_form"].errors)
    assert 'class="field-error"' in response.content.decode()
    assert not ChangeRequest.objects.for_organization(plan.organization).exists()


def test_a_viewer_sees_the_change_requests_without_the_form(plan: Plan, organization: Organization) -> None:
    raise_change(plan, plan.manager)
    response = page_client_for(member(organization, OrgRole.VIEWER).user).get(page(plan, "change-requests/"))
    assert response.status_code == 200
    assert "create_form" not in response.context
    assert len(response.context["page"].object_list) == 1


def test_decision_buttons_are_shown_only_to_who_may_decide(plan: Plan, organization: Organization) -> None:
    requester = join(plan.project, member(organization, OrgRole.MEMBER), "member")
    change_request = raise_change(plan, requester)
    url = page(plan, f"change-requests/{change_request.pk}/")

    as_requester = page_client_for(requester.user).get(url)
    assert not as_requester.context["can_decide"]
    assert 'value="approve"' not in as_requester.content.decode()
    as_finance = page_client_for(member(organization, OrgRole.FINANCE).user).get(url)
    assert not as_finance.context["can_decide"]
    as_manager = page_client_for(plan.manager.user).get(url)
    assert as_manager.context["can_decide"]
    assert 'value="approve"' in as_manager.content.decode()
    assert 'value="reject"' in as_manager.content.decode()


def test_a_refused_decision_on_the_page_changes_nothing(plan: Plan, organization: Organization) -> None:
    change_request = raise_change(plan, member(organization, OrgRole.MEMBER))
    finance = member(organization, OrgRole.FINANCE)
    response = page_client_for(finance.user).post(
        page(plan, f"change-requests/{change_request.pk}/"), {"op": "approve"}
    )
    assert response.status_code == 403
    assert 'class="message message-error"' in response.content.decode()
    change_request.refresh_from_db()
    assert change_request.status == ChangeRequest.Status.SUBMITTED


def test_a_rejection_without_a_comment_shows_the_error_beside_it(plan: Plan, organization: Organization) -> None:
    change_request = raise_change(plan, member(organization, OrgRole.MEMBER))
    response = page_client_for(plan.manager.user).post(
        page(plan, f"change-requests/{change_request.pk}/"), {"op": "reject", "comment": ""}
    )
    assert response.status_code == 400
    assert "comment" in response.context["decision_form"].errors


def test_the_manager_approves_and_implements_with_a_new_baseline(plan: Plan, organization: Organization) -> None:
    change_request = raise_change(plan, member(organization, OrgRole.MEMBER))
    client = page_client_for(plan.manager.user)
    url = page(plan, f"change-requests/{change_request.pk}/")
    assert client.post(url, {"op": "approve", "comment": "Yes."}).status_code == 302
    approved = client.get(url)
    assert approved.context["can_implement"]
    assert approved.context["baseline_name"] == "CR-1 Add a footbridge"
    assert client.post(url, {"op": "implement", "create_baseline": "on"}).status_code == 302
    done = client.get(url)
    assert done.context["baseline"].name == "CR-1 Add a footbridge"
    assert [entry["actor"] for entry in done.context["history"]][-2:] == [plan.manager.user, plan.manager.user]


def test_the_draft_is_edited_by_its_requester_only(plan: Plan, organization: Organization) -> None:
    requester = join(plan.project, member(organization, OrgRole.MEMBER), "member")
    change_request = raise_change(plan, requester, submit=False)
    url = page(plan, f"change-requests/{change_request.pk}/")
    colleague = join(plan.project, member(organization, OrgRole.MEMBER), "member")
    assert not page_client_for(colleague.user).get(url).context["can_edit"]
    mine = page_client_for(requester.user).get(url)
    assert mine.context["can_edit"]
    assert mine.context["form"].initial["affected"] == [plan.b.pk]


def test_the_change_log_lists_every_decision_in_a_fixed_number_of_queries(
    plan: Plan,
    organization: Organization,
    django_assert_max_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    requester = member(organization, OrgRole.MEMBER)
    for _ in range(3):
        change_request = raise_change(plan, requester)
        control.change_request_reject(**who(plan.admin), change_request=change_request, comment="No.")
    client = page_client_for(member(organization, OrgRole.VIEWER).user)
    with django_assert_max_num_queries(14) as few:
        response = client.get(page(plan, "change-log/"))
    for _ in range(6):
        raise_change(plan, requester)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(page(plan, "change-log/"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert len(rows) == 9
    assert [entry["actor"] for entry in rows[-1][1]] == [requester.user, requester.user, plan.admin.user]
    assert rows[-1][0].decision_comment == "No."
