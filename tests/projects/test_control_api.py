from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from pmo.models import AuditEvent, Organization, OrgRole
from projects.models import Baseline, ChangeRequest, Rag, StatusReport
from projects.services import control
from tests.conftest import api_client_for
from tests.factories import (
    ChangeRequestElementFactory,
    ChangeRequestFactory,
    ProjectFactory,
    StatusReportFactory,
    WbsElementFactory,
    member,
)
from tests.projects.test_control_support import FRIDAY, MANAGER, Plan, build_plan, join, narrated, raise_change, who

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(organization: Organization) -> Plan:
    return build_plan(organization)


def reports_url(plan: Plan, suffix: str = "") -> str:
    return f"/api/v1/orgs/acme/projects/{plan.project.pk}/status-reports/{suffix}"


def changes_url(plan: Plan, suffix: str = "") -> str:
    return f"/api/v1/orgs/acme/projects/{plan.project.pk}/change-requests/{suffix}"


def error(response) -> dict:  # type: ignore[no-untyped-def,type-arg]
    return response.json()["error"]  # type: ignore[no-any-return]


# --- status reports ---------------------------------------------------------------------


def test_a_manager_creates_a_report_for_any_day_of_the_week_and_gets_its_figures(plan: Plan) -> None:
    response = api_client_for(plan.manager.user).post(reports_url(plan), {"period_end": "2026-03-10"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["period_end"] == "2026-03-13"
    assert body["status"] == "draft"
    assert body["figures"]["planned_percent"] == "55.00"
    assert body["figures"]["actual_percent"] == "40.00"
    assert body["figures"]["spi"] == "0.7273"  # EV 1 600 / PV 2 200, indices at four places
    assert body["rag_schedule"] == "red"
    assert body["author"]["id"] == plan.manager.user_id


def test_a_second_report_for_the_week_is_refused_and_nothing_is_created(plan: Plan) -> None:
    client = api_client_for(plan.manager.user)
    client.post(reports_url(plan), {"period_end": "2026-03-13"})
    response = client.post(reports_url(plan), {"period_end": "2026-03-09"})
    assert response.status_code == 400
    assert error(response)["code"] == "duplicate"
    assert "period_end" in error(response)["fields"]
    assert StatusReport.objects.for_organization(plan.organization).count() == 1


def test_a_report_without_a_date_is_refused(plan: Plan) -> None:
    response = api_client_for(plan.manager.user).post(reports_url(plan), {})
    assert response.status_code == 400
    assert "period_end" in error(response)["fields"]


def test_a_draft_is_edited_submitted_and_reviewed(plan: Plan, organization: Organization) -> None:
    manager = api_client_for(plan.manager.user)
    report_id = manager.post(reports_url(plan), {"period_end": "2026-03-13"}).json()["id"]

    edited = manager.patch(reports_url(plan, f"{report_id}/"), {"rag_schedule": "amber", "issues": "Late steel."})
    assert edited.status_code == 200, edited.json()
    assert (edited.json()["rag_schedule"], edited.json()["issues"]) == ("amber", "Late steel.")
    submitted = manager.post(reports_url(plan, f"{report_id}/submit/"), {})
    assert submitted.status_code == 200
    assert submitted.json()["status"] == "submitted"

    pmo = member(organization, OrgRole.PMO)
    reviewed = api_client_for(pmo.user).post(reports_url(plan, f"{report_id}/review/"), {"comment": "Noted."})
    assert reviewed.status_code == 200
    assert reviewed.json()["status"] == "reviewed"
    assert reviewed.json()["reviewed_by"]["id"] == pmo.user_id
    assert reviewed.json()["review_comment"] == "Noted."


def test_a_submitted_report_cannot_be_edited_and_stays_as_it_was(plan: Plan) -> None:
    report = control.status_report_create(actor=plan.manager.user, project=plan.project, period_end=FRIDAY)
    control.status_report_submit(**who(plan.manager, MANAGER), report=narrated(report))
    response = api_client_for(plan.manager.user).patch(reports_url(plan, f"{report.pk}/"), {"rag_scope": "red"})
    assert response.status_code == 400
    assert error(response)["code"] == "illegal_transition"
    report.refresh_from_db()
    assert report.rag_scope == Rag.GREEN
    assert not AuditEvent.objects.for_organization(plan.organization).filter(action="status_report.updated").exists()


def test_an_unknown_rating_is_refused_on_its_field(plan: Plan) -> None:
    report = control.status_report_create(actor=plan.manager.user, project=plan.project, period_end=FRIDAY)
    response = api_client_for(plan.manager.user).patch(reports_url(plan, f"{report.pk}/"), {"rag_cost": "blue"})
    assert response.status_code == 400
    assert "rag_cost" in error(response)["fields"]


def test_reviewing_is_the_pmo_offices_and_writing_the_teams(plan: Plan, organization: Organization) -> None:
    report = control.status_report_create(actor=plan.manager.user, project=plan.project, period_end=FRIDAY)
    control.status_report_submit(**who(plan.manager, MANAGER), report=narrated(report))
    review = api_client_for(plan.manager.user).post(reports_url(plan, f"{report.pk}/review/"), {})
    assert review.status_code == 403
    assert error(review)["code"] == "permission_denied"
    viewer = api_client_for(member(organization, OrgRole.VIEWER).user)
    assert viewer.post(reports_url(plan), {"period_end": "2026-03-20"}).status_code == 403
    assert viewer.get(reports_url(plan, f"{report.pk}/")).status_code == 200
    report.refresh_from_db()
    assert report.status == StatusReport.Status.SUBMITTED


def test_a_team_member_who_is_not_the_author_may_not_submit(plan: Plan, organization: Organization) -> None:
    report = control.status_report_create(actor=plan.manager.user, project=plan.project, period_end=FRIDAY)
    coordinator = join(plan.project, member(organization, OrgRole.MEMBER), "coordinator")
    response = api_client_for(coordinator.user).post(reports_url(plan, f"{report.pk}/submit/"), {})
    assert response.status_code == 403
    assert error(response)["code"] == "permission_denied"
    report.refresh_from_db()
    assert report.status == StatusReport.Status.DRAFT


def test_a_report_of_another_project_is_not_found_here(plan: Plan, organization: Organization) -> None:
    elsewhere = StatusReportFactory(organization=organization, project=ProjectFactory(organization=organization))
    assert api_client_for(plan.admin.user).get(reports_url(plan, f"{elsewhere.pk}/")).status_code == 404


def test_reports_are_filtered_by_status_and_period(plan: Plan) -> None:
    for day in (6, 13, 20, 27):
        control.status_report_create(actor=plan.manager.user, project=plan.project, period_end=dt.date(2026, 3, day))
    first = StatusReport.objects.for_organization(plan.organization).get(period_end=dt.date(2026, 3, 6))
    control.status_report_submit(**who(plan.manager, MANAGER), report=narrated(first))
    client = api_client_for(plan.manager.user)
    assert [r["period_end"] for r in client.get(reports_url(plan), {"status": "submitted"}).json()["results"]] == [
        "2026-03-06"
    ]
    ranged = client.get(reports_url(plan), {"period_end_after": "2026-03-10", "period_end_before": "2026-03-25"})
    assert [r["period_end"] for r in ranged.json()["results"]] == ["2026-03-20", "2026-03-13"]


def test_the_report_list_runs_a_fixed_number_of_queries(
    plan: Plan,
    django_assert_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    client = api_client_for(plan.admin.user)
    StatusReportFactory(organization=plan.organization, project=plan.project, reviewed_by=plan.admin.user)
    # membership with project and project role, count, page (with authors and reviewers joined)
    with django_assert_num_queries(3):
        assert client.get(reports_url(plan)).json()["count"] == 1
    for _ in range(12):
        StatusReportFactory(organization=plan.organization, project=plan.project, reviewed_by=plan.admin.user)
    with django_assert_num_queries(3):
        assert client.get(reports_url(plan)).json()["count"] == 13


# --- change requests --------------------------------------------------------------------


def change_payload(**overrides: object) -> dict[str, object]:
    return {
        "title": "Add a footbridge",
        "kind": "scope",
        "description": "One more footbridge.",
        "reason": "The client asked.",
        "impact_days": 4,
        "impact_cost": "25000.00",
        **overrides,
    }


def test_a_team_member_raises_a_change_request_with_its_affected_elements(
    plan: Plan, organization: Organization
) -> None:
    requester = join(plan.project, member(organization, OrgRole.MEMBER), "member")
    response = api_client_for(requester.user).post(changes_url(plan), change_payload(affected=[plan.b.pk, plan.a.pk]))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["number"], body["status"], body["impact_cost"]) == (1, "draft", "25000.00")
    assert [element["id"] for element in body["affected"]] == [plan.a.pk, plan.b.pk]
    assert body["requested_by"]["id"] == requester.user_id
    assert body["baseline"] is None


def test_an_element_of_another_project_or_organisation_is_refused_and_nothing_is_created(
    plan: Plan, organization: Organization, other_organization: Organization
) -> None:
    client = api_client_for(plan.manager.user)
    same_org = WbsElementFactory(project=ProjectFactory(organization=organization))
    other_org = WbsElementFactory(project=ProjectFactory(organization=other_organization))
    for element in (same_org, other_org):
        response = client.post(changes_url(plan), change_payload(affected=[element.pk]))
        assert response.status_code == 400
        assert "affected" in error(response)["fields"]
    assert not ChangeRequest.objects.for_organization(organization).exists()


def test_a_change_request_missing_its_reason_is_refused(plan: Plan) -> None:
    response = api_client_for(plan.manager.user).post(changes_url(plan), change_payload(reason=""))
    assert response.status_code == 400
    assert "reason" in error(response)["fields"]


def test_a_change_goes_from_draft_to_a_new_baseline(plan: Plan, organization: Organization) -> None:
    requester = join(plan.project, member(organization, OrgRole.MEMBER), "member")
    client = api_client_for(requester.user)
    change_id = client.post(changes_url(plan), change_payload()).json()["id"]
    edited = client.patch(changes_url(plan, f"{change_id}/"), {"impact_days": 2, "affected": [plan.milestone.pk]})
    assert edited.status_code == 200, edited.json()
    assert edited.json()["impact_days"] == 2
    assert [element["id"] for element in edited.json()["affected"]] == [plan.milestone.pk]
    retitled = client.patch(changes_url(plan, f"{change_id}/"), {"title": "Add a footbridge over the canal"})
    assert [element["id"] for element in retitled.json()["affected"]] == [plan.milestone.pk]
    assert retitled.json()["impact_days"] == 2
    assert client.post(changes_url(plan, f"{change_id}/submit/"), {}).json()["status"] == "submitted"

    manager = api_client_for(plan.manager.user)
    approved = manager.post(changes_url(plan, f"{change_id}/approve/"), {"comment": "Worth it."})
    assert approved.status_code == 200, approved.json()
    assert approved.json()["decided_by"]["id"] == plan.manager.user_id
    implemented = manager.post(changes_url(plan, f"{change_id}/implement/"), {"create_baseline": True})
    assert implemented.status_code == 200, implemented.json()
    assert implemented.json()["status"] == "implemented"
    baseline = Baseline.objects.for_organization(organization).get(is_current=True, project=plan.project)
    assert implemented.json()["baseline"] == {"id": baseline.pk, "name": "CR-1 Add a footbridge over the canal"}
    assert baseline.change_request_id == change_id


def test_finance_may_not_decide_a_small_change_and_nothing_changes(plan: Plan, organization: Organization) -> None:
    change_request = raise_change(plan, member(organization, OrgRole.MEMBER))
    finance = api_client_for(member(organization, OrgRole.FINANCE).user)
    response = finance.post(changes_url(plan, f"{change_request.pk}/approve/"), {})
    assert response.status_code == 403
    assert error(response)["code"] == "permission_denied"
    change_request.refresh_from_db()
    assert change_request.status == ChangeRequest.Status.SUBMITTED


def test_finance_decides_a_costly_change_that_the_manager_may_not(plan: Plan, organization: Organization) -> None:
    change_request = raise_change(plan, member(organization, OrgRole.MEMBER), impact_cost=Decimal("250000.00"))
    manager = api_client_for(plan.manager.user)
    assert manager.post(changes_url(plan, f"{change_request.pk}/approve/"), {}).status_code == 403
    finance = api_client_for(member(organization, OrgRole.FINANCE).user)
    rejected = finance.post(changes_url(plan, f"{change_request.pk}/reject/"), {"comment": "Over budget."})
    assert rejected.status_code == 200
    assert rejected.json()["status"] == "rejected"


def test_the_requester_never_decides(plan: Plan) -> None:
    change_request = raise_change(plan, plan.admin)
    response = api_client_for(plan.admin.user).post(changes_url(plan, f"{change_request.pk}/approve/"), {})
    assert response.status_code == 403
    assert error(response)["code"] == "separation_of_duties"


def test_a_rejection_without_a_comment_is_refused(plan: Plan, organization: Organization) -> None:
    change_request = raise_change(plan, member(organization, OrgRole.MEMBER))
    response = api_client_for(plan.manager.user).post(changes_url(plan, f"{change_request.pk}/reject/"), {})
    assert response.status_code == 400
    assert "comment" in error(response)["fields"]
    change_request.refresh_from_db()
    assert change_request.status == ChangeRequest.Status.SUBMITTED


def test_an_approved_change_cannot_be_approved_again(plan: Plan, organization: Organization) -> None:
    change_request = raise_change(plan, member(organization, OrgRole.MEMBER))
    control.change_request_approve(**who(plan.admin), change_request=change_request)
    response = api_client_for(plan.manager.user).post(changes_url(plan, f"{change_request.pk}/approve/"), {})
    assert response.status_code == 400
    assert error(response)["code"] == "illegal_transition"
    change_request.refresh_from_db()
    assert change_request.decided_by == plan.admin.user


def test_implementing_is_for_those_who_manage_the_project(plan: Plan, organization: Organization) -> None:
    requester = join(plan.project, member(organization, OrgRole.MEMBER), "member")
    change_request = raise_change(plan, requester)
    control.change_request_approve(**who(plan.admin), change_request=change_request)
    response = api_client_for(requester.user).post(changes_url(plan, f"{change_request.pk}/implement/"), {})
    assert response.status_code == 403
    change_request.refresh_from_db()
    assert change_request.status == ChangeRequest.Status.APPROVED


def test_change_requests_are_filtered_by_status_kind_and_text(plan: Plan, organization: Organization) -> None:
    requester = member(organization, OrgRole.MEMBER)
    raise_change(plan, requester)
    control.change_request_create(
        actor=requester.user, project=plan.project, title="Cheaper lamps", kind="cost", description="LED", reason="R"
    )
    client = api_client_for(plan.manager.user)

    def numbers(**query: str) -> list[int]:
        return [row["number"] for row in client.get(changes_url(plan), query).json()["results"]]

    assert numbers() == [2, 1]
    assert numbers(status="submitted") == [1]
    assert numbers(kind="cost") == [2]
    assert numbers(text="led") == [2]
    assert numbers(text="CR-1") == [1]
    assert client.get(changes_url(plan), {"kind": "colour"}).status_code == 400


def test_the_change_request_list_runs_a_fixed_number_of_queries(
    plan: Plan,
    django_assert_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    client = api_client_for(plan.admin.user)

    def add_change() -> None:
        change_request = ChangeRequestFactory(
            organization=plan.organization, project=plan.project, decided_by=plan.admin.user
        )
        ChangeRequestElementFactory(organization=plan.organization, change_request=change_request, element=plan.a)
        ChangeRequestElementFactory(organization=plan.organization, change_request=change_request, element=plan.b)
        Baseline.objects.create(
            organization=plan.organization,
            project=plan.project,
            name=f"CR-{change_request.number}",
            created_by=plan.admin.user,
            change_request=change_request,
        )

    add_change()
    # membership with project and project role, count, page (with people and baseline), affected elements
    with django_assert_num_queries(4):
        assert client.get(changes_url(plan)).json()["count"] == 1
    for _ in range(12):
        add_change()
    with django_assert_num_queries(4):
        body = client.get(changes_url(plan)).json()
    assert body["count"] == 13
    assert all(len(row["affected"]) == 2 and row["baseline"] for row in body["results"])
