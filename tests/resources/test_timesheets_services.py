"""Timesheet services: a week's lines, submission, approval into labour cost, corrections, the period lock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from finance.earned_value import project_evm
from finance.models import ActualCost
from pmo.errors import ApplicationError
from pmo.models import AuditEvent
from resources.models import LabourCost, LineStatus, Timesheet, TimesheetLine, TimesheetStatus
from resources.services import timesheets as services
from tests.factories import AssignmentFactory, BaselineFactory
from tests.resources.timesheets_support import MONDAY, Site, hours, make_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def site() -> Site:
    return make_site()


def refused(code: str, call, *args, **kwargs) -> ApplicationError:  # type: ignore[no-untyped-def]
    with pytest.raises(ApplicationError) as caught:
        call(*args, **kwargs)
    assert caught.value.code == code, (caught.value.code, caught.value.message)
    return caught.value


def labour_costs(site: Site) -> list[ActualCost]:
    return list(ActualCost.objects.for_organization(site.org).filter(project=site.project).order_by("date", "pk"))


# --- labour cost ---------------------------------------------------------------------------


def test_approved_hours_become_labour_cost_per_day_at_the_rate_in_force_to_the_cent(site: Site) -> None:
    # Rates: 100.00 until Tuesday, 123.46 from Wednesday 4 March (RATE_CHANGE).
    #   Mon 8    x 100.00 =  800.00
    #   Tue 7.5  x 100.00 =  750.00
    #   Wed 8    x 123.46 =  987.68
    #   Thu 6.25 x 123.46 =  771.625 → 771.63 (half up)
    #   Fri 2.25 x 123.46 =  277.785 → 277.79 (half up; half-even would give 277.78)
    #   total                3587.10
    line = site.approved(8, "7.5", 8, "6.25", "2.25")

    costs = labour_costs(site)
    assert [(cost.date.day, cost.amount) for cost in costs] == [
        (2, Decimal("800.00")),
        (3, Decimal("750.00")),
        (4, Decimal("987.68")),
        (5, Decimal("771.63")),
        (6, Decimal("277.79")),
    ]
    assert sum(cost.amount for cost in costs) == Decimal("3587.10")
    assert {cost.source for cost in costs} == {ActualCost.Source.TIMESHEET}
    assert {cost.category.code for cost in costs} == {"labour"}
    assert {cost.wbs_element_id for cost in costs} == {site.task.pk}
    assert {cost.reference for cost in costs} == {"TS R-LIN 2026-W10"}
    links = list(LabourCost.objects.for_organization(site.org).filter(line=line).order_by("date"))
    assert [(link.hours, link.rate) for link in links] == [
        (Decimal("8.00"), Decimal("100.00")),
        (Decimal("7.50"), Decimal("100.00")),
        (Decimal("8.00"), Decimal("123.46")),
        (Decimal("6.25"), Decimal("123.46")),
        (Decimal("2.25"), Decimal("123.46")),
    ]
    assert line.status == LineStatus.APPROVED
    assert line.decided_by == site.manager
    assert Timesheet.objects.for_organization(site.org).get(pk=line.timesheet_id).status == TimesheetStatus.APPROVED


def test_the_labour_cost_counts_in_earned_value_as_actual_cost(site: Site) -> None:
    BaselineFactory(organization=site.org, project=site.project, is_current=True)
    site.approved(8, "7.5", 8, "6.25", "2.25")

    # AC on Tuesday 3 March: 800.00 + 750.00; on Friday 6 March the whole week, 3587.10.
    assert project_evm(site.project, dt.date(2026, 3, 3)).totals.ac == Decimal("1550.00")
    assert project_evm(site.project, dt.date(2026, 3, 6)).totals.ac == Decimal("3587.10")


def test_a_missing_rate_refuses_the_approval_naming_the_resource_and_day_and_writes_nothing(site: Site) -> None:
    line = site.submitted(8, week_start=dt.date(2025, 12, 29))

    error = refused("no_rate", services.timesheet_line_approve, actor=site.manager, line=line)

    assert "R-LIN Lin Wei" in error.message
    assert "2025-12-29" in error.message
    line.refresh_from_db()
    assert line.status == LineStatus.SUBMITTED
    assert labour_costs(site) == []


def test_non_project_lines_are_approved_by_the_resource_office_without_labour_cost(site: Site) -> None:
    leave = site.submitted(8, 8, category="leave")

    refused("not_approver", services.timesheet_line_approve, actor=site.manager, line=leave)
    services.timesheet_line_approve(actor=site.office, line=leave)

    leave.refresh_from_db()
    assert leave.status == LineStatus.APPROVED
    assert labour_costs(site) == []


# --- who decides -----------------------------------------------------------------------------


def test_another_projects_manager_cannot_approve_and_nobody_decides_their_own_lines(site: Site) -> None:
    line = site.submitted(8)

    refused("not_approver", services.timesheet_line_approve, actor=site.other_manager, line=line)
    refused("not_approver", services.timesheet_line_approve, actor=site.outsider, line=line)
    # The person is a member of the project, not its manager; even the office may not decide its own.
    refused("not_approver", services.timesheet_line_approve, actor=site.person, line=line)
    services.timesheet_line_approve(actor=site.office, line=line)
    line.refresh_from_db()
    assert line.status == LineStatus.APPROVED


def test_the_resource_office_never_decides_on_its_own_lines(site: Site) -> None:
    from tests.factories import ResourceFactory

    resource = ResourceFactory(organization=site.org, code="R-OFF", user=site.office)
    timesheet = services.timesheet_for(actor=site.office, resource=resource, week_start=MONDAY)
    line = services.timesheet_line_add(actor=site.office, timesheet=timesheet, category="admin", hours=hours(4))
    services.timesheet_submit(actor=site.office, timesheet=timesheet)

    refused("own_line", services.timesheet_line_approve, actor=site.office, line=line)


def test_only_the_person_keeps_the_timesheet(site: Site) -> None:
    refused("not_your_timesheet", services.timesheet_for, actor=site.manager, resource=site.resource, week_start=MONDAY)
    timesheet = site.week()
    refused(
        "not_your_timesheet",
        services.timesheet_line_add,
        actor=site.office,
        timesheet=timesheet,
        category="admin",
        hours=hours(1),
    )
    refused(
        "not_a_monday",
        services.timesheet_for,
        actor=site.person,
        resource=site.resource,
        week_start=dt.date(2026, 3, 3),
    )


def test_the_week_is_made_once_and_found_again(site: Site) -> None:
    first = site.week()
    assert site.week() == first
    assert Timesheet.objects.for_organization(site.org).count() == 1
    assert AuditEvent.objects.for_organization(site.org).filter(action="timesheet.created").count() == 1


# --- lines -----------------------------------------------------------------------------------


def test_a_task_of_a_project_the_person_is_not_on_is_refused_until_assigned(site: Site) -> None:
    refused("task_not_bookable", site.line, 8, task=site.other_task)
    AssignmentFactory(organization=site.org, project=site.other_project, task=site.other_task, resource=site.resource)

    line = site.line(8, task=site.other_task)

    assert line.project == site.other_project


@pytest.mark.parametrize(
    ("values", "field"),
    [(("7.3",), "hours_mon"), (("25",), "hours_mon"), ((0, "-1"), "hours_tue"), ((0, 0, "x"), "hours_wed")],
)
def test_hours_are_0_to_24_in_quarter_hours(site: Site, values: tuple[str, ...], field: str) -> None:
    error = refused("invalid", site.line, *values)
    assert field in error.fields
    assert TimesheetLine.objects.for_organization(site.org).count() == 0


def test_a_days_total_across_lines_is_at_most_24(site: Site) -> None:
    site.line(16)
    error = refused("day_over_24", site.line, "8.25", task=site.task_b)
    assert "hours_mon" in error.fields
    assert "2026-03-02" in error.message
    site.line(8, task=site.task_b)


def test_an_empty_week_and_a_line_without_hours_are_not_submitted(site: Site) -> None:
    refused("empty_timesheet", services.timesheet_submit, actor=site.person, timesheet=site.week())
    site.line()
    refused("line_without_hours", services.timesheet_submit, actor=site.person, timesheet=site.week())


def test_the_timesheet_status_follows_its_lines_and_a_rejected_line_returns_with_its_reason(site: Site) -> None:
    first = site.line(8)
    second = site.line(4, task=site.task_b)
    assert site.week().status == TimesheetStatus.DRAFT
    services.timesheet_submit(actor=site.person, timesheet=site.week())
    assert site.week().status == TimesheetStatus.SUBMITTED

    refused("reason_required", services.timesheet_line_reject, actor=site.manager, line=second, reason=" ")
    services.timesheet_line_approve(actor=site.manager, line=first)
    services.timesheet_line_reject(actor=site.manager, line=second, reason="Formwork was not started")
    second.refresh_from_db()
    assert (second.status, second.rejection_reason) == (LineStatus.REJECTED, "Formwork was not started")
    assert site.week().status == TimesheetStatus.RETURNED

    services.timesheet_line_update(actor=site.person, line=second, hours=hours(3))
    services.timesheet_submit(actor=site.person, timesheet=site.week())
    second.refresh_from_db()
    assert (second.status, second.rejection_reason) == (LineStatus.SUBMITTED, "")
    assert site.week().status == TimesheetStatus.SUBMITTED


def test_submitted_and_approved_lines_do_not_change(site: Site) -> None:
    line = site.submitted(8)
    refused("line_not_editable", services.timesheet_line_update, actor=site.person, line=line, hours=hours(7))
    refused("line_not_editable", services.timesheet_line_remove, actor=site.person, line=line)
    services.timesheet_line_approve(actor=site.manager, line=line)
    refused("line_not_editable", services.timesheet_line_update, actor=site.person, line=line, note="x")
    refused("line_not_submitted", services.timesheet_line_approve, actor=site.manager, line=line)


def test_a_bulk_decision_is_all_or_nothing(site: Site) -> None:
    mine = site.submitted(8)
    other = site.submitted(4, task=site.task_b, week_start=dt.date(2026, 3, 9))
    services.timesheet_line_approve(actor=site.manager, line=other)

    refused(
        "line_not_submitted", services.timesheet_lines_decide, actor=site.manager, lines=[mine, other], approve=True
    )

    mine.refresh_from_db()
    assert mine.status == LineStatus.SUBMITTED
    assert LabourCost.objects.for_organization(site.org).filter(line=mine).count() == 0


# --- corrections -----------------------------------------------------------------------------


def test_a_correction_reverses_the_labour_cost_to_zero_and_adds_a_draft_line(site: Site) -> None:
    line = site.approved(8, "7.5", 8)  # 800.00 + 750.00 + 987.68 = 2537.68

    reversal, corrected = services.timesheet_line_correct(
        actor=site.person, line=line, hours=hours(8, 6, 8), reason="Tuesday was 6 hours"
    )

    assert reversal.status == LineStatus.REVERSED
    assert reversal.reverses == line
    assert reversal.day_hours()[:3] == [Decimal("-8.00"), Decimal("-7.50"), Decimal("-8.00")]
    assert sum(cost.amount for cost in labour_costs(site)) == Decimal("0.00")
    reversals = ActualCost.objects.for_organization(site.org).filter(reverses__isnull=False)
    assert sorted(cost.amount for cost in reversals) == [Decimal("-987.68"), Decimal("-800.00"), Decimal("-750.00")]
    assert LabourCost.objects.for_organization(site.org).filter(line=reversal).count() == 3
    assert corrected is not None
    assert corrected.status == LineStatus.DRAFT
    assert corrected.day_hours()[:3] == [Decimal("8.00"), Decimal("6.00"), Decimal("8.00")]
    line.refresh_from_db()
    assert line.status == LineStatus.APPROVED  # never edited
    assert site.week().status == TimesheetStatus.DRAFT

    # The new line goes the usual way: 8 x 100 + 6 x 100 + 8 x 123.46 = 2387.68.
    services.timesheet_submit(actor=site.person, timesheet=site.week())
    services.timesheet_line_approve(actor=site.manager, line=corrected)
    assert sum(cost.amount for cost in labour_costs(site)) == Decimal("2387.68")
    refused(
        "already_corrected", services.timesheet_line_correct, actor=site.person, line=line, hours=hours(1), reason="x"
    )
    refused(
        "line_not_approved",
        services.timesheet_line_correct,
        actor=site.person,
        line=reversal,
        hours=hours(1),
        reason="x",
    )


def test_a_correction_needs_a_reason_a_change_and_the_right_person(site: Site) -> None:
    line = site.approved(8)
    refused("reason_required", services.timesheet_line_correct, actor=site.person, line=line, hours=hours(7), reason="")
    refused(
        "nothing_changes", services.timesheet_line_correct, actor=site.person, line=line, hours=hours(8), reason="r"
    )
    refused(
        "not_approver", services.timesheet_line_correct, actor=site.other_manager, line=line, hours=hours(7), reason="r"
    )
    _reversal, corrected = services.timesheet_line_correct(
        actor=site.manager, line=line, hours=hours(), reason="Not ours"
    )
    assert corrected is None
    assert sum(cost.amount for cost in labour_costs(site)) == Decimal("0.00")


# --- the period lock -------------------------------------------------------------------------


def test_nothing_on_or_before_the_locked_date_is_added_changed_submitted_approved_or_reversed(site: Site) -> None:
    waiting = site.submitted(8, task=site.task_b)  # Monday 2 March
    draft = site.line(0, 0, 0, 8)  # Thursday 5 March
    approved = site.approved(0, 8, week_start=dt.date(2026, 2, 23))  # Tuesday 24 February
    site.lock(dt.date(2026, 3, 4))  # closed through Wednesday

    error = refused("period_locked", site.line, 0, 0, "1", task=site.task)  # Wednesday
    assert "2026-03-04" in error.message
    refused("period_locked", services.timesheet_line_update, actor=site.person, line=draft, hours=hours(1, 0, 0, 8))
    refused("period_locked", services.timesheet_line_approve, actor=site.manager, line=waiting)
    refused("period_locked", services.timesheet_line_reject, actor=site.manager, line=waiting, reason="r")
    refused(
        "period_locked",
        services.timesheet_line_correct,
        actor=site.person,
        line=approved,
        hours=hours(0, 7),
        reason="r",
    )
    refused("period_locked", site.line, category="admin", week_start=dt.date(2026, 2, 23))

    # After the closed day the week goes on: Thursday and Friday hours.
    services.timesheet_line_update(actor=site.person, line=draft, hours=hours(0, 0, 0, 7, 1))
    site.line(0, 0, 0, 0, 2, category="training")


def test_a_week_with_hours_in_a_closed_period_is_not_submitted(site: Site) -> None:
    site.line(8)
    site.lock(MONDAY)
    refused("period_locked", services.timesheet_submit, actor=site.person, timesheet=site.week())
    assert site.week().status == TimesheetStatus.DRAFT
