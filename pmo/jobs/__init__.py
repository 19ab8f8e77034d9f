"""Jobs: work a person asks for (imports, exports, PDF reports) done on a worker, with progress.

An app registers each kind of job it offers in its ``AppConfig.ready()``::

    from pmo.jobs import JobKind, job_kinds
    job_kinds.register(JobKind("projects.plan_xlsx_export", _("Plan export (Excel)"), plan_xlsx_export))

and starts one with ``job_start(kind=..., organization=..., requested_by=..., payload=..., upload=...)``:
the job is recorded (audited) with its upload in the ``jobs`` storage and run here (``inline``,
for small work) or queued for a worker once the transaction commits. The handler gets a
``JobContext`` (job, organisation, user, payload, ``upload()``, ``progress(done, total)``) and
returns a ``JobOutcome`` (a result file, a report, a link). An ``ApplicationError`` fails the job
with that error as its report; any other error fails it with a generic message (logged).

Views answer with ``job_api_response`` and ``job_page_response`` (``pmo.jobs.responses``), or start
and answer in one step with ``job_started_api_response`` and ``job_started_page_response``; the
job's page (``/o/<org>/jobs/<id>/``) and resource (``/api/v1/orgs/<org>/jobs/<id>/``) show its
progress to its requester and the organisation's administrators. Results and uploads are kept
``PMO_JOB_RESULT_DAYS`` after the end; the sweeper (``pmo.sweep_jobs``, every minute) deletes
them, and queues again, or fails, the jobs whose worker was lost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pmo.jobs.registry import JobKind, JobOutcome, job_kinds

if TYPE_CHECKING:
    from pmo.jobs.context import JobContext
    from pmo.jobs.responses import (
        job_api_response,
        job_page_response,
        job_started_api_response,
        job_started_page_response,
    )
    from pmo.jobs.services import job_start

__all__ = [
    "JobContext",
    "JobKind",
    "JobOutcome",
    "job_api_response",
    "job_kinds",
    "job_page_response",
    "job_start",
    "job_started_api_response",
    "job_started_page_response",
]

_LAZY = {
    "JobContext": "pmo.jobs.context",
    "job_start": "pmo.jobs.services",
    "job_api_response": "pmo.jobs.responses",
    "job_page_response": "pmo.jobs.responses",
    "job_started_api_response": "pmo.jobs.responses",
    "job_started_page_response": "pmo.jobs.responses",
}


def __getattr__(name: str) -> Any:
    # The registry is imported by apps' ready(); the rest needs the models, loaded on first use.
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(name)
    from importlib import import_module

    return getattr(import_module(module), name)
