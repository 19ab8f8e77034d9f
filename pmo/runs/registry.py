"""The kinds of run the apps start, each with what one of its batches does."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pmo.kinds import KindRegistry

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


class RunKindRegistry(KindRegistry[RunKind]):
    def __init__(self) -> None:
        super().__init__("run kind")

    def describe(self, code: str, payload: Mapping[str, Any]) -> str:
        """The batch's payload in a few words, or nothing when the kind does not say."""
        kind = self._kinds.get(code)
        if kind is None or kind.describe is None:
            return ""
        return kind.describe(payload)


run_kinds = RunKindRegistry()
