"""What a newcomer sees of resources in the demo: a pool of people, equipment and materials with dated rates,
assignments with over-allocations across projects in the weeks ahead, requests at each stage, and four weeks
of timesheets whose approved hours are the projects' labour cost."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from finance.earned_value import project_evm
from finance.models import ActualCost
from pmo.models import Alert, AlertStatus, Organization, User
from projects.demo import PARK, week_start
from projects.models import Project
from resources.alert_kinds import ResourceAlertKind, overload_parts
from resources.demo import ROAD, SCHOOL
from resources.models import (
    Assignment,
    CostRate,
    LabourCost,
    LineStatus,
    RequestStatus,
    Resource,
    ResourceException,
    ResourceRequest,
    Timesheet,
    TimesheetLine,
)
from resources.overallocation import resource_weeks

pytestmark = pytest.mark.django_db
DAY = dt.date(2027, 2, 10)  # a Wednesday
MONDAY = dt.date(2027, 2, 8)
GREEN = {"GW-2026-03", "TR-2026-02", "PB-2026-02", "PB-2025-07", "TR-2025-09"}


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[Organization]:
    """The demo seeded once for the module at ten in the morning of ``DAY`` in Shanghai, rolled back after it."""
    moment = dt.datetime.combine(DAY, dt.time(2, 0), tzinfo=dt.UTC)
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch, transaction.atomic():
        patch.setattr(timezone, "now", lambda: moment)
        call_command("seed_demo", quiet_logins=True)
        yield Organization.objects.get(slug="demo")
        transaction.set_rollback(True)


def chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_the_pool_has_people_in_four_departments_equipment_and_materials(demo: Organization) -> None:
    pool = Resource.objects.for_organization(demo).select_related("role", "user")
    people = [r for r in pool if r.kind == "person" and not r.is_placeholder]
    assert len(people) >= 20
    assert Counter(r.department for r in people).keys() == {
        "设计部 Design",
        "施工部 Construction",
        "安全质量部 HSE/Quality",
        "设备部 Equipment",
    }
    assert all(r.role is not None for r in people)
    assert sum(chinese(r.name) for r in people) >= 20
    assert {r.user.username for r in people if r.user is not None} == {"pm", "member", "quality", "risk", "maintenance"}
    assert [r.code for r in pool if r.is_placeholder] == ["X-001"]
    crew = next(r for r in pool if r.kind == "equipment" and r.max_units == Decimal(300))
    assert "Excavator crew" in crew.name
    assert {r.unit for r in pool if r.kind == "material"} == {"m³", "t"}
    levels = [skill.level for r in people for skill in r.skills.all()]
    assert len(set(levels)) >= 3


def test_rates_are_dated_and_the_design_department_had_a_raise_two_weeks_ago(demo: Organization) -> None:
    rates = CostRate.objects.for_organization(demo).select_related("resource")
    assert {rate.resource_id for rate in rates} == set(
        Resource.objects.for_organization(demo).filter(is_placeholder=False).values_list("pk", flat=True)
    )
    raised = rates.filter(effective_from=MONDAY - dt.timedelta(weeks=2))
    assert raised.count() == 7
    emma = rates.filter(resource__code="P-002").order_by("effective_from")
    assert [(r.effective_from, r.standard_rate) for r in emma] == [
        (MONDAY - dt.timedelta(weeks=52), Decimal("180.00")),
        (MONDAY - dt.timedelta(weeks=2), Decimal("195.00")),
    ]


def test_some_resources_are_over_allocated_in_the_next_four_weeks_across_late_projects(demo: Organization) -> None:
    pool = Resource.objects.for_organization(demo)
    weeks = resource_weeks(demo, pool, start=DAY, weeks=4)
    over = {item.resource.code: item for item in weeks.values() if item.over()}
    assert len(over) >= 4
    loading = {pk for item in over.values() for week in item.over() for pk in week.by_project}
    codes = set(Project.objects.for_organization(demo).filter(pk__in=loading).values_list("code", flat=True))
    assert len(codes) >= 3
    assert not codes & GREEN  # nobody is over-allocated by a project rated green

    alerts = Alert.objects.for_organization(demo).filter(kind=ResourceAlertKind.OVERALLOCATED)
    alerts = alerts.exclude(status=AlertStatus.RESOLVED)
    alerted = {overload_parts(subject)[0] for subject in alerts.values_list("subject_id", flat=True)}
    assert len(alerted) >= 4
    assert alerts.values("project_id").distinct().count() >= 3
    away = Alert.objects.for_organization(demo).filter(kind=ResourceAlertKind.AWAY_WHILE_ASSIGNED)
    assert set(away.values_list("project__code", flat=True)) == {PARK}


def test_absences_and_a_part_time_period_are_recorded(demo: Organization) -> None:
    kinds = Counter(ResourceException.objects.for_organization(demo).values_list("kind", flat=True))
    assert kinds == {"leave": 2, "training": 1, "part_time": 1}


def test_the_projects_under_way_have_assignments_of_people_equipment_and_materials(demo: Organization) -> None:
    assigned = Assignment.objects.for_organization(demo).select_related("project", "resource")
    by_kind = Counter(a.resource.kind for a in assigned)
    assert by_kind["person"] >= 30
    assert by_kind["equipment"] >= 4
    assert by_kind["material"] >= 5
    assert {a.project.code for a in assigned} >= {PARK, ROAD, SCHOOL, "GW-2026-03", "TR-2026-02"}
    assert all(a.work > 0 and a.units > 0 for a in assigned if a.resource.kind != "material")


def test_requests_are_open_proposed_and_fulfilled(demo: Organization) -> None:
    requests = ResourceRequest.objects.for_organization(demo).select_related("project")
    assert Counter(r.status for r in requests) == {
        RequestStatus.OPEN: 1,
        RequestStatus.PROPOSED: 1,
        RequestStatus.FULFILLED: 1,
    }
    fulfilled = requests.get(status=RequestStatus.FULFILLED)
    [assignment] = Assignment.objects.for_organization(demo).filter(request=fulfilled).select_related("resource")
    assert (assignment.resource.code, assignment.work) == ("P-008", Decimal("60.00"))


def test_four_weeks_of_timesheets_some_approved_some_waiting_one_rejected(demo: Organization) -> None:
    sheets = Timesheet.objects.for_organization(demo)
    assert sorted(set(sheets.values_list("week_start", flat=True))) == [
        MONDAY - dt.timedelta(weeks=weeks) for weeks in (4, 3, 2, 1)
    ]
    assert sheets.values("resource").distinct().count() == 4
    lines = Counter(TimesheetLine.objects.for_organization(demo).values_list("status", flat=True))
    assert lines == {LineStatus.APPROVED: 22, LineStatus.SUBMITTED: 10, LineStatus.REJECTED: 1}
    rejected = TimesheetLine.objects.for_organization(demo).get(status=LineStatus.REJECTED)
    assert rejected.rejection_reason


def test_approved_hours_are_the_projects_labour_cost_at_the_rates_in_force(demo: Organization) -> None:
    labour = dict(
        ActualCost.objects.for_organization(demo)
        .filter(source=ActualCost.Source.TIMESHEET)
        .values("project__code")
        .annotate(total=Sum("amount"))
        .values_list("project__code", "total")
    )
    # Ring road, four weeks ago and three: the project manager 20 h x 260, the member 30 h x 180 and
    # maintenance 40 h x 160 = 5,200 + 5,400 + 6,400 = 17,000 a week. Two weeks ago the member was on
    # leave two days and had had the raise: 18 h x 195 = 3,510, so 5,200 + 3,510 + 6,400 = 15,110.
    # 2 x 17,000 + 15,110 = 49,110.
    # School: 15 h x 260 + 10 h x 180 + 30 h x 150 = 3,900 + 1,800 + 4,500 = 10,200 a week for two weeks,
    # then the project manager's 3,900 alone (the member's line rejected, quality's waiting): 24,300.
    assert labour == {ROAD: Decimal("49110.00"), SCHOOL: Decimal("24300.00")}
    assert LabourCost.objects.for_organization(demo).aggregate(total=Sum("cost__amount"))["total"] == Decimal(
        "73410.00"
    )
    road = Project.objects.for_organization(demo).get(code=ROAD)
    spent = ActualCost.objects.for_organization(demo).filter(project=road, date__lte=DAY).aggregate(s=Sum("amount"))
    assert project_evm(road, DAY).figures.ac == spent["s"]
    assert spent["s"] > labour[ROAD]


def test_seeding_again_adds_nothing(demo: Organization, django_db_blocker: Any) -> None:
    models: tuple[Any, ...] = (Resource, CostRate, Assignment, ResourceRequest, Timesheet, TimesheetLine, ActualCost)
    before = [model.objects.for_organization(demo).count() for model in models]
    call_command("seed_demo", quiet_logins=True)
    assert [model.objects.for_organization(demo).count() for model in models] == before
    assert User.objects.filter(username="member").count() == 1
    assert week_start(DAY) == MONDAY
