"""Attaching and deleting files: the one write path of pages, API and parent deletions."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils.translation import gettext as _

from pmo.attachments import files, storage
from pmo.attachments.registry import Attachable, attachable_for
from pmo.audit import audit_record
from pmo.errors import ApplicationError
from pmo.models import Attachment, Organization, User


def check_upload_count(uploads: Sequence[Any]) -> None:
    """Refuse an empty request, too many files or too many bytes in one request."""
    if not uploads:
        message = _("Choose at least one file to attach.")
        raise ApplicationError(message, code="attachment_missing", fields={"files": [message]})
    most = settings.PMO_ATTACHMENT_MAX_FILES
    if len(uploads) > most:
        message = _("At most %(most)d files can be attached at once; %(count)d were sent.") % {
            "most": most,
            "count": len(uploads),
        }
        raise ApplicationError(message, code="attachment_too_many", fields={"files": [message]})
    total = sum(int(upload.size or 0) for upload in uploads)
    limit = settings.PMO_ATTACHMENT_MAX_REQUEST_BYTES
    if total > limit:
        message = _(
            "The files add up to %(size)s MB (%(bytes)s bytes); at most %(limit)s MB (%(limit_bytes)s bytes) can be "
            "attached at once."
        ) % files.size_limits(total, limit)
        raise ApplicationError(message, code="attachment_request_too_large", fields={"files": [message]})


def _remove_after_commit(*keys: str) -> None:
    transaction.on_commit(partial(storage.remove, *keys), robust=True)


def attachments_add(
    *, actor: User, organization: Organization, parent: models.Model, uploads: Sequence[Any]
) -> list[Attachment]:
    """Check every file first, then store them all or none: one bad file refuses the whole request."""
    attachable = attachable_for(parent)
    if attachable is None:
        raise ApplicationError(_("Files cannot be attached to this kind of record."), code="not_attachable")
    check_upload_count(uploads)
    prepared: list[files.PreparedFile] = []
    problems: list[str] = []
    first: ApplicationError | None = None
    for upload in uploads:
        try:
            prepared.append(files.prepare(upload))
        except ApplicationError as error:
            first = first or error
            problems.extend(error.fields.get("files", [error.message]))
    if first is not None:
        message = first.message
        if len(problems) > 1:
            message = _("%(count)d of the files cannot be attached; none was stored.") % {"count": len(problems)}
        raise ApplicationError(message, code=first.code, fields={"files": problems})

    content_type = ContentType.objects.get_for_model(parent)
    stored: list[str] = []
    try:
        with transaction.atomic():
            created = []
            for item in prepared:
                key = storage.store(storage.new_key(organization.pk), item.upload, item.kind.media_type)
                stored.append(key)
                thumbnail_key = ""
                if item.thumbnail is not None:
                    thumbnail_key = storage.store_bytes(f"{key}-thumb", item.thumbnail, "image/jpeg")
                    stored.append(thumbnail_key)
                attachment = Attachment.objects.create(
                    organization=organization,
                    content_type=content_type,
                    object_id=parent.pk,
                    name=item.name,
                    storage_key=key,
                    size=item.size,
                    media_type=item.kind.media_type,
                    sha256=item.sha256,
                    thumbnail_key=thumbnail_key,
                    uploaded_by=actor,
                )
                audit_record(
                    organization=organization,
                    actor=actor,
                    action="attachment.add",
                    target=attachment,
                    changes=_audit_changes(attachable, parent, attachment),
                )
                created.append(attachment)
    except BaseException:
        # Nothing is left behind: the rows rolled back, and the files written so far go too.
        storage.remove(*stored)
        raise
    return created


def _audit_changes(attachable: Attachable, parent: models.Model, attachment: Attachment) -> dict[str, Any]:
    return {
        "parent_type": attachable.name,
        "parent_id": parent.pk,
        "parent": attachable.title_of(parent)[:200],
        "name": attachment.name,
        "size": attachment.size,
        "media_type": attachment.media_type,
        "sha256": attachment.sha256,
    }


@transaction.atomic
def attachment_delete(*, actor: User, attachment: Attachment) -> None:
    """Delete the row now and its files once the deletion has committed."""
    attachable = attachable_for(attachment.content_type.model_class())  # type: ignore[arg-type]
    audit_record(
        organization=attachment.organization,
        actor=actor,
        action="attachment.delete",
        target=attachment,
        changes={
            "parent_type": attachable.name if attachable else attachment.content_type.natural_key(),
            "parent_id": attachment.object_id,
            "name": attachment.name,
            "size": attachment.size,
            "media_type": attachment.media_type,
        },
    )
    keys = (attachment.storage_key, attachment.thumbnail_key)
    attachment.delete()
    _remove_after_commit(*keys)


def attachments_of_deleted_parent(*, parent: models.Model) -> None:
    """A record deleted takes its files with it: rows in its transaction, bytes after the commit."""
    organization_id = getattr(parent, "organization_id", None)
    if organization_id is None:
        return
    attachable = attachable_for(parent)
    content_type = ContentType.objects.get_for_model(parent)
    rows = list(
        Attachment.objects.for_organization(organization_id).filter(content_type=content_type, object_id=parent.pk)
    )
    if not rows:
        return
    keys: list[str] = []
    for attachment in rows:
        audit_record(
            organization=Organization(pk=organization_id),
            actor=None,
            action="attachment.delete",
            target=attachment,
            changes={
                "parent_type": attachable.name if attachable else content_type.model,
                "parent_id": parent.pk,
                "name": attachment.name,
                "reason": "parent deleted",
            },
        )
        keys.extend((attachment.storage_key, attachment.thumbnail_key))
    Attachment.objects.for_organization(organization_id).filter(pk__in=[row.pk for row in rows]).delete()
    _remove_after_commit(*keys)
