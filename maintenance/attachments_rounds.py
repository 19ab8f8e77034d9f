"""Readings taken on a round carry photographs (the pothole with a ruler in it).

``MaintenanceConfig.ready()`` calls ``register()``. Everyone who sees maintenance sees them; the
members who may take readings add them (the named inspectors too: ``INSPECT_NAMED``); the
maintenance office deletes anybody's, the others what they uploaded.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from maintenance.models import AssetReading
from maintenance.permissions import MaintenanceAction
from pmo.attachments import register_attachable


def reading_url(reading: Any) -> str:
    if reading.round_id is None:
        return reverse("org-maintenance-rounds", args=[reading.organization.slug])
    url = reverse("org-maintenance-round", args=[reading.organization.slug, reading.round_id])
    return f"{url}?stop={reading.stop_id}#criterion-{reading.criterion_id}"


def reading_title(reading: Any) -> str:
    return f"{reading.asset.code} · {reading.criterion_version.measure}"


def register() -> None:
    register_attachable(
        AssetReading,
        view=MaintenanceAction.VIEW,
        change=MaintenanceAction.INSPECT_NAMED,
        manage=MaintenanceAction.INSPECT,
        url=reading_url,
        title=reading_title,
    )
