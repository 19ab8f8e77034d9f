"""The small plan the capacity tests work by hand (see tests/resources/test_capacity_selectors.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from pmo.models import Organization, WorkingCalendar
from projects.models import Phase
from resources.models import ExceptionKind
from tests.factories import (
    AssignmentFactory,
    CalendarExceptionFactory,
    ProjectFactory,
    ResourceExceptionFactory,
    ResourceFactory,
    ResourceRoleFactory,
    ResourceSkillFactory,
    SkillFactory,
    WbsElementFactory,
    WorkingCalendarFactory,
)


def d(day: int, month: int = 3) -> dt.date:
    return dt.date(2026, month, day)


def task(project: Any, start: dt.date, finish: dt.date, **fields: Any) -> Any:
    return WbsElementFactory(project=project, planned_start=start, planned_finish=finish, **fields)


def build_plan(organization: Organization) -> dict[str, Any]:
    standard = WorkingCalendar.objects.for_organization(organization).get(is_default=True)
    CalendarExceptionFactory(calendar=standard, date=d(4), name="Holiday")
    CalendarExceptionFactory(calendar=standard, date=d(7), is_working=True, name="Make-up day")
    six_days = WorkingCalendarFactory(organization=organization, name="Six days", working_weekdays=[0, 1, 2, 3, 4, 5])
    engineer = ResourceRoleFactory(organization=organization, name="Civil engineer")
    welding = SkillFactory(organization=organization, name="Welding")
    project_a = ProjectFactory(organization=organization, code="A", phase=Phase.EXECUTION)
    project_b = ProjectFactory(organization=organization, code="B", phase=Phase.EXECUTION, calendar=six_days)
    ann = ResourceFactory(organization=organization, code="R1", name="Ann", department="Civil", role=engineer)
    bob = ResourceFactory(organization=organization, code="R2", name="Bob", department="Structures", role=engineer)
    ResourceSkillFactory(resource=bob, skill=welding)
    a1 = AssignmentFactory(project=project_a, task=task(project_a, d(2), d(6)), resource=ann, units=Decimal(50))
    b1 = AssignmentFactory(
        project=project_b, task=task(project_b, d(2), d(7)), resource=ann, mode="work", work=Decimal(30), units=0
    )
    a2 = AssignmentFactory(project=project_a, task=task(project_a, d(9), d(13)), resource=bob, units=Decimal(75))
    ResourceExceptionFactory(resource=bob, kind=ExceptionKind.PART_TIME, start=d(9), finish=d(13), hours_per_day=6)
    ResourceExceptionFactory(resource=bob, kind=ExceptionKind.LEAVE, start=d(16), finish=d(17))
    return {
        "ann": ann,
        "bob": bob,
        "a1": a1,
        "b1": b1,
        "a2": a2,
        "project_a": project_a,
        "project_b": project_b,
        "engineer": engineer,
        "welding": welding,
        "six_days": six_days,
    }
