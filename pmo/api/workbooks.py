"""What the API's workbook (.xlsx) endpoints share: the upload, the download, and their schema.

An import endpoint takes the workbook as the multipart field ``file`` (``WorkbookMultiPartParser``)
or as the request body sent with the XLSX content type (``WorkbookParser``), both within
``PMO_EXCHANGE_MAX_BYTES`` (413 beyond), and reads it with ``uploaded_workbook``;
``pmo.xlsx.read_workbook`` does the rest. An export or template endpoint answers
``pmo.xlsx.xlsx_response`` and declares ``XLSX_RESPONSE``; a client may ask for the workbook's
media type (``XlsxRenderer``), and refusals stay JSON.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import renderers, serializers
from rest_framework.request import Request

from pmo.api import inputs
from pmo.api.parsers import MultiPartParser, RawBodyParser, read_body
from pmo.errors import ApplicationError
from pmo.xlsx import XLSX_CONTENT_TYPE, check_upload_size, file_stem, upload_too_large, xlsx_response

__all__ = [
    "WORKBOOK_PARSERS",
    "XLSX_RENDERERS",
    "XLSX_RESPONSE",
    "file_stem",
    "uploaded_workbook",
    "xlsx_response",
]

#: An export's or template's 200 in the schema.
XLSX_RESPONSE = {
    (200, XLSX_CONTENT_TYPE): OpenApiResponse(
        response=OpenApiTypes.BINARY, description=gettext_lazy("The workbook (.xlsx).")
    )
}


class WorkbookParser(RawBodyParser):
    """A workbook sent as the request body, kept as bytes (at most ``PMO_EXCHANGE_MAX_BYTES``)."""

    media_type = XLSX_CONTENT_TYPE

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> bytes:  # type: ignore[override]
        return read_body(stream, parser_context, settings.PMO_EXCHANGE_MAX_BYTES)


class WorkbookMultiPartParser(MultiPartParser):
    """A form upload of a workbook: its limit is the exchange's, not the CSV imports'."""

    def limit(self) -> int:
        return int(settings.PMO_EXCHANGE_MAX_BYTES)


class XlsxRenderer(renderers.BaseRenderer):
    """Lets a client ask for the workbook's media type; the view writes the workbook, errors stay JSON text."""

    media_type = XLSX_CONTENT_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        return b"" if data is None else json.dumps(data).encode()


#: The parsers of a workbook import endpoint.
WORKBOOK_PARSERS = [WorkbookMultiPartParser, WorkbookParser]
#: The renderers of an export or template action (JSON for its errors).
XLSX_RENDERERS = [renderers.JSONRenderer, XlsxRenderer]


class WorkbookUploadSerializer(inputs.Serializer):
    file = serializers.FileField(help_text=gettext_lazy("The Excel workbook (.xlsx)."))


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
