"""Leveling proposals over large plans as jobs (``pmo.jobs``), computed on a worker with a progress bar.

Over projects of at most ``PMO_LEVELING_JOB_ABOVE`` tasks (:func:`in_job`) the page and the API compute
the proposal in the request, as before; above it they start the job ``resources.leveling_compute`` with
:func:`job_arguments`, which refuses at once what the job would (the period, the projects, who may
level them). The job computes the proposal as its requester, who is checked again (a role may have been taken away
and a project closed or deleted meanwhile: the job then fails with the service's error), with the
engine's progress on the job's page. Its outcome links to the proposal's page; its report gives the
figures and, under ``run``, the proposal's id and its URL in the API.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pmo.jobs import JobContext, JobKind, JobOutcome, job_kinds
from pmo.models import Organization, User
from pmo.tenancy import BIGINT_LIMIT
from projects.models import Project, WbsElement
from resources.models import LevelingRun

COMPUTE = "resources.leveling_compute"


def in_job(organization: Organization, projects: Iterable[Project | int]) -> bool:
    """Whether the projects hold more than ``PMO_LEVELING_JOB_ABOVE`` tasks (summaries not counted)."""
    limit = int(settings.PMO_LEVELING_JOB_ABOVE)
    ids = [project.pk if isinstance(project, Project) else int(project) for project in projects]
    return (
        WbsElement.objects.for_organization(organization)
        .filter(project_id__in=[pk for pk in ids if 0 < pk < BIGINT_LIMIT])
        .exclude(kind=WbsElement.Kind.SUMMARY)[limit : limit + 1]
        .exists()
    )


def job_arguments(
    *,
    actor: User,
    organization: Organization,
    projects: Iterable[Project | int],
    start: dt.date,
    finish: dt.date,
    allow_beyond_float: bool,
    in_project: Project | None = None,
) -> dict[str, Any]:
    """What ``job_start`` takes for a leveling job, once what the job would refuse has been refused at once.

    For ``job_started_page_response`` and ``job_started_api_response``; ``in_project`` is the project
    whose leveling page asked, where the job's link leads.
    """
    from resources.services.leveling import leveling_check

    chosen = leveling_check(actor=actor, organization=organization, projects=projects, start=start, finish=finish)
    return {
        "kind": COMPUTE,
        "organization": organization,
        "requested_by": actor,
        "payload": {
            "projects": [project.pk for project in chosen],
            "start": start.isoformat(),
            "finish": finish.isoformat(),
            "allow_beyond_float": allow_beyond_float,
            "in_project": in_project.pk if in_project is not None else None,
        },
    }


def run_page(organization: Organization, run: LevelingRun, in_project: Any = None) -> str:
    """The proposal's page: the project's leveling page's when asked from there and the run includes it."""
    if isinstance(in_project, int) and in_project in run.projects:
        return reverse("project-resource-leveling-run", args=[organization.slug, in_project, run.pk])
    return reverse("org-resource-leveling-run", args=[organization.slug, run.pk])


def compute_handler(context: JobContext) -> JobOutcome:
    from resources.services.leveling import leveling_compute

    payload = context.payload
    organization = context.organization
    run = leveling_compute(
        actor=context.requester(),
        organization=organization,
        projects=[int(pk) for pk in payload.get("projects") or []],
        start=dt.date.fromisoformat(str(payload["start"])),
        finish=dt.date.fromisoformat(str(payload["finish"])),
        allow_beyond_float=bool(payload.get("allow_beyond_float")),
        progress=context.progress,
    )
    result = run.result or {}
    api_url = reverse("api-resource-leveling-run-detail", kwargs={"org_slug": organization.slug, "pk": run.pk})
    delayed, before, after = (result.get(key, 0) for key in ("delayed_count", "before_count", "after_count"))
    return JobOutcome(
        report={
            # What the job's page shows, as the proposal's page has it (the keys' order is not kept).
            "counts": {
                _("Tasks delayed"): delayed,
                _("Tasks with new dates"): len(result.get("moves", [])),
                _("Over-allocated days, before → after"): f"{before} → {after}",
            },
            # What an API client reads: the proposal and its figures.
            "run": {
                "id": run.pk,
                "url": api_url,
                "delayed_count": delayed,
                "before_count": before,
                "after_count": after,
            },
        },
        link=run_page(organization, run, payload.get("in_project")),
    )


KIND = JobKind(COMPUTE, gettext_lazy("Resource leveling proposal"), compute_handler)


def register() -> None:
    job_kinds.register(KIND)
