"""Variance runs: started as runs of recorded batches (``finance.runs``), and one batch of projects now."""

from __future__ import annotations

import datetime as dt

from django.db import InterfaceError, OperationalError

from pmo.celery import app

# Lost connections and deadlocks are worth another try; anything else is a bug to see.
TRANSIENT = (OperationalError, InterfaceError)


@app.task(name="finance.run_variance_all", tenant_scoped=False, acks_late=True, ignore_result=True)
def run_variance_all(as_of: str | None = None) -> int:
    """The nightly run over every organisation, its batches recorded (``finance.runs``); the run's id."""
    from finance.runs import variance_start

    return variance_start(organization=None, as_of=as_of).pk


@app.task(
    name="finance.run_variance_org",
    acks_late=True,
    ignore_result=True,
    autoretry_for=TRANSIENT,
    retry_backoff=10,
    max_retries=5,
)
def run_variance_org(*, organization_id: int, as_of: str | None = None, batch_size: int | None = None) -> int:
    """Start one organisation's variance run (its batches recorded, see ``finance.runs``); the run's id."""
    from finance.runs import variance_start
    from finance.variance import BATCH_SIZE
    from pmo.models import Organization

    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return 0
    return variance_start(organization=organization, as_of=as_of, batch_size=batch_size or BATCH_SIZE).pk


@app.task(
    name="finance.run_variance_batch",
    acks_late=True,
    ignore_result=True,
    autoretry_for=TRANSIENT,
    retry_backoff=10,
    max_retries=5,
)
def run_variance_batch(*, organization_id: int, project_ids: list[int], as_of: str | None = None) -> int:
    """Snapshots and alerts of some projects now (after a change to them), outside any run; idempotent."""
    from finance.variance import variance_run_batch
    from pmo.models import Organization

    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return 0
    day = dt.date.fromisoformat(as_of) if as_of else organization.today()
    return variance_run_batch(organization=organization, project_ids=project_ids, as_of=day).snapshots
