"""Responses to risks and their actions, and an action's cost carried into a budget draft.

A response's strategy fits the risk's kind (threats: avoid, mitigate, transfer, accept, escalate;
opportunities: exploit, enhance, share, accept, escalate). The first response to an assessed risk
moves it to "responding", and removing the last one moves it back, each with a history entry. An
action's cost goes into the project's draft budget version once, through finance's budget service:
the draft is never opened behind finance's back, so without one the service says how to open it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from finance.models import BudgetVersion, CostCategory
from finance.services import budgets
from finance.services.categories import cost_categories_ensure_defaults
from pmo.audit import audit_record, diff, snapshot
from pmo.errors import ApplicationError
from pmo.models import User
from projects.models import WbsElement
from projects.services.locks import lock_project
from risks.models import (
    OPPORTUNITY_STRATEGIES,
    THREAT_STRATEGIES,
    ZERO,
    ActionStatus,
    ResponseAction,
    ResponseStrategy,
    Risk,
    RiskAssessment,
    RiskResponse,
    RiskStatus,
    RiskWbsLink,
)
from risks.services.checks import check_amount, check_date, check_member, locked_risk, required_text, validated

RESPONSE_FIELDS = ["strategy", "description"]
ACTION_FIELDS = ["title", "owner", "due", "status", "cost"]
DEFAULT_BUDGET_CATEGORY = "other"


def _record_status(risk: Risk, *, actor: User, old: str, reason: str) -> None:
    from risks.services.register import record_history

    record_history(
        risk, actor=actor, kind=RiskAssessment.Kind.STATUS, reason=reason, changes={"status": [old, risk.status]}
    )


def _set_status(risk: Risk, status: str, *, actor: User, reason: str) -> None:
    old = risk.status
    risk.status = status
    risk.updated_at = timezone.now()
    risk.save(update_fields=["status", "updated_at"])
    audit_record(
        organization=risk.organization,
        actor=actor,
        action="risk.status_changed",
        target=risk,
        changes={"status": [old, status]},
    )
    _record_status(risk, actor=actor, old=old, reason=reason)


def check_strategy(risk: Risk, strategy: str) -> None:
    """The strategy must be one for the risk's kind."""
    if risk.is_opportunity:
        allowed, message = (
            OPPORTUNITY_STRATEGIES,
            _("An opportunity is exploited, enhanced, shared, accepted or escalated."),
        )
    else:
        allowed, message = THREAT_STRATEGIES, _("A threat is avoided, mitigated, transferred, accepted or escalated.")
    if strategy not in allowed:
        raise ApplicationError(message, code="strategy_not_for_kind", fields={"strategy": [message]})


def _require_open(risk: Risk) -> None:
    if not risk.is_open:
        raise ApplicationError(
            _("%(risk)s is %(status)s; it takes no new responses or actions.")
            % {"risk": risk.code, "status": RiskStatus(risk.status).label},
            code="risk_not_open",
        )


# --- responses ------------------------------------------------------------------------


@transaction.atomic
def response_add(*, actor: User, risk: Risk, strategy: str, description: str) -> RiskResponse:
    """Plan a response; the first one to an assessed risk moves it to "responding"."""
    risk = locked_risk(risk)
    _require_open(risk)
    check_strategy(risk, strategy)
    description = required_text(description, "description", _("Say what the response does."))
    response = RiskResponse(
        organization_id=risk.organization_id,
        risk=risk,
        strategy=strategy,
        description=description,
        created_by=actor,
    )
    validated(response, exclude=["risk", "created_by"])
    response.save()
    audit_record(
        organization=risk.organization,
        actor=actor,
        action="risk_response.added",
        target=response,
        changes={"risk": [None, risk.pk], **diff({}, snapshot(response, RESPONSE_FIELDS))},
    )
    if risk.status == RiskStatus.ASSESSED:
        _set_status(
            risk,
            RiskStatus.RESPONDING,
            actor=actor,
            reason=_("Response planned: %(strategy)s.") % {"strategy": ResponseStrategy(strategy).label},
        )
    return response


def _locked_response(response: RiskResponse) -> tuple[Risk, RiskResponse]:
    risk = locked_risk(response.risk)
    locked = (
        RiskResponse.objects.for_organization(risk.organization_id)
        .select_for_update(of=("self",), no_key=True)
        .get(pk=response.pk)
    )
    locked.risk = risk
    return risk, locked


@transaction.atomic
def response_update(
    *, actor: User, response: RiskResponse, strategy: str | None = None, description: str | None = None
) -> RiskResponse:
    """Change a response's strategy or description; what is None stays."""
    risk, response = _locked_response(response)
    before = snapshot(response, RESPONSE_FIELDS)
    if strategy is not None:
        check_strategy(risk, strategy)
        response.strategy = strategy
    if description is not None:
        response.description = required_text(description, "description", _("Say what the response does."))
    changes = diff(before, snapshot(response, RESPONSE_FIELDS))
    if changes:
        response.save(update_fields=list(changes))
        audit_record(
            organization=risk.organization,
            actor=actor,
            action="risk_response.updated",
            target=response,
            changes=changes,
        )
    return response


@transaction.atomic
def response_remove(*, actor: User, response: RiskResponse) -> None:
    """Remove a response and its actions; a responding risk left without one goes back to "assessed".

    Budget lines its actions added stay in the budget: finance removes them from its draft.
    """
    risk, response = _locked_response(response)
    actions = ResponseAction.objects.for_organization(risk.organization_id).filter(response=response)
    audit_record(
        organization=risk.organization,
        actor=actor,
        action="risk_response.removed",
        target=response,
        changes={
            "risk": [risk.pk, None],
            **diff(snapshot(response, RESPONSE_FIELDS), {}),
            "actions": [sorted(actions.values_list("pk", flat=True)), []],
        },
    )
    response.delete()
    remaining = RiskResponse.objects.for_organization(risk.organization_id).filter(risk=risk).exists()
    if not remaining and risk.status == RiskStatus.RESPONDING:
        _set_status(risk, RiskStatus.ASSESSED, actor=actor, reason=_("Its last response was removed."))


# --- actions ----------------------------------------------------------------------------


def _check_action(risk: Risk, action: ResponseAction) -> None:
    check_member(risk.organization, action.owner)
    check_date(risk.organization, action.due)
    check_amount(action.cost)
    if action.status not in ActionStatus.values:
        raise ApplicationError(_("Choose a valid status."), fields={"status": [_("Choose a valid status.")]})
    validated(action, exclude=["response", "risk", "owner", "budget_line"])


def _done_at(action: ResponseAction, old_status: str | None) -> None:
    if action.status == ActionStatus.DONE and old_status != ActionStatus.DONE:
        action.done_at = timezone.now()
    elif action.status != ActionStatus.DONE:
        action.done_at = None


def _action_snapshot(action: ResponseAction) -> dict[str, Any]:
    return {
        "title": action.title,
        "owner": action.owner_id,
        "due": action.due,
        "status": action.status,
        "cost": action.cost,
    }


@transaction.atomic
def action_add(
    *,
    actor: User,
    response: RiskResponse,
    title: str,
    owner: User | None = None,
    due: dt.date | None = None,
    status: str = ActionStatus.PLANNED,
    cost: Decimal = ZERO,
) -> ResponseAction:
    risk, response = _locked_response(response)
    _require_open(risk)
    action = ResponseAction(
        organization_id=risk.organization_id,
        response=response,
        risk=risk,
        title=required_text(title, "title", _("Name the action.")),
        owner=owner,
        due=due,
        status=status,
        cost=cost if cost is not None else ZERO,
    )
    _check_action(risk, action)
    _done_at(action, None)
    action.save()
    audit_record(
        organization=risk.organization,
        actor=actor,
        action="response_action.added",
        target=action,
        changes={"response": [None, response.pk], **diff({}, _action_snapshot(action))},
    )
    return action


def _locked_action(action: ResponseAction) -> tuple[Risk, ResponseAction]:
    risk = locked_risk(action.risk)
    locked = (
        ResponseAction.objects.for_organization(risk.organization_id)
        .select_for_update(of=("self",), no_key=True)
        .get(pk=action.pk)
    )
    locked.risk = risk
    return risk, locked


@transaction.atomic
def action_update(*, actor: User, action: ResponseAction, **fields: Any) -> ResponseAction:
    """Change an action's title, owner, due date, status or cost; done stamps ``done_at``.

    The cost of an action already in a budget is changed in the budget, not here.
    """
    unknown = set(fields) - set(ACTION_FIELDS)
    if unknown:
        raise ApplicationError(_("These fields cannot be changed: %s") % ", ".join(sorted(unknown)))
    for field in ("title", "status", "cost"):
        if field in fields and fields[field] is None:
            raise ApplicationError(_("This field is required."), fields={field: [_("This field is required.")]})
    risk, action = _locked_action(action)
    before = _action_snapshot(action)
    if "title" in fields:
        fields["title"] = required_text(fields["title"], "title", _("Name the action."))
    if "cost" in fields and action.budget_line_id is not None and fields["cost"] != action.cost:
        message = _("The cost is already a line of the budget; change it there.")
        raise ApplicationError(message, code="cost_in_budget", fields={"cost": [message]})
    for field, value in fields.items():
        setattr(action, field, value)
    _check_action(risk, action)
    _done_at(action, before["status"])
    changes = diff(before, _action_snapshot(action))
    if changes:
        action.save()
        audit_record(
            organization=risk.organization,
            actor=actor,
            action="response_action.updated",
            target=action,
            changes=changes,
        )
    return action


def _budget_category(organization_id: int, organization: Any, category: CostCategory | None) -> CostCategory:
    """The chosen category, else "other", else the first active one."""
    if category is not None:
        return category
    cost_categories_ensure_defaults(organization)
    active = CostCategory.objects.for_organization(organization_id).filter(is_active=True)
    chosen = active.filter(code=DEFAULT_BUDGET_CATEGORY).first() or active.order_by("order", "name").first()
    if chosen is None:
        message = _("Add an active cost category first: the action's cost needs one.")
        raise ApplicationError(message, code="no_cost_category", fields={"category": [message]})
    return chosen


def _budget_element(risk: Risk, element: WbsElement | None) -> WbsElement | None:
    """The chosen element, else the one WBS element the risk bears on if it names exactly one."""
    if element is not None:
        return element
    links = list(
        RiskWbsLink.objects.for_organization(risk.organization_id)
        .filter(risk=risk)
        .select_related("element")
        .order_by("pk")[:2]
    )
    return links[0].element if len(links) == 1 else None


def _draft_version(risk: Risk, version: BudgetVersion | None) -> BudgetVersion:
    versions = BudgetVersion.objects.for_organization(risk.organization_id).filter(project_id=risk.project_id)
    if version is not None:
        if version.organization_id != risk.organization_id or version.project_id != risk.project_id:
            raise ApplicationError(_("Not found."), fields={"version": [_("Not found.")]})
        return version
    draft = versions.filter(status=BudgetVersion.Status.DRAFT).order_by("-number").first()
    if draft is not None:
        return draft
    submitted = versions.filter(status=BudgetVersion.Status.SUBMITTED).values_list("number", flat=True).first()
    if submitted is not None:
        message = _(
            "Budget version v%(number)d is waiting for finance's decision; once it is approved or rejected, "
            "open a new draft on the project's Finance page and add the cost to it."
        ) % {"number": submitted}
        raise ApplicationError(message, code="no_draft_budget")
    message = _(
        "The project has no draft budget version. Open one on the project's Finance page (New version), "
        "then add the cost to it."
    )
    raise ApplicationError(message, code="no_draft_budget")


@transaction.atomic
def action_add_to_budget(
    *,
    actor: User,
    action: ResponseAction,
    version: BudgetVersion | None = None,
    category: CostCategory | None = None,
    wbs_element: WbsElement | None = None,
) -> ResponseAction:
    """Add the action's cost as a line of the project's draft budget version (the latest draft by default).

    Once per action. The line's category is the one chosen, else "other"; its WBS element the one
    chosen, else the risk's only linked element. Finance's service checks the draft, the category
    and the element.
    """
    risk, action = _locked_action(action)
    if risk.project_id is None:
        raise ApplicationError(
            _("An organisation-level risk has no project budget to add the cost to."), code="no_project"
        )
    project = lock_project(risk.project_id, risk.organization_id)
    if action.budget_line_id is not None:
        number = (
            BudgetVersion.objects.for_organization(risk.organization_id)
            .filter(lines__pk=action.budget_line_id)
            .values_list("number", flat=True)
            .first()
        )
        raise ApplicationError(
            _("This action's cost is already a line of budget version v%(number)s.") % {"number": number},
            code="already_budgeted",
        )
    if action.cost <= 0:
        message = _("The action has no cost to add to the budget; enter its cost first.")
        raise ApplicationError(message, code="no_cost", fields={"cost": [message]})
    if action.status == ActionStatus.CANCELLED:
        raise ApplicationError(_("A cancelled action adds nothing to the budget."), code="action_cancelled")
    draft = _draft_version(risk, version)
    line = budgets.budget_line_add(
        actor=actor,
        version=draft,
        category=_budget_category(risk.organization_id, project.organization, category),
        amount=action.cost,
        wbs_element=_budget_element(risk, wbs_element),
        note=f"{risk.code} {action.title}"[:255],
    )
    action.budget_line = line
    action.save(update_fields=["budget_line"])
    audit_record(
        organization=project.organization,
        actor=actor,
        action="response_action.budgeted",
        target=action,
        changes={"budget_line": [None, line.pk], "budget_version": [None, draft.pk], "amount": [None, line.amount]},
    )
    return action
