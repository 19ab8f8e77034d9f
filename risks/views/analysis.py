"""A project's risk analysis pages: Monte Carlo runs with their results, and the tasks' three-point estimates."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.generic import TemplateView

from pmo.errors import ApplicationError
from pmo.models import User
from pmo.views import paginate
from projects.models import WbsElement
from projects.views.common import ProjectTabsMixin
from risks.analysis_charts import Marker, cost_chart, finish_chart, tornado_chart
from risks.analysis_forms import BulkEstimateForm, EstimateForm, RunForm
from risks.models import MonteCarloRun, RunStatus, TaskEstimate
from risks.permissions import RiskAction
from risks.services import analysis
from risks.services.settings import risk_settings_for

RUN_BADGES: dict[str, str] = {
    RunStatus.QUEUED: "badge-grey",
    RunStatus.RUNNING: "badge-blue",
    RunStatus.DONE: "badge-green",
    RunStatus.FAILED: "badge-red",
}
CRITICALITY_ROWS = 30
RECENT_RUNS = 8
REFRESH_SECONDS = 2


class AnalysisPage(ProjectTabsMixin, TemplateView):
    """A page of the project's risk analysis, under its own tab."""

    read_action = RiskAction.RISK_VIEW
    write_action = RiskAction.RISK_ANALYSE
    tab = "risk_analysis"

    @property
    def actor(self) -> User:
        return cast(User, self.request.user)

    def page_url(self, name: str, **kwargs: Any) -> str:
        return reverse(name, kwargs={"org_slug": self.organization.slug, "project_id": self.project.pk, **kwargs})

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["analysis_url"] = self.page_url("project-risk-analysis")
        context["estimates_url"] = self.page_url("project-task-estimates")
        context["register_url"] = self.page_url("project-risks")
        context["may_analyse"] = self.can(RiskAction.RISK_ANALYSE)
        return context


class RiskAnalysisView(AnalysisPage):
    """The latest (or a chosen) Monte Carlo run's results, the run form, and progress while one runs."""

    template_name = "risks/analysis.html"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = RunForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        try:
            analysis.monte_carlo_request(
                actor=self.actor,
                project=self.project,
                iterations=form.cleaned_data["iterations"],
                seed=form.cleaned_data["seed"],
            )
        except ApplicationError as error:
            self.report(error, form)
            return self.render_to_response(self.get_context_data(form=form), status=error.status_code)
        return HttpResponseRedirect(self.page_url("project-risk-analysis"))

    def runs(self) -> list[MonteCarloRun]:
        return list(
            MonteCarloRun.objects.for_organization(self.organization)
            .filter(project=self.project)
            .select_related("requested_by")
            .defer("inputs", "results")
            .order_by("-requested_at", "-id")[:RECENT_RUNS]
        )

    def shown_run(self, runs: list[MonteCarloRun]) -> MonteCarloRun | None:
        """The run asked for (``?run=``), else the latest done one; with its results."""
        runs_of_project = MonteCarloRun.objects.for_organization(self.organization).filter(project=self.project)
        wanted = self.request.GET.get("run", "")
        if wanted:
            if not wanted.isdigit():
                raise Http404
            return cast(MonteCarloRun, get_object_or_404(runs_of_project.defer("inputs"), pk=int(wanted)))
        done = next((run for run in runs if run.status == RunStatus.DONE), None)
        if done is None:
            return None
        return runs_of_project.defer("inputs").get(pk=done.pk)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        runs = self.runs()
        active = next((run for run in runs if run.is_active), None)
        shown = self.shown_run(runs)
        context.update(
            form=kwargs.get("form") or RunForm(),
            runs=[{"run": run, "badge": RUN_BADGES.get(run.status, "badge-grey")} for run in runs],
            active=active,
            refresh=REFRESH_SECONDS if active is not None else None,
            shown=shown,
            latest_failed=runs[0] if runs and runs[0].status == RunStatus.FAILED else None,
            currency=self.project.currency,
        )
        if shown is not None and shown.status == RunStatus.DONE and shown.results:
            context.update(self.results_context(shown))
        return context

    def results_context(self, run: MonteCarloRun) -> dict[str, Any]:
        results = run.results
        confidence = results["confidence"]
        finish, cost = results["finish"], results["cost"]
        rows = [
            {
                "label": f"P{percent}",
                "finish": dt.date.fromisoformat(finish["percentiles"][str(percent)]),
                "cost": Decimal(cost["percentiles"][str(percent)]),
            }
            for percent in (10, 50, 80, 90)
        ]
        p_label = _("P%(percent)s (confidence level)") % {"percent": confidence}
        finish_markers = [
            Marker("p50", "P50", dt.date.fromisoformat(finish["percentiles"]["50"])),
            Marker("confident", f"P{confidence}", dt.date.fromisoformat(results["confident_finish"])),
        ]
        if results.get("baseline_finish"):
            finish_markers.append(
                Marker("target", _("Baseline finish"), dt.date.fromisoformat(results["baseline_finish"]))
            )
        cost_markers = [
            Marker("p50", "P50", Decimal(cost["percentiles"]["50"])),
            Marker("confident", f"P{confidence}", Decimal(results["confident_cost"])),
        ]
        if results.get("budget") is not None:
            cost_markers.append(Marker("target", _("Budget"), Decimal(results["budget"])))
        kinds = {"task": pgettext("risk analysis driver", "Task"), "risk": pgettext("risk analysis driver", "Risk")}
        critical = [row for row in results["criticality"] if row["index"] > 0]
        return {
            "results": results,
            "percentile_rows": rows,
            "confidence_label": p_label,
            "confident_finish": dt.date.fromisoformat(results["confident_finish"]),
            "confident_cost": Decimal(results["confident_cost"]),
            "deterministic_finish": dt.date.fromisoformat(finish["deterministic"]),
            "deterministic_cost": Decimal(cost["deterministic"]),
            "finish_probability": _percent(results.get("finish_probability")),
            "budget_probability": _percent(results.get("budget_probability")),
            "baseline_finish": dt.date.fromisoformat(results["baseline_finish"])
            if results.get("baseline_finish")
            else None,
            "budget": Decimal(results["budget"]) if results.get("budget") is not None else None,
            "finish_svg": finish_chart(finish, finish_markers, title=_("Finish date: distribution and S-curve")),
            "cost_svg": cost_chart(
                cost, cost_markers, title=_("Cost: distribution and S-curve"), currency=self.project.currency
            ),
            "tornado_svg": tornado_chart(
                results["tornado"], title=_("What drives the finish date"), kind_label=lambda kind: kinds[kind]
            )
            if results["tornado"]
            else None,
            "tornado": [{**bar, "kind_label": kinds[bar["kind"]]} for bar in results["tornado"]],
            "criticality": [{**row, "percent": round(row["index"] * 100)} for row in critical[:CRITICALITY_ROWS]],
            "criticality_more": max(0, len(critical) - CRITICALITY_ROWS),
            "risk_rows": [{**row, "percent": round(row["occurrence"] * 100)} for row in results["risks"]],
        }


def _percent(share: float | None) -> int | None:
    return None if share is None else round(share * 100)


def _rounded(value: Decimal, quantum: Decimal) -> Decimal:
    return value.quantize(quantum, rounding=ROUND_HALF_UP)


class TaskEstimatesView(AnalysisPage):
    """Every task with the three points a run takes (stored, or the defaults), and the bulk form by branch."""

    template_name = "risks/estimates.html"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = BulkEstimateForm(request.POST, summaries=self.summaries())
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(bulk_form=form), status=400)
        clearing = request.POST.get("op") == "clear"
        try:
            if clearing:
                count = analysis.task_estimates_clear(
                    actor=self.actor, project=self.project, branch=form.selected_branch()
                )
            else:
                count = analysis.task_estimates_bulk(
                    actor=self.actor,
                    project=self.project,
                    branch=form.selected_branch(),
                    optimistic_percent=form.cleaned_data["optimistic_percent"],
                    pessimistic_percent=form.cleaned_data["pessimistic_percent"],
                )
        except ApplicationError as error:
            self.report(error, form)
            return self.render_to_response(self.get_context_data(bulk_form=form), status=error.status_code)
        if clearing:
            messages.success(request, _("Estimates cleared: %(count)d tasks take the defaults.") % {"count": count})
        else:
            messages.success(request, _("Three points set for %(count)d tasks.") % {"count": count})
        return HttpResponseRedirect(self.page_url("project-task-estimates"))

    def summaries(self) -> list[WbsElement]:
        return list(
            WbsElement.objects.for_organization(self.organization)
            .filter(project=self.project, kind=WbsElement.Kind.SUMMARY)
            .order_by("sort_key")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        settings = risk_settings_for(self.organization)
        optimistic, pessimistic = settings.optimistic_percent, settings.pessimistic_percent
        tasks = (
            WbsElement.objects.for_organization(self.organization)
            .filter(project=self.project)
            .exclude(kind=WbsElement.Kind.SUMMARY)
            .order_by("sort_key")
            .values("pk", "code", "name", "duration", "budgeted_cost")
        )
        page = paginate(self.request, tasks)
        stored = {
            row["element_id"]: row
            for row in TaskEstimate.objects.for_organization(self.organization)
            .filter(element__in=[task["pk"] for task in page.object_list])
            .values(
                "element_id",
                "optimistic_days",
                "likely_days",
                "pessimistic_days",
                "optimistic_cost",
                "likely_cost",
                "pessimistic_cost",
            )
        }
        rows = []
        for task in page.object_list:
            estimate = stored.get(task["pk"])
            if estimate is not None:
                days = [estimate["optimistic_days"], estimate["likely_days"], estimate["pessimistic_days"]]
                costs = [estimate["optimistic_cost"], estimate["likely_cost"], estimate["pessimistic_cost"]]
            else:
                days = [
                    Decimal(value).normalize()
                    for value in analysis.default_points(task["duration"], optimistic, pessimistic)
                ]
                costs = [
                    _rounded(Decimal(value), Decimal("0.01"))
                    for value in analysis.default_points(task["budgeted_cost"], optimistic, pessimistic)
                ]
            rows.append(
                {
                    **task,
                    "estimated": estimate is not None,
                    "days": days,
                    "costs": costs,
                    "edit_url": self.page_url("project-task-estimate", wbselement_id=task["pk"]),
                }
            )
        context.update(
            page=page,
            rows=rows,
            settings=settings,
            currency=self.project.currency,
            bulk_form=kwargs.get("bulk_form")
            or BulkEstimateForm(
                summaries=self.summaries(),
                initial={"optimistic_percent": optimistic, "pessimistic_percent": pessimistic},
            ),
        )
        return context


class TaskEstimateEditView(AnalysisPage):
    """One task's three points: edit them, or clear them so that runs take the defaults."""

    template_name = "risks/estimate_form.html"
    task: WbsElement

    def resolve_scope(self, **url_kwargs: Any) -> None:
        super().resolve_scope(**url_kwargs)
        self.task = get_object_or_404(
            WbsElement.objects.for_organization(self.organization).filter(project=self.project),
            pk=url_kwargs["wbselement_id"],
        )
        self.task.project = self.project

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.task.kind == WbsElement.Kind.SUMMARY:
            # A summary has no points of its own: its tasks are set together by branch on the list.
            return HttpResponseRedirect(self.page_url("project-task-estimates"))
        return super().get(request, *args, **kwargs)

    def estimate(self) -> TaskEstimate | None:
        return TaskEstimate.objects.for_organization(self.organization).filter(element=self.task).first()

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.task.kind == WbsElement.Kind.SUMMARY:
            raise Http404
        if request.POST.get("op") == "clear":
            analysis.task_estimate_clear(actor=self.actor, element=self.task)
            messages.success(request, _("The estimate was cleared: runs take the defaults."))
            return HttpResponseRedirect(self.page_url("project-task-estimates"))
        form = EstimateForm(request.POST)
        if form.is_valid():
            try:
                analysis.task_estimate_set(actor=self.actor, element=self.task, **form.cleaned_data)
            except ApplicationError as error:
                self.report(error, form)
            else:
                messages.success(request, _("Three points saved for %(task)s.") % {"task": self.task})
                return HttpResponseRedirect(self.page_url("project-task-estimates"))
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        estimate = self.estimate()
        if estimate is not None:
            initial = {
                field: getattr(estimate, field)
                for field in (
                    "optimistic_days",
                    "likely_days",
                    "pessimistic_days",
                    "optimistic_cost",
                    "likely_cost",
                    "pessimistic_cost",
                )
            }
        else:
            settings = risk_settings_for(self.organization)
            days = analysis.default_points(
                self.task.duration, settings.optimistic_percent, settings.pessimistic_percent
            )
            costs = analysis.default_points(
                self.task.budgeted_cost, settings.optimistic_percent, settings.pessimistic_percent
            )
            initial = {
                "optimistic_days": int(_rounded(Decimal(days[0]), Decimal(1))),
                "likely_days": self.task.duration,
                "pessimistic_days": int(_rounded(Decimal(days[2]), Decimal(1))),
                "optimistic_cost": _rounded(Decimal(costs[0]), Decimal("0.01")),
                "likely_cost": self.task.budgeted_cost,
                "pessimistic_cost": _rounded(Decimal(costs[2]), Decimal("0.01")),
            }
        context.update(
            task=self.task,
            estimate=estimate,
            form=kwargs.get("form") or EstimateForm(initial=initial),
            currency=self.project.currency,
        )
        return context
