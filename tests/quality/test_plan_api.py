"""The inspection plan's API: list with the latest inspection, writes, ETags, bad input, who may, tenancy."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from quality.api.routes_plan import PLAN_ROWS, PlanEntrySerializer
from quality.models import PlanEntry
from quality.services import inspections
from quality.services.plan import plan_entry_add
from tests.conftest import api_client_for
from tests.factories import PlanEntryFactory, ProjectFactory
from tests.quality.inspection_support import site

pytestmark = pytest.mark.django_db


def url(project, suffix: str = "") -> str:
    return f"/api/v1/orgs/{project.organization.slug}/projects/{project.pk}/inspection-plan/{suffix}"


def test_the_project_manager_adds_changes_and_deletes_entries(organization) -> None:
    s = site(organization)
    api = api_client_for(s.manager)
    answer = api.post(
        url(s.project),
        {"template_code": "PAVE", "wbs_element": s.task.pk, "hold_point": True, "planned_date": "2026-05-04"},
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert (body["template_code"], body["hold_point"], body["wbs_code"], body["latest_inspection_status"]) == (
        "PAVE",
        True,
        s.task.code,
        None,
    )
    detail = api.get(url(s.project, f"{body['id']}/"))
    assert detail.has_header("ETag")
    stale = api.patch(url(s.project, f"{body['id']}/"), {"notes": "x"}, format="json", HTTP_IF_MATCH='"nope"')
    assert stale.status_code == 412
    changed = api.patch(
        url(s.project, f"{body['id']}/"), {"notes": "After rain"}, format="json", HTTP_IF_MATCH=detail["ETag"]
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["notes"] == "After rain"
    assert api.delete(url(s.project, f"{body['id']}/")).status_code == 204
    assert not PlanEntry.objects.for_organization(organization).exists()


def test_an_entry_shows_its_latest_inspection_and_cannot_be_deleted_once_used(organization) -> None:
    s = site(organization)
    entry = plan_entry_add(actor=s.manager, project=s.project, template_code="PAVE", wbs_element=s.task)
    inspections.inspection_schedule(actor=s.manager, project=s.project, plan_entry=entry)
    api = api_client_for(s.manager)
    row = api.get(url(s.project)).json()["results"][0]
    assert (row["latest_inspection_status"], row["latest_inspection_outcome"]) == ("scheduled", "")
    answer = api.delete(url(s.project, f"{entry.pk}/"))
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "plan_entry_used"
    assert PlanEntry.objects.for_organization(organization).count() == 1


def test_bad_input_is_a_clear_400_and_adds_nothing(organization, other_organization) -> None:
    s = site(organization)
    foreign = ProjectFactory(organization=other_organization)
    from tests.factories import WbsElementFactory

    their_task = WbsElementFactory(project=foreign)
    api = api_client_for(s.manager)
    for bad, field in (
        ({"template_code": "NOPE", "phase": "execution"}, "template_code"),
        ({"template_code": "PAVE"}, "wbs_element"),
        ({"template_code": "PAVE", "phase": "closed"}, "phase"),
        ({"template_code": "PAVE", "phase": "execution", "hold_point": True}, "hold_point"),
        ({"template_code": "PAVE", "wbs_element": their_task.pk}, "wbs_element"),
        ({"template_code": "PAVE", "phase": "execution", "planned_date": "2300-01-01"}, "planned_date"),
        ({"template_code": "PAVE", "phase": "execution", "inspector_role": "boss"}, "inspector_role"),
        ({"template_code": "PAVE", "phase": "execution", "colour": "red"}, "colour"),
    ):
        answer = api.post(url(s.project), bad, format="json")
        assert answer.status_code == 400, bad
        error = answer.json()["error"]
        assert field in error["fields"], (bad, error)
        assert error["message"]
    assert not PlanEntry.objects.for_organization(organization).exists()


def test_a_member_without_a_planning_role_reads_but_may_not_write(organization) -> None:
    s = site(organization)
    entry = PlanEntryFactory(project=s.project, template_code="PAVE", wbs_element=s.task)
    api = api_client_for(s.worker)
    assert api.get(url(s.project)).status_code == 200
    assert api.post(url(s.project), {"template_code": "PAVE", "phase": "execution"}, format="json").status_code == 403
    assert api.patch(url(s.project, f"{entry.pk}/"), {"notes": "x"}, format="json").status_code == 403
    assert api.delete(url(s.project, f"{entry.pk}/")).status_code == 403
    assert (
        api_client_for(s.quality).patch(url(s.project, f"{entry.pk}/"), {"notes": "x"}, format="json").status_code
        == 200
    )


def test_another_organisations_plan_is_404(organization, other_organization) -> None:
    s = site(organization)
    theirs = PlanEntryFactory(project=ProjectFactory(organization=other_organization))
    api = api_client_for(s.quality)
    base = f"/api/v1/orgs/{organization.slug}/projects/{theirs.project_id}/inspection-plan/"
    assert api.get(base).status_code == 404
    assert api.delete(f"{base}{theirs.pk}/").status_code == 404
    assert api.get(url(s.project, f"{theirs.pk}/")).status_code == 404


def test_the_list_reads_a_fixed_number_of_queries_and_matches_the_serializer(organization) -> None:
    s = site(organization)
    api = api_client_for(s.manager)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.get(url(s.project)).status_code == 200
        return len(queries)

    PlanEntryFactory(project=s.project, template_code="PAVE", wbs_element=s.task)
    few = count()
    for _ in range(6):
        entry = PlanEntryFactory(project=s.project, template_code="PAVE", wbs_element=s.task)
        inspections.inspection_schedule(actor=s.manager, project=s.project, plan_entry=entry)
    assert count() == few
    entries = PlanEntry.objects.for_organization(organization).filter(project=s.project)
    view_rows = api.get(url(s.project)).json()["results"]
    from quality.inspection_filters import latest_inspection

    annotated = (
        entries.select_related("wbs_element")
        .annotate(
            latest_inspection_status=latest_inspection("status"), latest_inspection_outcome=latest_inspection("outcome")
        )
        .order_by("planned_date", "id")
    )
    assert view_rows == PlanEntrySerializer(annotated, many=True).data
    assert view_rows == PLAN_ROWS.build(annotated.values(*PLAN_ROWS.columns))
