"""Celery tasks of the maintenance app: ids in, one service call.

The beat's tasks start runs of recorded batches (``maintenance.runs``); the ``*_org`` tasks do
one organisation's work at once, outside any run.
"""

from __future__ import annotations

from django.db import InterfaceError, OperationalError

from pmo.celery import app

# Lost connections and deadlocks are worth another try; anything else is a bug to see.
TRANSIENT = (OperationalError, InterfaceError)


@app.task(name="maintenance.generate_rounds", tenant_scoped=False, acks_late=True, ignore_result=True)
def generate_rounds() -> int:
    """Start the round generation of every organisation, one recorded batch each (beat runs it every
    hour: each organisation's day begins in its own time zone, and a run that finds its rounds made
    changes nothing); the run's id."""
    from maintenance.runs import ROUNDS
    from pmo.runs.services import run_start_per_organization

    return run_start_per_organization(kind=ROUNDS).pk


@app.task(
    name="maintenance.generate_rounds_org",
    acks_late=True,
    ignore_result=True,
    autoretry_for=TRANSIENT,
    retry_backoff=10,
    max_retries=5,
)
def generate_rounds_org(*, organization_id: int) -> int:
    """Make one organisation's inspection rounds due for its today; a redelivery makes none twice."""
    from maintenance.generation import generate_rounds as generate
    from pmo.models import Organization

    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return 0
    return generate(organization=organization, today=organization.today()).rounds


@app.task(name="maintenance.generate_preventive", tenant_scoped=False, acks_late=True, ignore_result=True)
def generate_preventive() -> int:
    """Start the preventive generation of every organisation, one recorded batch each (beat runs it
    every hour: each organisation's day begins in its own time zone, and a run that finds its work
    orders made changes nothing); the run's id."""
    from maintenance.runs import PREVENTIVE
    from pmo.runs.services import run_start_per_organization

    return run_start_per_organization(kind=PREVENTIVE).pk


@app.task(
    name="maintenance.generate_preventive_org",
    acks_late=True,
    ignore_result=True,
    autoretry_for=TRANSIENT,
    retry_backoff=10,
    max_retries=5,
)
def generate_preventive_org(*, organization_id: int) -> int:
    """Make one organisation's preventive work orders due by its today; a redelivery makes none twice."""
    from maintenance.services.preventive import generate_preventive as generate
    from pmo.models import Organization

    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return 0
    return generate(organization=organization, today=organization.today()).made


@app.task(name="maintenance.sync_alerts", tenant_scoped=False, acks_late=True, ignore_result=True)
def sync_alerts() -> int:
    """Start the maintenance alerts of every organisation, one recorded batch each (beat: every quarter
    of an hour, for SLA clocks); the run's id."""
    from maintenance.runs import ALERTS
    from pmo.runs.services import run_start_per_organization

    return run_start_per_organization(kind=ALERTS).pk


@app.task(
    name="maintenance.sync_alerts_org",
    acks_late=True,
    ignore_result=True,
    autoretry_for=TRANSIENT,
    retry_backoff=10,
    max_retries=5,
)
def sync_alerts_org(*, organization_id: int) -> int:
    """Raise, update and resolve one organisation's maintenance alerts; idempotent."""
    from maintenance.alert_kinds import maintenance_alerts_sync
    from pmo.models import Organization

    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return 0
    return maintenance_alerts_sync(organization=organization).opened
