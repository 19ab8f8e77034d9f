"""ReDoc as shipped fetches its footer logo from a CDN; serve the bundle pointing at our own."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import drf_spectacular_sidecar
from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

_CDN_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
_BUNDLE = Path(drf_spectacular_sidecar.__file__).parent / "static/drf_spectacular_sidecar/redoc/bundles"


@lru_cache(maxsize=1)
def _offline_bundle() -> bytes:
    return (_BUNDLE / "redoc.standalone.js").read_bytes().replace(_CDN_LOGO, static("pmo/img/favicon.svg").encode())


@require_GET
@cache_control(public=True, max_age=86400)
def redoc_bundle(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_offline_bundle(), content_type="application/javascript; charset=utf-8")
