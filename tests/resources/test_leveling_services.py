"""Leveling proposals through the services: computed from the plans, applied through the schedule
service as one audited change, refused when the plan changed since, and who may do it.

The networks are those of ``leveling_support`` (hand-worked in ``test_leveling_engine.py``).
"""

from __future__ import annotations

import datetime as dt

import pytest

from pmo.errors import ApplicationError
from pmo.models import AuditEvent, Membership, Organization, OrgRole
from projects.models import Phase, Priority, Project
from projects.services import plan as plan_services
from resources.models import LevelingRun, LevelingStatus
from resources.services.leveling import leveling_apply, leveling_compute, leveling_discard
from tests.factories import OrganizationFactory, member
from tests.resources.leveling_support import (
    assign,
    build,
    day,
    person,
    planner,
    refreshed,
    within_float_plan,
)

pytestmark = pytest.mark.django_db

START, FINISH = dt.date(2026, 3, 2), dt.date(2026, 6, 30)


@pytest.fixture
def pm(organization: Organization) -> Membership:
    return planner(organization)


@pytest.fixture
def office(organization: Organization) -> Membership:
    return member(organization, OrgRole.RESOURCE, username="rita")


def compute(actor: Membership, *projects: Project, beyond: bool = False) -> LevelingRun:
    return leveling_compute(
        actor=actor.user,
        organization=actor.organization,
        projects=list(projects),
        start=START,
        finish=FINISH,
        allow_beyond_float=beyond,
    )


def test_a_proposal_moves_the_task_with_float_and_keeps_the_finish(organization: Organization, pm: Membership) -> None:
    built = within_float_plan(organization, pm, person(organization))
    run = compute(pm, built.project)
    assert run.status == LevelingStatus.PROPOSED
    assert len(run.fingerprint) == 64
    a = built.tasks["A"]
    # A (3 days from Monday 2 March) goes after B: Monday 9 to Wednesday 11 March, 5 working days later.
    assert run.result["moves"] == [
        {
            "task": a.pk,
            "project": built.project.pk,
            "code": a.code,
            "name": "A",
            "project_code": built.project.code,
            "old_start": "2026-03-02",
            "old_finish": "2026-03-04",
            "new_start": "2026-03-09",
            "new_finish": "2026-03-11",
            "added_delay": 5,
            "delay": 5,
            "beyond_float": False,
            "resources": [run.result["before"][0]["resource"]],
        }
    ]
    assert run.result["projects"][0]["old_finish"] == run.result["projects"][0]["new_finish"] == "2026-03-11"
    # R carried 16 h on Monday to Wednesday: three days over before, none after.
    assert (run.result["before_count"], run.result["after_count"]) == (3, 0)
    assert run.result["before_resources"][0]["days"] == 3
    assert AuditEvent.objects.for_organization(organization).filter(action="leveling.computed").count() == 1
    # Computing changes no plan.
    assert refreshed(a).planned_start == day(0)


def test_applying_moves_the_dates_through_the_schedule_service_as_one_audited_change(
    organization: Organization, pm: Membership
) -> None:
    built = within_float_plan(organization, pm, person(organization))
    run = leveling_apply(actor=pm.user, run=compute(pm, built.project))
    assert run.status == LevelingStatus.APPLIED
    assert run.decided_by == pm.user
    a = refreshed(built.tasks["A"])
    assert (a.leveling_delay, a.planned_start, a.planned_finish) == (5, day(5), day(7))
    events = AuditEvent.objects.for_organization(organization)
    assert events.get(action="leveling.applied").changes["delays"][1] == {str(built.project.pk): {str(a.pk): 5}}
    set_event = events.get(action="schedule.leveling_delays_set")
    assert set_event.changes["source"] == [None, f"leveling run {run.pk}"]
    # A second apply is refused: the run is no longer a proposal.
    with pytest.raises(ApplicationError) as refused:
        leveling_apply(actor=pm.user, run=run)
    assert refused.value.code == "not_proposed"


def test_a_plan_changed_since_the_proposal_is_refused_and_nothing_changes(
    organization: Organization, pm: Membership
) -> None:
    built = within_float_plan(organization, pm, person(organization))
    run = compute(pm, built.project)
    plan_services.wbs_element_update(actor=pm.user, element=built.tasks["C"], duration=4)
    with pytest.raises(ApplicationError) as refused:
        leveling_apply(actor=pm.user, run=run)
    assert refused.value.code == "stale"
    run.refresh_from_db()
    assert run.status == LevelingStatus.STALE
    a = refreshed(built.tasks["A"])
    assert (a.leveling_delay, a.planned_start) == (0, day(0))
    assert not AuditEvent.objects.for_organization(organization).filter(action="schedule.leveling_delays_set").exists()
    # An out-of-date proposal can still be discarded.
    assert leveling_discard(actor=pm.user, run=run).status == LevelingStatus.DISCARDED


def test_an_assignment_changed_since_the_proposal_makes_it_out_of_date(
    organization: Organization, pm: Membership
) -> None:
    resource = person(organization)
    built = within_float_plan(organization, pm, resource)
    run = compute(pm, built.project)
    assign(built.tasks["C"], resource, units="50")
    with pytest.raises(ApplicationError):
        leveling_apply(actor=pm.user, run=run)


def test_beyond_float_the_lower_priority_project_moves_and_both_apply_together(
    organization: Organization, office: Membership, pm: Membership
) -> None:
    # Two projects with a 5-day task each on R in the same week; neither has float. The low
    # priority one yields: its task goes to Monday 9 - Friday 13 March and so does its finish.
    resource = person(organization)
    low = build(organization, pm, {"A": 5}, code="P-LOW", priority=Priority.LOW)
    high = build(organization, pm, {"B": 5}, code="P-HIGH", priority=Priority.HIGH)
    assign(low.tasks["A"], resource)
    assign(high.tasks["B"], resource)
    within = compute(office, low.project, high.project)
    assert within.result["moves"] == []
    assert (within.result["before_count"], within.result["after_count"]) == (5, 5)
    run = compute(office, low.project, high.project, beyond=True)
    assert [(move["name"], move["new_start"], move["beyond_float"]) for move in run.result["moves"]] == [
        ("A", "2026-03-09", True)
    ]
    finishes = {row["code"]: (row["old_finish"], row["new_finish"]) for row in run.result["projects"]}
    assert finishes == {"P-LOW": ("2026-03-06", "2026-03-13"), "P-HIGH": ("2026-03-06", "2026-03-06")}
    leveling_apply(actor=office.user, run=run)
    low.project.refresh_from_db()
    high.project.refresh_from_db()
    assert (low.project.scheduled_finish, high.project.scheduled_finish) == (day(9), day(4))


def test_load_from_projects_not_leveled_stays_and_is_leveled_around(organization: Organization, pm: Membership) -> None:
    # Project 2 (not leveled) has R on B all week; project 1's A(3), beside a 10-day task, moves
    # to the first days R is free: Monday 9 March.
    resource = person(organization)
    mine = build(organization, pm, {"A": 3, "Long": 10}, code="P-1")
    other = build(organization, pm, {"B": 5}, code="P-2")
    assign(mine.tasks["A"], resource)
    assign(other.tasks["B"], resource)
    run = compute(pm, mine.project)
    assert [(move["name"], move["new_start"]) for move in run.result["moves"]] == [("A", "2026-03-09")]


def test_nothing_to_level_gives_an_empty_proposal_that_applies_without_change(
    organization: Organization, pm: Membership
) -> None:
    resource = person(organization)
    built = build(organization, pm, {"A": 3, "B": 3}, [("A", "B")])
    assign(built.tasks["A"], resource)
    assign(built.tasks["B"], resource)
    run = compute(pm, built.project)
    assert (run.result["moves"], run.result["before_count"], run.result["after_count"]) == ([], 0, 0)
    leveling_apply(actor=pm.user, run=run)
    assert not AuditEvent.objects.for_organization(organization).filter(action="schedule.leveling_delays_set").exists()


@pytest.mark.parametrize("role", [OrgRole.MEMBER, OrgRole.VIEWER, OrgRole.FINANCE])
def test_only_the_resource_office_or_a_planner_of_every_project_may_level(
    organization: Organization, pm: Membership, role: str
) -> None:
    built = within_float_plan(organization, pm, person(organization))
    other = build(organization, planner(organization, "olga"), {"X": 2}, code="P-2")
    outsider = member(organization, role)
    for actor, projects in ((outsider, [built.project]), (pm, [built.project, other.project])):
        with pytest.raises(ApplicationError) as refused:
            compute(actor, *projects)
        assert refused.value.code == "permission_denied"
        assert refused.value.status_code == 403
    assert not LevelingRun.objects.for_organization(organization).exists()
    run = compute(pm, built.project)
    with pytest.raises(ApplicationError):
        leveling_apply(actor=outsider.user, run=run)
    with pytest.raises(ApplicationError):
        leveling_discard(actor=outsider.user, run=run)
    assert (
        compute(member(organization, OrgRole.RESOURCE), built.project, other.project).status == LevelingStatus.PROPOSED
    )


def test_bad_input_is_refused_with_a_clear_error(organization: Organization, pm: Membership) -> None:
    built = within_float_plan(organization, pm, person(organization))
    rival = OrganizationFactory(slug="rival-co")
    theirs = build(rival, planner(rival, "rival-pm"), {"X": 1}, code="R-1")
    cases = [
        ({"projects": []}, "invalid"),
        ({"projects": [theirs.project]}, "not_found"),
        ({"projects": [built.project], "finish": dt.date(2026, 3, 1)}, "invalid"),
        ({"projects": [built.project], "finish": dt.date(2030, 3, 1)}, "invalid"),
    ]
    for changes, code in cases:
        values = {"projects": [built.project], "start": START, "finish": FINISH, **changes}
        with pytest.raises(ApplicationError) as refused:
            leveling_compute(actor=pm.user, organization=organization, allow_beyond_float=False, **values)
        assert refused.value.code == code
    Project.objects.for_organization(organization).filter(pk=built.project.pk).update(phase=Phase.CLOSED)
    with pytest.raises(ApplicationError) as refused:
        compute(pm, built.project)
    assert refused.value.code == "project_closed"
    assert not LevelingRun.objects.for_organization(organization).exists()


def test_a_discarded_proposal_cannot_be_applied(organization: Organization, pm: Membership) -> None:
    built = within_float_plan(organization, pm, person(organization))
    run = leveling_discard(actor=pm.user, run=compute(pm, built.project))
    assert run.status == LevelingStatus.DISCARDED
    with pytest.raises(ApplicationError) as refused:
        leveling_apply(actor=pm.user, run=run)
    assert refused.value.code == "not_proposed"
    assert refreshed(built.tasks["A"]).leveling_delay == 0


def test_computing_reads_in_a_fixed_number_of_queries(
    organization: Organization, office: Membership, pm: Membership, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    resource = person(organization)
    projects = []
    for number in range(3):
        built = within_float_plan(
            organization, pm, resource if number == 0 else person(organization, f"R{number + 2}"), code=f"P-{number}"
        )
        projects.append(built.project)
    # membership, projects, elements, links, assignments, calendars (2), other load, resources'
    # capacity (2: resources, exceptions), resource names; the run and its audit event; the savepoint (2).
    with django_assert_num_queries(15):
        compute(office, projects[0])
    with django_assert_num_queries(15):
        compute(office, *projects)
