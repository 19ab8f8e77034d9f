from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pmo.models.core import OrgRole, User
from pmo.tenancy import TenantModel


class InvitationStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("invitation status", "Pending")
    ACCEPTED = "accepted", pgettext_lazy("invitation status", "Accepted")
    DECLINED = "declined", pgettext_lazy("invitation status", "Declined")
    REVOKED = "revoked", pgettext_lazy("invitation status", "Revoked")


class Invitation(TenantModel):
    """An offer to join an organisation, which the person accepts or declines.

    It names an e-mail address, never an account: an administrator cannot tell from it whether
    the address has an account. ``key`` is the secret of the signed link in the e-mail; a
    resend replaces it, so that only the latest link works, and a link works once.
    """

    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=32, choices=OrgRole, default=OrgRole.MEMBER)
    display_name = models.CharField(_("full name"), max_length=150, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=InvitationStatus, default=InvitationStatus.PENDING)
    key = models.CharField(max_length=64, editable=False)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("invited by")
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires"))
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    responded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("answered by")
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "email"],
                condition=models.Q(status="pending"),
                name="invitation_one_pending_per_email",
                violation_error_message=_("This address already has an invitation waiting."),
            ),
        ]
        indexes = [models.Index(fields=["email", "status"], name="invitation_email_status")]

    def __str__(self) -> str:
        return f"{self.email} → {self.organization_id} ({self.role}, {self.status})"

    def is_open(self, now: dt.datetime | None = None) -> bool:
        return self.status == InvitationStatus.PENDING and self.expires_at > (now or timezone.now())
