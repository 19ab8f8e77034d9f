"""Deliverables carry files: the signed acceptance scan, the client's letter, photographs of the handover.

``QualityConfig.ready()`` calls ``register()``. Everyone who sees the project's quality records sees the
files; the signers (client representative, quality role) attach them and delete anybody's.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from django.urls import reverse

from pmo.attachments import register_attachable
from quality.models import Deliverable
from quality.permissions import QualityAction


def deliverable_url(deliverable: Any) -> str:
    return reverse(
        "project-quality-deliverable",
        kwargs={
            "org_slug": deliverable.organization.slug,
            "project_id": deliverable.project_id,
            "deliverable_id": deliverable.pk,
        },
    )


def deliverable_title(deliverable: Any) -> str:
    element = deliverable.wbs_element
    return f"{element.code} {element.name}"


def register() -> None:
    register_attachable(
        Deliverable,
        view=QualityAction.QUALITY_VIEW,
        change=QualityAction.ACCEPTANCE_SIGN,
        manage=QualityAction.ACCEPTANCE_SIGN,
        project=attrgetter("project"),
        url=deliverable_url,
        title=deliverable_title,
    )
