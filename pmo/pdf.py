"""Printed reports: a Django template rendered to PDF bytes by WeasyPrint, without network access.

Every report extends ``templates/pdf/base.html`` (A4, the organisation, the report's title, the
generation time and "page X of Y" in the page margins, the CJK font stack of ``pdf.css``). WeasyPrint
asks ``PdfResources.fetch`` for every URL the document names: it serves the application's static
files and the attachments the report was given (which the view has already allowed the reader to
see), and refuses everything else (http(s) elsewhere, ``file:``, ``data:``), so a report never makes
a request and never reads a file it was not meant to.
"""

from __future__ import annotations

import datetime as dt
import functools
import mimetypes
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from rest_framework import renderers

from pmo.attachments import storage

if TYPE_CHECKING:
    from pmo.models import Attachment, Organization

#: The origin every relative URL of a report resolves against; nothing is ever fetched from it.
ORIGIN = "https://pdf.invalid"
ATTACHMENT_PATH = "/attachment/"
#: Image types a report embeds (what an upload may be and WeasyPrint draws).
EMBEDDED_IMAGES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
PDF = "application/pdf"


class ResourceRefused(Exception):
    """A report named a resource it may not have: WeasyPrint logs it and leaves it out."""


@dataclass
class PdfResources:
    """What one report may embed: the static files, and the attachments it lists (by id)."""

    attachments: dict[int, Attachment] = field(default_factory=dict)

    def resolve(self, url: str) -> tuple[bytes, str]:
        """The bytes and type of ``url``; ``ResourceRefused`` for anything but our own files."""
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != ORIGIN or parts.query:
            raise ResourceRefused(url)
        path = unquote(parts.path)
        static_url = urlsplit(settings.STATIC_URL).path
        if path.startswith(static_url):
            return self._static(path.removeprefix(static_url), url)
        if path.startswith(ATTACHMENT_PATH):
            return self._attachment(path.removeprefix(ATTACHMENT_PATH).strip("/"), url)
        raise ResourceRefused(url)

    def _static(self, name: str, url: str) -> tuple[bytes, str]:
        if not name or ".." in name.split("/") or name.startswith("/"):
            raise ResourceRefused(url)
        found = finders.find(name)
        if not found and settings.STATIC_ROOT:
            from django.contrib.staticfiles.storage import staticfiles_storage

            found = staticfiles_storage.path(name) if staticfiles_storage.exists(name) else None
        if not found or isinstance(found, list):
            raise ResourceRefused(url)
        with open(found, "rb") as handle:
            data = handle.read()
        return data, mimetypes.guess_type(name)[0] or "application/octet-stream"

    def _attachment(self, key: str, url: str) -> tuple[bytes, str]:
        attachment = self.attachments.get(int(key)) if key.isdigit() else None
        if attachment is None or attachment.media_type not in EMBEDDED_IMAGES:
            raise ResourceRefused(url)
        with storage.attachment_storage().open(attachment.storage_key, "rb") as handle:
            data = handle.read()
        return data, attachment.media_type


@functools.cache
def _fetcher_class() -> type:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class ApplicationFilesFetcher(URLFetcher):
        """WeasyPrint's fetcher that never opens a connection or a file: it asks ``PdfResources``."""

        def __init__(self, resources: PdfResources) -> None:
            super().__init__(allowed_protocols=("https",), allow_redirects=False)
            self.resources = resources

        def fetch(self, url: str, headers: Any = None) -> Any:
            data, media_type = self.resources.resolve(url)
            return URLFetcherResponse(url, data, {"Content-Type": media_type})

    return ApplicationFilesFetcher


def attachment_src(attachment: Attachment) -> str:
    """The address a report's ``<img>`` gives an attachment it was handed in ``attachments``."""
    return f"{ORIGIN}{ATTACHMENT_PATH}{attachment.pk}"


def embeddable(attachments: Iterable[Attachment]) -> list[Attachment]:
    return [attachment for attachment in attachments if attachment.media_type in EMBEDDED_IMAGES]


#: The charts' classes in print, put inside each embedded SVG (``styled_svg``).
CHART_STYLESHEET = "pmo/css/pdf-charts.css"


@functools.cache
def _chart_css() -> str:
    found = finders.find(CHART_STYLESHEET)
    assert isinstance(found, str), CHART_STYLESHEET
    with open(found, encoding="utf-8") as handle:
        return handle.read()


def styled_svg(markup: str) -> SafeString:
    """A server-drawn chart (safe markup, one or more ``<svg>`` elements) with the print styles of its
    classes inside each ``<svg>``: WeasyPrint does not apply the document's style sheets to inline SVG."""
    style = f"<style>{_chart_css()}</style>"
    styled = re.sub(r"(<svg\b[^>]*>)", lambda match: f"{match.group(1)}{style}", str(markup))
    return mark_safe(styled)  # noqa: S308  (the chart's markup is safe, the style sheet is ours)


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string that cannot end the string or the style element."""
    escaped = []
    for char in text:
        if char in '"\\' or ord(char) < 0x20 or char in "<>&":
            escaped.append(f"\\{ord(char):x} ")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'


def page_style(*, organization_name: str, title: str, generated: str) -> SafeString:
    """The margin boxes' words: the organisation and title at the top, generation time and "page X of Y"
    below (translated, the numbers from WeasyPrint's page counters)."""
    before, middle, after = _("Page %(page)s of %(pages)s").replace("%(pages)s", "%(page)s").split("%(page)s")
    footer = f"{css_string(before)} counter(page) {css_string(middle)} counter(pages) {css_string(after)}"
    css = (
        "@page {"
        f" @top-left {{ content: {css_string(organization_name)}; }}"
        f" @top-right {{ content: {css_string(title)}; }}"
        f" @bottom-left {{ content: {css_string(generated)}; }}"
        f" @bottom-right {{ content: {footer}; }}"
        " }"
    )
    return mark_safe(css)  # noqa: S308  (every piece of text is escaped by css_string)


def generated_at(now: dt.datetime | None = None) -> dt.datetime:
    """Now in the active time zone, the clock the report's reader works by.

    A request under an organisation activates the reader's own time zone, else the organisation's
    (``pmo.middleware.activate_user_time_zone``), and a job its requester's (``pmo.jobs.services``).
    """
    return timezone.localtime(now or timezone.now())


def render_pdf(
    template_name: str,
    context: Mapping[str, Any],
    *,
    organization: Organization,
    title: str,
    attachments: Iterable[Attachment] = (),
) -> bytes:
    """The report ``template_name`` (which extends ``pdf/base.html``) as PDF bytes, in the active language
    and time zone (the reader's, see ``generated_at``).

    ``attachments`` are the only attachments the document may embed (``attachment_src``); the caller
    has checked that the reader may see them.
    """
    from PIL import ImageFile
    from weasyprint import HTML

    # Importing WeasyPrint turned Pillow's LOAD_TRUNCATED_IMAGES on for the whole process; the
    # attachments' checks rely on Pillow's default (a damaged image is refused).
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    now = generated_at()
    generated = _("Generated %(when)s") % {"when": f"{now:%Y-%m-%d %H:%M} ({timezone.get_current_timezone_name()})"}
    html = render_to_string(
        template_name,
        {
            **context,
            "organization": organization,
            "report_title": title,
            "generated": generated,
            "language": get_language() or settings.LANGUAGE_CODE,
            "page_style": page_style(organization_name=organization.name, title=title, generated=generated),
        },
    )
    resources = PdfResources(attachments={attachment.pk: attachment for attachment in attachments})
    fetcher = _fetcher_class()(resources)
    return bytes(HTML(string=html, base_url=f"{ORIGIN}/", url_fetcher=fetcher).write_pdf())


def pdf_filename(*parts: str) -> str:
    """``PRJ-001-status-2026-03-06.pdf``: ASCII words of the parts, so that every browser keeps the name."""
    words = [slugify(part) for part in parts]
    return "-".join(word for word in words if word) + ".pdf"


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=PDF)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


class PdfRenderer(renderers.BaseRenderer):
    """Lets an API client ask for ``application/pdf``; the view answers the bytes itself, errors stay JSON."""

    media_type = PDF
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        import json

        return b"" if data is None else json.dumps(data).encode()
