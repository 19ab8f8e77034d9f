"""Inspections and their readings carry files: the photographs taken on site as evidence of a reading,
and the inspection's own records (a signed sheet, a test report).

``QualityConfig.ready()`` calls ``register()``. Everyone who sees the project's quality records sees the
files. The policy lets the quality role and the project team attach them (the team, because the
organisation may open safety and environment inspections to project roles); the quality role deletes
anybody's, the others what they uploaded.
"""

from __future__ import annotations

from typing import Any

from pmo.attachments import register_attachable
from quality.models import Inspection, Reading
from quality.permissions import QualityAction


def inspection_title(inspection: Any) -> str:
    return f"{inspection.code} {inspection.template.name}"


def reading_title(reading: Any) -> str:
    return f"{reading.inspection.code} · {reading.item.text} #{reading.sequence}"


def register() -> None:
    register_attachable(
        Inspection,
        view=QualityAction.QUALITY_VIEW,
        change=QualityAction.INSPECT_FIELD,
        manage=QualityAction.INSPECT,
        project=lambda inspection: inspection.project,
        url=lambda inspection: inspection.get_absolute_url(),
        title=inspection_title,
    )
    register_attachable(
        Reading,
        view=QualityAction.QUALITY_VIEW,
        change=QualityAction.INSPECT_FIELD,
        manage=QualityAction.INSPECT,
        project=lambda reading: reading.inspection.project,
        url=lambda reading: reading.inspection.get_absolute_url() + f"#item-{reading.item_id}",
        title=reading_title,
    )
