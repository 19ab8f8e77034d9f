"""What the quality app adds to the navigation: the Quality entry and the project's Quality tab."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from pmo import navigation
from pmo.navigation import Panel, ProjectTab
from quality import panels
from quality.permissions import QualityAction

VIEW = QualityAction.QUALITY_VIEW


def register() -> None:
    navigation.main.register(navigation.NavEntry("quality", _("Quality"), "org-quality", order=50, action=VIEW))
    navigation.project_tabs.register(ProjectTab("quality", _("Quality"), "project-quality", order=120, action=VIEW))
    navigation.panels.register(
        Panel(
            "project_overview",
            "project_quality",
            "quality/panels/project_quality.html",
            panels.project_quality,
            queries=panels.PROJECT_QUALITY_QUERIES,
            order=50,
            action=VIEW,
        )
    )
