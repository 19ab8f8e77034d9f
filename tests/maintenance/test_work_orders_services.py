"""The work-order services: opening exactly once, numbering, the lifecycle and its refusals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from maintenance.models import AssetReading, Defect, HoldReason, PmPlan, WorkOrder, WorkOrderEvent
from maintenance.services import work_orders as services
from pmo.errors import ApplicationError
from pmo.models import AuditEvent, OrgRole
from tests.factories import (
    AssetFactory,
    ContractorFactory,
    CriterionFactory,
    DefectFactory,
    OrganizationFactory,
    member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(organization):  # type: ignore[no-untyped-def]
    return member(organization, OrgRole.MAINTENANCE).user


def defect_on(organization, asset=None, **fields):  # type: ignore[no-untyped-def]
    asset = asset or AssetFactory(organization=organization)
    criterion = CriterionFactory(organization=organization, category=asset.category)
    return DefectFactory(organization=organization, asset=asset, criterion=criterion, **fields)


def in_progress(organization, office):  # type: ignore[no-untyped-def]
    work_order = services.work_order_open_corrective(actor=office, defect=defect_on(organization))
    work_order = services.work_order_assign(actor=office, work_order=work_order, assignee=office)
    return services.work_order_start(actor=office, work_order=work_order)


def test_a_corrective_work_order_copies_the_defect_and_is_numbered_per_organisation(organization, office) -> None:  # type: ignore[no-untyped-def]
    contractor = ContractorFactory(organization=organization)
    asset = AssetFactory(organization=organization, contractor=contractor)
    defect = defect_on(organization, asset, priority="P2", warranty_claim=True, contractor=contractor)
    first = services.work_order_open_corrective(actor=office, defect=defect)
    second = services.work_order_open_corrective(actor=office, defect=defect_on(organization))
    other = services.work_order_open_corrective(actor=None, defect=defect_on(OrganizationFactory()))
    assert (first.reference, second.reference, other.reference) == ("WO-00001", "WO-00002", "WO-00001")
    assert (first.kind, first.priority, first.asset, first.site_id, first.criterion_id) == (
        "corrective",
        "P2",
        asset,
        asset.site_id,
        defect.criterion_id,
    )
    assert first.warranty_claim is True
    assert first.response_due_at <= first.resolution_due_at
    assert WorkOrderEvent.objects.for_organization(organization).filter(work_order=first, to_status="open").exists()
    assert AuditEvent.objects.for_organization(organization).filter(action="work_order.opened").count() == 2


def test_a_second_corrective_work_order_on_the_same_asset_and_criterion_is_refused(organization, office) -> None:  # type: ignore[no-untyped-def]
    defect = defect_on(organization)
    services.work_order_open_corrective(actor=office, defect=defect)
    again = DefectFactory(organization=organization, asset=defect.asset, criterion=defect.criterion)
    with pytest.raises(ApplicationError) as refused:
        services.work_order_open_corrective(actor=office, defect=again)
    assert refused.value.code == "corrective_exists"
    assert WorkOrder.objects.for_organization(organization).count() == 1


def test_a_preventive_work_order_is_made_exactly_once_per_plan_asset_and_due_point(organization, office) -> None:  # type: ignore[no-untyped-def]
    asset = AssetFactory(organization=organization)
    plan = PmPlan.objects.create(
        organization=organization,
        name="Relamp",
        asset=asset,
        interval=1,
        interval_unit="years",
        priority="P4",
        starts_on=dt.date(2027, 3, 1),
    )
    made = services.work_order_create_preventive(
        actor=None, plan=plan, asset=asset, due_key="2027-03-01", due_date=dt.date(2027, 3, 1), title="Relamp"
    )
    again = services.work_order_create_preventive(
        actor=None, plan=plan, asset=asset, due_key="2027-03-01", due_date=dt.date(2027, 3, 1), title="Relamp"
    )
    assert made is not None
    assert again is None
    assert (made.kind, made.priority, made.status) == ("preventive", "P4", "open")
    assert made.resolution_due_at.date() >= dt.date(2027, 3, 1)
    assert WorkOrder.objects.for_organization(organization).count() == 1


def test_a_preventive_plan_naming_a_contractor_assigns_at_once(organization) -> None:  # type: ignore[no-untyped-def]
    asset = AssetFactory(organization=organization)
    contractor = ContractorFactory(organization=organization)
    plan = PmPlan.objects.create(
        organization=organization,
        name="Prune",
        asset=asset,
        interval=6,
        interval_unit="months",
        contractor=contractor,
        starts_on=dt.date(2027, 6, 1),
    )
    made = services.work_order_create_preventive(
        actor=None, plan=plan, asset=asset, due_key="2027-06-01", due_date=None, title=""
    )
    assert made is not None
    assert (made.status, made.contractor, made.title) == ("assigned", contractor, "Prune")


def test_transitions_from_the_wrong_status_are_refused_and_change_nothing(organization, office) -> None:  # type: ignore[no-untyped-def]
    work_order = services.work_order_open_corrective(actor=office, defect=defect_on(organization))
    for call in (
        lambda: services.work_order_start(actor=office, work_order=work_order),
        lambda: services.work_order_complete(actor=office, work_order=work_order, work_done="x"),
        lambda: services.work_order_close(actor=office, work_order=work_order),
        lambda: services.work_order_resume(actor=office, work_order=work_order),
        lambda: services.work_order_verify(actor=office, work_order=work_order, value=Decimal("1")),
    ):
        with pytest.raises(ApplicationError) as refused:
            call()
        assert refused.value.code == "invalid_transition"
    work_order.refresh_from_db()
    assert work_order.status == "open"
    assert WorkOrderEvent.objects.for_organization(organization).filter(work_order=work_order).count() == 1


def test_completion_needs_the_work_done_and_a_cost_not_below_zero(organization, office) -> None:  # type: ignore[no-untyped-def]
    work_order = in_progress(organization, office)
    for fields in ({"work_done": ""}, {"work_done": "x", "cost": "-1"}, {"work_done": "x", "labour_hours": "abc"}):
        with pytest.raises(ApplicationError):
            services.work_order_complete(actor=office, work_order=work_order, **fields)
    work_order.refresh_from_db()
    assert work_order.status == "in_progress"


def test_assigning_checks_the_member_and_the_contractor(organization, office) -> None:  # type: ignore[no-untyped-def]
    work_order = services.work_order_open_corrective(actor=office, defect=defect_on(organization))
    viewer = member(organization, OrgRole.VIEWER).user
    stranger = member(OrganizationFactory()).user
    foreign_firm = ContractorFactory(organization=OrganizationFactory())
    for fields in ({}, {"assignee": viewer}, {"assignee": stranger}, {"contractor": foreign_firm}):
        with pytest.raises(ApplicationError):
            services.work_order_assign(actor=office, work_order=work_order, **fields)
    work_order.refresh_from_db()
    assert (work_order.status, work_order.assignee_id, work_order.contractor_id) == ("open", None, None)


def test_a_failing_verification_sends_it_back_with_the_reading_kept(organization, office) -> None:  # type: ignore[no-untyped-def]
    work_order = in_progress(organization, office)
    services.work_order_complete(actor=office, work_order=work_order, work_done="Patched")
    failed, reading = services.work_order_verify(actor=office, work_order=work_order, value=Decimal("25"))
    assert failed.status == "in_progress"
    assert failed.completed_at is None
    assert reading is not None
    assert (reading.passed, reading.verifies_id, reading.defect_id) == (False, work_order.pk, work_order.defect_id)
    services.work_order_complete(actor=office, work_order=failed, work_done="Patched again")
    verified, passing = services.work_order_verify(actor=office, work_order=failed, value=Decimal("20"))
    assert verified.status == "verified"
    assert passing is not None
    assert passing.passed is True
    assert AssetReading.objects.for_organization(organization).filter(verifies=work_order).count() == 2
    closed = services.work_order_close(actor=office, work_order=verified)
    assert closed.status == "closed"
    assert Defect.objects.for_organization(organization).get(pk=work_order.defect_id).status == "resolved"


def test_a_reading_that_cannot_be_judged_is_refused_and_nothing_is_kept(organization, office) -> None:  # type: ignore[no-untyped-def]
    work_order = in_progress(organization, office)
    services.work_order_complete(actor=office, work_order=work_order, work_done="Patched")
    with pytest.raises(ApplicationError) as refused:
        services.work_order_verify(actor=office, work_order=work_order, value=Decimal("-3"))
    assert refused.value.code == "reading_invalid"
    assert not AssetReading.objects.for_organization(organization).exists()
    work_order.refresh_from_db()
    assert work_order.status == "completed"


def test_a_request_without_a_criterion_is_verified_on_the_inspectors_notes(organization, office) -> None:  # type: ignore[no-untyped-def]
    request = services.work_order_request(
        actor=office, organization=organization, title="Graffiti", location_text="Underpass"
    )
    request = services.work_order_assign(actor=office, work_order=request, assignee=office)
    request = services.work_order_start(actor=office, work_order=request)
    request = services.work_order_complete(actor=office, work_order=request, work_done="Cleaned")
    with pytest.raises(ApplicationError):
        services.work_order_verify(actor=office, work_order=request)
    verified, reading = services.work_order_verify(actor=office, work_order=request, notes="Clean, checked on site")
    assert (verified.status, reading) == ("verified", None)


def test_cancelling_a_corrective_work_order_cancels_its_open_defect(organization, office) -> None:  # type: ignore[no-untyped-def]
    work_order = in_progress(organization, office)
    services.work_order_hold(
        actor=office, work_order=work_order, reason=HoldReason.objects.for_organization(organization).first()
    )
    with pytest.raises(ApplicationError):
        services.work_order_cancel(actor=office, work_order=work_order, reason="  ")
    cancelled = services.work_order_cancel(actor=office, work_order=work_order, reason="Duplicate of WO-00002")
    assert (cancelled.status, cancelled.hold_reason) == ("cancelled", None)
    assert cancelled.pauses.get().ended_at is not None
    assert Defect.objects.for_organization(organization).get(pk=work_order.defect_id).status == "cancelled"
    with pytest.raises(ApplicationError):
        services.work_order_cancel(actor=office, work_order=cancelled, reason="again")


def test_a_retired_hold_reason_or_another_organisations_is_refused(organization, office) -> None:  # type: ignore[no-untyped-def]
    work_order = in_progress(organization, office)
    reason = HoldReason.objects.for_organization(organization).get(code="weather")
    reason.is_active = False
    reason.save()
    services.work_order_request(actor=None, organization=(other := OrganizationFactory()), title="x", location_text="y")
    foreign = HoldReason.objects.for_organization(other).first()
    for candidate in (reason, foreign):
        with pytest.raises(ApplicationError):
            services.work_order_hold(actor=office, work_order=work_order, reason=candidate)
    work_order.refresh_from_db()
    assert work_order.status == "in_progress"


def test_a_priority_change_is_audited(organization, office) -> None:  # type: ignore[no-untyped-def]
    work_order = services.work_order_open_corrective(actor=office, defect=defect_on(organization, priority="P4"))
    changed = services.work_order_set_priority(actor=office, work_order=work_order, priority="P1", note="Near a school")
    assert changed.around_the_clock is True
    event = AuditEvent.objects.for_organization(organization).get(action="work_order.priority_changed")
    assert event.changes["priority"] == ["P4", "P1"]
    assert event.changes["note"] == [None, "Near a school"]
    with pytest.raises(ApplicationError):
        services.work_order_set_priority(actor=office, work_order=changed, priority="P1")
