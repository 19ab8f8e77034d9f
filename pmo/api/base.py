"""The base of every organisation-scoped API view: resolve, scope, authorise."""

from __future__ import annotations

from contextvars import Token
from typing import Any, ClassVar

from django.db import models, transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import ViewSetMixin

from pmo.api import filtering
from pmo.concurrency import etag, etag_in, etag_matches, locked_row, representation_hash, row_version, stale
from pmo.middleware import activate_user_time_zone
from pmo.models import Membership, Organization
from pmo.policy import Action, can
from pmo.tenancy import activate, deactivate, resolve_membership

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CONDITIONAL_METHODS = frozenset({"PATCH", "PUT", "DELETE", "POST"})


class ConcurrencyControlMixin:
    """ETags and ``If-Match`` for every view of one resource (a detail route, or a singleton).

    The ETag is the version of the resource's row (``pmo.concurrency.row_version``): sent on
    every read of the resource and after every change of it. A write (PATCH, PUT, DELETE, or
    an action such as ``submit`` on the resource's URL) carrying ``If-Match`` runs in one
    transaction that first takes the locks writers of the resource take (``lock_scope``, then
    the row), compares the version under those locks, and answers 412
    ``precondition_failed`` when it is stale; the write then runs under the same locks, so of
    many writers sending the same ETag exactly one wins. Without ``If-Match`` a write is
    unconditional, as before.
    """

    _version_source: models.Model | None = None
    _precondition: str | None = None

    def is_resource_view(self) -> bool:
        if isinstance(self, ViewSetMixin):
            return getattr(self, "detail", False) is True
        return hasattr(self, "retrieve") and hasattr(self, "get_object")

    def _conditional(self, request: HttpRequest) -> str | None:
        header = request.headers.get("If-Match")
        if header and (request.method or "").upper() in CONDITIONAL_METHODS:
            return header
        return None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        header = self._conditional(request)
        if header is None:
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        self._precondition = header
        with transaction.atomic():
            response = super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
            if response.status_code >= 400:
                transaction.set_rollback(True)
            return response

    def lock_scope(self) -> None:
        """Take the locks that writers of this resource take before its own row (none here)."""

    #: True for a view of a resource that is not one row (an organisation's setting kept in many
    #: rows): its version is ``setting_version()``, a hash of its current state, compared after
    #: ``lock_scope`` has taken the lock its writers take; it gets ETags and ``If-Match`` like a row.
    versioned_as_setting: ClassVar[bool] = False

    def setting_version(self) -> str:
        raise NotImplementedError

    def check_preconditions(self) -> None:
        """Compare ``If-Match`` with the resource's version while holding its locks (see the class)."""
        header, self._precondition = self._precondition, None
        if header is None:
            return
        if self.versioned_as_setting:
            self.lock_scope()
            if not etag_matches(header, self.setting_version()):
                raise stale(
                    _(
                        "This item was changed by someone else since you read it: its ETag no longer matches. "
                        "Read it again, check the current values and repeat your change."
                    )
                )
            return
        if not self.is_resource_view():
            return
        resource = self.get_object()
        self.lock_scope()
        current = row_version(locked_row(resource))
        if not etag_matches(header, current):
            raise stale(
                _(
                    "This item was changed by someone else since you read it: its ETag no longer matches. "
                    "Read it again, check the current values and repeat your change."
                )
            )

    def get_object(self) -> Any:
        return self.remember_version(super().get_object())  # type: ignore[misc]

    def remember_version(self, instance: Any) -> Any:
        """The resource whose version the response's ETag names (``get_object`` calls it)."""
        if isinstance(instance, models.Model):
            self._version_source = instance
        return instance

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        if not isinstance(response, Response) or not 200 <= response.status_code < 300:
            return response
        method = (request.method or "").upper()
        if method == "DELETE" or response.status_code == 204:
            return response
        if self.versioned_as_setting:
            return self._tagged(request, response, etag(self.setting_version(), representation_hash(response.data)))
        if not self.is_resource_view():
            return response
        source = self._version_source
        if source is None:
            # A view that reads its object its own way: look the row up as get_object would.
            try:
                source = self.get_object()
            except (Http404, exceptions.APIException):
                return response
            if not isinstance(source, models.Model):
                return response
        elif method not in SAFE_METHODS:
            source = type(source)._base_manager.filter(pk=source.pk).first()
            if source is None:
                return response
        elif source.get_deferred_fields():
            source = type(source)._base_manager.get(pk=source.pk)
        return self._tagged(request, response, etag(row_version(source), representation_hash(response.data)))

    def _tagged(self, request: Request, response: Any, tag: str) -> Any:
        """The response with its ETag, or a 304 when a safe request already holds that very body."""
        method = (request.method or "").upper()
        if method in SAFE_METHODS and etag_in(request.headers.get("If-None-Match", ""), tag):
            response = Response(status=304, headers={"ETag": tag})
            response.accepted_renderer = request.accepted_renderer
            response.accepted_media_type = request.accepted_media_type
            response.renderer_context = self.get_renderer_context()  # type: ignore[attr-defined]
            return response
        response["ETag"] = tag
        return response


class UserResourceMixin(ConcurrencyControlMixin):
    """ETags and ``If-Match`` for a view outside any organisation (the signed-in user's own things)."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        self.check_preconditions()


class OrganizationScopedMixin(ConcurrencyControlMixin):
    """Mixed into every view under ``/api/v1/orgs/{org_slug}/``.

    ``read_action`` guards safe methods, ``write_action`` the others, and
    ``action_permissions`` names the action of individual viewset actions.
    """

    read_action: ClassVar[str] = Action.ORG_VIEW
    write_action: ClassVar[str | None] = None
    action_permissions: ClassVar[dict[str, str]] = {}

    membership: Membership
    organization: Organization
    _scope_token: Token[int | None] | None = None

    @classmethod
    def required_action(cls, method: str, viewset_action: str | None = None) -> str | None:
        if viewset_action and viewset_action in cls.action_permissions:
            return cls.action_permissions[viewset_action]
        return cls.read_action if method.upper() in SAFE_METHODS else cls.write_action

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().dispatch(request, *args, **kwargs)
        finally:
            if self._scope_token is not None:
                deactivate(self._scope_token)
                self._scope_token = None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        self.membership = self.resolve_access(request, **kwargs)
        self.organization = self.membership.organization
        self._scope_token = activate(self.organization)
        activate_user_time_zone(self.membership.user, self.organization)
        self.resolve_scope(**kwargs)
        action = self.required_action(request.method or "GET", getattr(self, "action", None))
        if action is not None and not can(self.membership, action, self.project_role):
            raise exceptions.PermissionDenied()
        self.check_preconditions()

    #: The user's role on the project the URL names, if any (set by ``resolve_scope``).
    project_role: str | None = None

    def resolve_access(self, request: Request, **url_kwargs: Any) -> Membership:
        """The user's membership of the URL's organisation, or 404: read once per request.

        A base for URLs under an object (a project) reads that object and the user's role on it
        in the same query (``pmo.tenancy.resolve_membership_with``).
        """
        return resolve_membership(request, url_kwargs["org_slug"])

    def resolve_scope(self, **url_kwargs: Any) -> None:
        """Resolve further objects the URL names (a project, say) before permissions are checked."""

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """The view's filter backends, without a filter set the query string names nothing of."""
        return filtering.filter_queryset(self, queryset)

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
