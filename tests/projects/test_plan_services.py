"""The plan services: WBS tree and codes, dependencies, scheduling, roll-ups, baselines, progress."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from pmo.errors import ApplicationError
from pmo.models import AuditEvent, Membership, Organization, OrgRole
from projects.models import Baseline, BaselineTask, Dependency, ProgressUpdate, Project, WbsElement
from projects.selectors import baseline_comparison
from projects.services import plan
from tests.factories import member
from tests.projects.helpers import add_task, make_project, refreshed

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def pm(organization: Organization) -> Membership:
    return member(organization, OrgRole.PROJECT_MANAGER)


@pytest.fixture
def project(organization: Organization, pm: Membership) -> Project:
    return make_project(organization, manager=pm.user)


def codes(project: Project) -> list[tuple[str, str]]:
    return list(
        WbsElement.objects.for_organization(project.organization_id)
        .filter(project=project)
        .order_by("code")
        .values_list("code", "name")
    )


def test_wbs_codes_follow_the_tree_and_positions(project: Project, pm: Membership) -> None:
    design = add_task(project, "Design", actor=pm)
    build = add_task(project, "Build", actor=pm)
    add_task(project, "Paving", actor=pm, parent=build)
    add_task(project, "Earthworks", actor=pm, parent=build, position=1)
    add_task(project, "Survey", actor=pm, position=1)
    assert codes(project) == [
        ("1", "Survey"),
        ("2", "Design"),
        ("3", "Build"),
        ("3.1", "Earthworks"),
        ("3.2", "Paving"),
    ]
    assert refreshed(build).kind == WbsElement.Kind.SUMMARY
    plan.wbs_element_update(actor=pm.user, element=design, parent=build, position=2)
    assert codes(project) == [
        ("1", "Survey"),
        ("2", "Build"),
        ("2.1", "Earthworks"),
        ("2.2", "Design"),
        ("2.3", "Paving"),
    ]


def test_an_element_cannot_move_under_its_own_branch(project: Project, pm: Membership) -> None:
    build = add_task(project, "Build", actor=pm)
    paving = add_task(project, "Paving", actor=pm, parent=build)
    with pytest.raises(ApplicationError) as raised:
        plan.wbs_element_update(actor=pm.user, element=refreshed(build), parent=paving)
    assert "parent" in raised.value.fields
    assert codes(project) == [("1", "Build"), ("1.1", "Paving")]


def test_a_task_with_links_or_progress_does_not_silently_become_a_summary(project: Project, pm: Membership) -> None:
    first = add_task(project, "First", actor=pm)
    second = add_task(project, "Second", actor=pm)
    plan.dependency_create(actor=pm.user, project=project, predecessor=first, successor=second)
    with pytest.raises(ApplicationError) as raised:
        add_task(project, "Child", actor=pm, parent=refreshed(first))
    assert raised.value.code == "task_in_use"
    assert refreshed(first).kind == WbsElement.Kind.TASK
    assert len(codes(project)) == 2


def test_a_milestone_has_no_duration_and_no_children(project: Project, pm: Membership) -> None:
    gate = add_task(project, "Handover", actor=pm, kind=WbsElement.Kind.MILESTONE, duration=7)
    assert refreshed(gate).duration == 0
    with pytest.raises(ApplicationError):
        add_task(project, "Under a milestone", actor=pm, parent=refreshed(gate))


def test_a_negative_cost_is_refused(project: Project, pm: Membership) -> None:
    with pytest.raises(ApplicationError) as raised:
        add_task(project, "Refund", actor=pm, budgeted_cost=-5)
    assert "budgeted_cost" in raised.value.fields
    assert codes(project) == []


def test_scheduling_runs_the_critical_path_over_the_project_calendar(project: Project, pm: Membership) -> None:
    # Mon 2 March 2026: A (5 d) then B (10 d) FS; C (3 d) runs in parallel to B after A; M after B and C.
    a = add_task(project, "A", actor=pm, budgeted_cost=1000)
    b = add_task(project, "B", actor=pm, duration=10, budgeted_cost=5000)
    c = add_task(project, "C", actor=pm, duration=3, budgeted_cost=600)
    m = add_task(project, "M", actor=pm, kind=WbsElement.Kind.MILESTONE)
    for pred, succ in ((a, b), (a, c), (b, m), (c, m)):
        plan.dependency_create(actor=pm.user, project=project, predecessor=pred, successor=succ)
    a, b, c, m = (refreshed(x) for x in (a, b, c, m))
    assert (a.planned_start, a.planned_finish, a.total_float, a.is_critical) == (D(2026, 3, 2), D(2026, 3, 6), 0, True)
    assert (b.planned_start, b.planned_finish, b.is_critical) == (D(2026, 3, 9), D(2026, 3, 20), True)
    # C: 9-11 March, may slip to the 18th-20th: 7 working days of float.
    assert (c.planned_start, c.planned_finish, c.total_float, c.is_critical) == (
        D(2026, 3, 9),
        D(2026, 3, 11),
        7,
        False,
    )
    assert (c.late_start, c.late_finish) == (D(2026, 3, 18), D(2026, 3, 20))
    assert m.planned_start == D(2026, 3, 23)
    project.refresh_from_db()
    assert (project.scheduled_start, project.scheduled_finish) == (D(2026, 3, 2), D(2026, 3, 23))


def test_a_cycle_is_refused_with_the_tasks_named(project: Project, pm: Membership) -> None:
    a = add_task(project, "Alpha", actor=pm)
    b = add_task(project, "Beta", actor=pm)
    plan.dependency_create(actor=pm.user, project=project, predecessor=a, successor=b)
    with pytest.raises(ApplicationError) as raised:
        plan.dependency_create(actor=pm.user, project=project, predecessor=b, successor=a)
    assert raised.value.code == "cycle"
    assert "Alpha" in raised.value.message
    assert "Beta" in raised.value.message
    assert Dependency.objects.for_organization(project.organization_id).count() == 1


def test_summaries_link_nothing_and_tasks_link_only_inside_their_project(
    organization: Organization, project: Project, pm: Membership
) -> None:
    build = add_task(project, "Build", actor=pm)
    paving = add_task(project, "Paving", actor=pm, parent=build)
    other = make_project(organization, code="P-2")
    foreign = add_task(other, "Elsewhere", actor=member(organization, OrgRole.ADMIN))
    with pytest.raises(ApplicationError):
        plan.dependency_create(actor=pm.user, project=project, predecessor=refreshed(build), successor=paving)
    with pytest.raises(ApplicationError):
        plan.dependency_create(actor=pm.user, project=project, predecessor=foreign, successor=paving)


def test_summaries_roll_up_dates_cost_and_cost_weighted_progress(project: Project, pm: Membership) -> None:
    build = add_task(project, "Build", actor=pm)
    cheap = add_task(project, "Cheap", actor=pm, parent=build, budgeted_cost=1000, duration=10)
    dear = add_task(project, "Dear", actor=pm, parent=build, budgeted_cost=3000, duration=2)
    plan.dependency_create(actor=pm.user, project=project, predecessor=cheap, successor=dear)
    plan.task_progress_update(actor=pm.user, task=cheap, percent_complete=Decimal("100"), effective_date=D(2026, 3, 13))
    summary = refreshed(build)
    assert summary.budgeted_cost == Decimal("4000.00")
    assert summary.percent_complete == Decimal("25.00")  # 1000 x 100 % + 3000 x 0 %, over 4000
    assert (summary.planned_start, summary.planned_finish) == (D(2026, 3, 2), D(2026, 3, 17))


def test_without_costs_progress_is_weighted_by_duration(project: Project, pm: Membership) -> None:
    build = add_task(project, "Build", actor=pm)
    long = add_task(project, "Long", actor=pm, parent=build, duration=9)
    add_task(project, "Short", actor=pm, parent=build, duration=1)
    plan.task_progress_update(actor=pm.user, task=long, percent_complete=Decimal("50"), effective_date=D(2026, 3, 4))
    assert refreshed(build).percent_complete == Decimal("45.00")  # 9 x 50 + 1 x 0, over 10


def test_progress_is_kept_as_history_and_fills_actual_dates(project: Project, pm: Membership) -> None:
    task = add_task(project, "Design", actor=pm)
    plan.task_progress_update(actor=pm.user, task=task, percent_complete=Decimal("40"), effective_date=D(2026, 3, 3))
    plan.task_progress_update(actor=pm.user, task=task, percent_complete=Decimal("100"), effective_date=D(2026, 3, 9))
    task = refreshed(task)
    # Started and finished as scheduled (2-6 March), both reported after the fact.
    assert (task.percent_complete, task.actual_start, task.actual_finish) == (
        Decimal("100"),
        D(2026, 3, 2),
        D(2026, 3, 6),
    )
    history = list(
        ProgressUpdate.objects.for_organization(project.organization_id)
        .filter(task=task)
        .order_by("effective_date")
        .values_list("previous_percent_complete", "percent_complete", "updated_by")
    )
    assert history == [(Decimal("0"), Decimal("40"), pm.user_id), (Decimal("40"), Decimal("100"), pm.user_id)]
    assert (
        AuditEvent.objects.for_organization(project.organization_id).filter(action="task.progress_updated").count() == 2
    )


def test_a_task_with_actual_dates_keeps_them_and_pushes_its_successors(project: Project, pm: Membership) -> None:
    a = add_task(project, "A", actor=pm)
    b = add_task(project, "B", actor=pm)
    plan.dependency_create(actor=pm.user, project=project, predecessor=a, successor=b)
    plan.task_progress_update(
        actor=pm.user, task=a, actual_start=D(2026, 3, 4), actual_finish=D(2026, 3, 12), effective_date=D(2026, 3, 12)
    )
    a, b = refreshed(a), refreshed(b)
    assert (a.planned_start, a.planned_finish, a.percent_complete) == (D(2026, 3, 4), D(2026, 3, 12), Decimal("100"))
    assert b.planned_start == D(2026, 3, 13)


@pytest.mark.parametrize(
    ("method", "dates", "expected"),
    [
        ("zero_hundred", {"actual_start": D(2026, 3, 2)}, Decimal("0")),
        ("zero_hundred", {"actual_start": D(2026, 3, 2), "actual_finish": D(2026, 3, 6)}, Decimal("100")),
        ("fifty_fifty", {"actual_start": D(2026, 3, 2)}, Decimal("50")),
        ("fifty_fifty", {"actual_start": D(2026, 3, 2), "actual_finish": D(2026, 3, 6)}, Decimal("100")),
    ],
)
def test_zero_hundred_and_fifty_fifty_follow_the_actual_dates(
    project: Project, pm: Membership, method: str, dates: dict[str, dt.date], expected: Decimal
) -> None:
    task = add_task(project, "T", actor=pm, percent_complete_method=method)
    plan.task_progress_update(actor=pm.user, task=task, effective_date=D(2026, 3, 6), **dates)
    assert refreshed(task).percent_complete == expected


def test_invalid_progress_changes_nothing(project: Project, pm: Membership) -> None:
    task = add_task(project, "T", actor=pm)
    for bad in (
        {"percent_complete": Decimal("120")},
        {"actual_start": D(2026, 3, 5), "actual_finish": D(2026, 3, 4)},
        {"actual_start": D(2026, 4, 1)},  # after the effective date
    ):
        with pytest.raises(ApplicationError):
            plan.task_progress_update(actor=pm.user, task=task, effective_date=D(2026, 3, 6), **bad)
    task = refreshed(task)
    assert (task.percent_complete, task.actual_start, task.actual_finish) == (Decimal("0"), None, None)
    assert not ProgressUpdate.objects.for_organization(project.organization_id).exists()


def test_a_percentage_entered_for_a_zero_hundred_task_is_refused(project: Project, pm: Membership) -> None:
    task = add_task(project, "T", actor=pm, percent_complete_method="zero_hundred")
    with pytest.raises(ApplicationError) as raised:
        plan.task_progress_update(
            actor=pm.user, task=task, percent_complete=Decimal("30"), effective_date=D(2026, 3, 6)
        )
    assert "percent_complete" in raised.value.fields


def test_a_baseline_freezes_the_plan_and_one_is_current(project: Project, pm: Membership) -> None:
    a = add_task(project, "A", actor=pm, budgeted_cost=1000)
    first = plan.baseline_create(actor=pm.user, project=project, name="Original")
    plan.wbs_element_update(actor=pm.user, element=a, duration=8, budgeted_cost=Decimal("1500"))
    second = plan.baseline_create(actor=pm.user, project=project, name="Re-plan")
    frozen = BaselineTask.objects.for_organization(project.organization_id)
    assert frozen.get(baseline=first).finish == D(2026, 3, 6)
    assert frozen.get(baseline=second).finish == D(2026, 3, 11)
    current = Baseline.objects.for_organization(project.organization_id).filter(is_current=True)
    assert list(current.values_list("name", flat=True)) == ["Re-plan"]
    plan.baseline_set_current(actor=pm.user, baseline=first)
    assert list(current.values_list("name", flat=True)) == ["Original"]
    row = frozen.get(baseline=first)
    row.budgeted_cost = Decimal("1")
    with pytest.raises(ValueError, match="immutable"):
        row.save()


def test_a_baseline_needs_a_plan_and_a_unique_name(project: Project, pm: Membership) -> None:
    with pytest.raises(ApplicationError) as raised:
        plan.baseline_create(actor=pm.user, project=project, name="Empty")
    assert raised.value.code == "empty_plan"
    add_task(project, "A", actor=pm)
    plan.baseline_create(actor=pm.user, project=project, name="Original")
    with pytest.raises(ApplicationError):
        plan.baseline_create(actor=pm.user, project=project, name="Original")
    assert Baseline.objects.for_organization(project.organization_id).count() == 1


def test_the_baseline_comparison_shows_slip_in_working_days_and_cost(project: Project, pm: Membership) -> None:
    build = add_task(project, "Build", actor=pm)
    a = add_task(project, "A", actor=pm, parent=build, budgeted_cost=1000)
    b = add_task(project, "B", actor=pm, parent=build, budgeted_cost=2000)
    plan.dependency_create(actor=pm.user, project=project, predecessor=a, successor=b)
    baseline = plan.baseline_create(actor=pm.user, project=project, name="Original")
    # A now takes 7 days instead of 5 (over a weekend), costs 500 more; a new task C is added.
    plan.wbs_element_update(actor=pm.user, element=a, duration=7, budgeted_cost=Decimal("1500"))
    add_task(project, "C", actor=pm, budgeted_cost=100)
    rows, total = baseline_comparison(baseline)
    by_name = {row.name: row for row in rows}
    assert (by_name["A"].finish_slip_days, by_name["A"].cost_difference) == (2, Decimal("500.00"))
    assert (by_name["B"].start_slip_days, by_name["B"].finish_slip_days) == (2, 2)
    assert by_name["B"].cost_difference == Decimal("0.00")
    assert (by_name["Build"].finish_slip_days, by_name["Build"].cost_difference) == (2, Decimal("500.00"))
    assert by_name["C"].status == "added"
    assert total.finish_slip_days == 2
    assert total.cost_difference == Decimal("600.00")


def test_removed_tasks_show_in_the_comparison(project: Project, pm: Membership) -> None:
    a = add_task(project, "A", actor=pm, budgeted_cost=1000)
    add_task(project, "B", actor=pm, budgeted_cost=200)
    baseline = plan.baseline_create(actor=pm.user, project=project, name="Original")
    plan.wbs_element_delete(actor=pm.user, element=a)
    rows, total = baseline_comparison(baseline)
    removed = [row for row in rows if row.status == "removed"]
    assert [(row.name, row.cost_difference) for row in removed] == [("A", Decimal("-1000.00"))]
    assert total.cost_difference == Decimal("-1000.00")


def test_holidays_of_the_organisation_calendar_move_the_schedule(
    organization: Organization, project: Project, pm: Membership
) -> None:
    from pmo.models import CalendarException, WorkingCalendar

    calendar = WorkingCalendar.objects.for_organization(organization).get(is_default=True)
    CalendarException.objects.create(organization=organization, calendar=calendar, date=D(2026, 3, 4), name="Holiday")
    task = add_task(project, "A", actor=pm)
    assert refreshed(task).planned_finish == D(2026, 3, 9)  # Mon 2nd, 3rd, (4th off), 5th, 6th, Mon 9th


def test_progress_cannot_be_reported_for_a_day_to_come(project: Project, pm: Membership) -> None:
    task = add_task(project, "T", actor=pm)
    tomorrow = project.organization.today() + dt.timedelta(days=1)
    with pytest.raises(ApplicationError) as raised:
        plan.task_progress_update(actor=pm.user, task=task, percent_complete=Decimal("10"), effective_date=tomorrow)
    assert "effective_date" in raised.value.fields


def test_wbs_codes_sort_in_tree_order_past_nine_siblings(project: Project, pm: Membership) -> None:
    from rest_framework.test import APIClient

    for index in range(11):
        add_task(project, f"Task {index + 1}", actor=pm)
    ordered = WbsElement.objects.for_organization(project.organization_id).filter(project=project)
    expected = [str(n) for n in range(1, 12)]
    assert [element.code for element in ordered] == expected
    client = APIClient()
    client.force_authenticate(pm.user)
    url = f"/api/v1/orgs/{project.organization.slug}/projects/{project.pk}/tasks/?ordering=code"
    assert [row["code"] for row in client.get(url).json()["results"]] == expected
