"""Workbooks (.xlsx) in the API: the upload an import endpoint reads, and the file an export answers.

An import takes the multipart field ``file`` or the request body sent with the XLSX content type,
both within ``PMO_EXCHANGE_MAX_BYTES`` (413 beyond); ``pmo.xlsx.read_workbook`` does the rest.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _
from rest_framework import renderers
from rest_framework.request import Request

from pmo.api.parsers import MultiPartParser, RawBodyParser, read_body
from pmo.errors import ApplicationError
from pmo.xlsx import XLSX_CONTENT_TYPE, check_upload_size, upload_too_large


class WorkbookParser(RawBodyParser):
    """A workbook sent as the request body, kept as bytes (at most ``PMO_EXCHANGE_MAX_BYTES``)."""

    media_type = XLSX_CONTENT_TYPE

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> bytes:  # type: ignore[override]
        return read_body(stream, parser_context, settings.PMO_EXCHANGE_MAX_BYTES)


class WorkbookMultiPartParser(MultiPartParser):
    """A form upload of a workbook: its limit is the exchange's, not the CSV imports'."""

    def limit(self) -> int:
        return int(settings.PMO_EXCHANGE_MAX_BYTES)


class WorkbookRenderer(renderers.BaseRenderer):
    """Lets a client ask for the XLSX type; the view answers the workbook itself, errors stay JSON text."""

    media_type = XLSX_CONTENT_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        return b"" if data is None else json.dumps(data).encode()


#: The parsers of a workbook import endpoint.
WORKBOOK_PARSERS = [WorkbookMultiPartParser, WorkbookParser]
#: The renderers of a workbook export endpoint (JSON for its errors).
WORKBOOK_RENDERERS = [renderers.JSONRenderer, WorkbookRenderer]


def uploaded_workbook(request: Request) -> bytes:
    """The workbook an import endpoint was sent: the multipart field ``file`` or the body (413 beyond the
    limit); refused with ``invalid_file`` when there is none."""
    upload = request.FILES.get("file") if request.content_type.startswith("multipart/") else None
    if upload is not None:
        if upload.size is not None and upload.size > settings.PMO_EXCHANGE_MAX_BYTES:
            raise upload_too_large()
        content = upload.read()
    else:
        content = request.data
    if not isinstance(content, bytes) or not content:
        raise ApplicationError(
            _("Send the workbook as the field “file” or as the request body."),
            code="invalid_file",
            fields={"file": [_("This field is required.")]},
        )
    check_upload_size(content)
    return content


def workbook_response(content: bytes, file_name: str) -> HttpResponse:
    """A workbook to save as ``file_name`` (``.xlsx`` is added)."""
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{file_name}.xlsx"'
    return response
