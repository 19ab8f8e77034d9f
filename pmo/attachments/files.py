"""What an uploaded file really is, under which name it is kept, and its thumbnail.

The type comes from the content (``filetype`` reads the signature; Office documents are zip
archives whose parts are listed; text must decode and hold no control characters), never from
the name or the browser's word. A name whose extension claims another type is refused: a
``.pdf`` that is really a program, or a photo renamed ``.xlsx``.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

import filetype
from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from pmo.errors import ApplicationError

CHUNK = 64 * 1024
THUMBNAIL_SIZE = (320, 320)


@dataclass(frozen=True)
class FileKind:
    media_type: str
    extensions: tuple[str, ...]
    label: Any
    thumbnail: bool = False


_KINDS = (
    FileKind("image/jpeg", (".jpg", ".jpeg"), gettext_lazy("JPEG image"), thumbnail=True),
    FileKind("image/png", (".png",), gettext_lazy("PNG image"), thumbnail=True),
    FileKind("image/webp", (".webp",), gettext_lazy("WebP image"), thumbnail=True),
    FileKind("image/gif", (".gif",), gettext_lazy("GIF image"), thumbnail=True),
    FileKind("image/heic", (".heic", ".heif"), gettext_lazy("HEIC photo")),
    FileKind("application/pdf", (".pdf",), gettext_lazy("PDF document")),
    FileKind(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (".docx",),
        gettext_lazy("Word document"),
    ),
    FileKind(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",), gettext_lazy("Excel workbook")
    ),
    FileKind(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        (".pptx",),
        gettext_lazy("PowerPoint presentation"),
    ),
    FileKind("image/vnd.dwg", (".dwg",), gettext_lazy("AutoCAD drawing")),
    FileKind("text/csv", (".csv",), gettext_lazy("CSV file")),
    FileKind("text/plain", (".txt",), gettext_lazy("text file")),
)
KINDS = {kind.media_type: kind for kind in _KINDS}
#: For the file picker's ``accept``: a hint to the browser only; the server sniffs.
ACCEPT = ",".join(["image/*", "application/pdf", *(ext for kind in _KINDS for ext in kind.extensions)])

# The main part that tells an Office Open XML package's kind.
_OOXML_PARTS = {
    "word/document.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/workbook.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/presentation.xml": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
_ZIP_TYPES = {"application/zip", *_OOXML_PARTS.values()}
# Control characters other than tab, line feed, form feed and carriage return: a binary file.
_BINARY = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")


@dataclass
class PreparedFile:
    """An upload that passed every check, ready to be stored."""

    upload: Any
    name: str
    kind: FileKind
    size: int
    sha256: str
    thumbnail: bytes | None


def refuse(name: str, message: str, code: str) -> ApplicationError:
    return ApplicationError(f"{name}: {message}", code=code, fields={"files": [f"{name}: {message}"]})


def clean_name(raw: str) -> str:
    """The file's own name without any path, control or separator characters, at most 150 characters."""
    name = unicodedata.normalize("NFC", str(raw or "")).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(" " if unicodedata.category(char)[0] in "CZ" and char != " " else char for char in name)
    name = re.sub(r"[<>:\"|?*;]", "_", name)
    name = re.sub(r"\s+", " ", name).strip(" .")
    if not name:
        return "file"
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem:
        return name[:150]
    return f"{stem[: 150 - len(extension) - 1]}.{extension.lower()}"


def _head(upload: IO[bytes]) -> bytes:
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    return head


def _ooxml_type(upload: IO[bytes]) -> str | None:
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    return next((media_type for part, media_type in _OOXML_PARTS.items() if part in names), None)


def _is_text(upload: IO[bytes]) -> bool:
    """UTF-8 (with or without a byte-order mark) or GB18030, and no control characters."""
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        upload.seek(0)
        try:
            while chunk := upload.read(CHUNK):
                if _BINARY.search(chunk):
                    return False
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        finally:
            upload.seek(0)
        return True
    return False


def sniff(upload: IO[bytes], name: str) -> FileKind | None:
    """The allowed kind the content is, or None."""
    head = _head(upload)
    if not head:
        return None
    guessed = filetype.guess_mime(head)
    if guessed in _ZIP_TYPES:
        media_type = _ooxml_type(upload)
        return KINDS.get(media_type) if media_type else None
    if guessed is not None:
        return KINDS.get(guessed)
    if _is_text(upload):
        return KINDS["text/csv"] if name.lower().endswith(".csv") else KINDS["text/plain"]
    return None


def _thumbnail(upload: IO[bytes], name: str) -> bytes:
    """A JPEG of at most ``THUMBNAIL_SIZE``, turned upright, with no metadata (EXIF, GPS) kept."""
    limit = settings.PMO_ATTACHMENT_MAX_PIXELS
    upload.seek(0)
    # WeasyPrint turns Pillow's LOAD_TRUNCATED_IMAGES on for the whole process when it is imported (the
    # PDF reports); an upload must still be read whole, or a damaged image would be accepted.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                width, height = image.size
                if width * height > limit:
                    raise refuse(
                        name,
                        _("the image has %(pixels)s million pixels; at most %(limit)s million are accepted.")
                        % {"pixels": round(width * height / 1e6), "limit": round(limit / 1e6)},
                        "attachment_image_too_large",
                    )
                image.draft("RGB", (THUMBNAIL_SIZE[0] * 2, THUMBNAIL_SIZE[1] * 2))
                upright = ImageOps.exif_transpose(image)
                upright.thumbnail(THUMBNAIL_SIZE)
                if upright.mode in ("RGBA", "LA", "P"):
                    rgba = upright.convert("RGBA")
                    flat = Image.new("RGB", rgba.size, (255, 255, 255))
                    flat.paste(rgba, mask=rgba.getchannel("A"))
                    upright = flat
                elif upright.mode != "RGB":
                    upright = upright.convert("RGB")
                output = io.BytesIO()
                upright.save(output, format="JPEG", quality=80, optimize=True)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise refuse(
            name, _("the image is too large in pixels to be opened safely."), "attachment_image_too_large"
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise refuse(name, _("the image is damaged and cannot be read."), "attachment_damaged") from None
    finally:
        upload.seek(0)
    return output.getvalue()


def _sha256(upload: IO[bytes]) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    while chunk := upload.read(CHUNK):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def size_text(size: int) -> dict[str, str]:
    """A size in megabytes to one decimal and in bytes, so that a file just over a limit reads as over it."""
    return {"megabytes": number_format(size / (1024 * 1024), 1), "bytes": number_format(size, force_grouping=True)}


#: Above this many bytes, a request that brought no file did send one the parser could not read.
UNREADABLE_PART_BYTES = 16 * 1024


def check_unreadable_parts(sent: Sequence[Any], received: int, content_length: Any) -> None:
    """Refuse file parts the multipart parser turned into text or dropped, rather than "choose a file".

    A part without a file name arrives as a text field; a part whose header is not UTF-8 (a name
    in another encoding) is dropped, which a request of some size that brought no file betrays.
    """
    if any(isinstance(value, str) and value for value in sent):
        message = _("A file was sent without a file name; give it a name and send it again.")
        raise ApplicationError(message, code="attachment_name_missing", fields={"files": [message]})
    try:
        length = int(content_length or 0)
    except (TypeError, ValueError):
        length = 0
    if received == 0 and length > UNREADABLE_PART_BYTES:
        message = _(
            "A file's name could not be read (it is not valid UTF-8), so the file was not received; rename it and "
            "send it again."
        )
        raise ApplicationError(message, code="attachment_name_unreadable", fields={"files": [message]})


def size_limits(size: int, limit: int) -> dict[str, str]:
    sent, most = size_text(size), size_text(limit)
    return {
        "size": sent["megabytes"],
        "bytes": sent["bytes"],
        "limit": most["megabytes"].removesuffix(".0"),
        "limit_bytes": most["bytes"],
    }


def prepare(upload: Any) -> PreparedFile:
    """Check one upload (size, type, name, image) or raise ``ApplicationError`` naming the file."""
    name = clean_name(getattr(upload, "name", ""))
    size = int(upload.size or 0)
    limit = settings.PMO_ATTACHMENT_MAX_BYTES
    if size == 0:
        raise refuse(name, _("the file is empty."), "attachment_empty")
    if size > limit:
        raise refuse(
            name,
            _("the file is %(size)s MB (%(bytes)s bytes); at most %(limit)s MB (%(limit_bytes)s bytes) are accepted.")
            % size_limits(size, limit),
            "attachment_too_large",
        )
    kind = sniff(upload, name)
    if kind is None:
        raise refuse(
            name,
            _(
                "this kind of file is not accepted. Attach photos, PDF, Word, Excel, PowerPoint, CSV, text or "
                "DWG files."
            ),
            "attachment_type_not_allowed",
        )
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem:
        name = f"{name}{kind.extensions[0]}"
    elif f".{extension}" not in kind.extensions:
        raise refuse(
            name,
            _("the content is a %(kind)s, not what the name's .%(extension)s says.")
            % {"kind": kind.label, "extension": extension},
            "attachment_type_mismatch",
        )
    thumbnail = _thumbnail(upload, name) if kind.thumbnail else None
    return PreparedFile(upload=upload, name=name, kind=kind, size=size, sha256=_sha256(upload), thumbnail=thumbnail)
