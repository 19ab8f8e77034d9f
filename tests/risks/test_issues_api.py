"""The API of the issues log: list with filters, writes, occurred risks, change requests, query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from pmo.models import OrgRole
from projects.models import ChangeRequest
from risks.api.issues import ISSUE_ROWS, IssueSerializer
from risks.models import Issue, IssueStatus, RiskStatus
from tests.conftest import api_client_for
from tests.factories import (
    ChangeRequestFactory,
    IssueFactory,
    ProjectFactory,
    RiskFactory,
    member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(organization):
    return ProjectFactory(organization=organization)


def url(project, suffix: str = "") -> str:
    return f"/api/v1/orgs/acme/projects/{project.pk}/issues/{suffix}"


def test_an_issue_is_raised_numbered_and_shown(api: APIClient, project, admin_user) -> None:
    answer = api.post(
        url(project), {"title": "Crane down", "severity": "high", "owner": admin_user.pk, "due": "2026-05-01"}
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert (body["code"], body["severity"], body["status"], body["owner"]["id"], body["due"]) == (
        "I-001",
        "high",
        "open",
        admin_user.pk,
        "2026-05-01",
    )
    assert api.get(url(project, f"{body['id']}/")).json()["title"] == "Crane down"


def test_bad_input_is_a_400_and_raises_nothing(api: APIClient, project, other_organization) -> None:
    stranger = member(other_organization, OrgRole.MEMBER).user
    for bad in (
        {"title": ""},
        {"title": "x", "severity": "dire"},
        {"title": "x", "owner": stranger.pk},
        {"title": "x", "due": "2300-01-01"},
        {"title": "x", "extra": 1},
    ):
        answer = api.post(url(project), bad, format="json")
        assert answer.status_code == 400, bad
        assert set(answer.json()["error"]) == {"code", "message", "fields"}
    assert not Issue.objects.for_organization(project.organization).exists()


def test_another_organisations_issue_is_404(api: APIClient, other_organization) -> None:
    issue = IssueFactory(project=ProjectFactory(organization=other_organization))
    assert api.get(f"/api/v1/orgs/acme/projects/{issue.project_id}/issues/{issue.pk}/").status_code == 404
    answer = api.post(f"/api/v1/orgs/acme/projects/{issue.project_id}/issues/{issue.pk}/resolve/", {"resolution": "x"})
    assert answer.status_code == 404
    issue.refresh_from_db()
    assert issue.status == IssueStatus.OPEN


def test_an_issue_is_updated_resolved_closed_and_reopened(api: APIClient, project) -> None:
    issue = IssueFactory(project=project)
    assert api.patch(url(project, f"{issue.pk}/"), {"status": "in_progress"}, format="json").json()["status"] == (
        "in_progress"
    )
    answer = api.post(url(project, f"{issue.pk}/resolve/"), {}, format="json")
    assert answer.status_code == 400
    assert "resolution" in answer.json()["error"]["fields"]
    answer = api.post(url(project, f"{issue.pk}/resolve/"), {"resolution": "Second crane"}, format="json")
    assert answer.json()["status"] == "resolved"
    assert answer.json()["resolved_at"] is not None
    assert api.post(url(project, f"{issue.pk}/close/"), {}, format="json").json()["status"] == "closed"
    assert api.post(url(project, f"{issue.pk}/reopen/"), {"reason": "Back"}, format="json").json()["status"] == "open"


def test_the_issue_owner_updates_it_but_only_issue_managers_close_it(project, organization) -> None:
    owner = member(organization, OrgRole.MEMBER)
    issue = IssueFactory(project=project, owner=owner.user)
    client = api_client_for(owner.user)
    assert client.patch(url(project, f"{issue.pk}/"), {"severity": "low"}, format="json").status_code == 200
    assert client.post(url(project, f"{issue.pk}/resolve/"), {"resolution": "Done"}, format="json").status_code == 200
    assert client.post(url(project, f"{issue.pk}/close/"), {}, format="json").status_code == 403
    other = IssueFactory(project=project)
    assert client.patch(url(project, f"{other.pk}/"), {"severity": "low"}, format="json").status_code == 403
    assert client.post(url(project), {"title": "x"}, format="json").status_code == 403


def test_the_list_filters_by_status_severity_owner_and_overdue(api: APIClient, project, admin_user) -> None:
    late = IssueFactory(project=project, due=dt.date(2020, 1, 1), severity="high", owner=admin_user)
    IssueFactory(project=project, due=dt.date(2020, 1, 1), status="resolved", resolution="ok")
    later = IssueFactory(project=project, due=dt.date(2099, 1, 1), severity="low")

    def ids(query: str) -> set[int]:
        answer = api.get(url(project) + query)
        assert answer.status_code == 200, answer.json()
        return {row["id"] for row in answer.json()["results"]}

    assert ids("?overdue=true") == {late.pk}
    assert late.pk not in ids("?overdue=false")
    assert ids("?severity=low") == {later.pk}
    assert ids(f"?owner={admin_user.pk}") == {late.pk}
    assert len(ids("?status=resolved")) == 1
    assert ids(f"?text=I-{later.number}") == {later.pk}
    assert api.get(url(project) + "?severity=dire").status_code == 400


def test_the_list_answers_what_the_serializer_declares(api: APIClient, project, admin_user) -> None:
    risk = RiskFactory(project=project)
    IssueFactory(project=project, risk=risk, owner=admin_user, due=dt.date(2026, 4, 1))
    IssueFactory(project=project, change_request=ChangeRequestFactory(project=project))
    IssueFactory(project=project, status="closed", resolution="Gone")
    rows = Issue.objects.for_organization(project.organization).filter(project=project).order_by("-number")
    expected = IssueSerializer(rows, many=True).data
    assert api.get(url(project)).json()["results"] == expected
    assert ISSUE_ROWS.build(rows.values(*ISSUE_ROWS.columns)) == expected
    assert expected[2]["risk_code"] == risk.code


@pytest.mark.parametrize("size", [3, 30])
def test_the_list_runs_a_fixed_number_of_queries(
    api: APIClient, project, admin_user, size, django_assert_num_queries
) -> None:
    for i in range(size):
        IssueFactory(
            project=project,
            owner=admin_user,
            risk=RiskFactory(project=project) if i % 2 else None,
            change_request=ChangeRequestFactory(project=project) if i % 3 == 0 else None,
        )
    # The membership with the project and role, the count and the page.
    with django_assert_num_queries(3):
        assert api.get(url(project)).status_code == 200
    # The owner filter checks the owner is a member: one more.
    with django_assert_num_queries(4):
        assert api.get(url(project) + f"?owner={admin_user.pk}&overdue=false&severity=medium").status_code == 200


# --- occurred risks and change requests -------------------------------------------------------


def test_an_occurred_risk_becomes_an_issue(api: APIClient, project) -> None:
    risk = RiskFactory(project=project, status=RiskStatus.MONITORING, title="Flood")
    answer = api.post(
        f"/api/v1/orgs/acme/projects/{project.pk}/risks/{risk.pk}/occurred/", {"severity": "critical"}, format="json"
    )
    assert answer.status_code == 201, answer.json()
    assert (answer.json()["title"], answer.json()["risk"], answer.json()["risk_code"]) == ("Flood", risk.pk, risk.code)
    risk.refresh_from_db()
    assert risk.status == RiskStatus.OCCURRED
    again = api.post(
        f"/api/v1/orgs/acme/projects/{project.pk}/risks/{risk.pk}/occurred/", {"severity": "critical"}, format="json"
    )
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "already_occurred"


def test_a_closed_risk_does_not_occur(api: APIClient, project) -> None:
    risk = RiskFactory(project=project, status=RiskStatus.CLOSED)
    answer = api.post(
        f"/api/v1/orgs/acme/projects/{project.pk}/risks/{risk.pk}/occurred/", {"severity": "high"}, format="json"
    )
    assert answer.status_code == 400
    assert not Issue.objects.for_organization(project.organization).exists()


def test_an_issue_opens_a_prefilled_change_request_once(api: APIClient, project) -> None:
    issue = IssueFactory(project=project, title="Soil softer than surveyed", description="Piles must go deeper")
    answer = api.post(url(project, f"{issue.pk}/change-request/"), {"kind": "cost", "impact_cost": "25000.00"})
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert (body["title"], body["description"], body["status"], body["impact_cost"]) == (
        f"I-{issue.number:03d} Soil softer than surveyed",
        "Piles must go deeper",
        "draft",
        "25000.00",
    )
    assert api.get(url(project, f"{issue.pk}/")).json()["change_request"] == body["id"]
    again = api.post(url(project, f"{issue.pk}/change-request/"), {"kind": "cost"})
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "change_request_open"
    assert ChangeRequest.objects.for_organization(project.organization).count() == 1


def test_a_stale_etag_refuses_the_change(api: APIClient, project) -> None:
    issue = IssueFactory(project=project)
    etag = api.get(url(project, f"{issue.pk}/"))["ETag"]
    assert (
        api.patch(url(project, f"{issue.pk}/"), {"title": "First"}, format="json", HTTP_IF_MATCH=etag).status_code
        == 200
    )
    stale = api.patch(url(project, f"{issue.pk}/"), {"title": "Second"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    issue.refresh_from_db()
    assert issue.title == "First"
