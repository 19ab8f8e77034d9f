"""API tokens sent as ``Authorization: Bearer <token>`` and the failed-login lockout."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from pmo import sql
from pmo.middleware import activate_user_language
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
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


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
