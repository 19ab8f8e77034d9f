"""The organisation's quality library: standards, inspection types, checklist templates, settings.

Everyone in the organisation reads the library; the quality role and the PMO change it
(``QualityAction.LIBRARY_MANAGE``). Each write is one service call of ``quality.services.library``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from quality.library_forms import (
    InspectionTypeForm,
    ItemForm,
    ItemFormSet,
    QualitySettingsForm,
    StandardForm,
    TemplateForm,
)
from quality.models import ChecklistTemplate, InspectionType, Standard
from quality.permissions import QualityAction
from quality.services import library
from quality.services.settings import inspection_types_ensure_defaults, quality_settings_for
from quality.views.base import QualityPage

ITEMS_PREFIX = "items"


class LibraryPage(QualityPage):
    write_action = QualityAction.LIBRARY_MANAGE

    def link(self, name: str, *args: Any) -> str:
        return reverse(name, args=[self.organization.slug, *args])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["may_manage"] = self.can(QualityAction.LIBRARY_MANAGE)
        return context


# Standards


class StandardsView(LibraryPage):
    template_name = "quality/library/standards.html"
    section = "standards"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["standards"] = list(Standard.objects.for_organization(self.organization).order_by("code", "clause"))
        if context["may_manage"]:
            context["form"] = kwargs.get("form") or StandardForm()
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = StandardForm(request.POST)
        status = 400
        if form.is_valid():
            standard, status = self.attempt(
                lambda: library.standard_create(actor=self.actor, organization=self.organization, **form.cleaned_data),
                form,
            )
            if standard is not None:
                messages.success(request, _("Standard “%(standard)s” added.") % {"standard": standard})
                return HttpResponseRedirect(self.link("org-quality-standards"))
        return self.render_page(status=status, form=form)


class StandardEditView(LibraryPage):
    template_name = "quality/library/standard_form.html"
    section = "standards"
    model = Standard
    read_action = QualityAction.LIBRARY_MANAGE

    def resolve_scope(self, **url_kwargs: Any) -> None:
        self.standard = get_object_or_404(Standard.objects.for_organization(self.organization), pk=url_kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["standard"] = self.standard
        context["in_use"] = library.standard_in_use(self.standard)
        context["form"] = kwargs.get("form") or self.with_version(
            StandardForm(initial=StandardForm.initial_from(self.standard)), self.standard
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.POST.get("op") == "delete":
            _done, status = self.attempt(lambda: library.standard_delete(actor=self.actor, standard=self.standard))
            if status == 200:
                messages.success(request, _("Standard “%(standard)s” deleted.") % {"standard": self.standard})
                return HttpResponseRedirect(self.link("org-quality-standards"))
            return self.render_page(status=status)
        form = self.with_version(StandardForm(request.POST), self.standard)
        status = 400
        if form.is_valid():
            standard, status = self.attempt(
                lambda: library.standard_update(actor=self.actor, standard=self.standard, **form.cleaned_data),
                form,
                edited=self.standard,
            )
            if standard is not None:
                messages.success(request, _("Standard “%(standard)s” saved.") % {"standard": standard})
                return HttpResponseRedirect(self.link("org-quality-standards"))
        return self.render_page(status=status, form=form)


# Inspection types


class InspectionTypesView(LibraryPage):
    template_name = "quality/library/types.html"
    section = "types"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        inspection_types_ensure_defaults(self.organization)
        context["inspection_types"] = list(
            InspectionType.objects.for_organization(self.organization).order_by("position", "code")
        )
        if context["may_manage"]:
            context["form"] = kwargs.get("form") or InspectionTypeForm()
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = InspectionTypeForm(request.POST)
        status = 400
        if form.is_valid():
            added, status = self.attempt(
                lambda: library.inspection_type_create(
                    actor=self.actor, organization=self.organization, **form.service_fields()
                ),
                form,
            )
            if added is not None:
                messages.success(request, _("Inspection type “%(name)s” added.") % {"name": added.name})
                return HttpResponseRedirect(self.link("org-quality-types"))
        return self.render_page(status=status, form=form)


class InspectionTypeEditView(LibraryPage):
    template_name = "quality/library/type_form.html"
    section = "types"
    model = InspectionType
    read_action = QualityAction.LIBRARY_MANAGE

    def resolve_scope(self, **url_kwargs: Any) -> None:
        self.inspection_type = get_object_or_404(
            InspectionType.objects.for_organization(self.organization), pk=url_kwargs["pk"]
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["inspection_type"] = self.inspection_type
        context["form"] = kwargs.get("form") or self.with_version(
            InspectionTypeForm(
                initial=InspectionTypeForm.initial_from(self.inspection_type), builtin=self.inspection_type.builtin
            ),
            self.inspection_type,
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.with_version(
            InspectionTypeForm(
                request.POST,
                initial=InspectionTypeForm.initial_from(self.inspection_type),
                builtin=self.inspection_type.builtin,
            ),
            self.inspection_type,
        )
        status = 400
        if form.is_valid():
            saved, status = self.attempt(
                lambda: library.inspection_type_update(
                    actor=self.actor, inspection_type=self.inspection_type, **form.service_fields()
                ),
                form,
                edited=self.inspection_type,
            )
            if saved is not None:
                messages.success(request, _("Inspection type “%(name)s” saved.") % {"name": saved.name})
                return HttpResponseRedirect(self.link("org-quality-types"))
        return self.render_page(status=status, form=form)


# Checklist templates


def _templates(organization: Any) -> QuerySet[ChecklistTemplate]:
    return (
        ChecklistTemplate.objects.for_organization(organization)
        .select_related("inspection_type")
        .annotate(item_count=Count("items"))
    )


class TemplatesView(LibraryPage):
    """The current version of each template, or with ``?code=`` every version of one."""

    template_name = "quality/library/templates.html"
    section = "templates"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        code = self.request.GET.get("code", "").strip()[:32]
        templates = _templates(self.organization)
        if code:
            templates = templates.filter(code=code).order_by("-version")
        else:
            templates = templates.filter(is_current=True).order_by("code")
        context["templates"] = list(templates)
        context["history_code"] = code
        return context


class TemplateView(LibraryPage):
    template_name = "quality/library/template_detail.html"
    section = "templates"
    model = ChecklistTemplate

    def resolve_scope(self, **url_kwargs: Any) -> None:
        self.template = get_object_or_404(
            ChecklistTemplate.objects.for_organization(self.organization).select_related(
                "inspection_type", "created_by"
            ),
            pk=url_kwargs["pk"],
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["template"] = self.template
        context["items"] = list(self.template.items.select_related("standard").order_by("position", "id"))
        context["versions"] = list(
            ChecklistTemplate.objects.for_organization(self.organization)
            .filter(code=self.template.code)
            .order_by("-version")
            .values("pk", "version", "is_current", "updated_at")
        )
        context["in_use"] = library.template_in_use(self.template)
        return context


class TemplateFormPage(LibraryPage):
    template_name = "quality/library/template_form.html"
    section = "templates"
    read_action = QualityAction.LIBRARY_MANAGE
    template: ChecklistTemplate | None = None

    def forms(self, data: Any = None) -> tuple[TemplateForm, Any]:
        editing = self.template is not None
        if data is None and self.template is not None:
            form = TemplateForm(
                initial=TemplateForm.initial_from(self.template), organization=self.organization, editing=True
            )
            items = [ItemForm.initial_from(item) for item in self.template.items.order_by("position", "id")]
            return form, ItemFormSet(initial=items, prefix=ITEMS_PREFIX, organization=self.organization)
        if data is None:
            inspection_types_ensure_defaults(self.organization)
            return (
                TemplateForm(organization=self.organization),
                ItemFormSet(prefix=ITEMS_PREFIX, organization=self.organization),
            )
        return (
            TemplateForm(data, organization=self.organization, editing=editing),
            ItemFormSet(data, prefix=ITEMS_PREFIX, organization=self.organization),
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if "form" not in kwargs:
            form, formset = self.forms()
            if self.template is not None:
                self.with_version(form, self.template)
            context["form"], context["formset"] = form, formset
        context["template"] = self.template
        context["in_use"] = self.template is not None and library.template_in_use(self.template)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        data = request.POST.copy()
        if data.get("op") == "add_item":
            key = f"{ITEMS_PREFIX}-TOTAL_FORMS"
            try:
                data[key] = str(min(int(data.get(key, "0")) + 1, 200))
            except ValueError:
                data[key] = "1"
            form, formset = self.forms(data)
            if self.template is not None:
                self.with_version(form, self.template)
            form.errors.clear()
            return self.render_page(form=form, formset=formset)
        form, formset = self.forms(data)
        if self.template is not None:
            self.with_version(form, self.template)
        if not (form.is_valid() and formset.is_valid()):
            return self.render_page(status=400, form=form, formset=formset)
        saved, status = self.attempt(lambda: self.save(form, formset.items()), form, edited=self.template)
        if saved is None:
            return self.render_page(status=status, form=form, formset=formset)
        return HttpResponseRedirect(self.link("org-quality-template", saved.pk))

    def save(self, form: TemplateForm, items: list[dict[str, Any]]) -> ChecklistTemplate:
        raise NotImplementedError


class TemplateCreateView(TemplateFormPage):
    def save(self, form: TemplateForm, items: list[dict[str, Any]]) -> ChecklistTemplate:
        template = library.template_create(
            actor=self.actor, organization=self.organization, items=items, **form.cleaned_data
        )
        messages.success(self.request, _("Checklist template %(code)s created.") % {"code": template.code})
        return template


class TemplateEditView(TemplateFormPage):
    model = ChecklistTemplate

    def resolve_scope(self, **url_kwargs: Any) -> None:
        self.template = get_object_or_404(
            ChecklistTemplate.objects.for_organization(self.organization), pk=url_kwargs["pk"]
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        assert self.template is not None
        if not self.template.is_current:
            raise Http404
        return super().get(request, *args, **kwargs)

    def save(self, form: TemplateForm, items: list[dict[str, Any]]) -> ChecklistTemplate:
        assert self.template is not None
        before = self.template.pk
        saved = library.template_update(actor=self.actor, template=self.template, items=items, **form.cleaned_data)
        if saved.pk != before:
            messages.success(
                self.request,
                _("Inspections used version %(old)s, so your changes are version %(new)s.")
                % {"old": self.template.version, "new": saved.version},
            )
        else:
            messages.success(self.request, _("Checklist template %(code)s saved.") % {"code": saved.code})
        return saved


# Settings


class QualitySettingsView(LibraryPage):
    template_name = "quality/library/settings.html"
    section = "settings"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        settings = quality_settings_for(self.organization)
        context["quality_settings"] = settings
        context["form"] = kwargs.get("form") or self.with_version(
            QualitySettingsForm(initial=QualitySettingsForm.initial_from(settings)), settings
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        settings = quality_settings_for(self.organization)
        form = self.with_version(QualitySettingsForm(request.POST), settings)
        status = 400
        if form.is_valid():
            saved, status = self.attempt(
                lambda: library.quality_settings_update(
                    actor=self.actor, organization=self.organization, **form.cleaned_data
                ),
                form,
                edited=settings,
            )
            if saved is not None:
                messages.success(request, _("Quality settings saved."))
                return HttpResponseRedirect(self.link("org-quality-settings"))
        return self.render_page(status=status, form=form)
