"""The project overview's link to the printed project summary (``project_summary``), which only the top
layer can draw, so projects does not name it."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from pmo import navigation
from pmo.navigation import Panel, PanelContext
from projects.permissions import ProjectAction


def summary_download(given: PanelContext) -> dict[str, Any]:
    assert given.project is not None
    return {
        "summary_pdf_url": reverse(
            "project-summary-pdf", kwargs={"org_slug": given.organization.slug, "project_id": given.project.pk}
        )
    }


def register() -> None:
    navigation.panels.register(
        Panel(
            "project_overview",
            "project_summary_pdf",
            "dashboard/panels/summary_pdf.html",
            summary_download,
            queries=0,
            order=1,
            action=ProjectAction.PROJECT_VIEW,
        )
    )
