"""Reading the PDFs the reports produce (no tests here): text with poppler's ``pdftotext``, images
with ``pdfimages`` (poppler-utils; ``.ci/run`` installs it)."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from tests.conftest import require_service


def _poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        require_service(tool, "poppler-utils is not installed (apt-get install poppler-utils)")
    assert path is not None
    return path


def pdf_text(content: bytes) -> str:
    """The text of a PDF, its layout kept (one line of the page per line)."""
    assert content.startswith(b"%PDF-")
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "report.pdf"
        source.write_bytes(content)
        result = subprocess.run(  # noqa: S603 - a fixed tool on a file of ours
            [_poppler("pdftotext"), "-layout", str(source), "-"], capture_output=True, check=True
        )
    return result.stdout.decode("utf-8")


def pdf_image_count(content: bytes) -> int:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "report.pdf"
        source.write_bytes(content)
        result = subprocess.run(  # noqa: S603 - a fixed tool on a file of ours
            [_poppler("pdfimages"), "-list", str(source)], capture_output=True, check=True
        )
    # Two header lines, then one line per image.
    return len(result.stdout.decode().splitlines()) - 2


def pdf_fonts(content: bytes) -> str:
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "report.pdf"
        source.write_bytes(content)
        result = subprocess.run(  # noqa: S603 - a fixed tool on a file of ours
            [_poppler("pdffonts"), str(source)], capture_output=True, check=True
        )
    return result.stdout.decode()


def photo(parent: Any, name: str = "site-photo.png") -> Any:
    """An image attachment on ``parent`` whose stored bytes are a real PNG (a report embeds them)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import storages
    from PIL import Image

    from tests.factories import AttachmentFactory

    attachment = AttachmentFactory(parent=parent, organization=parent.organization, name=name, media_type="image/png")
    image = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 60)).save(image, format="PNG")
    storage = storages["attachments"]
    storage.delete(attachment.storage_key)
    storage.save(attachment.storage_key, ContentFile(image.getvalue()))
    return attachment
