"""Celery tasks of the maintenance app: ids in, one service call."""

from __future__ import annotations

from django.db import InterfaceError, OperationalError

from pmo.celery import app

# Lost connections and deadlocks are worth another try; anything else is a bug to see.
TRANSIENT = (OperationalError, InterfaceError)


@app.task(name="maintenance.generate_rounds", tenant_scoped=False, acks_late=True, ignore_result=True)
def generate_rounds() -> None:
    """Queue the round generation of every organisation (beat runs it every hour: each organisation's
    day begins in its own time zone, and a run that finds its rounds made changes nothing)."""
    from pmo.models import Organization

    for organization_id in Organization.objects.order_by("pk").values_list("pk", flat=True):
        generate_rounds_org.delay(organization_id=organization_id)


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
def generate_preventive() -> None:
    """Queue the preventive generation of every organisation (beat runs it every hour: each
    organisation's day begins in its own time zone, and a run that finds its work orders made
    changes nothing)."""
    from pmo.models import Organization

    for organization_id in Organization.objects.order_by("pk").values_list("pk", flat=True):
        generate_preventive_org.delay(organization_id=organization_id)


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
def sync_alerts() -> None:
    """Queue the maintenance alerts of every organisation (beat: every quarter of an hour, for SLA clocks)."""
    from pmo.models import Organization

    for organization_id in Organization.objects.order_by("pk").values_list("pk", flat=True):
        sync_alerts_org.delay(organization_id=organization_id)


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
