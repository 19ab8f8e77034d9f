"""The finance app's actions and who may take them; ``FinanceConfig.ready()`` registers them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from pmo.models import OrgRole
from pmo.policy import EVERYONE, PMO_OFFICE, Grant
from projects.models.project import ProjectRole


class FinanceAction(models.TextChoices):
    FINANCE_VIEW = "finance.view", _("See budgets, costs and earned value")
    BUDGET_EDIT = "budget.edit", _("Prepare and submit budget versions")
    BUDGET_APPROVE = "budget.approve", _("Approve or reject budget versions")
    COSTS_MANAGE = "costs.manage", _("Record commitments and actual costs")
    FORECAST_EDIT = "forecast.edit", _("Enter the manual estimate to complete")
    FINANCE_SETTINGS_MANAGE = "finance_settings.manage", _("Edit cost categories, budget control and exchange rates")
    PERIOD_LOCK = "finance_period.lock", _("Close the books through a date (the period lock)")


MANAGER_AND_CONTROLLER = frozenset({ProjectRole.MANAGER, ProjectRole.CONTROLLER})

GRANTS: dict[str, Grant] = {
    FinanceAction.FINANCE_VIEW: Grant(EVERYONE),
    FinanceAction.BUDGET_EDIT: Grant(PMO_OFFICE | {OrgRole.FINANCE}, MANAGER_AND_CONTROLLER),
    # Only finance approves budgets (and never the submitter: the service checks that).
    FinanceAction.BUDGET_APPROVE: Grant({OrgRole.FINANCE}),
    FinanceAction.COSTS_MANAGE: Grant(PMO_OFFICE | {OrgRole.FINANCE}, MANAGER_AND_CONTROLLER),
    FinanceAction.FORECAST_EDIT: Grant(PMO_OFFICE, MANAGER_AND_CONTROLLER),
    FinanceAction.FINANCE_SETTINGS_MANAGE: Grant({OrgRole.ADMIN, OrgRole.FINANCE}),
    FinanceAction.PERIOD_LOCK: Grant({OrgRole.FINANCE}),
}
