"""Finance settings of the organisation: cost categories, budget control and exchange rates."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from finance.forms import BudgetControlForm, CostCategoryEditForm, CostCategoryForm, ExchangeRateForm, PeriodLockForm
from finance.models import CostCategory, ExchangeRate
from finance.permissions import FinanceAction
from finance.services import categories, period_lock, rates
from finance.views.base import OperationsMixin
from pmo.views import paginate


class FinanceSettingsPage(OperationsMixin, TemplateView):
    read_action = FinanceAction.FINANCE_VIEW
    write_action = FinanceAction.FINANCE_SETTINGS_MANAGE

    def settings_url(self) -> str:
        return reverse("org-finance-settings", kwargs={"org_slug": self.organization.slug})

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["nav_active"] = "finance"
        context["may_manage"] = self.can(FinanceAction.FINANCE_SETTINGS_MANAGE)
        context["may_lock"] = self.can(FinanceAction.PERIOD_LOCK)
        return context


class FinanceSettingsView(FinanceSettingsPage):
    template_name = "finance/settings.html"
    operations = {
        "category": ("add_category", None),
        "control": ("set_control", None),
        "rate": ("add_rate", None),
        "lock": ("set_lock", FinanceAction.PERIOD_LOCK),
    }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        settings = categories.finance_settings(self.organization)
        context["finance_settings"] = settings
        categories.cost_categories_ensure_defaults(self.organization)
        context["categories"] = list(
            CostCategory.objects.for_organization(self.organization).order_by("-is_active", "order", "name", "pk")
        )
        context["rates"] = paginate(
            self.request, ExchangeRate.objects.for_organization(self.organization).order_by("currency", "-valid_from")
        )
        if context["may_manage"]:
            context["category_form"] = kwargs.get("category_form") or CostCategoryForm()
            context["control_form"] = kwargs.get("control_form") or self.with_version(
                BudgetControlForm(initial={"budget_control": settings.budget_control}), settings
            )
            context["rate_form"] = kwargs.get("rate_form") or ExchangeRateForm(
                initial={"valid_from": self.organization.today()}
            )
        if context["may_lock"]:
            context["lock_form"] = kwargs.get("lock_form") or self.with_version(
                PeriodLockForm(initial={"locked_through": settings.locked_through}), settings
            )
        return context

    def add_category(self, request: HttpRequest) -> HttpResponse:
        form = CostCategoryForm(request.POST)
        status = 400
        if form.is_valid():
            category, status = self.attempt(
                lambda: categories.cost_category_create(
                    actor=self.actor, organization=self.organization, **form.cleaned_data
                ),
                form,
            )
            if category is not None:
                messages.success(request, _("Cost category “%(name)s” added.") % {"name": category.name})
                return HttpResponseRedirect(self.settings_url())
        return self.render_page(status=status, category_form=form)

    def set_control(self, request: HttpRequest) -> HttpResponse:
        settings = categories.finance_settings(self.organization)
        form = self.with_version(BudgetControlForm(request.POST), settings)
        status = 400
        if form.is_valid():
            saved, status = self.attempt(
                lambda: categories.finance_settings_update(
                    actor=self.actor, organization=self.organization, budget_control=form.cleaned_data["budget_control"]
                ),
                form,
                edited=settings,
            )
            if saved is not None:
                messages.success(request, _("Budget control saved."))
                return HttpResponseRedirect(self.settings_url())
        return self.render_page(status=status, control_form=form)

    def set_lock(self, request: HttpRequest) -> HttpResponse:
        settings = categories.finance_settings(self.organization)
        form = self.with_version(PeriodLockForm(request.POST), settings)
        status = 400
        if form.is_valid():
            saved, status = self.attempt(
                lambda: period_lock.period_lock_set(
                    actor=self.actor, organization=self.organization, **form.cleaned_data
                ),
                form,
                edited=settings,
            )
            if saved is not None:
                if saved.locked_through is None:
                    messages.success(request, _("Every period is open."))
                else:
                    messages.success(
                        request,
                        _("The books are closed through %(date)s.") % {"date": saved.locked_through.isoformat()},
                    )
                return HttpResponseRedirect(self.settings_url())
        return self.render_page(status=status, lock_form=form)

    def add_rate(self, request: HttpRequest) -> HttpResponse:
        form = ExchangeRateForm(request.POST)
        status = 400
        if form.is_valid():
            rate, status = self.attempt(
                lambda: rates.exchange_rate_create(
                    actor=self.actor, organization=self.organization, **form.cleaned_data
                ),
                form,
            )
            if rate is not None:
                messages.success(
                    request,
                    _("Rate for %(currency)s from %(date)s added.")
                    % {"currency": rate.currency, "date": rate.valid_from.isoformat()},
                )
                return HttpResponseRedirect(self.settings_url())
        return self.render_page(status=status, rate_form=form)


class CostCategoryEditView(FinanceSettingsPage):
    template_name = "finance/category_form.html"
    model = CostCategory
    read_action = FinanceAction.FINANCE_SETTINGS_MANAGE
    operations = {"save": ("save", None)}

    def resolve_scope(self, **url_kwargs: Any) -> None:
        self.category = get_object_or_404(CostCategory.objects.for_organization(self.organization), pk=url_kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["category"] = self.category
        context["form"] = kwargs.get("form") or self.with_version(
            CostCategoryEditForm(
                initial={field: getattr(self.category, field) for field in ("name", "order", "is_active")}
            ),
            self.category,
        )
        return context

    def save(self, request: HttpRequest) -> HttpResponse:
        form = self.with_version(CostCategoryEditForm(request.POST), self.category)
        status = 400
        if form.is_valid():
            category, status = self.attempt(
                lambda: categories.cost_category_update(actor=self.actor, category=self.category, **form.cleaned_data),
                form,
                edited=self.category,
            )
            if category is not None:
                messages.success(request, _("Cost category “%(name)s” saved.") % {"name": category.name})
                return HttpResponseRedirect(self.settings_url())
        return self.render_page(status=status, form=form)


class ExchangeRateDeleteView(FinanceSettingsPage):
    """POST removes one rate; a GET goes back to the settings."""

    model = ExchangeRate

    def resolve_scope(self, **url_kwargs: Any) -> None:
        self.rate = get_object_or_404(ExchangeRate.objects.for_organization(self.organization), pk=url_kwargs["pk"])

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return HttpResponseRedirect(self.settings_url())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        rate = self.rate
        _removed, status = self.attempt(lambda: rates.exchange_rate_delete(actor=self.actor, rate=rate))
        if status == 200:
            messages.success(
                request,
                _("Rate for %(currency)s from %(date)s removed.")
                % {"currency": rate.currency, "date": rate.valid_from.isoformat()},
            )
        return HttpResponseRedirect(self.settings_url())
