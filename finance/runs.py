"""The variance run as a run of recorded batches (``pmo.runs``).

Each organisation's open projects are split in batches of ``BATCH_SIZE``, each evaluated as of
the organisation's today (or the date asked for), plus one batch that resolves the alerts of the
projects closed since. A batch is one transaction (``variance_run_batch``) whose "done" is written
with it, so a batch sent twice evaluates its projects once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from finance.variance import BATCH_SIZE, batches, open_project_ids, variance_run_batch
from pmo.alerts.services import alerts_resolve_closed_projects
from pmo.models import Organization, Run
from pmo.runs.registry import RunKind, run_kinds
from pmo.runs.services import BatchPlan, run_start

if TYPE_CHECKING:
    from pmo.models import User

VARIANCE = "finance.variance"
CLOSED_PROJECTS = "closed-projects"


def variance_plans(organization: Organization, *, as_of: str | None, batch_size: int = BATCH_SIZE) -> list[BatchPlan]:
    """The organisation's batches: its open projects ``batch_size`` at a time, then the closed ones' alerts."""
    day = as_of or organization.today().isoformat()
    plans = [
        BatchPlan(organization.pk, f"projects-{number:05d}", {"as_of": day, "project_ids": project_ids})
        for number, project_ids in enumerate(batches(open_project_ids(organization), batch_size), start=1)
    ]
    plans.append(BatchPlan(organization.pk, CLOSED_PROJECTS, {"as_of": day}))
    return plans


def variance_start(
    *,
    organization: Organization | None,
    as_of: str | None = None,
    batch_size: int = BATCH_SIZE,
    started_by: User | None = None,
) -> Run:
    """Start the variance run of one organisation, or of every organisation (``organization=None``, nightly)."""
    organizations = [organization] if organization is not None else list(Organization.objects.order_by("pk"))
    plans = [plan for item in organizations for plan in variance_plans(item, as_of=as_of, batch_size=batch_size)]
    return run_start(kind=VARIANCE, organization=organization, started_by=started_by, batches=plans)


def variance_batch(organization: Organization, payload: Mapping[str, Any]) -> None:
    if "project_ids" in payload:
        as_of = dt.date.fromisoformat(payload["as_of"])
        variance_run_batch(organization=organization, project_ids=payload["project_ids"], as_of=as_of)
        return
    with transaction.atomic():
        alerts_resolve_closed_projects(organization=organization, open_project_ids=open_project_ids(organization))


def describe(payload: Mapping[str, Any]) -> str:
    if "project_ids" in payload:
        count = len(payload["project_ids"])
        return ngettext("%(count)d project as of %(date)s", "%(count)d projects as of %(date)s", count) % {
            "count": count,
            "date": payload.get("as_of", ""),
        }
    return gettext("The alerts of projects closed since")


def register() -> None:
    run_kinds.register(RunKind(VARIANCE, _("Variance check"), variance_batch, atomic=True, describe=describe))
