"""The organisation's risk rules: the matrix cell by cell, scoring and review settings, and the categories."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from pmo.errors import ApplicationError
from risks.forms import RiskCategoryEditForm, RiskCategoryForm, RiskSettingsForm
from risks.heatmap import CURRENT, HeatMap, render_svg
from risks.models import RiskCategory
from risks.permissions import RiskAction
from risks.services import settings as services
from risks.views.base import RiskPage


class RiskSettingsPage(RiskPage):
    read_action = RiskAction.RISK_VIEW
    write_action = RiskAction.RISK_SETTINGS_MANAGE

    def settings_url(self) -> str:
        return self.url("risk-settings")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["may_manage"] = self.can(RiskAction.RISK_SETTINGS_MANAGE)
        return context


class RiskSettingsView(RiskSettingsPage):
    template_name = "risks/settings.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        settings = services.risk_settings_for(self.organization)
        context["risk_settings"] = settings
        context["categories"] = services.risk_categories(self.organization, active_only=False)
        context["matrix_preview"] = render_svg(
            HeatMap(basis=CURRENT), settings, label=_("The matrix and the appetite line")
        )
        form = kwargs.get("settings_form") or self.with_version(
            RiskSettingsForm(initial=RiskSettingsForm.initial_from(settings)), settings
        )
        context["settings_form"] = form
        context["matrix_rows"] = form.matrix_rows()
        context["impact_labels"] = range(1, 6)
        if context["may_manage"]:
            context["category_form"] = kwargs.get("category_form") or RiskCategoryForm()
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        operation = request.POST.get("op", "")
        if operation == "settings":
            return self.save_settings(request)
        if operation == "category":
            return self.add_category(request)
        messages.error(request, _("Unknown action."))
        return self.render_page(status=400)

    def save_settings(self, request: HttpRequest) -> HttpResponse:
        settings = services.risk_settings_for(self.organization)
        form = self.with_version(RiskSettingsForm(request.POST), settings)
        if not form.is_valid():
            return self.render_page(status=400, settings_form=form)
        try:
            with self.unchanged_since_read(form, settings):
                services.risk_settings_update(actor=self.actor, organization=self.organization, **form.service_fields())
        except ApplicationError as error:
            matrix_problems = error.fields.get("matrix", [])
            for problem in matrix_problems:
                form.add_error(None, problem)
            if not matrix_problems:
                self.report(error, form)
            messages.error(request, error.message)
            return self.render_page(status=error.status_code, settings_form=form)
        messages.success(request, _("Risk settings saved: open risks follow the new rules."))
        return HttpResponseRedirect(self.settings_url())

    def add_category(self, request: HttpRequest) -> HttpResponse:
        form = RiskCategoryForm(request.POST)
        status = 400
        if form.is_valid():
            category, status = self.attempt(
                lambda: services.risk_category_create(
                    actor=self.actor, organization=self.organization, **form.cleaned_data
                ),
                form,
            )
            if category is not None:
                messages.success(request, _("Risk category “%(name)s” added.") % {"name": category.label})
                return HttpResponseRedirect(self.settings_url() + "#categories")
        return self.render_page(status=status, category_form=form)


class RiskCategoryEditView(RiskSettingsPage):
    template_name = "risks/category_form.html"
    model = RiskCategory
    read_action = RiskAction.RISK_SETTINGS_MANAGE

    def resolve_scope(self, **url_kwargs: Any) -> None:
        self.category = get_object_or_404(RiskCategory.objects.for_organization(self.organization), pk=url_kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["category"] = self.category
        context["form"] = kwargs.get("form") or self.with_version(
            RiskCategoryEditForm(
                initial={field: getattr(self.category, field) for field in ("name_zh", "name_en", "order", "is_active")}
            ),
            self.category,
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.with_version(RiskCategoryEditForm(request.POST), self.category)
        status = 400
        if form.is_valid():
            category, status = self.attempt(
                lambda: services.risk_category_update(actor=self.actor, category=self.category, **form.cleaned_data),
                form,
                edited=self.category,
            )
            if category is not None:
                messages.success(request, _("Risk category “%(name)s” saved.") % {"name": category.label})
                return HttpResponseRedirect(self.settings_url() + "#categories")
        return self.render_page(status=status, form=form)
