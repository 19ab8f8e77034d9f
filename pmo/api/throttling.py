from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.throttling import SimpleRateThrottle

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView


class PerTokenRateThrottle(SimpleRateThrottle):
    """One bucket per API token; session users get one per user, anonymous callers one per address."""

    scope = "token"

    def get_cache_key(self, request: Request, view: APIView) -> str:
        from pmo.authentication import token_from_request

        token = token_from_request(request)
        if token is not None:
            ident = f"token-{token.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
