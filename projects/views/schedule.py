"""The Gantt chart and the baselines with their comparison."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from pmo.errors import ApplicationError
from projects import gantt
from projects.forms import (
    BaselineForm,
)
from projects.models import (
    Baseline,
    BaselineTask,
    Dependency,
)
from projects.pages import ProjectPageMixin
from projects.permissions import ProjectAction
from projects.selectors import (
    baseline_comparison,
    current_baseline,
    project_work_calendar,
)
from projects.services import plan
from projects.services.schedule import PHASES_SCHEDULED_FROM_TODAY
from projects.views.common import (
    ProjectTabsMixin,
    ordered_elements,
)


class GanttView(ProjectTabsMixin, TemplateView):
    """The server-drawn Gantt chart; a fixed number of queries whatever the size of the plan."""

    template_name = "projects/gantt.html"
    tab = "gantt"
    read_action = ProjectAction.PROJECT_VIEW

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        elements = ordered_elements(self.project)
        links = [
            gantt.GanttLink(*row)
            for row in Dependency.objects.for_organization(self.organization)
            .filter(project=self.project)
            .values_list("predecessor_id", "successor_id", "type", "lag")
        ]
        baseline = current_baseline(self.project)
        frozen = (
            list(BaselineTask.objects.for_organization(self.organization).filter(baseline=baseline))
            if baseline is not None
            else []
        )
        requested = self.request.GET.get("zoom", "")
        zoom = gantt.Zoom(requested) if requested in gantt.Zoom.__members__.values() else None
        calendar = project_work_calendar(self.project)
        wbs_url = self.project_url("project-wbs")
        today = self.organization.today()
        chart = gantt.render_gantt(
            gantt.plan_items(elements, frozen),
            links,
            zoom=zoom,
            today=today,
            is_working_day=calendar.is_working_day,
            row_href=lambda item: f"{wbs_url}#e{item.id}",
        )
        context.update(
            chart=chart,
            baseline=baseline,
            # Under way, today is the data date the unfinished work is scheduled from.
            data_date=today if self.project.phase in PHASES_SCHEDULED_FROM_TODAY else None,
            zooms=[(value, label) for value, label in gantt.ZOOM_LABELS.items()],
            current_zoom=chart.zoom if chart else None,
        )
        return context


# --- baselines --------------------------------------------------------------------------


class BaselineListView(ProjectTabsMixin, TemplateView):
    template_name = "projects/baselines.html"
    tab = "baselines"
    read_action = ProjectAction.PROJECT_VIEW
    write_action = ProjectAction.PROJECT_MANAGE

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["baselines"] = list(
            Baseline.objects.for_organization(self.organization)
            .filter(project=self.project)
            .select_related("created_by", "change_request")
            .annotate(task_count=Count("tasks"))
            .order_by("-created_at", "-pk")
        )
        if self.can(ProjectAction.PROJECT_MANAGE) and self.project.is_open:
            context["form"] = kwargs.get("form") or BaselineForm()
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = BaselineForm(request.POST)
        if form.is_valid():
            try:
                baseline = plan.baseline_create(
                    actor=request.user,  # type: ignore[arg-type]
                    project=self.project,
                    name=form.cleaned_data["name"],
                    make_current=form.cleaned_data["make_current"],
                )
            except ApplicationError as error:
                self.report(error, form)
            else:
                messages.success(request, _("Baseline “%(name)s” was saved.") % {"name": baseline.name})
                return HttpResponseRedirect(self.project_url("project-baselines"))
        return self.render_to_response(self.get_context_data(form=form), status=400)


class BaselineMakeCurrentView(ProjectPageMixin, TemplateView):
    read_action = ProjectAction.PROJECT_VIEW
    write_action = ProjectAction.PROJECT_MANAGE

    def list_url(self) -> str:
        return reverse("project-baselines", kwargs={"org_slug": self.organization.slug, "project_id": self.project.pk})

    def get_baseline(self) -> Baseline:
        return get_object_or_404(
            Baseline.objects.for_organization(self.organization).select_related("project"),
            pk=self.kwargs["baseline_id"],
            project=self.project,
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.get_baseline()
        return HttpResponseRedirect(self.list_url())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        baseline = self.get_baseline()
        try:
            plan.baseline_set_current(actor=request.user, baseline=baseline)  # type: ignore[arg-type]
        except ApplicationError as error:
            self.report(error)
        else:
            messages.success(request, _("“%(name)s” is now the current baseline.") % {"name": baseline.name})
        return HttpResponseRedirect(self.list_url())


class BaselineCompareView(ProjectTabsMixin, TemplateView):
    template_name = "projects/baseline_compare.html"
    tab = "baselines"
    read_action = ProjectAction.PROJECT_VIEW

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        baseline = get_object_or_404(
            Baseline.objects.for_organization(self.organization).select_related("project", "created_by"),
            pk=self.kwargs["baseline_id"],
            project=self.project,
        )
        rows, total = baseline_comparison(baseline)
        context.update(
            baseline=baseline,
            rows=[{"row": row, "depth": min(row.depth, 8)} for row in rows],
            total=total,
            counts={
                "changed": sum(1 for row in rows if row.status == "changed" and not row.is_summary),
                "added": sum(1 for row in rows if row.status == "added"),
                "removed": sum(1 for row in rows if row.status == "removed"),
            },
        )
        return context
