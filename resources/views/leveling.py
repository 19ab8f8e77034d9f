"""Leveling pages: choose projects, a period and whether tasks may go beyond their float, compute a
proposal, look at it (moved tasks with old and new dates, projects' finishes, over-allocations before
and after) and apply or discard it; the proposals made before, newest first.

The organisation's page levels any set of projects the member may level; a project's page levels
that project alone and lists the proposals that include it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pmo.api.base import SAFE_METHODS
from pmo.forms import DateWindowFormMixin
from pmo.jobs import job_started_page_response
from pmo.views import paginate
from projects.models import Project
from resources import leveling_jobs
from resources.models import LevelingRun, LevelingStatus
from resources.permissions import ResourceAction
from resources.services import leveling as services
from resources.views.base import InProject, ResourcesPage

RUNS_PER_PAGE = 20
DEFAULT_WEEKS = 13
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
STATUS_BADGES: dict[str, str] = {
    LevelingStatus.PROPOSED: "badge-blue",
    LevelingStatus.APPLIED: "badge-green",
    LevelingStatus.DISCARDED: "badge-grey",
    LevelingStatus.STALE: "badge-amber",
}


class LevelingForm(DateWindowFormMixin, forms.Form):
    projects = forms.MultipleChoiceField(
        label=gettext_lazy("Projects"),
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Their tasks are leveled together; other projects' load stays where it is."),
    )
    start = forms.DateField(label=gettext_lazy("From"), widget=DATE_INPUT)
    finish = forms.DateField(label=gettext_lazy("To"), widget=DATE_INPUT)
    allow_beyond_float = forms.BooleanField(
        label=gettext_lazy("Delay beyond total float"),
        required=False,
        help_text=gettext_lazy(
            "Off: tasks move only within their float and no finish moves. On: then beyond it, the lower-priority "
            "projects' tasks first."
        ),
    )

    def __init__(self, *args: Any, projects: list[Project] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if projects is None:
            del self.fields["projects"]
        else:
            self.fields["projects"].choices = [  # type: ignore[attr-defined]
                (str(project.pk), f"{project.code} {project.name}") for project in projects
            ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, finish = cleaned.get("start"), cleaned.get("finish")
        if start and finish and finish < start:
            self.add_error("finish", _("The period ends before it starts."))
        return cleaned


class LevelingPage(ResourcesPage):
    """What the list and the run pages share: the runs' URLs and who may level."""

    section = "leveling"

    def run_url(self, run_id: int) -> str:
        if self.in_project():
            return reverse("project-resource-leveling-run", args=[self.organization.slug, self.project.pk, run_id])  # type: ignore[attr-defined]
        return reverse("org-resource-leveling-run", args=[self.organization.slug, run_id])

    def list_url(self) -> str:
        if self.in_project():
            return reverse("project-resource-leveling", args=[self.organization.slug, self.project.pk])  # type: ignore[attr-defined]
        return reverse("org-resource-leveling", args=[self.organization.slug])

    def runs(self) -> QuerySet[LevelingRun]:
        return LevelingRun.objects.for_organization(self.organization).select_related("created_by", "decided_by")

    def project_codes(self, runs: list[LevelingRun]) -> dict[int, str]:
        ids = {pk for run in runs for pk in run.projects}
        return dict(Project.objects.for_organization(self.organization).filter(pk__in=ids).values_list("pk", "code"))


class LevelingListPage(LevelingPage):
    """The form and the proposals made before; ``POST`` computes one and opens it."""

    template_name = "resources/leveling/list.html"

    def levelable(self) -> list[Project]:
        if self.in_project():
            project: Project = self.project  # type: ignore[attr-defined]
            return [project] if project.is_open and self.can(ResourceAction.LEVEL) else []
        return services.levelable_projects(self.organization, self.actor)

    def form(self, projects: list[Project], data: Any = None) -> LevelingForm:
        start = self.organization.today()
        return LevelingForm(
            data,
            projects=None if self.in_project() else projects,
            initial={"start": start, "finish": start + dt.timedelta(weeks=DEFAULT_WEEKS)},
            date_window=self.organization.date_window,
        )

    def run_ids(self) -> list[int] | None:
        """A project's page lists the runs that include it (the project ids are a JSON list: read in one query)."""
        if not self.in_project():
            return None
        project_id = self.project.pk  # type: ignore[attr-defined]
        return [
            pk
            for pk, projects in LevelingRun.objects.for_organization(self.organization)
            .order_by("-created_at", "-id")
            .values_list("pk", "projects")
            if project_id in (projects or [])
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        projects = kwargs.get("levelable")
        if projects is None:
            projects = self.levelable()
        form = kwargs.get("form") or (self.form(projects) if projects else None)
        if form is not None and not projects and not self.in_project():
            form = None  # nothing to offer: the empty state says who levels
        found = self.runs().order_by("-created_at", "-id")
        ids = self.run_ids()
        if ids is not None:
            found = found.filter(pk__in=ids)
        page = paginate(self.request, found, RUNS_PER_PAGE)
        runs = list(page.object_list)
        codes = self.project_codes(runs)
        context.update(
            form=form,
            page=page,
            rows=[
                {
                    "run": run,
                    "url": self.run_url(run.pk),
                    "badge": STATUS_BADGES.get(run.status, "badge-grey"),
                    "projects": [codes.get(pk, "?") for pk in run.projects],
                    "delayed": run.result.get("delayed_count", 0),
                    "before": run.result.get("before_count", 0),
                    "after": run.result.get("after_count", 0),
                }
                for run in runs
            ],
            may_level=bool(projects),
            list_url=self.list_url(),
            job_above=settings.PMO_LEVELING_JOB_ABOVE,
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not self.in_project() and not services.may_level_any(self.membership):
            raise PermissionDenied
        projects = self.levelable()
        form = self.form(projects, request.POST)
        if not form.is_valid():
            return self.render_page(400, form=form, levelable=projects)
        answer, status = self.attempt(lambda: self.compute(form), form)
        if answer is None:
            return self.render_page(status, form=form, levelable=projects)
        return answer

    def compute(self, form: LevelingForm) -> HttpResponseRedirect:
        """The proposal's page once computed; over a large plan, its job's page, which follows the
        progress and then links to the proposal (or the proposal's page at once when the job has
        already run: eager Celery). A refusal, or a job that failed at once, raises its error."""
        chosen = [self.project] if self.in_project() else [int(pk) for pk in form.cleaned_data["projects"]]  # type: ignore[attr-defined]
        values: dict[str, Any] = {
            "actor": self.actor,
            "organization": self.organization,
            "projects": chosen,
            "start": form.cleaned_data["start"],
            "finish": form.cleaned_data["finish"],
            "allow_beyond_float": form.cleaned_data["allow_beyond_float"],
        }
        if leveling_jobs.in_job(self.organization, chosen):
            in_project = self.project if self.in_project() else None  # type: ignore[attr-defined]
            arguments = leveling_jobs.job_arguments(**values, in_project=in_project)
            return job_started_page_response(self.request, **arguments)
        run = services.leveling_compute(**values)
        return HttpResponseRedirect(self.run_url(run.pk))


class OrganizationLevelingView(LevelingListPage):
    """Level any set of projects the member may level."""

    # Planners level their own projects: the page offers those, the service checks each one.
    write_action = ResourceAction.RESOURCES_VIEW

    @classmethod
    def unowned_action(cls, method: str, viewset_action: str | None = None) -> str | None:
        """A member who plans no project needs the resource office's ``resources.level`` to compute."""
        return cls.read_action if method.upper() in SAFE_METHODS else ResourceAction.LEVEL


class ProjectLevelingView(InProject, LevelingListPage):
    """Level one project; the proposals that include it."""

    write_action = ResourceAction.LEVEL


class LevelingRunPage(LevelingPage):
    """One proposal: its moves, finishes and over-allocations; ``POST`` ``op`` = apply or discard."""

    template_name = "resources/leveling/run.html"
    run: LevelingRun

    def resolve_scope(self, **url_kwargs: Any) -> None:
        super().resolve_scope(**url_kwargs)
        run = self.runs().filter(pk=url_kwargs["levelingrun_id"]).first()
        if run is None:
            raise Http404
        if self.in_project() and self.project.pk not in run.projects:  # type: ignore[attr-defined]
            raise Http404
        self.run = run

    def may_decide(self) -> bool:
        roles = services.project_roles(self.organization, self.actor, self.run.projects)
        return services.may_level(self.membership, roles, self.run.projects)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        run = self.run
        result = run.result or {}
        projects = self.project_codes([run])
        finishes = []
        for row in result.get("projects", []):
            old, new = dt.date.fromisoformat(row["old_finish"]), dt.date.fromisoformat(row["new_finish"])
            finishes.append({**row, "old": old, "new": new, "days": (new - old).days})
        moves = [
            {
                **move,
                "old_start_day": dt.date.fromisoformat(move["old_start"]),
                "old_finish_day": dt.date.fromisoformat(move["old_finish"]),
                "new_start_day": dt.date.fromisoformat(move["new_start"]),
                "new_finish_day": dt.date.fromisoformat(move["new_finish"]),
            }
            for move in result.get("moves", [])
        ]
        open_run = run.status in (LevelingStatus.PROPOSED, LevelingStatus.STALE)
        context.update(
            run=run,
            result=result,
            moves=moves,
            finishes=finishes,
            project_codes=[projects.get(pk, "?") for pk in run.projects],
            badge=STATUS_BADGES.get(run.status, "badge-grey"),
            before=result.get("before_resources", []),
            after=result.get("after_resources", []),
            may_decide=open_run and self.may_decide(),
            may_apply=run.status == LevelingStatus.PROPOSED,
            list_url=self.list_url(),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not self.may_decide():
            raise PermissionDenied
        op = request.POST.get("op")
        if op == "apply":
            run, _status = self.attempt(lambda: services.leveling_apply(actor=self.actor, run=self.run))
            if run is not None:
                messages.success(request, _("The leveling was applied: the tasks' dates moved."))
        elif op == "discard":
            run, _status = self.attempt(lambda: services.leveling_discard(actor=self.actor, run=self.run))
            if run is not None:
                messages.success(request, _("The proposal was discarded."))
        else:
            return self.render_page(400)
        return HttpResponseRedirect(self.run_url(self.run.pk))


class OrganizationLevelingRunView(LevelingRunPage):
    write_action = ResourceAction.RESOURCES_VIEW

    @classmethod
    def unowned_action(cls, method: str, viewset_action: str | None = None) -> str | None:
        """A member who plans no project of the run needs the resource office's ``resources.level``."""
        return cls.read_action if method.upper() in SAFE_METHODS else ResourceAction.LEVEL


class ProjectLevelingRunView(InProject, LevelingRunPage):
    write_action = ResourceAction.LEVEL
