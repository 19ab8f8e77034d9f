"""What the resources app adds to the navigation: the Resources entry and the project's Resources tab."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from pmo import navigation
from pmo.navigation import ProjectTab
from pmo.policy import Action
from resources.permissions import ResourceAction


def register() -> None:
    navigation.main.register(
        navigation.NavEntry("resources", _("Resources"), "org-resources", order=30, action=Action.ORG_VIEW)
    )
    navigation.project_tabs.register(
        ProjectTab("resources", _("Resources"), "project-resources", order=125, action=ResourceAction.RESOURCES_VIEW)
    )
