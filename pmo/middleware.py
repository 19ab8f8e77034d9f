from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control

from pmo.audit import RequestContext, request_context

if TYPE_CHECKING:
    from pmo.models import Organization

_REQUEST_ID_MAX = 64


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR is what gunicorn saw; behind a reverse proxy that is the proxy, so with
    # PMO_TRUST_X_FORWARDED_FOR set the first forwarded address counts instead.
    if settings.PMO_TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    """Give every request an id (kept from X-Request-ID when sane) for logs and the audit trail."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if incoming.isascii() and 0 < len(incoming) <= _REQUEST_ID_MAX else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        with request_context(RequestContext(request_id=request_id, ip_address=client_ip(request))):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


def activate_user_language(request: HttpRequest, user: Any) -> None:
    """Speak the language saved on the user's profile for the rest of the request.

    The user's choice comes first; ``LocaleMiddleware`` has already settled on the language
    cookie or ``Accept-Language`` for visitors who are not signed in.
    """
    language = getattr(user, "language", "")
    if language and translation.check_for_language(language):
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class UserLanguageMiddleware:
    """A signed-in user gets the language saved on their profile, whatever the browser says.

    This sees a session's user; a token's user is known only once DRF authenticates the request,
    and ``BearerTokenAuthentication`` calls ``activate_user_language`` then. Under an organisation's
    API URLs a session's user is left unread here too: ``pmo.authentication.SessionAuthentication``
    reads it with the membership and activates its language, and ``handler404`` does for a path
    no view answers.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(ORGANIZATION_API_PREFIX):
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                activate_user_language(request, user)
        return self.get_response(request)


def activate_user_time_zone(user: Any, organization: Organization | None = None) -> None:
    """Show times by the person's own time zone for the rest of the request, else by the organisation's.

    Outside an organisation's URLs a person without a time zone of their own reads the server's
    (``TIME_ZONE``); ``UserTimeZoneMiddleware`` returns to it at the end of every request.
    """
    own = getattr(user, "time_zone", "") if getattr(user, "is_authenticated", False) else ""
    name = own or (organization.time_zone if organization is not None else "")
    if name:
        timezone.activate(name)
    else:
        timezone.deactivate()


class UserTimeZoneMiddleware:
    """A signed-in user reads times in their own time zone; every request ends in the server's again.

    Like ``UserLanguageMiddleware`` it leaves API requests under an organisation to the API's
    authentication. The organisation's pages and API views activate the person's zone, else the
    organisation's, once they know the organisation (``activate_user_time_zone``); the zone stays
    active until the response is rendered, and is reset here so that the next request on the
    thread starts from the server's.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            if not request.path_info.startswith(ORGANIZATION_API_PREFIX):
                user = getattr(request, "user", None)
                if user is not None and user.is_authenticated:
                    activate_user_time_zone(user)
            return self.get_response(request)
        finally:
            timezone.deactivate()


#: Where a session's user is read by the API's authentication, with the membership (see above).
ORGANIZATION_API_PREFIX = "/api/v1/orgs/"


# The app's own files only. Style attributes stay allowed (server-drawn SVG charts and
# progress meters size and colour their parts with them; an attribute cannot add rules or
# selectors), while style elements must come from files. ``style-src`` is the fallback of
# browsers that know neither ``style-src-elem`` nor ``style-src-attr``.
CONTENT_SECURITY_POLICY: dict[str, tuple[str, ...]] = {
    "default-src": ("'self'",),
    "script-src": ("'self'",),
    "style-src": ("'self'", "'unsafe-inline'"),
    "style-src-elem": ("'self'",),
    "style-src-attr": ("'unsafe-inline'",),
    "img-src": ("'self'", "data:"),
    "font-src": ("'self'", "data:"),
    "connect-src": ("'self'",),
    "object-src": ("'none'",),
    "base-uri": ("'none'",),
    "frame-ancestors": ("'none'",),
    "form-action": ("'self'",),
}
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), payment=(), usb=()"
)


def content_security_policy(extra: dict[str, tuple[str, ...]] | None = None) -> str:
    policy = dict(CONTENT_SECURITY_POLICY)
    for directive, sources in (extra or {}).items():
        policy[directive] = (*policy.get(directive, ()), *sources)
    return "; ".join(f"{directive} {' '.join(sources)}" for directive, sources in policy.items())


def add_csp_sources(response: HttpResponse, **sources: tuple[str, ...]) -> HttpResponse:
    """Widen the policy of one response, e.g. ``style_src_elem=("'unsafe-inline'",)``."""
    extra: dict[str, tuple[str, ...]] = getattr(response, "csp_extra", {})
    for name, values in sources.items():
        extra[name.replace("_", "-")] = (*extra.get(name.replace("_", "-"), ()), *values)
    response.csp_extra = extra  # type: ignore[attr-defined]
    return response


class SecurityHeadersMiddleware:
    """Content-Security-Policy and Permissions-Policy on every answer; signed-in answers are not stored."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = content_security_policy(getattr(response, "csp_extra", None))
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        signed_in = (user is not None and user.is_authenticated) or "HTTP_AUTHORIZATION" in request.META
        if signed_in and "public" not in response.get("Cache-Control", ""):
            # Another person's browser or a shared proxy must not keep a signed-in page. A view
            # that declared its answer public (the ReDoc bundle) serves the same bytes to all.
            patch_cache_control(response, private=True, no_store=True)
        return response
