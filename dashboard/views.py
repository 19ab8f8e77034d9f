from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.views import View
from django.views.generic import TemplateView

from dashboard import portfolio as dashboard
from dashboard.forms import DashboardFilterForm
from dashboard.portfolio import charts as dashboard_charts
from dashboard.portfolio.risk_figures import heat_map_svg
from dashboard.project_summary import prints_in_a_job, project_summary_pdf, summary_job_start
from pmo.jobs.responses import job_error, job_page_response
from pmo.models import OrgRole
from pmo.pages import OrganizationPageMixin
from pmo.pdf import pdf_response
from projects.pages import ProjectPageMixin
from projects.permissions import ProjectAction
from quality.views.figures import FigureLinks

# Rows of the dashboard's project health table on one page.
HEALTH_PAGE_SIZE = 50
MILESTONE_PAGE_SIZE = 25
# Projects listed by their risk exposure against contingency, the least covered first (the API lists all).
RISK_ROWS = 20


class OrganizationHomeView(OrganizationPageMixin, TemplateView):
    """The portfolio dashboard: health, earned value, budget, milestones, alerts and decisions of the open projects."""

    template_name = "pmo/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = DashboardFilterForm(
            self.request.GET or None,
            choices=dashboard.filter_choices(self.organization),
            date_window=self.organization.date_window,
        )
        if form.is_bound:
            form.is_valid()
        filters = form.filters(self.organization.today())
        board = dashboard.portfolio_dashboard(self.organization, filters)
        rag = self.request.GET.get("rag", "")
        links = dashboard_charts.DashboardLinks(self.organization.slug, filters)
        shown = [row for row in board.projects if rag not in dashboard.RAG_VALUES or row.computed.rag == rag]
        health_page = Paginator(shown, HEALTH_PAGE_SIZE).get_page(self.request.GET.get("page"))
        context.update(
            form=form,
            board=board,
            filters=filters,
            rag_filter=rag if rag in dashboard.RAG_VALUES else "",
            rows=[{"p": row, "urls": links.project(row)} for row in health_page.object_list],
            health_page=health_page,
            milestone_page=Paginator(board.milestones, MILESTONE_PAGE_SIZE).get_page(
                self.request.GET.get("milestones_page")
            ),
            links=links,
            charts=dashboard_charts.dashboard_charts(board, links),
            risk_heat_map=heat_map_svg(board.risks, self.organization.slug, filters),
            quality_links=FigureLinks(self.organization.slug).figure_links(),
            risk_rows=sorted(
                (row for row in board.risks.exposure.projects if row.exposure or row.contingency),
                key=lambda row: (row.headroom, row.code),
            )[:RISK_ROWS],
            rule=dashboard.rag_rule_text(),
            thresholds={
                "red": dashboard.INDEX_RED_BELOW,
                "amber": dashboard.INDEX_AMBER_BELOW,
                "days": dashboard.MILESTONE_RED_AFTER_DAYS,
                "window": dashboard.MILESTONE_WINDOW_DAYS,
            },
            my_role_label=OrgRole(self.membership.role).label,
            nav_active="dashboard",
        )
        return context


class ProjectSummaryPdfView(ProjectPageMixin, View):
    """The project summary printed (``dashboard.project_summary``), for whoever sees the project; the
    parts of finance, risks and quality only for those who see them."""

    is_download = True

    read_action = ProjectAction.PROJECT_VIEW
    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if prints_in_a_job(self.project):
            job = summary_job_start(self.project, user=request.user)
            response = job_page_response(request, job)
            if response is None:
                raise job_error(job)
            return response
        content, filename = project_summary_pdf(
            self.project, membership=self.membership, project_role=self.project_role
        )
        return pdf_response(content, filename)
