"""Who may do what: the one permission policy that API views and pages both consult.

The policy maps each action to the organisation roles that may perform it. Project roles
refine it where a project is involved (added with the projects app). Views declare the
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


EVERYONE = frozenset(OrgRole)

POLICY: dict[Action, frozenset[OrgRole]] = {
    Action.ORG_VIEW: EVERYONE,
    Action.ORG_MANAGE: frozenset({OrgRole.ADMIN}),
    Action.MEMBERS_VIEW: EVERYONE,
    Action.MEMBERS_MANAGE: frozenset({OrgRole.ADMIN}),
    Action.AUDIT_VIEW: frozenset({OrgRole.ADMIN}),
    Action.CALENDARS_MANAGE: frozenset({OrgRole.ADMIN, OrgRole.PMO}),
}


def can(membership: Membership, action: Action) -> bool:
    return OrgRole(membership.role) in POLICY[action]


def allowed_actions(membership: Membership) -> frozenset[Action]:
    return frozenset(action for action in Action if can(membership, action))
