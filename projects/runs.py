"""The nightly move of stale schedules as a run of recorded batches (``pmo.runs``), one batch per organisation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from pmo.models import Organization
from pmo.runs.registry import RunKind, run_kinds

RESCHEDULE_STALE = "projects.reschedule_stale"


def reschedule_batch(organization: Organization, payload: Mapping[str, Any]) -> None:
    """Reschedule the projects whose unfinished work lies before today; a project already moved is not found again."""
    from projects.services.schedule import reschedule_stale_projects

    reschedule_stale_projects(organization_id=organization.pk)


def register() -> None:
    run_kinds.register(RunKind(RESCHEDULE_STALE, _("Stale schedules moved to today"), reschedule_batch))
