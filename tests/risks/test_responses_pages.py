"""The responses section of a risk's page: responses, actions, budget, occurrence; phone-friendly forms."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from finance.models import BudgetLine, BudgetVersion
from pmo.models import OrgRole
from risks.models import ActionStatus, Issue, ResponseAction, RiskResponse, RiskStatus
from tests.conftest import page_client_for
from tests.factories import (
    BudgetVersionFactory,
    ProjectFactory,
    ResponseActionFactory,
    RiskFactory,
    RiskResponseFactory,
    member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(organization):
    return member(organization, OrgRole.RISK, username="rita")


@pytest.fixture
def client(manager):
    return page_client_for(manager.user)


@pytest.fixture
def risk(organization):
    return RiskFactory(
        project=ProjectFactory(organization=organization),
        status=RiskStatus.ASSESSED,
        score=12,
        level="medium",
        title="Pump failure",
    )


def risk_page(risk) -> str:
    return f"/o/acme/projects/{risk.project_id}/risks/{risk.pk}/"


def post_url(risk) -> str:
    return f"/o/acme/projects/{risk.project_id}/risks/{risk.pk}/responses/"


def test_the_risk_page_shows_its_responses_and_actions(client, risk, manager) -> None:
    response = RiskResponseFactory(risk=risk, description="Keep a spare pump on site")
    ResponseActionFactory(response=response, title="Buy the spare", owner=manager.user, cost=Decimal("800"))
    page = client.get(risk_page(risk))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Keep a spare pump on site" in text
    assert "Buy the spare" in text
    assert 'name="op" value="response_add"' in text
    assert 'name="op" value="action_status"' in text
    assert 'name="op" value="occurred"' in text


def test_a_response_is_planned_from_the_page_and_moves_the_risk(client, risk) -> None:
    answer = client.post(post_url(risk), {"op": "response_add", "strategy": "mitigate", "description": "Second pump"})
    assert answer.status_code == 302
    assert answer["Location"].endswith("#responses")
    risk.refresh_from_db()
    assert risk.status == RiskStatus.RESPONDING
    assert RiskResponse.objects.for_organization(risk.organization).get().description == "Second pump"


def test_a_refused_response_keeps_the_input_and_says_why(client, risk) -> None:
    answer = client.post(post_url(risk), {"op": "response_add", "strategy": "exploit", "description": "Keep me"})
    assert answer.status_code == 400
    text = answer.content.decode()
    assert "Keep me" in text
    assert 'class="field-error"' in text
    assert not RiskResponse.objects.for_organization(risk.organization).exists()


def test_an_action_is_added_and_its_status_updated(client, risk, manager) -> None:
    response = RiskResponseFactory(risk=risk)
    answer = client.post(
        post_url(risk),
        {
            "op": "action_add",
            "new-response": response.pk,
            "new-title": "Service the pump",
            "new-owner": manager.user.pk,
            "new-due": "2026-06-30",
            "new-status": "planned",
            "new-cost": "300.00",
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    action = ResponseAction.objects.for_organization(risk.organization).get()
    assert (action.title, action.owner, action.cost) == ("Service the pump", manager.user, Decimal("300.00"))
    answer = client.post(post_url(risk), {"op": "action_status", "action": action.pk, f"s{action.pk}-status": "done"})
    assert answer.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert action.done_at is not None


def test_a_bad_due_date_shows_the_form_again(client, risk) -> None:
    response = RiskResponseFactory(risk=risk)
    answer = client.post(
        post_url(risk),
        {"op": "action_add", "new-response": response.pk, "new-title": "x", "new-due": "1700-01-01", "new-cost": "0"},
    )
    assert answer.status_code == 400
    assert not ResponseAction.objects.for_organization(risk.organization).exists()


def test_the_actions_owner_updates_their_action_but_not_the_responses(risk, organization) -> None:
    doer = member(organization, OrgRole.MEMBER, username="dora")
    action = ResponseActionFactory(response=RiskResponseFactory(risk=risk), owner=doer.user)
    client = page_client_for(doer.user)
    text = client.get(risk_page(risk)).content.decode()
    assert 'name="op" value="action_status"' in text
    assert 'name="op" value="response_add"' not in text
    answer = client.post(
        post_url(risk), {"op": "action_status", "action": action.pk, f"s{action.pk}-status": "in_progress"}
    )
    assert answer.status_code == 302
    refused = client.post(post_url(risk), {"op": "response_add", "strategy": "avoid", "description": "x"})
    assert refused.status_code == 403


def test_an_actions_cost_is_added_to_the_draft_budget_from_the_page(organization, risk) -> None:
    pmo = member(organization, OrgRole.PMO)
    client = page_client_for(pmo.user)
    action = ResponseActionFactory(response=RiskResponseFactory(risk=risk), cost=Decimal("950"))
    text = client.get(risk_page(risk)).content.decode()
    assert "open a draft budget version first" in text
    BudgetVersionFactory(project=risk.project, status=BudgetVersion.Status.DRAFT, number=2)
    assert "Add cost to budget v2" in client.get(risk_page(risk)).content.decode()
    answer = client.post(post_url(risk), {"op": "action_budget", "action": action.pk}, follow=True)
    assert "budget version v2" in answer.content.decode()
    assert BudgetLine.objects.for_organization(organization).get().amount == Decimal("950.00")


def test_a_risk_manager_without_budget_rights_cannot_add_to_the_budget(client, risk) -> None:
    action = ResponseActionFactory(response=RiskResponseFactory(risk=risk), cost=Decimal("950"))
    assert client.post(post_url(risk), {"op": "action_budget", "action": action.pk}).status_code == 403


def test_the_occurred_form_opens_the_issue(client, risk) -> None:
    answer = client.post(post_url(risk), {"op": "occurred", "occ-severity": "high", "occ-description": "It broke"})
    assert answer.status_code == 302
    issue = Issue.objects.for_organization(risk.organization).get()
    assert answer["Location"] == issue.get_absolute_url()
    assert (issue.risk, issue.description) == (risk, "It broke")
    risk.refresh_from_db()
    assert risk.status == RiskStatus.OCCURRED
    text = client.get(risk_page(risk)).content.decode()
    assert issue.code in text
    assert 'name="op" value="occurred"' not in text


def test_another_organisations_risk_is_404(client, other_organization) -> None:
    foreign = RiskFactory(project=ProjectFactory(organization=other_organization))
    answer = client.post(post_url(foreign), {"op": "response_add", "strategy": "avoid", "description": "x"})
    assert answer.status_code == 404


def test_an_action_of_another_risk_is_404(client, risk) -> None:
    elsewhere = ResponseActionFactory(response=RiskResponseFactory(risk=RiskFactory(project=risk.project)))
    answer = client.post(post_url(risk), {"op": "action_status", "action": elsewhere.pk, "status": "done"})
    assert answer.status_code == 404


def _queries(client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_section_runs_a_fixed_number_of_queries(client, risk, manager) -> None:
    def grow(n: int) -> None:
        for _ in range(n):
            response = RiskResponseFactory(risk=risk)
            ResponseActionFactory.create_batch(2, response=response, owner=manager.user, cost=Decimal("10"))

    grow(1)
    few = _queries(client, risk_page(risk))
    grow(8)
    assert _queries(client, risk_page(risk)) == few


def test_an_organisation_level_risk_gets_responses_from_its_page(client, organization) -> None:
    risk = RiskFactory(project=None, organization=organization, status=RiskStatus.ASSESSED)
    page = client.get(f"/o/acme/risks/{risk.pk}/").content.decode()
    assert f'action="/o/acme/risks/{risk.pk}/responses/"' in page
    assert 'name="op" value="occurred"' not in page
    answer = client.post(
        f"/o/acme/risks/{risk.pk}/responses/", {"op": "response_add", "strategy": "escalate", "description": "Board"}
    )
    assert answer.status_code == 302
    assert answer["Location"] == f"/o/acme/risks/{risk.pk}/#responses"
    refused = client.post(f"/o/acme/risks/{risk.pk}/responses/", {"op": "response_add", "strategy": "exploit"})
    assert refused.status_code == 400
    assert "Risks" in refused.content.decode() or "风险" in refused.content.decode()
