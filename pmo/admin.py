from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from pmo.models import ApiToken, AuditEvent, Membership, Organization, User


class CrossTenantAdmin(admin.ModelAdmin):
    """Django admin is the operator's cross-tenant view; it reads explicitly unscoped."""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return self.model.objects.unscoped()


@admin.register(User)
class PmoUserAdmin(UserAdmin):
    fieldsets = (*(UserAdmin.fieldsets or ()), ("PMO", {"fields": ("display_name", "language")}))
    list_display = ("username", "display_name", "email", "is_active", "is_staff")


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "default_currency", "time_zone", "created_at")
    search_fields = ("name", "slug")


@admin.register(Membership)
class MembershipAdmin(CrossTenantAdmin):
    list_display = ("user", "organization", "role", "created_at")
    list_filter = ("role",)


@admin.register(AuditEvent)
class AuditEventAdmin(CrossTenantAdmin):
    list_display = ("created_at", "organization", "actor", "action", "target_type", "target_id")
    list_filter = ("action",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "expires_at", "revoked_at", "last_used_at")
    readonly_fields = ("prefix", "created_at", "revoked_at", "last_used_at")
