"""What the risks app adds to the navigation: the project's Risks and Risk analysis tabs, the overview's top risks."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from pmo import navigation
from pmo.navigation import Panel, ProjectTab
from risks import panels
from risks.permissions import RiskAction

VIEW = RiskAction.RISK_VIEW


def register() -> None:
    navigation.project_tabs.register(ProjectTab("risks", _("Risks"), "project-risks", order=110, action=VIEW))
    navigation.project_tabs.register(
        ProjectTab("risk_analysis", _("Risk analysis"), "project-risk-analysis", order=118, action=VIEW)
    )
    navigation.panels.register(
        Panel(
            "project_overview",
            "top_risks",
            "risks/panels/top_risks.html",
            panels.top_risks,
            queries=panels.TOP_RISKS_QUERIES,
            order=40,
            action=VIEW,
        )
    )
