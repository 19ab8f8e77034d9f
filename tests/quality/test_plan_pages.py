"""The inspection plan page: the table with hold points and latest inspections, the add and edit form."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from quality.models import PlanEntry
from quality.services import inspections
from quality.services.plan import plan_entry_add
from tests.conftest import page_client_for
from tests.factories import PlanEntryFactory, ProjectFactory
from tests.quality.inspection_support import site

pytestmark = pytest.mark.django_db


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def plan_url(s) -> str:
    return f"/o/{s.organization.slug}/projects/{s.project.pk}/quality/plan/"


def test_the_project_manager_adds_edits_and_deletes_entries(organization) -> None:
    s = site(organization)
    client = page_client_for(s.manager)
    html = client.get(plan_url(s)).content.decode()
    assert "Add an entry" in html
    answer = client.post(
        plan_url(s),
        {
            "op": "save",
            "template_code": "PAVE",
            "wbs_element": s.task.pk,
            "planned_date": "2026-05-04",
            "hold_point": "on",
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:3000]
    entry = PlanEntry.objects.for_organization(organization).get()
    assert entry.hold_point is True
    text = text_of(client.get(plan_url(s)).content.decode())
    assert "Hold point" in text
    assert "Not yet scheduled" in text
    assert "Base course" in text
    edit = client.get(f"{plan_url(s)}?edit={entry.pk}").content.decode()
    assert "Edit the entry PAVE" in edit
    client.post(
        plan_url(s),
        {"op": "save", "entry": entry.pk, "template_code": "PAVE", "wbs_element": s.task.pk, "notes": "After rain"},
    )
    entry.refresh_from_db()
    assert (entry.notes, entry.hold_point) == ("After rain", False)
    assert client.post(plan_url(s), {"op": "delete", "entry": entry.pk}).status_code == 302
    assert not PlanEntry.objects.for_organization(organization).exists()


def test_bad_input_is_shown_beside_the_field_and_saves_nothing(organization) -> None:
    s = site(organization)
    client = page_client_for(s.manager)
    answer = client.post(plan_url(s), {"op": "save", "template_code": "PAVE", "phase": "execution", "hold_point": "on"})
    assert answer.status_code == 400
    assert "A hold point holds a task" in answer.content.decode()
    answer = client.post(
        plan_url(s), {"op": "save", "template_code": "PAVE", "phase": "execution", "planned_date": "2300-01-01"}
    )
    assert answer.status_code == 400
    assert not PlanEntry.objects.for_organization(organization).exists()


def test_an_entry_shows_its_latest_inspection_and_keeps_its_delete_button_away(organization) -> None:
    s = site(organization)
    entry = plan_entry_add(
        actor=s.manager, project=s.project, template_code="PAVE", wbs_element=s.task, hold_point=True
    )
    inspection = inspections.inspection_schedule(actor=s.manager, project=s.project, plan_entry=entry)
    client = page_client_for(s.manager)
    html = client.get(plan_url(s)).content.decode()
    assert inspection.code in html
    assert "Scheduled" in text_of(html)
    assert 'name="op" value="delete"' not in html
    answer = client.post(plan_url(s), {"op": "delete", "entry": entry.pk}, follow=True)
    assert "stays on the plan" in answer.content.decode()
    assert PlanEntry.objects.for_organization(organization).count() == 1


def test_a_team_member_reads_the_plan_but_may_not_change_it(organization, other_organization) -> None:
    s = site(organization)
    entry = PlanEntryFactory(project=s.project, template_code="PAVE", wbs_element=s.task)
    client = page_client_for(s.worker)
    html = client.get(plan_url(s)).content.decode()
    assert "PAVE" in html
    assert "Add an entry" not in html
    assert client.post(plan_url(s), {"op": "delete", "entry": entry.pk}).status_code == 403
    assert client.post(plan_url(s), {"op": "save", "template_code": "PAVE", "phase": "execution"}).status_code == 403
    assert PlanEntry.objects.for_organization(organization).count() == 1
    theirs = ProjectFactory(organization=other_organization)
    assert (
        page_client_for(s.quality).get(f"/o/{organization.slug}/projects/{theirs.pk}/quality/plan/").status_code == 404
    )


def test_the_plan_reads_a_fixed_number_of_queries(organization) -> None:
    s = site(organization)
    client = page_client_for(s.manager)

    def count() -> int:
        client.get(plan_url(s))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(plan_url(s)).status_code == 200
        return len(queries)

    plan_entry_add(actor=s.manager, project=s.project, template_code="PAVE", wbs_element=s.task)
    few = count()
    for _ in range(5):
        entry = plan_entry_add(
            actor=s.manager, project=s.project, template_code="PAVE", wbs_element=s.task, hold_point=True
        )
        inspections.inspection_schedule(actor=s.manager, project=s.project, plan_entry=entry)
    assert count() == few
