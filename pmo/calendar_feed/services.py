"""The feed's secret: made, replaced and revoked here (audited), and found again from a feed's URL."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from pmo.audit import audit_record
from pmo.authentication import hash_secret
from pmo.models import CalendarFeed, Membership, Organization, User

#: The secret in a feed's URL: 43 URL-safe characters (256 random bits).
SECRET_BYTES = 32


@transaction.atomic
def calendar_feed_regenerate(*, actor: User, organization: Organization) -> tuple[CalendarFeed, str]:
    """Give the actor a new feed secret in the organisation, ending the old one; return it with its only copy."""
    secret = secrets.token_urlsafe(SECRET_BYTES)
    feed = (
        CalendarFeed.objects.for_organization(organization)
        .select_for_update(of=("self",), no_key=True)
        .filter(user=actor)
        .first()
    )
    action = "calendar_feed.regenerated"
    if feed is None:
        feed = CalendarFeed(organization=organization, user=actor)
        action = "calendar_feed.created"
    feed.token_hash = hash_secret(secret)
    feed.created_at = timezone.now()
    feed.save()
    audit_record(organization=organization, actor=actor, action=action, target=feed)
    return feed, secret


@transaction.atomic
def calendar_feed_revoke(*, actor: User, organization: Organization) -> bool:
    """End the actor's feed in the organisation at once; False when there was none."""
    feed = (
        CalendarFeed.objects.for_organization(organization)
        .select_for_update(of=("self",), no_key=True)
        .filter(user=actor)
        .first()
    )
    if feed is None:
        return False
    audit_record(organization=organization, actor=actor, action="calendar_feed.revoked", target=feed)
    feed.delete()
    return True


def feed_member(secret: str) -> tuple[CalendarFeed, Membership] | None:
    """The feed a URL's secret opens and its owner's membership, in one query; None when it opens none.

    A revoked secret has no row; an inactive user or one who left the organisation has no feed.
    Read across organisations (``unscoped``): the secret is all a calendar program brings.
    """
    membership = Membership.objects.unscoped().filter(organization=OuterRef("organization"), user=OuterRef("user"))
    feed = (
        CalendarFeed.objects.unscoped()
        .select_related("organization", "user")
        .annotate(membership_id=Subquery(membership.values("pk")[:1]), role=Subquery(membership.values("role")[:1]))
        .filter(token_hash=hash_secret(secret), user__is_active=True, membership_id__isnull=False)
        .first()
    )
    if feed is None:
        return None
    found = Membership(
        pk=feed.membership_id,
        organization=feed.organization,
        user=feed.user,
        role=feed.role,
    )
    return feed, found
