"""Plans to level, made through the projects' services: the small networks of the leveling tests.

Every project is planned from Monday 2 March 2026 on the organisation's default calendar (Monday to
Friday); R is one person, 8 hours a day at 100 %.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pmo.models import Membership, Organization, OrgRole
from projects.models import Project, WbsElement
from projects.services import plan
from resources.models import Assignment, Resource
from tests.factories import AssignmentFactory, ResourceFactory, member
from tests.projects.helpers import add_task, make_project

MONDAY = dt.date(2026, 3, 2)


def day(offset: int) -> dt.date:
    """The working day ``offset`` working days after Monday 2 March 2026 (Monday to Friday)."""
    weeks, rest = divmod(offset, 5)
    return MONDAY + dt.timedelta(days=7 * weeks + rest)


@dataclass
class Plan:
    project: Project
    tasks: dict[str, WbsElement]


def planner(organization: Organization, username: str = "pm") -> Membership:
    return member(organization, OrgRole.PROJECT_MANAGER, username=username)


def person(organization: Organization, code: str = "R1") -> Resource:
    return ResourceFactory(organization=organization, code=code, name=f"Person {code}")


def build(
    organization: Organization,
    pm: Membership,
    durations: dict[str, int],
    links: Sequence[tuple[str, str]] = (),
    **fields: Any,
) -> Plan:
    project = make_project(organization, actor=pm, manager=pm.user, **fields)
    tasks = {name: add_task(project, name, actor=pm, duration=duration) for name, duration in durations.items()}
    for predecessor, successor in links:
        plan.dependency_create(
            actor=pm.user, project=project, predecessor=tasks[predecessor], successor=tasks[successor]
        )
    return Plan(project, tasks)


def assign(task: WbsElement, resource: Resource, units: str = "100") -> Assignment:
    return AssignmentFactory(project=task.project, task=task, resource=resource, units=Decimal(units))


def within_float_plan(organization: Organization, pm: Membership, resource: Resource, **fields: Any) -> Plan:
    """B(5) -> C(3) critical (finish Wednesday 11 March); A(3) beside them with 5 days of float; A and B on R."""
    built = build(organization, pm, {"A": 3, "B": 5, "C": 3}, [("B", "C")], **fields)
    assign(built.tasks["A"], resource)
    assign(built.tasks["B"], resource)
    return built


def refreshed(element: WbsElement) -> WbsElement:
    return WbsElement.objects.for_organization(element.organization_id).get(pk=element.pk)
