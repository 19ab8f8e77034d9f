"""The base of every organisation-scoped page: resolve, scope, authorise, show errors."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.views import View

from pmo.errors import ApplicationError
from pmo.models import Membership, Organization
from pmo.policy import Action, allowed_actions, can
from pmo.tenancy import tenant_scope

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class OrganizationPageMixin(LoginRequiredMixin):
    """Mixed into every page under ``/o/{org_slug}/``; the same policy as the API."""

    read_action: ClassVar[Action] = Action.ORG_VIEW
    write_action: ClassVar[Action | None] = None

    request: HttpRequest
    membership: Membership
    organization: Organization

    @classmethod
    def required_action(cls, method: str, viewset_action: str | None = None) -> Action | None:
        return cls.read_action if method.upper() in SAFE_METHODS else cls.write_action

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        from pmo.tenancy import resolve_membership

        self.membership = resolve_membership(request, kwargs["org_slug"])
        self.organization = self.membership.organization
        with tenant_scope(self.organization):
            self.resolve_scope(**kwargs)
            action = self.required_action(request.method or "GET")
            if action is None and request.method not in SAFE_METHODS:
                return View.http_method_not_allowed(self, request, *args, **kwargs)  # type: ignore[arg-type]
            if action is not None and not can(self.membership, action, self.project_role):
                raise PermissionDenied
            return super().dispatch(request, *args, **kwargs)  # type: ignore[return-value]

    #: The user's role on the project the URL names, if any (set by ``resolve_scope``).
    project_role: str | None = None

    def resolve_scope(self, **url_kwargs: Any) -> None:
        """Resolve further objects the URL names (a project, say) before permissions are checked."""

    def can(self, action: Action) -> bool:
        return can(self.membership, action, self.project_role)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)  # type: ignore[misc]
        context["organization"] = self.organization
        context["membership"] = self.membership
        context["perms_org"] = {str(action) for action in allowed_actions(self.membership, self.project_role)}
        return context

    def report(self, error: ApplicationError, form: Any = None) -> None:
        """Show a service's refusal next to the fields it names, or as a page message."""
        if form is not None:
            placed = False
            for field, field_errors in error.fields.items():
                if field in form.fields:
                    for message in field_errors:
                        form.add_error(field, message)
                    placed = True
            if not placed:
                form.add_error(None, error.message)
        else:
            messages.error(self.request, error.message)
