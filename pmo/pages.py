"""The base of every organisation-scoped page: resolve, scope, authorise, show errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar, TypeVar

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.views import View

from pmo.concurrency import locked_row, row_version, stale
from pmo.errors import ApplicationError
from pmo.middleware import activate_user_time_zone
from pmo.models import Membership, Organization
from pmo.policy import Action, allowed_actions, can
from pmo.tenancy import tenant_scope

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
VERSION_INPUT = "row_version"

FormT = TypeVar("FormT")


class OrganizationPageMixin(LoginRequiredMixin):
    """Mixed into every page under ``/o/{org_slug}/``; the same policy as the API."""

    read_action: ClassVar[str] = Action.ORG_VIEW
    write_action: ClassVar[str | None] = None

    request: HttpRequest
    membership: Membership
    organization: Organization

    @classmethod
    def required_action(cls, method: str, viewset_action: str | None = None) -> str | None:
        return cls.read_action if method.upper() in SAFE_METHODS else cls.write_action

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        from pmo.tenancy import resolve_membership

        self.membership = resolve_membership(request, kwargs["org_slug"])
        self.organization = self.membership.organization
        # Active until the response is rendered; ``UserTimeZoneMiddleware`` resets it afterwards.
        activate_user_time_zone(self.membership.user, self.organization)
        with tenant_scope(self.organization):
            self.resolve_scope(**kwargs)
            action = self.required_action(request.method or "GET")
            if action is None and request.method not in SAFE_METHODS:
                return View.http_method_not_allowed(self, request, *args, **kwargs)  # type: ignore[arg-type]
            if action is not None and not can(self.membership, action, self.project_role):
                raise PermissionDenied
            try:
                return super().dispatch(request, *args, **kwargs)  # type: ignore[return-value]
            except ObjectDoesNotExist as error:
                # An object another request deleted after this one found it is as gone as one never there.
                raise Http404 from error

    #: The user's role on the project the URL names, if any (set by ``resolve_scope``).
    project_role: str | None = None

    def resolve_scope(self, **url_kwargs: Any) -> None:
        """Resolve further objects the URL names (a project, say) before permissions are checked."""

    def with_version(self, form: FormT, instance: models.Model) -> FormT:
        """Give an edit form the version of the row it shows: a hidden input, sent back on submit.

        ``pmo/includes/form_errors.html`` renders it; a bound form keeps the version it was loaded with.
        """
        data: Any = getattr(form, "data", {})
        bound = getattr(form, "is_bound", False)
        form.row_version = (data.get(VERSION_INPUT, "") if bound else row_version(instance)) or ""  # type: ignore[attr-defined]
        return form

    def lock_scope(self) -> None:
        """Take the locks that writers of the page's data take before the row it edits (none here)."""

    @contextmanager
    def unchanged_since_read(self, form: Any, instance: models.Model) -> Iterator[None]:
        """Run the write in a transaction only if the row is still the version the form was loaded with.

        The row is locked (after ``lock_scope``) before it is compared, and stays locked for the
        write. A stale form raises ``ApplicationError`` (``precondition_failed``) and takes the current
        version, so that ``report`` shows the message beside the user's input and a second submit
        saves it over the other change. A form without a version (an old page) saves as before.
        """
        with transaction.atomic():
            self.lock_scope()
            current = row_version(locked_row(instance))
            sent = getattr(form, "row_version", "")
            if sent and sent != current:
                form.row_version = current
                raise stale()
            yield

    def can(self, action: str) -> bool:
        return can(self.membership, action, self.project_role)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)  # type: ignore[misc]
        context["organization"] = self.organization
        context["membership"] = self.membership
        allowed = allowed_actions(self.membership, self.project_role)
        context["perms_org"] = {str(action) for action in allowed}
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
