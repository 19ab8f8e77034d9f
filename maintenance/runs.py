"""The maintenance app's scheduled work as runs of recorded batches (``pmo.runs``), one batch per organisation.

Each batch finds what an earlier attempt already did: the rounds and work orders made are not made
again, and the alerts are made to match what holds now.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from pmo.models import Organization
from pmo.runs.registry import RunKind, run_kinds

ROUNDS = "maintenance.rounds"
PREVENTIVE = "maintenance.preventive"
ALERTS = "maintenance.alerts"


def rounds_batch(organization: Organization, payload: Mapping[str, Any]) -> None:
    """The inspection rounds due for the organisation's today; each round is made whole in its own transaction."""
    from maintenance.generation import generate_rounds

    generate_rounds(organization=organization, today=organization.today())


def preventive_batch(organization: Organization, payload: Mapping[str, Any]) -> None:
    """The preventive work orders due by the organisation's today; each in its own transaction."""
    from maintenance.services.preventive import generate_preventive

    generate_preventive(organization=organization, today=organization.today())


def alerts_batch(organization: Organization, payload: Mapping[str, Any]) -> None:
    from maintenance.alert_kinds import maintenance_alerts_sync

    maintenance_alerts_sync(organization=organization)


def register() -> None:
    run_kinds.register(RunKind(ROUNDS, _("Inspection rounds made ahead"), rounds_batch))
    run_kinds.register(RunKind(PREVENTIVE, _("Preventive work orders due"), preventive_batch))
    run_kinds.register(RunKind(ALERTS, _("Maintenance alerts (SLA clocks, overdue rounds)"), alerts_batch, atomic=True))
