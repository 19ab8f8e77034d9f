"""Files attached to any tenant record: photos, scans, signed documents.

The row keeps what the file is (its sanitised name, sniffed type, size and hash) and where
it lies (a random storage key, and one for the thumbnail of an image); the bytes live in the
``attachments`` storage, never under a public URL. The parent is any model an app registered
with :func:`pmo.attachments.registry.register_attachable`.
"""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pmo.models.core import User
from pmo.tenancy import TenantModel


class Attachment(TenantModel):
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("kind of record")
    )
    object_id = models.PositiveBigIntegerField(_("record"))
    parent = GenericForeignKey("content_type", "object_id")
    name = models.CharField(_("file name"), max_length=200)
    storage_key = models.CharField(max_length=200, editable=False)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    media_type = models.CharField(_("type"), max_length=100)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    thumbnail_key = models.CharField(max_length=200, blank=True, editable=False)
    uploaded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "storage_key"], name="attachment_storage_key_once"),
        ]
        indexes = [
            models.Index(fields=["organization", "content_type", "object_id"], name="attachment_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def has_thumbnail(self) -> bool:
        return bool(self.thumbnail_key)
