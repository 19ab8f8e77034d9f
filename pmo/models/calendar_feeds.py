"""A person's private calendar feed in one organisation: only a hash of its secret is kept."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pmo.models.core import User
from pmo.tenancy import TenantModel


class CalendarFeed(TenantModel):
    """The secret of one user's feed in one organisation; regenerating replaces it, revoking deletes it.

    ``token_hash`` is the SHA-256 of the secret in the feed's URL, which is shown once. It is looked
    up before any organisation is known (a calendar program has no session), hence its own index.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="calendar_feeds", verbose_name=_("user"))
    token_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="calendar_feed_one_per_user"),
        ]
        indexes = [models.Index(fields=["token_hash"], name="calendar_feed_token")]

    def __str__(self) -> str:
        return f"calendar feed of {self.user_id}"
