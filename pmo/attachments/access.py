"""Resolving a parent record and the member's rights on its files: shared by pages and the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

from pmo.attachments.registry import Attachable, attachable_for, attachable_named
from pmo.models import Attachment, Membership


@dataclass(frozen=True)
class ParentAccess:
    attachable: Attachable
    parent: models.Model
    may_view: bool
    may_change: bool
    may_manage: bool
    user_id: int

    def require_view(self) -> None:
        if not self.may_view:
            raise PermissionDenied

    def require_change(self) -> None:
        self.require_view()
        if not self.may_change:
            raise PermissionDenied

    def may_delete(self, attachment: Attachment) -> bool:
        """Whoever manages the record deletes any of its files; whoever may change it, the files they uploaded."""
        return self.may_manage or (self.may_change and attachment.uploaded_by_id == self.user_id)

    def require_delete(self, attachment: Attachment) -> None:
        self.require_view()
        if not self.may_delete(attachment):
            raise PermissionDenied


def access_to(
    membership: Membership, parent: models.Model, attachable: Attachable, known: tuple[Any, str | None] = (None, None)
) -> ParentAccess:
    """The member's rights on the record's files; a record the app hides from the member is a 404."""
    if not attachable.sees_record(membership, parent):
        raise Http404
    role = attachable.project_role(membership, parent, known)
    may_manage = attachable.may_manage(membership, role)
    may_change = attachable.may_change(membership, role) and (
        may_manage or attachable.works_on_record(membership, parent)
    )
    return ParentAccess(
        attachable=attachable,
        parent=parent,
        may_view=attachable.may_view(membership, role),
        may_change=may_change,
        may_manage=may_manage,
        user_id=membership.user_id,
    )


def parent_access(membership: Membership, parent_type: Any, parent_id: Any) -> ParentAccess:
    """The record a request names by type and id in the member's organisation, or 404."""
    attachable = attachable_named(str(parent_type or ""))
    if attachable is None:
        raise Http404
    parent = attachable.parent(membership.organization_id, parent_id)
    if parent is None:
        raise Http404
    return access_to(membership, parent, attachable)


def attachment_access(membership: Membership, attachment: Attachment) -> ParentAccess:
    """The rights on an attachment are those on its parent; a parent no longer registered hides it."""
    model = attachment.content_type.model_class()
    attachable = attachable_for(model) if model is not None else None
    if attachable is None:
        raise Http404
    parent = attachable.parent(membership.organization_id, attachment.object_id)
    if parent is None:
        raise Http404
    return access_to(membership, parent, attachable)


def record_action(method: str, attachment: Attachment) -> Any:
    """What a request on an attachment needs: its record's view action to read, its change action to write.

    The base views let every member through (``org.view``); this is the action they then check on the
    record, with the member's role on the record's project. The policy walk asks it too.
    """
    model = attachment.content_type.model_class()
    attachable = attachable_for(model) if model is not None else None
    if attachable is None:
        return None
    return attachable.view if method.upper() in {"GET", "HEAD", "OPTIONS"} else attachable.change


def attachments_of(parent: models.Model) -> models.QuerySet[Attachment]:
    from django.contrib.contenttypes.models import ContentType

    return (
        Attachment.objects.for_organization(parent.organization_id)  # type: ignore[attr-defined]
        .filter(content_type=ContentType.objects.get_for_model(parent), object_id=parent.pk)
        .select_related("uploaded_by")
    )
