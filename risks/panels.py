"""Panels the risks app adds to other apps' pages (``pmo.navigation.panels``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import F
from django.urls import reverse

from pmo.navigation import PanelContext
from risks.models import OPEN_STATUSES, Risk

TOP_RISKS = 5
TOP_RISKS_QUERIES = 1


def top_risks(panel: PanelContext) -> Mapping[str, Any]:
    """The project's five open risks with the highest score (then EMV): one query."""
    from risks.views.base import LEVEL_BADGES

    project = panel.project
    risks = list(
        Risk.objects.for_organization(panel.organization)
        .filter(project=project, status__in=OPEN_STATUSES)
        .select_related("owner")
        .order_by(F("score").desc(nulls_last=True), "-emv", "number")[:TOP_RISKS]
    )
    slug = panel.organization.slug
    return {
        "top_risks": [
            {
                "risk": risk,
                "url": reverse("project-risk", args=[slug, project.pk, risk.pk]),
                "badge": LEVEL_BADGES.get(risk.level, "badge-grey"),
            }
            for risk in risks
        ],
        "top_risks_url": reverse("project-risks", args=[slug, project.pk]),
    }
