from __future__ import annotations

from pmo.celery import app


@app.task(name="projects.reschedule_calendar_projects", acks_late=True)
def reschedule_calendar_projects(*, organization_id: int, calendar_id: int) -> int:
    """Reschedule the open projects planned on a calendar that changed."""
    from projects.services.plan import reschedule_calendar_projects as reschedule

    return reschedule(organization_id=organization_id, calendar_id=calendar_id)
