"""The capacity selectors (resources.selectors) against small data worked by hand.

March 2026: Mondays 2, 9 and 16 start the weeks. Two calendars:

- "Standard" (the organisation's default) works Monday to Friday, with a holiday on Wednesday 4
  March and a make-up working day (调休) on Saturday 7 March;
- "Six days" works Monday to Saturday, no exceptions.

Project A has no calendar (the default: Standard), project B works on "Six days".

    Standard  Mon 2  Tue 3  Wed 4  Thu 5  Fri 6  Sat 7    Sun 8 | Mon 9 .. Fri 13 | Mon 16 .. Fri 20
              work   work   HOL    work   work   MAKE-UP  off   | work .. work    | work .. work
    Six days  work   work   work   work   work   work     off   | ...

Ann (person, 8 h, 100 %, Standard):
- A1 on project A, task Mon 2 - Fri 6, 50 %: 0.5 x 8 = 4 h on A's working days 2, 3, 5, 6 (16 h);
- B1 on project B, task Mon 2 - Sat 7, 30 h of work: six working days of "Six days", 5 h each.
  Her capacity that week: 8 on 2, 3, 5, 6 and on the make-up Saturday 7, 0 on the holiday = 40 h.
  Load: Mon 9, Tue 9, Wed 5, Thu 9, Fri 9, Sat 5 = 46 h, 115 %; over-allocated on Mon, Tue, Wed
  (load on a day of no capacity), Thu and Fri: five days; Saturday (5 of 8) is not.
Bob (person, 8 h, 100 %, Standard), part-time 6 h a day from Mon 9 to Fri 13, leave Mon 16 - Tue 17:
- A2 on project A, task Mon 9 - Fri 13, 75 %: 0.75 x 8 (his usual day) = 6 h a day = his part-time
  capacity exactly: week of 9 March 30 h of 30, 100 %, NOT over-allocated.
- Week of 16 March: capacity 40 h; his leave is load: 8 + 8 = 16 h, 40 %.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pmo.models import Organization, WorkingCalendar
from projects.models import Phase
from resources import capacity
from resources.models import ExceptionKind, ResourceKind
from resources.selectors import (
    UtilisationFilters,
    assignment_loads,
    band,
    free_capacity,
    resource_calendars,
    resource_detail,
    resource_panel,
    resource_week,
    role_demand,
    utilisation,
)
from tests.factories import (
    AssignmentFactory,
    OrganizationFactory,
    ProjectFactory,
    ResourceExceptionFactory,
    ResourceFactory,
    ResourceRoleFactory,
)
from tests.resources.capacity_support import build_plan, d, task

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(organization: Organization) -> dict[str, Any]:
    return build_plan(organization)


def test_resource_calendars_take_the_default_calendar_part_time_and_absences(
    organization: Organization, plan: dict[str, Any]
) -> None:
    calendars = resource_calendars(organization, [plan["ann"].pk, plan["bob"].pk])
    bob = calendars[plan["bob"].pk]
    assert bob.capacity(d(4)) == 0.0  # the default calendar's holiday
    assert bob.capacity(d(7)) == 8.0  # its make-up Saturday
    assert bob.capacity(d(10)) == 6.0  # part-time
    assert bob.absence_load(d(16)) == 8.0  # leave is load, a whole day
    assert calendars[plan["ann"].pk].absences == ()


def test_resource_calendars_leave_out_other_organisations(organization: Organization, plan: dict[str, Any]) -> None:
    stranger = ResourceFactory(organization=OrganizationFactory(slug="elsewhere"))
    assert set(resource_calendars(organization, [plan["ann"].pk, stranger.pk])) == {plan["ann"].pk}


def test_capacity_is_unknown_without_any_calendar() -> None:
    bare = OrganizationFactory(slug="bare")
    WorkingCalendar.objects.for_organization(bare).delete()
    nobody = ResourceFactory(organization=bare)
    calendar = resource_calendars(bare, [nobody.pk])[nobody.pk]
    assert calendar.calendar is None
    assert calendar.capacity(d(2)) is None
    assert free_capacity(bare, [nobody.pk], d(2), d(6)) == {nobody.pk: None}


def test_loads_spread_over_each_projects_calendar(organization: Organization, plan: dict[str, Any]) -> None:
    loads = assignment_loads(organization, start=d(2), finish=d(8))
    ann = {row.assignment_id: row.daily for row in loads[plan["ann"].pk]}
    # A1: 4 h on project A's (Standard) working days of its task: not the holiday.
    assert ann[plan["a1"].pk] == {d(2): 4.0, d(3): 4.0, d(5): 4.0, d(6): 4.0}
    # B1: 30 h over six days of "Six days", the Wednesday included.
    assert ann[plan["b1"].pk] == {d(day): 5.0 for day in (2, 3, 4, 5, 6, 7)}
    assert plan["bob"].pk not in loads  # his task starts on the 9th


def test_loads_are_clipped_to_the_window_and_filtered(organization: Organization, plan: dict[str, Any]) -> None:
    loads = assignment_loads(organization, start=d(5), finish=d(10), project_ids=[plan["project_a"].pk])
    assert {row.assignment_id: row.daily for rows in loads.values() for row in rows} == {
        plan["a1"].pk: {d(5): 4.0, d(6): 4.0},
        plan["a2"].pk: {d(9): 6.0, d(10): 6.0},
    }
    only_bob = assignment_loads(organization, start=d(2), finish=d(20), resource_ids=[plan["bob"].pk])
    assert list(only_bob) == [plan["bob"].pk]


def test_a_milestone_puts_its_work_on_its_day_and_closed_projects_load_nobody(
    organization: Organization, plan: dict[str, Any]
) -> None:
    milestone = task(plan["project_a"], d(8), d(8), kind="milestone", duration=0)  # a Sunday: no working day
    AssignmentFactory(
        project=plan["project_a"], task=milestone, resource=plan["bob"], mode="work", work=Decimal(3), units=0
    )
    closed = ProjectFactory(organization=organization, code="C", phase=Phase.CLOSED)
    AssignmentFactory(project=closed, task=task(closed, d(2), d(6)), resource=plan["bob"])
    loads = assignment_loads(organization, start=d(2), finish=d(8), resource_ids=[plan["bob"].pk])
    assert [row.daily for row in loads[plan["bob"].pk]] == [{d(8): 3.0}]


def test_free_capacity_is_capacity_less_assignments_and_leave(organization: Organization, plan: dict[str, Any]) -> None:
    # Ann, 2-8 March: 40 - 46 = -6 (over-booked). Bob, 9-20 March: capacity 30 + 40 = 70, load 30 + 16 = 46.
    assert free_capacity(organization, [plan["ann"].pk], d(2), d(8)) == {plan["ann"].pk: -6.0}
    assert free_capacity(organization, [plan["bob"].pk], d(9), d(20)) == {plan["bob"].pk: 24.0}


def test_the_grid_works_out_the_weeks_by_hand(organization: Organization, plan: dict[str, Any]) -> None:
    grid = utilisation(organization, start=d(4), weeks=3)  # any day of the first week
    assert grid.start == d(2)
    assert grid.weeks == [d(2), d(9), d(16)]
    assert grid.count == 2
    ann, bob = grid.rows
    assert (ann.code, bob.code) == ("R1", "R2")
    first = ann.weeks[0]
    assert (first.capacity, first.load, first.over_allocated_days) == (40.0, 46.0, 5)
    assert first.utilisation == 115.0
    assert first.over_allocated
    assert band(first) == "over"
    assert (ann.weeks[1].capacity, ann.weeks[1].load, band(ann.weeks[1])) == (40.0, 0.0, "low")
    # Bob: exactly full is not over-allocated; leave is load.
    exactly = bob.weeks[1]
    assert (exactly.capacity, exactly.load, exactly.utilisation) == (30.0, 30.0, 100.0)
    assert not exactly.over_allocated
    assert band(exactly) == "full"
    assert (bob.weeks[2].load, bob.weeks[2].utilisation, bob.absences[2]) == (16.0, 40.0, 16.0)


def test_the_grid_agrees_with_the_engine_day_by_day(organization: Organization, plan: dict[str, Any]) -> None:
    # A few more shapes: a task running past the window, a crew of 300 %, a half-day part-time week.
    crew = ResourceFactory(organization=organization, code="R3", kind=ResourceKind.EQUIPMENT, max_units=300)
    long_task = task(plan["project_b"], d(20, 2), d(30))
    AssignmentFactory(project=plan["project_b"], task=long_task, resource=crew, units=Decimal(250))
    AssignmentFactory(
        project=plan["project_a"], task=long_task, resource=plan["ann"], mode="work", work=Decimal("100"), units=0
    )
    ResourceExceptionFactory(resource=crew, kind=ExceptionKind.PART_TIME, start=d(11), finish=d(24), hours_per_day=4)
    ResourceExceptionFactory(resource=crew, kind=ExceptionKind.TRAINING, start=d(19), finish=d(19))
    grid = utilisation(organization, start=d(2), weeks=4)
    ids = [row.id for row in grid.rows]
    calendars = resource_calendars(organization, ids)
    loads = assignment_loads(organization, start=d(2), finish=d(29))
    for row in grid.rows:
        days = capacity.day_figures(calendars[row.id], [load.daily for load in loads.get(row.id, [])], d(2), d(29))
        weeks = capacity.week_figures(days)
        assert row.weeks == weeks, row.code
        assert row.columns.utilisation == [week.utilisation for week in weeks], row.code
        assert row.columns.over_allocated == [week.over_allocated for week in weeks], row.code


def test_filters_keep_the_matching_resources(organization: Organization, plan: dict[str, Any]) -> None:
    ResourceFactory(organization=organization, code="M1", kind=ResourceKind.MATERIAL, unit="t")
    ResourceFactory(organization=organization, code="P1", is_placeholder=True, role=plan["engineer"])
    ResourceFactory(organization=organization, code="X1", is_active=False)

    def codes(**filters: Any) -> list[str]:
        grid = utilisation(organization, start=d(2), weeks=4, filters=UtilisationFilters(**filters))
        return [row.code for row in grid.rows]

    assert codes() == ["R1", "R2"]  # no material, placeholder or inactive resource
    assert codes(department="Civil") == ["R1"]
    assert codes(skill_id=plan["welding"].pk) == ["R2"]
    assert codes(project_id=plan["project_b"].pk) == ["R1"]
    assert codes(role_id=plan["engineer"].pk) == ["R1", "R2"]
    assert codes(kind=ResourceKind.EQUIPMENT) == []


def test_the_grid_takes_a_fixed_number_of_queries(organization: Organization, plan: dict[str, Any]) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            utilisation(organization, start=d(2), weeks=12, offset=0, limit=50)
        return len(captured)

    before = queries()
    for number in range(5):
        resource = ResourceFactory(organization=organization, code=f"Z{number}")
        ResourceExceptionFactory(resource=resource, start=d(3), finish=d(3))
        AssignmentFactory(project=plan["project_b"], task=task(plan["project_b"], d(2), d(20)), resource=resource)
    assert before == queries() == 6


def test_the_grid_pages_resources_by_code(organization: Organization, plan: dict[str, Any]) -> None:
    grid = utilisation(organization, start=d(2), weeks=4, offset=1, limit=1)
    assert (grid.count, [row.code for row in grid.rows]) == (2, ["R2"])


def test_the_detail_shows_each_days_load_by_project(organization: Organization, plan: dict[str, Any]) -> None:
    detail = resource_detail(organization, plan["ann"], start=d(2), weeks=4)
    a, b = plan["project_a"].pk, plan["project_b"].pk
    assert [ref.code for ref in detail.projects] == ["A", "B"]
    wednesday = detail.days[2]
    assert (wednesday.figures.capacity, wednesday.figures.load, wednesday.by_project) == (0.0, 5.0, {b: 5.0})
    assert wednesday.figures.over_allocated
    assert detail.weeks[0].by_project == {a: 16.0, b: 30.0}
    assert detail.weeks[1].by_project == {}


def test_the_week_behind_a_cell_lists_assignments_and_absences(
    organization: Organization, plan: dict[str, Any]
) -> None:
    week = resource_week(organization, plan["ann"], d(5))
    assert week.week_start == d(2)
    assert [(row.project.code, row.hours) for row in week.assignments] == [
        ("A", [4.0, 4.0, 0.0, 4.0, 4.0, 0.0, 0.0]),
        ("B", [5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 0.0]),
    ]
    leave = resource_week(organization, plan["bob"], d(16))
    assert [(row.kind, row.hours) for row in leave.absences] == [("leave", [8.0, 8.0, 0.0, 0.0, 0.0, 0.0, 0.0])]
    assert leave.figures.load == 16.0


def test_demand_against_capacity_by_role_counts_placeholders_as_demand(
    organization: Organization, plan: dict[str, Any]
) -> None:
    placeholder = ResourceFactory(organization=organization, code="P1", is_placeholder=True, role=plan["engineer"])
    AssignmentFactory(project=plan["project_a"], task=task(plan["project_a"], d(9), d(13)), resource=placeholder)
    table = role_demand(organization, start=d(2), weeks=3)
    (engineers,) = table.roles
    assert (engineers.name, engineers.named, engineers.placeholders) == ("Civil engineer", 2, 1)
    first, second, third = engineers.weeks
    # Week of 2 March: Ann 40 + Bob 40 = 80 h; demand: Ann's 46 h; gap 34.
    assert (first.capacity, first.demand, first.gap) == (80.0, 46.0, 34.0)
    # Week of 9 March: Ann 40 + Bob part-time 30 = 70; demand Bob 30 + placeholder 5 x 8 = 70; gap 0.
    assert (second.capacity, second.demand, second.placeholder_demand, second.gap) == (70.0, 70.0, 40.0, 0.0)
    # Week of 16 March: 80 h less Bob's 16 h of leave, no demand: 64 h spare.
    assert (third.absence, third.available, third.gap) == (16.0, 64.0, 64.0)


def test_a_role_without_resources_has_no_capacity_and_no_demand(organization: Organization) -> None:
    ResourceRoleFactory(organization=organization, name="Crane", kind=ResourceKind.EQUIPMENT)
    (crane,) = role_demand(organization, start=d(2), weeks=4).roles
    assert (crane.named, crane.placeholders, crane.short_weeks) == (0, 0, 0)
    assert {(week.capacity, week.demand, week.gap) for week in crane.weeks} == {(0.0, 0.0, 0.0)}


def test_the_resource_panel_gives_this_and_the_next_weeks(organization: Organization, plan: dict[str, Any]) -> None:
    panel = resource_panel(organization, plan["ann"])
    assert panel["start"] == organization.today() - dt.timedelta(days=organization.today().weekday())
    assert len(panel["weeks"]) == 4
    assert set(panel["weeks"][0]) == {
        "week_start",
        "capacity",
        "load",
        "absence",
        "utilisation",
        "over_allocated",
        "band",
    }
    assert panel["timed"]


def test_the_grid_agrees_with_the_engine_on_random_plans(organization: Organization, plan: dict[str, Any]) -> None:
    # Forty assignments drawn at random (seeded): units or work that does not divide evenly, tasks on both
    # calendars starting before, inside and after the window, milestones on days off, crews, part-time, leave.
    rng = random.Random(20260302)
    people = [
        ResourceFactory(organization=organization, code=f"Q{number}", max_units=rng.choice([100, 150, 300]))
        for number in range(6)
    ]
    ResourceExceptionFactory(
        resource=people[0], kind=ExceptionKind.PART_TIME, start=d(5), finish=d(18), hours_per_day=5
    )
    ResourceExceptionFactory(resource=people[1], kind=ExceptionKind.LEAVE, start=d(6), finish=d(10))
    for number in range(40):
        project = rng.choice([plan["project_a"], plan["project_b"]])
        begin = d(2) + dt.timedelta(days=rng.randint(-10, 30))
        element = task(project, begin, begin + dt.timedelta(days=rng.choice([0, 0, 1, 2, 4, 6, 13, 40])))
        if number % 5 == 0:
            AssignmentFactory(project=project, task=element, resource=rng.choice(people), mode="work", units=0, work=10)
        else:
            AssignmentFactory(
                project=project, task=element, resource=rng.choice(people), units=rng.choice([33, 50, 70])
            )
    grid = utilisation(organization, start=d(2), weeks=4)
    calendars = resource_calendars(organization, [row.id for row in grid.rows])
    loads = assignment_loads(organization, start=d(2), finish=d(29))
    for row in grid.rows:
        days = capacity.day_figures(calendars[row.id], [load.daily for load in loads.get(row.id, [])], d(2), d(29))
        weeks = capacity.week_figures(days)
        assert row.weeks == weeks, row.code
        assert row.columns.utilisation == [week.utilisation for week in weeks], row.code
        assert row.columns.over_allocated == [week.over_allocated for week in weeks], row.code
