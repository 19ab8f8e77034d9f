"""Non-conformances carry files: photographs of the defect, test reports, the verification evidence.

``QualityConfig.ready()`` calls ``register()``. Everyone who sees the project's quality records sees the
files; whoever may raise a non-conformance attaches evidence to one (and deletes what they uploaded);
the managers of non-conformances delete anybody's.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from pmo.attachments import register_attachable
from quality.models import NonConformance
from quality.permissions import QualityAction


def nc_title(nc: Any) -> str:
    return f"{nc.code} {nc.title}"


def register() -> None:
    register_attachable(
        NonConformance,
        view=QualityAction.QUALITY_VIEW,
        change=QualityAction.NC_RAISE,
        manage=QualityAction.NC_MANAGE,
        project=attrgetter("project"),
        url=lambda nc: nc.get_absolute_url(),
        title=nc_title,
    )
