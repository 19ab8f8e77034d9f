"""The project overview's resources panel: the team, its work, and who is over-allocated ahead, in fixed queries.

The organisation's calendar is Monday to Friday, people work 8 hours a day at 100 % (40 hours a week).
Today is Wednesday 18 March 2026; the panel looks 4 weeks ahead from Monday 16 March.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pmo.models import Membership, Organization, OrgRole
from pmo.navigation import PanelContext
from projects.models import Phase, Project, ProjectRole, WbsElement
from resources.models import Resource
from resources.overallocation import resource_weeks
from resources.panels import PROJECT_TEAM_QUERIES, TEAM_ROWS, ProjectTeam, project_team
from resources.selectors import utilisation
from tests.conftest import page_client_for
from tests.factories import (
    AssignmentFactory,
    ProjectFactory,
    ProjectMemberFactory,
    ResourceExceptionFactory,
    ResourceFactory,
    WbsElementFactory,
    member,
)

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 18)


@pytest.fixture(autouse=True)
def today(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ten in the morning of ``TODAY`` in Shanghai, the organisations' time zone."""
    moment = dt.datetime.combine(TODAY, dt.time(2, 0), tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)


def task(project: Project, start: str, finish: str, code: str = "1") -> WbsElement:
    return WbsElementFactory(
        project=project,
        code=code,
        name=f"Works {code}",
        planned_start=dt.date.fromisoformat(start),
        planned_finish=dt.date.fromisoformat(finish),
    )


def assign(project: Project, element: WbsElement, resource: Resource, units: str = "100", work: str = "0") -> None:
    AssignmentFactory(project=project, task=element, resource=resource, units=Decimal(units), work=Decimal(work))


def context_of(project: Project, membership: Membership) -> PanelContext:
    return PanelContext(
        request=RequestFactory().get("/"),
        organization=project.organization,
        membership=membership,
        project=project,
        project_role=None,
    )


@pytest.fixture
def road(organization: Organization) -> Project:
    """Road (A) shares Li Lei with Bridge (B): full time on A for two weeks, half time on B in the second."""
    a = ProjectFactory(organization=organization, code="A", name="Road", phase=Phase.EXECUTION)
    b = ProjectFactory(organization=organization, code="B", name="Bridge", phase=Phase.EXECUTION)
    li = ResourceFactory(organization=organization, code="R-01", name="Li Lei")
    wang = ResourceFactory(organization=organization, code="R-02", name="Wang Fang")
    crew = ResourceFactory(organization=organization, code="R-03", name="Survey crew", is_placeholder=True)
    concrete = ResourceFactory(organization=organization, code="M-01", name="Concrete", kind="material", unit="m³")
    first = task(a, "2026-03-16", "2026-03-27")
    second = task(a, "2026-03-30", "2026-04-03", code="2")
    assign(a, first, li, work="80")  # 10 working days, 8 h a day
    assign(b, task(b, "2026-03-23", "2026-03-27"), li, units="50", work="20")  # 4 h a day
    assign(a, second, wang, units="50", work="20")
    assign(a, second, crew, work="40")
    assign(a, first, concrete, work="120")
    return a


def test_the_team_with_its_work_and_the_over_allocated_ahead(organization: Organization, road: Project) -> None:
    viewer = member(organization, OrgRole.VIEWER)
    team: ProjectTeam = project_team(context_of(road, viewer))["resource_team"]

    assert (team.weeks, team.start) == (4, dt.date(2026, 3, 16))
    # The over-allocated Li first, then by work: the crew 40 h, Wang 20 h, and the material (120 m³) last.
    assert [(row.code, row.work, row.tasks) for row in team.rows] == [
        ("R-01", Decimal("80"), 1),
        ("R-03", Decimal("40"), 1),
        ("R-02", Decimal("20"), 1),
        ("M-01", Decimal("120"), 1),
    ]
    assert team.timed_work == Decimal("140")  # the material's cubic metres are not hours
    li, crew, wang = team.rows[:3]
    # Li, week of 23 March: 40 h on A and 20 h on B, 60 of 40: 150 %, and A loads him then.
    assert (li.peak_shown, [week.week_start for week in li.over]) == ("150", [dt.date(2026, 3, 23)])
    assert li.over_weeks == ["03-23 (150 %)"]
    # The crew: 40 h over the five days of 30 March, 100 %: full, not over.  Wang: 4 h a day, 50 %.
    assert (crew.peak_shown, crew.over, wang.peak_shown, wang.over) == ("100", [], "50", [])
    assert team.rows[3].peak is None  # a material has no capacity
    assert [row.code for row in team.over] == ["R-01"]


def test_a_resource_over_allocated_only_by_other_projects_is_not_this_projects_concern(
    organization: Organization, road: Project
) -> None:
    b = Project.objects.for_organization(organization).get(code="B")
    wang = Resource.objects.for_organization(organization).get(code="R-02")
    # Wang is over-allocated in the week of 16 March (150 % on B's new task) when A does not load him.
    assign(b, task(b, "2026-03-16", "2026-03-20", code="9"), wang, units="150")
    team = project_team(context_of(road, member(organization)))["resource_team"]
    assert [(row.code, row.peak_shown, row.over) for row in team.rows if row.code == "R-02"] == [("R-02", "150", [])]


def test_leave_is_load_and_shows_as_over_allocation(organization: Organization, road: Project) -> None:
    wang = Resource.objects.for_organization(organization).get(code="R-02")
    # Away all the week of 30 March, while A has him half time: 40 + 20 = 60 of 40, 150 %.
    ResourceExceptionFactory(
        resource=wang, start=dt.date(2026, 3, 30), finish=dt.date(2026, 4, 3), created_by=member(organization).user
    )
    team = project_team(context_of(road, member(organization)))["resource_team"]
    [row] = [row for row in team.rows if row.code == "R-02"]
    assert (row.peak_shown, row.over_weeks) == ("150", ["03-30 (150 %)"])


def test_the_panel_runs_the_same_queries_for_no_team_and_a_large_one(organization: Organization) -> None:
    viewer = member(organization, OrgRole.VIEWER)

    def measure(project: Project) -> int:
        with CaptureQueriesContext(connection) as queries:
            project_team(context_of(project, viewer))
        return len(queries)

    empty = ProjectFactory(organization=organization, phase=Phase.EXECUTION)
    large = ProjectFactory(organization=organization, phase=Phase.EXECUTION)
    other = ProjectFactory(organization=organization, phase=Phase.EXECUTION)
    for number in range(12):
        resource = ResourceFactory(organization=organization)
        assign(large, task(large, "2026-03-16", "2026-04-10", code=str(number)), resource)
        assign(other, task(other, "2026-03-23", "2026-03-27", code=str(number)), resource)
        ResourceExceptionFactory(resource=resource, created_by=viewer.user)
    assert measure(empty) == measure(large) == PROJECT_TEAM_QUERIES == 7


def test_the_overview_page_shows_the_panel_in_both_languages(organization: Organization, road: Project) -> None:
    manager = member(organization, OrgRole.PROJECT_MANAGER)
    ProjectMemberFactory(project=road, user=manager.user, role=ProjectRole.MANAGER)
    client = page_client_for(manager.user)
    html = client.get(f"/o/acme/projects/{road.pk}/").content.decode()
    assert 'data-panel="project-resources"' in html
    assert 'data-resource="R-01" data-over="true"' in html
    assert 'Over-allocated: <span class="nowrap">03-23 (150 %)</span>' in html
    manager.user.language = "zh-hans"
    manager.user.save(update_fields=["language"])
    html = client.get(f"/o/acme/projects/{road.pk}/").content.decode()
    assert '超负荷： <span class="nowrap">03-23 (150 %)</span>' in html


def test_more_than_a_panels_worth_of_team_is_counted_not_listed(organization: Organization) -> None:
    project = ProjectFactory(organization=organization, phase=Phase.EXECUTION)
    element = task(project, "2026-03-16", "2026-03-20")
    for _number in range(TEAM_ROWS + 3):
        assign(project, element, ResourceFactory(organization=organization), units="10")
    team = project_team(context_of(project, member(organization)))["resource_team"]
    assert (len(team.shown_rows), team.more) == (TEAM_ROWS, 3)


def test_an_empty_team_says_so(organization: Organization) -> None:
    project = ProjectFactory(organization=organization, phase=Phase.EXECUTION)
    manager = member(organization, OrgRole.PROJECT_MANAGER)
    ProjectMemberFactory(project=project, user=manager.user, role=ProjectRole.MANAGER)
    html = page_client_for(manager.user).get(f"/o/acme/projects/{project.pk}/").content.decode()
    assert 'data-empty="team"' in html


def test_the_weeks_agree_with_the_heat_map(organization: Organization, road: Project, django_db_blocker: Any) -> None:
    """``resource_weeks`` and ``selectors.utilisation`` read the same capacity, load and over-allocation."""
    wang = Resource.objects.for_organization(organization).get(code="R-02")
    ResourceExceptionFactory(
        resource=wang, start=dt.date(2026, 4, 1), finish=dt.date(2026, 4, 2), created_by=member(organization).user
    )
    ResourceExceptionFactory(
        resource=wang,
        kind="part_time",
        hours_per_day=Decimal("4"),
        start=dt.date(2026, 3, 16),
        finish=dt.date(2026, 3, 20),
        created_by=member(organization).user,
    )
    people = Resource.objects.for_organization(organization).filter(is_placeholder=False)
    mine = resource_weeks(organization, people, start=TODAY, weeks=6)
    grid = utilisation(organization, start=TODAY, weeks=6)
    assert grid.rows
    for row in grid.rows:
        assert [(week.week_start, week.capacity, week.load, week.over_allocated) for week in row.weeks] == [
            (week.week_start, week.figures.capacity, week.figures.load, week.figures.over_allocated)
            for week in mine[row.id].weeks
        ]
