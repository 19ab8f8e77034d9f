"""What an upload is: sniffed from its content, never from its name; names cleaned; thumbnails safe."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from pmo.attachments.files import clean_name, prepare
from pmo.errors import ApplicationError
from tests.pmo.attachments.samples import EXE, PDF, image_bytes, office_bytes, upload, zip_bytes

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


@pytest.mark.parametrize(
    ("name", "content", "media_type"),
    [
        ("photo.png", image_bytes(fmt="PNG"), "image/png"),
        ("photo.jpg", image_bytes(fmt="JPEG"), "image/jpeg"),
        ("photo.webp", image_bytes(fmt="WEBP"), "image/webp"),
        ("photo.gif", image_bytes(fmt="GIF"), "image/gif"),
        ("signed.pdf", PDF, "application/pdf"),
        ("minutes.docx", office_bytes("word/document.xml"), DOCX),
        ("costs.xlsx", office_bytes("xl/workbook.xml"), XLSX),
        ("deck.pptx", office_bytes("ppt/presentation.xml"), PPTX),
        ("costs.csv", b"date,amount\n2026-03-31,12.50\n", "text/csv"),
        ("清单.csv", "名称,金额\n石材,100\n".encode("gb18030"), "text/csv"),
        ("notes.txt", b"Site visit: all fine.\n", "text/plain"),
    ],
)
def test_allowed_files_are_recognised_by_their_content(name: str, content: bytes, media_type: str) -> None:
    prepared = prepare(upload(name, content, "application/octet-stream"))
    assert prepared.kind.media_type == media_type
    assert prepared.name == name
    assert len(prepared.sha256) == 64


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("invoice.pdf", EXE, "attachment_type_not_allowed"),
        ("archive.zip", zip_bytes(), "attachment_type_not_allowed"),
        ("report.docx", zip_bytes(), "attachment_type_not_allowed"),
        ("binary.txt", b"\x00\x01\x02\x03 not text", "attachment_type_not_allowed"),
        ("photo.pdf", image_bytes(), "attachment_type_mismatch"),
        ("scan.xlsx", PDF, "attachment_type_mismatch"),
        ("empty.pdf", b"", "attachment_empty"),
    ],
)
def test_disguised_and_unknown_files_are_refused(name: str, content: bytes, code: str) -> None:
    with pytest.raises(ApplicationError) as refused:
        prepare(upload(name, content, "application/pdf"))
    assert refused.value.code == code
    assert refused.value.fields["files"][0].startswith(f"{name}: ")


def test_a_file_over_the_size_limit_is_refused(settings: Any) -> None:
    settings.PMO_ATTACHMENT_MAX_BYTES = 100
    with pytest.raises(ApplicationError) as refused:
        prepare(upload("big.txt", b"x" * 101))
    assert refused.value.code == "attachment_too_large"


def test_an_image_with_too_many_pixels_is_refused_before_it_is_decoded(settings: Any) -> None:
    settings.PMO_ATTACHMENT_MAX_PIXELS = 10_000
    with pytest.raises(ApplicationError) as refused:
        prepare(upload("bomb.png", image_bytes(size=(200, 200))))
    assert refused.value.code == "attachment_image_too_large"


def test_a_damaged_image_is_refused() -> None:
    with pytest.raises(ApplicationError) as refused:
        prepare(upload("broken.png", image_bytes(fmt="PNG")[:120]))
    assert refused.value.code == "attachment_damaged"


def test_the_thumbnail_is_upright_small_and_carries_no_metadata() -> None:
    # A landscape JPEG whose EXIF says "rotate 90°": the phone was held upright.
    prepared = prepare(upload("upright.jpg", image_bytes(size=(800, 400), fmt="JPEG", orientation=6)))
    assert prepared.thumbnail is not None
    with Image.open(io.BytesIO(prepared.thumbnail)) as thumbnail:
        assert thumbnail.format == "JPEG"
        assert thumbnail.size == (160, 320)
        assert not thumbnail.getexif()


def test_files_other_than_images_get_no_thumbnail() -> None:
    assert prepare(upload("signed.pdf", PDF)).thumbnail is None


def test_a_name_without_extension_gets_the_one_of_its_content() -> None:
    assert prepare(upload("IMG_0042", image_bytes(fmt="JPEG"))).name == "IMG_0042.jpg"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\li\\发票 三月.PDF", "发票 三月.pdf"),
        ("a\x00b\nc.txt", "a b c.txt"),
        ('re<port>:"x"?.pdf', "re_port___x__.pdf"),
        ("...", "file"),
        ("x" * 300 + ".pdf", "x" * 146 + ".pdf"),
    ],
)
def test_names_are_sanitised(raw: str, clean: str) -> None:
    assert clean_name(raw) == clean


def test_a_damaged_image_is_refused_after_a_pdf_report_imported_weasyprint() -> None:
    import weasyprint  # noqa: F401  (its import turns Pillow's LOAD_TRUNCATED_IMAGES on)

    with pytest.raises(ApplicationError) as refused:
        prepare(upload("broken.png", image_bytes(fmt="PNG")[:120]))
    assert refused.value.code == "attachment_damaged"
