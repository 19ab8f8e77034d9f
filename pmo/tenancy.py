"""Tenancy: the one place that decides which organisation's rows a query may see.

Every tenant-owned model inherits :class:`TenantModel`. Its manager refuses to run a
query until the query is scoped to one organisation, either explicitly with
``Model.objects.for_organization(org)`` or implicitly inside :func:`tenant_scope`
(which the request resolver and the Celery task base enter). Related managers reached
from a tenant object are scoped to that object's organisation. ``unscoped()`` is the
named, greppable escape hatch for the few places that must read across tenants
(admin, the nightly fan-out, tests that check isolation).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, Self

from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from pmo import sql

if TYPE_CHECKING:
    from django.http import HttpRequest

    from pmo.models import Membership, Organization

#: Keys are 64-bit integers: a URL's id outside that range names no row.
BIGINT_LIMIT = 2**63

_active_organization_id: ContextVar[int | None] = ContextVar("pmo_active_organization_id", default=None)
# The organisation itself, when the scope was entered with it rather than with its id.
_active_organization: ContextVar[Organization | None] = ContextVar("pmo_active_organization", default=None)


class TenantScopeError(RuntimeError):
    """A tenant model was queried with no organisation in scope."""


def _organization_id(organization: Organization | int) -> int:
    return organization if isinstance(organization, int) else organization.pk


@contextmanager
def tenant_scope(organization: Organization | int) -> Iterator[None]:
    """Run the block with ``organization`` as the implicit scope of tenant queries."""
    token = _active_organization_id.set(_organization_id(organization))
    object_token = _active_organization.set(None if isinstance(organization, int) else organization)
    try:
        yield
    finally:
        _active_organization.reset(object_token)
        _active_organization_id.reset(token)


@contextmanager
def outside_tenant_scope() -> Iterator[None]:
    """Run the block with no implicit scope (to build a query that names its organisation itself)."""
    token = _active_organization_id.set(None)
    object_token = _active_organization.set(None)
    try:
        yield
    finally:
        _active_organization.reset(object_token)
        _active_organization_id.reset(token)


def active_organization_id() -> int | None:
    return _active_organization_id.get()


def active_organization() -> Organization | None:
    """The organisation in scope, when the scope was entered with the object rather than its id."""
    organization = _active_organization.get()
    if organization is None or organization.pk != _active_organization_id.get():
        return None
    return organization


def activate(organization: Organization | int) -> Token[int | None]:
    """Enter a tenant scope that :func:`deactivate` leaves; prefer :func:`tenant_scope`."""
    _active_organization.set(None if isinstance(organization, int) else organization)
    return _active_organization_id.set(_organization_id(organization))


def deactivate(token: Token[int | None]) -> None:
    _active_organization.set(None)
    _active_organization_id.reset(token)


class TenantQuerySet(models.QuerySet):
    """A queryset that runs only once it is scoped to an organisation."""

    _scoped: bool = False

    def for_organization(self, organization: Organization | int) -> Self:
        queryset = self.filter(organization_id=_organization_id(organization))
        queryset._scoped = True
        return queryset

    def unscoped(self) -> Self:
        """Read across organisations: admin, a user's own memberships, fan-out, isolation tests."""
        queryset = self._chain()  # type: ignore[attr-defined]
        queryset._scoped = True
        return queryset

    def _clone(self) -> Self:
        clone = super()._clone()  # type: ignore[misc]
        clone._scoped = self._scoped
        return clone

    def _require_scope(self) -> None:
        if not self._scoped:
            raise TenantScopeError(
                f"{self.model.__name__} was queried with no organisation in scope; "
                f"start from {self.model.__name__}.objects.for_organization(org)."
            )

    def _fetch_all(self) -> None:
        if self._result_cache is None:
            self._require_scope()
        super()._fetch_all()

    def iterator(self, chunk_size: int | None = None) -> Iterator[Any]:
        self._require_scope()
        return super().iterator(chunk_size=chunk_size)

    def count(self) -> int:
        if self._result_cache is None:
            self._require_scope()
        return super().count()

    def exists(self) -> bool:
        if self._result_cache is None:
            self._require_scope()
        return super().exists()

    def aggregate(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self._require_scope()
        return super().aggregate(*args, **kwargs)

    def update(self, **kwargs: Any) -> int:
        self._require_scope()
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        self._require_scope()
        return super().delete()


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):  # type: ignore[misc]
    # Migrations get a plain manager; data migrations are not tenant-scoped.
    use_in_migrations = False

    def get_queryset(self) -> TenantQuerySet:
        queryset: TenantQuerySet = super().get_queryset()
        # A related manager (``project.tasks``) carries the instance it hangs from.
        instance = getattr(self, "instance", None)
        if instance is not None:
            from pmo.models import Organization

            if isinstance(instance, Organization):
                return queryset.for_organization(instance.pk)
            organization_id = getattr(instance, "organization_id", None)
            if organization_id is not None:
                return queryset.for_organization(organization_id)
        organization_id = _active_organization_id.get()
        if organization_id is not None:
            return queryset.for_organization(organization_id)
        return queryset


class TenantModel(models.Model):
    """Base of every tenant-owned model: a non-null organisation and a scoped manager."""

    organization = models.ForeignKey(
        "pmo.Organization", on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )

    objects = TenantManager()

    class Meta:
        abstract = True

    def _run_scoped(self, method: Any, *args: Any, **kwargs: Any) -> Any:
        if self.organization_id is None:
            return method(*args, **kwargs)
        with tenant_scope(self.organization_id):
            return method(*args, **kwargs)

    def validate_unique(self, exclude: Any = None) -> None:
        self._run_scoped(super().validate_unique, exclude)

    def validate_constraints(self, exclude: Any = None) -> None:
        self._run_scoped(super().validate_constraints, exclude)


def _active_user(request: HttpRequest) -> Any:
    user = request.user
    if not user.is_authenticated or not user.is_active:
        raise Http404
    return user


@dataclass
class PendingSessionUser:
    """A session's user not read yet: the request's first access read reads it in the same query.

    ``pmo.authentication.SessionAuthentication`` knows the user's id from the session and enters
    :func:`reading_session_user` around the view's ``resolve_access``. The access read then selects
    the user's row with its own (``user`` is the instance, or ``False`` when the row is gone) and keeps
    its result for the view's own ``resolve_access`` once the user is authenticated, so a session
    request reads the session and then one row, as a token's reads the token and then one row.
    """

    request: Any  # the HttpRequest
    user_id: Any
    user: Any = None
    results: dict[tuple[Any, ...], Any] = field(default_factory=dict)


_pending_user: ContextVar[PendingSessionUser | None] = ContextVar("pmo_pending_session_user", default=None)


@contextmanager
def reading_session_user(pending: PendingSessionUser) -> Iterator[PendingSessionUser]:
    token = _pending_user.set(pending)
    try:
        yield pending
    finally:
        _pending_user.reset(token)


def _http_request(request: Any) -> Any:
    return getattr(request, "_request", request)  # DRF's Request wraps Django's


@cache
def _with_user_sql(text: str) -> str:
    from pmo.models import User

    # The access read as a subquery: its row, or NULLs, beside the user's (table and column names from the models).
    return (
        f'SELECT {sql.select_list(User, "u")}, a.* FROM "{User._meta.db_table}" u '  # noqa: S608
        f'LEFT JOIN ({text}) a ON 1 = 1 WHERE u."id" = %s'
    )


def _access_row(request: Any, text: str, params: Callable[[Any], list[Any]]) -> tuple[Any, tuple[Any, ...]]:
    """The user and the row of the access read ``text`` (its ``params`` for a user id), or 404.

    Read once: with a session's user still pending, together with that user (one query), and the
    row kept for the same read after authentication; otherwise for the request's authenticated user.
    """
    http = _http_request(request)
    pending = _pending_user.get()
    if pending is not None and pending.request is http and pending.user is None:
        from pmo.models import User

        values = params(pending.user_id)
        row = sql.fetch_one(_with_user_sql(text), [*values, pending.user_id])
        if row is None:
            pending.user = False
            raise Http404
        split = sql.width(User)
        pending.user = sql.instance(User, row[:split])
        found = None if row[split] is None else tuple(row[split:])  # a row's first column is its key
        pending.results[(text, pending.user.pk, *values)] = found
        if found is None:
            raise Http404
        return pending.user, found
    user = _active_user(request)
    values = params(user.pk)
    kept = getattr(http, "_pmo_session_access", None)
    key = (text, user.pk, *values)
    if kept is not None and key in kept:
        found = kept.pop(key)
    else:
        found = sql.fetch_one(text, values)
    if found is None:
        raise Http404
    return user, found
    return user


def _membership_join(scope: str) -> str:
    """``JOIN`` the organisation (``o``) and the user's membership (``m``) of the row aliased ``scope``."""
    from pmo.models import Membership, Organization

    return (
        f'JOIN "{Organization._meta.db_table}" o ON o."id" = {scope}."organization_id" '
        f'JOIN "{Membership._meta.db_table}" m ON m."organization_id" = {scope}."organization_id" AND m."user_id" = %s'
    )


@cache
def _membership_sql() -> str:
    from pmo.models import Membership, Organization

    # Table and column names come from the models; values are parameters.
    return (
        f"SELECT {sql.select_list(Membership, 'm')}, {sql.select_list(Organization, 'o')} "  # noqa: S608
        f'FROM "{Membership._meta.db_table}" m JOIN "{Organization._meta.db_table}" o ON o."id" = m."organization_id" '
        'WHERE o."slug" = %s AND m."user_id" = %s'
    )


def resolve_membership(request: HttpRequest, org_slug: str) -> Membership:
    """Turn the organisation slug of a URL into the user's membership, or 404.

    Unknown organisations and organisations the user does not belong to look the same. One query
    (the membership and its organisation, written in SQL: ``pmo.sql``); the user is the request's own.
    """
    from pmo.models import Membership, Organization

    user, row = _access_row(request, _membership_sql(), lambda user_id: [org_slug, user_id])
    split = sql.width(Membership)
    membership = sql.instance(Membership, row[:split])
    membership.organization = sql.instance(Organization, row[split:])
    membership.user = user
    return membership


@dataclass(frozen=True)
class MemberRole:
    """The user's row in a member table of the object (``ProjectMember`` of a project): its ``column``."""

    model: type[models.Model]
    parent: str  # the foreign key to the object
    column: str = "role"


@cache
def _membership_with_sql(model: type[TenantModel], role: MemberRole | None) -> str:
    from pmo.models import Membership, Organization

    select = f"{sql.select_list(model, 'x')}, {sql.select_list(Organization, 'o')}, {sql.select_list(Membership, 'm')}"
    join = _membership_join("x")
    if role is not None:
        parent = role.model._meta.get_field(role.parent).column  # type: ignore[union-attr]
        value = role.model._meta.get_field(role.column).column  # type: ignore[union-attr]
        select += f', r."{value}"'
        join += (
            f' LEFT JOIN "{role.model._meta.db_table}" r ON r."{parent}" = x."{model._meta.pk.column}"'
            ' AND r."organization_id" = x."organization_id" AND r."user_id" = %s'
        )
    where = f'o."slug" = %s AND x."{model._meta.pk.column}" = %s'
    return f'SELECT {select} FROM "{model._meta.db_table}" x {join} WHERE {where}'  # noqa: S608  (names from the models)


def resolve_membership_with(
    request: HttpRequest, org_slug: str, model: type[TenantModel], pk: Any, role: MemberRole | None = None
) -> tuple[Membership, Any, Any]:
    """The user's membership, the organisation's ``model`` row ``pk`` and the user's ``role`` on it: one query, or 404.

    For URLs that name an object under the organisation (a project): the row with its organisation,
    the membership joined to it, and, with ``role``, the user's row in the object's member table
    (``None`` when there is none). A missing row and a missing membership look the same.
    """
    from pmo.models import Membership, Organization

    key = model._meta.pk.get_prep_value(pk)
    if isinstance(key, int) and not -BIGINT_LIMIT <= key < BIGINT_LIMIT:
        raise Http404  # no row has such a key; SQLite would refuse the parameter rather than find nothing
    user, row = _access_row(
        request,
        _membership_with_sql(model, role),
        lambda user_id: [user_id, *([user_id] if role is not None else []), org_slug, key],
    )
    first, second = sql.width(model), sql.width(model) + sql.width(Organization)
    third = second + sql.width(Membership)
    organization = sql.instance(Organization, row[first:second])
    scoped = sql.instance(model, row[:first])
    scoped.organization = organization
    membership = sql.instance(Membership, row[second:third])
    membership.organization = organization
    membership.user = user
    return membership, scoped, row[third] if role is not None else None
