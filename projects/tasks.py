from __future__ import annotations

from pmo.celery import app


@app.task(name="projects.reschedule_calendar_projects", acks_late=True)
def reschedule_calendar_projects(*, organization_id: int, calendar_id: int) -> int:
    """Reschedule the open projects planned on a calendar that changed."""
    from projects.services.plan import reschedule_calendar_projects as reschedule

    return reschedule(organization_id=organization_id, calendar_id=calendar_id)


@app.task(name="projects.reschedule_stale_all", tenant_scoped=False, acks_late=True, ignore_result=True)
def reschedule_stale_all() -> int:
    """The nightly move of unfinished work left in the past: a run with one recorded batch per
    organisation (``projects.runs``); the run's id."""
    from pmo.runs.services import run_start_per_organization
    from projects.runs import RESCHEDULE_STALE

    return run_start_per_organization(kind=RESCHEDULE_STALE).pk


@app.task(name="projects.reschedule_stale_projects", acks_late=True, ignore_result=True)
def reschedule_stale_projects(*, organization_id: int) -> int:
    """Reschedule an organisation's projects under way whose unfinished work lies before today."""
    from projects.services.schedule import reschedule_stale_projects as reschedule

    return reschedule(organization_id=organization_id)
