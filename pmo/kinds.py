"""A registry of kinds by code, for the core's extension points that apps fill in ``ready()``.

A kind is a frozen dataclass with a ``code`` (kept in the database, so at most ``max_code_length``
characters) and a ``label`` (shown to people). Registering the same kind again is allowed (tests and
reloads do it); another kind under a code already taken is a configuration error.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Kind(Protocol):
    @property
    def code(self) -> str: ...

    @property
    def label(self) -> StrOrPromise: ...


K = TypeVar("K", bound=Kind)


class KindRegistry(Generic[K]):
    """The kinds of one extension point (``what``: "job kind", "run kind"), by code, iterated by code."""

    def __init__(self, what: str, *, max_code_length: int = 60) -> None:
        self.what = what
        self.max_code_length = max_code_length
        self._kinds: dict[str, K] = {}

    def register(self, kind: K) -> K:
        known = self._kinds.get(kind.code)
        if known is not None and known != kind:
            raise ImproperlyConfigured(f"The {self.what} {kind.code!r} is registered twice.")
        if len(kind.code) > self.max_code_length:
            raise ImproperlyConfigured(
                f"The {self.what} {kind.code!r} is longer than {self.max_code_length} characters."
            )
        self._kinds[kind.code] = kind
        return kind

    def unregister(self, code: str) -> None:
        self._kinds.pop(code, None)

    def __getitem__(self, code: str) -> K:
        return self._kinds[code]

    def __contains__(self, code: object) -> bool:
        return code in self._kinds

    def __iter__(self) -> Iterator[K]:
        return iter(sorted(self._kinds.values(), key=lambda kind: kind.code))

    def get(self, code: str) -> K | None:
        return self._kinds.get(code)

    def label(self, code: str) -> str:
        """The kind's label in the active language; the code of a kind no longer registered."""
        kind = self._kinds.get(code)
        return code if kind is None else str(kind.label)

    @property
    def choices(self) -> list[tuple[str, str]]:
        return [(kind.code, str(kind.label)) for kind in self]
