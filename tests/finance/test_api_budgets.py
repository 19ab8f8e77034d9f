"""The budget API: versions and lines, submission and approval by finance, and the budget reads."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from finance.models import BudgetVersion
from pmo.models import Organization, OrgRole
from projects.models import ChangeRequest, Project, ProjectRole
from tests.conftest import api_client_for
from tests.factories import (
    BaselineFactory,
    BaselineTaskFactory,
    BudgetVersionFactory,
    ChangeRequestFactory,
    CostCategoryFactory,
    ProjectFactory,
    ProjectMemberFactory,
    WbsElementFactory,
    member,
)
from tests.finance.test_services_support import Team, approved_budget, category, make_team

pytestmark = pytest.mark.django_db
BASE = "/api/v1/orgs/acme"


@pytest.fixture
def project(organization: Organization) -> Project:
    return ProjectFactory(organization=organization)


@pytest.fixture
def team(organization: Organization) -> Team:
    return make_team(organization)


def budgets_url(project: Project) -> str:
    return f"{BASE}/projects/{project.pk}/budgets/"


def test_a_budget_goes_from_draft_to_current_over_the_api(project: Project, team: Team) -> None:
    editor, approver = api_client_for(team.editor.user), api_client_for(team.approver.user)
    element = WbsElementFactory(project=project, code="1")
    labour = category(project.organization, "labour")

    created = editor.post(budgets_url(project), {"note": "Tender"}, format="json")
    assert created.status_code == 201, created.json()
    version = created.json()
    assert (version["number"], version["status"], version["lines"], version["lines_total"]) == (1, "draft", [], "0.00")
    url = f"{budgets_url(project)}{version['id']}/"

    line = editor.post(
        f"{url}lines/", {"category": labour.pk, "amount": "1200.5", "wbs_element": element.pk}, format="json"
    )
    assert line.status_code == 201, line.json()
    assert line.json() | {"id": 0} == {
        "id": 0,
        "category": labour.pk,
        "category_code": "labour",
        "category_name": "人工 Labour",
        "wbs_element": element.pk,
        "wbs_code": "1",
        "wbs_name": element.name,
        "amount": "1200.50",
        "note": "",
        "change_request": None,
    }
    reserves = editor.patch(url, {"contingency_reserve": "100", "management_reserve": "50.25"}, format="json")
    assert reserves.status_code == 200
    assert (reserves.json()["contingency_reserve"], reserves.json()["management_reserve"]) == ("100.00", "50.25")

    submitted = editor.post(f"{url}submit/", {}, format="json")
    assert submitted.json()["status"] == "submitted"
    approved = approver.post(f"{url}approve/", {"comment": "OK"}, format="json")
    assert approved.status_code == 200, approved.json()

    body = approver.get(url).json()
    assert (body["status"], body["is_current"], body["decision_comment"]) == ("approved", True, "OK")
    assert body["lines_total"] == "1200.50"
    assert body["decided_by"]["id"] == team.approver.user.pk
    assert body["comparison"] == [
        {
            "category": {"id": labour.pk, "code": "labour", "name": "人工 Labour", "order": 1, "is_active": True},
            "amount": "1200.50",
            "current": "1200.50",
            "difference": "0.00",
        }
    ]
    listed = editor.get(budgets_url(project)).json()
    assert [row["number"] for row in listed["results"]] == [1]
    assert "lines" not in listed["results"][0]


def test_the_submitter_cannot_approve_over_the_api(project: Project, team: Team) -> None:
    finance = api_client_for(team.approver.user)
    version = approved_budget(project, team, {"labour": "10"})
    draft = finance.post(budgets_url(project), {}, format="json").json()
    url = f"{budgets_url(project)}{draft['id']}/"
    finance.post(f"{url}submit/", {}, format="json")

    refused = finance.post(f"{url}approve/", {}, format="json")

    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "separation_of_duties"
    version.refresh_from_db()
    assert version.is_current
    second = api_client_for(team.second_approver.user).post(f"{url}approve/", {}, format="json")
    assert second.status_code == 200
    version.refresh_from_db()
    assert version.status == BudgetVersion.Status.SUPERSEDED


@pytest.mark.parametrize("role", [OrgRole.ADMIN, OrgRole.PMO, OrgRole.PROJECT_MANAGER, OrgRole.VIEWER])
def test_only_finance_may_approve_or_reject(project: Project, team: Team, role: OrgRole) -> None:
    version = BudgetVersionFactory(project=project, status=BudgetVersion.Status.SUBMITTED)
    client = api_client_for(member(project.organization, role).user)

    for verb in ("approve", "reject"):
        response = client.post(f"{budgets_url(project)}{version.pk}/{verb}/", {"comment": "x"}, format="json")
        assert response.status_code == 403
    version.refresh_from_db()
    assert version.status == BudgetVersion.Status.SUBMITTED


def test_rejecting_needs_a_comment(project: Project, team: Team) -> None:
    version = BudgetVersionFactory(
        project=project, status=BudgetVersion.Status.SUBMITTED, submitted_by=team.editor.user
    )
    url = f"{budgets_url(project)}{version.pk}/reject/"
    finance = api_client_for(team.approver.user)

    missing = finance.post(url, {}, format="json")
    assert missing.status_code == 400
    assert "comment" in missing.json()["error"]["fields"]

    rejected = finance.post(url, {"comment": "Too high"}, format="json")
    assert rejected.json()["status"] == "rejected"


def test_a_second_open_version_is_refused(project: Project, team: Team) -> None:
    editor = api_client_for(team.editor.user)
    editor.post(budgets_url(project), {}, format="json")

    response = editor.post(budgets_url(project), {}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "open_version_exists"


def test_a_project_manager_edits_the_budget_of_their_own_project_only(organization: Organization) -> None:
    manager = member(organization, OrgRole.PROJECT_MANAGER)
    mine, theirs = ProjectFactory(organization=organization), ProjectFactory(organization=organization)
    ProjectMemberFactory(project=mine, user=manager.user, role=ProjectRole.MANAGER)
    client = api_client_for(manager.user)

    assert client.post(budgets_url(mine), {}, format="json").status_code == 201
    assert client.post(budgets_url(theirs), {}, format="json").status_code == 403
    assert client.get(budgets_url(theirs)).status_code == 200


def test_a_draft_opens_from_an_approved_change_request_of_the_project(project: Project, team: Team) -> None:
    editor = api_client_for(team.editor.user)
    change = ChangeRequestFactory(project=project, status=ChangeRequest.Status.APPROVED, impact_cost=Decimal("500"))
    elsewhere = ChangeRequestFactory(
        project=ProjectFactory(organization=project.organization),
        status=ChangeRequest.Status.APPROVED,
        impact_cost=Decimal("500"),
    )
    url = f"{budgets_url(project)}from-change-request/"

    foreign = editor.post(url, {"change_request": elsewhere.pk}, format="json")
    assert foreign.status_code == 400
    assert "change_request" in foreign.json()["error"]["fields"]

    response = editor.post(url, {"change_request": change.pk}, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["change_request"], response.json()["status"]) == (change.pk, "draft")


def test_lines_refuse_other_organisations_categories_and_other_projects_elements(
    project: Project, team: Team, other_organization: Organization
) -> None:
    editor = api_client_for(team.editor.user)
    version = editor.post(budgets_url(project), {}, format="json").json()
    url = f"{budgets_url(project)}{version['id']}/lines/"
    labour = category(project.organization, "labour")

    foreign = editor.post(
        url, {"category": CostCategoryFactory(organization=other_organization).pk, "amount": "1"}, format="json"
    )
    other_element = WbsElementFactory(project=ProjectFactory(organization=project.organization))
    elsewhere = editor.post(url, {"category": labour.pk, "amount": "1", "wbs_element": other_element.pk}, format="json")
    negative = editor.post(url, {"category": labour.pk, "amount": "-1"}, format="json")

    assert "category" in foreign.json()["error"]["fields"]
    assert "wbs_element" in elsewhere.json()["error"]["fields"]
    assert "amount" in negative.json()["error"]["fields"]
    assert editor.get(url).json() == []


def test_lines_of_another_projects_version_are_not_found(project: Project, team: Team) -> None:
    other = BudgetVersionFactory(project=ProjectFactory(organization=project.organization))

    response = api_client_for(team.editor.user).get(f"{budgets_url(project)}{other.pk}/lines/")

    assert response.status_code == 404


def test_a_line_changes_and_goes_over_the_api(project: Project, team: Team) -> None:
    editor = api_client_for(team.editor.user)
    version = editor.post(budgets_url(project), {}, format="json").json()
    url = f"{budgets_url(project)}{version['id']}/lines/"
    line = editor.post(url, {"category": category(project.organization, "labour").pk, "amount": "5"}, format="json")

    changed = editor.patch(f"{url}{line.json()['id']}/", {"amount": "7.5", "note": "More"}, format="json")
    assert (changed.json()["amount"], changed.json()["note"]) == ("7.50", "More")
    assert editor.delete(f"{url}{line.json()['id']}/").status_code == 204
    assert editor.get(url).json() == []


def test_budget_by_category_and_reconciliation_read_the_current_budget(project: Project, team: Team) -> None:
    element = WbsElementFactory(project=project, code="1")
    approved_budget(project, team, {"labour@e": "300.00", "materials": "100.00"}, {"e": element})
    baseline = BaselineFactory(project=project, is_current=True)
    BaselineTaskFactory(baseline=baseline, code="1", budgeted_cost=Decimal("250.00"))
    client = api_client_for(member(project.organization, OrgRole.VIEWER).user)

    by_category = client.get(f"{BASE}/projects/{project.pk}/budget-by-category/").json()
    assert by_category[0]["category"]["code"] == "labour"
    assert {key: by_category[0][key] for key in ("approved", "committed", "actual", "remaining", "over")} == {
        "approved": "300.00",
        "committed": "0.00",
        "actual": "0.00",
        "remaining": "300.00",
        "over": False,
    }

    reconciliation = client.get(f"{budgets_url(project)}reconciliation/").json()
    assert {key: reconciliation[key] for key in ("approved_total", "baseline_total", "difference", "is_equal")} == {
        "approved_total": "400.00",
        "baseline_total": "250.00",
        "difference": "150.00",
        "is_equal": False,
    }
    assert reconciliation["baseline"] == baseline.pk
    assert [(row["code"], row["difference"]) for row in reconciliation["rows"]] == [("1", "50.00"), ("", "100.00")]


def test_reconciliation_without_a_baseline_or_budget_is_empty(project: Project, api: APIClient) -> None:
    body = api.get(f"{budgets_url(project)}reconciliation/").json()

    assert body == {
        "version": None,
        "approved_total": "0.00",
        "contingency_reserve": "0.00",
        "management_reserve": "0.00",
        "reserves": "0.00",
        "baseline": None,
        "baseline_total": None,
        "difference": None,
        "is_equal": False,
        "rows": [],
    }
