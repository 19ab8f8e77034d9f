"""The task base every Celery task uses: queued on commit, run inside its organisation."""

from __future__ import annotations

import smtplib
from typing import Any

from celery.contrib.django.task import DjangoTask
from django.db import InterfaceError, OperationalError

from pmo.celery import app
from pmo.tenancy import tenant_scope


class MissingOrganizationError(ValueError):
    """A tenant task was queued without the organisation it belongs to."""


class OrganizationTask(DjangoTask):
    """Tasks carry ``organization_id`` as a keyword and run inside that tenant scope.

    A task that legitimately spans organisations (the nightly fan-out) is declared with
    ``tenant_scoped=False``.
    """

    abstract = True
    tenant_scoped = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not self.tenant_scoped:
            return super().__call__(*args, **kwargs)
        organization_id = kwargs.get("organization_id")
        if not isinstance(organization_id, int):
            raise MissingOrganizationError(
                f"Task {self.name} needs organization_id=<int> as a keyword argument; got {organization_id!r}."
            )
        with tenant_scope(organization_id):
            return super().__call__(*args, **kwargs)


@app.task(
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=8,
    acks_late=True,
)
def send_invitation_email(*, organization_id: int, invitation_id: int, base_url: str) -> None:
    from pmo.invitations import invitation_send_email
    from pmo.models import Invitation

    invitation = Invitation.objects.select_related("organization", "invited_by").filter(pk=invitation_id).first()
    if invitation is None or not invitation.is_open():
        return  # gone, answered or withdrawn: nothing left to send
    invitation_send_email(invitation=invitation, base_url=base_url)


@app.task(name="pmo.relay_outbox", tenant_scoped=False, acks_late=True, ignore_result=True)
def relay_outbox(*, link: int = 0) -> dict[str, int]:
    """Send the due outgoing messages of every organisation, and go on while any are due.

    Queued by the beat every few seconds and on commit after messages are written; a link that
    runs out of time with messages still due queues the next one (see ``relay_link``).
    """
    from pmo.alerts.delivery import relay_link

    result, again = relay_link(link=link)
    if again:
        from pmo.queueing import nudge_on_commit

        # The outbox is durable: with the broker down the beat's relay takes up what is left.
        nudge_on_commit(relay_outbox, link=link + 1)
    return {"sent": result.sent, "retrying": result.retrying, "failed": result.failed, "released": result.released}


@app.task(name="pmo.dispatch_queued_tasks", tenant_scoped=False, acks_late=True, ignore_result=True)
def dispatch_queued_tasks() -> dict[str, int]:
    """Send the tasks that waited in the database for the broker (beat runs it every 30 seconds)."""
    from pmo.queueing import dispatch_queued_tasks as dispatch

    result = dispatch()
    return {"sent": result.sent, "waiting": result.waiting}


@app.task(name="pmo.send_digests", tenant_scoped=False, acks_late=True, ignore_result=True)
def send_digests() -> int:
    """Start the digests' run: one batch per organisation (beat runs it daily; see ``pmo.runs``); its id."""
    from pmo.runs.kinds import DIGESTS
    from pmo.runs.services import run_start_per_organization

    return run_start_per_organization(kind=DIGESTS).pk


@app.task(name="pmo.queue_digest", acks_late=True, ignore_result=True)
def queue_digest(*, organization_id: int) -> None:
    from pmo.alerts.delivery import digests_queue
    from pmo.models import Organization

    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is not None:
        digests_queue(organization=organization)


# Lost connections and deadlocks are worth another try; anything else is a bug to see.
TRANSIENT = (OperationalError, InterfaceError)


@app.task(
    name="pmo.run_batch",
    acks_late=True,
    ignore_result=True,
    autoretry_for=TRANSIENT,
    retry_backoff=10,
    max_retries=5,
)
def run_batch(*, organization_id: int, batch_id: int) -> bool:
    """One batch of a run (``pmo.runs``); a copy of a batch already done changes nothing."""
    from pmo.runs.services import batch_run

    return batch_run(organization_id=organization_id, batch_id=batch_id)


@app.task(name="pmo.sweep_runs", tenant_scoped=False, acks_late=True, ignore_result=True)
def sweep_runs() -> dict[str, int]:
    """Send again the batches that have not reported in time (beat runs it every minute)."""
    from pmo.runs.services import runs_sweep

    result = runs_sweep()
    return {"sent": result.sent, "given_up": result.given_up, "settled": result.settled, "deleted": result.deleted}


@app.task(
    name="pmo.run_job",
    acks_late=True,
    ignore_result=True,
    autoretry_for=TRANSIENT,
    retry_backoff=10,
    max_retries=5,
)
def run_job(*, organization_id: int, job_id: int) -> bool:
    """A job someone asked for (``pmo.jobs``); a copy of a job already started or ended changes nothing."""
    from pmo.jobs.services import job_execute

    return job_execute(organization_id=organization_id, job_id=job_id)


@app.task(name="pmo.sweep_jobs", tenant_scoped=False, acks_late=True, ignore_result=True)
def sweep_jobs() -> dict[str, int]:
    """Queue again the jobs whose worker was lost and delete expired ones (beat runs it every minute)."""
    from pmo.jobs.services import jobs_sweep

    result = jobs_sweep()
    return {"queued_again": result.queued_again, "given_up": result.given_up, "deleted": result.deleted}
