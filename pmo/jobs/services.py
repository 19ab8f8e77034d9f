"""Starting a job, running it on a worker (or here), and the sweeper: lost workers and expired results."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from pmo.audit import audit_record
from pmo.errors import ApplicationError
from pmo.jobs import storage
from pmo.jobs.context import JobContext
from pmo.jobs.registry import JobOutcome, job_kinds
from pmo.models import JOB_UNFINISHED, Job, JobStatus, Organization
from pmo.queueing import queue_on_commit
from pmo.tenancy import outside_tenant_scope

if TYPE_CHECKING:
    from pmo.models import User

logger = logging.getLogger(__name__)

#: Lost connections and deadlocks are worth another try; anything else is a bug to see (``pmo.tasks``).
TRANSIENT = (OperationalError, InterfaceError)
#: Jobs the sweeper looks at, and expired jobs it deletes, in one pass.
SWEEP_LIMIT = 500
PRUNE_LIMIT = 200


def error_of(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    """A job's error as the API's error body says it (``pmo.errors.error_body`` without the wrapper)."""
    return {"code": code, "message": str(message), "fields": fields or {}}


def _server_error() -> dict[str, Any]:
    return error_of(
        "job_failed", _("The job stopped because of an error on the server. It has been logged; try again later.")
    )


def _kept_until(now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(days=settings.PMO_JOB_RESULT_DAYS)


def job_start(
    *,
    kind: str,
    organization: Organization,
    requested_by: User | None,
    payload: dict[str, Any] | None = None,
    upload: bytes | None = None,
    upload_name: str = "",
    inline: bool = False,
) -> Job:
    """Record a job (audited) with its upload stored, and run it here (``inline``) or on a worker.

    ``inline`` is for work the caller judged small: it runs now, in this process, and the job
    returned has ended. Otherwise the job is queued for a worker once the transaction commits
    (``pmo.queueing.queue_on_commit``: it waits in the database if the broker is down); with eager
    Celery (the quick start) it has then run by the time this returns, unless the caller's own
    transaction is still open. The job returned is as the database has it now.
    """
    if kind not in job_kinds:
        raise ValueError(f"No app registers the job kind {kind!r}.")
    upload_key = ""
    if upload is not None:
        upload_key = storage.store_bytes(storage.new_key(organization.pk, "upload"), upload)
    try:
        with transaction.atomic():
            job = Job.objects.create(
                organization=organization,
                kind=kind,
                requested_by=requested_by,
                payload=payload or {},
                upload_key=upload_key,
                upload_name=upload_name[:255],
                upload_size=len(upload or b""),
                language=translation.get_language() or "",
            )
            changes: dict[str, Any] = {"kind": kind, "inline": inline}
            if upload is not None:
                changes.update(upload=upload_name, size=len(upload))
            audit_record(organization=organization, actor=requested_by, action="job.start", target=job, changes=changes)
            if not inline:
                from pmo.tasks import run_job

                queue_on_commit(run_job, organization_id=organization.pk, job_id=job.pk)
    except BaseException:
        storage.remove(upload_key)
        raise
    if inline:
        job_execute(organization_id=organization.pk, job_id=job.pk, retry=False)
    job.refresh_from_db()
    return job


def job_execute(*, organization_id: int, job_id: int, retry: bool = True) -> bool:
    """Run a queued job: mark it running, call its kind's handler, keep its outcome. False if nothing to do.

    A job already running or ended (a copy of its task sent twice) is left alone. What the user got
    wrong (``ApplicationError``) fails the job with that error, kept as the API's error body; a
    lost database connection or a deadlock puts it back in the queue and is raised for the task to
    try again (``retry``; inline, it fails the job); any other error fails it with a generic message
    and is logged.
    """
    jobs = Job.objects.for_organization(organization_id).filter(pk=job_id)
    now = timezone.now()
    claimed = jobs.filter(status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, attempts=F("attempts") + 1, started_at=now, reported_at=now
    )
    if not claimed:
        return False
    job = jobs.select_related("organization", "requested_by").get()
    kind = job_kinds.get(job.kind)
    # The requester's language and clock: a report's times as the pages show them to them.
    requester = job.requested_by
    zone = requester.time_zone_in(job.organization) if requester is not None else job.organization.time_zone
    with translation.override(job.language or None), timezone.override(zone):
        if kind is None:
            _fail(job, error_of("job_kind_unknown", _("No part of the application does this kind of job any more.")))
            return True
        context = JobContext(job)
        try:
            outcome = kind.handle(context)
        except ApplicationError as error:
            context.close()
            _fail(job, error_of(error.code, error.message, error.fields))
            return True
        except TRANSIENT:
            context.close()
            if retry and job.attempts < settings.PMO_JOB_MAX_ATTEMPTS:
                logger.warning("Job %s met a transient error; it is queued again.", job.pk, exc_info=True)
                _back_to_queue(job)
                raise
            logger.exception("Job %s failed on its last attempt.", job.pk)
            _fail(job, _server_error())
            return True
        except Exception:
            context.close()
            logger.exception("Job %s (%s) failed.", job.pk, job.kind)
            _fail(job, _server_error())
            return True
        context.close()
        _finish(job, outcome)
    return True


def _mine(job: Job) -> Any:
    """The job's row while this attempt still owns it (the sweeper may have given it to another)."""
    return Job.objects.for_organization(job.organization_id).filter(
        pk=job.pk, status=JobStatus.RUNNING, attempts=job.attempts
    )


def _finish(job: Job, outcome: JobOutcome) -> None:
    result_key = ""
    if outcome.content is not None:
        result_key = storage.store_bytes(
            storage.new_key(job.organization_id, "result"), outcome.content, outcome.content_type
        )
    now = timezone.now()
    done = _mine(job).update(
        status=JobStatus.DONE,
        percent=100,
        reported_at=now,
        finished_at=now,
        expires_at=_kept_until(now),
        result_key=result_key,
        result_name=(outcome.filename or (f"{job.kind}-{job.pk}" if result_key else ""))[:255],
        result_type=(outcome.content_type or ("application/octet-stream" if result_key else ""))[:150],
        result_size=len(outcome.content or b""),
        report=outcome.report,
        link=outcome.link[:500],
    )
    if not done:
        # Another attempt owns the job now (this worker was taken for lost): its result counts.
        storage.remove(result_key)


def _fail(job: Job, error: dict[str, Any]) -> None:
    now = timezone.now()
    _mine(job).update(
        status=JobStatus.FAILED, reported_at=now, finished_at=now, expires_at=_kept_until(now), error=error
    )


def _back_to_queue(job: Job) -> None:
    try:
        _mine(job).update(status=JobStatus.QUEUED, queued_at=timezone.now())
    except DatabaseError:
        logger.exception("Job %s could not be queued again; the sweeper will.", job.pk)


@dataclass
class JobSweepResult:
    queued_again: int = 0
    given_up: int = 0
    deleted: int = 0


def jobs_sweep(*, now: dt.datetime | None = None) -> JobSweepResult:
    """Queue again the jobs whose worker was lost, fail those out of attempts, delete expired jobs.

    A job is lost when it was queued ``PMO_RUN_STALE_SECONDS`` ago and no worker started it, or a
    worker started it and has not reported (its progress is a heartbeat) for that long: the
    stale limit is above ``CELERY_TASK_TIME_LIMIT``, so such a worker is gone. A job started
    ``PMO_JOB_MAX_ATTEMPTS`` times fails with ``job_worker_lost``. Expired jobs (``expires_at``
    passed) are deleted, and their upload and result files after the commit.
    """
    now = now or timezone.now()
    with outside_tenant_scope():
        result = JobSweepResult()
        _sweep_lost(now, result)
        result.deleted = _prune(now)
    if result.queued_again or result.given_up:
        logger.warning("Jobs sweeper: %s jobs queued again, %s given up.", result.queued_again, result.given_up)
    return result


def _sweep_lost(now: dt.datetime, result: JobSweepResult) -> None:
    from pmo.tasks import run_job

    stale_before = now - dt.timedelta(seconds=settings.PMO_RUN_STALE_SECONDS)
    with transaction.atomic():
        lost = list(
            Job.objects.unscoped()
            .filter(
                Q(status=JobStatus.QUEUED, queued_at__lt=stale_before)
                | Q(status=JobStatus.RUNNING, reported_at__lt=stale_before)
            )
            .select_for_update(of=("self",), no_key=True, skip_locked=True)
            .order_by("queued_at", "pk")
            .only("pk", "organization_id", "attempts", "language")[:SWEEP_LIMIT]
        )
        for job in lost:
            if job.attempts >= settings.PMO_JOB_MAX_ATTEMPTS:
                with translation.override(job.language or None):
                    error = error_of(
                        "job_worker_lost",
                        _("The job was started %(attempts)d times and its worker stopped each time.")
                        % {"attempts": job.attempts},
                    )
                Job.objects.unscoped().filter(pk=job.pk).update(
                    status=JobStatus.FAILED, reported_at=now, finished_at=now, expires_at=_kept_until(now), error=error
                )
                result.given_up += 1
            else:
                Job.objects.unscoped().filter(pk=job.pk).update(status=JobStatus.QUEUED, queued_at=now)
                queue_on_commit(run_job, organization_id=job.organization_id, job_id=job.pk)
                result.queued_again += 1


def _prune(now: dt.datetime) -> int:
    expired = list(
        Job.objects.unscoped()
        .filter(expires_at__lt=now)
        .exclude(status__in=JOB_UNFINISHED)
        .order_by("expires_at")
        .values_list("pk", "upload_key", "result_key")[:PRUNE_LIMIT]
    )
    if not expired:
        return 0
    keys = [key for _pk, upload_key, result_key in expired for key in (upload_key, result_key) if key]
    with transaction.atomic():
        deleted, _by_model = Job.objects.unscoped().filter(pk__in=[pk for pk, *_keys in expired]).delete()
        transaction.on_commit(lambda: storage.remove(*keys), robust=True)
    return deleted
