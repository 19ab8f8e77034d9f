"""Panels the resources app adds to other apps' pages (``pmo.navigation.panels``).

- ``project_overview``: the project's team of resources, their assigned work, and those over-allocated
  in the weeks ahead in a week the project loads them (live, across every open project).
- ``portfolio_dashboard``: the resources over the alert threshold (from the over-allocation alerts,
  as they stand now, like the dashboard's other alerts), the open resource requests and the
  timesheet lines waiting for approval.

Each runs a fixed number of queries, the same for an empty project or organisation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Min, Sum

from pmo import navigation
from pmo.models import Alert, AlertStatus
from pmo.navigation import Panel, PanelContext
from resources.alert_kinds import ResourceAlertKind, overload_parts
from resources.models import (
    OPEN_REQUEST_STATUSES,
    TIMED_KINDS,
    Assignment,
    LineStatus,
    RequestStatus,
    Resource,
    ResourceRequest,
    ResourceSettings,
    TimesheetLine,
)
from resources.overallocation import QUERIES as WEEK_QUERIES
from resources.overallocation import LoadedWeek, resource_weeks, shown
from resources.permissions import ResourceAction

#: Team rows the project panel lists; the Resources tab lists them all.
TEAM_ROWS = 8
#: Resources the portfolio panel names, the highest utilisation first.
TOP_OVERLOADED = 5
#: The look-ahead, the team, and ``resource_weeks``.
PROJECT_TEAM_QUERIES = 2 + WEEK_QUERIES
#: The over-allocation alerts, the open requests and the lines waiting.
PORTFOLIO_QUERIES = 3


def look_ahead(organization_id: int) -> int:
    """The weeks the organisation looks ahead for over-allocations (the default before its settings exist)."""
    weeks = (
        ResourceSettings.objects.for_organization(organization_id)
        .values_list("overallocation_weeks", flat=True)
        .first()
    )
    default: int = ResourceSettings._meta.get_field("overallocation_weeks").get_default()
    return weeks or default


@dataclass
class TeamRow:
    resource_id: int
    code: str
    name: str
    kind: str
    unit: str
    is_placeholder: bool
    work: Decimal
    tasks: int
    #: The highest weekly utilisation ahead (None: a material, or no known capacity).
    peak: float | None = None
    #: The weeks ahead over-allocated in which this project loads the resource.
    over: list[LoadedWeek] = field(default_factory=list)

    @property
    def is_timed(self) -> bool:
        return self.kind in TIMED_KINDS

    @property
    def peak_shown(self) -> str:
        return shown(self.peak)

    @property
    def over_weeks(self) -> list[str]:
        """Each over-allocated week as its Monday and utilisation: "03-23 (150 %)"."""
        return [f"{week.week_start:%m-%d} ({shown(week.utilisation)} %)" for week in self.over]


@dataclass
class ProjectTeam:
    weeks: int
    start: dt.date
    rows: list[TeamRow]

    @property
    def shown_rows(self) -> list[TeamRow]:
        return self.rows[:TEAM_ROWS]

    @property
    def more(self) -> int:
        return max(len(self.rows) - TEAM_ROWS, 0)

    @property
    def over(self) -> list[TeamRow]:
        return [row for row in self.rows if row.over]

    @property
    def timed_work(self) -> Decimal:
        """Hours assigned to the project's people and equipment (materials are in their own units)."""
        return sum((row.work for row in self.rows if row.is_timed), Decimal(0))


def project_team(panel: PanelContext) -> Mapping[str, Any]:
    """The project's resources with their work, peak utilisation ahead and over-allocated weeks."""
    organization, project = panel.organization, panel.project
    weeks = look_ahead(organization.pk)
    today = organization.today()
    assigned = Assignment.objects.for_organization(organization).filter(project_id=project.pk)
    rows = [
        TeamRow(pk, code, name, kind, unit, placeholder, work or Decimal(0), tasks)
        for pk, code, name, kind, unit, placeholder, work, tasks in assigned.values(
            "resource_id",
            "resource__code",
            "resource__name",
            "resource__kind",
            "resource__unit",
            "resource__is_placeholder",
        )
        .annotate(work=Sum("work"), tasks=Count("task_id", distinct=True))
        .order_by("-work", "resource__code")
        .values_list(
            "resource_id",
            "resource__code",
            "resource__name",
            "resource__kind",
            "resource__unit",
            "resource__is_placeholder",
            "work",
            "tasks",
        )
    ]
    team = Resource.objects.for_organization(organization).filter(pk__in=assigned.values("resource_id"))
    ahead = resource_weeks(organization, team, start=today, weeks=weeks)
    for row in rows:
        found = ahead.get(row.resource_id)
        if found is None:
            continue
        row.peak = max((week.utilisation for week in found.weeks if week.utilisation is not None), default=None)
        row.over = [week for week in found.over() if project.pk in week.by_project]
    # The over-allocated first, then people and equipment by work, then materials (in their own units).
    rows.sort(key=lambda row: (not row.over, not row.is_timed))
    start = min((item.weeks[0].week_start for item in ahead.values()), default=today)
    return {"resource_team": ProjectTeam(weeks, start, rows)}


@dataclass(frozen=True)
class Overloaded:
    resource_id: int
    label: str
    peak: Decimal
    projects: int
    weeks: str


@dataclass(frozen=True)
class PortfolioResources:
    overloaded: int
    top: list[Overloaded]
    open_requests: int
    proposed_requests: int
    lines_waiting: int
    oldest_waiting: dt.datetime | None


def portfolio_resources(panel: PanelContext) -> Mapping[str, Any]:
    """Over-allocated resources (from their active alerts), open requests and lines waiting for approval."""
    organization = panel.organization
    alerts = (
        Alert.objects.for_organization(organization)
        .filter(kind=ResourceAlertKind.OVERALLOCATED, status__in=[AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED])
        .order_by("subject_id")
        .values_list("subject_id", "figures")
    )
    by_resource: dict[int, list[dict[str, str]]] = {}
    for subject_id, figures in alerts:
        resource_id, _project_id = overload_parts(subject_id)
        by_resource.setdefault(resource_id, []).append(figures)
    top = []
    for resource_id, found in by_resource.items():
        worst = max(found, key=lambda figures: Decimal(figures.get("value") or 0))
        top.append(
            Overloaded(
                resource_id,
                worst.get("resource", ""),
                Decimal(worst.get("value") or 0),
                len(found),
                worst.get("weeks", ""),
            )
        )
    top.sort(key=lambda item: (-item.peak, item.label))
    requests = dict(
        ResourceRequest.objects.for_organization(organization)
        .filter(status__in=sorted(OPEN_REQUEST_STATUSES))
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("status", "n")
    )
    lines = (
        TimesheetLine.objects.for_organization(organization)
        .filter(status=LineStatus.SUBMITTED)
        .aggregate(n=Count("pk"), oldest=Min("submitted_at"))
    )
    return {
        "resource_portfolio": PortfolioResources(
            overloaded=len(top),
            top=top[:TOP_OVERLOADED],
            open_requests=requests.get(RequestStatus.OPEN, 0),
            proposed_requests=requests.get(RequestStatus.PROPOSED, 0),
            lines_waiting=lines["n"],
            oldest_waiting=lines["oldest"],
        )
    }


def register() -> None:
    """The project overview's team panel and the portfolio dashboard's resources panel."""
    navigation.panels.register(
        Panel(
            "project_overview",
            "project_resources",
            "resources/panels/project_team.html",
            project_team,
            queries=PROJECT_TEAM_QUERIES,
            order=40,
            action=ResourceAction.RESOURCES_VIEW,
        )
    )
    navigation.panels.register(
        Panel(
            "portfolio_dashboard",
            "portfolio_resources",
            "resources/panels/portfolio.html",
            portfolio_resources,
            queries=PORTFOLIO_QUERIES,
            order=40,
            action=ResourceAction.RESOURCES_VIEW,
        )
    )
