"""Per-process circuit breakers for the services a request can do without (the cache, the broker).

When Redis stops answering, each web process notices at its first failed call, logs one warning
and stops calling it for ``PMO_REDIS_RETRY_SECONDS``; then one call tries again. A dead Redis so
costs one socket timeout per process every few seconds, not one per call, and the log gets one
line when it goes away and one when it comes back.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings

logger = logging.getLogger("pmo.outage")


class CircuitBreaker:
    """Closed while the service answers; open for a while after it failed, then one caller probes."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._lock = threading.Lock()
        self._retry_at: float | None = None  # None: closed

    @property
    def is_open(self) -> bool:
        return self._retry_at is not None

    @property
    def skipping(self) -> bool:
        """Open and not yet due for a probe: a call now would be skipped."""
        retry_at = self._retry_at
        return retry_at is not None and time.monotonic() < retry_at

    def allows(self) -> bool:
        """Whether to call the service now: always while closed, once per retry period while open."""
        if self._retry_at is None:
            return True
        with self._lock:
            now = time.monotonic()
            if self._retry_at is None or now >= self._retry_at:
                if self._retry_at is not None:
                    # This caller probes; the others keep skipping until it knows.
                    self._retry_at = now + _retry_seconds()
                return True
            return False

    def failed(self, error: BaseException) -> None:
        with self._lock:
            opening = self._retry_at is None
            self._retry_at = time.monotonic() + _retry_seconds()
        if opening:
            logger.warning(
                "%s is unavailable (%s: %s); going on without it, trying again every %s s.",
                self.name,
                error.__class__.__name__,
                error,
                _retry_seconds(),
            )

    def succeeded(self) -> None:
        if self._retry_at is None:
            return
        with self._lock:
            closing = self._retry_at is not None
            self._retry_at = None
        if closing:
            logger.warning("%s answers again.", self.name)

    def reset(self) -> None:
        """Forget any failure (tests)."""
        with self._lock:
            self._retry_at = None


def _retry_seconds() -> float:
    return float(getattr(settings, "PMO_REDIS_RETRY_SECONDS", 5.0))


_breakers: dict[str, CircuitBreaker] = {}
_breakers_lock = threading.Lock()


def breaker(name: str) -> CircuitBreaker:
    """The process's breaker for ``name`` (one per service: "the cache at ...", "the broker at ...")."""
    found = _breakers.get(name)
    if found is None:
        with _breakers_lock:
            found = _breakers.setdefault(name, CircuitBreaker(name))
    return found


def reset_all() -> None:
    """Close every breaker of the process (tests)."""
    for item in list(_breakers.values()):
        item.reset()


def redacted(url: str) -> str:
    """``url`` without its password, for the log."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    user = f"{parts.username}:***@" if parts.username else "***@"
    return urlunsplit((parts.scheme, user + host, parts.path, parts.query, parts.fragment))
