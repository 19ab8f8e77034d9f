"""The base of every organisation-scoped API view: resolve, scope, authorise."""

from __future__ import annotations

from contextvars import Token
from typing import Any, ClassVar

from django.db.models import QuerySet
from rest_framework import exceptions, serializers
from rest_framework.request import Request

from pmo.models import Membership, Organization
from pmo.policy import Action, can
from pmo.tenancy import activate, deactivate, resolve_membership

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class OrganizationScopedMixin:
    """Mixed into every view under ``/api/v1/orgs/{org_slug}/``.

    ``read_action`` guards safe methods, ``write_action`` the others, and
    ``action_permissions`` names the action of individual viewset actions.
    """

    read_action: ClassVar[Action] = Action.ORG_VIEW
    write_action: ClassVar[Action | None] = None
    action_permissions: ClassVar[dict[str, Action]] = {}

    membership: Membership
    organization: Organization
    _scope_token: Token[int | None] | None = None

    @classmethod
    def required_action(cls, method: str, viewset_action: str | None = None) -> Action | None:
        if viewset_action and viewset_action in cls.action_permissions:
            return cls.action_permissions[viewset_action]
        return cls.read_action if method.upper() in SAFE_METHODS else cls.write_action

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        finally:
            if self._scope_token is not None:
                deactivate(self._scope_token)
                self._scope_token = None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        self.membership = resolve_membership(request, kwargs["org_slug"])
        self.organization = self.membership.organization
        self._scope_token = activate(self.organization)
        self.resolve_scope(**kwargs)
        action = self.required_action(request.method or "GET", getattr(self, "action", None))
        if action is not None and not can(self.membership, action, self.project_role):
            raise exceptions.PermissionDenied()

    #: The user's role on the project the URL names, if any (set by ``resolve_scope``).
    project_role: str | None = None

    def resolve_scope(self, **url_kwargs: Any) -> None:
        """Resolve further objects the URL names (a project, say) before permissions are checked."""

    def get_serializer_context(self) -> dict[str, Any]:
        context: dict[str, Any] = super().get_serializer_context()  # type: ignore[misc]
        context["organization"] = getattr(self, "organization", None)
        context["membership"] = getattr(self, "membership", None)
        return context


class OrganizationRelatedField(serializers.PrimaryKeyRelatedField):
    """A related id that must belong to the request's organisation; others look nonexistent."""

    def get_queryset(self) -> QuerySet[Any]:
        organization = self.context["organization"]
        model = super().get_queryset().model  # type: ignore[union-attr]
        return model.objects.for_organization(organization)
