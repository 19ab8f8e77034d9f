"""What a job's handler is given: the job, its organisation, its requester, its payload and upload,
and a progress meter cheap enough to call for every row."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from django.db import DatabaseError, connection, connections
from django.utils import timezone
from django.utils.translation import gettext as _

from pmo.errors import ApplicationError
from pmo.jobs import storage
from pmo.models import Job, JobStatus

if TYPE_CHECKING:
    from pmo.models import Organization, User

logger = logging.getLogger(__name__)

#: Progress is written at most this often (seconds), and only when the percentage moved ...
PROGRESS_INTERVAL = 0.5
#: ... except a jump of this many points, written at once: a handler's coarse step before a long one
#: (the write after a quick read) must show, and there are at most 100 / PROGRESS_STEP of them.
PROGRESS_STEP = 10
#: ... or this long after the last write, so that a long step still tells the sweeper it is alive.
HEARTBEAT_INTERVAL = 60.0


def percent_of(done: int, total: int) -> int:
    """Whole percent of ``done`` out of ``total``, at most 99: 100 is the job's end, not its last row."""
    if total <= 0:
        return 0
    return max(0, min(99, (100 * done) // total))


class JobContext:
    """A running job as its handler sees it (``job``, ``organization``, ``user``, ``payload``).

    ``progress(done, total)`` may be called for every row: it writes at most every
    ``PROGRESS_INTERVAL`` seconds and only when the whole percentage moved (a jump of
    ``PROGRESS_STEP`` points or more at once). The handler's own
    transaction (an all-or-nothing import) would hide a write on its connection until it commits,
    so inside one the write goes through a connection of its own, in a thread of its own, and
    commits at once: a poller sees the bar move while the import is still uncommitted.
    """

    def __init__(self, job: Job, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.job = job
        self.organization: Organization = job.organization
        self.user: User | None = job.requested_by
        self.payload: dict[str, Any] = job.payload
        self._clock = clock
        self._last_write = clock()
        self._last_percent = job.percent
        self._side: ThreadPoolExecutor | None = None
        self.writes = 0

    def requester(self) -> User:
        """Who started the job, to act as; a job whose requester was deleted since fails with that."""
        if self.user is None:
            raise ApplicationError(_("The person who started this job no longer exists."), code="job_requester_gone")
        return self.user

    def upload(self) -> bytes:
        """The file the job was started with."""
        if not self.job.upload_key:
            raise ApplicationError(_("This job was started without a file."), code="job_upload_missing")
        return storage.read(self.job.upload_key)

    def progress(self, done: int, total: int) -> None:
        percent = percent_of(done, total)
        now = self._clock()
        elapsed = now - self._last_write
        if elapsed < PROGRESS_INTERVAL and percent - self._last_percent < PROGRESS_STEP:
            return
        if percent <= self._last_percent and elapsed < HEARTBEAT_INTERVAL:
            return
        self._last_write, self._last_percent = now, max(percent, self._last_percent)
        self.writes += 1
        values = {"percent": self._last_percent, "reported_at": timezone.now()}
        if self._in_transaction():
            if self._side is None:
                self._side = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"job-{self.job.pk}-progress")
            self._side.submit(self._write, values)
        else:
            self._write(values)

    def _in_transaction(self) -> bool:
        return bool(connection.in_atomic_block)

    def _write(self, values: dict[str, Any]) -> None:
        try:
            Job.objects.for_organization(self.job.organization_id).filter(
                pk=self.job.pk, status=JobStatus.RUNNING, attempts=self.job.attempts
            ).update(**values)
        except DatabaseError:
            # Progress is a courtesy: a locked or lost connection must not fail the job itself.
            logger.warning("The progress of job %s could not be written.", self.job.pk, exc_info=True)

    def close(self) -> None:
        """Wait for the last progress write and close the side thread's connection."""
        if self._side is not None:
            self._side.submit(connections.close_all)
            self._side.shutdown(wait=True)
            self._side = None
