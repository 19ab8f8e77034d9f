from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from pmo.errors import ApplicationError
from pmo.models import AuditEvent, Organization, OrgRole
from pmo.workdays import WorkCalendar
from projects.models import Baseline, BaselineTask, ChangeRequest, ChangeRequestElement, Rag, StatusReport
from projects.selectors import control as control_reads
from projects.services import control
from projects.services.plan import wbs_element_update
from projects.services.projects import project_settings
from tests.factories import ProjectFactory, WbsElementFactory, member
from tests.projects.test_control_support import (
    FRIDAY,
    MANAGER,
    add_calendar_day,
    build_plan,
    join,
    narrated,
    raise_change,
    who,
)

pytestmark = pytest.mark.django_db


def events(organization: Organization, action: str) -> int:
    return AuditEvent.objects.for_organization(organization).filter(action=action).count()


# --- the week a report covers -----------------------------------------------------------


def test_a_report_is_dated_the_fridays_of_an_ordinary_week() -> None:
    calendar = WorkCalendar()
    for day in range(9, 16):  # Monday 9 to Sunday 15 March 2026
        assert control_reads.report_week_end(calendar, dt.date(2026, 3, day)) == FRIDAY


def test_a_holiday_friday_moves_the_report_to_the_last_working_day_and_a_make_up_saturday_later() -> None:
    holiday_friday = WorkCalendar(holidays=[dt.date(2026, 4, 3)])
    assert control_reads.report_week_end(holiday_friday, dt.date(2026, 3, 30)) == dt.date(2026, 4, 2)
    make_up_saturday = WorkCalendar(extra_working_days=[dt.date(2026, 2, 14)])
    assert control_reads.report_week_end(make_up_saturday, dt.date(2026, 2, 10)) == dt.date(2026, 2, 14)
    whole_week_off = WorkCalendar(holidays=[dt.date(2026, 10, day) for day in range(5, 10)])
    assert control_reads.report_week_end(whole_week_off, dt.date(2026, 10, 6)) == dt.date(2026, 10, 9)


# --- figures ----------------------------------------------------------------------------


def test_a_new_report_is_prefilled_with_the_figures_worked_by_hand(organization: Organization) -> None:
    plan = build_plan(organization)
    raise_change(plan, plan.manager)
    raise_change(plan, plan.manager, submit=False)

    report = control.status_report_create(actor=plan.manager.user, project=plan.project, period_end=HOLIDAY_WEEK_DAY)

    assert report.period_end == FRIDAY
    assert report.status == StatusReport.Status.DRAFT
    figures = report.figures
    assert figures["baseline"] == {"id": plan.baseline.pk, "name": "Original"}
    assert figures["weighting"] == "cost"
    assert figures["planned_percent"] == "55.00"
    assert figures["actual_percent"] == "40.00"
    assert figures["variance_points"] == "-15.00"
    assert figures["slipped_milestones"] == []
    assert figures["change_requests"] == {"draft": 1, "submitted": 1, "approved": 0, "open": 2}
    # Earned value at the period end: EV 1 600 (1 000 + 20 % of 3 000) over PV 2 200 (55 % of 4 000);
    # no actual cost recorded, so no CPI.
    assert figures["spi"] == "0.7273"
    assert figures["cpi"] is None
    assert "CPI" in figures["evm_note"]
    assert events(organization, "status_report.created") == 1


HOLIDAY_WEEK_DAY = dt.date(2026, 3, 10)


@pytest.mark.parametrize(
    ("b_percent", "schedule"),
    [(40, Rag.GREEN), (34, Rag.GREEN), (30, Rag.AMBER), (20, Rag.RED)],
    ids=["on-plan", "four-and-a-half-behind", "seven-and-a-half-behind", "fifteen-behind"],
)
def test_the_schedule_rating_is_suggested_from_progress_against_plan(
    organization: Organization, b_percent: int, schedule: Rag
) -> None:
    # Actual = 25 + 0.75 x B's percent; planned is 55.
    plan = build_plan(organization, b_percent=b_percent)
    report = control.status_report_create(actor=plan.manager.user, project=plan.project, period_end=FRIDAY)
    assert report.rag_schedule == schedule
    assert report.rag_overall == schedule
    assert (report.rag_cost, report.rag_scope, report.rag_quality, report.rag_risk) == (Rag.GREEN,) * 4


def test_a_report_for_an_earlier_week_counts_progress_as_it_was_then(organization: Organization) -> None:
    plan = build_plan(organization)  # A done on 6 March, B at 20 % on 13 March
    report = control.status_report_create(actor=plan.manager.user, project=plan.project, period_end=dt.date(2026, 3, 6))
    # Planned: A's 1 000 of 4 000; actual: A's 100 % and B still at 0 %.
    assert report.figures["planned_percent"] == "25.00"
    assert report.figures["actual_percent"] == "25.00"
    assert report.rag_schedule == Rag.GREEN


def test_a_milestone_planned_later_than_its_baseline_has_slipped(organization: Organization) -> None:
    plan = build_plan(organization)
    wbs_element_update(actor=plan.admin.user, element=plan.b, duration=12)

    report = control.status_report_create(actor=plan.manager.user, project=plan.project, period_end=FRIDAY)

    [slipped] = report.figures["slipped_milestones"]
    assert slipped["name"] == "Handover"
    assert slipped["baseline_date"] == "2026-03-24"
    assert slipped["planned_date"] == "2026-03-26"
    assert slipped["slip_days"] == 2
    assert slipped["done"] is False


def test_a_milestone_due_by_the_period_end_and_not_done_has_slipped(organization: Organization) -> None:
    plan = build_plan(organization)
    report = control.status_report_create(
        actor=plan.manager.user, project=plan.project, period_end=dt.date(2026, 3, 27)
    )
    assert [m["name"] for m in report.figures["slipped_milestones"]] == ["Handover"]
    assert report.figures["planned_percent"] == "100.00"


def test_without_costs_the_plan_is_weighed_by_duration(organization: Organization) -> None:
    project = ProjectFactory(organization=organization, planned_start=dt.date(2026, 3, 2))
    author = member(organization, OrgRole.PMO).user
    baseline = Baseline.objects.create(
        organization=organization, project=project, name="B", created_by=author, is_current=True
    )
    first = WbsElementFactory(project=project, duration=2, budgeted_cost=0, percent_complete=100)
    second = WbsElementFactory(project=project, duration=6, budgeted_cost=0, percent_complete=0)
    for task, start, finish in ((first, 2, 3), (second, 4, 11)):
        BaselineTask.objects.create(
            organization=organization,
            baseline=baseline,
            task=task,
            code=task.code,
            name=task.name,
            start=dt.date(2026, 3, start),
            finish=dt.date(2026, 3, finish),
            duration=task.duration,
            budgeted_cost=0,
        )
    figures = control_reads.status_report_figures(project, dt.date(2026, 3, 6))
    # Planned: 2 days of the first and 3 of the second's 6: (2 + 3) / 8; actual: 2 x 100 % / 8.
    assert figures["weighting"] == "duration"
    assert figures["planned_percent"] == "62.50"
    assert figures["actual_percent"] == "25.00"


def test_without_a_baseline_planned_progress_is_unknown_and_the_schedule_stays_green(
    organization: Organization,
) -> None:
    project = ProjectFactory(organization=organization)
    WbsElementFactory(project=project, budgeted_cost=100, percent_complete=10)
    report = control.status_report_create(
        actor=member(organization, OrgRole.PMO).user, project=project, period_end=FRIDAY
    )
    assert report.figures["baseline"] is None
    assert report.figures["planned_percent"] is None
    assert report.figures["actual_percent"] == "10.00"
    assert report.rag_schedule == Rag.GREEN


def test_a_report_date_is_normalised_to_the_projects_calendar(organization: Organization) -> None:
    plan = build_plan(organization, progress=False)
    add_calendar_day(organization, dt.date(2026, 4, 3), working=False)
    report = control.status_report_create(actor=plan.manager.user, project=plan.project, period_end=dt.date(2026, 4, 5))
    assert report.period_end == dt.date(2026, 4, 2)


def test_a_second_report_for_the_same_week_is_refused(organization: Organization) -> None:
    plan = build_plan(organization, progress=False)
    control.status_report_create(actor=plan.manager.user, project=plan.project, period_end=FRIDAY)
    with pytest.raises(ApplicationError) as refused:
        control.status_report_create(actor=plan.manager.user, project=plan.project, period_end=dt.date(2026, 3, 9))
    assert refused.value.code == "duplicate"
    assert "period_end" in refused.value.fields
    assert StatusReport.objects.for_organization(organization).count() == 1


# --- report transitions -----------------------------------------------------------------


def test_a_draft_is_edited_then_submitted_by_its_author_then_reviewed_by_the_pmo(organization: Organization) -> None:
    plan = build_plan(organization, progress=False)
    author = join(plan.project, member(organization, OrgRole.MEMBER), "coordinator")
    pmo = member(organization, OrgRole.PMO)
    report = control.status_report_create(actor=author.user, project=plan.project, period_end=FRIDAY)

    report = control.status_report_update(
        actor=author.user, report=report, rag_cost=Rag.AMBER, accomplishments="  Piles driven.  "
    )
    assert (report.rag_cost, report.accomplishments) == (Rag.AMBER, "Piles driven.")
    report = control.status_report_submit(
        actor=author.user, membership=author, project_role="coordinator", report=report
    )
    assert report.status == StatusReport.Status.SUBMITTED
    assert report.submitted_at is not None
    report = control.status_report_review(actor=pmo.user, membership=pmo, report=report, comment="Watch the cost.")
    assert report.status == StatusReport.Status.REVIEWED
    assert (report.reviewed_by, report.review_comment) == (pmo.user, "Watch the cost.")
    for action in ("created", "updated", "submitted", "reviewed"):
        assert events(organization, f"status_report.{action}") == 1


def test_the_projects_manager_may_submit_a_report_someone_else_wrote(organization: Organization) -> None:
    plan = build_plan(organization, progress=False)
    report = control.status_report_create(actor=plan.admin.user, project=plan.project, period_end=FRIDAY)
    report = control.status_report_submit(
        actor=plan.manager.user, membership=plan.manager, project_role=MANAGER, report=narrated(report)
    )
    assert report.status == StatusReport.Status.SUBMITTED


def test_another_team_member_may_not_submit_someone_elses_report(organization: Organization) -> None:
    plan = build_plan(organization, progress=False)
    controller = join(plan.project, member(organization, OrgRole.MEMBER), "controller")
    report = control.status_report_create(actor=plan.manager.user, project=plan.project, period_end=FRIDAY)
    with pytest.raises(ApplicationError) as refused:
        control.status_report_submit(
            actor=controller.user, membership=controller, project_role="controller", report=report
        )
    assert (refused.value.code, refused.value.status_code) == ("permission_denied", 403)
    report.refresh_from_db()
    assert report.status == StatusReport.Status.DRAFT


@pytest.mark.parametrize("step", ["update", "submit", "review_draft"])
def test_illegal_report_transitions_change_nothing(organization: Organization, step: str) -> None:
    plan = build_plan(organization, progress=False)
    report = control.status_report_create(actor=plan.manager.user, project=plan.project, period_end=FRIDAY)
    if step != "review_draft":
        control.status_report_submit(
            actor=plan.manager.user, membership=plan.manager, project_role=MANAGER, report=narrated(report)
        )
    before = events(organization, "status_report.updated") + events(organization, "status_report.reviewed")
    attempts = {
        "update": lambda: control.status_report_update(actor=plan.manager.user, report=report, rag_scope=Rag.RED),
        "submit": lambda: control.status_report_submit(
            actor=plan.manager.user, membership=plan.manager, project_role=MANAGER, report=report
        ),
        "review_draft": lambda: control.status_report_review(
            actor=plan.admin.user, membership=plan.admin, report=report
        ),
    }
    with pytest.raises(ApplicationError) as refused:
        attempts[step]()
    assert refused.value.code == "illegal_transition"
    report.refresh_from_db()
    assert report.rag_scope == Rag.GREEN
    assert report.status == (StatusReport.Status.DRAFT if step == "review_draft" else StatusReport.Status.SUBMITTED)
    assert events(organization, "status_report.updated") + events(organization, "status_report.reviewed") == before


def test_only_the_pmo_office_reviews(organization: Organization) -> None:
    plan = build_plan(organization, progress=False)
    report = control.status_report_create(actor=plan.manager.user, project=plan.project, period_end=FRIDAY)
    control.status_report_submit(
        actor=plan.manager.user, membership=plan.manager, project_role=MANAGER, report=narrated(report)
    )
    with pytest.raises(ApplicationError) as refused:
        control.status_report_review(actor=plan.manager.user, membership=plan.manager, report=report)
    assert refused.value.status_code == 403


def test_a_rating_outside_green_amber_red_is_refused(organization: Organization) -> None:
    plan = build_plan(organization, progress=False)
    report = control.status_report_create(actor=plan.manager.user, project=plan.project, period_end=FRIDAY)
    with pytest.raises(ApplicationError) as refused:
        control.status_report_update(actor=plan.manager.user, report=report, rag_risk="purple")
    assert "rag_risk" in refused.value.fields


# --- change requests --------------------------------------------------------------------


def test_change_requests_are_numbered_per_project(organization: Organization) -> None:
    plan = build_plan(organization, progress=False)
    other = ProjectFactory(organization=organization)
    numbers = [raise_change(plan, plan.manager, submit=False).number for _ in range(3)]
    first_elsewhere = control.change_request_create(
        actor=plan.manager.user, project=other, title="T", kind="cost", description="D", reason="R"
    )
    assert numbers == [1, 2, 3]
    assert first_elsewhere.number == 1
    change_request = ChangeRequest.objects.for_organization(organization).get(project=plan.project, number=1)
    assert [link.element for link in change_request.affected.all()] == [plan.b]
    assert events(organization, "change_request.created") == 4


def test_affected_elements_must_belong_to_the_project(organization: Organization) -> None:
    plan = build_plan(organization, progress=False)
    stranger = WbsElementFactory(project=ProjectFactory(organization=organization))
    with pytest.raises(ApplicationError) as refused:
        control.change_request_create(
            actor=plan.manager.user,
            project=plan.project,
            title="T",
            kind="scope",
            description="D",
            reason="R",
            affected=[plan.a, stranger],
        )
    assert "affected" in refused.value.fields
    assert not ChangeRequest.objects.for_organization(organization).exists()


def test_a_draft_is_edited_and_its_affected_elements_replaced(organization: Organization) -> None:
    plan = build_plan(organization, progress=False)
    change_request = raise_change(plan, plan.manager, submit=False)
    change_request = control.change_request_update(
        **who(plan.manager, MANAGER),
        change_request=change_request,
        title="Add two footbridges",
        impact_cost=Decimal("9000.00"),
        affected=[plan.a, plan.milestone],
    )
    assert change_request.title == "Add two footbridges"
    linked = ChangeRequestElement.objects.for_organization(organization).filter(change_request=change_request)
    assert sorted(linked.values_list("element_id", flat=True)) == sorted([plan.a.pk, plan.milestone.pk])
    event = AuditEvent.objects.for_organization(organization).get(action="change_request.updated")
    assert set(event.changes) == {"title", "impact_cost", "affected"}


def test_a_submitted_change_request_can_no_longer_be_edited(organization: Organization) -> None:
    plan = build_plan(organization, progress=False)
    change_request = raise_change(plan, plan.manager)
    with pytest.raises(ApplicationError) as refused:
        control.change_request_update(**who(plan.manager, MANAGER), change_request=change_request, title="Changed")
    assert refused.value.code == "illegal_transition"
    change_request.refresh_from_db()
    assert change_request.title == "Add a footbridge"


@pytest.mark.parametrize(
    ("impact_cost", "impact_days", "decider", "allowed"),
    [
        ("5000.00", 3, "project_manager_of_the_project", True),
        ("5000.00", 3, OrgRole.PMO, True),
        ("5000.00", 3, OrgRole.FINANCE, False),
        ("5000.00", 3, "project_manager_elsewhere", False),
        ("5000.00", 15, OrgRole.PMO, True),
        ("5000.00", 15, "project_manager_of_the_project", False),
        ("5000.00", 15, OrgRole.FINANCE, False),
        ("150000.00", 3, OrgRole.FINANCE, True),
        ("150000.00", 3, OrgRole.ADMIN, True),
        ("150000.00", 3, OrgRole.PMO, False),
        ("150000.00", 3, "project_manager_of_the_project", False),
        ("-150000.00", 3, OrgRole.PMO, False),
        ("100000.00", 10, "project_manager_of_the_project", True),
    ],
)
def test_who_decides_depends_on_the_size_of_the_change(
    organization: Organization, impact_cost: str, impact_days: int, decider: str, allowed: bool
) -> None:
    plan = build_plan(organization, progress=False)
    settings = project_settings(organization)
    assert (settings.finance_approval_above, settings.pmo_approval_above_days) == (Decimal("100000.00"), 10)
    requester = join(plan.project, member(organization, OrgRole.MEMBER), "member")
    change_request = raise_change(plan, requester, impact_cost=Decimal(impact_cost), impact_days=impact_days)
    if decider == "project_manager_of_the_project":
        membership, project_role = plan.manager, MANAGER
    elif decider == "project_manager_elsewhere":
        membership, project_role = member(organization, OrgRole.PROJECT_MANAGER), None
    else:
        membership, project_role = member(organization, decider), None

    if allowed:
        decided = control.change_request_approve(
            **who(membership, project_role), change_request=change_request, comment="Go ahead."
        )
        assert decided.status == ChangeRequest.Status.APPROVED
        assert (decided.decided_by, decided.decision_comment) == (membership.user, "Go ahead.")
        assert events(organization, "change_request.approved") == 1
    else:
        with pytest.raises(ApplicationError) as refused:
            control.change_request_approve(**who(membership, project_role), change_request=change_request)
        assert (refused.value.code, refused.value.status_code) == ("permission_denied", 403)
        change_request.refresh_from_db()
        assert change_request.status == ChangeRequest.Status.SUBMITTED
        assert events(organization, "change_request.approved") == 0


def test_the_thresholds_come_from_the_organisations_settings(organization: Organization) -> None:
    plan = build_plan(organization, progress=False)
    settings = project_settings(organization)
    settings.finance_approval_above = Decimal("1000.00")
    settings.save()
    change_request = raise_change(plan, member(organization, OrgRole.MEMBER), impact_cost=Decimal("5000.00"))
    with pytest.raises(ApplicationError):
        control.change_request_approve(**who(plan.manager, MANAGER), change_request=change_request)
    finance = member(organization, OrgRole.FINANCE)
    assert control.change_request_approve(**who(finance), change_request=change_request).status == "approved"


@pytest.mark.parametrize("role", [OrgRole.ADMIN, OrgRole.PMO])
def test_nobody_decides_their_own_change_request(organization: Organization, role: str) -> None:
    plan = build_plan(organization, progress=False)
    requester = member(organization, role)
    change_request = raise_change(plan, requester)
    for decide in (control.change_request_approve, control.change_request_reject):
        with pytest.raises(ApplicationError) as refused:
            decide(**who(requester), change_request=change_request, comment="Mine.")
        assert (refused.value.code, refused.value.status_code) == ("separation_of_duties", 403)
    change_request.refresh_from_db()
    assert change_request.status == ChangeRequest.Status.SUBMITTED


def test_a_rejection_needs_a_reason(organization: Organization) -> None:
    plan = build_plan(organization, progress=False)
    change_request = raise_change(plan, member(organization, OrgRole.MEMBER))
    with pytest.raises(ApplicationError) as refused:
        control.change_request_reject(**who(plan.admin), change_request=change_request, comment="  ")
    assert "comment" in refused.value.fields
    rejected = control.change_request_reject(**who(plan.admin), change_request=change_request, comment="No budget.")
    assert rejected.status == ChangeRequest.Status.REJECTED
    assert events(organization, "change_request.rejected") == 1


@pytest.mark.parametrize("status", ["draft", "approved", "rejected", "implemented"])
def test_only_a_submitted_change_request_is_decided(organization: Organization, status: str) -> None:
    plan = build_plan(organization, progress=False)
    change_request = raise_change(plan, member(organization, OrgRole.MEMBER), submit=False)
    ChangeRequest.objects.for_organization(organization).filter(pk=change_request.pk).update(status=status)
    with pytest.raises(ApplicationError) as refused:
        control.change_request_approve(**who(plan.admin), change_request=change_request)
    assert refused.value.code == "illegal_transition"


def test_implementing_with_a_baseline_makes_a_new_current_baseline_linked_to_the_change(
    organization: Organization,
) -> None:
    plan = build_plan(organization, progress=False)
    change_request = raise_change(plan, member(organization, OrgRole.MEMBER))
    control.change_request_approve(**who(plan.admin), change_request=change_request)
    wbs_element_update(actor=plan.admin.user, element=plan.b, duration=12)

    implemented = control.change_request_implement(
        actor=plan.manager.user, change_request=change_request, create_baseline=True
    )

    assert implemented.status == ChangeRequest.Status.IMPLEMENTED
    assert implemented.implemented_at is not None
    baselines = Baseline.objects.for_organization(organization).filter(project=plan.project)
    new = baselines.get(is_current=True)
    assert new.name == "CR-1 Add a footbridge"
    assert new.change_request_id == change_request.pk
    assert not baselines.get(pk=plan.baseline.pk).is_current
    assert new.tasks.get(task=plan.b).duration == 12
    event = AuditEvent.objects.for_organization(organization).get(action="change_request.implemented")
    assert event.changes["baseline"] == [None, "CR-1 Add a footbridge"]


def test_implementing_without_a_baseline_leaves_the_baselines_alone(organization: Organization) -> None:
    plan = build_plan(organization, progress=False)
    change_request = raise_change(plan, member(organization, OrgRole.MEMBER))
    control.change_request_approve(**who(plan.admin), change_request=change_request)
    control.change_request_implement(actor=plan.manager.user, change_request=change_request)
    assert Baseline.objects.for_organization(organization).filter(project=plan.project).count() == 1


def test_a_baseline_that_cannot_be_made_leaves_the_change_approved(organization: Organization) -> None:
    plan = build_plan(organization, progress=False)
    change_request = raise_change(plan, member(organization, OrgRole.MEMBER))
    control.change_request_approve(**who(plan.admin), change_request=change_request)
    Baseline.objects.for_organization(organization).filter(pk=plan.baseline.pk).update(name="CR-1 Add a footbridge")
    with pytest.raises(ApplicationError):
        control.change_request_implement(actor=plan.manager.user, change_request=change_request, create_baseline=True)
    change_request.refresh_from_db()
    assert change_request.status == ChangeRequest.Status.APPROVED
    assert events(organization, "change_request.implemented") == 0


def test_only_an_approved_change_is_implemented(organization: Organization) -> None:
    plan = build_plan(organization, progress=False)
    change_request = raise_change(plan, member(organization, OrgRole.MEMBER))
    with pytest.raises(ApplicationError) as refused:
        control.change_request_implement(actor=plan.manager.user, change_request=change_request, create_baseline=True)
    assert refused.value.code == "illegal_transition"
    assert Baseline.objects.for_organization(organization).filter(project=plan.project).count() == 1


def test_the_change_log_tells_each_change_requests_history(organization: Organization) -> None:
    plan = build_plan(organization, progress=False)
    requester = member(organization, OrgRole.MEMBER)
    first = raise_change(plan, requester)
    control.change_request_reject(**who(plan.admin), change_request=first, comment="Too dear.")
    second = raise_change(plan, requester, submit=False)

    history = control_reads.change_request_history(organization.pk, [first, second])

    assert [entry.action for entry in history[first.pk]] == ["created", "submitted", "rejected"]
    assert [entry.actor for entry in history[first.pk]] == [requester.user, requester.user, plan.admin.user]
    assert history[first.pk][-1].changes["decision_comment"] == [None, "Too dear."]
    assert [entry.action for entry in history[second.pk]] == ["created"]
