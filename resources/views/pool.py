"""The pool's pages: the list, a resource's page (skills, exceptions, rates, assignments), its forms, the roles
and skills library, the import (CSV or Excel), the Excel export and the resource settings.

Everyone reads the pool; the resource office and the PMO change it (``POOL_MANAGE``). Rates show only
to those with ``RATES_VIEW`` and change only with ``RATES_MANAGE``. Each write is one service call.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db.models import Count, Prefetch, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from pmo.errors import ApplicationError
from pmo.jobs import job_started_page_response
from pmo.views import paginate
from pmo.xlsx import error_rows, is_workbook, xlsx_response
from projects.views.portfolio import sort_links
from resources import jobs as resource_jobs
from resources import selectors
from resources.forms_pool import (
    DEFAULT_ORDERING,
    ORDERINGS,
    SORTABLE,
    ExceptionForm,
    ImportForm,
    RateForm,
    ReplaceForm,
    ResourceFilter,
    ResourceForm,
    ResourceSettingsForm,
    RoleForm,
    SkillForm,
    ordering_of,
)
from resources.models import (
    Assignment,
    CostRate,
    Resource,
    ResourceException,
    ResourceKind,
    ResourceRole,
    ResourceSkill,
    Skill,
)
from resources.permissions import ResourceAction
from resources.services import pool, pool_import, rates_service, workbooks
from resources.services.settings import resource_settings, resource_settings_update
from resources.views.base import ResourcesPage

#: Query parameters that do not narrow the list.
NOT_FILTERS = frozenset({"page", "ordering"})
#: The list's filters always shown; the others fold under "More filters".
MAIN_FILTERS = ("q", "kind", "active")
KIND_BADGES = {
    ResourceKind.PERSON: "badge-blue",
    ResourceKind.EQUIPMENT: "badge-amber",
    ResourceKind.MATERIAL: "badge-teal",
}
ASSIGNMENTS_SHOWN = 20


class PoolPage(ResourcesPage):
    section = "pool"
    write_action = ResourceAction.POOL_MANAGE

    def link(self, name: str, *args: Any) -> str:
        return reverse(name, args=[self.organization.slug, *args])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["may_manage"] = self.can(ResourceAction.POOL_MANAGE)
        context["may_see_rates"] = self.can(ResourceAction.RATES_VIEW)
        context["may_manage_rates"] = self.can(ResourceAction.RATES_MANAGE)
        context["currency"] = self.organization.default_currency
        return context


# The list


class PoolListView(PoolPage):
    """The pool, filtered, sorted and paginated; active resources unless ``active`` says otherwise."""

    template_name = "resources/pool/list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        ordering = ordering_of(self.request.GET.get("ordering"))
        query = self.request.GET.copy()
        if "active" not in query:
            query["active"] = "true"
        resources = (
            Resource.objects.for_organization(self.organization)
            .select_related("role", "user", "calendar")
            .order_by(*ORDERINGS[ordering])
        )
        departments = list(
            Resource.objects.for_organization(self.organization)
            .exclude(department="")
            .order_by("department")
            .values_list("department", flat=True)
            .distinct()
        )
        filterset = ResourceFilter(query, queryset=resources, departments=departments)
        chosen = filterset.qs.distinct() if filterset.is_valid() else resources.none()
        page = paginate(
            self.request,
            chosen.prefetch_related(
                Prefetch(
                    "skills",
                    queryset=ResourceSkill.objects.for_organization(self.organization)
                    .select_related("skill")
                    .order_by("-level", "skill__name"),
                )
            ),
        )
        rows = []
        for resource in page.object_list:
            rows.append(
                {
                    "resource": resource,
                    "url": self.link("org-resource", resource.pk),
                    "kind_badge": KIND_BADGES.get(resource.kind, "badge-grey"),
                    "skills": list(resource.skills.all()),
                }
            )
        context.update(
            filter=filterset,
            main_filters=[field for field in filterset.form if field.name in MAIN_FILTERS],
            more_filters=[field for field in filterset.form if field.name not in MAIN_FILTERS],
            more_open=any(self.request.GET.get(name) for name in filterset.form.fields if name not in MAIN_FILTERS),
            page=page,
            rows=rows,
            filtered=any(value for key, value in self.request.GET.items() if key not in NOT_FILTERS),
            list_url=self.link("org-resource-pool"),
            sort=sort_links(ordering, SORTABLE),
            ordering=self.request.GET.get("ordering", "") if ordering != DEFAULT_ORDERING else "",
            pool_empty=not page.paginator.count and not Resource.objects.for_organization(self.organization).exists(),
        )
        return context


# A resource's page


def _skill_levels(resource: Resource) -> dict[int, int]:
    return dict(
        ResourceSkill.objects.for_organization(resource.organization_id)
        .filter(resource=resource)
        .values_list("skill_id", "level")
    )


class ResourceDetailView(PoolPage):
    """A resource: its capacity, skills, personal exceptions, rates (if permitted) and assignments.

    POST ``op``: deactivate, reactivate or delete (the pool's managers).
    """

    template_name = "resources/pool/detail.html"
    model = Resource

    def resolve_scope(self, **url_kwargs: Any) -> None:
        pk = url_kwargs.get("resource_id", url_kwargs.get("pk"))
        self.resource = get_object_or_404(
            Resource.objects.for_organization(self.organization).select_related(
                "role", "calendar", "user", "replaced_by"
            ),
            pk=pk,
        )
        self.resource.organization = self.organization

    def capacity_panel(self) -> dict[str, Any]:
        """The next weeks' capacity and load (``resources/capacity/resource_panel.html`` shows them)."""
        return selectors.resource_panel(self.organization, self.resource)

    def assignments(self) -> dict[str, Any]:
        assignments = Assignment.objects.for_organization(self.organization).filter(resource=self.resource)
        totals = assignments.aggregate(count=Count("pk"), work=Sum("work"))
        shown = list(
            assignments.select_related("project", "task").order_by(
                "task__planned_start", "project__code", "task__sort_key"
            )[:ASSIGNMENTS_SHOWN]
        )
        for assignment in shown:
            assignment.project_url = self._project_resources_url(assignment.project_id)
        return {"count": totals["count"] or 0, "work": totals["work"] or Decimal(0), "shown": shown}

    def _project_resources_url(self, project_id: int) -> str:
        try:
            return reverse("project-resources", args=[self.organization.slug, project_id])
        except NoReverseMatch:
            return reverse("project-detail", args=[self.organization.slug, project_id])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        resource = self.resource
        today = self.organization.today()
        context["resource"] = resource
        context["kind_badge"] = KIND_BADGES.get(resource.kind, "badge-grey")
        context["skills"] = list(
            ResourceSkill.objects.for_organization(self.organization)
            .filter(resource=resource)
            .select_related("skill")
            .order_by("-level", "skill__name")
        )
        context["exceptions"] = list(
            ResourceException.objects.for_organization(self.organization).filter(resource=resource).order_by("-start")
        )
        context["today"] = today
        if context["may_see_rates"]:
            rates = list(
                CostRate.objects.for_organization(self.organization)
                .filter(resource=resource)
                .order_by("-effective_from")
            )
            current = next((rate for rate in rates if rate.effective_from <= today), None)
            context["rates"] = [
                {"rate": rate, "current": rate is current, "future": rate.effective_from > today} for rate in rates
            ]
            if context["may_manage_rates"]:
                context["rate_form"] = kwargs.get("rate_form") or RateForm(
                    initial={"effective_from": today}, material=resource.kind == ResourceKind.MATERIAL
                )
        if context["may_manage"] and resource.is_timed:
            context["exception_form"] = kwargs.get("exception_form") or ExceptionForm()
        context["assignments"] = self.assignments()
        context["in_use"] = pool.resource_in_use(resource)
        context["replaced"] = (
            Resource.objects.for_organization(self.organization).filter(replaced_by=resource).order_by("code")
        )
        context["capacity_panel"] = self.capacity_panel()
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        op = request.POST.get("op")
        if op == "deactivate":
            done, status = self.attempt(lambda: pool.resource_deactivate(actor=self.actor, resource=self.resource))
            if done is not None:
                messages.success(request, _("%(resource)s is deactivated.") % {"resource": done})
        elif op == "reactivate":
            done, status = self.attempt(lambda: pool.resource_reactivate(actor=self.actor, resource=self.resource))
            if done is not None:
                messages.success(request, _("%(resource)s is active again.") % {"resource": done})
        elif op == "delete":
            _done, status = self.attempt(lambda: pool.resource_delete(actor=self.actor, resource=self.resource))
            if status == 200:
                messages.success(request, _("%(resource)s deleted.") % {"resource": self.resource})
                return HttpResponseRedirect(self.link("org-resource-pool"))
        else:
            return self.render_page(status=400)
        if status != 200:
            return self.render_page(status=status)
        return HttpResponseRedirect(self.link("org-resource", self.resource.pk))


class ExceptionAddView(ResourceDetailView):
    """Record leave, training, another absence or a part-time period (POST from the resource's page)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = ExceptionForm(request.POST, date_window=self.organization.date_window)
        status = 400
        if form.is_valid():
            added, status = self.attempt(
                lambda: pool.resource_exception_add(actor=self.actor, resource=self.resource, **form.cleaned_data),
                form,
            )
            if added is not None:
                messages.success(
                    request,
                    _("%(kind)s from %(start)s to %(finish)s recorded.")
                    % {
                        "kind": added.get_kind_display(),
                        "start": added.start.isoformat(),
                        "finish": added.finish.isoformat(),
                    },
                )
                return HttpResponseRedirect(self.link("org-resource", self.resource.pk) + "#exceptions")
        return self.render_page(status=status, exception_form=form)


class ExceptionRemoveView(PoolPage):
    """Remove a personal period (POST); a GET goes back to the resource's page."""

    model = ResourceException

    def resolve_scope(self, **url_kwargs: Any) -> None:
        self.exception = get_object_or_404(
            ResourceException.objects.for_organization(self.organization).select_related("resource"),
            pk=url_kwargs["pk"],
            resource_id=url_kwargs["resource_id"],
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return HttpResponseRedirect(self.link("org-resource", self.exception.resource_id))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        _done, status = self.attempt(lambda: pool.resource_exception_remove(actor=self.actor, exception=self.exception))
        if status == 200:
            messages.success(request, _("The period is removed."))
        return HttpResponseRedirect(self.link("org-resource", self.exception.resource_id) + "#exceptions")


class RateAddView(ResourceDetailView):
    """Add a dated rate (POST from the resource's page)."""

    read_action = ResourceAction.RATES_VIEW
    write_action = ResourceAction.RATES_MANAGE

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = RateForm(
            request.POST,
            material=self.resource.kind == ResourceKind.MATERIAL,
            date_window=self.organization.date_window,
        )
        status = 400
        if form.is_valid():
            added, status = self.attempt(
                lambda: rates_service.cost_rate_add(actor=self.actor, resource=self.resource, **form.cleaned_data),
                form,
            )
            if added is not None:
                messages.success(request, _("Rate from %(day)s added.") % {"day": added.effective_from.isoformat()})
                return HttpResponseRedirect(self.link("org-resource", self.resource.pk) + "#rates")
        return self.render_page(status=status, rate_form=form)


class RateEditView(PoolPage):
    """Correct or remove a rate that is not in force yet."""

    template_name = "resources/pool/rate_form.html"
    model = CostRate
    read_action = ResourceAction.RATES_MANAGE
    write_action = ResourceAction.RATES_MANAGE

    def resolve_scope(self, **url_kwargs: Any) -> None:
        self.rate = get_object_or_404(
            CostRate.objects.for_organization(self.organization).select_related("resource"),
            pk=url_kwargs["pk"],
            resource_id=url_kwargs["resource_id"],
        )
        self.material = self.rate.resource.kind == ResourceKind.MATERIAL

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["rate"] = self.rate
        context["resource"] = self.rate.resource
        context["in_force"] = self.rate.effective_from <= self.organization.today()
        context["form"] = kwargs.get("form") or self.with_version(
            RateForm(instance=self.rate, material=self.material), self.rate
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        back = self.link("org-resource", self.rate.resource_id) + "#rates"
        if request.POST.get("op") == "delete":
            _done, status = self.attempt(lambda: rates_service.cost_rate_remove(actor=self.actor, rate=self.rate))
            if status == 200:
                messages.success(
                    request, _("The rate from %(day)s is removed.") % {"day": self.rate.effective_from.isoformat()}
                )
                return HttpResponseRedirect(back)
            return self.render_page(status=status)
        form = self.with_version(
            RateForm(request.POST, material=self.material, date_window=self.organization.date_window), self.rate
        )
        status = 400
        if form.is_valid():
            saved, status = self.attempt(
                lambda: rates_service.cost_rate_update(actor=self.actor, rate=self.rate, **form.cleaned_data),
                form,
                edited=self.rate,
            )
            if saved is not None:
                messages.success(request, _("Rate from %(day)s saved.") % {"day": saved.effective_from.isoformat()})
                return HttpResponseRedirect(back)
        return self.render_page(status=status, form=form)


# Creating and editing


class ResourceFormPage(PoolPage):
    template_name = "resources/pool/form.html"
    read_action = ResourceAction.POOL_MANAGE
    resource: Resource | None = None

    def form(self, data: Any = None) -> ResourceForm:
        if self.resource is None:
            initial = {"hours_per_day": resource_settings(self.organization).default_hours_per_day, "max_units": 100}
            return ResourceForm(data, initial=initial, organization=self.organization)
        form = ResourceForm(
            data,
            instance=self.resource,
            organization=self.organization,
            skill_levels=_skill_levels(self.resource),
        )
        return self.with_version(form, self.resource)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["form"] = kwargs.get("form") or self.form()
        context["resource"] = self.resource
        context["cancel_url"] = (
            self.link("org-resource", self.resource.pk) if self.resource else self.link("org-resource-pool")
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.form(request.POST)
        status = 400
        if form.is_valid():
            saved, status = self.attempt(lambda: self.save(form), form, edited=self.resource)
            if saved is not None:
                return HttpResponseRedirect(self.link("org-resource", saved.pk))
        return self.render_page(status=status, form=form)

    def save(self, form: ResourceForm) -> Resource:
        raise NotImplementedError


class ResourceCreateView(ResourceFormPage):
    def save(self, form: ResourceForm) -> Resource:
        resource = pool.resource_create(
            actor=self.actor, organization=self.organization, skills=form.skill_levels(), **form.service_fields()
        )
        messages.success(self.request, _("%(resource)s added to the pool.") % {"resource": resource})
        return resource


class ResourceEditView(ResourceFormPage):
    model = Resource

    def resolve_scope(self, **url_kwargs: Any) -> None:
        self.resource = get_object_or_404(Resource.objects.for_organization(self.organization), pk=url_kwargs["pk"])

    def save(self, form: ResourceForm) -> Resource:
        assert self.resource is not None
        fields = form.service_fields()
        fields.setdefault("hours_per_day", resource_settings(self.organization).default_hours_per_day)
        fields.setdefault("max_units", Decimal(100))
        resource = pool.resource_update(actor=self.actor, resource=self.resource, skills=form.skill_levels(), **fields)
        messages.success(self.request, _("%(resource)s saved.") % {"resource": resource})
        return resource


class PlaceholderReplaceView(PoolPage):
    """Give a placeholder's assignments to a named resource."""

    template_name = "resources/pool/replace.html"
    model = Resource
    read_action = ResourceAction.POOL_MANAGE

    def resolve_scope(self, **url_kwargs: Any) -> None:
        self.placeholder = get_object_or_404(
            Resource.objects.for_organization(self.organization).select_related("role"), pk=url_kwargs["pk"]
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["placeholder"] = self.placeholder
        context["form"] = kwargs.get("form") or ReplaceForm(placeholder=self.placeholder)
        context["assignment_count"] = (
            Assignment.objects.for_organization(self.organization).filter(resource=self.placeholder).count()
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = ReplaceForm(request.POST, placeholder=self.placeholder)
        status = 400
        if form.is_valid():
            named, status = self.attempt(
                lambda: pool.placeholder_replace(
                    actor=self.actor, placeholder=self.placeholder, resource=form.cleaned_data["resource"]
                ),
                form,
            )
            if named is not None:
                messages.success(
                    request,
                    _("%(named)s replaces %(placeholder)s on its assignments.")
                    % {"named": named, "placeholder": self.placeholder},
                )
                return HttpResponseRedirect(self.link("org-resource", named.pk))
        return self.render_page(status=status, form=form)


# Roles and skills


class LibraryView(PoolPage):
    """The organisation's roles and skills, with how many resources use each; POST ``op`` role or skill adds one."""

    template_name = "resources/pool/library.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["roles"] = list(
            ResourceRole.objects.for_organization(self.organization)
            .annotate(resource_count=Count("resources"))
            .order_by("name")
        )
        context["skills"] = list(
            Skill.objects.for_organization(self.organization).annotate(holder_count=Count("holders")).order_by("name")
        )
        if context["may_manage"]:
            context["role_form"] = kwargs.get("role_form") or RoleForm(prefix="role")
            context["skill_form"] = kwargs.get("skill_form") or SkillForm(prefix="skill")
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.POST.get("op") == "skill":
            skill_form = SkillForm(request.POST, prefix="skill")
            status = 400
            if skill_form.is_valid():
                skill, status = self.attempt(
                    lambda: pool.skill_create(
                        actor=self.actor, organization=self.organization, **skill_form.cleaned_data
                    ),
                    skill_form,
                )
                if skill is not None:
                    messages.success(request, _("Skill “%(name)s” added.") % {"name": skill.name})
                    return HttpResponseRedirect(self.link("org-resource-library") + "#skills")
            return self.render_page(status=status, skill_form=skill_form)
        role_form = RoleForm(request.POST, prefix="role")
        status = 400
        if role_form.is_valid():
            role, status = self.attempt(
                lambda: pool.resource_role_create(
                    actor=self.actor, organization=self.organization, **role_form.cleaned_data
                ),
                role_form,
            )
            if role is not None:
                messages.success(request, _("Role “%(name)s” added.") % {"name": role.name})
                return HttpResponseRedirect(self.link("org-resource-library") + "#roles")
        return self.render_page(status=status, role_form=role_form)


class LibraryEntryPage(PoolPage):
    """Rename or delete one role or skill."""

    template_name = "resources/pool/library_entry.html"
    read_action = ResourceAction.POOL_MANAGE
    form_class: type[RoleForm] | type[SkillForm]
    entry: ResourceRole | Skill

    def in_use(self) -> dict[str, int]:
        raise NotImplementedError

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["entry"] = self.entry
        context["is_role"] = isinstance(self.entry, ResourceRole)
        context["use"] = self.in_use()
        context["form"] = kwargs.get("form") or self.with_version(self.form_class(instance=self.entry), self.entry)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        back = self.link("org-resource-library")
        if request.POST.get("op") == "delete":
            _done, status = self.attempt(self.remove_entry)
            if status == 200:
                messages.success(request, _("“%(name)s” deleted.") % {"name": self.entry.name})
                return HttpResponseRedirect(back)
            return self.render_page(status=status)
        form = self.with_version(self.form_class(request.POST, instance=self.entry), self.entry)
        status = 400
        if form.is_valid():
            saved, status = self.attempt(lambda: self.save(form.cleaned_data), form, edited=self.entry)
            if saved is not None:
                messages.success(request, _("“%(name)s” saved.") % {"name": saved.name})
                return HttpResponseRedirect(back)
        return self.render_page(status=status, form=form)

    def save(self, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def remove_entry(self) -> None:
        raise NotImplementedError


class RoleEditView(LibraryEntryPage):
    model = ResourceRole
    form_class = RoleForm

    def resolve_scope(self, **url_kwargs: Any) -> None:
        self.entry = get_object_or_404(ResourceRole.objects.for_organization(self.organization), pk=url_kwargs["pk"])

    def in_use(self) -> dict[str, int]:
        return pool.role_in_use(self.entry)  # type: ignore[arg-type]

    def save(self, data: dict[str, Any]) -> ResourceRole:
        return pool.resource_role_update(actor=self.actor, role=self.entry, **data)  # type: ignore[arg-type]

    def remove_entry(self) -> None:
        pool.resource_role_delete(actor=self.actor, role=self.entry)  # type: ignore[arg-type]


class SkillEditView(LibraryEntryPage):
    model = Skill
    form_class = SkillForm

    def resolve_scope(self, **url_kwargs: Any) -> None:
        self.entry = get_object_or_404(Skill.objects.for_organization(self.organization), pk=url_kwargs["pk"])

    def in_use(self) -> dict[str, int]:
        return pool.skill_in_use(self.entry)  # type: ignore[arg-type]

    def save(self, data: dict[str, Any]) -> Skill:
        return pool.skill_update(actor=self.actor, skill=self.entry, **data)  # type: ignore[arg-type]

    def remove_entry(self) -> None:
        pool.skill_delete(actor=self.actor, skill=self.entry)  # type: ignore[arg-type]


# Import


def row_errors(error: ApplicationError) -> list[dict[str, Any]]:
    """A refused import's problems as rows: the file's first, then each line's, column apart from the message."""

    def order(key: str) -> tuple[int, int]:
        return (1, int(key)) if key.isdigit() else (0, 0)

    found = []
    for key, problems in sorted(error.fields.items(), key=lambda item: order(str(item[0]))):
        line = int(key) if str(key).isdigit() else None
        for message in problems:
            column, separator, rest = str(message).partition(": ")
            if separator and column in pool_import.CSV_COLUMNS:
                found.append({"line": line, "column": column, "message": rest})
            else:
                found.append({"line": line, "column": "", "message": str(message)})
    return found


class ImportView(PoolPage):
    """Upload a CSV file of resources: checked as a whole, each bad row listed, nothing written on error."""

    template_name = "resources/pool/import.html"
    read_action = ResourceAction.POOL_MANAGE

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["form"] = kwargs.get("form") or ImportForm()
        context["row_errors"] = kwargs.get("row_errors")
        context["with_sheet"] = kwargs.get("with_sheet", False)
        context["columns"] = pool_import.CSV_COLUMNS
        context["required"] = pool_import.REQUIRED_COLUMNS
        context["max_rows"] = pool_import.MAX_ROWS
        context["sample"] = pool_import.template_csv().strip()
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(status=400, form=form)
        data = form.cleaned_data["file"]
        workbook = is_workbook(data)
        rates_allowed = self.can(ResourceAction.RATES_MANAGE)
        try:
            if workbook and resource_jobs.in_job(size=len(data)):
                return job_started_page_response(
                    request,
                    kind=resource_jobs.POOL_IMPORT,
                    organization=self.organization,
                    requested_by=self.actor,
                    payload={"rates_allowed": rates_allowed},
                    upload=data,
                    upload_name="resource-pool.xlsx",
                )
            if workbook:
                created = workbooks.pool_import_xlsx(
                    actor=self.actor, organization=self.organization, data=data, rates_allowed=rates_allowed
                )
            else:
                created = pool_import.pool_import(
                    actor=self.actor, organization=self.organization, text=data, rates_allowed=rates_allowed
                )
        except ApplicationError as error:
            messages.error(request, error.message)
            found = (error_rows(error.fields) if workbook else row_errors(error)) if error.fields else []
            return self.render_page(status=error.status_code, form=form, row_errors=found, with_sheet=workbook)
        messages.success(request, _("%(count)d resources added to the pool.") % {"count": len(created)})
        return HttpResponseRedirect(self.link("org-resource-pool"))


class ImportTemplateView(PoolPage):
    """The import's columns with an example of each kind, as a CSV file."""

    is_download = True
    read_action = ResourceAction.POOL_MANAGE

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        body = "\ufeff" + pool_import.template_csv()
        response = HttpResponse(body.encode("utf-8"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="resource-pool-template.csv"'
        return response


class PoolWorkbookTemplateView(PoolPage):
    """The "Resources" sheet with an example row and the sheet that explains its columns, as a workbook."""

    is_download = True
    read_action = ResourceAction.POOL_MANAGE

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return xlsx_response(workbooks.pool_template(), "resource-pool-template.xlsx")


class PoolWorkbookView(PoolPage):
    """The active pool as a workbook (the import's columns); rates only for those who may see them."""

    is_download = True

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with_rates = self.can(ResourceAction.RATES_VIEW)
        if resource_jobs.in_job(
            rows=Resource.objects.for_organization(self.organization).filter(is_active=True).count()
        ):
            return job_started_page_response(
                request,
                kind=resource_jobs.POOL_EXPORT,
                organization=self.organization,
                requested_by=self.actor,
                payload={"with_rates": with_rates},
            )
        data = workbooks.pool_workbook(self.organization, with_rates=with_rates)
        return xlsx_response(data, f"{self.organization.slug}-resource-pool.xlsx")


# Settings


class ResourceSettingsView(ResourcesPage):
    """The organisation's resource rules: everyone reads them, the pool's managers change them."""

    template_name = "resources/pool/settings.html"
    section = "settings"
    write_action = ResourceAction.POOL_MANAGE

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        settings = resource_settings(self.organization)
        context["may_manage"] = self.can(ResourceAction.POOL_MANAGE)
        context["form"] = kwargs.get("form") or self.with_version(ResourceSettingsForm(instance=settings), settings)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        settings = resource_settings(self.organization)
        form = self.with_version(ResourceSettingsForm(request.POST, instance=settings), settings)
        status = 400
        if form.is_valid():
            saved, status = self.attempt(
                lambda: resource_settings_update(actor=self.actor, organization=self.organization, **form.cleaned_data),
                form,
                edited=settings,
            )
            if saved is not None:
                messages.success(request, _("Resource settings saved."))
                return HttpResponseRedirect(reverse("org-resource-settings", args=[self.organization.slug]))
        return self.render_page(status=status, form=form)
