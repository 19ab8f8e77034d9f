"""What an organisation sees of the runs: its own part of each, counted from its own batches.

A run over every organisation (the beat's) has batches in many; an organisation's PMO sees the
run's kind and start, and the progress, status and batches of its own organisation only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet

from pmo.models import BatchStatus, Organization, Run, RunBatch, RunStatus


def organization_runs(organization: Organization, *, kind: str | None = None) -> QuerySet[Run]:
    """The runs with batches in the organisation, newest first, with the organisation's part counted.

    Each run carries ``part_batches``, ``part_done`` and ``part_failed`` (its batches in the
    organisation) and ``part_reported_at`` (their last report): one query, grouped by run.
    """
    # The filter comes first, so the counts below go over the organisation's batches only.
    runs = Run.objects.filter(batches__organization=organization)
    if kind:
        runs = runs.filter(kind=kind)
    return (
        runs.annotate(
            part_batches=Count("batches"),
            part_done=Count("batches", filter=Q(batches__status=BatchStatus.DONE)),
            part_failed=Count("batches", filter=Q(batches__status=BatchStatus.FAILED)),
            part_reported_at=Max("batches__reported_at"),
        )
        .select_related("started_by")
        .order_by("-started_at", "-pk")
    )


def run_batches(organization: Organization, run: Run) -> QuerySet[RunBatch]:
    return RunBatch.objects.for_organization(organization).filter(run=run).order_by("pk")


@dataclass(frozen=True)
class RunPart:
    """One organisation's part of a run, from the annotations of ``organization_runs``."""

    batches: int
    done: int
    failed: int
    started_at: dt.datetime
    reported_at: dt.datetime | None

    @classmethod
    def of(cls, run: Run) -> RunPart:
        return cls(
            run.part_batches,  # type: ignore[attr-defined]
            run.part_done,  # type: ignore[attr-defined]
            run.part_failed,  # type: ignore[attr-defined]
            run.started_at,
            run.part_reported_at,  # type: ignore[attr-defined]
        )

    @property
    def unfinished(self) -> int:
        return self.batches - self.done - self.failed

    @property
    def status(self) -> RunStatus:
        """Running while a batch has not reported; then complete, or failed if one gave up."""
        if self.unfinished:
            return RunStatus.RUNNING
        return RunStatus.FAILED if self.failed else RunStatus.COMPLETE

    @property
    def finished_at(self) -> dt.datetime | None:
        return None if self.unfinished else self.reported_at

    @property
    def duration(self) -> dt.timedelta | None:
        """From the run's start to the last report of the organisation's batches, once they all reported."""
        finished = self.finished_at
        return None if finished is None else max(finished - self.started_at, dt.timedelta(0))
