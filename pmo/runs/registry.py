"""The kinds of run the apps start, each with what one of its batches does."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from pmo.models import Organization

#: One batch's work: the organisation and the batch's payload in, effects in the database out.
BatchHandler = Callable[["Organization", Mapping[str, Any]], object]
#: A batch's payload told to people in a few words ("100 projects"), in the active language.
BatchDescriber = Callable[[Mapping[str, Any]], str]


@dataclass(frozen=True)
class RunKind:
    """A kind of run: its code (kept in the database), its label and what one batch does.

    ``atomic``: the batch's work is one transaction, and its "done" is written in that same
    transaction, under a lock of the batch's row, so a copy of the batch sent twice runs once. A
    kind whose work commits in steps (a round at a time) leaves ``atomic`` off: its work must then
    find what an earlier attempt already did (every handler must be idempotent in any case).
    """

    code: str
    label: StrOrPromise
    handle: BatchHandler
    atomic: bool = False
    describe: BatchDescriber | None = None


class RunKindRegistry:
    def __init__(self) -> None:
        self._kinds: dict[str, RunKind] = {}

    def register(self, kind: RunKind) -> RunKind:
        known = self._kinds.get(kind.code)
        if known is not None and known != kind:
            raise ImproperlyConfigured(f"The run kind {kind.code!r} is registered twice.")
        self._kinds[kind.code] = kind
        return kind

    def unregister(self, code: str) -> None:
        self._kinds.pop(code, None)

    def __getitem__(self, code: str) -> RunKind:
        return self._kinds[code]

    def __contains__(self, code: object) -> bool:
        return code in self._kinds

    def __iter__(self) -> Iterator[RunKind]:
        return iter(sorted(self._kinds.values(), key=lambda kind: kind.code))

    def get(self, code: str) -> RunKind | None:
        return self._kinds.get(code)

    def label(self, code: str) -> str:
        """The kind's label in the active language; the code of a kind no longer registered."""
        kind = self._kinds.get(code)
        return code if kind is None else str(kind.label)

    @property
    def choices(self) -> list[tuple[str, str]]:
        return [(kind.code, str(kind.label)) for kind in self]

    def describe(self, code: str, payload: Mapping[str, Any]) -> str:
        """The batch's payload in a few words, or nothing when the kind does not say."""
        kind = self._kinds.get(code)
        if kind is None or kind.describe is None:
            return ""
        return kind.describe(payload)


run_kinds = RunKindRegistry()
