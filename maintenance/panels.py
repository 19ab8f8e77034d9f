"""Panels the maintenance app adds to other apps' pages (``pmo.navigation.panels``).

- ``portfolio_dashboard``: the organisation's O&M headline (SLA compliance, open and overdue work
  orders, overdue rounds, defects and warranty claims, cost) over the default window, linking to the
  O&M home and the lists; nothing for an organisation that maintains no asset and has no work.
- ``project_overview``: for a project whose assets were handed over, their defects, warranty claims,
  open work orders and lifecycle cost; nothing for a project that handed nothing over.

Each runs a fixed number of queries, the same for an empty organisation or project.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import NoReverseMatch, reverse

from maintenance.permissions import MaintenanceAction
from maintenance.selectors import FIGURE_QUERIES, Scope, defect_record, lifecycle_cost, maintenance_figures
from pmo import navigation
from pmo.navigation import Panel, PanelContext

#: ``maintenance_figures``.
PORTFOLIO_QUERIES = FIGURE_QUERIES
#: ``maintenance_figures``, the defect record and the lifecycle cost.
PROJECT_QUERIES = FIGURE_QUERIES + 2


def portfolio_maintenance(panel: PanelContext) -> Mapping[str, Any] | None:
    """The O&M headline of the organisation, or nothing when it maintains nothing yet."""
    from maintenance.views.org import FigureLinks

    organization = panel.organization
    figures = maintenance_figures(organization)
    if figures.is_empty:
        return None
    links = FigureLinks(organization, figures.scope)
    return {"om_figures": figures, "om_links": {**links.figure_links(figures), "home": links.home}}


def project_maintenance(panel: PanelContext) -> Mapping[str, Any] | None:
    """The project's assets in operation, or nothing when it handed none over."""
    from maintenance.views.org import FigureLinks

    organization, project = panel.organization, panel.project
    figures = maintenance_figures(organization, Scope(origin_project=project.pk))
    record = defect_record(organization, origin_project=project.pk)
    lifecycle = lifecycle_cost(organization, origin_project=project.pk)
    if not figures.assets and not record.defects and not lifecycle.work_orders:
        return None
    links = FigureLinks(organization, figures.scope)
    try:
        page: str | None = reverse(
            "project-maintenance", kwargs={"org_slug": organization.slug, "project_id": project.pk}
        )
    except NoReverseMatch:
        page = None
    return {
        "om_figures": figures,
        "om_record": record,
        "om_lifecycle": lifecycle,
        "om_links": {**links.figure_links(figures), "page": page},
    }


def register() -> None:
    navigation.panels.register(
        Panel(
            "portfolio_dashboard",
            "portfolio_maintenance",
            "maintenance/panels/portfolio.html",
            portfolio_maintenance,
            queries=PORTFOLIO_QUERIES,
            order=60,
            action=MaintenanceAction.VIEW,
        )
    )
    navigation.panels.register(
        Panel(
            "project_overview",
            "project_maintenance",
            "maintenance/panels/project.html",
            project_maintenance,
            queries=PROJECT_QUERIES,
            order=70,
            action=MaintenanceAction.VIEW,
        )
    )
