"""What the outside trial found: records titled for people, sizes that explain a refusal, file parts
the parser could not read, and a thumbnail named after its file."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from pmo.attachments.downloads import thumbnail_name
from pmo.attachments.registry import attachable_for
from pmo.attachments.services import attachments_add
from pmo.models import Attachment, AuditEvent, OrgRole
from projects.models import Phase
from tests.conftest import api_client_for, page_client_for
from tests.factories import (
    ActualCostFactory,
    ChangeRequestFactory,
    StageGateFactory,
    StatusReportFactory,
    member,
)
from tests.pmo.attachments.conftest import stored_names
from tests.pmo.attachments.samples import PDF, pdf, png

pytestmark = pytest.mark.django_db

BOUNDARY = "----pmo-test-boundary"


def _files_page(record: Any) -> str:
    name = attachable_for(record).name  # type: ignore[union-attr]
    url = reverse("org-attachments", kwargs={"org_slug": record.organization.slug})
    return f"{url}?parent_type={name}&parent_id={record.pk}"


def _records(organization: Any) -> dict[str, Any]:
    gate = StageGateFactory(
        organization=organization,
        project__organization=organization,
        from_phase=Phase.PLANNING,
        to_phase=Phase.EXECUTION,
    )
    project = gate.project
    project.currency = "CNY"
    project.save(update_fields=["currency"])
    import datetime as dt

    return {
        "gate": gate,
        "cost": ActualCostFactory(
            organization=organization, project=project, date=dt.date(2026, 12, 6), amount=Decimal("593875.41")
        ),
        "report": StatusReportFactory(organization=organization, project=project, period_end=dt.date(2026, 11, 27)),
        "change": ChangeRequestFactory(organization=organization, project=project, title="Widen the footpath"),
    }


EXPECTED = {
    "en": {
        "gate": "Planning → Execution",
        "cost": "2026-12-06 · 593,875.41 CNY",
        "report": "Week ending 2026-11-27",
    },
    "zh-hans": {
        "gate": "规划 → 执行",
        "cost": "2026-12-06 · 593,875.41 CNY",
        "report": "周截止日 2026-11-27",
    },
}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_files_page_is_headed_with_the_records_own_title(organization: Any, language: str) -> None:
    records = _records(organization)
    client = page_client_for(member(organization, OrgRole.PMO, language=language).user)
    expected = {**EXPECTED[language], "change": f"CR-{records['change'].number} Widen the footpath"}
    for key, record in records.items():
        response = client.get(_files_page(record), HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        html = response.content.decode()
        assert f'<h1 class="attachments-title">{expected[key]}</h1>' in html, key
    assert "planning → execution" not in client.get(_files_page(records["gate"])).content.decode()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_audit_entry_names_the_record_by_its_title(local_storage: Any, organization: Any, language: str) -> None:
    records = _records(organization)
    actor = member(organization, OrgRole.PMO).user
    with translation.override(language):
        attachments_add(actor=actor, organization=organization, parent=records["gate"], uploads=[pdf()])
        attachments_add(actor=actor, organization=organization, parent=records["cost"], uploads=[pdf()])
    events = AuditEvent.objects.for_organization(organization).filter(action="attachment.add").order_by("pk")
    parents = [event.changes["parent"] for event in events]
    assert parents == [EXPECTED[language]["gate"], EXPECTED[language]["cost"]]


def test_a_file_just_over_the_limit_says_so_in_bytes(local_storage: Any, organization: Any, settings: Any) -> None:
    settings.PMO_ATTACHMENT_MAX_BYTES = 26_214_400
    change = ChangeRequestFactory(organization=organization, project__organization=organization)
    big = pdf("big.pdf")
    big.size = 26_214_409
    client = api_client_for(member(organization, OrgRole.PMO).user)
    url = reverse("api-attachment-list", kwargs={"org_slug": organization.slug})
    data = {"parent_type": "projects.changerequest", "parent_id": change.pk}
    with translation.override("en"):
        from pmo.attachments.files import prepare
        from pmo.errors import ApplicationError

        with pytest.raises(ApplicationError) as refused:
            prepare(big)
    assert refused.value.message == (
        "big.pdf: the file is 25.0 MB (26,214,409 bytes); at most 25 MB (26,214,400 bytes) are accepted."
    )
    with translation.override("zh-hans"), pytest.raises(ApplicationError) as refused:
        prepare(big)
    assert refused.value.message == (
        "big.pdf: 文件大小为 25.0 MB（26,214,409 字节）；最多接受 25 MB（26,214,400 字节）。"
    )
    # Over the API, the total of a request says the same.
    settings.PMO_ATTACHMENT_MAX_REQUEST_BYTES = len(PDF) + 1
    response = client.post(
        url, {**data, "files": [pdf("a.pdf"), pdf("b.pdf")]}, format="multipart", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert f"({len(PDF) * 2:,} bytes)" in response.json()["error"]["message"]
    assert f"({len(PDF) + 1:,} bytes) can be attached at once." in response.json()["error"]["message"]


def _multipart(parent: Any, filename: bytes, content: bytes, extra: dict[str, str] | None = None) -> bytes:
    parts = []
    fields = {"parent_type": "projects.changerequest", "parent_id": str(parent.pk), **(extra or {})}
    for name, value in fields.items():
        parts.append(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="'.encode()
        + filename
        + b'"\r\nContent-Type: application/pdf\r\n\r\n'
        + content
        + b"\r\n"
    )
    parts.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(parts)


BIG_PDF = PDF + b"%" + b"x" * 20_000 + b"\n"
CASES = [
    (
        b"\xff\xfe-report.pdf",
        "attachment_name_unreadable",
        "could not be read (it is not valid UTF-8)",
        "无法读取文件名",
    ),
    (b"", "attachment_name_missing", "was sent without a file name", "发送的文件没有文件名"),
]


@pytest.mark.parametrize(("filename", "code", "english", "chinese"), CASES)
def test_a_file_part_the_parser_could_not_read_is_named_as_the_problem_over_the_api(
    local_storage: Any, organization: Any, filename: bytes, code: str, english: str, chinese: str
) -> None:
    change = ChangeRequestFactory(organization=organization, project__organization=organization)
    client = api_client_for(member(organization, OrgRole.PMO).user)
    url = reverse("api-attachment-list", kwargs={"org_slug": organization.slug})
    for language, text in (("en", english), ("zh-hans", chinese)):
        response = client.generic(
            "POST",
            url,
            _multipart(change, filename, BIG_PDF),
            content_type=f"multipart/form-data; boundary={BOUNDARY}",
            HTTP_ACCEPT_LANGUAGE=language,
        )
        assert response.status_code == 400
        assert response.json()["error"]["code"] == code
        assert text in response.json()["error"]["message"]
    assert not Attachment.objects.for_organization(organization).exists()
    assert stored_names() == set()


@pytest.mark.parametrize(("filename", "code", "english", "chinese"), CASES)
def test_a_file_part_the_parser_could_not_read_is_named_as_the_problem_on_the_page(
    local_storage: Any, organization: Any, filename: bytes, code: str, english: str, chinese: str
) -> None:
    change = ChangeRequestFactory(organization=organization, project__organization=organization)
    for language, text in (("en", english), ("zh-hans", chinese)):
        client: Client = page_client_for(member(organization, OrgRole.PMO, language=language).user)
        url = reverse("org-attachments", kwargs={"org_slug": organization.slug})
        response = client.generic(
            "POST",
            url,
            _multipart(change, filename, BIG_PDF, {"next": "/"}),
            content_type=f"multipart/form-data; boundary={BOUNDARY}",
            HTTP_ACCEPT_LANGUAGE=language,
        )
        assert response.status_code == 302
        shown = [str(message) for message in response.wsgi_request._messages]  # type: ignore[attr-defined]
        assert any(text in message for message in shown), shown
        assert not any("Choose at least one file" in message or "请至少选择" in message for message in shown)
    assert not Attachment.objects.for_organization(organization).exists()


def test_an_empty_file_input_of_the_form_is_still_no_file_chosen(local_storage: Any, organization: Any) -> None:
    change = ChangeRequestFactory(organization=organization, project__organization=organization)
    client = page_client_for(member(organization, OrgRole.PMO, language="en").user)
    url = reverse("org-attachments", kwargs={"org_slug": organization.slug})
    response = client.generic(
        "POST",
        url,
        _multipart(change, b"", b"", {"next": "/"}),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )
    shown = [str(message) for message in response.wsgi_request._messages]  # type: ignore[attr-defined]
    assert shown == ["Choose at least one file to attach."]


@pytest.mark.parametrize("view", ["org-attachment-thumbnail", "api-attachment-thumbnail"])
def test_the_thumbnail_is_named_after_the_original_file(local_storage: Any, organization: Any, view: str) -> None:
    change = ChangeRequestFactory(organization=organization, project__organization=organization)
    user = member(organization, OrgRole.PMO).user
    (photo,) = attachments_add(actor=user, organization=organization, parent=change, uploads=[png("site plan.png")])
    client = page_client_for(user) if view.startswith("org-") else api_client_for(user)
    response = client.get(reverse(view, kwargs={"org_slug": organization.slug, "pk": photo.pk}))
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline;")
    assert "site plan-thumbnail.jpg" in disposition or "site%20plan-thumbnail.jpg" in disposition
    assert photo.storage_key.rsplit("/", 1)[-1] not in disposition


def test_a_thumbnail_name_keeps_the_stem_of_any_name() -> None:
    assert thumbnail_name("site.hoarding.JPG") == "site.hoarding-thumbnail.jpg"
    assert thumbnail_name("scan") == "scan-thumbnail.jpg"
    assert thumbnail_name(".png") == ".png-thumbnail.jpg"


def test_the_audit_log_shows_an_attachments_values_and_lets_long_names_wrap(
    local_storage: Any, organization: Any
) -> None:
    records = _records(organization)
    admin = member(organization, OrgRole.ADMIN, language="en").user
    long_name = "A" * 296 + ".pdf"
    with translation.override("en"):
        attachments_add(actor=admin, organization=organization, parent=records["gate"], uploads=[pdf(long_name)])
    html = page_client_for(admin).get(reverse("org-audit", kwargs={"org_slug": organization.slug})).content.decode()
    assert '<table class="audit-log">' in html
    assert html.count('class="user-text"') >= 3
    assert "<strong>parent</strong>: Planning → Execution</li>" in html
    assert f"<strong>name</strong>: {'A' * 146}.pdf</li>" in html
    assert "<del>P</del>" not in html
    from django.contrib.staticfiles import finders

    css = Path(str(finders.find("pmo/css/app.css"))).read_text()
    assert ".audit-log .user-text { overflow-wrap: anywhere;" in css
