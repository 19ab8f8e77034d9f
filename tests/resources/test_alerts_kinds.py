"""The resource alert kinds, raised and resolved by the variance run: over-allocation in the weeks ahead,
timesheet lines waiting for approval, and a resource assigned while away.

The organisation's calendar is Monday to Friday; every resource works 8 hours a day at 100 %, so a week's
capacity is 40 hours. Today is Wednesday 18 March 2026: the weeks looked ahead (4, the default) are those
of 16 and 23 March and of 30 March and 6 April.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from finance.earned_value import project_calendars
from finance.variance import variance_run_batch
from pmo.alerts.kinds import EvaluationBatch, alert_kinds, alert_message
from pmo.models import Alert, AlertRule, AlertStatus, Membership, Notification, Organization, OrgRole, Severity
from projects.models import Phase, Project, ProjectRole, WbsElement
from resources.alert_kinds import (
    ResourceAlertKind,
    evaluate,
    office_approvals_sync,
    overload_parts,
    overload_subject,
)
from resources.models import Assignment, Resource, ResourceSettings, TimesheetLine
from tests.factories import (
    AssignmentFactory,
    ProjectFactory,
    ProjectMemberFactory,
    ResourceExceptionFactory,
    ResourceFactory,
    ResourceSettingsFactory,
    TimesheetLineFactory,
    WbsElementFactory,
    member,
)

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 3, 18)
OVER = ResourceAlertKind.OVERALLOCATED
WAITING = ResourceAlertKind.APPROVAL_WAITING
AWAY = ResourceAlertKind.AWAY_WHILE_ASSIGNED


def run(*projects: Project) -> None:
    variance_run_batch(organization=projects[0].organization, project_ids=[p.pk for p in projects], as_of=TODAY)


def active(organization: Organization, kind: str) -> list[Alert]:
    return list(
        Alert.objects.for_organization(organization)
        .filter(kind=kind)
        .exclude(status=AlertStatus.RESOLVED)
        .order_by("project__code", "subject_id")
    )


def task(project: Project, start: str, finish: str, code: str = "1") -> WbsElement:
    return WbsElementFactory(
        project=project,
        code=code,
        name=f"Works {code}",
        planned_start=dt.date.fromisoformat(start),
        planned_finish=dt.date.fromisoformat(finish),
    )


def assign(project: Project, element: WbsElement, resource: Resource, units: str) -> Assignment:
    return AssignmentFactory(project=project, task=element, resource=resource, units=Decimal(units))


@dataclass
class Shared:
    """Li Lei works on two projects: full time on A for two weeks, half time on B in the second."""

    a: Project
    b: Project
    resource: Resource
    on_b: Assignment
    manager_a: Membership
    manager_b: Membership
    resource_manager: Membership


def shared(organization: Organization) -> Shared:
    a = ProjectFactory(organization=organization, code="A", name="Road", phase=Phase.EXECUTION)
    b = ProjectFactory(organization=organization, code="B", name="Bridge", phase=Phase.EXECUTION)
    managers = []
    for project in (a, b):
        manager = member(organization, OrgRole.PROJECT_MANAGER)
        ProjectMemberFactory(project=project, user=manager.user, role=ProjectRole.MANAGER)
        managers.append(manager)
    resource = ResourceFactory(organization=organization, code="R-01", name="Li Lei")
    # A: 16-27 March, 8 h a day.  B: 23-27 March, 4 h a day.
    assign(a, task(a, "2026-03-16", "2026-03-27"), resource, "100")
    on_b = assign(b, task(b, "2026-03-23", "2026-03-27"), resource, "50")
    return Shared(a, b, resource, on_b, managers[0], managers[1], member(organization, OrgRole.RESOURCE))


def test_resources_register_three_kinds_with_bilingual_wording() -> None:
    codes = [spec.code for spec in alert_kinds if spec.code in ResourceAlertKind.values]
    assert codes == ["resource_overallocated", "timesheet_approval_waiting", "assignment_resource_away"]
    for code in codes:
        spec = alert_kinds[code]
        with translation.override("zh-hans"):
            chinese = (str(spec.label), str(spec.explanation), str(spec.message))
        with translation.override("en"):
            assert chinese != (str(spec.label), str(spec.explanation), str(spec.message))
        assert all("\u4e00" <= ch <= "\u9fff" for ch in chinese[0][:1])


def test_an_over_allocated_resource_raises_one_alert_per_project_loading_it_told_to_its_managers(
    organization: Organization,
) -> None:
    built = shared(organization)
    run(built.a, built.b)

    # Week of 16 March: 5 x 8 = 40 h of 40, 100 %: full, not above.  Week of 23 March: 40 + 5 x 4 = 60 h
    # of 40 = 150 %: above 110; not above the red threshold 150, so amber.
    alerts = active(organization, OVER)
    assert [(alert.project.code, alert.severity, alert.figures["value"]) for alert in alerts] == [
        ("A", Severity.AMBER, "150"),
        ("B", Severity.AMBER, "150"),
    ]
    assert [overload_parts(alert.subject_id) for alert in alerts] == [
        (built.resource.pk, built.a.pk),
        (built.resource.pk, built.b.pk),
    ]
    on_a, on_b = alerts
    assert on_a.figures["weeks"] == "2026-03-23 (150%)"
    assert (on_a.figures["project_hours"], on_b.figures["project_hours"]) == ("40", "20")
    with translation.override("en"):
        assert alert_message(on_b.kind, on_b.subject_label, on_b.figures) == (
            "B · R-01 Li Lei: utilisation up to 150% in the weeks of 2026-03-23 (150%), "
            "with 20 hours of this project; the threshold is 110%."
        )
    told = {
        alert.project.code: sorted(
            Notification.objects.for_organization(organization).filter(alert=alert).values_list("user_id", flat=True)
        )
        for alert in alerts
    }
    assert told == {
        "A": sorted([built.manager_a.user_id, built.resource_manager.user_id]),
        "B": sorted([built.manager_b.user_id, built.resource_manager.user_id]),
    }


def test_each_batch_raises_the_alerts_of_its_own_projects_counting_every_projects_load(
    organization: Organization,
) -> None:
    built = shared(organization)
    run(built.a)
    assert [alert.project_id for alert in active(organization, OVER)] == [built.a.pk]
    run(built.b)
    assert [alert.project_id for alert in active(organization, OVER)] == [built.a.pk, built.b.pk]


def test_running_again_raises_no_duplicate_and_tells_nobody_again(organization: Organization) -> None:
    built = shared(organization)
    run(built.a, built.b)
    told = Notification.objects.for_organization(organization).count()
    run(built.a, built.b)
    assert len(active(organization, OVER)) == 2
    assert Notification.objects.for_organization(organization).count() == told


def test_exactly_the_threshold_is_not_above_it_and_the_alerts_resolve(organization: Organization) -> None:
    built = shared(organization)
    run(built.a, built.b)
    # B at 10 %: 0.8 h a day, 4 h in the week; 40 + 4 = 44 h of 40 is 110 %, the threshold, not above it.
    Assignment.objects.for_organization(organization).filter(pk=built.on_b.pk).update(units=Decimal("10"))
    run(built.a, built.b)
    assert active(organization, OVER) == []
    assert Alert.objects.for_organization(organization).filter(kind=OVER, status=AlertStatus.RESOLVED).count() == 2


def test_a_week_above_the_red_threshold_is_red_and_the_rules_threshold_counts(organization: Organization) -> None:
    built = shared(organization)
    Assignment.objects.for_organization(organization).filter(pk=built.on_b.pk).update(
        units=Decimal("60")
    )  # 40 + 24 = 64 h: 160 %
    AlertRule.objects.create(
        organization=organization,
        kind=OVER,
        threshold=Decimal("160"),
        red_threshold=None,
        notify_org_roles=[OrgRole.RESOURCE.value],
        notify_project_roles=["manager"],
    )
    run(built.a, built.b)
    assert active(organization, OVER) == []  # 160 is not above 160
    AlertRule.objects.for_organization(organization).filter(kind=OVER).update(
        threshold=Decimal("110"), red_threshold=Decimal("150")
    )
    run(built.a, built.b)
    assert {alert.severity for alert in active(organization, OVER)} == {Severity.RED}


def test_only_the_weeks_looked_ahead_count(organization: Organization) -> None:
    built = shared(organization)
    later = task(built.b, "2026-04-13", "2026-04-17", code="2")  # the fifth week from this one
    assign(built.b, later, built.resource, "200")
    ResourceSettingsFactory(organization=organization, overallocation_weeks=1)
    run(built.a, built.b)
    assert active(organization, OVER) == []  # this week alone: 100 %
    ResourceSettings.objects.for_organization(organization).update(overallocation_weeks=5)
    run(built.a, built.b)
    assert active(organization, OVER)[1].figures["weeks"] == "2026-03-23 (150%), 2026-04-13 (200%)"


def test_a_closed_projects_assignments_load_nobody(organization: Organization) -> None:
    built = shared(organization)
    Project.objects.for_organization(organization).filter(pk=built.b.pk).update(phase=Phase.CLOSED)
    run(built.a)
    assert active(organization, OVER) == []


def test_lines_waiting_longer_than_the_threshold_alert_the_projects_manager(organization: Organization) -> None:
    built = shared(organization)
    now = timezone.now()
    element = WbsElement.objects.for_organization(organization).get(project=built.a)

    def line(days: int, hours: int = 0) -> TimesheetLine:
        return TimesheetLineFactory(
            organization=organization,
            project=built.a,
            task=element,
            status="submitted",
            submitted_at=now - dt.timedelta(days=days, hours=hours),
        )

    exactly = line(3)
    run(built.a)
    assert active(organization, WAITING) == []  # 3 days is the threshold, not above it

    late = line(5, hours=1)
    line(1)
    TimesheetLineFactory(organization=organization, category="leave", task=None, project=None, status="submitted")
    run(built.a, built.b)
    [alert] = active(organization, WAITING)
    assert (alert.project_id, alert.subject_id, alert.figures["value"]) == (built.a.pk, built.a.pk, "5")
    assert (alert.figures["lines"], alert.figures["waiting"]) == ("1", "3")  # 5 days; 3 and 1 are not above 3
    assert list(Notification.objects.for_organization(organization).filter(alert=alert).values_list("user_id")) == [
        (built.manager_a.user_id,)
    ]
    TimesheetLine.objects.for_organization(organization).filter(pk__in=[late.pk, exactly.pk]).update(status="approved")
    run(built.a)
    assert active(organization, WAITING) == []


def test_a_resource_away_during_its_tasks_remaining_days_raises_an_alert(organization: Organization) -> None:
    built = shared(organization)
    user = member(organization, OrgRole.RESOURCE).user
    # Away Monday 23 and Tuesday 24 March: two working days of A (16-27 March) and of B (23-27 March).
    away = ResourceExceptionFactory(
        resource=built.resource, kind="leave", start=dt.date(2026, 3, 23), finish=dt.date(2026, 3, 24), created_by=user
    )
    # Before today, and on a weekend only: nothing.
    ResourceExceptionFactory(
        resource=built.resource,
        kind="training",
        start=dt.date(2026, 3, 9),
        finish=dt.date(2026, 3, 13),
        created_by=user,
    )
    ResourceExceptionFactory(
        resource=built.resource, kind="other", start=dt.date(2026, 3, 28), finish=dt.date(2026, 3, 29), created_by=user
    )
    run(built.a, built.b)
    alerts = active(organization, AWAY)
    assert [(alert.project.code, alert.figures["value"], alert.figures["away"]) for alert in alerts] == [
        ("A", "2", "2026-03-23/2026-03-24"),
        ("B", "2", "2026-03-23/2026-03-24"),
    ]
    with translation.override("en"):
        assert alerts[1].message == (
            "B · 1 Works 1 · R-01 Li Lei: the resource is away 2026-03-23/2026-03-24, 2 working days of the task "
            "(2026-03-23 to 2026-03-27)."
        )
    away.delete()
    run(built.a, built.b)
    assert active(organization, AWAY) == []


def test_part_time_is_not_away(organization: Organization) -> None:
    built = shared(organization)
    ResourceExceptionFactory(
        resource=built.resource,
        kind="part_time",
        hours_per_day=Decimal("4"),
        start=dt.date(2026, 3, 23),
        finish=dt.date(2026, 3, 24),
        created_by=member(organization).user,
    )
    run(built.a, built.b)
    assert active(organization, AWAY) == []


def test_the_subject_of_an_over_allocation_is_the_resource_on_the_project() -> None:
    assert overload_parts(overload_subject(7, 3)) == (7, 3)
    assert overload_parts(overload_subject(2**31, 2**32 - 1)) == (2**31, 2**32 - 1)


def test_the_evaluator_reads_one_project_or_many_in_nine_queries(organization: Organization) -> None:
    def measure(projects: list[Project]) -> int:
        batch = EvaluationBatch(
            organization=organization,
            projects={p.pk: p for p in projects},
            as_of=TODAY,
            calendars=project_calendars(organization.pk, projects),
        )
        with CaptureQueriesContext(connection) as queries:
            evaluate(batch)
        return len(queries)

    first = shared(organization)
    alone = measure([first.a])
    more = [shared_again(organization, index) for index in range(3)]
    assert alone == measure([project for pair in more for project in pair]) == 9


def shared_again(organization: Organization, index: int) -> tuple[Project, Project]:
    """Another pair of projects sharing a resource away for a day, with a line waiting."""
    pair = []
    resource = ResourceFactory(organization=organization)
    for letter in "CD":
        project = ProjectFactory(organization=organization, code=f"{letter}{index}", phase=Phase.EXECUTION)
        element = task(project, "2026-03-16", "2026-03-27")
        assign(project, element, resource, "80")
        TimesheetLineFactory(
            organization=organization,
            project=project,
            task=element,
            status="submitted",
            submitted_at=timezone.now() - dt.timedelta(days=9),
        )
        pair.append(project)
    ResourceExceptionFactory(
        resource=resource, start=dt.date(2026, 3, 20), finish=dt.date(2026, 3, 20), created_by=member(organization).user
    )
    return pair[0], pair[1]


def test_lines_outside_any_project_waiting_alert_the_resource_office_hourly(organization: Organization) -> None:
    office = member(organization, OrgRole.RESOURCE)
    member(organization, OrgRole.PMO)
    person = ResourceFactory(organization=organization, code="R-07", name="Han Mei")
    now = timezone.now()
    late = TimesheetLineFactory(
        organization=organization,
        timesheet__resource=person,
        timesheet__week_start=dt.date(2026, 3, 2),
        category="leave",
        task=None,
        project=None,
        status="submitted",
        submitted_at=now - dt.timedelta(days=5),
    )
    TimesheetLineFactory(
        organization=organization,
        timesheet=late.timesheet,
        category="admin",
        task=None,
        project=None,
        status="submitted",
        submitted_at=now - dt.timedelta(days=1),
    )
    TimesheetLineFactory(  # another week, waiting a day: within the threshold
        organization=organization,
        timesheet__resource=person,
        timesheet__week_start=dt.date(2026, 3, 9),
        category="training",
        task=None,
        project=None,
        status="submitted",
        submitted_at=now - dt.timedelta(days=1),
    )

    assert office_approvals_sync(organization=organization).opened == 1
    [alert] = active(organization, WAITING)
    assert (alert.project_id, alert.subject_id, alert.subject_label) == (
        None,
        late.timesheet_id,
        "R-07 Han Mei · 2026-W10",
    )
    assert (alert.figures["value"], alert.figures["lines"], alert.figures["waiting"]) == ("5", "1", "2")
    told = Notification.objects.for_organization(organization).filter(alert=alert).values_list("user_id", flat=True)
    assert list(told) == [office.user_id]
    with translation.override("en"):
        assert alert.message.startswith("R-07 Han Mei · 2026-W10: 1 of 2 timesheet lines waiting for approval")

    assert office_approvals_sync(organization=organization).opened == 0  # no duplicate
    TimesheetLine.objects.for_organization(organization).filter(pk=late.pk).update(status="approved")
    assert office_approvals_sync(organization=organization).resolved == 1
    assert active(organization, WAITING) == []


def test_the_hourly_timesheet_run_raises_the_office_approvals_alert(organization: Organization) -> None:
    """``timesheet_reminders_org`` (beat, hourly) is what calls ``office_approvals_sync``: lines outside projects."""
    from resources.tasks import timesheet_reminders_org

    member(organization, OrgRole.RESOURCE)
    person = ResourceFactory(organization=organization, code="R-08", name="Qin Lan")
    TimesheetLineFactory(
        organization=organization,
        timesheet__resource=person,
        timesheet__week_start=dt.date(2026, 3, 2),
        category="training",
        task=None,
        project=None,
        status="submitted",
        submitted_at=timezone.now() - dt.timedelta(days=6),
    )

    timesheet_reminders_org(organization_id=organization.pk)

    [alert] = active(organization, WAITING)
    assert (alert.project_id, alert.subject_label) == (None, "R-08 Qin Lan · 2026-W10")
