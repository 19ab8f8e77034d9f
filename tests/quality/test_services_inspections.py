"""quality.services.inspections: scheduling, readings judged as recorded, sign-off and the
non-conformances it opens, hold points on progress, refusals that change nothing, the audit trail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from pmo.errors import ApplicationError
from pmo.models import AuditEvent
from projects.services.progress import task_progress_update
from projects.services.wbs import wbs_element_create
from quality.models import InspectionStatus, NcMode, NonConformance, Reading
from quality.services import inspections as ins
from quality.services.settings import quality_settings_for
from tests.factories import (
    AttachmentFactory,
    ChecklistItemFactory,
    ChecklistTemplateFactory,
    PlanEntryFactory,
    ProjectFactory,
    UserFactory,
    WbsElementFactory,
)
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
    """``with refused("code"):`` expects an ApplicationError with that code."""
    return pytest.raises(ApplicationError, check=lambda error: error.code == code)


# Scheduling.


def test_inspections_are_numbered_per_project(site: Site) -> None:
    first, second = site.schedule(), site.schedule()
    other = ins.inspection_schedule(
        actor=site.manager, project=ProjectFactory(organization=site.org, phase="execution"), template=site.template
    )
    assert (first.code, second.code, other.code) == ("I-001", "I-002", "I-001")
    assert first.status == InspectionStatus.SCHEDULED


def test_an_inspection_from_the_plan_takes_its_element_date_and_the_templates_current_version(site: Site) -> None:
    entry = PlanEntryFactory(
        project=site.project, template_code=site.template.code, wbs_element=site.task, planned_date=dt.date(2026, 5, 4)
    )
    inspection = ins.inspection_schedule(actor=site.manager, project=site.project, plan_entry=entry)
    assert (inspection.template, inspection.wbs_element, inspection.scheduled_date) == (
        site.template,
        site.task,
        dt.date(2026, 5, 4),
    )
    assert inspection.inspection_type == site.template.inspection_type


def test_a_superseded_template_version_is_refused(site: Site) -> None:
    site.template.is_current = False
    site.template.save()
    with refused("template_superseded"):
        site.schedule()


def test_scheduling_without_a_template_is_refused(site: Site) -> None:
    with refused("invalid"):
        ins.inspection_schedule(actor=site.manager, project=site.project)


def test_a_closed_project_takes_no_inspections(site: Site) -> None:
    site.project.phase = "closed"
    site.project.save()
    with refused("project_not_open"):
        site.schedule()


def test_only_a_failed_inspection_is_inspected_again(site: Site) -> None:
    passed = site.failed_inspection(reading="20")
    assert passed.outcome == "passed"
    with refused("not_failed"):
        site.schedule(reinspection_of=passed)


# Other organisations' objects look nonexistent.


def test_another_organisations_template_plan_entry_element_or_inspector_is_not_found(site: Site) -> None:
    elsewhere = make_site()
    foreign_entry = PlanEntryFactory(project=elsewhere.project, template_code=elsewhere.template.code)
    for fields in (
        {"template": elsewhere.template},
        {"plan_entry": foreign_entry},
        {"wbs_element": elsewhere.task},
        {"inspector": elsewhere.quality},
        {"inspector": UserFactory()},
    ):
        with refused("not_found"):
            site.schedule(**fields)
    assert not site.project.inspections.exists()


def test_an_element_of_another_project_of_the_same_organisation_is_not_found(site: Site) -> None:
    sibling = ProjectFactory(organization=site.org, phase="execution")
    with refused("not_found"):
        site.schedule(wbs_element=WbsElementFactory(project=sibling, organization=site.org))


def test_a_reading_of_an_item_of_another_template_is_not_found(site: Site) -> None:
    inspection = site.schedule()
    _other, stray = site.template_with()
    with refused("not_found"):
        ins.reading_record(actor=site.quality, inspection=inspection, item=stray, number="5")
    foreign = make_site()
    with refused("not_found"):
        ins.reading_record(actor=site.quality, inspection=inspection, item=foreign.depth, number="5")
    assert not Reading.objects.for_organization(site.org).exists()


# Readings.


def test_a_reading_is_judged_as_it_is_recorded_and_starts_the_inspection(site: Site) -> None:
    inspection = site.schedule()
    reading = ins.reading_record(actor=site.quality, inspection=inspection, item=site.depth, number=" 23.0 ")
    assert (reading.number, reading.passed, reading.judgement) == (Decimal("23.0000"), False, "23 mm > 20 mm: defect")
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.IN_PROGRESS
    assert inspection.inspected_on == site.org.today()
    assert inspection.inspector == site.quality


def test_recording_the_same_reading_again_corrects_it(site: Site) -> None:
    inspection = site.schedule()
    ins.reading_record(actor=site.quality, inspection=inspection, item=site.depth, number="23")
    reading = ins.reading_record(actor=site.quality, inspection=inspection, item=site.depth, number="20")
    assert (reading.passed, reading.judgement) == (True, "20 mm ≤ 20 mm: within limit")
    assert Reading.objects.for_organization(site.org).count() == 1


def test_an_item_takes_at_most_its_allowed_readings(site: Site) -> None:
    template, item = site.template_with(max_readings=3)
    inspection = site.schedule(template)
    for sequence in (1, 2, 3):
        ins.reading_record(actor=site.quality, inspection=inspection, item=item, sequence=sequence, number="1")
    for sequence in (0, 4):
        with refused("invalid"):
            ins.reading_record(actor=site.quality, inspection=inspection, item=item, sequence=sequence, number="1")


@pytest.mark.parametrize("value", ["", None, "abc", "NaN", "Infinity", "1e10", "-1e10"])
def test_a_reading_that_is_not_a_number_is_refused(site: Site, value: object) -> None:
    inspection = site.schedule()
    with refused("invalid"):
        ins.reading_record(actor=site.quality, inspection=inspection, item=site.depth, number=value)
    assert not Reading.objects.for_organization(site.org).exists()


def test_a_choice_reading_stores_a_listed_key_and_refuses_any_other(site: Site) -> None:
    options = [
        {"key": "sound", "label": "Sound", "acceptable": True},
        {"key": "cracked", "label": "Cracked", "acceptable": False},
    ]
    template, item = site.template_with(kind="choice", options=options, comparator="", limit_a=None, unit="")
    inspection = site.schedule(template)
    reading = ins.reading_record(actor=site.quality, inspection=inspection, item=item, choice="cracked")
    assert (reading.choice, reading.passed, reading.judgement) == ("cracked", False, "Cracked: defect")
    for words in ("Cracked", "SOUND", "sonud"):
        with refused("invalid"):
            ins.reading_record(actor=site.quality, inspection=inspection, item=item, choice=words)
    reading.refresh_from_db()
    assert reading.choice == "cracked"


def test_a_compound_reading_needs_both_numbers(site: Site) -> None:
    template, item = site.template_with(
        kind="compound", comparator="lt", limit_a=Decimal(3), second_comparator="gt", second_limit_a=Decimal(100)
    )
    inspection = site.schedule(template)
    with refused("invalid"):
        ins.reading_record(actor=site.quality, inspection=inspection, item=item, number="3.5")
    reading = ins.reading_record(actor=site.quality, inspection=inspection, item=item, number="3.5", second_number="80")
    assert reading.passed is False


def test_readings_on_a_signed_or_cancelled_inspection_are_refused(site: Site) -> None:
    signed = site.failed_inspection(reading="5")
    with refused("inspection_closed"):
        ins.reading_record(actor=site.quality, inspection=signed, item=site.depth, number="6")
    cancelled = ins.inspection_cancel(actor=site.manager, inspection=site.schedule(), reason="Rained off")
    with refused("inspection_closed"):
        ins.reading_record(actor=site.quality, inspection=cancelled, item=site.depth, number="6")
    reading = Reading.objects.for_organization(site.org).get()
    with refused("inspection_closed"):
        ins.reading_delete(actor=site.quality, reading=reading)
    assert reading.number == Decimal("5.0000")


def test_a_reading_taken_back_is_gone_and_audited(site: Site) -> None:
    inspection = site.schedule()
    reading = ins.reading_record(actor=site.quality, inspection=inspection, item=site.depth, number="23")
    ins.reading_delete(actor=site.quality, reading=reading)
    assert not Reading.objects.for_organization(site.org).exists()
    assert audit_actions(site.org)[-1] == "inspection.reading_deleted"


# Sign-off.


def test_sign_off_is_refused_while_a_check_is_missing(site: Site) -> None:
    ChecklistItemFactory(template=site.template, kind="pass_fail", text_en="Edges sealed", comparator="", limit_a=None)
    inspection = site.schedule(inspector=site.quality)
    ins.reading_record(actor=site.quality, inspection=inspection, item=site.depth, number="5")
    with pytest.raises(ApplicationError) as refusal:
        ins.inspection_sign(actor=site.quality, inspection=inspection)
    assert refusal.value.code == "inspection_incomplete"
    assert "Edges sealed" in str(refusal.value)
    inspection.refresh_from_db()
    assert (inspection.status, inspection.outcome) == (InspectionStatus.IN_PROGRESS, "")


def test_sign_off_is_refused_while_a_photo_check_has_no_photo(site: Site) -> None:
    template, photo = site.template_with(kind="photo", text_en="Photo of the joint", comparator="", limit_a=None)
    inspection = site.schedule(template, inspector=site.quality)
    reading = ins.reading_record(actor=site.quality, inspection=inspection, item=photo)
    with pytest.raises(ApplicationError) as refusal:
        ins.inspection_sign(actor=site.quality, inspection=inspection)
    assert refusal.value.code == "inspection_incomplete"
    assert "Photo of the joint (no photo yet)" in str(refusal.value)
    AttachmentFactory(organization=site.org, parent=reading)
    assert ins.inspection_sign(actor=site.quality, inspection=inspection).outcome == "passed"


def test_only_the_named_inspector_signs(site: Site) -> None:
    inspection = site.schedule(inspector=site.quality)
    ins.reading_record(actor=site.manager, inspection=inspection, item=site.depth, number="5")
    with refused("not_the_inspector"):
        ins.inspection_sign(actor=site.manager, inspection=inspection)
    signed = ins.inspection_sign(actor=site.quality, inspection=inspection, remarks=" Dry weather ")
    assert (signed.status, signed.signed_by, signed.remarks) == (InspectionStatus.SIGNED, site.quality, "Dry weather")


def test_without_a_named_inspector_the_first_to_record_becomes_it_and_signs(site: Site) -> None:
    inspection = site.schedule()
    ins.reading_record(actor=site.worker, inspection=inspection, item=site.depth, number="5")
    with refused("not_the_inspector"):
        ins.inspection_sign(actor=site.quality, inspection=inspection)
    assert ins.inspection_sign(actor=site.worker, inspection=inspection).signed_by == site.worker


def test_a_signed_inspection_cannot_be_signed_again(site: Site) -> None:
    signed = site.failed_inspection()
    with refused("inspection_closed"):
        ins.inspection_sign(actor=site.quality, inspection=signed)
    assert NonConformance.objects.for_organization(site.org).count() == 1


def test_the_outcome_follows_the_worst_failed_item(site: Site) -> None:
    minor = ChecklistItemFactory(template=site.template, severity="minor", text_en="Joint gap", limit_a=Decimal(5))
    # The major depth passes, the minor gap fails: passed with remarks.
    inspection = site.schedule(inspector=site.quality)
    ins.reading_record(actor=site.quality, inspection=inspection, item=site.depth, number="20")
    ins.reading_record(actor=site.quality, inspection=inspection, item=minor, number="6")
    assert ins.inspection_sign(actor=site.quality, inspection=inspection).outcome == "passed_with_remarks"
    # One of several depth readings failing fails the major item and the inspection.
    template, depth = site.template_with(max_readings=3)
    inspection = site.schedule(template, inspector=site.quality)
    for sequence, value in ((1, "12"), (2, "20.0001"), (3, "8")):
        ins.reading_record(actor=site.quality, inspection=inspection, item=depth, sequence=sequence, number=value)
    assert ins.inspection_sign(actor=site.quality, inspection=inspection).outcome == "failed"


def test_a_text_only_inspection_passes(site: Site) -> None:
    template, note = site.template_with(kind="text", comparator="", limit_a=None, severity="critical")
    inspection = site.schedule(template, inspector=site.quality)
    with refused("invalid"):
        ins.reading_record(actor=site.quality, inspection=inspection, item=note, text="  ")
    ins.reading_record(actor=site.quality, inspection=inspection, item=note, text="Traffic management in place")
    assert ins.inspection_sign(actor=site.quality, inspection=inspection).outcome == "passed"
    assert not NonConformance.objects.for_organization(site.org).exists()


# Non-conformances opened at sign-off.


def failing_two_items(site: Site) -> tuple[object, object]:
    critical = ChecklistItemFactory(
        template=site.template,
        severity="critical",
        text_zh="护栏高度",
        text_en="Guard rail height",
        comparator="gte",
        limit_a=Decimal(1050),
    )
    minor = ChecklistItemFactory(
        template=site.template, severity="minor", text_zh="接缝宽度", text_en="Joint gap", limit_a=Decimal(5)
    )
    inspection = site.schedule(inspector=site.quality, wbs_element=site.task, location="K0+120")
    ins.reading_record(actor=site.quality, inspection=inspection, item=site.depth, number="23")
    ins.reading_record(actor=site.quality, inspection=inspection, item=critical, number="1000")
    ins.reading_record(actor=site.quality, inspection=inspection, item=minor, number="6", note="Near the gully")
    return ins.inspection_sign(actor=site.quality, inspection=inspection), critical


def test_each_failed_item_opens_its_own_non_conformance_by_default(site: Site) -> None:
    inspection, _critical = failing_two_items(site)
    ncs = list(NonConformance.objects.for_organization(site.org).order_by("number"))
    assert [(nc.code, nc.severity, nc.title) for nc in ncs] == [
        ("NC-001", "major", "I-001: 坑槽深度 Pothole depth"),
        ("NC-002", "critical", "I-001: 护栏高度 Guard rail height"),
        ("NC-003", "minor", "I-001: 接缝宽度 Joint gap"),
    ]
    today = site.org.today()
    assert [nc.due_date - today for nc in ncs] == [dt.timedelta(days=days) for days in (7, 2, 14)]
    first = ncs[0]
    assert (first.inspection, first.item, first.wbs_element, first.location) == (
        inspection,
        site.depth,
        site.task,
        "K0+120",
    )
    assert first.reading is not None
    assert first.reading.number == Decimal("23.0000")
    assert first.description == "23 mm > 20 mm: defect"
    assert ncs[2].description == "6 mm > 5 mm: defect\nNear the gully"
    assert first.inspection_type == site.template.inspection_type


def test_one_non_conformance_per_inspection_takes_the_worst_severity_and_lists_every_failure(site: Site) -> None:
    settings = quality_settings_for(site.org)
    settings.nc_mode = NcMode.PER_INSPECTION
    settings.save()
    inspection, _critical = failing_two_items(site)
    nc = NonConformance.objects.for_organization(site.org).get()
    assert (nc.severity, nc.due_date) == ("critical", site.org.today() + dt.timedelta(days=2))
    # The title is written in both languages, whoever signs: "I-001: 3 个检查项不合格 3 checks failed".
    assert nc.title.startswith("I-001: ")
    assert nc.title.endswith(" 3 checks failed")
    assert nc.description.splitlines() == [
        "Pothole depth: 23 mm > 20 mm: defect",
        "Guard rail height: 1000 mm < 1050 mm: defect",
        "Joint gap: 6 mm > 5 mm: defect",
    ]
    assert (nc.inspection, nc.item, nc.reading) == (inspection, None, None)


def test_one_non_conformance_per_inspection_with_one_failure_keeps_the_item_and_reading(site: Site) -> None:
    settings = quality_settings_for(site.org)
    settings.nc_mode = NcMode.PER_INSPECTION
    settings.save()
    inspection = site.failed_inspection()
    nc = NonConformance.objects.for_organization(site.org).get()
    assert (nc.title, nc.item, nc.severity) == ("I-001: 坑槽深度 Pothole depth", site.depth, "major")
    assert nc.reading is not None
    assert nc.reading.inspection == inspection


def test_due_dates_follow_the_organisations_edited_days(site: Site) -> None:
    settings = quality_settings_for(site.org)
    settings.due_days_major, settings.due_days_critical, settings.due_days_minor = 10, 1, 30
    settings.save()
    failing_two_items(site)
    today = site.org.today()
    assert sorted(
        (nc.severity, (nc.due_date - today).days) for nc in NonConformance.objects.for_organization(site.org)
    ) == [("critical", 1), ("major", 10), ("minor", 30)]


def test_a_passed_inspection_opens_nothing(site: Site) -> None:
    assert site.failed_inspection(reading="20").outcome == "passed"
    assert not NonConformance.objects.for_organization(site.org).exists()


# Cancelling.


def test_cancelling_needs_a_reason_and_keeps_the_readings(site: Site) -> None:
    inspection = site.schedule()
    ins.reading_record(actor=site.quality, inspection=inspection, item=site.depth, number="5")
    with refused("invalid"):
        ins.inspection_cancel(actor=site.manager, inspection=inspection, reason="   ")
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.IN_PROGRESS
    cancelled = ins.inspection_cancel(actor=site.manager, inspection=inspection, reason=" Duplicate ")
    assert (cancelled.status, cancelled.cancel_reason) == (InspectionStatus.CANCELLED, "Duplicate")
    assert Reading.objects.for_organization(site.org).count() == 1
    with refused("inspection_closed"):
        ins.inspection_cancel(actor=site.manager, inspection=cancelled, reason="Again")


# Updating.


def test_an_inspection_cannot_be_dated_after_today(site: Site) -> None:
    inspection = site.schedule()
    with refused("invalid"):
        ins.inspection_update(
            actor=site.manager, inspection=inspection, inspected_on=site.org.today() + dt.timedelta(days=1)
        )
    updated = ins.inspection_update(actor=site.manager, inspection=inspection, location=" K1+000 ")
    assert updated.location == "K1+000"


def test_updating_refuses_another_organisations_inspector_or_element(site: Site) -> None:
    inspection = site.schedule()
    elsewhere = make_site()
    with refused("not_found"):
        ins.inspection_update(actor=site.manager, inspection=inspection, inspector=elsewhere.quality)
    with refused("not_found"):
        ins.inspection_update(actor=site.manager, inspection=inspection, wbs_element=elsewhere.task)


# Hold points.


def test_a_hold_point_blocks_100_percent_until_its_inspection_passes(site: Site) -> None:
    entry = PlanEntryFactory(
        project=site.project, template_code=site.template.code, wbs_element=site.task, hold_point=True
    )
    today = site.org.today()
    with pytest.raises(ApplicationError) as held:
        task_progress_update(actor=site.manager, task=site.task, percent_complete=Decimal(100), effective_date=today)
    assert held.value.code == "completion_held"
    assert site.template.code in str(held.value)
    # Less than complete is never held.
    task_progress_update(actor=site.manager, task=site.task, percent_complete=Decimal(90), effective_date=today)
    failed = site.failed_inspection()
    failed.plan_entry = entry
    failed.save()
    with pytest.raises(ApplicationError) as still:
        task_progress_update(actor=site.manager, task=site.task, percent_complete=Decimal(100), effective_date=today)
    assert still.value.code == "completion_held"
    again = ins.inspection_schedule(
        actor=site.manager, project=site.project, reinspection_of=failed, inspector=site.quality
    )
    assert again.plan_entry == entry
    ins.reading_record(actor=site.quality, inspection=again, item=site.depth, number="19")
    ins.inspection_sign(actor=site.quality, inspection=again)
    task_progress_update(actor=site.manager, task=site.task, percent_complete=Decimal(100), effective_date=today)
    site.task.refresh_from_db()
    assert site.task.percent_complete == Decimal(100)


def test_a_hold_point_is_released_by_a_pass_with_remarks_but_not_by_a_cancelled_inspection(site: Site) -> None:
    entry = PlanEntryFactory(
        project=site.project, template_code=site.template.code, wbs_element=site.task, hold_point=True
    )
    ins.inspection_cancel(actor=site.manager, inspection=site.schedule(plan_entry=entry), reason="Rain")
    assert ins.hold_point_reason(site.task) is not None
    minor = ChecklistItemFactory(template=site.template, severity="minor", text_en="Joint gap", limit_a=Decimal(5))
    inspection = site.schedule(plan_entry=entry, inspector=site.quality)
    ins.reading_record(actor=site.quality, inspection=inspection, item=site.depth, number="5")
    ins.reading_record(actor=site.quality, inspection=inspection, item=minor, number="9")
    assert ins.inspection_sign(actor=site.quality, inspection=inspection).outcome == "passed_with_remarks"
    assert ins.hold_point_reason(site.task) is None


def test_a_hold_point_on_a_summary_holds_every_task_beneath_it_and_no_other(site: Site) -> None:
    project = ProjectFactory(organization=site.org, phase="execution")
    pavement = wbs_element_create(actor=site.manager, project=project, name="Pavement")
    base = wbs_element_create(actor=site.manager, project=project, name="Base course", parent=pavement)
    layer = wbs_element_create(actor=site.manager, project=project, name="Layer 1", parent=base)
    kerbs = wbs_element_create(actor=site.manager, project=project, name="Kerbs")
    entry = PlanEntryFactory(project=project, template_code=site.template.code, wbs_element=pavement, hold_point=True)
    assert ins.hold_point_reason(layer) is not None
    assert ins.hold_point_reason(kerbs) is None
    inspection = ins.inspection_schedule(actor=site.manager, project=project, plan_entry=entry, inspector=site.quality)
    ins.reading_record(actor=site.quality, inspection=inspection, item=site.depth, number="5")
    ins.inspection_sign(actor=site.quality, inspection=inspection)
    assert ins.hold_point_reason(layer) is None


def test_a_plan_entry_without_a_hold_point_never_holds(site: Site) -> None:
    PlanEntryFactory(project=site.project, template_code=site.template.code, wbs_element=site.task, hold_point=False)
    assert ins.hold_point_reason(site.task) is None


def test_every_hold_point_on_a_task_must_pass(site: Site) -> None:
    second, _item = site.template_with()
    first_entry = PlanEntryFactory(
        project=site.project, template_code=site.template.code, wbs_element=site.task, hold_point=True
    )
    PlanEntryFactory(project=site.project, template_code=second.code, wbs_element=site.task, hold_point=True)
    inspection = site.schedule(plan_entry=first_entry, inspector=site.quality)
    ins.reading_record(actor=site.quality, inspection=inspection, item=site.depth, number="5")
    ins.inspection_sign(actor=site.quality, inspection=inspection)
    reason = ins.hold_point_reason(site.task)
    assert reason is not None
    assert second.code in reason
    assert site.template.code not in reason


# The audit trail.


def test_every_inspection_write_is_audited_in_order(site: Site) -> None:
    before = AuditEvent.objects.for_organization(site.org).count()
    inspection = site.schedule(inspector=site.quality)
    ins.inspection_update(actor=site.manager, inspection=inspection, location="K0+500")
    reading = ins.reading_record(actor=site.quality, inspection=inspection, item=site.depth, number="30")
    ins.reading_delete(actor=site.quality, reading=reading)
    ins.reading_record(actor=site.quality, inspection=inspection, item=site.depth, number="23")
    ins.inspection_sign(actor=site.quality, inspection=inspection)
    cancelled = site.schedule()
    ins.inspection_cancel(actor=site.manager, inspection=cancelled, reason="Duplicate")
    actions = audit_actions(site.org)[before:]
    assert actions == [
        "inspection.scheduled",
        "inspection.updated",
        "inspection.reading_recorded",
        "inspection.reading_deleted",
        "inspection.reading_recorded",
        "inspection.signed",
        "non_conformance.raised",
        "inspection.scheduled",
        "inspection.cancelled",
    ]
    signed = AuditEvent.objects.for_organization(site.org).get(action="inspection.signed")
    assert signed.actor == site.quality
    assert signed.changes["outcome"] == ["", "failed"]


def test_an_update_that_changes_nothing_writes_no_audit_event(site: Site) -> None:
    inspection = site.schedule(location="K0+100")
    count = AuditEvent.objects.for_organization(site.org).count()
    ins.inspection_update(actor=site.manager, inspection=inspection, location="K0+100")
    assert AuditEvent.objects.for_organization(site.org).count() == count


def test_a_foreign_template_of_the_same_code_never_stands_in_for_the_own(site: Site) -> None:
    elsewhere = make_site()
    ChecklistTemplateFactory(
        organization=elsewhere.org, code="SHARED", inspection_type=elsewhere.template.inspection_type
    )
    with refused("not_found"):
        ins.current_template(site.org.pk, "SHARED")
