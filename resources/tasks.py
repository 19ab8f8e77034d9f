"""Celery tasks of the resources app: ids in, one service call."""

from __future__ import annotations

from django.db import InterfaceError, OperationalError

from pmo.celery import app

# Lost connections and deadlocks are worth another try; anything else is a bug to see.
TRANSIENT = (OperationalError, InterfaceError)


@app.task(name="resources.timesheet_reminders", tenant_scoped=False, acks_late=True, ignore_result=True)
def timesheet_reminders() -> int:
    """Start the timesheet reminders of every organisation, one recorded batch each (beat runs it every
    hour; see ``resources.runs``); the run's id."""
    from pmo.runs.services import run_start_per_organization
    from resources.runs import TIMESHEET_REMINDERS

    return run_start_per_organization(kind=TIMESHEET_REMINDERS).pk


@app.task(
    name="resources.timesheet_reminders_org",
    acks_late=True,
    ignore_result=True,
    autoretry_for=TRANSIENT,
    retry_backoff=10,
    max_retries=5,
)
def timesheet_reminders_org(*, organization_id: int) -> int:
    """Remind the people of one organisation whose last week is overdue; a redelivery reminds nobody twice.

    The same hourly run raises (and resolves) the alerts on lines outside any project that wait
    for the resource office: the variance run sees only projects.
    """
    from pmo.models import Organization
    from resources.alert_kinds import office_approvals_sync
    from resources.services.reminders import timesheet_reminders_send

    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return 0
    sent = timesheet_reminders_send(organization=organization)
    office_approvals_sync(organization=organization)
    return sent
