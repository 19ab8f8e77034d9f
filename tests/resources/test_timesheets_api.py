"""The timesheet API: my weeks, lines, submit, the approvals list, decisions, corrections, actual work."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from finance.models import ActualCost
from resources.api.timesheets import (
    APPROVAL_ROWS,
    LINE_ROWS,
    TIMESHEET_ROWS,
    TimesheetApprovalSerializer,
    TimesheetLineSerializer,
    TimesheetSerializer,
)
from resources.models import LineStatus, Timesheet, TimesheetLine
from resources.services import timesheets as services
from tests.conftest import api_client_for
from tests.factories import AssignmentFactory, ResourceFactory, member
from tests.resources.timesheets_support import MONDAY, Site, make_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def site() -> Site:
    return make_site()


def url(site: Site, suffix: str) -> str:
    return f"/api/v1/orgs/{site.org.slug}/{suffix}"


def test_a_person_opens_a_week_adds_lines_and_submits_it(site: Site) -> None:
    api = api_client_for(site.person)

    opened = api.post(url(site, "timesheets/"), {"week_start": "2026-03-02"}, format="json")
    assert opened.status_code == 201, opened.json()
    week = opened.json()
    assert (week["week"], week["status"], week["lines"], week["resource_code"]) == ("2026-W10", "draft", [], "R-LIN")
    assert api.post(url(site, "timesheets/"), {"week_start": "2026-03-02"}, format="json").status_code == 200

    lines = url(site, f"timesheets/{week['id']}/lines/")
    added = api.post(
        lines, {"task": site.task.pk, "hours_mon": "8", "hours_tue": "7.5", "note": "Trench A"}, format="json"
    )
    assert added.status_code == 201, added.json()
    assert (added.json()["total_hours"], added.json()["task_code"], added.json()["project_code"]) == (
        "15.50",
        "1",
        "P-1",
    )
    leave = api.post(lines, {"category": "leave", "hours_fri": "8"}, format="json")
    assert leave.status_code == 201
    assert leave.json()["project_code"] is None
    changed = api.patch(f"{lines}{added.json()['id']}/", {"hours_wed": "2"}, format="json")
    assert changed.json()["total_hours"] == "17.50"
    assert changed.json()["hours_mon"] == "8.00"

    submitted = api.post(url(site, f"timesheets/{week['id']}/submit/"), {}, format="json")
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["status"] == "submitted"
    assert submitted.json()["day_totals"] == ["8.00", "7.50", "2.00", "0.00", "8.00", "0.00", "0.00"]
    listed = api.get(url(site, "timesheets/")).json()
    assert [row["week_start"] for row in listed["results"]] == ["2026-03-02"]


def test_bad_input_is_refused_with_a_clear_error_and_changes_nothing(site: Site) -> None:
    api = api_client_for(site.person)
    assert api.post(url(site, "timesheets/"), {"week_start": "2026-03-03"}, format="json").json()["error"]["code"] == (
        "not_a_monday"
    )
    week = site.week()
    lines = url(site, f"timesheets/{week.pk}/lines/")
    odd = api.post(lines, {"task": site.task.pk, "hours_mon": "7.3"}, format="json")
    assert odd.status_code == 400
    assert "hours_mon" in odd.json()["error"]["fields"]
    other = api.post(lines, {"task": site.other_task.pk, "hours_mon": "1"}, format="json")
    assert other.json()["error"]["code"] == "task_not_bookable"
    foreign = make_site("rival")
    assert api.post(lines, {"task": foreign.task.pk, "hours_mon": "1"}, format="json").status_code == 400
    assert TimesheetLine.objects.for_organization(site.org).count() == 0
    nobody = api_client_for(site.outsider).post(url(site, "timesheets/"), {"week_start": "2026-03-02"}, format="json")
    assert nobody.status_code == 400
    assert nobody.json()["error"]["code"] == "no_resource"


def test_another_persons_week_is_forbidden_unless_one_decides_on_it_and_another_organisations_is_not_found(
    site: Site,
) -> None:
    line = site.submitted(8)
    detail = url(site, f"timesheets/{line.timesheet_id}/")
    assert api_client_for(site.outsider).get(detail).status_code == 403
    assert api_client_for(site.other_manager).get(detail).status_code == 403
    assert api_client_for(site.outsider).get(f"{detail}lines/").status_code == 403
    assert api_client_for(site.manager).get(detail).status_code == 200
    assert api_client_for(site.office).get(detail).status_code == 200
    assert api_client_for(site.manager).post(f"{detail}submit/", {}, format="json").status_code == 400
    stranger = member(make_site("rival").org).user
    assert api_client_for(stranger).get(f"/api/v1/orgs/rival/timesheets/{line.timesheet_id}/").status_code == 404


def test_the_approvals_list_holds_the_lines_waiting_for_me_and_a_decision_makes_labour_cost(site: Site) -> None:
    mine = site.submitted(8, "7.5")
    AssignmentFactory(organization=site.org, project=site.other_project, task=site.other_task, resource=site.resource)
    elsewhere = site.submitted(4, task=site.other_task, week_start=dt.date(2026, 3, 9))

    manager = api_client_for(site.manager)
    waiting = manager.get(url(site, "timesheet-approvals/")).json()["results"]
    assert [row["id"] for row in waiting] == [mine.pk]
    assert (waiting[0]["resource_code"], waiting[0]["week_start"], waiting[0]["total_hours"]) == (
        "R-LIN",
        "2026-03-02",
        "15.50",
    )
    office = api_client_for(site.office).get(url(site, "timesheet-approvals/")).json()["results"]
    assert [row["id"] for row in office] == [mine.pk, elsewhere.pk]
    assert (
        api_client_for(site.other_manager)
        .post(url(site, f"timesheet-approvals/{mine.pk}/approve/"), {}, format="json")
        .status_code
        == 403
    )

    approved = manager.post(url(site, f"timesheet-approvals/{mine.pk}/approve/"), {}, format="json")
    assert approved.status_code == 200, approved.json()
    assert approved.json()["status"] == "approved"
    # 8 x 100.00 + 7.5 x 100.00 (both days before the rate change)
    total = sum(
        ActualCost.objects.for_organization(site.org).filter(project=site.project).values_list("amount", flat=True)
    )
    assert total == Decimal("1550.00")

    rejected = api_client_for(site.other_manager).post(
        url(site, f"timesheet-approvals/{elsewhere.pk}/reject/"), {"reason": ""}, format="json"
    )
    assert rejected.status_code == 400
    done = api_client_for(site.other_manager).post(
        url(site, f"timesheet-approvals/{elsewhere.pk}/reject/"), {"reason": "Wrong task"}, format="json"
    )
    assert (done.json()["status"], done.json()["rejection_reason"]) == ("rejected", "Wrong task")


def test_many_lines_are_decided_at_once_all_or_none(site: Site) -> None:
    first = site.line(8)
    second = site.line(0, 4, task=site.task_b)
    services.timesheet_submit(actor=site.person, timesheet=site.week())
    manager = api_client_for(site.manager)

    answer = manager.post(
        url(site, "timesheet-approvals/decide/"), {"lines": [first.pk, second.pk], "decision": "approve"}, format="json"
    )

    assert answer.status_code == 200, answer.json()
    assert [row["status"] for row in answer.json()] == ["approved", "approved"]
    again = manager.post(
        url(site, "timesheet-approvals/decide/"), {"lines": [first.pk], "decision": "approve"}, format="json"
    )
    assert again.json()["error"]["code"] == "line_not_submitted"
    assert (
        manager.post(
            url(site, "timesheet-approvals/decide/"),
            {"lines": [999999], "decision": "reject", "reason": "x"},
            format="json",
        ).status_code
        == 400
    )


def test_a_correction_answers_the_reversal_and_the_new_line(site: Site) -> None:
    line = site.approved(8)
    api = api_client_for(site.person)

    answer = api.post(
        url(site, f"timesheets/{line.timesheet_id}/lines/{line.pk}/correct/"),
        {"hours_mon": "6", "reason": "Left early"},
        format="json",
    )

    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert (body["reversal"]["status"], body["reversal"]["hours_mon"], body["reversal"]["reverses"]) == (
        "reversed",
        "-8.00",
        line.pk,
    )
    assert (body["line"]["status"], body["line"]["hours_mon"]) == ("draft", "6.00")


def test_a_line_read_gives_an_etag_and_a_stale_change_is_refused(site: Site) -> None:
    line = site.line(8)
    api = api_client_for(site.person)
    detail = url(site, f"timesheets/{line.timesheet_id}/lines/{line.pk}/")
    tag = api.get(detail)["ETag"]
    assert api.patch(detail, {"hours_mon": "7"}, format="json", HTTP_IF_MATCH=tag).status_code == 200
    assert api.patch(detail, {"hours_mon": "6"}, format="json", HTTP_IF_MATCH=tag).status_code == 412
    assert api.delete(detail, HTTP_IF_MATCH=api.get(detail)["ETag"]).status_code == 204


def test_actual_work_against_assigned_work_per_task_and_person(site: Site) -> None:
    AssignmentFactory(
        organization=site.org, project=site.project, task=site.task, resource=site.resource, work=Decimal("40")
    )
    crane = ResourceFactory(organization=site.org, code="R-ZHAO", name="Zhao")
    AssignmentFactory(organization=site.org, project=site.project, task=site.task_b, resource=crane, work=Decimal("16"))
    site.approved(8, "7.5", 8, 8, "6.5")  # 38 hours on the task

    body = api_client_for(site.outsider).get(url(site, f"projects/{site.project.pk}/resource-work/")).json()

    assert [
        (row["task_code"], row["resource_code"], row["assigned"], row["actual"], row["percent"]) for row in body["rows"]
    ] == [
        ("1", "R-LIN", "40.00", "38.00", "95.0"),
        ("2", "R-ZHAO", "16.00", "0.00", "0.0"),
    ]
    assert [(total["code"], total["percent"]) for total in body["by_resource"]] == [
        ("R-LIN", "95.0"),
        ("R-ZHAO", "0.0"),
    ]


# --- the fast read path and its query counts ------------------------------------------------


def test_every_list_answers_what_its_serializer_declares(site: Site) -> None:
    line = site.submitted(8, "7.5")
    timesheet = Timesheet.objects.for_organization(site.org).get()
    rows = TimesheetLine.objects.for_organization(site.org).filter(pk=line.pk)
    assert LINE_ROWS.build(rows.values(*LINE_ROWS.columns)) == [dict(TimesheetLineSerializer(line).data)]
    assert APPROVAL_ROWS.build(rows.values(*APPROVAL_ROWS.columns)) == [dict(TimesheetApprovalSerializer(line).data)]
    sheets = Timesheet.objects.for_organization(site.org).filter(pk=timesheet.pk)
    assert TIMESHEET_ROWS.build(sheets.values(*TIMESHEET_ROWS.columns)) == [dict(TimesheetSerializer(timesheet).data)]


def _many_weeks(site: Site, count: int) -> None:
    for week in range(count):
        site.submitted(1, 1, week_start=MONDAY + dt.timedelta(days=7 * week))


@pytest.mark.parametrize("weeks", [1, 4])
def test_the_lists_run_a_fixed_number_of_queries(site: Site, weeks: int, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    _many_weeks(site, weeks)
    person = api_client_for(site.person)
    manager = api_client_for(site.manager)
    timesheet = Timesheet.objects.for_organization(site.org).order_by("week_start").first()
    assert timesheet is not None
    # The membership; count and page (the client is authenticated without a session).
    with django_assert_num_queries(3):
        assert len(person.get(url(site, "timesheets/")).json()["results"]) == weeks
    # The membership, the timesheet (its person is the reader); count and page.
    with django_assert_num_queries(4):
        assert person.get(url(site, f"timesheets/{timesheet.pk}/lines/")).status_code == 200
    # The membership, the timesheet, its lines.
    with django_assert_num_queries(3):
        assert person.get(url(site, f"timesheets/{timesheet.pk}/")).status_code == 200
    # The membership; count and page (the manager's projects are a subquery).
    with django_assert_num_queries(3):
        assert len(manager.get(url(site, "timesheet-approvals/")).json()["results"]) == weeks
    # The membership with the project, the assignments, the approved lines.
    with django_assert_num_queries(3):
        assert manager.get(url(site, f"projects/{site.project.pk}/resource-work/")).status_code == 200
    assert LineStatus.SUBMITTED in TimesheetLine.objects.for_organization(site.org).values_list("status", flat=True)
