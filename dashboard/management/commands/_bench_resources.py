"""The resource pool of ``seed_bench``: people in departments, equipment, materials, roles, skills, dated
rates, leave and part-time periods, and assignments of the pool to the projects' tasks.

``RESOURCES`` resources (L: 500; S: a pool in proportion, at least ``MIN_RESOURCES``): nine in ten
people (with a role, one to three skills and a department), the rest equipment (crews of up to three
units) and a few materials, plus a placeholder for each role. Each project draws a team of
``TEAM_SIZE`` from the pool and assigns ``ASSIGNMENTS_PER_PROJECT`` of its tasks to them (L: 1,000
projects x 50 = 50,000 assignments), most in units (25 to 100 %), some as total work; a task gets one
resource. About one person in five takes a week or two of leave within the next half year, a few
work part-time. The rows are read from the tasks already inserted (as values), built unsaved and
bulk-inserted around the services (no audit events, no labour cost) from a generator of their own, so
that the rest of the bench's data is the same with or without resources.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from pmo.models import Organization, User
from projects.models import WbsElement
from resources.models import (
    Assignment,
    AssignmentMode,
    CostRate,
    ExceptionKind,
    Resource,
    ResourceException,
    ResourceKind,
    ResourceRole,
    ResourceSkill,
    Skill,
)

RESOURCES = 500
MIN_RESOURCES = 40
#: Resources per project at L; the pool is scaled down in proportion for fewer projects.
PROJECTS_PER_RESOURCE = 2
TEAM_SIZE = 10
ASSIGNMENTS_PER_PROJECT = 50
DEPARTMENTS = ["Civil", "Structures", "Mechanical", "Electrical", "Survey", "Plant", "Site", "Design"]
PERSON_ROLES = [
    "Civil engineer",
    "Structural engineer",
    "Site supervisor",
    "Surveyor",
    "Electrician",
    "Welder",
    "Foreman",
    "Planner",
    "Safety officer",
    "Quantity surveyor",
]
EQUIPMENT_ROLES = ["Excavator crew", "Crane"]
SKILLS = [
    "Concrete",
    "Steel",
    "Welding",
    "Surveying",
    "BIM",
    "Scheduling",
    "HV electrical",
    "Piling",
    "Formwork",
    "Safety",
    "Rigging",
    "Drainage",
]
MATERIALS = [("Concrete C30", "m³"), ("Rebar", "t"), ("Gravel", "t"), ("Cable", "m")]
UNITS = [25, 50, 50, 75, 100, 100]


def seed(
    *,
    organization: Organization,
    users: dict[str, User],
    status_date: dt.date,
    seed: int,
    projects: int,
    create: Callable[[type[Any], list[Any]], None],
) -> None:
    """The pool and its assignments over every project's tasks (already inserted)."""
    rng = random.Random(seed * 7919 + 14)  # noqa: S311  (synthetic data, not secrets)
    author = users["pmo"]
    roles = [ResourceRole(organization=organization, name=name, kind=ResourceKind.PERSON) for name in PERSON_ROLES]
    roles += [
        ResourceRole(organization=organization, name=name, kind=ResourceKind.EQUIPMENT) for name in EQUIPMENT_ROLES
    ]
    create(ResourceRole, roles)
    skills = [Skill(organization=organization, name=name) for name in SKILLS]
    create(Skill, skills)

    size = max(MIN_RESOURCES, min(RESOURCES, projects // PROJECTS_PER_RESOURCE))
    materials = len(MATERIALS)
    equipment = size // 10
    people = size - equipment - materials
    pool: list[Resource] = []
    for number in range(1, people + 1):
        pool.append(
            Resource(
                organization=organization,
                code=f"P{number:04d}",
                name=f"Person {number:04d}",
                kind=ResourceKind.PERSON,
                role=roles[number % len(PERSON_ROLES)],
                department=DEPARTMENTS[number % len(DEPARTMENTS)],
                hours_per_day=Decimal(8),
                max_units=Decimal(100),
            )
        )
    for number in range(1, equipment + 1):
        pool.append(
            Resource(
                organization=organization,
                code=f"E{number:04d}",
                name=f"{EQUIPMENT_ROLES[number % 2]} {number:03d}",
                kind=ResourceKind.EQUIPMENT,
                role=roles[len(PERSON_ROLES) + number % 2],
                department="Plant",
                hours_per_day=Decimal(8),
                max_units=Decimal(rng.choice([100, 200, 300])),
            )
        )
    for number, (name, unit) in enumerate(MATERIALS, start=1):
        pool.append(
            Resource(organization=organization, code=f"M{number:04d}", name=name, kind=ResourceKind.MATERIAL, unit=unit)
        )
    placeholders = [
        Resource(
            organization=organization,
            code=f"X{number:04d}",
            name=f"{role.name} (to be named)",
            kind=role.kind,
            role=role,
            is_placeholder=True,
        )
        for number, role in enumerate(roles, start=1)
    ]
    create(Resource, pool + placeholders)

    timed = [resource for resource in pool if resource.kind != ResourceKind.MATERIAL]
    person_rows = [resource for resource in timed if resource.kind == ResourceKind.PERSON]
    create(
        ResourceSkill,
        [
            ResourceSkill(organization=organization, resource=resource, skill=skill, level=rng.randint(1, 5))
            for resource in person_rows
            for skill in rng.sample(skills, rng.randint(1, 3))
        ],
    )
    rates = []
    for resource in pool:
        first = (
            Decimal(rng.randint(80, 400)) if resource.kind != ResourceKind.MATERIAL else Decimal(rng.randint(50, 900))
        )
        since = status_date - dt.timedelta(days=rng.randint(200, 700))
        rates.append(
            CostRate(
                organization=organization,
                resource=resource,
                effective_from=since,
                standard_rate=first,
                overtime_rate=(first * Decimal("1.5")).quantize(Decimal("0.01")),
                created_by=author,
            )
        )
        if rng.random() < 0.5:
            rates.append(
                CostRate(
                    organization=organization,
                    resource=resource,
                    effective_from=status_date - dt.timedelta(days=rng.randint(1, 150)),
                    standard_rate=(first * Decimal("1.05")).quantize(Decimal("0.01")),
                    created_by=author,
                )
            )
    create(CostRate, rates)
    exceptions = []
    for resource in person_rows:
        draw = rng.random()
        if draw < 0.2:
            start = status_date + dt.timedelta(days=rng.randint(0, 170))
            exceptions.append(
                ResourceException(
                    organization=organization,
                    resource=resource,
                    kind=rng.choice([ExceptionKind.LEAVE, ExceptionKind.LEAVE, ExceptionKind.TRAINING]),
                    start=start,
                    finish=start + dt.timedelta(days=rng.randint(2, 13)),
                    note="Annual leave",
                    created_by=author,
                )
            )
        elif draw < 0.25:
            start = status_date - dt.timedelta(days=rng.randint(0, 60))
            exceptions.append(
                ResourceException(
                    organization=organization,
                    resource=resource,
                    kind=ExceptionKind.PART_TIME,
                    start=start,
                    finish=start + dt.timedelta(days=rng.randint(60, 240)),
                    hours_per_day=Decimal(rng.choice([4, 5, 6])),
                    created_by=author,
                )
            )
    create(ResourceException, exceptions)
    create(Assignment, _assignments(organization, author, rng, timed, placeholders, pool[-materials:]))


def _assignments(
    organization: Organization,
    author: User,
    rng: random.Random,
    timed: list[Resource],
    placeholders: list[Resource],
    materials: list[Resource],
) -> list[Assignment]:
    """Each project's team on ``ASSIGNMENTS_PER_PROJECT`` of its tasks, a task to one resource."""
    tasks: dict[int, list[tuple[int, int]]] = {}
    for pk, project_id, duration in (
        WbsElement.objects.for_organization(organization)
        .filter(kind=WbsElement.Kind.TASK, planned_start__isnull=False)
        .order_by("project_id", "sort_key")
        .values_list("pk", "project_id", "duration")
    ):
        tasks.setdefault(project_id, []).append((pk, duration))
    rows = []
    for project_id, project_tasks in tasks.items():
        team = rng.sample(timed, min(TEAM_SIZE, len(timed)))
        chosen = rng.sample(project_tasks, min(ASSIGNMENTS_PER_PROJECT, len(project_tasks)))
        for number, (task_id, duration) in enumerate(chosen):
            if number == 0:
                resource = rng.choice(placeholders)
            elif number == 1:
                resource = rng.choice(materials)
            else:
                resource = team[number % len(team)]
            units = Decimal(rng.choice(UNITS))
            hours = units / 100 * resource.hours_per_day * max(duration, 1)
            by_work = resource.kind == ResourceKind.MATERIAL or rng.random() < 0.15
            rows.append(
                Assignment(
                    organization=organization,
                    project_id=project_id,
                    task_id=task_id,
                    resource=resource,
                    mode=AssignmentMode.WORK if by_work else AssignmentMode.UNITS,
                    units=Decimal(0) if resource.kind == ResourceKind.MATERIAL else units,
                    work=Decimal(rng.randint(5, 200)) if resource.kind == ResourceKind.MATERIAL else hours,
                    created_by=author,
                )
            )
    return rows
