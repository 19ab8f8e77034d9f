"""The core's own kind of run: the daily digests of alert e-mails, one batch per organisation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from pmo.models import Organization
from pmo.runs.registry import RunKind, run_kinds

DIGESTS = "pmo.digests"


def digests_batch(organization: Organization, payload: Mapping[str, Any]) -> None:
    """One organisation's digests; the notifications it sums up are marked, so a second run sends none."""
    from pmo.alerts.delivery import digests_queue

    digests_queue(organization=organization)


def register() -> None:
    run_kinds.register(RunKind(DIGESTS, _("Daily alert digests"), digests_batch, atomic=True))
