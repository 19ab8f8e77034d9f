"""The risks app's records that carry files: risks (evidence, assessments) and issues (photos, reports)."""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from pmo.attachments import register_attachable
from risks.models import Risk
from risks.permissions import RiskAction


def _risk_title(risk: Any) -> str:
    return f"{risk.code} {risk.title}"


def register() -> None:
    register_attachable(
        Risk,
        view=RiskAction.RISK_VIEW,
        change=RiskAction.RISK_CONTRIBUTE,
        manage=RiskAction.RISK_MANAGE,
        project=attrgetter("project"),
        url=lambda risk: risk.get_absolute_url(),
        title=_risk_title,
    )
