"""What the maintenance app adds to the navigation: the Maintenance entry (the O&M tab comes with its page)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from maintenance.permissions import MaintenanceAction
from pmo import navigation

VIEW = MaintenanceAction.VIEW


def register() -> None:
    navigation.main.register(
        navigation.NavEntry("maintenance", _("Maintenance"), "org-maintenance", order=70, action=VIEW)
    )
