"""API tokens sent as ``Authorization: Bearer <token>`` and the failed-login lockout."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, empty
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from pmo import sql
from pmo.middleware import activate_user_language, activate_user_time_zone
from pmo.models import ApiToken, User

TOKEN_PREFIX = "pmo"  # noqa: S105  (a label, not a secret)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_token_parts() -> tuple[str, str]:
    """Return ``(prefix, secret)``; the token a client sends is ``pmo_<prefix>_<secret>``."""
    return secrets.token_hex(6), secrets.token_urlsafe(32)


def format_token(prefix: str, secret: str) -> str:
    return f"{TOKEN_PREFIX}_{prefix}_{secret}"


@lru_cache(maxsize=1)
def _token_sql() -> str:
    # Table and column names come from the models; the prefix is a parameter.
    return (
        f"SELECT {sql.select_list(ApiToken, 't')}, {sql.select_list(User, 'u')} "  # noqa: S608
        f'FROM "{ApiToken._meta.db_table}" t JOIN "{User._meta.db_table}" u ON u."id" = t."user_id" '
        'WHERE t."prefix" = %s'
    )


def find_token(raw: str) -> ApiToken | None:
    """The token a client sent, with its user (one query, written in SQL: ``pmo.sql``), or None."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    row = sql.fetch_one(_token_sql(), [parts[1]])
    if row is None:
        return None
    token: ApiToken = sql.instance(ApiToken, row[: sql.width(ApiToken)])
    if not hmac.compare_digest(token.secret_hash, hash_secret(parts[2])):
        return None
    token.user = sql.instance(User, row[sql.width(ApiToken) :])
    return token


def bearer_token_user(request: HttpRequest) -> User | None:
    """The active user of a usable bearer token the request carries, without refusing anything.

    For answers given before DRF authenticates (an unknown API path), so that they too speak the
    token user's language.
    """
    header = request.META.get("HTTP_AUTHORIZATION", "").split()
    if len(header) != 2 or header[0].lower() != BearerTokenAuthentication.keyword.lower():
        return None
    token = find_token(header[1])
    if token is None or not token.is_usable(timezone.now()) or not token.user.is_active:
        return None
    return token.user


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0].lower() != self.keyword.lower():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("The Authorization header must be 'Bearer <token>'."))
        token = find_token(header[1])
        now = timezone.now()
        if token is None or not token.is_usable(now) or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("The token is not valid, has expired or was revoked."))
        # One write a minute at most keeps token use cheap under load.
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        # Middleware ran before this user was known: answer in their language from here on.
        activate_user_language(request._request, token.user)
        activate_user_time_zone(token.user)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class SessionAuthentication(authentication.SessionAuthentication):
    """DRF's session authentication, reading the session's user with the view's access read.

    Django reads a session's user on first use of ``request.user``: the session, then the user,
    and the view then reads the membership (three queries). Under an organisation's URL this reads
    the session, then asks the view for its access read (``resolve_access``) while the user is
    pending (``pmo.tenancy.PendingSessionUser``), which selects the user's row along with the
    membership, organisation, project and role: two queries. The user is then checked as
    ``django.contrib.auth.get_user`` checks it (a backend still configured, an active user, the
    session's hash of the password), and the view's ``resolve_access`` gets the row already read.
    Anything else (a view without ``resolve_access``, another backend) goes Django's way. The
    session user's language and time zone are activated here, as ``BearerTokenAuthentication`` does
    for a token's, since ``UserLanguageMiddleware`` leaves API requests under an organisation to this.
    """

    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        http = request._request
        view = (request.parser_context or {}).get("view")
        lazy = http.__dict__.get("user")
        if (
            hasattr(view, "resolve_access") and isinstance(lazy, SimpleLazyObject) and lazy._wrapped is empty  # type: ignore[attr-defined]
        ):
            user = _session_user_with_access(http, view, (request.parser_context or {}).get("kwargs") or {})
            if user is not None:
                http.user = user
        found = super().authenticate(request)
        if found is not None:
            activate_user_language(http, found[0])
            activate_user_time_zone(found[0])
        return found


def _session_user_with_access(http: HttpRequest, view: Any, url_kwargs: dict[str, Any]) -> Any:
    """``django.contrib.auth.get_user`` (Django 5.2), the user read by the view's access read; None: not applicable."""
    from django.contrib.auth import (  # type: ignore[attr-defined]
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        _get_user_session_key,
        load_backend,
    )
    from django.contrib.auth.backends import ModelBackend
    from django.contrib.auth.models import AnonymousUser
    from django.http import Http404
    from django.utils.crypto import constant_time_compare

    from pmo.tenancy import PendingSessionUser, reading_session_user

    try:
        user_id = _get_user_session_key(http)
        backend_path = http.session[BACKEND_SESSION_KEY]
    except KeyError:
        return AnonymousUser()
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return AnonymousUser()
    backend = load_backend(backend_path)
    if type(backend) is not ModelBackend:
        return None
    with reading_session_user(PendingSessionUser(http, user_id)) as pending, contextlib.suppress(Http404):
        view.resolve_access(http, **url_kwargs)
    if pending.user is None:  # the view read its access another way: Django reads the user
        return None
    user = pending.user or None
    if user is not None and not backend.user_can_authenticate(user):
        user = None
    if user is not None:
        session_hash = http.session.get(HASH_SESSION_KEY)
        session_auth_hash = user.get_session_auth_hash()
        if not (session_hash and constant_time_compare(session_hash, session_auth_hash)):
            if session_hash and any(
                constant_time_compare(session_hash, fallback) for fallback in user.get_session_auth_fallback_hash()
            ):
                http.session.cycle_key()
                http.session[HASH_SESSION_KEY] = session_auth_hash
            else:
                http.session.flush()
                user = None
    if user is None:
        return AnonymousUser()
    http._pmo_session_access = pending.results  # type: ignore[attr-defined]
    return user


def lockout_username(username: str) -> str:
    """The account a sign-in attempt aims at, as authentication resolves it.

    The login form normalises the username to NFKC before authenticating (a full-width or
    mathematical-bold ``viewer`` signs in as ``viewer``), so the count must be kept under the same form. It is
    also folded to lower case: a collation that matches without regard to case then cannot
    split one account's count, and a case-sensitive one only shares a count between names
    that differ in case.
    """
    return User.normalize_username(username.strip()).lower()


def _lockout_keys(username: str, ip_address: str | None) -> list[str]:
    account = lockout_username(username)
    keys = [f"pmo:login-fail:user:{hashlib.sha256(account.encode()).hexdigest()}"]
    if ip_address:
        keys.append(f"pmo:login-fail:ip:{ip_address}")
    return keys


def login_is_locked(username: str, ip_address: str | None) -> bool:
    # An address gets more tries than one username: several people share an office NAT.
    limits = [settings.PMO_LOGIN_MAX_FAILURES, settings.PMO_LOGIN_MAX_FAILURES * 4]
    return any(
        (cache.get(key) or 0) >= limit for key, limit in zip(_lockout_keys(username, ip_address), limits, strict=False)
    )


def login_failed(username: str, ip_address: str | None) -> None:
    for key in _lockout_keys(username, ip_address):
        if cache.add(key, 1, timeout=settings.PMO_LOGIN_LOCKOUT_SECONDS):
            continue
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=settings.PMO_LOGIN_LOCKOUT_SECONDS)


def login_succeeded(username: str, ip_address: str | None) -> None:
    cache.delete(_lockout_keys(username, None)[0])


def token_from_request(request: Any) -> ApiToken | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiToken) else None
