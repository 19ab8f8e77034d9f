"""What the projects app adds to the navigation: its entry, the project page's tabs and its panel slot."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from pmo import navigation
from pmo.navigation import NavEntry, ProjectTab
from projects.models import Project
from projects.permissions import ProjectAction

VIEW = ProjectAction.PROJECT_VIEW


def _is_open(project: Project) -> bool:
    return project.is_open


def register() -> None:
    navigation.main.register(NavEntry("projects", _("Projects"), "org-projects", order=20, action=VIEW))
    tabs = [
        ProjectTab("overview", _("Overview"), "project-overview", order=10, action=VIEW),
        ProjectTab("wbs", _("WBS"), "project-wbs", order=20, action=VIEW),
        ProjectTab("gantt", _("Gantt"), "project-gantt", order=30, action=VIEW),
        ProjectTab("baselines", _("Baselines"), "project-baselines", order=40, action=VIEW),
        ProjectTab("status", _("Status reports"), "project-status-reports", order=50, action=VIEW),
        ProjectTab("changes", _("Change requests"), "project-change-requests", order=60, action=VIEW),
        ProjectTab("changelog", _("Change log"), "project-change-log", order=70, action=VIEW),
        ProjectTab("gates", _("Gate history"), "project-gate", order=80, action=VIEW),
        # Last, after the tabs of the apps above.
        ProjectTab(
            "edit", _("Edit project"), "project-edit", order=1000, action=ProjectAction.PROJECT_MANAGE, when=_is_open
        ),
    ]
    for tab in tabs:
        navigation.project_tabs.register(tab)
    navigation.panels.declare_slot("project_overview", "the project overview page, below the team")
