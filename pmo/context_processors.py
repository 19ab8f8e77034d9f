from __future__ import annotations

from functools import cached_property
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from pmo.models import Membership, Notification, User


class AlertBell:
    """The unread notifications of the organisation page being shown, counted only if the page shows the bell.

    It reads the organisation from the memberships the header lists anyway (the same queryset,
    so its rows are fetched once), so the count costs one query and only members get one.
    """

    def __init__(self, user: User, memberships: QuerySet[Membership], org_slug: str) -> None:
        self._user = user
        self._memberships = memberships
        self._org_slug = org_slug

    @cached_property
    def unread(self) -> int:
        membership = next((m for m in self._memberships if m.organization.slug == self._org_slug), None)
        if membership is None:
            return 0
        return (
            Notification.objects.for_organization(membership.organization_id)
            .filter(user=self._user, read_at__isnull=True)
            .count()
        )


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The organisations a signed-in user can switch to, and the alert bell of an organisation page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    memberships = Membership.objects.unscoped().filter(user=user).select_related("organization")
    context: dict[str, Any] = {"my_memberships": memberships}
    match = getattr(request, "resolver_match", None)
    org_slug = match.kwargs.get("org_slug") if match is not None else None
    if org_slug:
        context["alert_bell"] = AlertBell(user, memberships, org_slug)
    return context
