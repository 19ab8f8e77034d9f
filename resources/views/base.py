"""What the resources pages share: the section tables of ``projects.views.section.SectionPage``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from projects.views.section import InProjectSection, SectionPage
from resources.permissions import ResourceAction

#: The project's resources pages in the sub-navigation: (key, URL name, label). A section whose URL
#: is not mounted yet is left out.
PROJECT_SECTIONS: tuple[tuple[str, str, Any], ...] = (
    ("assignments", "project-resources", _("Assignments")),
    ("requests", "project-resource-requests", _("Requests")),
    ("leveling", "project-resource-leveling", _("Leveling")),
    ("approvals", "project-timesheet-approvals", _("Timesheet approvals")),
    ("work", "project-resource-work", _("Actual work")),
    ("msproject", "project-mspdi", _("MS Project")),
)
#: The organisation's resources pages in the sub-navigation.
ORGANIZATION_SECTIONS: tuple[tuple[str, str, Any], ...] = (
    ("overview", "org-resources", _("Utilisation")),
    ("pool", "org-resource-pool", _("Pool")),
    ("demand", "org-resource-demand", _("Demand and capacity")),
    ("requests", "org-resource-requests", _("Requests")),
    ("leveling", "org-resource-leveling", _("Leveling")),
    ("timesheet", "org-timesheet", _("My timesheet")),
    ("approvals", "org-timesheet-approvals", _("Approvals")),
    ("settings", "org-resource-settings", _("Settings")),
    ("msproject", "org-mspdi-import", _("Import MS Project")),
)


class ResourcesPage(SectionPage):
    """A resources page of the organisation; mix ``InProject`` before it for a project's page."""

    read_action = ResourceAction.RESOURCES_VIEW
    project_sections = PROJECT_SECTIONS
    organization_sections = ORGANIZATION_SECTIONS
    sections_context_name = "resources_sections"
    nav_key = "resources"


class InProject(InProjectSection):
    """Mixed before a ``ResourcesPage``: the page is one project's, under its Resources tab."""

    tab = "resources"
