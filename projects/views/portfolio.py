"""The portfolio: the list of projects, new projects, portfolios and programmes."""

from __future__ import annotations

import copy
from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.db.models import Count, OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from pmo.errors import ApplicationError
from pmo.pages import OrganizationPageMixin
from pmo.views import paginate
from projects.filters import ProjectFilter, portfolios_in_tree_order
from projects.forms import (
    PortfolioForm,
    ProjectForm,
)
from projects.models import (
    Portfolio,
    Project,
    StatusReport,
)
from projects.permissions import ProjectAction
from projects.selectors import (
    projects_progress,
)
from projects.services import projects as services
from projects.views.common import (
    PHASE_BADGES,
)

SORTABLE = ("code", "name", "phase", "planned_start", "planned_finish", "scheduled_finish")


def sort_links(current: str, fields: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """For each sortable column: the ordering its header link asks for, and its aria-sort state."""
    links = {}
    for field in fields:
        if current == field:
            links[field] = {"next": f"-{field}", "state": "ascending"}
        elif current == f"-{field}":
            links[field] = {"next": field, "state": "descending"}
        else:
            links[field] = {"next": field, "state": "none"}
    return links


class ProjectListView(OrganizationPageMixin, TemplateView):
    """Every project of the organisation, filtered, ordered and paginated; a fixed number of queries."""

    template_name = "projects/project_list.html"
    read_action = ProjectAction.PROJECT_VIEW

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        latest_report = (
            StatusReport.objects.for_organization(self.organization)
            .filter(project=OuterRef("pk"))
            .order_by("-period_end")
            .values("rag_overall")[:1]
        )
        queryset = (
            Project.objects.for_organization(self.organization)
            .select_related("portfolio", "portfolio__parent", "manager")
            .annotate(rag=Subquery(latest_report))
            .order_by("code")
        )
        filterset = ProjectFilter(self.request.GET, queryset=queryset, organization=self.organization)
        page = paginate(self.request, filterset.qs if filterset.is_valid() else queryset.none())
        progress = projects_progress(self.organization, [project.pk for project in page.object_list])
        context.update(
            filter=filterset,
            page=page,
            rows=[
                {
                    "project": project,
                    "phase_badge": PHASE_BADGES.get(project.phase, "badge-grey"),
                    "percent": progress.get(project.pk),
                    "late": bool(
                        project.planned_finish
                        and project.scheduled_finish
                        and project.scheduled_finish > project.planned_finish
                    ),
                }
                for project in page.object_list
            ],
            filtered=any(value for key, value in self.request.GET.items() if key not in {"page", "ordering"}),
            sort=sort_links(self.request.GET.get("ordering") or "code", SORTABLE),
            ordering=self.request.GET.get("ordering", ""),
            nav_active="projects",
        )
        return context


class ProjectCreateView(OrganizationPageMixin, TemplateView):
    template_name = "projects/project_form.html"
    read_action = ProjectAction.PROJECT_CREATE
    write_action = ProjectAction.PROJECT_CREATE

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["form"] = kwargs.get("form") or ProjectForm(
            organization=self.organization, initial={"manager": self.request.user.pk}
        )
        context["nav_active"] = "projects"
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = ProjectForm(request.POST, organization=self.organization)
        if form.is_valid():
            try:
                project = services.project_create(
                    actor=request.user,  # type: ignore[arg-type]
                    organization=self.organization,
                    **form.service_fields(),
                )
            except ApplicationError as error:
                self.report(error, form)
            else:
                messages.success(request, _("Project %(code)s was created.") % {"code": project.code})
                return redirect("project-overview", org_slug=self.organization.slug, project_id=project.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PortfolioListView(OrganizationPageMixin, TemplateView):
    """Portfolios with their programmes and how many projects each holds; PMO adds and edits them."""

    template_name = "projects/portfolios.html"
    read_action = ProjectAction.PROJECT_VIEW
    write_action = ProjectAction.PORTFOLIO_MANAGE

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rows = list(
            portfolios_in_tree_order(self.organization)
            .select_related("owner")
            .annotate(project_count=Count("projects", distinct=True))
        )
        totals: dict[int, int] = defaultdict(int)
        for row in rows:
            totals[row.parent_id or row.pk] += row.project_count
        context["rows"] = [{"portfolio": row, "direct": row.project_count, "total": totals[row.pk]} for row in rows]
        context["unassigned"] = (
            Project.objects.for_organization(self.organization).filter(portfolio__isnull=True).count()
        )
        if self.can(ProjectAction.PORTFOLIO_MANAGE):
            context["form"] = kwargs.get("form") or PortfolioForm(organization=self.organization)
        context["nav_active"] = "projects"
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = PortfolioForm(request.POST, organization=self.organization)
        if form.is_valid():
            try:
                portfolio = services.portfolio_create(
                    actor=request.user,  # type: ignore[arg-type]
                    organization=self.organization,
                    **form.service_fields(),
                )
            except ApplicationError as error:
                self.report(error, form)
            else:
                messages.success(request, _("“%(name)s” was created.") % {"name": portfolio.name})
                return redirect("project-portfolios", org_slug=self.organization.slug)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PortfolioEditView(OrganizationPageMixin, TemplateView):
    model = Portfolio
    template_name = "projects/portfolio_form.html"
    read_action = ProjectAction.PORTFOLIO_MANAGE
    write_action = ProjectAction.PORTFOLIO_MANAGE

    def get_portfolio(self) -> Portfolio:
        return get_object_or_404(Portfolio.objects.for_organization(self.organization), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        portfolio = self.get_portfolio()
        context["portfolio"] = portfolio
        context["form"] = kwargs.get("form") or self.with_version(
            PortfolioForm(organization=self.organization, instance=portfolio), portfolio
        )
        context["nav_active"] = "projects"
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        portfolio = self.get_portfolio()
        form = PortfolioForm(request.POST, organization=self.organization, instance=copy.copy(portfolio))
        self.with_version(form, portfolio)
        if form.is_valid():
            try:
                with self.unchanged_since_read(form, portfolio):
                    services.portfolio_update(
                        actor=request.user,  # type: ignore[arg-type]
                        portfolio=portfolio,
                        **form.service_fields(),
                    )
            except ApplicationError as error:
                self.report(error, form)
            else:
                messages.success(request, _("“%(name)s” was saved.") % {"name": portfolio.name})
                return redirect("project-portfolios", org_slug=self.organization.slug)
        return self.render_to_response(self.get_context_data(form=form), status=400)
