"""The PDF core (``pmo.pdf``): the fetcher serves the app's own files only, and the page furniture."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from django.template import engines
from django.utils import translation

from pmo.models import Organization
from pmo.pdf import ORIGIN, PdfResources, ResourceRefused, attachment_src, css_string, page_style, render_pdf
from tests.factories import AttachmentFactory
from tests.pdf_support import pdf_text

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/logo.png",
        "https://example.com/static/pmo/css/pdf.css",
        "file:///etc/passwd",
        "data:image/png;base64,iVBORw0KGgo=",
        f"{ORIGIN}/static/../pmo/settings/base.py",
        f"{ORIGIN}/static/pmo/css/not-there.css",
        f"{ORIGIN}/media/anything",
        f"{ORIGIN}/static/pmo/css/pdf.css?x=1",
        "ftp://example.com/file",
    ],
)
def test_the_fetcher_refuses_anything_but_the_apps_own_files(url: str) -> None:
    with pytest.raises(ResourceRefused):
        PdfResources().resolve(url)


def test_the_fetcher_serves_a_static_file_with_its_type() -> None:
    data, media_type = PdfResources().resolve(f"{ORIGIN}/static/pmo/css/pdf.css")
    assert b"@page" in data
    assert media_type == "text/css"


def test_the_fetcher_serves_only_the_attachments_the_report_was_given(organization: Organization) -> None:
    given = AttachmentFactory(organization=organization)
    other = AttachmentFactory(organization=organization)
    not_an_image = AttachmentFactory(organization=organization, media_type="application/pdf", name="a.pdf")
    resources = PdfResources(attachments={given.pk: given, not_an_image.pk: not_an_image})
    data, media_type = resources.resolve(attachment_src(given))
    assert data.startswith(b"\xff\xd8\xff")
    assert media_type == "image/jpeg"
    for refused in (other, not_an_image):
        with pytest.raises(ResourceRefused):
            resources.resolve(attachment_src(refused))


def test_a_report_naming_outside_urls_makes_no_request_and_still_renders(
    organization: Organization, monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Any
) -> None:
    asked: list[str] = []
    original = PdfResources.resolve

    def spy(self: PdfResources, url: str) -> tuple[bytes, str]:
        asked.append(url)
        return original(self, url)

    def no_network(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a report opened a connection")

    monkeypatch.setattr(PdfResources, "resolve", spy)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    template = tmp_path / "outside.html"
    template.write_text(
        '{% extends "pdf/base.html" %}{% block content %}<p>Body text</p>'
        '<img src="http://example.com/tracker.png"><img src="file:///etc/hostname">'
        '<link rel="stylesheet" href="https://example.com/x.css">{% endblock %}'
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], str(tmp_path)]}]
    engines._engines = {}  # type: ignore[attr-defined]
    try:
        content = render_pdf("outside.html", {}, organization=organization, title="Outside")
    finally:
        engines._engines = {}  # type: ignore[attr-defined]
    assert "Body text" in pdf_text(content)
    assert "http://example.com/tracker.png" in asked
    assert "file:///etc/hostname" in asked


def test_every_page_names_the_organisation_the_report_and_its_page_of_pages(organization: Organization) -> None:
    organization.name = 'Acme "Build" <Co>'
    with translation.override("en"):
        text = pdf_text(render_pdf("pdf/base.html", {}, organization=organization, title="Weekly report"))
    assert 'Acme "Build" <Co>' in text
    assert "Weekly report" in text
    assert "Page 1 of 1" in text
    assert "Generated " in text
    with translation.override("zh-hans"):
        text = pdf_text(render_pdf("pdf/base.html", {}, organization=organization, title="周报"))
    assert "第 1 页，共 1 页" in text
    assert "生成于 " in text


def test_text_in_a_page_margin_cannot_leave_its_css_string() -> None:
    assert css_string('a"b\\c</style>\n') == '"a\\22 b\\5c c\\3c /style\\3e \\a "'
    style = page_style(organization_name="</style><script>", title="t", generated="g")
    assert "</style>" not in style
    assert "<script>" not in style
