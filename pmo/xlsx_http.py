"""Workbooks over HTTP: the download of a workbook and the upload an import endpoint was sent.

Shared by the pages and the API of every app that exports or imports a register as .xlsx
(``pmo.xlsx`` writes and reads the workbooks themselves).
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _
from rest_framework import renderers

from pmo.api.parsers import MultiPartParser
from pmo.errors import ApplicationError
from pmo.xlsx import FILE, XLSX_CONTENT_TYPE, check_upload_size


def workbook_name(stem: str, suffix: str) -> str:
    """``<stem>-<suffix>.xlsx`` with only the characters every file system and header take."""
    clean = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-") or "export"
    return f"{clean}-{suffix}.xlsx"


def workbook_response(data: bytes, name: str) -> HttpResponse:
    """A workbook to save (the browser downloads it)."""
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def uploaded_workbook(files: Any) -> bytes:
    """The workbook sent as the multipart field ``file`` (refused above ``PMO_EXCHANGE_MAX_BYTES`` before it
    is read); ``invalid_file`` when there is none."""
    upload = files.get("file") if files is not None else None
    if upload is None:
        raise ApplicationError(
            _("Send the workbook as the field “file”."),
            code="invalid_file",
            fields={FILE: [_("This field is required.")]},
        )
    limit = settings.PMO_EXCHANGE_MAX_BYTES
    if upload.size is not None and upload.size > limit:
        check_upload_size(upload.read(limit + 1))  # refuses: more than the limit, read no further
    return bytes(upload.read())


class XlsxRenderer(renderers.BaseRenderer):
    """Lets a client ask for a workbook; the export answers its bytes itself, errors stay JSON text."""

    media_type = XLSX_CONTENT_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        return b"" if data is None else json.dumps(data).encode()


class WorkbookMultiPartParser(MultiPartParser):
    """A form upload of a workbook: refused by its announced length above ``PMO_EXCHANGE_MAX_BYTES``."""

    def limit(self) -> int:
        return int(settings.PMO_EXCHANGE_MAX_BYTES)
