"""The inspection pages: lists with filters, scheduling, and the phone-first record form with its verdicts."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from quality.models import Inspection, NonConformance, Reading
from quality.services import inspections
from quality.services.plan import plan_entry_add
from tests.conftest import page_client_for
from tests.factories import InspectionFactory, ProjectFactory
from tests.quality.inspection_support import choice_item, multi_item, site

pytestmark = pytest.mark.django_db


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def page(s, suffix: str = "") -> str:
    return f"/o/{s.organization.slug}/projects/{s.project.pk}/quality/inspections/{suffix}"


def test_the_inspection_page_offers_a_numeric_keypad_a_camera_and_shows_each_verdict(organization) -> None:
    s = site(organization)
    choice = choice_item(s.template)
    inspection = inspections.inspection_schedule(
        actor=s.quality, project=s.project, template=s.template, location="K3+200", participants="Li Wei, Zhang Min"
    )
    client = page_client_for(s.quality)
    html = client.get(page(s, f"{inspection.pk}/")).content.decode()
    assert 'inputmode="decimal"' in html
    assert "≤ 20 mm" in html
    assert 'type="radio" name="choice" value="sound"' in html
    answer = client.post(
        page(s, f"{inspection.pk}/"), {"op": "reading", "item": s.depth.pk, "sequence": 1, "number": "23"}
    )
    assert answer.status_code == 302
    assert answer["Location"].endswith(f"#item-{s.depth.pk}")
    html = client.get(page(s, f"{inspection.pk}/")).content.decode()
    assert "23 mm &gt; 20 mm: defect" in html
    assert 'class="reading-verdict verdict-fail"' in html
    assert 'accept="image/*" capture="environment"' in html
    assert 'name="parent_type" value="quality.reading"' in html
    assert "K3+200" in html
    assert "Li Wei, Zhang Min" in html
    client.post(page(s, f"{inspection.pk}/"), {"op": "reading", "item": choice.pk, "sequence": 1, "choice": "sound"})
    text = text_of(client.get(page(s, f"{inspection.pk}/")).content.decode())
    assert "Signing off now gives: Failed" in text


def test_bad_readings_are_shown_beside_the_check_and_change_nothing(organization) -> None:
    s = site(organization)
    choice = choice_item(s.template)
    several = multi_item(s.template, readings=2)
    inspection = inspections.inspection_schedule(actor=s.quality, project=s.project, template=s.template)
    client = page_client_for(s.quality)
    url = page(s, f"{inspection.pk}/")
    answer = client.post(url, {"op": "reading", "item": s.depth.pk, "sequence": 1, "number": "2o"})
    assert answer.status_code == 400
    html = answer.content.decode()
    assert "Enter a number." in html
    assert 'value="2o"' in html
    assert client.post(url, {"op": "reading", "item": choice.pk, "sequence": 1, "choice": "cracked"}).status_code == 400
    assert client.post(url, {"op": "reading", "item": several.pk, "sequence": 3, "number": "41"}).status_code == 400
    assert not Reading.objects.for_organization(organization).exists()
    inspection.refresh_from_db()
    assert inspection.status == "scheduled"


def test_the_inspector_signs_off_a_failure_and_schedules_the_re_inspection(organization) -> None:
    s = site(organization)
    inspection = inspections.inspection_schedule(actor=s.quality, project=s.project, template=s.template)
    client = page_client_for(s.quality)
    url = page(s, f"{inspection.pk}/")
    assert "Still to record" in text_of(client.get(url).content.decode())
    refused = client.post(url, {"op": "sign"}, follow=True)
    assert "Record every check before signing off" in refused.content.decode()
    client.post(url, {"op": "reading", "item": s.depth.pk, "sequence": 1, "number": "31.5"})
    assert client.post(url, {"op": "sign", "remarks": "Patch"}).status_code == 302
    inspection.refresh_from_db()
    assert (inspection.status, inspection.outcome, inspection.remarks) == ("signed", "failed", "Patch")
    assert NonConformance.objects.for_organization(organization).count() == 1
    html = client.get(url).content.decode()
    assert "Schedule a re-inspection" in html
    assert 'inputmode="decimal"' not in html
    answer = client.post(url, {"op": "reinspect"})
    again = Inspection.objects.for_organization(organization).get(reinspection_of=inspection)
    assert answer["Location"].endswith(f"/inspections/{again.pk}/")


def test_a_pass_fail_check_is_two_buttons_and_a_reading_can_be_taken_back(organization) -> None:
    s = site(organization, kind="pass_fail", comparator="", limit_a=None, unit="")
    inspection = inspections.inspection_schedule(actor=s.quality, project=s.project, template=s.template)
    client = page_client_for(s.quality)
    url = page(s, f"{inspection.pk}/")
    html = client.get(url).content.decode()
    assert 'name="passed_check" value="true"' in html
    assert 'name="passed_check" value="false"' in html
    client.post(url, {"op": "reading", "item": s.depth.pk, "sequence": 1, "passed_check": "false"})
    reading = Reading.objects.for_organization(organization).get()
    assert reading.passed is False
    assert client.post(url, {"op": "delete_reading", "reading": reading.pk}).status_code == 302
    assert not Reading.objects.for_organization(organization).exists()


def test_cancelling_needs_a_reason(organization) -> None:
    s = site(organization)
    inspection = inspections.inspection_schedule(actor=s.quality, project=s.project, template=s.template)
    client = page_client_for(s.manager)
    url = page(s, f"{inspection.pk}/")
    assert client.post(url, {"op": "cancel", "reason": ""}).status_code == 400
    assert client.post(url, {"op": "cancel", "reason": "Rained off"}).status_code == 302
    inspection.refresh_from_db()
    assert (inspection.status, inspection.cancel_reason) == ("cancelled", "Rained off")


def test_a_member_without_the_quality_role_reads_but_may_not_record(organization, other_organization) -> None:
    s = site(organization)
    inspection = inspections.inspection_schedule(actor=s.quality, project=s.project, template=s.template)
    url = page(s, f"{inspection.pk}/")
    for user in (s.worker, s.manager):
        client = page_client_for(user)
        html = client.get(url).content.decode()
        assert 'inputmode="decimal"' not in html
        assert client.post(url, {"op": "reading", "item": s.depth.pk, "sequence": 1, "number": "3"}).status_code == 403
        assert client.post(url, {"op": "sign"}).status_code == 403
    assert page_client_for(s.worker).post(url, {"op": "cancel", "reason": "x"}).status_code == 403
    assert page_client_for(s.worker).get(page(s, "new/")).status_code == 403
    assert not Reading.objects.for_organization(organization).exists()
    theirs = InspectionFactory(project=ProjectFactory(organization=other_organization))
    client = page_client_for(s.quality)
    assert client.get(page(s, f"{theirs.pk}/")).status_code == 404
    assert client.get(f"/o/{organization.slug}/projects/{theirs.project_id}/quality/inspections/").status_code == 404


def test_an_inspection_is_scheduled_from_the_plan_or_ad_hoc(organization) -> None:
    s = site(organization)
    entry = plan_entry_add(
        actor=s.manager, project=s.project, template_code="PAVE", wbs_element=s.task, hold_point=True
    )
    client = page_client_for(s.manager)
    form = client.get(page(s, f"new/?plan_entry={entry.pk}")).content.decode()
    assert f'<option value="{entry.pk}" selected>' in form
    answer = client.post(page(s, "new/"), {"plan_entry": entry.pk, "location": "K1+000"})
    assert answer.status_code == 302, answer.content.decode()[:2000]
    planned = Inspection.objects.for_organization(organization).get()
    assert (planned.plan_entry_id, planned.wbs_element_id, planned.location) == (entry.pk, s.task.pk, "K1+000")
    assert client.post(page(s, "new/"), {"location": "nowhere"}).status_code == 400
    answer = client.post(
        page(s, "new/"), {"template": s.template.pk, "inspector": s.quality.pk, "scheduled_date": "2026-06-01"}
    )
    assert answer.status_code == 302
    assert Inspection.objects.for_organization(organization).count() == 2


def test_the_lists_filter_and_read_a_fixed_number_of_queries(organization) -> None:
    s = site(organization)
    client = page_client_for(s.quality)
    today = organization.today()
    late = inspections.inspection_schedule(
        actor=s.quality, project=s.project, template=s.template, scheduled_date=today - dt.timedelta(days=2)
    )
    done = inspections.inspection_schedule(actor=s.quality, project=s.project, template=s.template)
    inspections.reading_record(actor=s.quality, inspection=done, item=s.depth, number=Decimal("3"))
    inspections.inspection_sign(actor=s.quality, inspection=done)
    overdue = text_of(client.get(page(s) + "?overdue=true").content.decode())
    assert late.code in overdue
    assert done.code not in overdue
    passed = text_of(client.get(page(s) + "?outcome=passed").content.decode())
    assert done.code in passed
    assert late.code not in passed
    org_url = f"/o/{organization.slug}/quality/inspections/"
    org_overdue = text_of(client.get(org_url + "?overdue=true").content.decode())
    assert s.project.code in org_overdue
    assert late.code in org_overdue
    assert done.code not in org_overdue

    def count(url: str) -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    project_list, org_list = count(page(s)), count(org_url)
    for _ in range(6):
        inspections.inspection_schedule(actor=s.quality, project=s.project, template=s.template, inspector=s.manager)
    inspections.inspection_schedule(
        actor=s.quality, project=ProjectFactory(organization=organization), template=s.template
    )
    assert count(page(s)) == project_list
    assert count(org_url) == org_list


def test_the_inspection_page_reads_a_fixed_number_of_queries(organization) -> None:
    s = site(organization)
    several = multi_item(s.template, readings=5)
    inspection = inspections.inspection_schedule(actor=s.quality, project=s.project, template=s.template)
    client = page_client_for(s.quality)
    url = page(s, f"{inspection.pk}/")
    inspections.reading_record(actor=s.quality, inspection=inspection, item=several, number="41")

    def count() -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = count()
    for sequence in range(2, 6):
        inspections.reading_record(actor=s.quality, inspection=inspection, item=several, sequence=sequence, number="39")
    inspections.reading_record(actor=s.quality, inspection=inspection, item=s.depth, number="12")
    assert count() == few
