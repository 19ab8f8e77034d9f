"""Celery tasks of the risks app: ids in, one service call."""

from __future__ import annotations

from django.db import InterfaceError, OperationalError

from pmo.celery import app

# Lost connections and deadlocks are worth another try; anything else is a bug to see.
TRANSIENT = (OperationalError, InterfaceError)


@app.task(
    name="risks.run_monte_carlo",
    acks_late=True,
    ignore_result=True,
    autoretry_for=TRANSIENT,
    retry_backoff=5,
    max_retries=3,
)
def run_monte_carlo(*, organization_id: int, run_id: int) -> None:
    """Execute a queued Monte Carlo run; a run already taken or finished is left as it is."""
    from risks.services.analysis import monte_carlo_execute

    monte_carlo_execute(organization_id=organization_id, run_id=run_id)
