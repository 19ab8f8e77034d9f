"""Links of the quality figures to the lists they count (each list's filters), shared by the overview pages,
the project overview's panel and the portfolio dashboard."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse

from quality.models import NcStatus, Severity
from quality.nc_forms import ANY_OPEN, OPEN_PROJECTS
from quality.selectors import QualityFigures

SEVERITY_BADGES: dict[str, str] = {
    Severity.CRITICAL: "badge-red",
    Severity.MAJOR: "badge-amber",
    Severity.MINOR: "badge-grey",
}


def url_or_none(name: str, *args: Any, **query: Any) -> str | None:
    """The page's URL with ``query`` (empty values left out), or None while its app part is not mounted."""
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return None
    given = {key: value for key, value in query.items() if value not in (None, "")}
    return f"{url}?{urlencode(given)}" if given else url


class FigureLinks:
    """The lists a project's (``project_id``) or the organisation's figures drill down to.

    The organisation's figures count the open projects only, and so do the lists they link to.
    """

    def __init__(self, org_slug: str, project_id: int | None = None) -> None:
        self.org_slug, self.project_id = org_slug, project_id

    def _list(self, project_name: str, org_name: str, **query: Any) -> str | None:
        if self.project_id is not None:
            return url_or_none(project_name, self.org_slug, self.project_id, **query)
        return url_or_none(org_name, self.org_slug, **query)

    def ncs(self, **query: Any) -> str | None:
        if self.project_id is None:
            query.setdefault("project_state", OPEN_PROJECTS)
        return self._list("project-quality-ncs", "org-quality-ncs", **query)

    def inspections(self, **query: Any) -> str | None:
        if self.project_id is None:
            query.setdefault("project_state", OPEN_PROJECTS)
        return self._list("project-quality-inspections", "org-quality-inspections", **query)

    def plan(self) -> str | None:
        if self.project_id is None:
            return None
        return url_or_none("project-quality-plan", self.org_slug, self.project_id)

    def overview(self) -> str | None:
        if self.project_id is None:
            return url_or_none("org-quality", self.org_slug)
        return url_or_none("project-quality", self.org_slug, self.project_id)

    def satisfaction(self) -> str | None:
        if self.project_id is None:
            return None
        return url_or_none("project-quality-satisfaction", self.org_slug, self.project_id)

    def figure_links(self) -> dict[str, str | None]:
        return {
            "overview": self.overview(),
            "ncs": self.ncs(),
            "open_ncs": self.ncs(status=ANY_OPEN),
            "overdue_ncs": self.ncs(overdue="true"),
            "closed_ncs": self.ncs(status=NcStatus.CLOSED),
            "inspections": self.inspections(),
            "signed": self.inspections(status="signed"),
            "overdue_inspections": self.inspections(overdue="true"),
            "plan": self.plan(),
            "satisfaction": self.satisfaction(),
        }


def nc_table(figures: QualityFigures, links: FigureLinks) -> dict[str, Any]:
    """The table of non-conformances by severity (rows, critical first) and status (columns), each cell a link."""
    statuses = list(NcStatus.choices)
    rows = []
    for severity in reversed(Severity.values):
        cells: list[dict[str, Any]] = []
        for status, _label in statuses:
            count = figures.ncs.get((severity, status), 0)
            cells.append({"count": count, "url": links.ncs(severity=severity, status=status) if count else None})
        total = sum(int(cell["count"]) for cell in cells)
        rows.append(
            {
                "severity": severity,
                "label": Severity(severity).label,
                "badge": SEVERITY_BADGES.get(severity, "badge-grey"),
                "cells": cells,
                "total": total,
                "url": links.ncs(severity=severity) if total else None,
            }
        )
    by_status = figures.by_status
    totals = [
        {"count": by_status.get(status, 0), "url": links.ncs(status=status) if by_status.get(status) else None}
        for status, _label in statuses
    ]
    return {"statuses": statuses, "rows": rows, "totals": totals, "total": figures.total_ncs}
