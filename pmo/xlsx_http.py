"""Workbooks over HTTP: the download of a workbook, for the pages and the API alike (the API's upload,
parser and renderer are in ``pmo.api.workbooks``; ``pmo.xlsx`` writes and reads the workbooks)."""

from __future__ import annotations

import re

from django.http import HttpResponse

from pmo.xlsx import XLSX_CONTENT_TYPE


def workbook_name(stem: str, suffix: str) -> str:
    """``<stem>-<suffix>.xlsx`` with only the characters every file system and header take."""
    clean = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-") or "export"
    return f"{clean}-{suffix}.xlsx"


def workbook_response(data: bytes, name: str) -> HttpResponse:
    """A workbook to save (the browser downloads it)."""
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
