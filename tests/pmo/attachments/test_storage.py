"""Attaching and deleting, on the local folder and on a real S3-compatible server (moto's)."""

from __future__ import annotations

import urllib.request
from typing import Any

import pytest
from django.core.files.storage import storages

from pmo.attachments import services
from pmo.attachments.downloads import download_response
from pmo.errors import ApplicationError
from pmo.models import Attachment, AuditEvent
from projects.models import ChangeRequest
from tests.factories import ActualCostFactory, ChangeRequestFactory, member
from tests.pmo.attachments.conftest import BUCKET, stored_names
from tests.pmo.attachments.samples import EXE, PDF, image_bytes, pdf, png, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def change_request(organization: Any) -> ChangeRequest:
    return ChangeRequestFactory(project__organization=organization, organization=organization)


@pytest.fixture
def actor(organization: Any) -> Any:
    return member(organization, role="admin").user


def _attachments(organization: Any) -> list[Attachment]:
    return list(Attachment.objects.for_organization(organization))


def test_files_are_stored_under_random_keys_with_a_thumbnail_for_images(
    any_storage: str, organization: Any, change_request: ChangeRequest, actor: Any
) -> None:
    photo, document = services.attachments_add(
        actor=actor, organization=organization, parent=change_request, uploads=[png("site photo.png"), pdf()]
    )
    assert (photo.name, photo.media_type, photo.size) == ("site photo.png", "image/png", len(image_bytes()))
    assert photo.storage_key.startswith(f"{organization.pk}/")
    assert "site" not in photo.storage_key
    assert photo.thumbnail_key
    assert not document.thumbnail_key
    assert stored_names() == {photo.storage_key, photo.thumbnail_key, document.storage_key}
    with storages["attachments"].open(document.storage_key, "rb") as stored:
        assert stored.read() == PDF
    assert photo.parent == change_request


def test_one_bad_file_stores_none_of_the_request(
    any_storage: str, organization: Any, change_request: ChangeRequest, actor: Any
) -> None:
    with pytest.raises(ApplicationError) as refused:
        services.attachments_add(
            actor=actor,
            organization=organization,
            parent=change_request,
            uploads=[png(), upload("invoice.pdf", EXE), pdf()],
        )
    assert refused.value.code == "attachment_type_not_allowed"
    assert len(refused.value.fields["files"]) == 1
    assert _attachments(organization) == []
    assert stored_names() == set()


def test_a_failure_while_storing_removes_the_files_already_written(
    any_storage: str, organization: Any, change_request: ChangeRequest, actor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = {"count": 0}
    real = services.audit_record

    def failing_audit(**kwargs: Any) -> Any:
        calls["count"] += 1
        if calls["count"] == 2:
            raise RuntimeError("the database went away")
        return real(**kwargs)

    monkeypatch.setattr(services, "audit_record", failing_audit)
    with pytest.raises(RuntimeError):
        services.attachments_add(actor=actor, organization=organization, parent=change_request, uploads=[png(), pdf()])
    assert _attachments(organization) == []
    assert stored_names() == set()


def test_deleting_an_attachment_removes_its_files_after_the_commit(
    any_storage: str,
    organization: Any,
    change_request: ChangeRequest,
    actor: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    (photo,) = services.attachments_add(actor=actor, organization=organization, parent=change_request, uploads=[png()])
    keys = {photo.storage_key, photo.thumbnail_key}
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.attachment_delete(actor=actor, attachment=photo)
    # Until the deletion commits, the bytes are still there.
    assert stored_names() == keys
    assert _attachments(organization) == []
    for callback in callbacks:
        callback()
    assert stored_names() == set()


def test_deleting_the_parent_deletes_its_attachments_and_then_their_files(
    any_storage: str,
    organization: Any,
    change_request: ChangeRequest,
    actor: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    other = ChangeRequestFactory(project=change_request.project, organization=organization)
    services.attachments_add(actor=actor, organization=organization, parent=change_request, uploads=[png(), pdf()])
    (kept,) = services.attachments_add(actor=actor, organization=organization, parent=other, uploads=[pdf("kept.pdf")])
    with django_capture_on_commit_callbacks(execute=True):
        change_request.delete()
    assert _attachments(organization) == [kept]
    assert stored_names() == {kept.storage_key}
    deleted = AuditEvent.objects.for_organization(organization).filter(action="attachment.delete")
    assert sorted(event.changes["name"] for event in deleted) == ["signed.pdf", "site.png"]
    assert {event.changes["reason"] for event in deleted} == {"parent deleted"}


def test_deleting_a_project_deletes_the_files_of_its_records(
    any_storage: str, organization: Any, actor: Any, django_capture_on_commit_callbacks: Any
) -> None:
    cost = ActualCostFactory(project__organization=organization, organization=organization)
    services.attachments_add(actor=actor, organization=organization, parent=cost, uploads=[pdf("invoice.pdf")])
    with django_capture_on_commit_callbacks(execute=True):
        cost.project.delete()
    assert _attachments(organization) == []
    assert stored_names() == set()


def test_every_upload_and_deletion_is_audited(
    local_storage: Any, organization: Any, change_request: ChangeRequest, actor: Any
) -> None:
    (photo,) = services.attachments_add(actor=actor, organization=organization, parent=change_request, uploads=[png()])
    photo_id, sha256 = str(photo.pk), photo.sha256
    services.attachment_delete(actor=actor, attachment=photo)
    events = AuditEvent.objects.for_organization(organization).filter(target_type="pmo.attachment").order_by("id")
    assert [(event.action, event.actor_id, event.target_id) for event in events] == [
        ("attachment.add", actor.pk, photo_id),
        ("attachment.delete", actor.pk, photo_id),
    ]
    assert events[0].changes["parent_type"] == "projects.changerequest"
    assert events[0].changes["parent_id"] == change_request.pk
    assert events[0].changes["sha256"] == sha256


def test_s3_objects_carry_the_sniffed_type_not_the_browsers_claim(
    s3_storage: Any, organization: Any, change_request: ChangeRequest, actor: Any
) -> None:
    (document,) = services.attachments_add(
        actor=actor,
        organization=organization,
        parent=change_request,
        uploads=[upload("signed.pdf", PDF, "text/html")],
    )
    head = s3_storage.head_object(Bucket=BUCKET, Key=f"attachments/{document.storage_key}")
    assert head["ContentType"] == "application/pdf"
    assert head["ContentLength"] == len(PDF)


def test_s3_downloads_may_redirect_to_a_signed_url_that_expires(
    s3_storage: Any, organization: Any, change_request: ChangeRequest, actor: Any, settings: Any
) -> None:
    settings.PMO_ATTACHMENT_PRESIGNED_SECONDS = 300
    (document,) = services.attachments_add(
        actor=actor, organization=organization, parent=change_request, uploads=[pdf("signed.pdf")]
    )
    response = download_response(document)
    assert response.status_code == 302
    url = response["Location"]
    assert "X-Amz-Expires=300" in url
    assert "X-Amz-Signature=" in url
    with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310  (moto on loopback)
        assert answer.read() == PDF
        assert answer.headers["Content-Type"] == "application/pdf"
        assert "signed.pdf" in answer.headers["Content-Disposition"]


def test_downloads_stream_by_default_on_every_storage(
    any_storage: str, organization: Any, change_request: ChangeRequest, actor: Any
) -> None:
    (document,) = services.attachments_add(
        actor=actor, organization=organization, parent=change_request, uploads=[pdf("signed.pdf")]
    )
    response = download_response(document)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="signed.pdf"'
