"""The O&M settings page: everyone reads it, the maintenance office changes it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from maintenance.models import HoldReason, Inspector, MaintenanceSettings, SlaTarget
from maintenance.services.settings import maintenance_settings_for
from pmo.models import OrgRole
from tests.conftest import page_client_for
from tests.factories import member

pytestmark = pytest.mark.django_db


def page(organization) -> str:  # type: ignore[no-untyped-def]
    return f"/o/{organization.slug}/maintenance/settings/"


def test_the_office_changes_a_target_the_hours_a_reason_and_names_an_inspector(organization) -> None:  # type: ignore[no-untyped-def]
    office = page_client_for(member(organization, OrgRole.MAINTENANCE).user)
    assert office.get(page(organization)).status_code == 200
    answer = office.post(
        page(organization),
        {"op": "target", "priority": "P3", "P3-response_hours": "8", "P3-resolution_hours": "40"},
    )
    assert answer.status_code == 302
    target = SlaTarget.objects.for_organization(organization).get(priority="P3")
    assert (target.response_hours, target.resolution_hours, target.around_the_clock) == (
        Decimal("8"),
        Decimal("40"),
        False,
    )
    hours = {"op": "hours", "workday_start": "08:00", "workday_end": "17:30", "round_lead_days": "7"}
    assert office.post(page(organization), hours).status_code == 302
    assert maintenance_settings_for(organization).workday_start == dt.time(8, 0)
    reason = HoldReason.objects.for_organization(organization).get(code="waiting_parts")
    edit = {
        "op": "reason_edit",
        "reason": reason.pk,
        f"r{reason.pk}-name_en": "Parts",
        f"r{reason.pk}-pauses_clock": "on",
    }
    assert office.post(page(organization), edit).status_code == 302
    reason.refresh_from_db()
    assert (reason.name_en, reason.pauses_clock, reason.is_active) == ("Parts", True, False)
    worker = member(organization, OrgRole.MEMBER).user
    assert office.post(page(organization), {"op": "inspector_add", "user": worker.pk}).status_code == 302
    assert Inspector.objects.for_organization(organization).get().user == worker


def test_bad_input_is_refused_beside_the_form_and_changes_nothing(organization) -> None:  # type: ignore[no-untyped-def]
    office = page_client_for(member(organization, OrgRole.MAINTENANCE).user)
    answer = office.post(
        page(organization), {"op": "hours", "workday_start": "17:00", "workday_end": "09:00", "round_lead_days": "7"}
    )
    assert answer.status_code == 400
    assert "The working day must end after it starts." in answer.content.decode()
    assert MaintenanceSettings.objects.for_organization(organization).get().workday_start == dt.time(9, 0)
    answer = office.post(
        page(organization), {"op": "target", "priority": "P2", "P2-response_hours": "30", "P2-resolution_hours": "10"}
    )
    assert answer.status_code == 400
    assert SlaTarget.objects.for_organization(organization).get(priority="P2").response_hours == Decimal("8")


def test_a_member_reads_the_settings_but_may_not_change_them(organization) -> None:  # type: ignore[no-untyped-def]
    client = page_client_for(member(organization, OrgRole.MEMBER).user)
    shown = client.get(page(organization))
    assert shown.status_code == 200
    assert "Waiting for the client" in shown.content.decode()
    assert 'name="op" value="target"' not in shown.content.decode()
    answer = client.post(page(organization), {"op": "target", "priority": "P3", "P3-response_hours": "1"})
    assert answer.status_code == 403
