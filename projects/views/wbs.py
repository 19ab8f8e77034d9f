"""The WBS: the indented plan with inline progress, elements, dependencies and history."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from pmo.errors import ApplicationError
from pmo.views import paginate
from projects import registries
from projects.forms import (
    DependencyForm,
    ProgressForm,
    WbsElementForm,
)
from projects.models import (
    BaselineTask,
    Dependency,
    ProgressUpdate,
    WbsElement,
)
from projects.pages import ProjectPageMixin
from projects.permissions import ProjectAction
from projects.selectors import (
    project_work_calendar,
)
from projects.services import plan
from projects.views.common import (
    ProjectTabsMixin,
    descendants_of,
    ordered_elements,
    plain_number,
    safe_next,
)
from projects.views.wbs_table import WbsRow, WbsTableRenderer


class WbsView(ProjectTabsMixin, TemplateView):
    """The indented WBS with rolled-up summaries; a fixed number of queries whatever its size."""

    template_name = "projects/wbs.html"
    tab = "wbs"
    read_action = ProjectAction.PROJECT_VIEW

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        elements = ordered_elements(self.project)
        code_of = {element.pk: element.code for element in elements}
        predecessors: dict[int, list[str]] = defaultdict(list)
        links = (
            Dependency.objects.for_organization(self.organization)
            .filter(project=self.project)
            .values_list("predecessor_id", "successor_id", "type", "lag")
        )
        for predecessor, successor, kind, lag in links:
            label = f"{code_of.get(predecessor, '?')} {kind}" + (f"{lag:+d}" if lag else "")
            predecessors[successor].append(label)
        calendar = project_work_calendar(self.project)
        rows = [
            WbsRow(
                element=element,
                depth=min(element.code.count("."), 8),
                span=calendar.working_days_between(element.planned_start, element.planned_finish)
                if not element.is_leaf and element.planned_start and element.planned_finish
                else None,
                predecessors=predecessors.get(element.pk, []),
                status=element.status,
            )
            for element in elements
        ]
        may_manage = self.can(ProjectAction.PROJECT_MANAGE) and self.project.is_open
        may_progress = self.can(ProjectAction.PROGRESS_UPDATE) and self.project.is_open
        renderer = WbsTableRenderer(
            may_manage=may_manage,
            may_progress=may_progress,
            csrf_token=get_token(self.request),
            today=self.organization.today(),
        )
        roots = [element for element in elements if element.parent_id is None]
        context.update(
            rows=rows,
            rows_html=renderer.render(rows),
            totals={
                "cost": sum((element.budgeted_cost for element in roots), Decimal("0")),
                "tasks": sum(1 for element in elements if element.is_leaf),
                "critical": sum(1 for element in elements if element.is_leaf and element.is_critical),
            },
            may_manage=may_manage,
            may_progress=may_progress,
        )
        return context


class WbsFormMixin(ProjectTabsMixin):
    tab = "wbs"

    def wbs_url(self, element: WbsElement | None = None) -> str:
        return self.project_url("project-wbs") + (f"#e{element.pk}" if element is not None else "")


class WbsElementCreateView(WbsFormMixin, TemplateView):
    template_name = "projects/wbs_element_form.html"
    read_action = ProjectAction.PROJECT_MANAGE
    write_action = ProjectAction.PROJECT_MANAGE

    def parents(self) -> list[WbsElement]:
        return [element for element in ordered_elements(self.project) if element.kind != WbsElement.Kind.MILESTONE]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = kwargs.get("form")
        if form is None:
            parent = self.request.GET.get("parent", "")
            form = WbsElementForm(parents=self.parents(), initial={"parent": parent if parent.isdigit() else ""})
        context["form"] = form
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = WbsElementForm(request.POST, parents=self.parents())
        if form.is_valid():
            fields = {key: value for key, value in form.cleaned_data.items() if value is not None or key == "parent"}
            try:
                element = plan.wbs_element_create(
                    actor=request.user,  # type: ignore[arg-type]
                    project=self.project,
                    **fields,
                )
            except ApplicationError as error:
                self.report(error, form)
            else:
                messages.success(
                    request, _("“%(name)s” was added as %(code)s.") % {"name": element.name, "code": element.code}
                )
                if "add_another" in request.POST:
                    parent = f"?parent={element.parent_id}" if element.parent_id else ""
                    return HttpResponseRedirect(self.project_url("project-wbs-add") + parent)
                return HttpResponseRedirect(self.wbs_url(element))
        return self.render_to_response(self.get_context_data(form=form), status=400)


class WbsElementEditView(WbsFormMixin, TemplateView):
    """Change an element; its dependencies (add, remove) are managed on the same page."""

    model = WbsElement
    template_name = "projects/wbs_element_form.html"
    read_action = ProjectAction.PROJECT_MANAGE
    write_action = ProjectAction.PROJECT_MANAGE

    def setup_element(self) -> tuple[WbsElement, list[WbsElement]]:
        elements = ordered_elements(self.project)
        element = next((e for e in elements if e.pk == self.kwargs["pk"]), None)
        if element is None:
            raise WbsElement.DoesNotExist
        return element, elements

    def element_form(self, element: WbsElement, elements: list[WbsElement], data: Any = None) -> WbsElementForm:
        excluded = descendants_of(element, elements) | {element.pk}
        parents = [e for e in elements if e.pk not in excluded and e.kind != WbsElement.Kind.MILESTONE]
        initial = {
            "name": element.name,
            "parent": element.parent_id or "",
            "kind": element.kind,
            "duration": element.duration,
            "budgeted_cost": element.budgeted_cost,
            "percent_complete_method": element.percent_complete_method,
            "position": element.position,
            "notes": element.notes,
            "constraint_type": element.constraint_type,
            "constraint_date": element.constraint_date,
        }
        return WbsElementForm(data, parents=parents, element=element, initial=initial)

    def dependency_form(self, element: WbsElement, elements: list[WbsElement], data: Any = None) -> DependencyForm:
        candidates = [e for e in elements if e.is_leaf and e.pk != element.pk]
        return DependencyForm(data, candidates=candidates)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        element, elements = kwargs.get("element_and_elements") or self.setup_element()
        links = list(
            Dependency.objects.for_organization(self.organization)
            .filter(Q(predecessor=element) | Q(successor=element))
            .select_related("predecessor", "successor")
            .order_by("pk")
        )
        context.update(
            element=element,
            form=kwargs.get("form") or self.with_version(self.element_form(element, elements), element),
            dependency_form=(kwargs.get("dependency_form") or self.dependency_form(element, elements))
            if element.is_leaf
            else None,
            predecessors=[link for link in links if link.successor_id == element.pk],
            successors=[link for link in links if link.predecessor_id == element.pk],
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        element, elements = self.setup_element()
        form = self.with_version(self.element_form(element, elements, request.POST), element)
        if form.is_valid():
            fields = dict(form.cleaned_data)
            if fields.get("position") is None:
                fields.pop("position", None)
                if fields.get("parent") == element.parent:
                    fields.pop("parent")
            try:
                with self.unchanged_since_read(form, element):
                    element = plan.wbs_element_update(
                        actor=request.user,  # type: ignore[arg-type]
                        element=element,
                        **fields,
                    )
            except ApplicationError as error:
                self.report(error, form)
            else:
                messages.success(request, _("%(code)s was saved.") % {"code": element.code})
                return HttpResponseRedirect(self.wbs_url(element))
        return self.render_to_response(
            self.get_context_data(form=form, element_and_elements=(element, elements)), status=400
        )


class DependencyCreateView(WbsElementEditView):
    """POST a predecessor for the task; the form lives on the element's edit page."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return HttpResponseRedirect(self.project_url("project-wbs-edit", pk=self.kwargs["pk"]))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        element, elements = self.setup_element()
        form = self.dependency_form(element, elements, request.POST)
        if form.is_valid() and element.is_leaf:
            try:
                plan.dependency_create(
                    actor=request.user,  # type: ignore[arg-type]
                    project=self.project,
                    predecessor=form.cleaned_data["predecessor"],
                    successor=element,
                    type=form.cleaned_data["type"],
                    lag=form.cleaned_data["lag"],
                )
            except ApplicationError as error:
                self.report(error, form)
            else:
                messages.success(request, _("The dependency was added."))
                return HttpResponseRedirect(self.project_url("project-wbs-edit", pk=element.pk) + "#dependencies")
        elif not element.is_leaf:
            form.add_error(None, _("Only tasks and milestones can be linked, not summary elements."))
        return self.render_to_response(
            self.get_context_data(dependency_form=form, element_and_elements=(element, elements)), status=400
        )


class DependencyDeleteView(ProjectPageMixin, TemplateView):
    model = Dependency
    read_action = ProjectAction.PROJECT_MANAGE
    write_action = ProjectAction.PROJECT_MANAGE

    def get_dependency(self) -> Dependency:
        return get_object_or_404(
            Dependency.objects.for_organization(self.organization).select_related("project"),
            pk=self.kwargs["pk"],
            project=self.project,
        )

    def edit_url(self, dependency: Dependency) -> str:
        return (
            reverse(
                "project-wbs-edit",
                kwargs={
                    "org_slug": self.organization.slug,
                    "project_id": self.project.pk,
                    "pk": dependency.successor_id,
                },
            )
            + "#dependencies"
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return HttpResponseRedirect(self.edit_url(self.get_dependency()))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        dependency = self.get_dependency()
        target = safe_next(request, self.edit_url(dependency))
        try:
            plan.dependency_delete(actor=request.user, dependency=dependency)  # type: ignore[arg-type]
        except ApplicationError as error:
            self.report(error)
        else:
            messages.success(request, _("The dependency was removed."))
        return HttpResponseRedirect(target)


class WbsElementDeleteView(WbsFormMixin, TemplateView):
    model = WbsElement
    template_name = "projects/wbs_element_delete.html"
    read_action = ProjectAction.PROJECT_MANAGE
    write_action = ProjectAction.PROJECT_MANAGE

    def get_element(self) -> WbsElement:
        return get_object_or_404(
            WbsElement.objects.for_organization(self.organization).select_related("project"),
            pk=self.kwargs["pk"],
            project=self.project,
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        element = self.get_element()
        elements = WbsElement.objects.for_organization(self.organization).filter(project=self.project)
        context.update(
            element=element,
            descendants=elements.filter(code__startswith=f"{element.code}.").count(),
            links=Dependency.objects.for_organization(self.organization)
            .filter(Q(predecessor=element) | Q(successor=element))
            .count(),
            baselined=BaselineTask.objects.for_organization(self.organization).filter(task=element).exists(),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        element = self.get_element()
        try:
            plan.wbs_element_delete(actor=request.user, element=element)  # type: ignore[arg-type]
        except ApplicationError as error:
            self.report(error)
            return HttpResponseRedirect(self.project_url("project-wbs-delete", pk=element.pk))
        messages.success(request, _("%(code)s %(name)s was deleted.") % {"code": element.code, "name": element.name})
        return HttpResponseRedirect(self.wbs_url())


class TaskProgressView(WbsFormMixin, TemplateView):
    """Report progress on one task: the inline form of the WBS posts here; errors show here."""

    model = WbsElement
    template_name = "projects/task_progress.html"
    read_action = ProjectAction.PROGRESS_UPDATE
    write_action = ProjectAction.PROGRESS_UPDATE

    def get_task(self) -> WbsElement:
        return get_object_or_404(
            WbsElement.objects.for_organization(self.organization).select_related("project"),
            pk=self.kwargs["pk"],
            project=self.project,
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        task = kwargs.get("task") or self.get_task()
        form = kwargs.get("form") or self.with_version(
            ProgressForm(
                task=task,
                initial={
                    "percent_complete": plain_number(task.percent_complete),
                    "actual_start": task.actual_start,
                    "actual_finish": task.actual_finish,
                    "effective_date": self.organization.today(),
                },
            ),
            task,
        )
        context.update(
            task=task,
            form=form,
            progress_hints=[hint for suggest in registries.progress_hints if (hint := suggest(task))],
            next=safe_next(self.request, ""),
            updates=list(
                ProgressUpdate.objects.for_organization(self.organization)
                .filter(task=task)
                .select_related("updated_by")
                .order_by("-effective_date", "-created_at", "-pk")[:5]
            ),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        task = self.get_task()
        form = self.with_version(ProgressForm(request.POST, task=task), task)
        status = 400
        if form.is_valid():
            try:
                with self.unchanged_since_read(form, task):
                    plan.task_progress_update(
                        actor=request.user,  # type: ignore[arg-type]
                        task=task,
                        **form.service_fields(),
                    )
            except ApplicationError as error:
                self.report(error, form)
                status = error.status_code
            else:
                messages.success(request, _("Progress on %(code)s was recorded.") % {"code": task.code})
                return HttpResponseRedirect(safe_next(request, self.wbs_url(task)))
        return self.render_to_response(self.get_context_data(task=task, form=form), status=status)


class TaskHistoryView(WbsFormMixin, TemplateView):
    model = WbsElement
    template_name = "projects/task_history.html"
    read_action = ProjectAction.PROJECT_VIEW

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        task = get_object_or_404(
            WbsElement.objects.for_organization(self.organization), pk=self.kwargs["pk"], project=self.project
        )
        updates = (
            ProgressUpdate.objects.for_organization(self.organization)
            .filter(task=task)
            .select_related("updated_by")
            .order_by("-effective_date", "-created_at", "-pk")
        )
        context.update(
            task=task, page=paginate(self.request, updates), may_progress=self.can(ProjectAction.PROGRESS_UPDATE)
        )
        return context
