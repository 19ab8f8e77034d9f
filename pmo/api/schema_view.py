"""The OpenAPI schema, generated in one language per request and cached per language and code state.

Generating it walks every view and serializer (seconds); the result only changes with the code
and its translations, so it is kept in the cache under the language, the format and a hash of
the application's sources and message catalogues: a deployment with other code gets other keys.
"""

from __future__ import annotations

import hashlib
import json
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

import drf_spectacular
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import translation
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

# Old states' entries are never read again; let them expire.
SCHEMA_CACHE_SECONDS = 7 * 24 * 3600
_generating = threading.Lock()


@lru_cache(maxsize=1)
def code_state() -> str:
    """A hash of the project's Python sources and compiled catalogues, and of the schema generator's version."""
    digest = hashlib.sha256(f"{drf_spectacular.__version__}:{settings.SPECTACULAR_SETTINGS['VERSION']}".encode())
    base = Path(settings.BASE_DIR).resolve()
    roots = sorted({Path(config.path).resolve() for config in apps.get_app_configs()} | {base / "pmo"})
    for root in roots:
        if base not in root.parents and root != base:
            continue  # Django's and third-party apps change with the installed versions above.
        for path in sorted([*root.rglob("*.py"), *root.rglob("*.mo")]):
            digest.update(str(path.relative_to(base)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def schema_cache_key(language: str, schema_format: str = "data") -> str:
    """The generated schema (``data``) or its rendering in one format, in one language."""
    return f"openapi:{code_state()}:{language}:{schema_format}"


def schema_language(request: Request) -> str:
    """``?lang=`` when it names a language the application speaks, else the request's language."""
    languages = dict(settings.LANGUAGES)
    asked = request.query_params.get("lang", "")
    if asked in languages:
        return asked
    active = translation.get_language() or settings.LANGUAGE_CODE
    return active if active in languages else settings.LANGUAGE_CODE


class SchemaView(SpectacularAPIView):
    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        language = schema_language(request)
        renderer = request.accepted_renderer
        key = schema_cache_key(language, renderer.format)
        rendered = cache.get(key)
        if rendered is None:
            with translation.override(language):
                response = Response(self._schema(request, language))
                response.accepted_renderer = renderer
                response.accepted_media_type = request.accepted_media_type
                response.renderer_context = self.get_renderer_context()  # type: ignore[attr-defined]
                response.render()
            rendered = (response.content, response["Content-Type"])
            cache.set(key, rendered, SCHEMA_CACHE_SECONDS)
        content, content_type = rendered
        answer = HttpResponse(content, content_type=content_type)
        version = self.api_version or request.version or self._get_version_parameter(request)
        answer["Content-Disposition"] = f'inline; filename="{self._get_filename(request, version)}"'
        answer["Content-Language"] = language
        return answer

    def _schema(self, request: Request, language: str) -> dict[str, Any]:
        """The schema in ``language`` (active), its lazy translations made plain text so that it can be cached."""
        key = schema_cache_key(language)
        schema: dict[str, Any] | None = cache.get(key)
        if schema is not None:
            return schema
        # One generation at a time in a process: requests arriving meanwhile read its result, and
        # drf-spectacular's first loading of its extensions is not safe across threads.
        with _generating:
            schema = cache.get(key)
            if schema is None:
                version = self.api_version or request.version or self._get_version_parameter(request)
                generator = self.generator_class(urlconf=self.urlconf, api_version=version, patterns=self.patterns)
                generated = generator.get_schema(request=request, public=self.serve_public)
                schema = json.loads(JSONRenderer().render(generated))
                cache.set(key, schema, SCHEMA_CACHE_SECONDS)
        return schema
