"""The API documentation pages under the strict Content-Security-Policy.

ReDoc as shipped fetches its footer logo from a CDN; the bundle is served pointing at our own.
ReDoc draws with styled-components, which writes style elements: the page gives them a nonce.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Any

import drf_spectacular_sidecar
from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularRedocView
from rest_framework.request import Request
from rest_framework.response import Response

from pmo.middleware import add_csp_sources

# Style elements ReDoc (drf-spectacular-sidecar 2026.10.1) writes before its nonce option is
# read: perfect-scrollbar's style sheet, and the empty element styled-components then fills
# through the CSSOM. A new ReDoc bundle may need new hashes (the browser test names them).
_REDOC_STYLE_HASHES = (
    "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
)
_CDN_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
_BUNDLE = Path(drf_spectacular_sidecar.__file__).parent / "static/drf_spectacular_sidecar/redoc/bundles"


@lru_cache(maxsize=1)
def _offline_bundle() -> bytes:
    return (_BUNDLE / "redoc.standalone.js").read_bytes().replace(_CDN_LOGO, static("pmo/img/favicon.svg").encode())


@require_GET
@cache_control(public=True, max_age=86400)
def redoc_bundle(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_offline_bundle(), content_type="application/javascript; charset=utf-8")


class RedocView(SpectacularRedocView):
    """ReDoc started by a script file with a per-response nonce for the styles it writes."""

    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response: Response = super().get(request, *args, **kwargs)
        nonce = secrets.token_urlsafe(18)
        response.data["csp_nonce"] = nonce
        # The search index is built in a worker started from a blob: URL.
        add_csp_sources(
            response, style_src_elem=(f"'nonce-{nonce}'", *_REDOC_STYLE_HASHES), worker_src=("'self'", "blob:")
        )
        return response
