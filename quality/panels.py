"""Panels the quality app adds to other apps' pages (``pmo.navigation.panels``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pmo.navigation import PanelContext
from quality.selectors import FIGURE_QUERIES, quality_figures
from quality.views.figures import FigureLinks

#: The project's quality figures: the five queries of ``quality_figures``.
PROJECT_QUALITY_QUERIES = FIGURE_QUERIES


def project_quality(panel: PanelContext) -> Mapping[str, Any]:
    """The project's first-pass yield, open and overdue non-conformances, closure time, overdue inspections."""
    project = panel.project
    figures = quality_figures(panel.organization, project.pk)
    return {
        "quality_figures": figures,
        "quality_links": FigureLinks(panel.organization.slug, project.pk).figure_links(),
    }
