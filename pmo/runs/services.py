"""Starting a run, running one of its batches, and the sweeper (see ``pmo.runs``)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import Case, Count, Exists, F, OuterRef, Q, TextField, Value, When
from django.utils import timezone

from pmo import queueing
from pmo.audit import audit_record
from pmo.models import UNFINISHED, BatchStatus, Organization, Run, RunBatch, RunStatus
from pmo.runs.registry import run_kinds
from pmo.tenancy import outside_tenant_scope

if TYPE_CHECKING:
    from pmo.models import User

logger = logging.getLogger(__name__)

#: Batches the sweeper looks at in one pass, and finished runs it deletes in one pass.
SWEEP_LIMIT = 1000
PRUNE_LIMIT = 100
ERROR_LENGTH = 2000


@dataclass(frozen=True)
class BatchPlan:
    """One batch to record: its organisation, its key in the run, and what its handler is given (JSON)."""

    organization_id: int
    key: str
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass
class SweepResult:
    sent: int = 0
    given_up: int = 0
    settled: int = 0
    deleted: int = 0


def run_start(
    *,
    kind: str,
    batches: Iterable[BatchPlan],
    organization: Organization | None = None,
    started_by: User | None = None,
) -> Run:
    """Record a run and all its batches in one transaction; their tasks are sent once it commits.

    ``organization`` is None for a run over every organisation. A broker that is down raises
    nothing here: the batches wait, queued, and the sweeper sends them. A run started by a person
    is in the organisation's audit trail.
    """
    if kind not in run_kinds:
        raise ValueError(f"No app registers the run kind {kind!r}.")
    plans = list(batches)
    if organization is not None and any(plan.organization_id != organization.pk for plan in plans):
        raise ValueError("The batches of one organisation's run belong to that organisation.")
    now = timezone.now()
    with transaction.atomic():
        run = Run.objects.create(
            kind=kind, organization=organization, started_by=started_by, started_at=now, batch_count=len(plans)
        )
        rows = RunBatch.objects.bulk_create(
            [
                RunBatch(
                    organization_id=plan.organization_id, run=run, key=plan.key, payload=plan.payload, queued_at=now
                )
                for plan in plans
            ]
        )
        if not rows:
            # Nothing to do (no organisation yet): complete as soon as it starts.
            run.status, run.finished_at = RunStatus.COMPLETE, now
            run.save(update_fields=["status", "finished_at"])
        if started_by is not None and organization is not None:
            audit_record(
                organization=organization,
                actor=started_by,
                action="run.start",
                target=run,
                changes={"kind": kind, "batches": len(rows)},
            )
        queued = [(row.organization_id, row.pk) for row in rows]
        transaction.on_commit(lambda: batches_send(queued))
    return run


def run_start_per_organization(*, kind: str) -> Run:
    """A run over every organisation with one batch each (the beat's hourly and daily work)."""
    ids = Organization.objects.order_by("pk").values_list("pk", flat=True)
    return run_start(kind=kind, batches=[BatchPlan(organization_id, "organisation") for organization_id in ids])


def batches_send(batches: Iterable[tuple[int, int]]) -> int:
    """Send the tasks of ``(organization_id, batch_id)`` pairs; how many the broker took.

    Stops at the first the broker refuses, without waiting for it (``pmo.queueing.send_now``): the
    rest wait in the database, queued, for the sweeper. Nothing is raised to the caller, whose
    transaction has committed. The queue is declared anew first (``pmo.queueing.declare_queue``).
    """
    from pmo.tasks import run_batch

    pending = list(batches)
    sent = 0
    if pending and queueing.declare_queue(run_batch):
        for organization_id, batch_id in pending:
            if not queueing.send_now(run_batch, organization_id=organization_id, batch_id=batch_id):
                break
            sent += 1
    if sent < len(pending):
        logger.warning("The broker took %s of %s batches: the rest wait for the sweeper.", sent, len(pending))
    return sent


def batch_run(*, organization_id: int, batch_id: int) -> bool:
    """Run one batch: mark it running, do its work, mark it done. False when there was nothing to do.

    A batch already done or failed (a copy sent again by the sweeper, a redelivery) is left alone.
    The work of an atomic kind and its "done" are one transaction under the batch's row lock, so
    two copies at once run it once. An error is recorded on the batch and raised again; the batch
    fails once it has been started ``PMO_RUN_MAX_ATTEMPTS`` times.
    """
    batches = RunBatch.objects.for_organization(organization_id).filter(pk=batch_id)
    now = timezone.now()
    started = batches.filter(status__in=UNFINISHED).update(
        status=BatchStatus.RUNNING, attempts=F("attempts") + 1, started_at=now, reported_at=now
    )
    if not started:
        return False
    batch = batches.select_related("organization", "run").get()
    kind = run_kinds.get(batch.run.kind)
    if kind is None:
        _give_up(batch, f"No app registers the run kind {batch.run.kind!r} any more.")
        return False
    try:
        if kind.atomic:
            with transaction.atomic():
                status = batches.select_for_update(no_key=True).values_list("status", flat=True).first()
                if status != BatchStatus.RUNNING:
                    return False  # another copy finished it while this one waited for the lock
                kind.handle(batch.organization, batch.payload)
                _report_done(batch)
        else:
            kind.handle(batch.organization, batch.payload)
            with transaction.atomic():
                _report_done(batch)
    except Exception as error:
        _report_error(batch, error)
        raise
    return True


def _report_done(batch: RunBatch) -> None:
    done = (
        RunBatch.objects.for_organization(batch.organization_id)
        .filter(pk=batch.pk, status__in=UNFINISHED)
        .update(status=BatchStatus.DONE, reported_at=timezone.now())
    )
    if done:
        _settle(batch.run_id)


def _report_error(batch: RunBatch, error: BaseException) -> None:
    """Keep the error on the batch; fail it (and maybe its run) if that was its last attempt."""
    text = f"{type(error).__name__}: {error}"[:ERROR_LENGTH]
    try:
        if batch.attempts >= settings.PMO_RUN_MAX_ATTEMPTS:
            _give_up(batch, text)
            return
        RunBatch.objects.for_organization(batch.organization_id).filter(pk=batch.pk, status__in=UNFINISHED).update(
            reported_at=timezone.now(), error=text
        )
    except DatabaseError:
        # The database is what failed: the batch stays unfinished and the sweeper sends it again.
        logger.exception("The error of batch %s could not be recorded.", batch.pk)


def _give_up(batch: RunBatch, error: str) -> None:
    with transaction.atomic():
        failed = (
            RunBatch.objects.for_organization(batch.organization_id)
            .filter(pk=batch.pk, status__in=UNFINISHED)
            .update(status=BatchStatus.FAILED, reported_at=timezone.now(), error=error[:ERROR_LENGTH])
        )
        if failed:
            _settle(batch.run_id)


def _settle(run_id: int, *, skip_locked: bool = False) -> bool:
    """Finish the run if none of its batches is left unfinished; inside the caller's transaction.

    The run's row is locked first, so of two batches reporting at once the second sees the first.
    """
    run = (
        Run.objects.select_for_update(no_key=True, skip_locked=skip_locked)
        .filter(pk=run_id, status=RunStatus.RUNNING)
        .first()
    )
    if run is None:
        return False
    # A batch's task runs in its organisation's scope; the run's batches may be in every organisation.
    with outside_tenant_scope():
        batches = RunBatch.objects.unscoped().filter(run_id=run_id)
        if batches.filter(status__in=UNFINISHED).exists():
            return False
        counts = batches.aggregate(
            done=Count("pk", filter=Q(status=BatchStatus.DONE)),
            failed=Count("pk", filter=Q(status=BatchStatus.FAILED)),
        )
    run.done_count, run.failed_count = counts["done"], counts["failed"]
    run.status = RunStatus.FAILED if run.failed_count else RunStatus.COMPLETE
    run.finished_at = timezone.now()
    run.save(update_fields=["done_count", "failed_count", "status", "finished_at"])
    return True


def runs_sweep(*, now: dt.datetime | None = None) -> SweepResult:
    """Send again the batches that have not reported within ``PMO_RUN_STALE_SECONDS``; fail those out of attempts.

    A batch is stale when it was queued (or sent again) that long ago and no worker has started
    it, or a worker started it that long ago and has not reported since. A batch whose work holds
    its row (an atomic kind, running) is skipped. Then runs with nothing left unfinished are
    finished, and runs finished more than ``PMO_RUN_KEEP_DAYS`` ago deleted.
    """
    now = now or timezone.now()
    with outside_tenant_scope():
        return _sweep(now)


def _sweep(now: dt.datetime) -> SweepResult:
    stale_before = now - dt.timedelta(seconds=settings.PMO_RUN_STALE_SECONDS)
    result = SweepResult()
    with transaction.atomic():
        stale = list(
            RunBatch.objects.unscoped()
            .filter(
                Q(status=BatchStatus.QUEUED, queued_at__lt=stale_before)
                | Q(status=BatchStatus.RUNNING, reported_at__lt=stale_before)
            )
            .select_for_update(of=("self",), no_key=True, skip_locked=True)
            .order_by("queued_at", "pk")
            .only("pk", "organization_id", "run_id", "attempts")[:SWEEP_LIMIT]
        )
        exhausted = [batch.pk for batch in stale if batch.attempts >= settings.PMO_RUN_MAX_ATTEMPTS]
        again = [(batch.organization_id, batch.pk) for batch in stale if batch.attempts < settings.PMO_RUN_MAX_ATTEMPTS]
        if exhausted:
            gave_up = f"Given up after {settings.PMO_RUN_MAX_ATTEMPTS} attempts without a report."
            result.given_up = (
                RunBatch.objects.unscoped()
                .filter(pk__in=exhausted)
                .update(
                    status=BatchStatus.FAILED,
                    reported_at=now,
                    error=Case(When(error="", then=Value(gave_up)), default=F("error"), output_field=TextField()),
                )
            )
        if again:
            RunBatch.objects.unscoped().filter(pk__in=[pk for _organization, pk in again]).update(
                status=BatchStatus.QUEUED, queued_at=now
            )
            result.sent = len(again)
            transaction.on_commit(lambda: batches_send(again))
    result.settled = _settle_idle_runs()
    result.deleted = _prune(now)
    if result.sent or result.given_up:
        logger.warning("Runs sweeper: %s batches sent again, %s given up.", result.sent, result.given_up)
    return result


def _settle_idle_runs() -> int:
    """Finish the running runs none of whose batches is unfinished (failed ones; an organisation deleted)."""
    unfinished = RunBatch.objects.unscoped().filter(run=OuterRef("pk"), status__in=UNFINISHED)
    idle = list(
        Run.objects.filter(status=RunStatus.RUNNING)
        .exclude(Exists(unfinished))
        .order_by("pk")
        .values_list("pk", flat=True)[:SWEEP_LIMIT]
    )
    settled = 0
    for run_id in idle:
        with transaction.atomic():
            settled += _settle(run_id, skip_locked=True)
    return settled


def _prune(now: dt.datetime) -> int:
    keep_from = now - dt.timedelta(days=settings.PMO_RUN_KEEP_DAYS)
    old = list(
        Run.objects.filter(finished_at__lt=keep_from).order_by("finished_at").values_list("pk", flat=True)[:PRUNE_LIMIT]
    )
    if not old:
        return 0
    with transaction.atomic():
        RunBatch.objects.unscoped().filter(run_id__in=old).delete()
        deleted, _by_model = Run.objects.filter(pk__in=old).delete()
    return deleted
