from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from pmo import services
from pmo.forms import LockoutAdminAuthenticationForm
from pmo.models import ApiToken, AuditEvent, Invitation, Membership, Organization, User

# The admin's sign-in counts failures and locks like the app's.
admin.site.login_form = LockoutAdminAuthenticationForm


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

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("slug",) if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: Organization, form: Any, change: bool) -> None:
        actor = request.user if isinstance(request.user, User) else None
        if change:
            fields = {name: getattr(obj, name) for name in services.ORGANIZATION_FIELDS}
            services.organization_update(actor=actor, organization=obj, **fields)  # type: ignore[arg-type]
        else:
            created = services.organization_create(
                actor=actor,
                name=obj.name,
                slug=obj.slug,
                default_currency=obj.default_currency,
                time_zone=obj.time_zone,
            )
            obj.pk = created.pk


@admin.register(Membership)
class MembershipAdmin(CrossTenantAdmin):
    list_display = ("user", "organization", "role", "created_at")
    list_filter = ("role",)


@admin.register(Invitation)
class InvitationAdmin(CrossTenantAdmin):
    """Read only: invitations change through their services (sent, answered, withdrawn, resent)."""

    list_display = ("email", "organization", "role", "status", "created_at", "expires_at")
    list_filter = ("status",)
    search_fields = ("email",)
    exclude = ("key",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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
