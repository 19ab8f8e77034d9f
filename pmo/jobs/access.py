"""Who sees which jobs: everyone their own, the organisation's administrators every job."""

from __future__ import annotations

from django.db.models import QuerySet

from pmo.models import Job, Membership
from pmo.policy import Action, can


def sees_every_job(membership: Membership) -> bool:
    return can(membership, Action.JOBS_VIEW_ALL)


def visible_jobs(membership: Membership) -> QuerySet[Job]:
    """The jobs the member may see and fetch the results of: their own, or all for an administrator."""
    jobs = Job.objects.for_organization(membership.organization_id)
    if sees_every_job(membership):
        return jobs
    return jobs.filter(requested_by_id=membership.user_id)
