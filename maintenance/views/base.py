"""What the maintenance pages share: the section tables of ``projects.views.section.SectionPage``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from maintenance.permissions import MaintenanceAction
from projects.views.section import InProjectSection, SectionPage

#: The project's maintenance pages in the sub-navigation: (key, URL name, label). A section whose
#: URL is not mounted yet is left out.
PROJECT_SECTIONS: tuple[tuple[str, str, Any], ...] = (
    ("operations", "project-maintenance", pgettext_lazy("maintenance section", "Operations")),
    ("handover", "project-maintenance-handover", _("Handover")),
)
#: The organisation's maintenance pages in the sub-navigation.
ORGANIZATION_SECTIONS: tuple[tuple[str, str, Any], ...] = (
    ("overview", "org-maintenance", _("Overview")),
    ("work_orders", "org-maintenance-work-orders", _("Work orders")),
    ("rounds", "org-maintenance-rounds", _("Inspection rounds")),
    ("assets", "org-maintenance-assets", _("Assets")),
    ("preventive", "org-maintenance-preventive", _("Preventive maintenance")),
    ("plans", "org-maintenance-plans", _("Inspection plans")),
    ("standards", "org-maintenance-standards", _("Standards")),
    ("contractors", "org-maintenance-contractors", _("Contractors")),
    ("settings", "org-maintenance-settings", _("Settings")),
)


class MaintenancePage(SectionPage):
    """A maintenance page of the organisation; mix ``InProject`` before it for a project's page."""

    read_action = MaintenanceAction.VIEW
    project_sections = PROJECT_SECTIONS
    organization_sections = ORGANIZATION_SECTIONS
    sections_context_name = "maintenance_sections"
    nav_key = "maintenance"


class InProject(InProjectSection):
    """Mixed before a ``MaintenancePage``: the page is one project's, under its O&M tab."""

    tab = "maintenance"
