"""Who may do what: the one permission policy that API views and pages both consult.

``POLICY`` maps each action to the organisation roles that may perform it anywhere in the
organisation. ``PROJECT_POLICY`` adds the project roles that may perform it on their own
projects: a project manager manages their projects, not every project. Views declare the
action they need; :func:`can` decides.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from pmo.models import OrgRole

if TYPE_CHECKING:
    from pmo.models import Membership


class Action(models.TextChoices):
    ORG_VIEW = "org.view", _("See the organisation")
    ORG_MANAGE = "org.manage", _("Change organisation settings")
    MEMBERS_VIEW = "members.view", _("See members")
    MEMBERS_MANAGE = "members.manage", _("Invite, change and remove members")
    AUDIT_VIEW = "audit.view", _("Read the audit trail")
    CALENDARS_MANAGE = "calendars.manage", _("Edit working calendars")
    PORTFOLIO_MANAGE = "portfolio.manage", _("Create and change portfolios and programmes")
    PROJECT_SETTINGS_MANAGE = "project_settings.manage", _("Edit gate checklists and change approval rules")
    PROJECT_VIEW = "project.view", _("See projects and their plans")
    PROJECT_CREATE = "project.create", _("Create projects")
    PROJECT_MANAGE = "project.manage", _("Change a project, its team, WBS, schedule and baselines")
    PROGRESS_UPDATE = "progress.update", _("Report progress on tasks")
    GATE_APPROVE = "gate.approve", _("Approve stage gates")
    STATUS_REPORT_WRITE = "status_report.write", _("Write status reports")
    STATUS_REPORT_REVIEW = "status_report.review", _("Review status reports")
    CHANGE_REQUEST_CREATE = "change_request.create", _("Raise change requests")
    CHANGE_REQUEST_DECIDE = "change_request.decide", _("Approve or reject change requests")
    FINANCE_VIEW = "finance.view", _("See budgets, costs and earned value")
    BUDGET_EDIT = "budget.edit", _("Prepare and submit budget versions")
    BUDGET_APPROVE = "budget.approve", _("Approve or reject budget versions")
    COSTS_MANAGE = "costs.manage", _("Record commitments and actual costs")
    FORECAST_EDIT = "forecast.edit", _("Enter the manual estimate to complete")
    FINANCE_SETTINGS_MANAGE = "finance_settings.manage", _("Edit cost categories, budget control and exchange rates")
    ALERTS_VIEW = "alerts.view", _("See alerts")
    ALERTS_MANAGE = "alerts.manage", _("Acknowledge and resolve alerts")
    ALERT_RULES_MANAGE = "alert_rules.manage", _("Edit alert rules and run the variance check")
    WEBHOOKS_MANAGE = "webhooks.manage", _("Manage webhooks")


EVERYONE = frozenset(OrgRole)
PMO_OFFICE = frozenset({OrgRole.ADMIN, OrgRole.PMO})

POLICY: dict[Action, frozenset[OrgRole]] = {
    Action.ORG_VIEW: EVERYONE,
    Action.ORG_MANAGE: frozenset({OrgRole.ADMIN}),
    Action.MEMBERS_VIEW: EVERYONE,
    Action.MEMBERS_MANAGE: frozenset({OrgRole.ADMIN}),
    Action.AUDIT_VIEW: frozenset({OrgRole.ADMIN}),
    Action.CALENDARS_MANAGE: PMO_OFFICE,
    Action.PORTFOLIO_MANAGE: PMO_OFFICE,
    Action.PROJECT_SETTINGS_MANAGE: PMO_OFFICE,
    Action.PROJECT_VIEW: EVERYONE,
    Action.PROJECT_CREATE: PMO_OFFICE | {OrgRole.PROJECT_MANAGER},
    Action.PROJECT_MANAGE: PMO_OFFICE,
    Action.PROGRESS_UPDATE: PMO_OFFICE,
    Action.GATE_APPROVE: PMO_OFFICE,
    Action.STATUS_REPORT_WRITE: PMO_OFFICE,
    Action.STATUS_REPORT_REVIEW: PMO_OFFICE,
    Action.CHANGE_REQUEST_CREATE: PMO_OFFICE,
    Action.CHANGE_REQUEST_DECIDE: PMO_OFFICE,
    Action.FINANCE_VIEW: EVERYONE,
    Action.BUDGET_EDIT: PMO_OFFICE | {OrgRole.FINANCE},
    # Only finance approves budgets (and never the submitter: the service checks that).
    Action.BUDGET_APPROVE: frozenset({OrgRole.FINANCE}),
    Action.COSTS_MANAGE: PMO_OFFICE | {OrgRole.FINANCE},
    Action.FORECAST_EDIT: PMO_OFFICE,
    Action.FINANCE_SETTINGS_MANAGE: frozenset({OrgRole.ADMIN, OrgRole.FINANCE}),
    Action.ALERTS_VIEW: EVERYONE,
    Action.ALERTS_MANAGE: PMO_OFFICE | {OrgRole.FINANCE},
    Action.ALERT_RULES_MANAGE: PMO_OFFICE,
    Action.WEBHOOKS_MANAGE: frozenset({OrgRole.ADMIN}),
}

# What can be done on the organisation's settings pages; a member with none of these only reads them,
# so the main navigation leaves the link out.
SETTINGS_ACTIONS = frozenset({Action.ORG_MANAGE, Action.MEMBERS_MANAGE, Action.CALENDARS_MANAGE, Action.AUDIT_VIEW})

# Project roles by their string values, to keep this module free of the projects app.
PROJECT_POLICY: dict[Action, frozenset[str]] = {
    Action.PROJECT_MANAGE: frozenset({"manager", "coordinator"}),
    Action.PROGRESS_UPDATE: frozenset({"manager", "coordinator", "member"}),
    Action.GATE_APPROVE: frozenset({"manager"}),
    Action.STATUS_REPORT_WRITE: frozenset({"manager", "coordinator", "controller"}),
    Action.CHANGE_REQUEST_CREATE: frozenset({"manager", "coordinator", "controller", "member", "client"}),
    Action.CHANGE_REQUEST_DECIDE: frozenset({"manager"}),
    Action.BUDGET_EDIT: frozenset({"manager", "controller"}),
    Action.COSTS_MANAGE: frozenset({"manager", "controller"}),
    Action.FORECAST_EDIT: frozenset({"manager", "controller"}),
    Action.ALERTS_MANAGE: frozenset({"manager", "coordinator", "controller"}),
}


def can(membership: Membership, action: Action, project_role: str | None = None) -> bool:
    if OrgRole(membership.role) in POLICY[action]:
        return True
    return project_role is not None and project_role in PROJECT_POLICY.get(action, frozenset())


def allowed_actions(membership: Membership, project_role: str | None = None) -> frozenset[Action]:
    return frozenset(action for action in Action if can(membership, action, project_role))


# Who may pass each stage gate, by the phase being left. Cancelling is the PMO office's call.
GATE_APPROVERS: dict[str, tuple[frozenset[OrgRole], frozenset[str]]] = {
    "initiation": (PMO_OFFICE, frozenset()),
    "planning": (PMO_OFFICE, frozenset()),
    "execution": (PMO_OFFICE, frozenset({"manager"})),
    "closing": (PMO_OFFICE, frozenset()),
    "operations": (PMO_OFFICE | {OrgRole.MAINTENANCE}, frozenset()),
}
CANCEL_APPROVERS = PMO_OFFICE


def can_pass_gate(membership: Membership, project_role: str | None, from_phase: str, *, cancel: bool = False) -> bool:
    if cancel:
        return OrgRole(membership.role) in CANCEL_APPROVERS
    org_roles, project_roles = GATE_APPROVERS.get(from_phase, (frozenset(), frozenset()))
    return OrgRole(membership.role) in org_roles or (project_role is not None and project_role in project_roles)


def change_request_approver_roles(
    *, cost_over_threshold: bool, days_over_threshold: bool
) -> tuple[frozenset[OrgRole], frozenset[str]]:
    """Who may decide a change request of this size.

    Above the organisation's cost threshold finance decides; above its schedule threshold the
    PMO does; otherwise the PMO office or the project's manager. Administrators always may.
    """
    if cost_over_threshold:
        return frozenset({OrgRole.ADMIN, OrgRole.FINANCE}), frozenset()
    if days_over_threshold:
        return PMO_OFFICE, frozenset()
    return PMO_OFFICE, frozenset({"manager"})
