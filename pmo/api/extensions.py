"""Teach drf-spectacular about the project's authentication."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular import authentication
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "pmo.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {"type": "http", "scheme": "bearer", "description": _("A personal API token: `Bearer pmo_…`.")}


class SessionScheme(authentication.SessionScheme):
    """The session's cookie, as for DRF's session authentication (``pmo.authentication.SessionAuthentication``)."""

    target_class = "pmo.authentication.SessionAuthentication"
