"""Responses to risks, their actions, and an action's cost carried into a budget draft."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from finance.models import BudgetLine, BudgetVersion
from pmo.errors import ApplicationError
from pmo.models import AuditEvent, Membership, OrgRole
from risks.models import ActionStatus, ResponseAction, Risk, RiskAssessment, RiskResponse, RiskStatus
from risks.services import responses as services
from tests.factories import (
    BudgetLineFactory,
    BudgetVersionFactory,
    CostCategoryFactory,
    ProjectFactory,
    ResponseActionFactory,
    RiskFactory,
    RiskResponseFactory,
    RiskWbsLinkFactory,
    UserFactory,
    member,
)


@pytest.fixture
def manager(organization) -> Membership:
    return member(organization, OrgRole.RISK, username="rita")


@pytest.fixture
def project(organization):
    return ProjectFactory(organization=organization)


@pytest.fixture
def assessed(project) -> Risk:
    return RiskFactory(project=project, status=RiskStatus.ASSESSED, probability=3, impact=4, score=12, level="medium")


def test_the_first_response_moves_an_assessed_risk_to_responding_with_a_history_entry(assessed, manager) -> None:
    response = services.response_add(
        actor=manager.user, risk=assessed, strategy="mitigate", description="  Second supplier  "
    )

    assessed.refresh_from_db()
    assert response.description == "Second supplier"
    assert assessed.status == RiskStatus.RESPONDING
    entry = RiskAssessment.objects.for_organization(assessed.organization).get(risk=assessed)
    assert entry.kind == RiskAssessment.Kind.STATUS
    assert entry.changes == {"status": ["assessed", "responding"]}
    assert entry.actor == manager.user
    assert AuditEvent.objects.for_organization(assessed.organization).filter(action="risk_response.added").count() == 1


def test_a_second_response_leaves_the_status_and_adds_no_history(assessed, manager) -> None:
    services.response_add(actor=manager.user, risk=assessed, strategy="mitigate", description="One")
    services.response_add(actor=manager.user, risk=assessed, strategy="transfer", description="Insure it")

    assert RiskAssessment.objects.for_organization(assessed.organization).filter(risk=assessed).count() == 1


def test_an_identified_risk_keeps_its_status_when_it_gets_a_response(project, manager) -> None:
    risk = RiskFactory(project=project)
    services.response_add(actor=manager.user, risk=risk, strategy="avoid", description="Redesign")
    risk.refresh_from_db()
    assert risk.status == RiskStatus.IDENTIFIED


@pytest.mark.parametrize("strategy", ["exploit", "enhance", "share", "nonsense"])
def test_a_threat_refuses_the_strategies_of_opportunities(assessed, manager, strategy) -> None:
    with pytest.raises(ApplicationError) as error:
        services.response_add(actor=manager.user, risk=assessed, strategy=strategy, description="x")
    assert error.value.code == "strategy_not_for_kind"
    assert "strategy" in error.value.fields
    assert not RiskResponse.objects.for_organization(assessed.organization).exists()
    assessed.refresh_from_db()
    assert assessed.status == RiskStatus.ASSESSED


@pytest.mark.parametrize("strategy", ["avoid", "mitigate", "transfer"])
def test_an_opportunity_refuses_the_strategies_of_threats(project, manager, strategy) -> None:
    risk = RiskFactory(project=project, kind="opportunity")
    with pytest.raises(ApplicationError):
        services.response_add(actor=manager.user, risk=risk, strategy=strategy, description="x")


def test_an_opportunity_is_exploited(project, manager) -> None:
    risk = RiskFactory(project=project, kind="opportunity")
    response = services.response_add(actor=manager.user, risk=risk, strategy="exploit", description="Bid early")
    assert response.strategy == "exploit"


def test_a_response_needs_a_description(assessed, manager) -> None:
    with pytest.raises(ApplicationError) as error:
        services.response_add(actor=manager.user, risk=assessed, strategy="mitigate", description="   ")
    assert "description" in error.value.fields


@pytest.mark.parametrize("status", [RiskStatus.CLOSED, RiskStatus.OCCURRED])
def test_a_closed_or_occurred_risk_takes_no_new_response(project, manager, status) -> None:
    risk = RiskFactory(project=project, status=status)
    with pytest.raises(ApplicationError) as error:
        services.response_add(actor=manager.user, risk=risk, strategy="mitigate", description="x")
    assert error.value.code == "risk_not_open"


def test_updating_a_response_checks_the_strategy_and_audits_what_changed(assessed, manager) -> None:
    response = RiskResponseFactory(risk=assessed)
    with pytest.raises(ApplicationError):
        services.response_update(actor=manager.user, response=response, strategy="exploit")
    services.response_update(actor=manager.user, response=response, strategy="transfer", description="Insurance")
    response.refresh_from_db()
    assert (response.strategy, response.description) == ("transfer", "Insurance")
    event = AuditEvent.objects.for_organization(assessed.organization).get(action="risk_response.updated")
    assert event.changes["strategy"] == ["mitigate", "transfer"]


def test_removing_the_last_response_moves_a_responding_risk_back_to_assessed(assessed, manager) -> None:
    response = services.response_add(actor=manager.user, risk=assessed, strategy="mitigate", description="x")
    ResponseActionFactory(response=response)
    services.response_remove(actor=manager.user, response=response)

    assessed.refresh_from_db()
    assert assessed.status == RiskStatus.ASSESSED
    assert not ResponseAction.objects.for_organization(assessed.organization).exists()
    kinds = list(
        RiskAssessment.objects.for_organization(assessed.organization).order_by("id").values_list("changes", flat=True)
    )
    assert kinds == [{"status": ["assessed", "responding"]}, {"status": ["responding", "assessed"]}]


# --- actions ----------------------------------------------------------------------------


def test_an_action_has_an_owner_who_is_a_member(assessed, manager, organization) -> None:
    response = RiskResponseFactory(risk=assessed)
    outsider = UserFactory()
    with pytest.raises(ApplicationError) as error:
        services.action_add(actor=manager.user, response=response, title="Audit", owner=outsider)
    assert "owner" in error.value.fields
    assert not ResponseAction.objects.for_organization(organization).exists()

    action = services.action_add(
        actor=manager.user,
        response=response,
        title="Audit supplier",
        owner=manager.user,
        due=dt.date(2026, 6, 30),
        cost=Decimal("1200.50"),
    )
    assert (action.owner, action.cost, action.status, action.done_at) == (
        manager.user,
        Decimal("1200.50"),
        ActionStatus.PLANNED,
        None,
    )


def test_an_action_due_outside_the_organisations_dates_is_refused(assessed, manager) -> None:
    response = RiskResponseFactory(risk=assessed)
    with pytest.raises(ApplicationError) as error:
        services.action_add(actor=manager.user, response=response, title="x", due=dt.date(1700, 1, 1))
    assert error.value.code == "date_out_of_range"
    assert "due" in error.value.fields


def test_a_negative_cost_is_refused(assessed, manager) -> None:
    response = RiskResponseFactory(risk=assessed)
    with pytest.raises(ApplicationError) as error:
        services.action_add(actor=manager.user, response=response, title="x", cost=Decimal("-1"))
    assert "cost" in error.value.fields


def test_done_stamps_the_time_and_leaving_done_clears_it(assessed, manager) -> None:
    action = ResponseActionFactory(response=RiskResponseFactory(risk=assessed))
    services.action_update(actor=manager.user, action=action, status=ActionStatus.DONE)
    action.refresh_from_db()
    assert action.done_at is not None
    services.action_update(actor=manager.user, action=action, status=ActionStatus.IN_PROGRESS)
    action.refresh_from_db()
    assert action.done_at is None


def test_an_unknown_action_status_or_field_is_refused(assessed, manager) -> None:
    action = ResponseActionFactory(response=RiskResponseFactory(risk=assessed))
    with pytest.raises(ApplicationError):
        services.action_update(actor=manager.user, action=action, status="finished")
    with pytest.raises(ApplicationError):
        services.action_update(actor=manager.user, action=action, budget_line=None)
    action.refresh_from_db()
    assert action.status == ActionStatus.PLANNED


# --- budget -------------------------------------------------------------------------------


@pytest.fixture
def costed(assessed) -> ResponseAction:
    return ResponseActionFactory(response=RiskResponseFactory(risk=assessed), title="Spare pump", cost=Decimal("800"))


def test_an_actions_cost_becomes_a_line_of_the_draft_budget_once(costed, manager, project) -> None:
    draft = BudgetVersionFactory(project=project, status=BudgetVersion.Status.DRAFT)
    CostCategoryFactory(organization=project.organization, code="other", name="Other")

    services.action_add_to_budget(actor=manager.user, action=costed)

    costed.refresh_from_db()
    line = BudgetLine.objects.for_organization(project.organization).get(version=draft)
    assert costed.budget_line == line
    assert (line.amount, line.category.code) == (Decimal("800.00"), "other")
    assert line.note == f"{costed.risk.code} Spare pump"
    with pytest.raises(ApplicationError) as error:
        services.action_add_to_budget(actor=manager.user, action=costed)
    assert error.value.code == "already_budgeted"
    assert f"v{draft.number}" in error.value.message
    assert BudgetLine.objects.for_organization(project.organization).count() == 1


def test_the_line_lands_on_the_risks_only_wbs_element(costed, manager, project) -> None:
    BudgetVersionFactory(project=project, status=BudgetVersion.Status.DRAFT)
    link = RiskWbsLinkFactory(risk=costed.risk)
    services.action_add_to_budget(actor=manager.user, action=costed)
    costed.refresh_from_db()
    assert costed.budget_line.wbs_element_id == link.element_id


def test_without_a_draft_the_budget_refuses_and_says_how_to_open_one(costed, manager, project) -> None:
    BudgetVersionFactory(project=project, status=BudgetVersion.Status.APPROVED, is_current=True)
    with translation.override("en"), pytest.raises(ApplicationError) as error:
        services.action_add_to_budget(actor=manager.user, action=costed)
    assert error.value.code == "no_draft_budget"
    assert "Finance" in error.value.message
    assert BudgetVersion.objects.for_organization(project.organization).count() == 1
    costed.refresh_from_db()
    assert costed.budget_line is None


def test_a_submitted_version_is_named_when_there_is_no_draft(costed, manager, project) -> None:
    BudgetVersionFactory(project=project, number=4, status=BudgetVersion.Status.SUBMITTED)
    with pytest.raises(ApplicationError) as error:
        services.action_add_to_budget(actor=manager.user, action=costed)
    assert "v4" in error.value.message


def test_a_version_that_is_not_a_draft_is_refused_by_finance(costed, manager, project) -> None:
    approved = BudgetVersionFactory(project=project, status=BudgetVersion.Status.APPROVED)
    with pytest.raises(ApplicationError) as error:
        services.action_add_to_budget(actor=manager.user, action=costed, version=approved)
    assert error.value.code == "not_draft"


def test_another_projects_version_is_not_found(costed, manager, organization) -> None:
    elsewhere = BudgetVersionFactory(project=ProjectFactory(organization=organization))
    with pytest.raises(ApplicationError) as error:
        services.action_add_to_budget(actor=manager.user, action=costed, version=elsewhere)
    assert "version" in error.value.fields


def test_an_action_without_cost_adds_nothing(assessed, manager, project) -> None:
    BudgetVersionFactory(project=project, status=BudgetVersion.Status.DRAFT)
    action = ResponseActionFactory(response=RiskResponseFactory(risk=assessed))
    with pytest.raises(ApplicationError) as error:
        services.action_add_to_budget(actor=manager.user, action=action)
    assert error.value.code == "no_cost"


def test_the_cost_of_a_budgeted_action_is_changed_in_the_budget(costed, manager, project) -> None:
    BudgetVersionFactory(project=project, status=BudgetVersion.Status.DRAFT)
    services.action_add_to_budget(actor=manager.user, action=costed)
    with pytest.raises(ApplicationError) as error:
        services.action_update(actor=manager.user, action=costed, cost=Decimal("900"))
    assert error.value.code == "cost_in_budget"


def test_a_removed_line_lets_the_cost_be_added_again(costed, manager, project) -> None:
    draft = BudgetVersionFactory(project=project, status=BudgetVersion.Status.DRAFT)
    line = BudgetLineFactory(version=draft)
    costed.budget_line = line
    costed.save()
    line.delete()
    costed.refresh_from_db()
    services.action_add_to_budget(actor=manager.user, action=costed)
    costed.refresh_from_db()
    assert costed.budget_line is not None
