"""The operator's read-only view of finance data across organisations.

Every finance write goes through a service that checks the rules (budget control, approval by
finance, separation of duties) and writes the audit trail, so the admin only reads.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from finance.models import (
    ActualCost,
    BudgetLine,
    BudgetVersion,
    Commitment,
    CostCategory,
    ExchangeRate,
    FinanceSettings,
    ManualForecast,
)
from pmo.admin import CrossTenantAdmin


class ReadOnlyAdmin(CrossTenantAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class BudgetLineInline(admin.TabularInline):
    model = BudgetLine
    fields = ("category", "wbs_element", "amount", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> Any:
        return BudgetLine.objects.unscoped().select_related("category", "wbs_element")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CostCategory)
class CostCategoryAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "organization", "order", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name")


@admin.register(FinanceSettings)
class FinanceSettingsAdmin(ReadOnlyAdmin):
    list_display = ("organization", "budget_control")
    list_filter = ("budget_control",)


@admin.register(ExchangeRate)
class ExchangeRateAdmin(ReadOnlyAdmin):
    list_display = ("currency", "rate", "valid_from", "organization")
    list_filter = ("currency",)


@admin.register(BudgetVersion)
class BudgetVersionAdmin(ReadOnlyAdmin):
    list_display = ("project", "number", "status", "is_current", "organization", "submitted_by", "decided_by")
    list_filter = ("status", "is_current")
    list_select_related = ("project", "organization", "submitted_by", "decided_by")
    inlines = [BudgetLineInline]


@admin.register(Commitment)
class CommitmentAdmin(ReadOnlyAdmin):
    list_display = ("reference", "supplier", "project", "date", "amount", "status", "over_budget", "organization")
    list_filter = ("status", "over_budget")
    list_select_related = ("project", "organization")
    search_fields = ("reference", "supplier")


@admin.register(ActualCost)
class ActualCostAdmin(ReadOnlyAdmin):
    list_display = ("date", "amount", "project", "category", "source", "over_budget", "organization")
    list_filter = ("source", "over_budget")
    list_select_related = ("project", "category", "organization")
    search_fields = ("reference", "supplier")


@admin.register(ManualForecast)
class ManualForecastAdmin(ReadOnlyAdmin):
    list_display = ("project", "estimate_to_complete", "created_by", "created_at", "organization")
    list_select_related = ("project", "created_by", "organization")
