"""What the maintenance app adds to the navigation: the Maintenance entry, the project's O&M tab (its
handover, then its assets in operation; a project that handed nothing over says so) and its panels."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from maintenance import panels
from maintenance.permissions import MaintenanceAction
from pmo import navigation
from pmo.navigation import ProjectTab

VIEW = MaintenanceAction.VIEW


def register() -> None:
    navigation.main.register(
        navigation.NavEntry("maintenance", _("Maintenance"), "org-maintenance", order=70, action=VIEW)
    )
    navigation.project_tabs.register(ProjectTab("maintenance", _("O&M"), "project-maintenance", order=140, action=VIEW))
    panels.register()
