"""The standards pages: the asset categories, one category with its criteria, one criterion with
its versions. Everyone who sees maintenance reads them; the maintenance role and the PMO change
them, each write one call of ``maintenance.services.standards``. The built-in catalogue arrives
with the first read of the list (``maintenance.standards.ensure_catalogue``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from maintenance.forms_standards import CategoryForm, CriterionForm
from maintenance.judging import rule_text
from maintenance.models import AssetCategory, Criterion, CriterionVersion
from maintenance.permissions import MaintenanceAction
from maintenance.services import standards as services
from maintenance.standards import ensure_catalogue
from maintenance.views.base import MaintenancePage
from pmo.views import paginate


class StandardsPage(MaintenancePage):
    section = "standards"
    write_action = MaintenanceAction.MANAGE

    def link(self, name: str, *args: Any) -> str:
        return reverse(name, args=[self.organization.slug, *args])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["may_manage"] = self.can(MaintenanceAction.MANAGE)
        return context


class CategoriesView(StandardsPage):
    """Every category, in use first, with its number of criteria in use."""

    template_name = "maintenance/standards.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        ensure_catalogue(self.organization)
        categories = (
            AssetCategory.objects.for_organization(self.organization)
            .annotate(criteria_count=Count("criteria", filter=Q(criteria__retired_at__isnull=True)))
            .order_by("-is_active", "position", "code", "pk")
        )
        page = paginate(self.request, categories)
        context["page"] = page
        context["categories"] = [
            {"category": category, "url": self.link("org-maintenance-standards-category", category.pk)}
            for category in page.object_list
        ]
        if context["may_manage"]:
            context["form"] = kwargs.get("form") or CategoryForm()
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = CategoryForm(request.POST)
        status = 400
        if form.is_valid():
            category, status = self.attempt(
                lambda: services.category_create(
                    actor=self.actor, organization=self.organization, **form.service_fields()
                ),
                form,
            )
            if category is not None:
                messages.success(request, _("Category “%(name)s” added.") % {"name": category.name})
                return HttpResponseRedirect(self.link("org-maintenance-standards-category", category.pk))
        return self.render_page(status=status, form=form)


def criteria_with_current(organization: Any) -> QuerySet[Criterion]:
    current = CriterionVersion.objects.for_organization(organization).filter(is_current=True)
    return Criterion.objects.for_organization(organization).prefetch_related(
        Prefetch("versions", queryset=current, to_attr="current_versions")
    )


class CategoryView(StandardsPage):
    """A category: its names, its criteria with their rules, and (for managers) the forms."""

    template_name = "maintenance/standards_category.html"
    model = AssetCategory

    def resolve_scope(self, **url_kwargs: Any) -> None:
        self.category = get_object_or_404(
            AssetCategory.objects.for_organization(self.organization), pk=url_kwargs["pk"]
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["category"] = self.category
        criteria = (
            criteria_with_current(self.organization)
            .filter(category=self.category)
            .order_by("retired_at", "position", "code", "pk")
        )
        page = paginate(self.request, criteria)
        context["page"] = page
        context["criteria"] = [
            {
                "criterion": criterion,
                "version": services.current_version(criterion),
                "rule": rule_text(services.current_version(criterion)),
                "url": self.link("org-maintenance-standards-criterion", criterion.pk),
            }
            for criterion in page.object_list
        ]
        if context["may_manage"]:
            context["form"] = kwargs.get("form") or self.with_version(
                CategoryForm(initial=CategoryForm.initial_from(self.category), builtin=self.category.builtin),
                self.category,
            )
            context["add_url"] = self.link("org-maintenance-standards-criterion-create", self.category.pk)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        op = request.POST.get("op", "edit")
        here = self.link("org-maintenance-standards-category", self.category.pk)
        if op in ("retire", "restore"):
            change = services.category_retire if op == "retire" else services.category_restore
            done, status = self.attempt(lambda: change(actor=self.actor, category=self.category))
            if done is not None:
                if op == "retire":
                    messages.success(request, _("Category “%(name)s” retired.") % {"name": done.name})
                else:
                    messages.success(request, _("Category “%(name)s” is in use again.") % {"name": done.name})
                return HttpResponseRedirect(here)
            return self.render_page(status=status)
        form = self.with_version(
            CategoryForm(request.POST, initial=CategoryForm.initial_from(self.category), builtin=self.category.builtin),
            self.category,
        )
        status = 400
        if form.is_valid():
            saved, status = self.attempt(
                lambda: services.category_update(actor=self.actor, category=self.category, **form.service_fields()),
                form,
                edited=self.category,
            )
            if saved is not None:
                messages.success(request, _("Category “%(name)s” saved.") % {"name": saved.name})
                return HttpResponseRedirect(here)
        return self.render_page(status=status, form=form)


class CriterionCreateView(StandardsPage):
    """Add a criterion to a category."""

    template_name = "maintenance/standards_criterion_form.html"
    read_action = MaintenanceAction.MANAGE

    def resolve_scope(self, **url_kwargs: Any) -> None:
        self.category = get_object_or_404(
            AssetCategory.objects.for_organization(self.organization), pk=url_kwargs["asset_category_id"]
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["category"] = self.category
        context["form"] = kwargs.get("form") or CriterionForm()
        context["back_url"] = self.link("org-maintenance-standards-category", self.category.pk)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = CriterionForm(request.POST)
        status = 400
        if form.is_valid():
            criterion, status = self.attempt(
                lambda: services.criterion_add(actor=self.actor, category=self.category, **form.service_fields()),
                form,
            )
            if criterion is not None:
                messages.success(request, _("Criterion “%(code)s” added.") % {"code": criterion.code})
                return HttpResponseRedirect(self.link("org-maintenance-standards-criterion", criterion.pk))
        return self.render_page(status=status, form=form)


class CriterionView(StandardsPage):
    """A criterion: its rule in force, its versions newest first, and (for managers) the edit form."""

    template_name = "maintenance/standards_criterion.html"
    model = Criterion

    def resolve_scope(self, **url_kwargs: Any) -> None:
        self.criterion = get_object_or_404(
            Criterion.objects.for_organization(self.organization).select_related("category"), pk=url_kwargs["pk"]
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        criterion = self.criterion
        version = services.current_version(criterion)
        context.update(
            criterion=criterion,
            category=criterion.category,
            version=version,
            rule=rule_text(version),
            category_url=self.link("org-maintenance-standards-category", criterion.category_id),
        )
        versions = (
            CriterionVersion.objects.for_organization(self.organization)
            .filter(criterion=criterion)
            .select_related("created_by")
            .order_by("-version")
        )
        page = paginate(self.request, versions)
        context["page"] = page
        context["versions"] = [{"version": row, "rule": rule_text(row)} for row in page.object_list]
        if context["may_manage"]:
            context["form"] = kwargs.get("form") or self.with_version(
                CriterionForm(initial=CriterionForm.initial_from(criterion, version), builtin=criterion.builtin),
                criterion,
            )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        op = request.POST.get("op", "edit")
        here = self.link("org-maintenance-standards-criterion", self.criterion.pk)
        if op in ("retire", "restore"):
            change = services.criterion_retire if op == "retire" else services.criterion_restore
            done, status = self.attempt(lambda: change(actor=self.actor, criterion=self.criterion))
            if done is not None:
                if op == "retire":
                    messages.success(request, _("Criterion “%(code)s” retired.") % {"code": done.code})
                else:
                    messages.success(request, _("Criterion “%(code)s” is in use again.") % {"code": done.code})
                return HttpResponseRedirect(here)
            return self.render_page(status=status)
        version = services.current_version(self.criterion)
        form = self.with_version(
            CriterionForm(
                request.POST,
                initial=CriterionForm.initial_from(self.criterion, version),
                builtin=self.criterion.builtin,
            ),
            self.criterion,
        )
        status = 400
        if form.is_valid():
            saved, status = self.attempt(
                lambda: services.criterion_update(actor=self.actor, criterion=self.criterion, **form.service_fields()),
                form,
                edited=self.criterion,
            )
            if saved is not None:
                now = services.current_version(saved)
                if now.version != version.version:
                    messages.success(
                        request,
                        _("Criterion “%(code)s” saved as version %(version)d.")
                        % {"code": saved.code, "version": now.version},
                    )
                else:
                    messages.success(request, _("Criterion “%(code)s” saved.") % {"code": saved.code})
                return HttpResponseRedirect(here)
        return self.render_page(status=status, form=form)
