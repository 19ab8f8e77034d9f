"""Invitations to join an organisation: the writes (sent, accepted, declined, revoked, resent)
and the signed link in the e-mail.

An administrator invites an e-mail address. Nothing in the answer tells whether an account
with that address exists: the person, not the administrator, decides to join. People who
already have an account see the invitation on their home page and in the e-mail; someone
new opens the link and signs up through it. The link is signed, expires with the invitation
and works once (accepting or declining closes the invitation; a resend replaces the link).
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from pmo.audit import audit_record
from pmo.errors import ApplicationError
from pmo.models import Invitation, InvitationStatus, Membership, Organization, OrgRole, User
from pmo.queueing import queue_on_commit

LIFETIME = dt.timedelta(days=14)
_SALT = "pmo.invitation"


def _normalized_email(email: str) -> str:
    return email.strip().lower()


def _new_key() -> str:
    return secrets.token_urlsafe(32)


def link_token(invitation: Invitation) -> str:
    """The signed part of the invitation link: the invitation and its current key, timestamped."""
    return signing.dumps([invitation.pk, invitation.key], salt=_SALT)


def invitation_from_token(token: str) -> Invitation | None:
    """The invitation a link names, or None for a forged, expired or replaced link."""
    try:
        pk, key = signing.loads(token, salt=_SALT, max_age=LIFETIME)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(pk, int) or not isinstance(key, str):
        return None
    # The invitation is not known to belong to any organisation yet: the link is what names it.
    invitation = Invitation.objects.unscoped().select_related("organization", "invited_by").filter(pk=pk).first()
    if invitation is None or not constant_time_compare(invitation.key, key):
        return None
    return invitation


def pending_invitations_for(user: User) -> QuerySet[Invitation]:
    """Open invitations addressed to ``user``'s e-mail address, in every organisation."""
    if not user.email:
        return Invitation.objects.unscoped().none()
    return (
        Invitation.objects.unscoped()
        .filter(email=_normalized_email(user.email), status=InvitationStatus.PENDING, expires_at__gt=timezone.now())
        .select_related("organization", "invited_by")
        .order_by("-created_at")
    )


def _queue_email(invitation: Invitation, base_url: str) -> None:
    from pmo.tasks import send_invitation_email

    # A broker or mail failure must not turn a saved invitation into a 500: the e-mail waits (pmo.queueing).
    queue_on_commit(
        send_invitation_email,
        organization_id=invitation.organization_id,
        invitation_id=invitation.pk,
        base_url=base_url,
    )


@transaction.atomic
def invitation_create(
    *,
    actor: User,
    organization: Organization,
    email: str,
    role: str,
    display_name: str = "",
    base_url: str = "http://127.0.0.1:8000",
) -> Invitation:
    """Invite an e-mail address to join ``organization`` with ``role``; the person is sent a link."""
    email = _normalized_email(email)
    if role not in OrgRole.values:
        raise ApplicationError(_("Unknown role “%s”.") % role, fields={"role": [_("Choose a valid role.")]})
    # Two invitations of one address at the same moment queue on the organisation row (NO KEY:
    # the foreign-key checks of other writes of the organisation are not held up).
    Organization.objects.select_for_update(no_key=True).filter(pk=organization.pk).first()
    if Membership.objects.for_organization(organization).filter(user__email__iexact=email).exists():
        raise ApplicationError(
            _("%(email)s is already a member of this organisation.") % {"email": email},
            code="already_member",
            fields={"email": [_("Already a member.")]},
        )
    invitations = Invitation.objects.for_organization(organization)
    waiting = invitations.filter(email=email, status=InvitationStatus.PENDING).first()
    if waiting is not None and waiting.is_open():
        raise ApplicationError(
            _("%(email)s has already been invited. Send the invitation again from the list if needed.")
            % {"email": email},
            code="already_invited",
            fields={"email": [_("Already invited.")]},
        )
    if waiting is not None:
        waiting.status = InvitationStatus.REVOKED  # expired unanswered: the new one replaces it
        waiting.save(update_fields=["status"])
    invitation = Invitation.objects.create(
        organization=organization,
        email=email,
        role=role,
        display_name=display_name,
        key=_new_key(),
        invited_by=actor,
        expires_at=timezone.now() + LIFETIME,
    )
    audit_record(
        organization=organization,
        actor=actor,
        action="invitation.created",
        target=invitation,
        changes={"email": [None, email], "role": [None, role]},
    )
    _queue_email(invitation, base_url)
    return invitation


def _locked_open(invitation: Invitation) -> Invitation:
    locked = (
        Invitation.objects.unscoped()
        .select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=invitation.pk)
    )
    if not locked.is_open():
        raise ApplicationError(
            _("This invitation is no longer open: it was answered, withdrawn or has expired."),
            code="invitation_closed",
        )
    return locked


def _close(invitation: Invitation, status: str, user: User | None) -> None:
    invitation.status = status
    invitation.responded_at = timezone.now()
    invitation.responded_by = user
    invitation.key = _new_key()  # the link in the e-mail stops working
    invitation.save(update_fields=["status", "responded_at", "responded_by", "key"])


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    """``user`` joins the organisation with the invited role.

    The caller has established that ``user`` may answer: the invitation is addressed to their
    e-mail address, or they hold its link.
    """
    invitation = _locked_open(invitation)
    organization = invitation.organization
    if Membership.objects.for_organization(organization).filter(user=user).exists():
        raise ApplicationError(
            _("You are already a member of %(organization)s.") % {"organization": organization.name},
            code="already_member",
        )
    membership = Membership.objects.create(organization=organization, user=user, role=invitation.role)
    _close(invitation, InvitationStatus.ACCEPTED, user)
    audit_record(
        organization=organization,
        actor=user,
        action="invitation.accepted",
        target=invitation,
        changes={"status": [InvitationStatus.PENDING, InvitationStatus.ACCEPTED], "user": [None, user.username]},
    )
    audit_record(
        organization=organization,
        actor=user,
        action="membership.joined",
        target=membership,
        changes={"user": [None, user.username], "role": [None, membership.role]},
    )
    return membership


@transaction.atomic
def invitation_decline(*, invitation: Invitation, user: User | None) -> Invitation:
    """The person says no; ``user`` is None when they answer through the link without an account."""
    invitation = _locked_open(invitation)
    _close(invitation, InvitationStatus.DECLINED, user)
    audit_record(
        organization=invitation.organization,
        actor=user,
        action="invitation.declined",
        target=invitation,
        changes={"status": [InvitationStatus.PENDING, InvitationStatus.DECLINED]},
    )
    return invitation


@transaction.atomic
def invitation_signup(*, invitation: Invitation, username: str, password: str, display_name: str = "") -> Membership:
    """Someone new, holding the link, creates an account with the invited address and joins."""
    locked = _locked_open(invitation)
    if User.objects.filter(email__iexact=locked.email).exists():
        raise ApplicationError(
            _("An account with this e-mail address exists already. Sign in to accept the invitation."),
            code="account_exists",
        )
    if User.objects.filter(username__iexact=User.normalize_username(username)).exists():
        raise ApplicationError(
            _("This username is taken. Choose another."), code="username_taken", fields={"username": [_("Taken.")]}
        )
    user = User(username=User.normalize_username(username), email=locked.email, display_name=display_name)
    user.set_password(password)
    user.save()
    return invitation_accept(invitation=locked, user=user)


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    """An administrator withdraws an invitation not yet answered."""
    locked = Invitation.objects.for_organization(invitation.organization_id).select_for_update().get(pk=invitation.pk)
    if locked.status != InvitationStatus.PENDING:
        raise ApplicationError(_("Only a pending invitation can be withdrawn."), code="invitation_closed")
    locked.status = InvitationStatus.REVOKED
    locked.key = _new_key()
    locked.save(update_fields=["status", "key"])
    audit_record(
        organization=locked.organization,
        actor=actor,
        action="invitation.revoked",
        target=locked,
        changes={"status": [InvitationStatus.PENDING, InvitationStatus.REVOKED]},
    )
    return locked


@transaction.atomic
def invitation_resend(*, actor: User, invitation: Invitation, base_url: str) -> Invitation:
    """Send a pending invitation again with a new link and a new expiry; the old link stops working."""
    locked = Invitation.objects.for_organization(invitation.organization_id).select_for_update().get(pk=invitation.pk)
    if locked.status != InvitationStatus.PENDING:
        raise ApplicationError(_("Only a pending invitation can be sent again."), code="invitation_closed")
    before = locked.expires_at
    locked.key = _new_key()
    locked.expires_at = timezone.now() + LIFETIME
    locked.save(update_fields=["key", "expires_at"])
    audit_record(
        organization=locked.organization,
        actor=actor,
        action="invitation.resent",
        target=locked,
        changes={"expires_at": [before, locked.expires_at]},
    )
    _queue_email(locked, base_url)
    return locked


def invitation_send_email(*, invitation: Invitation, base_url: str) -> None:
    """E-mail the invitation link, in the language of the address's account if there is one."""
    link = base_url.rstrip("/") + reverse("invitation", kwargs={"token": link_token(invitation)})
    account = User.objects.filter(email__iexact=invitation.email, is_active=True).first()
    language = account.language if account is not None else settings.LANGUAGE_CODE
    with translation.override(language):
        inviter = str(invitation.invited_by) if invitation.invited_by else _("A PMO administrator")
        context = {
            "organization": invitation.organization,
            "invited_by": inviter,
            "role": OrgRole(invitation.role).label,
            "link": link,
            "expires_at": invitation.expires_at,
        }
        send_mail(
            subject=_("You are invited to %(organization)s") % {"organization": invitation.organization.name},
            message=render_to_string("pmo/email/invitation.txt", context),
            from_email=None,
            recipient_list=[invitation.email],
        )
