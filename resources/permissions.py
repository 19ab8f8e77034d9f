"""The resources app's actions and who may take them; ``ResourcesConfig.ready()`` registers them.

Everyone reads the pool and utilisation; rates are for the resource office, the PMO and finance.
Project managers (and coordinators) assign on their projects, ask for resources and approve the
timesheet lines of their projects; the resource office approves the lines outside any project.
A person's own timesheet needs only a resource linked to their user (``TIMESHEET_KEEP``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from pmo.models import OrgRole
from pmo.policy import EVERYONE, PMO_OFFICE, Grant
from projects.models.project import ProjectRole


class ResourceAction(models.TextChoices):
    RESOURCES_VIEW = "resources.view", _("See the resource pool, assignments and utilisation")
    POOL_MANAGE = "resource_pool.manage", _("Edit the resource pool, roles, skills, calendars and resource settings")
    RATES_VIEW = "resource_rates.view", _("See resources' cost rates and labour cost estimates")
    RATES_MANAGE = "resource_rates.manage", _("Edit resources' cost rates")
    ASSIGN = "resources.assign", _("Assign resources to a project's tasks")
    REQUEST = "resource_request.create", _("Ask for resources for a project")
    FULFIL = "resource_request.fulfil", _("Propose, fulfil or decline resource requests")
    LEVEL = "resources.level", _("Compute and apply leveling proposals")
    TIMESHEET_KEEP = "timesheet.keep", _("Keep one's own timesheet")
    TIMESHEET_APPROVE = "timesheet.approve", _("Approve or reject timesheet lines")


RESOURCE_OFFICE = PMO_OFFICE | {OrgRole.RESOURCE}
PLANNERS = frozenset({ProjectRole.MANAGER, ProjectRole.COORDINATOR})

GRANTS: dict[str, Grant] = {
    ResourceAction.RESOURCES_VIEW: Grant(EVERYONE),
    ResourceAction.POOL_MANAGE: Grant(RESOURCE_OFFICE),
    ResourceAction.RATES_VIEW: Grant(RESOURCE_OFFICE | {OrgRole.FINANCE}),
    ResourceAction.RATES_MANAGE: Grant(RESOURCE_OFFICE),
    ResourceAction.ASSIGN: Grant(RESOURCE_OFFICE, PLANNERS),
    ResourceAction.REQUEST: Grant(RESOURCE_OFFICE, PLANNERS),
    ResourceAction.FULFIL: Grant(RESOURCE_OFFICE),
    ResourceAction.LEVEL: Grant(RESOURCE_OFFICE, PLANNERS),
    ResourceAction.TIMESHEET_KEEP: Grant(EVERYONE - {OrgRole.VIEWER}),
    ResourceAction.TIMESHEET_APPROVE: Grant(RESOURCE_OFFICE, {ProjectRole.MANAGER}),
}
