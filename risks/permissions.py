"""The risks app's actions and who may take them; ``RisksConfig.ready()`` registers them.

Owners update their own risks' assessments and responses and their own issues: ``RISK_CONTRIBUTE``
lets any member but a viewer do that, and ``may_update`` adds the owner check to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from pmo.models import OrgRole
from pmo.policy import EVERYONE, PMO_OFFICE, Grant, can
from projects.models.project import ProjectRole

if TYPE_CHECKING:
    from pmo.models import Membership


class RiskAction(models.TextChoices):
    RISK_VIEW = "risk.view", _("See risks, issues, exposure and risk analyses")
    RISK_MANAGE = "risk.manage", _("Raise, assess, respond to and close risks")
    RISK_CONTRIBUTE = "risk.contribute", _("Update the risks, actions and issues one owns")
    ISSUE_MANAGE = "issue.manage", _("Raise and resolve issues")
    RISK_ANALYSE = "risk.analyse", _("Run Monte Carlo analyses and edit three-point estimates")
    RISK_SETTINGS_MANAGE = "risk_settings.manage", _("Edit the risk matrix, categories and review rules")


MANAGERS = frozenset({ProjectRole.MANAGER})
TEAM = frozenset(ProjectRole) - {ProjectRole.CLIENT}
RISK_OFFICE = PMO_OFFICE | {OrgRole.RISK}

GRANTS: dict[str, Grant] = {
    RiskAction.RISK_VIEW: Grant(EVERYONE),
    RiskAction.RISK_MANAGE: Grant(RISK_OFFICE, MANAGERS),
    RiskAction.RISK_CONTRIBUTE: Grant(EVERYONE - {OrgRole.VIEWER}, TEAM),
    RiskAction.ISSUE_MANAGE: Grant(RISK_OFFICE, {ProjectRole.MANAGER, ProjectRole.COORDINATOR}),
    RiskAction.RISK_ANALYSE: Grant(RISK_OFFICE, {ProjectRole.MANAGER, ProjectRole.CONTROLLER}),
    RiskAction.RISK_SETTINGS_MANAGE: Grant(RISK_OFFICE),
}


def may_update(membership: Membership, project_role: str | None, owner_id: int | None, manage: str) -> bool:
    """Whether the member may update a record: with ``manage`` (an action), or as its owner."""
    if can(membership, manage, project_role):
        return True
    return owner_id == membership.user_id and can(membership, RiskAction.RISK_CONTRIBUTE, project_role)


class OwnerRule:
    """Mixed into a view whose records' owners act with ``RISK_CONTRIBUTE`` where others need ``manage_action``.

    The view declares ``RISK_CONTRIBUTE`` (so an owner gets past the policy check) and checks
    ``may_update`` on the record; ``unowned_action`` says what a member who owns nothing needs, which is
    what ``tests/pmo/test_policy.py`` holds every role to.
    """

    manage_action: ClassVar[str] = RiskAction.RISK_MANAGE

    @classmethod
    def unowned_action(cls, method: str, viewset_action: str | None = None) -> str | None:
        declared: Any = cls
        action = declared.required_action(method, viewset_action)
        served = method.lower() in getattr(declared, "http_method_names", [method.lower()])
        return cls.manage_action if served and action == RiskAction.RISK_CONTRIBUTE else action
