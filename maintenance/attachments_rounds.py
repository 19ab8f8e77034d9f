"""Readings taken on a round carry photographs (the pothole with a ruler in it).

``MaintenanceConfig.ready()`` calls ``register()``. Everyone who sees maintenance sees them; the
members who may take readings add them (the named inspectors too: ``INSPECT_NAMED``); the
maintenance office deletes anybody's, the others what they uploaded. Per record, a named inspector
adds photos only to readings of the rounds they may do (given to them or to nobody), as for the
readings themselves; a verification reading (no round) to whoever may verify.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from maintenance.models import AssetReading
from maintenance.permissions import MaintenanceAction, may_inspect
from maintenance.services.rounds import may_do_round
from pmo.attachments import register_attachable
from pmo.models import Membership


def reading_url(reading: Any) -> str:
    if reading.round_id is None:
        return reverse("org-maintenance-rounds", args=[reading.organization.slug])
    url = reverse("org-maintenance-round", args=[reading.organization.slug, reading.round_id])
    return f"{url}?stop={reading.stop_id}#criterion-{reading.criterion_id}"


def reading_title(reading: Any) -> str:
    return f"{reading.asset.code} · {reading.criterion_version.measure}"


def works_on_reading(membership: Membership, reading: Any) -> bool:
    if reading.round_id is None:
        return may_inspect(membership)
    return may_do_round(membership, reading.round)


def register() -> None:
    register_attachable(
        AssetReading,
        view=MaintenanceAction.VIEW,
        change=MaintenanceAction.INSPECT_NAMED,
        manage=MaintenanceAction.INSPECT,
        url=reading_url,
        title=reading_title,
        works=works_on_reading,
    )
