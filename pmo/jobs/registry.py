"""The kinds of job the apps offer, each with what it does (``JobKind``), and what a handler is given."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pmo.kinds import KindRegistry

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


class JobKindRegistry(KindRegistry[JobKind]):
    def __init__(self) -> None:
        super().__init__("job kind")


job_kinds = JobKindRegistry()
