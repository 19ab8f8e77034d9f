"""A project's Resources tab: its tasks with their assignments (units, work, labour cost estimate beside
the planned cost), adding, changing and removing assignments, and bottom-up costing with "re-cost now"."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from pmo.views import paginate
from projects.models import WbsElement
from projects.views.common import plain_number
from resources.forms_assignments import AssignmentForm, AssignmentListFilter, BottomUpForm
from resources.models import Assignment, AssignmentMode, Resource, ResourceKind
from resources.permissions import ResourceAction
from resources.services import costing
from resources.services.assignments import assignment_create, assignment_delete, assignment_update
from resources.views.base import InProject, ResourcesPage

#: Tasks per page of the Resources tab.
TASKS_PER_PAGE = 20
ZERO = Decimal("0")


def facts_of(assignment: Assignment, task: WbsElement, calendar_id: int | None) -> costing.AssignmentFacts:
    """An assignment read as an instance (with its resource), as estimates read it."""
    resource = assignment.resource
    return costing.AssignmentFacts(
        id=assignment.pk,
        project_id=assignment.project_id,
        calendar_id=calendar_id,
        task_id=task.pk,
        start=task.planned_start,
        finish=task.planned_finish,
        duration=task.duration,
        resource_id=resource.pk,
        kind=resource.kind,
        hours_per_day=resource.hours_per_day,
        mode=assignment.mode,
        units=assignment.units,
        work=assignment.work,
    )


class AssignmentChoicesMixin:
    """What the assignment forms choose from, read once per request: the project's tasks and the pool."""

    organization: Any
    project: Any

    def leaves(self) -> list[WbsElement]:
        if not hasattr(self, "_leaves"):
            self._leaves = list(
                WbsElement.objects.for_organization(self.organization)
                .filter(project=self.project)
                .exclude(kind=WbsElement.Kind.SUMMARY)
                .order_by("sort_key")
            )
        return self._leaves

    def pool(self, keep: Resource | None = None) -> list[Resource]:
        """The active resources (and ``keep``, the one an assignment already has, even if inactive since)."""
        if not hasattr(self, "_pool"):
            self._pool = list(
                Resource.objects.for_organization(self.organization).filter(is_active=True).order_by("code")
            )
        if keep is not None and all(resource.pk != keep.pk for resource in self._pool):
            return [*self._pool, keep]
        return self._pool

    def assignment_form(self, data: Any = None, **kwargs: Any) -> AssignmentForm:
        return AssignmentForm(data, tasks=self.leaves(), resources=self.pool(kwargs.pop("keep", None)), **kwargs)


class ProjectAssignmentsView(AssignmentChoicesMixin, InProject, ResourcesPage):
    """The project's tasks with their assignments; planners add them, toggle bottom-up costing and re-cost."""

    template_name = "resources/assignments/project.html"
    section = "assignments"
    write_action = ResourceAction.ASSIGN

    def list_url(self) -> str:
        return reverse("project-resources", args=[self.organization.slug, self.project.pk])

    def may_assign(self) -> bool:
        return self.can(ResourceAction.ASSIGN) and self.project.is_open

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        leaves = self.leaves()
        pool = self.pool()
        filters = AssignmentListFilter(self.request.GET or None, tasks=leaves, resources=pool)
        task_id = resource_id = None
        if filters.is_valid():
            task_id, resource_id = filters.cleaned_data["task"], filters.cleaned_data["resource"]
        assignments = (
            Assignment.objects.for_organization(self.organization)
            .filter(project=self.project)
            .select_related("resource")
            .order_by("resource__code", "id")
        )
        if resource_id is not None:
            assignments = assignments.filter(resource_id=resource_id)
        tasks: QuerySet[WbsElement] = (
            WbsElement.objects.for_organization(self.organization)
            .filter(project=self.project)
            .exclude(kind=WbsElement.Kind.SUMMARY)
            .order_by("sort_key")
        )
        if task_id is not None:
            tasks = tasks.filter(pk=task_id)
        if resource_id is not None:
            tasks = tasks.filter(pk__in=assignments.values("task_id"))
        page = paginate(self.request, tasks, TASKS_PER_PAGE)
        on_page = list(page.object_list)
        by_task: dict[int, list[Assignment]] = {task.pk: [] for task in on_page}
        for assignment in assignments.filter(task_id__in=list(by_task)):
            by_task[assignment.task_id].append(assignment)
        may_see_rates = self.can(ResourceAction.RATES_VIEW)
        estimates: dict[int, costing.Estimate] = {}
        if may_see_rates:
            facts = [
                facts_of(assignment, task, self.project.calendar_id)
                for task in on_page
                for assignment in by_task[task.pk]
            ]
            estimates = costing.estimates(self.organization.pk, facts)
        rows = []
        for task in on_page:
            items: list[dict[str, Any]] = []
            found = [estimates[assignment.pk] for assignment in by_task[task.pk] if assignment.pk in estimates]
            for assignment in by_task[task.pk]:
                estimate = estimates.get(assignment.pk)
                items.append(
                    {
                        "assignment": assignment,
                        "estimate": estimate,
                        "material": assignment.resource.kind == ResourceKind.MATERIAL,
                        "url": reverse(
                            "project-resource-assignment",
                            args=[self.organization.slug, self.project.pk, assignment.pk],
                        ),
                    }
                )
            total = sum((estimate.amount for estimate in found), ZERO)
            rows.append(
                {
                    "task": task,
                    "items": items,
                    "estimate": total if may_see_rates and items else None,
                    "incomplete": any(not estimate.complete for estimate in found),
                    "differs": may_see_rates and bool(items) and total != task.budgeted_cost,
                }
            )
        resourcing = costing.resourcing_of(self.project)
        bottom_up = resourcing is not None and resourcing.bottom_up_costing
        may_assign = self.may_assign()
        context.update(
            rows=rows,
            page=page,
            filters=filters,
            filtered=task_id is not None or resource_id is not None,
            list_url=self.list_url(),
            has_tasks=bool(leaves),
            has_pool=bool(pool),
            may_assign=may_assign,
            may_see_rates=may_see_rates,
            bottom_up=bottom_up,
            pool_url=self.pool_url(),
            wbs_url=reverse("project-wbs", args=[self.organization.slug, self.project.pk]),
            requests_url=reverse("project-resource-requests", args=[self.organization.slug, self.project.pk]),
        )
        if may_assign:
            context["form"] = kwargs.get("form") or self.assignment_form(
                initial={"mode": AssignmentMode.UNITS, "task": task_id or "", "resource": resource_id or ""}
            )
            context["bottom_up_form"] = BottomUpForm(initial={"bottom_up_costing": not bottom_up})
        return context

    def pool_url(self) -> str | None:
        try:
            return reverse("org-resource-pool", args=[self.organization.slug])
        except NoReverseMatch:  # the pool pages are another part's
            return None

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        operation = request.POST.get("op", "")
        if operation == "bottom_up":
            return self.toggle(request)
        if operation == "recost":
            return self.recost()
        return self.add(request)

    def add(self, request: HttpRequest) -> HttpResponse:
        form = self.assignment_form(request.POST)
        status = 400
        if form.is_valid():
            assignment, status = self.attempt(
                lambda: assignment_create(actor=self.actor, project=self.project, **form.service_fields()), form
            )
            if assignment is not None:
                messages.success(
                    request,
                    _("%(resource)s assigned to %(task)s.")
                    % {"resource": assignment.resource, "task": f"{assignment.task.code} {assignment.task.name}"},
                )
                return redirect(self.list_url())
        return self.render_page(status, form=form)

    def toggle(self, request: HttpRequest) -> HttpResponse:
        form = BottomUpForm(request.POST)
        form.is_valid()
        wanted = bool(form.cleaned_data.get("bottom_up_costing"))
        resourcing, status = self.attempt(
            lambda: costing.project_resourcing_set(actor=self.actor, project=self.project, bottom_up_costing=wanted)
        )
        if resourcing is None:
            return self.render_page(status)
        if wanted:
            messages.success(request, _("Bottom-up costing is on: tasks with assignments now take their cost."))
        else:
            messages.success(request, _("Bottom-up costing is off: planned costs stay as they are."))
        return redirect(self.list_url())

    def recost(self) -> HttpResponse:
        changed, status = self.attempt(lambda: costing.project_recost(actor=self.actor, project=self.project))
        if changed is None:
            return self.render_page(status)
        if changed:
            messages.success(self.request, _("Re-costed: %(count)s tasks changed.") % {"count": len(changed)})
        else:
            messages.success(self.request, _("Re-costed: every planned cost was already up to date."))
        return redirect(self.list_url())


class AssignmentEditView(AssignmentChoicesMixin, InProject, ResourcesPage):
    """One assignment: change its task, resource, amount or note, or remove it."""

    template_name = "resources/assignments/edit.html"
    section = "assignments"
    read_action = ResourceAction.ASSIGN
    write_action = ResourceAction.ASSIGN
    assignment: Assignment

    def resolve_scope(self, **url_kwargs: Any) -> None:
        super().resolve_scope(**url_kwargs)
        found = (
            Assignment.objects.for_organization(self.organization)
            .filter(project=self.project, pk=url_kwargs["assignment_id"])
            .select_related("task", "resource", "request")
            .first()
        )
        if found is None:
            raise Http404
        found.project = self.project
        self.assignment = found

    def list_url(self) -> str:
        return reverse("project-resources", args=[self.organization.slug, self.project.pk])

    def form(self, data: Any = None) -> AssignmentForm:
        assignment = self.assignment
        given = assignment.units if assignment.mode == AssignmentMode.UNITS else assignment.work
        form = self.assignment_form(
            data,
            keep=assignment.resource,
            initial={
                "task": assignment.task_id,
                "resource": assignment.resource_id,
                "mode": assignment.mode,
                "amount": plain_number(given),
                "note": assignment.note,
            },
        )
        return self.with_version(form, assignment)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            assignment=self.assignment,
            form=kwargs.get("form") or self.form(),
            list_url=self.list_url(),
            project_open=self.project.is_open,
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.POST.get("op") == "delete":
            done, status = self.attempt(lambda: assignment_delete(actor=self.actor, assignment=self.assignment) or True)
            if done:
                messages.success(request, _("Assignment removed."))
                return redirect(self.list_url())
            return self.render_page(status)
        form = self.form(request.POST)
        status = 400
        if form.is_valid():
            fields = form.service_fields()
            saved, status = self.attempt(
                lambda: assignment_update(actor=self.actor, assignment=self.assignment, **fields),
                form,
                edited=self.assignment,
            )
            if saved is not None:
                messages.success(request, _("Assignment saved."))
                return redirect(self.list_url())
        return self.render_page(status, form=form)
