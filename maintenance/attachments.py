"""Assets carry files (as-built drawings, warranty certificates, photographs), and so do the rows of a
handover until it completes and their files move to the asset written. ``MaintenanceConfig.ready()``
calls ``register()``: everyone who sees maintenance sees the files; the maintenance office attaches and
deletes them.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from maintenance.models import Asset, HandoverRow
from maintenance.permissions import MaintenanceAction
from pmo.attachments import register_attachable


def asset_url(asset: Any) -> str:
    return reverse("org-maintenance-asset", kwargs={"org_slug": asset.organization.slug, "pk": asset.pk})


def handover_row_url(row: Any) -> str:
    return reverse(
        "project-maintenance-handover",
        kwargs={"org_slug": row.organization.slug, "project_id": row.handover.project_id},
    )


def register() -> None:
    register_attachable(
        Asset,
        view=MaintenanceAction.VIEW,
        change=MaintenanceAction.MANAGE,
        manage=MaintenanceAction.MANAGE,
        url=asset_url,
        title=lambda asset: f"{asset.code} {asset.name}",
    )
    register_attachable(
        HandoverRow,
        view=MaintenanceAction.VIEW,
        change=MaintenanceAction.MANAGE,
        manage=MaintenanceAction.MANAGE,
        url=handover_row_url,
        title=lambda row: str(row),
    )
