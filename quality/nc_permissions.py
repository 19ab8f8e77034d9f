"""Who may do what to a non-conformance beyond the plain policy: an action's owner reports its progress.

``NC_MANAGE`` plans and changes every action; the owner of an action updates their own with
``NC_RAISE`` (every member but a viewer, and anyone on the project). A view with this rule declares
``NC_RAISE`` for its writes (so an owner gets past the policy check), checks ``may_update_action`` on
the action, and says through ``unowned_action`` that a member who owns nothing needs ``NC_MANAGE``
(what ``tests/pmo/test_policy.py`` holds every role to).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pmo.policy import can
from quality.permissions import QualityAction

if TYPE_CHECKING:
    from pmo.models import Membership


def may_update_action(membership: Membership, project_role: str | None, owner_id: int | None) -> bool:
    """Whether the member may update an action: as a manager of non-conformances, or as its owner."""
    if can(membership, QualityAction.NC_MANAGE, project_role):
        return True
    return owner_id == membership.user_id and can(membership, QualityAction.NC_RAISE, project_role)


class ActionOwnerRule:
    """Mixed into a view whose writes owners of actions may make with ``NC_RAISE`` (see the module)."""

    @classmethod
    def unowned_action(cls, method: str, viewset_action: str | None = None) -> str | None:
        declared: Any = cls
        action = declared.required_action(method, viewset_action)
        served = method.lower() in getattr(declared, "http_method_names", [method.lower()])
        return QualityAction.NC_MANAGE if served and action == QualityAction.NC_RAISE else action
