"""What the API's workbook (.xlsx) endpoints share: the upload, the download, and their schema.

An import endpoint takes the workbook as the multipart field ``file`` (``WorkbookMultiPartParser``,
at most ``PMO_EXCHANGE_MAX_BYTES``: 413 beyond) and reads it with ``uploaded_workbook``; an export
or template endpoint answers ``xlsx_response`` and declares ``XLSX_RESPONSE``. A client may ask for
the workbook's media type (``XlsxRenderer``); refusals stay JSON.
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
from pmo.api.parsers import MultiPartParser
from pmo.errors import ApplicationError
from pmo.xlsx import XLSX_CONTENT_TYPE, check_upload_size, file_stem, xlsx_response

#: An export's or template's 200 in the schema.
XLSX_RESPONSE = {
    (200, XLSX_CONTENT_TYPE): OpenApiResponse(
        response=OpenApiTypes.BINARY, description=gettext_lazy("The workbook (.xlsx).")
    )
}


class WorkbookMultiPartParser(MultiPartParser):
    """A form upload of a workbook: larger than a CSV file may be."""

    def limit(self) -> int:
        limit: int = settings.PMO_EXCHANGE_MAX_BYTES
        return limit


class XlsxRenderer(renderers.BaseRenderer):
    """Lets a client ask for the workbook's media type; the view writes the workbook, errors stay JSON text."""

    media_type = XLSX_CONTENT_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        return b"" if data is None else json.dumps(data).encode()


__all__ = ["XLSX_RENDERERS", "XLSX_RESPONSE", "file_stem", "uploaded_workbook", "xlsx_response"]

#: The renderers of an export or template action.
XLSX_RENDERERS = [renderers.JSONRenderer, XlsxRenderer]


class WorkbookUploadSerializer(inputs.Serializer):
    file = serializers.FileField(help_text=gettext_lazy("The Excel workbook (.xlsx)."))


def uploaded_workbook(request: Request) -> bytes:
    """The workbook sent as the multipart field ``file``: 413 beyond the limit, ``invalid_file`` without one."""
    upload = request.FILES.get("file") if request.content_type.startswith("multipart/") else None
    if upload is None:
        raise ApplicationError(
            _("Send the workbook as the multipart field “file”."),
            code="invalid_file",
            fields={"file": [_("This field is required.")]},
        )
    data = bytes(upload.read())
    check_upload_size(data)
    return data
