"""A project's quality overview (lane F fills in the figures and lists)."""

from __future__ import annotations

from quality.views.base import InProject, QualityPage


class ProjectQualityView(InProject, QualityPage):
    template_name = "quality/project_overview.html"
    section = "overview"
