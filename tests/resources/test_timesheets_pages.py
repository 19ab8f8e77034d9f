"""Timesheet pages: my week (grid and phone cards), approvals, a project's actual work, the progress hint."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from finance.models import ActualCost
from resources.models import LineStatus, TimesheetLine
from tests.conftest import page_client_for
from tests.factories import AssignmentFactory, WbsElementFactory
from tests.resources.timesheets_support import MONDAY, Site, make_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def site() -> Site:
    return make_site()


def page(site: Site, suffix: str) -> str:
    return f"/o/{site.org.slug}/{suffix}"


def timesheet_url(site: Site, week: str = "2026-03-04") -> str:
    return page(site, f"resources/timesheet/?week={week}")


def add_form(site: Site, **values: str) -> dict[str, str]:
    data = {"op": "add", "week": "2026-03-02", "category": "project", "task": str(site.task.pk), "note": ""}
    data.update(
        dict.fromkeys(("hours_mon", "hours_tue", "hours_wed", "hours_thu", "hours_fri", "hours_sat", "hours_sun"), "")
    )
    data.update(values)
    return data


def test_a_person_adds_a_line_saves_hours_and_submits_the_week_through_the_page(site: Site) -> None:
    client = page_client_for(site.person)
    shown = client.get(timesheet_url(site))
    assert shown.status_code == 200
    html = shown.content.decode()
    assert "2026-W10" in html
    assert "No hours this week yet." in html
    assert f'value="{site.task.pk}"' in html
    assert f'value="{site.other_task.pk}"' not in html

    added = client.post(timesheet_url(site), add_form(site, hours_mon="8", hours_tue="7.5"))
    assert added.status_code == 302
    line = TimesheetLine.objects.for_organization(site.org).get()
    grid = client.get(timesheet_url(site)).content.decode()
    assert f'name="h-{line.pk}-0" value="8"' in grid
    assert grid.count('inputmode="decimal"') >= 14  # the line's seven days and the new line's seven

    saved = client.post(
        timesheet_url(site),
        {
            "op": "submit",
            "week": "2026-03-02",
            **{f"h-{line.pk}-{day}": "" for day in range(7)},
            f"h-{line.pk}-0": "8",
            f"h-{line.pk}-1": "6",
            f"n-{line.pk}": "Trench A",
        },
    )
    assert saved.status_code == 302
    line.refresh_from_db()
    assert (line.status, line.hours_tue, line.note) == (LineStatus.SUBMITTED, Decimal("6.00"), "Trench A")
    assert "Waiting for approval" in client.get(timesheet_url(site)).content.decode()


def test_bad_hours_keep_what_was_typed_and_say_why(site: Site) -> None:
    client = page_client_for(site.person)
    client.post(timesheet_url(site), add_form(site, hours_mon="8"))
    line = TimesheetLine.objects.for_organization(site.org).get()

    answer = client.post(
        timesheet_url(site), {"op": "save", "week": "2026-03-02", f"h-{line.pk}-0": "7.3", f"h-{line.pk}-1": ""}
    )

    assert answer.status_code == 400
    html = answer.content.decode()
    assert "quarter hours" in html
    assert f'name="h-{line.pk}-0" value="7.3"' in html
    line.refresh_from_db()
    assert line.hours_mon == Decimal("8.00")
    refused = client.post(timesheet_url(site), add_form(site, hours_mon="30"))
    assert refused.status_code == 400
    assert "Enter from 0 to 24 hours." in refused.content.decode()


def test_a_person_without_a_resource_is_told_so(site: Site) -> None:
    html = page_client_for(site.outsider).get(timesheet_url(site)).content.decode()
    assert "You are not a resource of the organisation yet." in html


def test_the_page_speaks_chinese(site: Site) -> None:
    site.line(8)
    site.person.language = "zh-hans"
    site.person.save()
    html = page_client_for(site.person).get(timesheet_url(site)).content.decode()
    assert "我的工时表" in html
    assert "保存工时" in html
    assert "提交本周" in html


def test_the_manager_approves_through_the_approvals_page_and_labour_cost_follows(site: Site) -> None:
    line = site.submitted(8)
    assert (
        "Nothing is waiting for you."
        in page_client_for(site.other_manager).get(page(site, "resources/approvals/")).content.decode()
    )
    client = page_client_for(site.manager)
    html = client.get(page(site, "resources/approvals/")).content.decode()
    assert "Lin Wei" in html
    assert "Excavation" in html

    refused = client.post(page(site, "resources/approvals/"), {"line": [line.pk], "decision": "reject", "reason": ""})
    assert refused.status_code == 400
    approved = client.post(page(site, "resources/approvals/"), {"approve_line": str(line.pk), "reason": ""})

    assert approved.status_code == 302
    line.refresh_from_db()
    assert line.status == LineStatus.APPROVED
    assert ActualCost.objects.for_organization(site.org).get().amount == Decimal("800.00")


def test_the_project_approvals_page_is_for_its_manager_and_the_resource_office(site: Site) -> None:
    site.submitted(8)
    url = page(site, f"projects/{site.project.pk}/resources/approvals/")
    assert page_client_for(site.person).get(url).status_code == 403
    assert page_client_for(site.other_manager).get(url).status_code == 403
    assert "Excavation" in page_client_for(site.manager).get(url).content.decode()
    assert page_client_for(site.office).get(url).status_code == 200


def test_the_work_page_and_the_progress_form_suggest_a_percentage(site: Site) -> None:
    AssignmentFactory(
        organization=site.org, project=site.project, task=site.task, resource=site.resource, work=Decimal("40")
    )
    site.approved(8, 8, 8, 6)  # 30 of 40 hours: 75 %
    work = page_client_for(site.person).get(page(site, f"projects/{site.project.pk}/resources/work/"))
    assert work.status_code == 200
    assert "75%" in work.content.decode()

    form = page_client_for(site.manager).get(page(site, f"projects/{site.project.pk}/wbs/{site.task.pk}/progress/"))
    assert form.status_code == 200
    assert "Timesheets: 30 of 40 assigned hours are approved, which suggests 75%." in form.content.decode()
    bare = WbsElementFactory(organization=site.org, project=site.project, code="9", sort_key="00009")
    other = page_client_for(site.manager).get(page(site, f"projects/{site.project.pk}/wbs/{bare.pk}/progress/"))
    assert "Timesheets:" not in other.content.decode()


def test_the_suggestion_is_capped_at_100(site: Site) -> None:
    AssignmentFactory(
        organization=site.org, project=site.project, task=site.task, resource=site.resource, work=Decimal("8")
    )
    site.approved(8, 4)
    html = page_client_for(site.manager).get(page(site, f"projects/{site.project.pk}/wbs/{site.task.pk}/progress/"))
    assert "which suggests 100%." in html.content.decode()


def count(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


@pytest.mark.parametrize("weeks", [1, 3])
def test_the_pages_run_a_fixed_number_of_queries(site: Site, weeks: int) -> None:
    for week in range(weeks):
        site.submitted(1, 1, week_start=MONDAY + dt.timedelta(days=7 * week))
        site.line(2, task=site.task_b, week_start=MONDAY + dt.timedelta(days=7 * week))
    manager = page_client_for(site.manager)
    # Session, user, membership, resource, timesheet, lines, the closed date, the notifications' count, the
    # membership again (the base template), the task choices.
    assert count(page_client_for(site.person), timesheet_url(site, "2026-03-02")) == 10
    assert count(manager, page(site, "resources/approvals/")) == 7
    assert count(manager, page(site, f"projects/{site.project.pk}/resources/approvals/")) == 9
    assert count(manager, page(site, f"projects/{site.project.pk}/resources/work/")) == 9


def test_the_grid_becomes_cards_on_a_phone(site: Site) -> None:
    site.line(8)
    html = page_client_for(site.person).get(timesheet_url(site)).content.decode()
    cells = re.findall(r'<td class="num ts-day" data-label="[^"]+">', html)
    assert len(cells) == 14  # a line and the day totals: each day labelled for the stacked card
