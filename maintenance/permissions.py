"""The maintenance app's actions and who may take them; ``MaintenanceConfig.ready()`` registers them.

The maintenance role (and the PMO, who see everything) manages assets, standards, plans, settings
and work orders. Inspection rounds and verifications are done by the maintenance role and by the
members it names as inspectors (``may_inspect``: ``INSPECT_NAMED`` lets any non-viewer past the
policy and the ``Inspector`` row decides). Work on a work order is done by its assignee or by the
login of its contractor (``may_work``); a member who is a contractor's login and has no other role
sees only the work orders assigned to the firm (``maintenance.selectors.visible_work_orders``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

from pmo.models import OrgRole
from pmo.policy import EVERYONE, PMO_OFFICE, Grant, can

if TYPE_CHECKING:
    from pmo.models import Membership


class MaintenanceAction(models.TextChoices):
    VIEW = "maintenance.view", _("See assets, standards, inspection rounds and work orders")
    MANAGE = (
        "maintenance.manage",
        _("Manage assets, handovers, standards, inspection and preventive plans, work orders and O&M settings"),
    )
    INSPECT = "maintenance.inspect", _("Do inspection rounds and verify repairs")
    INSPECT_NAMED = "maintenance.inspect_named", _("Do inspection rounds when named an inspector")
    WORK = "maintenance.work", _("Carry out work orders assigned to oneself or one's firm")
    REPORT = "maintenance.report", _("Report a request for maintenance")


MAINTENANCE_OFFICE = PMO_OFFICE | {OrgRole.MAINTENANCE}
DOERS = EVERYONE - {OrgRole.VIEWER}

GRANTS: dict[str, Grant] = {
    MaintenanceAction.VIEW: Grant(EVERYONE),
    MaintenanceAction.MANAGE: Grant(MAINTENANCE_OFFICE),
    MaintenanceAction.INSPECT: Grant(MAINTENANCE_OFFICE),
    MaintenanceAction.INSPECT_NAMED: Grant(DOERS),
    MaintenanceAction.WORK: Grant(DOERS),
    MaintenanceAction.REPORT: Grant(DOERS),
}


def may_inspect(membership: Membership) -> bool:
    """The maintenance office inspects; so does a member named an active inspector."""
    from maintenance.models import Inspector

    if can(membership, MaintenanceAction.INSPECT):
        return True
    if not can(membership, MaintenanceAction.INSPECT_NAMED):
        return False
    return (
        Inspector.objects.for_organization(membership.organization_id)
        .filter(user_id=membership.user_id, is_active=True)
        .exists()
    )
