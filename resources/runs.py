"""The hourly timesheet reminders as a run of recorded batches (``pmo.runs``), one batch per organisation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from pmo.models import Organization
from pmo.runs.registry import RunKind, run_kinds

TIMESHEET_REMINDERS = "resources.timesheet_reminders"


def reminders_batch(organization: Organization, payload: Mapping[str, Any]) -> None:
    """Remind whoever is late with last week's timesheet (nobody twice), then the office's approval alerts."""
    from resources.alert_kinds import office_approvals_sync
    from resources.services.reminders import timesheet_reminders_send

    timesheet_reminders_send(organization=organization)
    office_approvals_sync(organization=organization)


def register() -> None:
    run_kinds.register(RunKind(TIMESHEET_REMINDERS, _("Timesheet reminders"), reminders_batch))
