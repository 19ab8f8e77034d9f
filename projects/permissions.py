"""The projects app's actions, who may take them, and who may pass gates and decide changes.

``ProjectsConfig.ready()`` registers them with the core's policy (``pmo.policy.permissions``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from pmo.models import OrgRole
from pmo.policy import EVERYONE, PMO_OFFICE, Grant
from projects.models.project import ProjectRole

if TYPE_CHECKING:
    from pmo.models import Membership


class ProjectAction(models.TextChoices):
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


MANAGER = frozenset({ProjectRole.MANAGER})

GRANTS: dict[str, Grant] = {
    ProjectAction.PORTFOLIO_MANAGE: Grant(PMO_OFFICE),
    ProjectAction.PROJECT_SETTINGS_MANAGE: Grant(PMO_OFFICE),
    ProjectAction.PROJECT_VIEW: Grant(EVERYONE),
    ProjectAction.PROJECT_CREATE: Grant(PMO_OFFICE | {OrgRole.PROJECT_MANAGER}),
    ProjectAction.PROJECT_MANAGE: Grant(PMO_OFFICE, {ProjectRole.MANAGER, ProjectRole.COORDINATOR}),
    ProjectAction.PROGRESS_UPDATE: Grant(
        PMO_OFFICE, {ProjectRole.MANAGER, ProjectRole.COORDINATOR, ProjectRole.MEMBER}
    ),
    ProjectAction.GATE_APPROVE: Grant(PMO_OFFICE, MANAGER),
    ProjectAction.STATUS_REPORT_WRITE: Grant(
        PMO_OFFICE, {ProjectRole.MANAGER, ProjectRole.COORDINATOR, ProjectRole.CONTROLLER}
    ),
    ProjectAction.STATUS_REPORT_REVIEW: Grant(PMO_OFFICE),
    ProjectAction.CHANGE_REQUEST_CREATE: Grant(
        PMO_OFFICE,
        {ProjectRole.MANAGER, ProjectRole.COORDINATOR, ProjectRole.CONTROLLER, ProjectRole.MEMBER, ProjectRole.CLIENT},
    ),
    ProjectAction.CHANGE_REQUEST_DECIDE: Grant(PMO_OFFICE, MANAGER),
}


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
