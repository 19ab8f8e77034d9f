"""Request bodies the API reads: bounded in size and depth, and free of NUL characters.

PostgreSQL refuses NUL in text, and a body nested thousands deep or tens of megabytes long
costs the server more than any real request needs. The parsers refuse such bodies when the
view first reads its input, before it calls a service (and so before any lock), with the one
JSON error body: 413 for size, 400 for the rest. A JSON body is bounded by Django's
``DATA_UPLOAD_MAX_MEMORY_SIZE`` (``pmo.errors`` answers its ``RequestDataTooBig`` with 413),
a file sent as the body by ``MAX_FILE_BYTES``, as a file uploaded in a form is.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers, status

#: Levels of objects and arrays a JSON body may nest; the deepest real input nests three.
MAX_JSON_DEPTH = 32


class BodyTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


#: The largest file an import accepts, uploaded in a form or sent as the request body.
MAX_FILE_BYTES = 5 * 1024 * 1024


def too_large(limit: int) -> BodyTooLarge:
    megabytes = f"{limit / (1024 * 1024):.1f}".removesuffix(".0")
    return BodyTooLarge(_("The request body is too large; send at most %(size)s MB.") % {"size": megabytes})


def read_body(stream: Any, parser_context: dict[str, Any] | None, limit: int) -> bytes:
    """The whole body, refused as soon as its announced or actual length passes ``limit`` bytes."""
    request = (parser_context or {}).get("request")
    meta = getattr(request, "META", {})
    try:
        announced = int(meta.get("CONTENT_LENGTH") or 0)
    except ValueError:
        announced = 0
    if announced > limit:
        raise too_large(limit)
    if stream is None:
        return b""
    content: bytes = stream.read(limit + 1)
    if len(content) > limit:
        raise too_large(limit)
    return content


def _nul_error() -> exceptions.ParseError:
    return exceptions.ParseError(_("Text may not contain the NUL character (\\u0000)."))


def check_json_value(value: Any) -> None:
    """Refuse NUL characters in any string or key and nesting deeper than ``MAX_JSON_DEPTH``."""
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                raise _nul_error()
        elif isinstance(item, (dict, list)):
            if depth >= MAX_JSON_DEPTH:
                raise exceptions.ParseError(
                    _("The JSON body nests more than %(depth)d levels deep.") % {"depth": MAX_JSON_DEPTH}
                )
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with a size limit, a nesting limit and no NUL characters."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        encoding = parsers.get_encoding(parser_context or {})  # type: ignore[attr-defined]  # newer than the stubs
        raw = read_body(stream, parser_context, settings.DATA_UPLOAD_MAX_MEMORY_SIZE or MAX_FILE_BYTES)
        try:
            data = json.loads(raw.decode(encoding), parse_constant=_refuse_constant)
        except RecursionError:
            raise exceptions.ParseError(
                _("The JSON body nests more than %(depth)d levels deep.") % {"depth": MAX_JSON_DEPTH}
            ) from None
        except ValueError as error:
            raise exceptions.ParseError(_("JSON parse error - %s") % error) from None
        check_json_value(data)
        return data


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


class RawBodyParser(parsers.BaseParser):
    """A file sent as the request body, kept as bytes (within the size limit) for the import to decode."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> bytes:  # type: ignore[override]
        return read_body(stream, parser_context, MAX_FILE_BYTES)


class MultiPartParser(parsers.MultiPartParser):
    """A form upload, refused by its announced length before anything of it is read or stored."""

    #: Room for the form's other fields and the part headers around the file.
    FORM_OVERHEAD_BYTES = 64 * 1024

    def limit(self) -> int:
        """The most bytes of files one request may carry."""
        return MAX_FILE_BYTES

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        request = (parser_context or {}).get("request")
        try:
            announced = int(getattr(request, "META", {}).get("CONTENT_LENGTH") or 0)
        except ValueError:
            announced = 0
        limit = self.limit()
        if announced > limit + self.FORM_OVERHEAD_BYTES:
            raise too_large(limit)
        return super().parse(stream, media_type, parser_context)
