"""The data date: a project under way schedules its unfinished work from its organisation's today."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from finance.earned_value import project_evm
from pmo.models import Membership, Organization, OrgRole
from projects.models import BaselineTask, Phase, Project, WbsElement
from projects.selectors import project_work_calendar
from projects.services import plan
from projects.services import projects as project_services
from projects.services.schedule import reschedule_stale_projects
from tests.factories import member
from tests.projects.helpers import add_task, make_project, refreshed
from tests.projects.test_pages_support import client_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def pm(organization: Organization) -> Membership:
    return member(organization, OrgRole.PROJECT_MANAGER)


def monday_weeks_ago(organization: Organization, weeks: int) -> dt.date:
    today = organization.today()
    return today - dt.timedelta(days=today.weekday() + 7 * weeks)


def build_plan(organization: Organization, pm: Membership, **fields: Any) -> tuple[Project, dict[str, WbsElement]]:
    """Design (done), Build (half done), Paint (after Design), Open (after Build and Paint), six weeks ago."""
    start = monday_weeks_ago(organization, 6)
    project = make_project(organization, manager=pm.user, planned_start=start, **fields)
    tasks = {
        "design": add_task(project, "Design", actor=pm, duration=5, budgeted_cost=5000),
        "build": add_task(project, "Build", actor=pm, duration=10, budgeted_cost=10000),
        "paint": add_task(project, "Paint", actor=pm, duration=5, budgeted_cost=5000),
        "open": add_task(project, "Open", actor=pm, duration=3, budgeted_cost=3000),
    }
    for predecessor, successor in (("design", "paint"), ("build", "open"), ("paint", "open")):
        plan.dependency_create(
            actor=pm.user, project=project, predecessor=tasks[predecessor], successor=tasks[successor]
        )
    return project, tasks


def report_progress(pm: Membership, tasks: dict[str, WbsElement], start: dt.date) -> None:
    plan.task_progress_update(
        actor=pm.user,
        task=tasks["design"],
        percent_complete=Decimal("100"),
        actual_start=start,
        actual_finish=start + dt.timedelta(days=4),
        effective_date=start + dt.timedelta(days=4),
    )
    plan.task_progress_update(
        actor=pm.user,
        task=tasks["build"],
        percent_complete=Decimal("50"),
        actual_start=start,
        effective_date=start + dt.timedelta(days=7),
    )


def put_under_way(project: Project, pm: Membership) -> Project:
    plan.baseline_create(actor=pm.user, project=project, name="Approved")
    Project.objects.for_organization(project.organization_id).filter(pk=project.pk).update(phase=Phase.EXECUTION)
    return plan.project_schedule_recompute(
        actor=pm.user, project=Project.objects.for_organization(project.organization_id).get(pk=project.pk)
    )


def test_under_way_unfinished_work_is_scheduled_from_today_and_finished_work_keeps_its_dates(
    organization: Organization, pm: Membership
) -> None:
    project, tasks = build_plan(organization, pm)
    start = project.planned_start
    report_progress(pm, tasks, start)

    project = put_under_way(project, pm)

    calendar = project_work_calendar(project)
    today = calendar.next_working_day(organization.today())
    design, build, paint, opening = (refreshed(tasks[name]) for name in ("design", "build", "paint", "open"))
    assert (design.planned_start, design.planned_finish) == (start, start + dt.timedelta(days=4))
    # Build keeps its actual start; its remaining half (5 days) runs from today.
    assert (build.planned_start, build.planned_finish) == (start, calendar.add_working_days(today, 4))
    # Paint could have started after Design five weeks ago; not started, it starts today.
    assert (paint.planned_start, paint.planned_finish) == (today, calendar.add_working_days(today, 4))
    # Open follows both by logic.
    assert opening.planned_start == calendar.add_working_days(today, 5)
    assert opening.planned_finish == calendar.add_working_days(today, 7)
    assert project.scheduled_finish == opening.planned_finish
    assert (build.is_critical, paint.is_critical, opening.is_critical) == (True, True, True)


def test_a_plan_not_yet_under_way_is_scheduled_from_its_planned_start(
    organization: Organization, pm: Membership
) -> None:
    project, tasks = build_plan(organization, pm)

    paint = refreshed(tasks["paint"])

    assert project.phase == Phase.INITIATION
    assert paint.planned_start == project.planned_start + dt.timedelta(days=7)


def test_passing_the_gate_into_execution_schedules_the_unfinished_work_from_today(
    organization: Organization, pm: Membership
) -> None:
    project, tasks = build_plan(organization, pm)
    pmo = member(organization, OrgRole.PMO)
    for target in (Phase.PLANNING, Phase.EXECUTION):
        if target == Phase.EXECUTION:
            plan.baseline_create(actor=pm.user, project=project, name="Approved")
        project = Project.objects.for_organization(organization).get(pk=project.pk)
        criteria = [criterion.pk for criterion in project_services.gate_criteria(organization, project.phase)]
        project_services.project_advance(
            actor=pmo.user,
            membership=pmo,
            project_role=None,
            project=project,
            to_phase=target,
            passed_criteria=criteria,
        )

    today = project_work_calendar(project).next_working_day(organization.today())
    assert refreshed(tasks["design"]).planned_start == today
    assert (refreshed(tasks["paint"]).planned_start or today) > today


def test_the_nightly_reschedule_moves_only_work_left_in_the_past(organization: Organization, pm: Membership) -> None:
    project, tasks = build_plan(organization, pm)
    report_progress(pm, tasks, project.planned_start)
    project = put_under_way(project, pm)
    planning, _ = build_plan(organization, pm, code="P-2")
    expected = refreshed(tasks["paint"]).planned_start
    assert expected is not None
    # As it stood some days ago: the work planned then now lies before today.
    WbsElement.objects.for_organization(organization).filter(pk=tasks["paint"].pk).update(
        planned_start=expected - dt.timedelta(days=10), planned_finish=expected - dt.timedelta(days=6)
    )

    assert reschedule_stale_projects(organization_id=organization.pk) == 1
    assert refreshed(tasks["paint"]).planned_start == expected
    assert reschedule_stale_projects(organization_id=organization.pk) == 0
    # The plan still in initiation keeps its past dates: it is not under way.
    assert (
        WbsElement.objects.for_organization(organization)
        .filter(project=planning, planned_start__lt=organization.today())
        .exists()
    )


def test_scheduling_from_today_leaves_the_baseline_and_the_planned_value_alone(
    organization: Organization, pm: Membership
) -> None:
    project, tasks = build_plan(organization, pm)
    start = project.planned_start
    report_progress(pm, tasks, start)
    plan.baseline_create(actor=pm.user, project=project, name="Approved")
    frozen = list(BaselineTask.objects.for_organization(organization).order_by("pk").values_list("start", "finish"))
    status_date = start + dt.timedelta(days=11)
    before = project_evm(project, status_date)

    Project.objects.for_organization(organization).filter(pk=project.pk).update(phase=Phase.EXECUTION)
    project = plan.project_schedule_recompute(
        actor=pm.user, project=Project.objects.for_organization(organization).get(pk=project.pk)
    )

    assert (refreshed(tasks["paint"]).planned_start or dt.date.min) >= organization.today()
    assert (
        list(BaselineTask.objects.for_organization(organization).order_by("pk").values_list("start", "finish"))
        == frozen
    )
    after = project_evm(project, status_date)
    assert (after.figures.pv, after.figures.ev) == (before.figures.pv, before.figures.ev)


def test_the_gantt_of_a_project_under_way_draws_today_as_its_status_date_in_both_languages(
    organization: Organization, pm: Membership
) -> None:
    project, tasks = build_plan(organization, pm)
    report_progress(pm, tasks, project.planned_start)
    project = put_under_way(project, pm)
    client, _viewer = client_with_role(organization, OrgRole.VIEWER, language="en")

    response = client.get(f"/o/{organization.slug}/projects/{project.pk}/gantt/")

    chart = response.context["chart"]
    assert chart.today_in_range
    assert 'class="g-today"' in str(chart.body_svg)
    assert "Today (status date)" in response.content.decode()
    chinese_client, _reader = client_with_role(organization, OrgRole.VIEWER, language="zh-hans")
    chinese = chinese_client.get(f"/o/{organization.slug}/projects/{project.pk}/gantt/")
    assert "今天（状态日期）" in chinese.content.decode()


def test_the_nightly_beat_task_reschedules_every_organisation(
    organization: Organization, pm: Membership, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from projects.tasks import reschedule_stale_all

    project, tasks = build_plan(organization, pm)
    put_under_way(project, pm)
    expected = refreshed(tasks["paint"]).planned_start
    assert expected is not None
    WbsElement.objects.for_organization(organization).filter(pk=tasks["paint"].pk).update(
        planned_start=expected - dt.timedelta(days=10), planned_finish=expected - dt.timedelta(days=6)
    )

    with django_capture_on_commit_callbacks(execute=True):
        reschedule_stale_all.delay()

    assert refreshed(tasks["paint"]).planned_start == expected
    beat = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "projects.reschedule_stale_all" in beat
