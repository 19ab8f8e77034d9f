"""Variance runs: fan out per organisation, then per batch of projects."""

from __future__ import annotations

import datetime as dt

from django.db import InterfaceError, OperationalError, transaction

from pmo.celery import app

# Lost connections and deadlocks are worth another try; anything else is a bug to see.
TRANSIENT = (OperationalError, InterfaceError)


@app.task(name="finance.run_variance_all", tenant_scoped=False, acks_late=True, ignore_result=True)
def run_variance_all(as_of: str | None = None) -> None:
    """The nightly run: one task per organisation."""
    from pmo.models import Organization

    for organization_id in Organization.objects.order_by("pk").values_list("pk", flat=True):
        run_variance_org.delay(organization_id=organization_id, as_of=as_of)


@app.task(
    name="finance.run_variance_org",
    acks_late=True,
    ignore_result=True,
    autoretry_for=TRANSIENT,
    retry_backoff=10,
    max_retries=5,
)
def run_variance_org(*, organization_id: int, as_of: str | None = None, batch_size: int | None = None) -> int:
    """Queue one batch task per ``batch_size`` open projects, then resolve the alerts of closed ones."""
    from finance.variance import BATCH_SIZE, batches, open_project_ids
    from pmo.alerts.services import alerts_resolve_closed_projects
    from pmo.models import Organization

    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return 0
    day = as_of or organization.today().isoformat()
    ids = open_project_ids(organization)
    queued = 0
    for batch in batches(ids, batch_size or BATCH_SIZE):
        run_variance_batch.delay(organization_id=organization_id, project_ids=batch, as_of=day)
        queued += 1
    with transaction.atomic():
        alerts_resolve_closed_projects(organization=organization, open_project_ids=ids)
    return queued


@app.task(
    name="finance.run_variance_batch",
    acks_late=True,
    ignore_result=True,
    autoretry_for=TRANSIENT,
    retry_backoff=10,
    max_retries=5,
)
def run_variance_batch(*, organization_id: int, project_ids: list[int], as_of: str | None = None) -> int:
    """Snapshots and alerts of one batch of projects; idempotent, so a redelivery changes nothing."""
    from finance.variance import variance_run_batch
    from pmo.models import Organization

    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return 0
    day = dt.date.fromisoformat(as_of) if as_of else organization.today()
    return variance_run_batch(organization=organization, project_ids=project_ids, as_of=day).snapshots
