"""The Redis cache, made to do without Redis: while it is down each process caches in its own memory.

Django's ``RedisCache`` raises on every call when Redis does not answer, which turns each page
and API request into a 500. This backend catches the failure, opens the process's breaker for
the cache (pmo.outage: one warning, then no call to Redis for ``PMO_REDIS_RETRY_SECONDS``) and
answers from a small per-process memory instead: what Redis held reads as a miss, writes stay in
the process. Counters (the API's rate limit, failed logins) so keep counting per process. When
Redis answers again the process forgets what it kept, so that a later outage starts empty.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache

from pmo.outage import CircuitBreaker, breaker, redacted

T = TypeVar("T")

#: A short connect and read timeout: a Redis that is gone costs a fraction of a second, once per
#: retry period. OPTIONS in CACHES override these.
DEFAULT_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 1.0}


class CacheUnavailableError(Exception):
    """Redis did not answer, or failed within the retry period."""


class ResilientRedisCache(RedisCache):
    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        params = {**params, "OPTIONS": {**DEFAULT_OPTIONS, **params.get("OPTIONS", {})}}
        super().__init__(server, params)
        servers: list[str] = self._servers  # type: ignore[attr-defined]
        location = servers[0] if servers else ""
        self.breaker: CircuitBreaker = breaker(f"The cache at {redacted(location)}")
        # LocMemCache keeps its entries per name, for the whole process: every thread's instance shares them.
        self.local = LocMemCache(f"pmo-outage:{location}", {"OPTIONS": {"MAX_ENTRIES": 1000}})

    @property
    def available(self) -> bool:
        """False while the breaker is open (Redis failed within the retry period)."""
        return not self.breaker.is_open

    def on_redis(self, call: Callable[[], T]) -> T:
        """``call()`` (which talks to Redis) unless the breaker is open; CacheUnavailableError if it fails."""
        if not self.breaker.allows():
            raise CacheUnavailableError(self.breaker.name)
        try:
            result = call()
        except redis.RedisError as error:
            self.breaker.failed(error)
            raise CacheUnavailableError(self.breaker.name) from error
        if self.breaker.is_open:
            self.breaker.succeeded()
            self.local.clear()
        return result

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        try:
            return self.on_redis(lambda: getattr(RedisCache, method)(self, *args, **kwargs))
        except CacheUnavailableError:
            return getattr(self.local, method)(*args, **kwargs)

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return bool(self._call("add", key, value, timeout, version))

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._call("get", key, default, version)

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        self._call("set", key, value, timeout, version)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return bool(self._call("touch", key, timeout, version))

    def delete(self, key: Any, version: int | None = None) -> bool:
        return bool(self._call("delete", key, version))

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        return dict(self._call("get_many", keys, version))

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return bool(self._call("has_key", key, version))

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        return int(self._call("incr", key, delta, version))

    def set_many(self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> list[Any]:
        return list(self._call("set_many", data, timeout, version))

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        self._call("delete_many", keys, version)

    def clear(self) -> None:
        self._call("clear")
