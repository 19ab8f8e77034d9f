"""The inspections API: schedule, record judged readings, sign, cancel; who may; bad input; hold points."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from quality.api.routes_inspections import INSPECTION_ROWS, InspectionSerializer, annotated
from quality.models import Inspection, NonConformance, QualitySettings, Reading
from quality.services import inspections
from quality.services.plan import plan_entry_add
from quality.services.settings import quality_settings_for
from tests.conftest import api_client_for as _client
from tests.factories import InspectionFactory, ProjectFactory
from tests.quality.inspection_support import choice_item, multi_item, site

pytestmark = pytest.mark.django_db


def api_client_for(user):
    client = _client(user)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return client


def url(project, suffix: str = "") -> str:
    return f"/api/v1/orgs/{project.organization.slug}/projects/{project.pk}/inspections/{suffix}"


def test_an_inspector_schedules_records_a_failing_reading_and_signs_it_off(organization) -> None:
    s = site(organization)
    api = api_client_for(s.quality)
    created = api.post(url(s.project), {"template_code": "PAVE", "location": "K3+200"}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["code"], body["status"], body["template_version"], body["missing"]) == (
        "I-001",
        "scheduled",
        1,
        ["Pothole depth"],
    )
    reading = api.post(url(s.project, f"{body['id']}/readings/"), {"item": s.depth.pk, "number": "23"}, format="json")
    assert reading.status_code == 201, reading.json()
    assert (reading.json()["passed"], reading.json()["judgement"]) == (False, "23 mm > 20 mm: defect")
    shown = api.get(url(s.project, f"{body['id']}/")).json()
    assert (shown["status"], shown["outcome_preview"], shown["missing"]) == ("in_progress", "failed", [])
    signed = api.post(url(s.project, f"{body['id']}/sign/"), {"remarks": "Patch it"}, format="json")
    assert signed.status_code == 200, signed.json()
    assert (signed.json()["status"], signed.json()["outcome"]) == ("signed", "failed")
    assert NonConformance.objects.for_organization(organization).count() == 1
    again = api.post(url(s.project), {"reinspection_of": body["id"]}, format="json")
    assert again.status_code == 201, again.json()
    assert again.json()["reinspection_of"] == body["id"]


def test_bad_readings_are_a_clear_400_and_change_nothing(organization) -> None:
    s = site(organization)
    choice = choice_item(s.template)
    several = multi_item(s.template, readings=2)
    inspection = inspections.inspection_schedule(actor=s.quality, project=s.project, template=s.template)
    api = api_client_for(s.quality)
    readings = url(s.project, f"{inspection.pk}/readings/")
    for bad, field in (
        ({"item": s.depth.pk, "number": "2x"}, "number"),
        ({"item": s.depth.pk, "number": "abc"}, "number"),
        ({"item": s.depth.pk}, "number"),
        ({"item": choice.pk, "choice": "Sound"}, "choice"),
        ({"item": choice.pk, "choice": "cracked"}, "choice"),
        ({"item": several.pk, "number": "45", "sequence": 3}, "sequence"),
        ({"item": 999999, "number": "1"}, "item"),
        ({"item": s.depth.pk, "number": "1", "colour": "red"}, "colour"),
    ):
        answer = api.post(readings, bad, format="json")
        assert answer.status_code == 400, (bad, answer.json())
        error = answer.json()["error"]
        assert field in error["fields"], (bad, error)
        assert error["message"]
    assert not Reading.objects.for_organization(organization).exists()
    inspection.refresh_from_db()
    assert inspection.status == "scheduled"
    ok = api.post(readings, {"item": several.pk, "number": "45", "sequence": 2}, format="json")
    assert ok.status_code == 201
    assert api.post(readings, {"item": choice.pk, "choice": "open"}, format="json").json()["passed"] is False


def test_a_reading_is_taken_back_and_signing_with_checks_missing_is_refused(organization) -> None:
    s = site(organization)
    inspection = inspections.inspection_schedule(actor=s.quality, project=s.project, template=s.template)
    api = api_client_for(s.quality)
    reading = api.post(url(s.project, f"{inspection.pk}/readings/"), {"item": s.depth.pk, "number": "5"}, format="json")
    assert api.delete(url(s.project, f"{inspection.pk}/readings/{reading.json()['id']}/")).status_code == 204
    refused = api.post(url(s.project, f"{inspection.pk}/sign/"), {}, format="json")
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "inspection_incomplete"
    inspection.refresh_from_db()
    assert inspection.status == "in_progress"


def test_a_member_without_the_quality_role_may_not_record_or_sign(organization) -> None:
    s = site(organization)
    inspection = inspections.inspection_schedule(actor=s.quality, project=s.project, template=s.template)
    for user in (s.worker, s.manager):
        api = api_client_for(user)
        assert api.get(url(s.project, f"{inspection.pk}/")).status_code == 200
        answer = api.post(
            url(s.project, f"{inspection.pk}/readings/"), {"item": s.depth.pk, "number": "1"}, format="json"
        )
        assert answer.status_code == 403, user
        assert api.post(url(s.project, f"{inspection.pk}/sign/"), {}, format="json").status_code == 403
    assert api_client_for(s.worker).post(url(s.project), {"template_code": "PAVE"}, format="json").status_code == 403
    # The project manager plans: scheduling and cancelling are theirs too.
    manager = api_client_for(s.manager)
    assert manager.post(url(s.project), {"template_code": "PAVE"}, format="json").status_code == 201
    assert (
        manager.post(url(s.project, f"{inspection.pk}/cancel/"), {"reason": "Rained off"}, format="json").status_code
        == 200
    )
    assert not Reading.objects.for_organization(organization).exists()


def test_the_project_roles_the_organisation_names_inspect_safety(organization) -> None:
    s = site(organization, discipline="safety")
    inspection = inspections.inspection_schedule(actor=s.quality, project=s.project, template=s.template)
    api = api_client_for(s.worker)
    readings = url(s.project, f"{inspection.pk}/readings/")
    assert api.post(readings, {"item": s.depth.pk, "number": "3"}, format="json").status_code == 403
    settings = quality_settings_for(organization)
    QualitySettings.objects.for_organization(organization).filter(pk=settings.pk).update(
        field_inspector_roles=["member"]
    )
    assert api.post(readings, {"item": s.depth.pk, "number": "3"}, format="json").status_code == 201
    assert api.post(url(s.project, f"{inspection.pk}/sign/"), {}, format="json").status_code == 200


def test_cancelling_needs_a_reason(organization) -> None:
    s = site(organization)
    inspection = inspections.inspection_schedule(actor=s.quality, project=s.project, template=s.template)
    api = api_client_for(s.quality)
    assert api.post(url(s.project, f"{inspection.pk}/cancel/"), {}, format="json").status_code == 400
    assert api.post(url(s.project, f"{inspection.pk}/cancel/"), {"reason": " "}, format="json").status_code == 400
    inspection.refresh_from_db()
    assert inspection.status == "scheduled"


def test_another_organisations_inspection_is_404(organization, other_organization) -> None:
    s = site(organization)
    theirs = InspectionFactory(project=ProjectFactory(organization=other_organization))
    api = api_client_for(s.quality)
    assert api.get(url(s.project, f"{theirs.pk}/")).status_code == 404
    base = f"/api/v1/orgs/{organization.slug}/projects/{theirs.project_id}/inspections/{theirs.pk}/"
    assert api.get(base).status_code == 404
    assert api.post(f"{base}cancel/", {"reason": "x"}, format="json").status_code == 404
    assert api.post(url(s.project), {"reinspection_of": theirs.pk}, format="json").status_code == 400
    theirs.refresh_from_db()
    assert theirs.status == "scheduled"


def test_lists_filter_by_overdue_outcome_and_type_in_a_fixed_number_of_queries(organization) -> None:
    s = site(organization)
    api = api_client_for(s.quality)
    today = organization.today()
    late = inspections.inspection_schedule(
        actor=s.quality, project=s.project, template=s.template, scheduled_date=today - dt.timedelta(days=3)
    )
    passed = inspections.inspection_schedule(actor=s.quality, project=s.project, template=s.template)
    inspections.reading_record(actor=s.quality, inspection=passed, item=s.depth, number=Decimal("4"))
    inspections.inspection_sign(actor=s.quality, inspection=passed)
    assert [row["code"] for row in api.get(url(s.project) + "?overdue=true").json()["results"]] == [late.code]
    assert [row["code"] for row in api.get(url(s.project) + "?outcome=passed").json()["results"]] == [passed.code]
    assert len(api.get(url(s.project) + "?type=quality").json()["results"]) == 2
    assert api.get(url(s.project) + "?type=safety").json()["results"] == []
    org_list = api.get(f"/api/v1/orgs/{organization.slug}/inspections/?overdue=true").json()["results"]
    assert [(row["project_code"], row["code"], row["overdue"]) for row in org_list] == [
        (s.project.code, late.code, True)
    ]

    def count(path: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.get(path).status_code == 200
        return len(queries)

    project_list, org_wide = count(url(s.project)), count(f"/api/v1/orgs/{organization.slug}/inspections/")
    for _ in range(5):
        inspections.inspection_schedule(actor=s.quality, project=s.project, template=s.template, inspector=s.quality)
    other = ProjectFactory(organization=organization)
    inspections.inspection_schedule(actor=s.quality, project=other, template=s.template)
    assert count(url(s.project)) == project_list
    assert count(f"/api/v1/orgs/{organization.slug}/inspections/") == org_wide
    rows = annotated(Inspection.objects.for_organization(organization).filter(project=s.project), organization)
    rows = rows.order_by("-number")
    assert [row["id"] for row in api.get(url(s.project)).json()["results"]] == [row.pk for row in rows]
    assert INSPECTION_ROWS.build(rows.values(*INSPECTION_ROWS.columns)) == InspectionSerializer(rows, many=True).data


def test_a_hold_point_task_cannot_be_reported_complete_until_its_inspection_passed(organization) -> None:
    s = site(organization)
    entry = plan_entry_add(
        actor=s.manager, project=s.project, template_code="PAVE", wbs_element=s.task, hold_point=True
    )
    progress = f"/api/v1/orgs/{organization.slug}/projects/{s.project.pk}/tasks/{s.task.pk}/progress/"
    manager = api_client_for(s.manager)
    held = manager.post(progress, {"percent_complete": "100"}, format="json")
    assert held.status_code == 400, held.json()
    assert held.json()["error"]["code"] == "completion_held"
    assert "PAVE" in held.json()["error"]["message"]
    assert manager.post(progress, {"percent_complete": "90"}, format="json").status_code == 201
    api = api_client_for(s.quality)
    inspection = api.post(url(s.project), {"plan_entry": entry.pk}, format="json").json()
    api.post(url(s.project, f"{inspection['id']}/readings/"), {"item": s.depth.pk, "number": "25"}, format="json")
    api.post(url(s.project, f"{inspection['id']}/sign/"), {}, format="json")
    assert manager.post(progress, {"percent_complete": "100"}, format="json").status_code == 400
    again = api.post(url(s.project), {"reinspection_of": inspection["id"]}, format="json").json()
    assert again["plan_entry"] == entry.pk
    api.post(url(s.project, f"{again['id']}/readings/"), {"item": s.depth.pk, "number": "18.5"}, format="json")
    assert api.post(url(s.project, f"{again['id']}/sign/"), {}, format="json").json()["outcome"] == "passed"
    assert manager.post(progress, {"percent_complete": "100"}, format="json").status_code == 201
