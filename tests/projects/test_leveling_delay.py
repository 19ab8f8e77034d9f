"""The leveling delay in the critical path (``TaskInput.delay``) and the service that sets it.

Networks worked by hand, as in ``test_scheduling.py``: working-day indices from Monday 2 March 2026
with exclusive finishes; rows are (id, d, ES, EF, LS, LF, TF, FF). A delay d puts an unstarted
task d working days after the start its logic allows; a predecessor's bound from a delayed
successor is taken d days earlier, so the delay is never the predecessor's float.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from pmo.errors import ApplicationError
from pmo.models import AuditEvent, Membership, Organization, OrgRole
from pmo.workdays import WorkCalendar
from projects.models import WbsElement
from projects.scheduling import DependencyInput, DependencyType, TaskInput, compute_schedule
from projects.services import plan
from projects.services.schedule import schedule_leveling_delays_set
from tests.factories import member
from tests.projects.helpers import add_task, make_project, refreshed
from tests.projects.test_scheduling import MONDAY, MONDAY_TO_FRIDAY, Row, assert_matches

FS, SS, FF = DependencyType.FS, DependencyType.SS, DependencyType.FF
A, B, C, M = 1, 2, 3, 4


def dep(predecessor: int, successor: int, kind: DependencyType = FS, lag: int = 0) -> DependencyInput:
    return DependencyInput(predecessor_id=predecessor, successor_id=successor, type=kind, lag=lag)


def schedule(tasks: list[TaskInput], links: list[DependencyInput], data_date: dt.date | None = None):  # type: ignore[no-untyped-def]
    return compute_schedule(tasks, links, WorkCalendar(), MONDAY, data_date=data_date)


def test_a_delay_in_a_finish_to_start_chain_moves_the_task_and_its_successors() -> None:
    # A(3) -> B(2, delay 2) -> C(4). B may start at 3 and is put 2 days later: ES 5, EF 7; C 7..11.
    # Backward: C LF 11 LS 7; B LF 7 LS 5; A LF = LS(B) - delay 2 = 3, LS 0: all critical, no float.
    result = schedule([TaskInput(A, 3), TaskInput(B, 2, delay=2), TaskInput(C, 4)], [dep(A, B), dep(B, C)])
    rows: list[Row] = [(A, 3, 0, 3, 0, 3, 0, 0), (B, 2, 5, 7, 5, 7, 0, 0), (C, 4, 7, 11, 7, 11, 0, 0)]
    assert_matches(result, rows)
    assert result.project_finish == MONDAY_TO_FRIDAY[10]  # Monday 16 March


@pytest.mark.parametrize(
    ("delay", "rows", "finish"),
    [
        # A(5) and B(2) side by side: B has 3 days of float; a delay of 2 leaves 1 (ES 2, LS 3).
        (0, [(A, 5, 0, 5, 0, 5, 0, 0), (B, 2, 0, 2, 3, 5, 3, 3)], 4),
        (2, [(A, 5, 0, 5, 0, 5, 0, 0), (B, 2, 2, 4, 3, 5, 1, 1)], 4),
        # A delay of exactly the float makes B critical; the finish stays.
        (3, [(A, 5, 0, 5, 0, 5, 0, 0), (B, 2, 3, 5, 3, 5, 0, 0)], 4),
        # One day past the float moves the project finish to index 6 and gives A a day of float.
        (4, [(A, 5, 0, 5, 1, 6, 1, 1), (B, 2, 4, 6, 4, 6, 0, 0)], 5),
    ],
)
def test_a_delay_uses_up_float_then_moves_the_finish(delay: int, rows: list[Row], finish: int) -> None:
    result = schedule([TaskInput(A, 5), TaskInput(B, 2, delay=delay)], [])
    assert_matches(result, rows)
    assert result.project_finish == MONDAY_TO_FRIDAY[finish]


def test_a_delayed_successor_does_not_give_its_predecessor_float() -> None:
    # A(2) -> B(3, delay 2), beside C(7). B: ES 2 + 2 = 4, EF 7 = PF. A's bound from B is
    # LS(B) 4 - delay 2 = 2: A stays critical (LS 0) although B starts 2 days after A ends.
    result = schedule([TaskInput(A, 2), TaskInput(B, 3, delay=2), TaskInput(C, 7)], [dep(A, B)])
    rows: list[Row] = [(A, 2, 0, 2, 0, 2, 0, 0), (B, 3, 4, 7, 4, 7, 0, 0), (C, 7, 0, 7, 0, 7, 0, 0)]
    assert_matches(result, rows)
    # Without the correction A would have had LF 4 and 2 days of float.
    undelayed = schedule([TaskInput(A, 2), TaskInput(B, 3), TaskInput(C, 7)], [dep(A, B)])
    assert undelayed.tasks[A].total_float == 2


def test_a_delay_after_a_start_to_start_link() -> None:
    # A(4) SS+1 -> B(3, delay 2): B may start at 1, starts at 3, EF 6 = PF.
    # Backward: B LS 3; A's LF bound = LS(B) 3 - lag 1 - delay 2 + d(A) 4 = 4: A has no float
    # (free float: (ES(B) 3 - 2) - (ES(A) 0 + 1) = 0).
    result = schedule([TaskInput(A, 4), TaskInput(B, 3, delay=2)], [dep(A, B, SS, 1)])
    assert_matches(result, [(A, 4, 0, 4, 0, 4, 0, 0), (B, 3, 3, 6, 3, 6, 0, 0)])


def test_a_delay_after_a_finish_to_finish_link() -> None:
    # A(4) FF -> B(2, delay 1): B's logic start is EF(A) 4 - 2 = 2, delayed to 3; EF 5 = PF.
    # Backward: A's LF bound = LF(B) 5 - delay 1 = 4: A is critical; free float (EF(B) 5 - 1) - 4 = 0.
    result = schedule([TaskInput(A, 4), TaskInput(B, 2, delay=1)], [dep(A, B, FF)])
    assert_matches(result, [(A, 4, 0, 4, 0, 4, 0, 0), (B, 2, 3, 5, 3, 5, 0, 0)])


def test_a_started_task_ignores_its_delay() -> None:
    # A(3) started on Monday 2 March with a delay of 5 left on it: it keeps its actual start,
    # and the schedule is the one without the delay (A 0..3, B 3..5).
    tasks = [TaskInput(A, 3, actual_start=MONDAY, delay=5), TaskInput(B, 2)]
    result = schedule(tasks, [dep(A, B)])
    assert_matches(result, [(A, 3, 0, 3, 0, 3, 0, 0), (B, 2, 3, 5, 3, 5, 0, 0)])
    assert result == schedule([TaskInput(A, 3, actual_start=MONDAY), TaskInput(B, 2)], [dep(A, B)])


def test_a_started_milestone_ignores_its_delay_with_a_data_date() -> None:
    # M, a milestone reported started on Tuesday (index 1) but not finished, is scheduled as not
    # started from the data date, Thursday (index 3); its delay of 2 does not apply: due Thursday.
    result = schedule([TaskInput(M, 0, actual_start=MONDAY_TO_FRIDAY[1], delay=2)], [], data_date=MONDAY_TO_FRIDAY[3])
    assert result.tasks[M].early_start == MONDAY_TO_FRIDAY[3]


def test_a_delay_counts_from_the_data_date() -> None:
    # Data date Thursday 5 March (index 3). A(2), not started, delay 1: ES max(3, 0) + 1 = 4,
    # EF 6. B(4) started on Monday, 50 % done, delay 3 ignored: 2 days left from the data date,
    # EF 5; its span 0..5 stands for its duration. PF 6: A LS 4 (TF 0), B LF 6 LS 1 (TF 1).
    tasks = [
        TaskInput(A, 2, delay=1),
        TaskInput(B, 4, actual_start=MONDAY, percent_complete=Decimal("50"), delay=3),
    ]
    result = schedule(tasks, [], data_date=MONDAY_TO_FRIDAY[3])
    assert result.tasks[A].early_start == MONDAY_TO_FRIDAY[4]
    assert result.tasks[A].early_finish == MONDAY_TO_FRIDAY[5]
    assert result.tasks[A].total_float == 0
    assert result.tasks[B].early_start == MONDAY
    assert result.tasks[B].early_finish == MONDAY_TO_FRIDAY[4]
    assert result.tasks[B].late_start == MONDAY_TO_FRIDAY[1]
    assert result.tasks[B].total_float == 1


def test_a_negative_delay_counts_as_none() -> None:
    assert schedule([TaskInput(A, 2, delay=-3)], []) == schedule([TaskInput(A, 2)], [])


# --- the service ---------------------------------------------------------------------------------


@pytest.fixture
def pm(organization: Organization) -> Membership:
    return member(organization, OrgRole.PROJECT_MANAGER)


def chain(organization: Organization, pm: Membership):  # type: ignore[no-untyped-def]
    """Design (3) -> Build (2), planned from Monday 2 March 2026."""
    project = make_project(organization, actor=pm, manager=pm.user)
    design = add_task(project, "Design", actor=pm, duration=3)
    build = add_task(project, "Build", actor=pm, duration=2)
    plan.dependency_create(actor=pm.user, project=project, predecessor=design, successor=build)
    return project, design, build


@pytest.mark.django_db
def test_setting_a_delay_reschedules_the_task_and_the_project_and_is_audited(
    organization: Organization, pm: Membership
) -> None:
    project, _design, build = chain(organization, pm)
    assert refreshed(build).planned_start == dt.date(2026, 3, 5)
    # Build may start Thursday 5 March; 3 working days later is Tuesday 10 March, done Wednesday 11.
    schedule_leveling_delays_set(actor=pm.user, project=project, delays={build.pk: 3}, source="leveling run 7")
    build = refreshed(build)
    assert (build.leveling_delay, build.planned_start, build.planned_finish) == (
        3,
        dt.date(2026, 3, 10),
        dt.date(2026, 3, 11),
    )
    project.refresh_from_db()
    assert project.scheduled_finish == dt.date(2026, 3, 11)
    event = AuditEvent.objects.for_organization(organization).get(action="schedule.leveling_delays_set")
    assert event.actor == pm.user
    assert event.changes["leveling_delay"] == {str(build.pk): [0, 3]}
    assert event.changes["scheduled_finish"] == ["2026-03-06", "2026-03-11"]
    assert event.changes["source"] == [None, "leveling run 7"]
    # Zero clears the delay and the plan comes back.
    schedule_leveling_delays_set(actor=pm.user, project=project, delays={build.pk: 0})
    assert refreshed(build).planned_start == dt.date(2026, 3, 5)


@pytest.mark.django_db
@pytest.mark.parametrize("case", ["other_project", "summary", "negative"])
def test_refused_delays_change_nothing(organization: Organization, pm: Membership, case: str) -> None:
    project, design, build = chain(organization, pm)
    other = make_project(organization, actor=pm, code="P-2")
    foreign = add_task(other, "Elsewhere", actor=pm, duration=1)
    summary = add_task(project, "Phase 1", actor=pm, duration=1)
    plan.wbs_element_create(actor=pm.user, project=project, name="Inside", parent=summary, duration=1)
    delays, code = {
        "other_project": ({build.pk: 1, foreign.pk: 2}, "not_in_project"),
        "summary": ({build.pk: 1, summary.pk: 2}, "summary_delay"),
        "negative": ({design.pk: 1, build.pk: -1}, "negative_delay"),
    }[case]
    before = list(
        WbsElement.objects.for_organization(organization).values_list("pk", "leveling_delay", "planned_start")
    )
    with pytest.raises(ApplicationError) as refused:
        schedule_leveling_delays_set(actor=pm.user, project=project, delays=delays)
    assert refused.value.code == code
    after = list(WbsElement.objects.for_organization(organization).values_list("pk", "leveling_delay", "planned_start"))
    assert after == before
    assert not AuditEvent.objects.for_organization(organization).filter(action="schedule.leveling_delays_set").exists()
