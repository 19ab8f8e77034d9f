"""What the finance app adds to the navigation: its entry, its project tabs and its panel slot."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from finance.permissions import FinanceAction
from pmo import navigation
from pmo.navigation import NavEntry, ProjectTab

VIEW = FinanceAction.FINANCE_VIEW


def register() -> None:
    navigation.main.register(NavEntry("finance", _("Finance"), "org-finance", order=60, action=VIEW))
    navigation.project_tabs.register(ProjectTab("finance", _("Finance"), "project-finance", order=90, action=VIEW))
    navigation.project_tabs.register(
        ProjectTab("earned_value", _("Earned value"), "project-earned-value", order=100, action=VIEW)
    )
    # Its panels are given ``evm`` (the project's ``ProjectEvm`` at the status date) and ``as_of`` (that date).
    navigation.panels.declare_slot("evm_forecast", "the earned-value page's forecasts, below the indicators")
