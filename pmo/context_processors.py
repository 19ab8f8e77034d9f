from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from pmo.models import Membership


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The organisations a signed-in user can switch to, for the header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    memberships = Membership.objects.unscoped().filter(user=user).select_related("organization")
    return {"my_memberships": memberships}
