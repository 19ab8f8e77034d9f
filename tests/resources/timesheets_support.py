"""A small site for the timesheet tests: a person on a project, its manager, another project's manager,
the resource office, and dated rates that change in the middle of the week of Monday 2 March 2026."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from finance.services.period_lock import period_lock_set
from pmo.models import Organization, OrgRole, User
from projects.models import Project, WbsElement
from resources.models import Resource, Timesheet, TimesheetLine
from resources.services import timesheets as services
from tests.factories import (
    CostRateFactory,
    OrganizationFactory,
    ProjectFactory,
    ProjectMemberFactory,
    ResourceFactory,
    WbsElementFactory,
    member,
)

MONDAY = dt.date(2026, 3, 2)
#: The rate goes from 100.00 to 123.46 on Wednesday 4 March.
RATE_CHANGE = dt.date(2026, 3, 4)


def hours(*values: str | int | float) -> list[str]:
    """Seven days of hours as typed, Monday first; missing days are 0."""
    return [str(value) for value in values] + ["0"] * (7 - len(values))


@dataclass
class Site:
    org: Organization
    person: User
    resource: Resource
    manager: User
    office: User
    finance: User
    other_manager: User
    outsider: User
    project: Project
    task: WbsElement
    task_b: WbsElement
    other_project: Project
    other_task: WbsElement

    def week(self, week_start: dt.date = MONDAY) -> Timesheet:
        return services.timesheet_for(actor=self.person, resource=self.resource, week_start=week_start)

    def line(
        self, *values: Any, task: WbsElement | None = None, week_start: dt.date = MONDAY, **options: Any
    ) -> TimesheetLine:
        category = options.pop("category", "project")
        chosen = None if category != "project" else (task or self.task)
        return services.timesheet_line_add(
            actor=self.person,
            timesheet=self.week(week_start),
            category=category,
            task=chosen,
            hours=hours(*values),
            **options,
        )

    def submitted(self, *values: Any, **options: Any) -> TimesheetLine:
        line = self.line(*values, **options)
        services.timesheet_submit(actor=self.person, timesheet=line.timesheet)
        line.refresh_from_db()
        return line

    def approved(self, *values: Any, **options: Any) -> TimesheetLine:
        line = self.submitted(*values, **options)
        services.timesheet_line_approve(actor=self.manager, line=line)
        line.refresh_from_db()
        return line

    def lock(self, through: dt.date) -> None:
        period_lock_set(actor=self.finance, organization=self.org, locked_through=through)


def make_site(slug: str = "acme") -> Site:
    org = OrganizationFactory(name="Acme Build", slug=slug)
    person = member(org, OrgRole.MEMBER, username=f"{slug}-lin").user
    manager = member(org, OrgRole.PROJECT_MANAGER, username=f"{slug}-pm").user
    other_manager = member(org, OrgRole.PROJECT_MANAGER, username=f"{slug}-pm2").user
    office = member(org, OrgRole.RESOURCE, username=f"{slug}-office").user
    finance = member(org, OrgRole.FINANCE, username=f"{slug}-finance").user
    outsider = member(org, OrgRole.MEMBER, username=f"{slug}-other").user
    project = ProjectFactory(organization=org, code="P-1", name="Riverside")
    other_project = ProjectFactory(organization=org, code="P-2", name="Hillside")
    ProjectMemberFactory(organization=org, project=project, user=manager, role="manager")
    ProjectMemberFactory(organization=org, project=other_project, user=other_manager, role="manager")
    ProjectMemberFactory(organization=org, project=project, user=person, role="member")
    task = WbsElementFactory(organization=org, project=project, code="1", name="Excavation", sort_key="00001")
    task_b = WbsElementFactory(organization=org, project=project, code="2", name="Formwork", sort_key="00002")
    other_task = WbsElementFactory(organization=org, project=other_project, code="1", name="Survey", sort_key="00001")
    resource = ResourceFactory(organization=org, code="R-LIN", name="Lin Wei", user=person)
    CostRateFactory(
        organization=org, resource=resource, effective_from=dt.date(2026, 1, 1), standard_rate=Decimal("100.00")
    )
    CostRateFactory(organization=org, resource=resource, effective_from=RATE_CHANGE, standard_rate=Decimal("123.46"))
    return Site(
        org=org,
        person=person,
        resource=resource,
        manager=manager,
        office=office,
        finance=finance,
        other_manager=other_manager,
        outsider=outsider,
        project=project,
        task=task,
        task_b=task_b,
        other_project=other_project,
        other_task=other_task,
    )
