"""The API of a risk's responses and actions: who may write, bad input, budget, query counts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from finance.models import BudgetLine, BudgetVersion
from pmo.models import OrgRole
from risks.api.responses import ACTION_ROWS, RESPONSE_ROWS, ResponseActionSerializer, RiskResponseSerializer
from risks.models import ResponseAction, RiskResponse, RiskStatus
from tests.conftest import api_client_for
from tests.factories import (
    BudgetVersionFactory,
    ProjectFactory,
    ProjectMemberFactory,
    ResponseActionFactory,
    RiskFactory,
    RiskResponseFactory,
    member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(organization):
    return ProjectFactory(organization=organization)


@pytest.fixture
def risk(project):
    return RiskFactory(project=project, status=RiskStatus.ASSESSED, score=12, level="medium")


def base(risk) -> str:
    return f"/api/v1/orgs/acme/projects/{risk.project_id}/risks/{risk.pk}"


def test_a_response_is_planned_and_the_risk_moves_to_responding(api: APIClient, risk) -> None:
    answer = api.post(f"{base(risk)}/responses/", {"strategy": "mitigate", "description": "Dual source"}, format="json")
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert (body["strategy"], body["description"], body["risk"]) == ("mitigate", "Dual source", risk.pk)
    risk.refresh_from_db()
    assert risk.status == RiskStatus.RESPONDING


def test_a_wrong_strategy_is_a_400_with_the_standard_body_and_nothing_changes(api: APIClient, risk) -> None:
    answer = api.post(f"{base(risk)}/responses/", {"strategy": "exploit", "description": "x"}, format="json")
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "strategy_not_for_kind"
    assert "strategy" in error["fields"]
    assert not RiskResponse.objects.for_organization(risk.organization).exists()
    answer = api.post(f"{base(risk)}/responses/", {"strategy": "avoid", "colour": "red"}, format="json")
    assert answer.status_code == 400
    assert "colour" in answer.json()["error"]["fields"]


def test_another_organisations_risk_is_404(api: APIClient, other_organization) -> None:
    foreign = RiskFactory(project=ProjectFactory(organization=other_organization))
    answer = api.get(f"/api/v1/orgs/acme/projects/{foreign.project_id}/risks/{foreign.pk}/responses/")
    assert answer.status_code == 404
    answer = api.post(
        f"/api/v1/orgs/rival/projects/{foreign.project_id}/risks/{foreign.pk}/responses/",
        {"strategy": "avoid", "description": "x"},
        format="json",
    )
    assert answer.status_code == 404
    assert not RiskResponse.objects.unscoped().exists()


def test_a_risk_of_another_project_is_404(api: APIClient, risk, organization) -> None:
    other = ProjectFactory(organization=organization)
    answer = api.get(f"/api/v1/orgs/acme/projects/{other.pk}/risks/{risk.pk}/responses/")
    assert answer.status_code == 404


def test_the_risks_owner_responds_and_other_members_may_not(risk, organization) -> None:
    owner = member(organization, OrgRole.MEMBER, username="olly")
    bystander = member(organization, OrgRole.MEMBER, username="bea")
    risk.owner = owner.user
    risk.save()
    payload = {"strategy": "accept", "description": "Live with it"}

    assert api_client_for(bystander.user).post(f"{base(risk)}/responses/", payload, format="json").status_code == 403
    assert api_client_for(owner.user).post(f"{base(risk)}/responses/", payload, format="json").status_code == 201


def test_a_viewer_reads_but_cannot_write(risk, organization) -> None:
    viewer = api_client_for(member(organization, OrgRole.VIEWER).user)
    RiskResponseFactory(risk=risk)
    assert viewer.get(f"{base(risk)}/responses/").status_code == 200
    answer = viewer.post(f"{base(risk)}/responses/", {"strategy": "avoid", "description": "x"}, format="json")
    assert answer.status_code == 403


def test_a_response_is_changed_and_removed(api: APIClient, risk) -> None:
    response = RiskResponseFactory(risk=risk)
    answer = api.patch(f"{base(risk)}/responses/{response.pk}/", {"strategy": "transfer"}, format="json")
    assert answer.status_code == 200
    assert answer.json()["strategy"] == "transfer"
    assert api.delete(f"{base(risk)}/responses/{response.pk}/").status_code == 204
    assert not RiskResponse.objects.for_organization(risk.organization).exists()


def test_an_action_is_added_to_a_response_of_the_risk_only(api: APIClient, risk, admin_user) -> None:
    response = RiskResponseFactory(risk=risk)
    elsewhere = RiskResponseFactory(risk=RiskFactory(project=risk.project))
    payload = {"response": response.pk, "title": "Order spares", "owner": admin_user.pk, "cost": "1500.00"}
    answer = api.post(f"{base(risk)}/actions/", payload, format="json")
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert (body["title"], body["cost"], body["owner"]["id"], body["status"]) == (
        "Order spares",
        "1500.00",
        admin_user.pk,
        "planned",
    )
    answer = api.post(f"{base(risk)}/actions/", {**payload, "response": elsewhere.pk}, format="json")
    assert answer.status_code == 400
    assert "response" in answer.json()["error"]["fields"]
    assert ResponseAction.objects.for_organization(risk.organization).count() == 1


def test_an_action_with_a_foreign_owner_or_bad_date_changes_nothing(api: APIClient, risk, other_organization) -> None:
    response = RiskResponseFactory(risk=risk)
    stranger = member(other_organization, OrgRole.MEMBER).user
    for bad in ({"owner": stranger.pk}, {"due": "1800-01-01"}, {"cost": "-5"}, {"status": "finished"}):
        answer = api.post(f"{base(risk)}/actions/", {"response": response.pk, "title": "x", **bad}, format="json")
        assert answer.status_code == 400, bad
        assert set(answer.json()["error"]["fields"]) == set(bad)
    assert not ResponseAction.objects.for_organization(risk.organization).exists()


def test_the_actions_owner_updates_its_status(risk, organization) -> None:
    doer = member(organization, OrgRole.MEMBER, username="dora")
    action = ResponseActionFactory(response=RiskResponseFactory(risk=risk), owner=doer.user)
    client = api_client_for(doer.user)
    answer = client.patch(f"{base(risk)}/actions/{action.pk}/", {"status": "done"}, format="json")
    assert answer.status_code == 200
    assert answer.json()["done_at"] is not None
    other = ResponseActionFactory(response=action.response)
    assert client.patch(f"{base(risk)}/actions/{other.pk}/", {"status": "done"}, format="json").status_code == 403


def test_an_actions_cost_goes_to_the_draft_budget(api: APIClient, risk) -> None:
    draft = BudgetVersionFactory(project=risk.project, status=BudgetVersion.Status.DRAFT)
    action = ResponseActionFactory(response=RiskResponseFactory(risk=risk), cost=Decimal("750"))
    answer = api.post(f"{base(risk)}/actions/{action.pk}/add-to-budget/", {}, format="json")
    assert answer.status_code == 200, answer.json()
    assert answer.json()["budget_version"] == draft.pk
    assert BudgetLine.objects.for_organization(risk.organization).get().amount == Decimal("750.00")
    again = api.post(f"{base(risk)}/actions/{action.pk}/add-to-budget/", {}, format="json")
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "already_budgeted"


def test_without_a_draft_the_budget_answers_400_and_nothing_is_added(api: APIClient, risk) -> None:
    action = ResponseActionFactory(response=RiskResponseFactory(risk=risk), cost=Decimal("750"))
    answer = api.post(f"{base(risk)}/actions/{action.pk}/add-to-budget/", {}, format="json")
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "no_draft_budget"
    assert not BudgetVersion.objects.for_organization(risk.organization).exists()


def test_adding_to_the_budget_needs_the_right_to_prepare_budgets(risk, organization) -> None:
    risk_manager = api_client_for(member(organization, OrgRole.RISK).user)
    BudgetVersionFactory(project=risk.project, status=BudgetVersion.Status.DRAFT)
    action = ResponseActionFactory(response=RiskResponseFactory(risk=risk), cost=Decimal("750"))
    answer = risk_manager.post(f"{base(risk)}/actions/{action.pk}/add-to-budget/", {}, format="json")
    assert answer.status_code == 403
    controller = member(organization, OrgRole.MEMBER)
    ProjectMemberFactory(project=risk.project, user=controller.user, role="controller")
    answer = api_client_for(controller.user).post(f"{base(risk)}/actions/{action.pk}/add-to-budget/", {}, format="json")
    assert answer.status_code == 200


def test_the_lists_answer_what_the_serializers_declare(api: APIClient, risk, admin_user) -> None:
    response = RiskResponseFactory(risk=risk, created_by=admin_user)
    RiskResponseFactory(risk=risk)
    ResponseActionFactory(response=response, owner=admin_user, cost=Decimal("12.5"))
    ResponseActionFactory(response=response, status="done")
    responses = RiskResponse.objects.for_organization(risk.organization).filter(risk=risk).order_by("id")
    actions = ResponseAction.objects.for_organization(risk.organization).filter(risk=risk).order_by("id")

    assert api.get(f"{base(risk)}/responses/").json()["results"] == RiskResponseSerializer(responses, many=True).data
    assert api.get(f"{base(risk)}/actions/?ordering=id").json()["results"] == (
        ResponseActionSerializer(actions, many=True).data
    )
    assert (
        RESPONSE_ROWS.build(responses.values(*RESPONSE_ROWS.columns))
        == RiskResponseSerializer(responses, many=True).data
    )
    assert ACTION_ROWS.build(actions.values(*ACTION_ROWS.columns)) == ResponseActionSerializer(actions, many=True).data


@pytest.mark.parametrize("size", [2, 20])
def test_the_lists_run_a_fixed_number_of_queries(api: APIClient, risk, size, django_assert_num_queries) -> None:
    for _ in range(size):
        response = RiskResponseFactory(risk=risk)
        ResponseActionFactory(response=response, owner=response.created_by)
    # The membership with the project and role, the risk, the count and the page.
    with django_assert_num_queries(4):
        assert api.get(f"{base(risk)}/responses/").status_code == 200
    with django_assert_num_queries(4):
        assert api.get(f"{base(risk)}/actions/").status_code == 200


def test_an_organisation_level_risk_takes_responses_and_actions(api: APIClient, organization, admin_user) -> None:
    risk = RiskFactory(project=None, organization=organization, status=RiskStatus.ASSESSED)
    base_url = f"/api/v1/orgs/acme/risks/{risk.pk}"
    answer = api.post(f"{base_url}/responses/", {"strategy": "escalate", "description": "To the board"}, format="json")
    assert answer.status_code == 201, answer.json()
    response_id = answer.json()["id"]
    answer = api.post(f"{base_url}/actions/", {"response": response_id, "title": "Board paper"}, format="json")
    assert answer.status_code == 201, answer.json()
    assert [row["title"] for row in api.get(f"{base_url}/actions/").json()["results"]] == ["Board paper"]
    refused = api.post(f"{base_url}/actions/{answer.json()['id']}/add-to-budget/", {}, format="json")
    assert refused.status_code == 400
    risk.refresh_from_db()
    assert risk.status == RiskStatus.RESPONDING


def test_the_organisation_routes_reach_a_project_risk_with_the_users_project_role(risk, organization) -> None:
    payload = {"strategy": "mitigate", "description": "x"}
    bystander = api_client_for(member(organization, OrgRole.MEMBER).user)
    assert bystander.post(f"/api/v1/orgs/acme/risks/{risk.pk}/responses/", payload, format="json").status_code == 403
    manager = member(organization, OrgRole.MEMBER)
    ProjectMemberFactory(project=risk.project, user=manager.user, role="manager")
    client = api_client_for(manager.user)
    assert client.post(f"/api/v1/orgs/acme/risks/{risk.pk}/responses/", payload, format="json").status_code == 201
    assert len(client.get(f"{base(risk)}/responses/").json()["results"]) == 1


@pytest.mark.parametrize("size", [2, 20])
def test_an_organisation_level_risks_lists_run_a_fixed_number_of_queries(
    api: APIClient, organization, size, django_assert_num_queries
) -> None:
    risk = RiskFactory(project=None, organization=organization)
    for _ in range(size):
        ResponseActionFactory(response=RiskResponseFactory(risk=risk))
    # The membership, the risk, the count and the page.
    with django_assert_num_queries(4):
        assert api.get(f"/api/v1/orgs/acme/risks/{risk.pk}/responses/").status_code == 200
    with django_assert_num_queries(4):
        assert api.get(f"/api/v1/orgs/acme/risks/{risk.pk}/actions/").status_code == 200
