"""The API's rate limit: a fixed window per token, one round trip to Redis per request.

While Redis is down (pmo.cache) each process counts in its own memory at the same rate: the API
keeps answering, and a client is still limited, per web process.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from rest_framework.throttling import SimpleRateThrottle

from pmo.cache import CacheUnavailableError, ResilientRedisCache

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView


def count_hit(cache: Any, key: str, duration: int) -> tuple[int, float]:
    """Count one request in the window of ``key``; the count so far and the seconds the window has left.

    A window opens with the first request and lasts ``duration`` seconds. On Redis this is one
    pipeline (``INCR``, ``EXPIRE … NX``, ``PTTL``), so a request costs one round trip whatever the
    traffic; other caches (the tests' local memory) count with ``add`` and ``incr``. When the Redis
    cache is unavailable the count is kept in the process's memory (``ResilientRedisCache.local``).
    """
    if isinstance(cache, ResilientRedisCache):
        try:
            return cache.on_redis(lambda: _count_on_redis(cache, key, duration))
        except CacheUnavailableError:
            cache = cache.local
    elif isinstance(cache, RedisCache):
        return _count_on_redis(cache, key, duration)
    now = time.time()
    if cache.add(key, 1, timeout=duration):
        cache.set(f"{key}:opened", now, timeout=duration)
        return 1, float(duration)
    try:
        count = cache.incr(key)
    except ValueError:  # the window closed between add and incr
        cache.set(key, 1, timeout=duration)
        cache.set(f"{key}:opened", now, timeout=duration)
        return 1, float(duration)
    opened = cache.get(f"{key}:opened", now)
    return int(count), max(opened + duration - now, 0.0)


def _count_on_redis(cache: RedisCache, key: str, duration: int) -> tuple[int, float]:
    name = cache.make_and_validate_key(key)
    pipeline = cache._cache.get_client(name, write=True).pipeline(transaction=False)  # type: ignore[attr-defined]
    pipeline.incr(name)
    pipeline.expire(name, duration, nx=True)
    pipeline.pttl(name)
    count, _set, left_ms = pipeline.execute()
    return int(count), max(left_ms, 0) / 1000


class PerTokenRateThrottle(SimpleRateThrottle):
    """One bucket per API token; session users get one per user, anonymous callers one per address.

    ``PMO_API_RATE`` requests (``1200/minute`` by default) in a window that opens with a bucket's
    first request; the request over the limit answers 429 with ``Retry-After`` the seconds the
    window has left.
    """

    scope = "token"
    cache_format = "throttle_%(scope)s_%(ident)s_window"
    #: The cache that counts (the default cache when None).
    cache: Any = None
    _left: float | None = None

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

    def allow_request(self, request: Request, view: APIView) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        count, self._left = count_hit(self.cache or caches["default"], key, self.duration)  # type: ignore[attr-defined]
        return bool(count <= self.num_requests)  # type: ignore[attr-defined]

    def wait(self) -> float | None:
        return self._left
