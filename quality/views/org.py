"""The quality section's home: the portfolio's quality figures, and each open project's, drilling down to the lists.

Six queries besides the page's own whatever the number of projects: the open projects (as values)
and the five of ``quality.selectors.portfolio_quality``.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator

from projects.models import Project
from quality.nc_forms import ANY_OPEN
from quality.selectors import portfolio_quality
from quality.views.base import QualityPage
from quality.views.figures import FigureLinks, nc_table

#: Projects on one page of the table.
PAGE_SIZE = 50


class OrganizationQualityView(QualityPage):
    template_name = "quality/org_overview.html"
    section = "overview"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        organization = self.organization
        today = organization.today()
        projects = list(
            Project.objects.for_organization(organization)
            .open()
            .order_by("code", "id")
            .values_list("pk", "code", "name")
        )
        portfolio = portfolio_quality(organization, Project.objects.for_organization(organization).open(), today=today)
        slug = organization.slug
        rows = [{"project_id": pk, "code": code, "name": name, "f": portfolio.of(pk)} for pk, code, name in projects]
        # Vetoed projects first, then the most open critical and major non-conformances, then by code.
        rows.sort(
            key=lambda row: (
                -row["f"].safety_vetoes,
                -row["f"].open_by_severity["critical"],
                -row["f"].open_by_severity["major"],
                -row["f"].overdue_ncs,
                row["code"],
            )
        )
        links = FigureLinks(slug)
        page = Paginator(rows, PAGE_SIZE).get_page(self.request.GET.get("page"))
        vetoed = [row for row in rows if row["f"].safety_vetoes]
        # Links only for the rows shown (L: four reversed URLs for each of 1,001 projects took half the page).
        for row in [*vetoed, *page.object_list]:
            if "overview" not in row:
                pk = row["project_id"]
                project_links = FigureLinks(slug, pk)
                row.update(
                    overview=project_links.overview(),
                    open_ncs=links.ncs(project=pk, status=ANY_OPEN),
                    overdue_ncs=links.ncs(project=pk, overdue="true"),
                    planned_overdue=project_links.inspections(overdue="true"),
                )
        context.update(
            figures=portfolio.total,
            today=today,
            links=links.figure_links(),
            nc_table=nc_table(portfolio.total, links),
            project_count=len(projects),
            vetoed=vetoed,
            page=page,
            rows=page.object_list,
        )
        return context
