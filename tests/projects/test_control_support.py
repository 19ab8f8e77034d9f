"""A small project worked by hand, shared by the status report and change request tests.

Calendar: Monday to Friday, with Wednesday 11 March 2026 a holiday. The plan, built with the
plan services from Monday 2 March 2026:

    A  Foundations  5 days  1 000   2-6 March
    B  Structure   10 days  3 000   9-23 March (the 11th is off), after A
    M  Handover    milestone        24 March, after B

The baseline "Original" freezes it. Progress then: A done (2-6 March), B 20 % (started 9 March).
At Friday 13 March the plan expects A and 4 of B's 10 days: (1 000 + 1 200) / 4 000 = 55 %;
actual is (1 000 x 100 % + 3 000 x 20 %) / 4 000 = 40 %.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from pmo.models import CalendarException, Membership, Organization, OrgRole, User, WorkingCalendar
from projects.models import Baseline, ChangeRequest, Project, ProjectMember, ProjectRole, StatusReport, WbsElement
from projects.services import control
from projects.services.plan import baseline_create, dependency_create, task_progress_update, wbs_element_create
from projects.services.projects import project_create
from tests.factories import member

MONDAY = dt.date(2026, 3, 2)
HOLIDAY = dt.date(2026, 3, 11)
FRIDAY = dt.date(2026, 3, 13)


@dataclass
class Plan:
    organization: Organization
    admin: Membership
    manager: Membership
    project: Project
    a: WbsElement
    b: WbsElement
    milestone: WbsElement
    baseline: Baseline


def add_calendar_day(organization: Organization, day: dt.date, *, working: bool) -> None:
    calendar = WorkingCalendar.objects.for_organization(organization).get(is_default=True)
    CalendarException.objects.create(
        organization=organization, calendar=calendar, date=day, is_working=working, name="exception"
    )


def join(project: Project, membership: Membership, role: str) -> Membership:
    ProjectMember.objects.for_organization(project.organization_id).update_or_create(
        organization=project.organization, project=project, user=membership.user, defaults={"role": role}
    )
    return membership


def build_plan(organization: Organization, *, progress: bool = True, b_percent: int = 20) -> Plan:
    admin = member(organization, OrgRole.ADMIN)
    manager = member(organization, OrgRole.PROJECT_MANAGER)
    add_calendar_day(organization, HOLIDAY, working=False)
    actor = admin.user
    project = project_create(
        actor=actor,
        organization=organization,
        code="PRJ-1",
        name="Riverside park",
        planned_start=MONDAY,
        manager=manager.user,
    )
    a = wbs_element_create(actor=actor, project=project, name="Foundations", duration=5, budgeted_cost=Decimal(1000))
    b = wbs_element_create(actor=actor, project=project, name="Structure", duration=10, budgeted_cost=Decimal(3000))
    milestone = wbs_element_create(actor=actor, project=project, name="Handover", kind=WbsElement.Kind.MILESTONE)
    dependency_create(actor=actor, project=project, predecessor=a, successor=b)
    dependency_create(actor=actor, project=project, predecessor=b, successor=milestone)
    baseline = baseline_create(actor=actor, project=project, name="Original")
    if progress:
        task_progress_update(
            actor=actor,
            task=a,
            percent_complete=Decimal(100),
            actual_start=MONDAY,
            actual_finish=dt.date(2026, 3, 6),
            effective_date=dt.date(2026, 3, 6),
        )
        task_progress_update(
            actor=actor,
            task=b,
            percent_complete=Decimal(b_percent),
            actual_start=dt.date(2026, 3, 9),
            effective_date=FRIDAY,
        )
    for element in (a, b, milestone):
        element.refresh_from_db()
    project.refresh_from_db()
    return Plan(organization, admin, manager, project, a, b, milestone, baseline)


def raise_change(
    plan: Plan,
    requester: Membership,
    *,
    impact_cost: Decimal = Decimal("5000.00"),
    impact_days: int = 3,
    submit: bool = True,
) -> ChangeRequest:
    change_request = control.change_request_create(
        actor=requester.user,
        project=plan.project,
        title="Add a footbridge",
        kind=ChangeRequest.Kind.SCOPE,
        description="One more footbridge over the canal.",
        reason="Requested by the client.",
        impact_days=impact_days,
        impact_cost=impact_cost,
        affected=[plan.b],
    )
    if submit:
        change_request = control.change_request_submit(
            actor=requester.user, membership=requester, project_role=None, change_request=change_request
        )
    return change_request


def who(membership: Membership, project_role: str | None = None) -> dict[str, object]:
    return {"actor": membership.user, "membership": membership, "project_role": project_role}


def narrated(report: StatusReport) -> StatusReport:
    """The draft with the narrative a report needs to be submitted, written in without an audit event."""
    StatusReport.objects.for_organization(report.organization_id).filter(pk=report.pk).update(
        accomplishments="Piles driven."
    )
    report.refresh_from_db()
    return report


def user_of(membership: Membership) -> User:
    return membership.user


MANAGER = ProjectRole.MANAGER
