"""quality.services.ncs: due dates by severity, the lifecycle and what each step needs, verification
never by the one who did the work, cancelling, rework cost as a finance actual cost, the audit trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from finance.models import ActualCost, CostCategory
from finance.selectors import actual_amounts
from pmo.errors import ApplicationError
from pmo.models import AuditEvent
from quality.models import NcEvent, NcStatus, NonConformance
from quality.services import ncs
from quality.services.settings import builtin_type, quality_settings_for
from tests.factories import CostCategoryFactory, ProjectFactory, UserFactory, WbsElementFactory
from tests.quality.service_support import Site, audit_actions, make_site

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def site() -> Site:
    return make_site()


def refused(code: str) -> Any:
    return pytest.raises(ApplicationError, check=lambda error: error.code == code)


def raise_nc(site: Site, **fields: Any) -> NonConformance:
    return ncs.nc_raise(
        actor=fields.pop("actor", site.worker),
        project=site.project,
        title=fields.pop("title", "Kerb stone cracked at K0+120"),
        **fields,
    )


def in_progress(site: Site, nc: NonConformance | None = None) -> tuple[NonConformance, Any]:
    """A non-conformance whose corrective action (owned by the worker) is under way."""
    nc = nc or raise_nc(site, severity="major")
    ncs.nc_transition(actor=site.manager, nc=nc, to_status="analysis")
    ncs.nc_update(actor=site.manager, nc=nc, root_cause="Stone damaged in delivery")
    ncs.nc_transition(actor=site.manager, nc=nc, to_status="action_plan")
    action = ncs.action_add(
        actor=site.manager, nc=nc, description="Replace the stone", owner=site.worker, due_date=site.org.today()
    )
    nc = ncs.nc_transition(actor=site.manager, nc=nc, to_status="in_progress")
    return nc, action


def awaiting_verification(site: Site) -> NonConformance:
    nc, action = in_progress(site)
    ncs.action_update(actor=site.worker, action=action, status="done")
    return ncs.nc_transition(actor=site.manager, nc=nc, to_status="verification")


# Raising and due dates.


def test_due_dates_default_to_2_7_and_14_days_by_severity(site: Site) -> None:
    today = site.org.today()
    due = {severity: raise_nc(site, severity=severity).due_date for severity in ("critical", "major", "minor")}
    assert due == {
        "critical": today + dt.timedelta(days=2),
        "major": today + dt.timedelta(days=7),
        "minor": today + dt.timedelta(days=14),
    }


def test_due_dates_follow_the_organisations_edited_days(site: Site) -> None:
    settings = quality_settings_for(site.org)
    settings.due_days_critical, settings.due_days_major, settings.due_days_minor = 1, 5, 21
    settings.save()
    today = site.org.today()
    assert [raise_nc(site, severity=severity).due_date - today for severity in ("critical", "major", "minor")] == [
        dt.timedelta(days=1),
        dt.timedelta(days=5),
        dt.timedelta(days=21),
    ]
    assert ncs.default_due_date(site.org.pk, "minor", dt.date(2026, 2, 20)) == dt.date(2026, 3, 13)


def test_another_organisations_settings_never_set_the_due_date(site: Site) -> None:
    elsewhere = make_site()
    settings = quality_settings_for(elsewhere.org)
    settings.due_days_major = 30
    settings.save()
    assert raise_nc(site, severity="major").due_date == site.org.today() + dt.timedelta(days=7)


def test_a_given_due_date_is_kept_but_never_in_the_past(site: Site) -> None:
    today = site.org.today()
    assert raise_nc(site, due_date=today).due_date == today
    with refused("invalid"):
        raise_nc(site, due_date=today - dt.timedelta(days=1))


def test_non_conformances_are_numbered_per_project_and_start_open(site: Site) -> None:
    first, second = raise_nc(site), raise_nc(site)
    assert (first.code, second.code, first.status, first.raised_by) == ("NC-001", "NC-002", "open", site.worker)
    assert first.inspection_type == builtin_type(site.org, "quality")
    assert list(NcEvent.objects.for_organization(site.org).filter(non_conformance=first).values_list("to_status")) == [
        ("open",)
    ]


def test_a_safety_non_conformance_keeps_its_type(site: Site) -> None:
    nc = raise_nc(site, severity="critical", inspection_type=builtin_type(site.org, "safety"))
    assert nc.inspection_type.code == "safety"


def test_an_unknown_severity_is_refused(site: Site) -> None:
    with refused("invalid"):
        raise_nc(site, severity="catastrophic")
    assert not NonConformance.objects.for_organization(site.org).exists()


def test_a_contractor_or_supplier_must_be_named(site: Site) -> None:
    with refused("invalid"):
        raise_nc(site, responsible_kind="contractor", responsible_name="  ")
    nc = raise_nc(site, responsible_kind="contractor", responsible_name=" Hengda Paving ")
    assert nc.responsible_name == "Hengda Paving"
    nc = ncs.nc_update(actor=site.manager, nc=nc, responsible_kind="member", responsible_user=site.worker)
    assert (nc.responsible_kind, nc.responsible_user, nc.responsible_name) == ("member", site.worker, "")


def test_a_closed_project_takes_no_non_conformances(site: Site) -> None:
    site.project.phase = "closed"
    site.project.save()
    with refused("project_not_open"):
        raise_nc(site)


# Other organisations' objects look nonexistent.


def test_another_organisations_type_inspection_element_or_person_is_not_found(site: Site) -> None:
    elsewhere = make_site()
    foreign_inspection = elsewhere.schedule()
    for fields in (
        {"inspection_type": builtin_type(elsewhere.org, "safety")},
        {"inspection": foreign_inspection, "inspection_type": builtin_type(site.org, "quality")},
        {"wbs_element": elsewhere.task},
        {"responsible_user": elsewhere.worker},
        {"responsible_user": UserFactory()},
    ):
        with refused("not_found"):
            raise_nc(site, **fields)
    assert not NonConformance.objects.for_organization(site.org).exists()


def test_an_inspection_of_another_project_is_not_found(site: Site) -> None:
    sibling = ProjectFactory(organization=site.org, phase="execution")
    from quality.services.inspections import inspection_schedule

    inspection = inspection_schedule(actor=site.manager, project=sibling, template=site.template)
    with refused("not_found"):
        raise_nc(site, inspection=inspection)


def test_updating_or_planning_with_another_organisations_element_or_owner_is_refused(site: Site) -> None:
    elsewhere = make_site()
    nc = raise_nc(site)
    with refused("not_found"):
        ncs.nc_update(actor=site.manager, nc=nc, wbs_element=elsewhere.task)
    with refused("not_found"):
        ncs.nc_update(actor=site.manager, nc=nc, responsible_user=elsewhere.worker)
    ncs.nc_transition(actor=site.manager, nc=nc, to_status="analysis")
    with refused("not_found"):
        ncs.action_add(actor=site.manager, nc=nc, description="x", owner=elsewhere.worker, due_date=site.org.today())
    nc.refresh_from_db()
    assert (nc.wbs_element, nc.responsible_user) == (None, None)


def test_an_element_of_the_same_project_is_accepted(site: Site) -> None:
    element = WbsElementFactory(project=site.project, organization=site.org)
    assert raise_nc(site, wbs_element=element).wbs_element == element


# The lifecycle and what each step needs.


def test_a_non_conformance_moves_one_step_at_a_time(site: Site) -> None:
    nc = raise_nc(site)
    for to_status in ("action_plan", "in_progress", "verification", "closed", "open"):
        with refused("invalid_transition"):
            ncs.nc_transition(actor=site.manager, nc=nc, to_status=to_status)
    nc.refresh_from_db()
    assert nc.status == NcStatus.OPEN


def test_no_action_plan_without_a_root_cause(site: Site) -> None:
    nc = ncs.nc_transition(actor=site.manager, nc=raise_nc(site), to_status="analysis")
    with refused("root_cause_missing"):
        ncs.nc_transition(actor=site.manager, nc=nc, to_status="action_plan")
    ncs.nc_update(actor=site.manager, nc=nc, root_cause="   ")
    with refused("root_cause_missing"):
        ncs.nc_transition(actor=site.manager, nc=nc, to_status="action_plan")
    ncs.nc_update(actor=site.manager, nc=nc, root_cause="Sub-base not compacted")
    assert ncs.nc_transition(actor=site.manager, nc=nc, to_status="action_plan").status == NcStatus.ACTION_PLAN


def test_actions_are_planned_only_after_analysis_starts(site: Site) -> None:
    nc = raise_nc(site)
    with refused("invalid_transition"):
        ncs.action_add(actor=site.manager, nc=nc, description="x", owner=site.worker, due_date=site.org.today())


def test_no_work_in_progress_without_a_corrective_action(site: Site) -> None:
    nc = ncs.nc_transition(actor=site.manager, nc=raise_nc(site), to_status="analysis")
    ncs.nc_update(actor=site.manager, nc=nc, root_cause="Untrained crew")
    ncs.nc_transition(actor=site.manager, nc=nc, to_status="action_plan")
    with refused("no_corrective_action"):
        ncs.nc_transition(actor=site.manager, nc=nc, to_status="in_progress")
    ncs.action_add(
        actor=site.manager, nc=nc, kind="preventive", description="Train", owner=site.worker, due_date=site.org.today()
    )
    with refused("no_corrective_action"):
        ncs.nc_transition(actor=site.manager, nc=nc, to_status="in_progress")


def test_no_verification_while_an_action_is_open(site: Site) -> None:
    nc, action = in_progress(site)
    ncs.action_add(
        actor=site.manager, nc=nc, kind="preventive", description="Train", owner=site.manager, due_date=site.org.today()
    )
    ncs.action_update(actor=site.worker, action=action, status="done")
    with refused("actions_open"):
        ncs.nc_transition(actor=site.manager, nc=nc, to_status="verification")
    nc.refresh_from_db()
    assert nc.status == NcStatus.IN_PROGRESS


def test_no_verification_when_every_corrective_action_was_cancelled(site: Site) -> None:
    nc, action = in_progress(site)
    ncs.action_update(actor=site.manager, action=action, status="cancelled")
    with refused("no_corrective_action"):
        ncs.nc_transition(actor=site.manager, nc=nc, to_status="verification")


def test_marking_an_action_done_records_who_and_when_and_reopening_clears_it(site: Site) -> None:
    _nc, action = in_progress(site)
    done = ncs.action_update(actor=site.worker, action=action, status="done")
    assert (done.completed_by, done.completed_on) == (site.worker, site.org.today())
    reopened = ncs.action_update(actor=site.manager, action=done, status="in_progress")
    assert (reopened.completed_by, reopened.completed_on) == (None, None)


def test_actions_are_frozen_while_awaiting_verification(site: Site) -> None:
    nc = awaiting_verification(site)
    action = nc.actions.get()
    with refused("invalid_transition"):
        ncs.action_update(actor=site.manager, action=action, status="in_progress")
    with refused("invalid_transition"):
        ncs.action_add(actor=site.manager, nc=nc, description="More", owner=site.worker, due_date=site.org.today())


# Verification.


def test_the_owner_of_the_corrective_work_cannot_verify_it(site: Site) -> None:
    nc = awaiting_verification(site)
    with refused("verifier_did_the_work"):
        ncs.nc_verify(actor=site.worker, nc=nc, passed=True, note="Looks fine")
    nc.refresh_from_db()
    assert nc.status == NcStatus.VERIFICATION


def test_whoever_marked_the_corrective_work_done_cannot_verify_it(site: Site) -> None:
    nc, action = in_progress(site)
    ncs.action_update(actor=site.quality, action=action, status="done")
    ncs.nc_transition(actor=site.manager, nc=nc, to_status="verification")
    with refused("verifier_did_the_work"):
        ncs.nc_verify(actor=site.quality, nc=nc, passed=True, note="Replaced")
    assert ncs.nc_verify(actor=site.manager, nc=nc, passed=True, note="Replaced").status == NcStatus.CLOSED


def test_verification_needs_its_evidence_and_the_verification_status(site: Site) -> None:
    nc, _action = in_progress(site)
    with refused("invalid_transition"):
        ncs.nc_verify(actor=site.quality, nc=nc, passed=True, note="Early")
    nc = awaiting_verification(site)
    with refused("invalid"):
        ncs.nc_verify(actor=site.quality, nc=nc, passed=True, note="  ")
    with refused("invalid"):
        ncs.nc_verify(actor=site.quality, nc=nc, passed=False, note="")


def test_a_failed_verification_sends_it_back_to_in_progress(site: Site) -> None:
    nc = awaiting_verification(site)
    nc = ncs.nc_verify(actor=site.quality, nc=nc, passed=False, note="Joint still open")
    assert (nc.status, nc.closed_on, nc.verified_by) == (NcStatus.IN_PROGRESS, None, None)
    # More work, then verified again.
    action = ncs.action_add(
        actor=site.manager, nc=nc, description="Reseal the joint", owner=site.manager, due_date=site.org.today()
    )
    ncs.action_update(actor=site.manager, action=action, status="done")
    ncs.nc_transition(actor=site.manager, nc=nc, to_status="verification")
    assert ncs.nc_verify(actor=site.quality, nc=nc, passed=True, note="Sealed").status == NcStatus.CLOSED


def test_a_passed_verification_closes_it_with_the_evidence_and_days_to_close(site: Site) -> None:
    nc = awaiting_verification(site)
    NonConformance.objects.for_organization(site.org).filter(pk=nc.pk).update(
        raised_on=site.org.today() - dt.timedelta(days=5)
    )
    nc = ncs.nc_verify(actor=site.quality, nc=nc, passed=True, note=" New stone set, photo 12 ")
    assert (nc.status, nc.verification_note, nc.verified_by, nc.closed_on, nc.days_to_close) == (
        NcStatus.CLOSED,
        "New stone set, photo 12",
        site.quality,
        site.org.today(),
        5,
    )


def test_the_history_keeps_every_step(site: Site) -> None:
    nc = awaiting_verification(site)
    ncs.nc_verify(actor=site.quality, nc=nc, passed=False, note="Not level")
    steps = list(
        NcEvent.objects.for_organization(site.org)
        .filter(non_conformance=nc)
        .order_by("pk")
        .values_list("from_status", "to_status")
    )
    assert steps == [
        ("", "open"),
        ("open", "analysis"),
        ("analysis", "action_plan"),
        ("action_plan", "in_progress"),
        ("in_progress", "verification"),
        ("verification", "in_progress"),
    ]


# Closed and cancelled.


def test_a_closed_non_conformance_can_no_longer_change(site: Site) -> None:
    nc = ncs.nc_verify(actor=site.quality, nc=awaiting_verification(site), passed=True, note="Done")
    with refused("nc_closed"):
        ncs.nc_update(actor=site.manager, nc=nc, title="Renamed")
    with refused("nc_closed"):
        ncs.nc_transition(actor=site.manager, nc=nc, to_status="analysis")
    with refused("nc_closed"):
        ncs.nc_cancel(actor=site.manager, nc=nc, reason="Too late")
    with refused("nc_closed"):
        ncs.action_add(actor=site.manager, nc=nc, description="x", owner=site.worker, due_date=site.org.today())


def test_cancelling_needs_a_reason(site: Site) -> None:
    nc = raise_nc(site)
    with refused("invalid"):
        ncs.nc_cancel(actor=site.manager, nc=nc, reason="  ")
    nc.refresh_from_db()
    assert nc.status == NcStatus.OPEN
    nc = ncs.nc_cancel(actor=site.manager, nc=nc, reason=" Duplicate of NC-001 ")
    assert (nc.status, nc.cancel_reason) == (NcStatus.CANCELLED, "Duplicate of NC-001")


@pytest.mark.parametrize("stage", ["analysis", "in_progress", "verification"])
def test_an_open_non_conformance_can_be_cancelled_from_any_stage(site: Site, stage: str) -> None:
    if stage == "analysis":
        nc = ncs.nc_transition(actor=site.manager, nc=raise_nc(site), to_status="analysis")
    elif stage == "in_progress":
        nc, _action = in_progress(site)
    else:
        nc = awaiting_verification(site)
    assert ncs.nc_cancel(actor=site.manager, nc=nc, reason="Raised in error").status == NcStatus.CANCELLED


# Rework cost.


def test_rework_cost_lands_in_finance_as_an_actual_cost_in_a_new_rework_category(site: Site) -> None:
    nc = raise_nc(site, wbs_element=site.task, responsible_kind="contractor", responsible_name="Hengda Paving")
    assert not CostCategory.objects.for_organization(site.org).filter(code="rework").exists()
    rework = ncs.rework_cost_record(actor=site.manager, nc=nc, amount="1200.50", date=site.org.today())
    cost = rework.actual_cost
    assert (cost.project, cost.amount, cost.category.code, cost.wbs_element) == (
        site.project,
        Decimal("1200.50"),
        "rework",
        site.task,
    )
    assert (cost.supplier, cost.reference) == ("Hengda Paving", "NC-001")
    assert actual_amounts(site.project) == {cost.category_id: Decimal("1200.50")}
    nc.refresh_from_db()
    assert nc.rework_cost == Decimal("1200.50")


def test_more_rework_adds_up_under_the_one_rework_category(site: Site) -> None:
    nc = raise_nc(site)
    ncs.rework_cost_record(actor=site.manager, nc=nc, amount=Decimal("800"), date=site.org.today())
    ncs.rework_cost_record(
        actor=site.manager, nc=nc, amount="150.25", date=site.org.today(), supplier="Acme", reference="INV-7"
    )
    category = CostCategory.objects.for_organization(site.org).get(code="rework")
    assert actual_amounts(site.project) == {category.pk: Decimal("950.25")}
    nc.refresh_from_db()
    assert nc.rework_cost == Decimal("950.25")
    assert set(ActualCost.objects.for_organization(site.org).values_list("supplier", "reference")) == {
        ("", "NC-001"),
        ("Acme", "INV-7"),
    }


def test_an_existing_rework_category_is_used(site: Site) -> None:
    existing = CostCategoryFactory(organization=site.org, code="rework", name="返工 Rework")
    rework = ncs.rework_cost_record(actor=site.manager, nc=raise_nc(site), amount="10", date=site.org.today())
    assert rework.actual_cost.category == existing
    assert CostCategory.objects.for_organization(site.org).filter(code="rework").count() == 1


def test_another_organisations_rework_category_is_never_used(site: Site) -> None:
    elsewhere = make_site()
    theirs = ncs.rework_cost_record(
        actor=elsewhere.manager, nc=raise_nc(elsewhere), amount="10", date=elsewhere.org.today()
    )
    ours = ncs.rework_cost_record(actor=site.manager, nc=raise_nc(site), amount="10", date=site.org.today())
    assert ours.actual_cost.category != theirs.actual_cost.category
    assert ours.actual_cost.category.organization_id == site.org.pk


@pytest.mark.parametrize("amount", ["0", "-5", "abc", "", None, "NaN", "Infinity"])
def test_a_rework_amount_must_be_a_number_above_zero(site: Site, amount: object) -> None:
    nc = raise_nc(site)
    with refused("invalid"):
        ncs.rework_cost_record(actor=site.manager, nc=nc, amount=amount, date=site.org.today())
    assert not ActualCost.objects.for_organization(site.org).exists()


def test_a_cancelled_non_conformance_takes_no_rework_cost(site: Site) -> None:
    nc = ncs.nc_cancel(actor=site.manager, nc=raise_nc(site), reason="Duplicate")
    with refused("nc_closed"):
        ncs.rework_cost_record(actor=site.manager, nc=nc, amount="10", date=site.org.today())
    assert not ActualCost.objects.for_organization(site.org).exists()


def test_rework_found_after_closing_is_still_recorded(site: Site) -> None:
    nc = ncs.nc_verify(actor=site.quality, nc=awaiting_verification(site), passed=True, note="Done")
    ncs.rework_cost_record(actor=site.manager, nc=nc, amount="75", date=site.org.today())
    nc.refresh_from_db()
    assert nc.rework_cost == Decimal("75.00")


# The audit trail.


def test_every_non_conformance_write_is_audited_in_order(site: Site) -> None:
    before = AuditEvent.objects.for_organization(site.org).count()
    nc = awaiting_verification(site)
    ncs.rework_cost_record(actor=site.manager, nc=nc, amount="10", date=site.org.today())
    ncs.nc_verify(actor=site.quality, nc=nc, passed=False, note="Not level")
    action = nc.actions.get()
    ncs.action_update(actor=site.worker, action=action, note="Relaid")
    ncs.nc_transition(actor=site.manager, nc=nc, to_status="verification")
    ncs.nc_verify(actor=site.quality, nc=nc, passed=True, note="Level now")
    ncs.nc_cancel(actor=site.manager, nc=raise_nc(site), reason="Duplicate")
    actions = [action for action in audit_actions(site.org)[before:] if not action.startswith("cost_category.")]
    assert actions == [
        "non_conformance.raised",
        "non_conformance.status_changed",
        "non_conformance.updated",
        "non_conformance.status_changed",
        "corrective_action.added",
        "non_conformance.status_changed",
        "corrective_action.updated",
        "non_conformance.status_changed",
        "actual_cost.created",
        "non_conformance.rework_cost_recorded",
        "non_conformance.verification_failed",
        "corrective_action.updated",
        "non_conformance.status_changed",
        "non_conformance.verified",
        "non_conformance.raised",
        "non_conformance.cancelled",
    ]
    verified = AuditEvent.objects.for_organization(site.org).get(action="non_conformance.verified")
    assert verified.actor == site.quality
    assert verified.changes["status"] == ["verification", "closed"]


def test_a_refused_step_writes_nothing(site: Site) -> None:
    nc = raise_nc(site)
    count = AuditEvent.objects.for_organization(site.org).count()
    events = NcEvent.objects.for_organization(site.org).count()
    with refused("invalid_transition"):
        ncs.nc_transition(actor=site.manager, nc=nc, to_status="verification")
    assert AuditEvent.objects.for_organization(site.org).count() == count
    assert NcEvent.objects.for_organization(site.org).count() == events
