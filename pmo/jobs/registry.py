"""The kinds of job the apps offer, each with what it does (``JobKind``), and what a handler is given."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from pmo.jobs.context import JobContext


@dataclass
class JobOutcome:
    """What a handler hands back: a result file (an export, a PDF), a report, a page to go to.

    ``report`` is JSON shown on the job's page and returned by the API (counts, warnings);
    ``link`` is a page of the application to go to afterwards (the imported project).
    """

    content: bytes | None = None
    filename: str = ""
    content_type: str = ""
    report: dict[str, Any] = field(default_factory=dict)
    link: str = ""


#: A job's work: its context in, its outcome out. Raises ApplicationError for what the user got wrong.
JobHandler = Callable[["JobContext"], JobOutcome]


@dataclass(frozen=True)
class JobKind:
    """A kind of job: its code (kept in the database), its label (shown to people) and its handler."""

    code: str
    label: StrOrPromise
    handle: JobHandler


class JobKindRegistry:
    def __init__(self) -> None:
        self._kinds: dict[str, JobKind] = {}

    def register(self, kind: JobKind) -> JobKind:
        known = self._kinds.get(kind.code)
        if known is not None and known != kind:
            raise ImproperlyConfigured(f"The job kind {kind.code!r} is registered twice.")
        if len(kind.code) > 60:
            raise ImproperlyConfigured(f"The job kind {kind.code!r} is longer than 60 characters.")
        self._kinds[kind.code] = kind
        return kind

    def unregister(self, code: str) -> None:
        self._kinds.pop(code, None)

    def __getitem__(self, code: str) -> JobKind:
        return self._kinds[code]

    def __contains__(self, code: object) -> bool:
        return code in self._kinds

    def __iter__(self) -> Iterator[JobKind]:
        return iter(sorted(self._kinds.values(), key=lambda kind: kind.code))

    def get(self, code: str) -> JobKind | None:
        return self._kinds.get(code)

    def label(self, code: str) -> str:
        """The kind's label in the active language; the code of a kind no longer registered."""
        kind = self._kinds.get(code)
        return code if kind is None else str(kind.label)

    @property
    def choices(self) -> list[tuple[str, str]]:
        return [(kind.code, str(kind.label)) for kind in self]


job_kinds = JobKindRegistry()
