"""What the quality pages share: the section tables of ``projects.views.section.SectionPage``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from projects.views.section import InProjectSection, SectionPage
from quality.permissions import QualityAction

#: The project's quality pages in the sub-navigation: (key, URL name, label).
PROJECT_SECTIONS: tuple[tuple[str, str, Any], ...] = (
    ("overview", "project-quality", _("Overview")),
    ("plan", "project-quality-plan", _("Inspection plan")),
    ("inspections", "project-quality-inspections", _("Inspections")),
    ("ncs", "project-quality-ncs", _("Non-conformances")),
    ("acceptance", "project-quality-deliverables", _("Acceptance")),
)
#: The organisation's quality pages in the sub-navigation.
ORGANIZATION_SECTIONS: tuple[tuple[str, str, Any], ...] = (
    ("overview", "org-quality", _("Overview")),
    ("inspections", "org-quality-inspections", _("Inspections")),
    ("ncs", "org-quality-ncs", _("Non-conformances")),
    ("templates", "org-quality-templates", _("Checklist templates")),
    ("standards", "org-quality-standards", _("Standards")),
    ("types", "org-quality-types", _("Inspection types")),
    ("settings", "org-quality-settings", _("Settings")),
)


class QualityPage(SectionPage):
    """A quality page of the organisation; mix ``InProject`` before it for a project's page."""

    read_action = QualityAction.QUALITY_VIEW
    project_sections = PROJECT_SECTIONS
    organization_sections = ORGANIZATION_SECTIONS
    sections_context_name = "quality_sections"
    nav_key = "quality"


class InProject(InProjectSection):
    """Mixed before a ``QualityPage``: the page is one project's, under its Quality tab."""

    tab = "quality"
