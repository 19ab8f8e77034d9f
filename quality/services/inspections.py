"""Inspections: scheduled from the plan or ad hoc, readings judged as they are recorded, an outcome
computed from the items and signed off by the inspector, non-conformances opened for failed items.

Every write takes the project row's lock first, then the inspection's (``projects.services.locks``),
and writes its audit event in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings as django_settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pmo.audit import audit_record, diff, snapshot
from pmo.errors import ApplicationError
from pmo.models import Attachment, Membership, User
from projects.models import OPEN_PHASES, Project, WbsElement
from projects.services.locks import lock_project, lock_project_row
from quality import rules
from quality.models import (
    ChecklistItem,
    ChecklistTemplate,
    Inspection,
    InspectionStatus,
    ItemKind,
    NcMode,
    NonConformance,
    Outcome,
    PlanEntry,
    Reading,
    Severity,
)
from quality.services.settings import quality_settings_for, validated

NOT_FOUND = "not_found"
DESCRIPTIVE_FIELDS = [
    "inspector",
    "scheduled_date",
    "inspected_on",
    "location",
    "participants",
    "wbs_element",
    "remarks",
]
_SEVERITY_RANK: dict[str, int] = {Severity.MINOR: 0, Severity.MAJOR: 1, Severity.CRITICAL: 2}
#: The summary of a non-conformance opened for several failed checks of an inspection (more than one).
CHECKS_FAILED = gettext_lazy("%(count)s checks failed")


def both_languages(*names: str) -> str:
    """Names of one thing in each language, "中文 English" as the demo and finance's default categories
    name things (the empty and repeated ones left out)."""
    return " ".join(dict.fromkeys(name.strip() for name in names if name and name.strip()))


def in_both_languages(message: str | Promise, **params: Any) -> str:
    """``message`` in every language of the application, Chinese first: what the application itself writes
    into a record every reader sees (a non-conformance's title), whatever the language of whoever acted."""
    rendered = []
    for code, _name in django_settings.LANGUAGES:
        with translation.override(code):
            rendered.append(str(message) % params if params else str(message))
    return both_languages(*rendered)


def failed_item_title(inspection: Inspection, item: ChecklistItem) -> str:
    return f"{inspection.code}: {both_languages(item.text_zh, item.text_en)}"[:255]


def _not_found(field: str) -> ApplicationError:
    return ApplicationError(_("Not found."), code=NOT_FOUND, fields={field: [_("Not found.")]})


def check_open_project(project: Project) -> None:
    if project.phase not in OPEN_PHASES:
        raise ApplicationError(
            _("The project is %(phase)s: its quality records can no longer change.")
            % {"phase": project.get_phase_display()},
            code="project_not_open",
        )


def check_member(organization_id: int, user: User | None, field: str) -> None:
    """A user named on a record must be a member of the organisation, or it is as if they did not exist."""
    if user is not None and not Membership.objects.for_organization(organization_id).filter(user=user).exists():
        raise _not_found(field)


def check_element(project: Project, element: WbsElement | None, field: str = "wbs_element") -> None:
    if element is not None and (element.organization_id != project.organization_id or element.project_id != project.pk):
        raise _not_found(field)


def current_template(organization_id: int, code: str) -> ChecklistTemplate:
    found = ChecklistTemplate.objects.for_organization(organization_id).filter(code=code, is_current=True).first()
    if found is None:
        raise _not_found("template")
    return found


def _next_number(project: Project) -> int:
    highest = (
        Inspection.objects.for_organization(project.organization_id)
        .filter(project=project)
        .aggregate(highest=Max("number"))["highest"]
    )
    return (highest or 0) + 1


def _lock(inspection: Inspection) -> tuple[Project, Inspection]:
    locked = lock_project_row(inspection)
    locked.organization = locked.project.organization
    return locked.project, locked


def _check_open(inspection: Inspection) -> None:
    if not inspection.is_open:
        raise ApplicationError(
            _("Inspection %(code)s is %(status)s: it can no longer change.")
            % {"code": inspection.code, "status": inspection.get_status_display()},
            code="inspection_closed",
        )


@transaction.atomic
def inspection_schedule(
    *,
    actor: User,
    project: Project,
    template: ChecklistTemplate | None = None,
    plan_entry: PlanEntry | None = None,
    inspector: User | None = None,
    scheduled_date: dt.date | None = None,
    wbs_element: WbsElement | None = None,
    location: str = "",
    participants: str = "",
    reinspection_of: Inspection | None = None,
) -> Inspection:
    """Schedule an inspection of a template's current version: from a plan entry, as a re-inspection of
    a failed one, or ad hoc. Numbers run I-001, I-002… per project."""
    project = lock_project(project)
    check_open_project(project)
    organization_id = project.organization_id
    if plan_entry is not None:
        if plan_entry.organization_id != organization_id or plan_entry.project_id != project.pk:
            raise _not_found("plan_entry")
        wbs_element = wbs_element or plan_entry.wbs_element
        scheduled_date = scheduled_date or plan_entry.planned_date
        if template is None:
            template = current_template(organization_id, plan_entry.template_code)
    if reinspection_of is not None:
        if reinspection_of.organization_id != organization_id or reinspection_of.project_id != project.pk:
            raise _not_found("reinspection_of")
        if reinspection_of.outcome != Outcome.FAILED:
            raise ApplicationError(
                _("Only a failed inspection is inspected again."),
                code="not_failed",
                fields={"reinspection_of": [_("Only a failed inspection is inspected again.")]},
            )
        plan_entry = plan_entry or reinspection_of.plan_entry
        wbs_element = wbs_element or reinspection_of.wbs_element
        location = location or reinspection_of.location
        if template is None:
            template = current_template(organization_id, reinspection_of.template.code)
    if template is None:
        raise ApplicationError(
            _("Choose a checklist template."), code="invalid", fields={"template": [_("This field is required.")]}
        )
    if template.organization_id != organization_id:
        raise _not_found("template")
    if not template.is_current:
        raise ApplicationError(
            _("Template %(code)s has a newer version; inspect with the current one.") % {"code": template.code},
            code="template_superseded",
            fields={"template": [_("This version has been superseded.")]},
        )
    check_element(project, wbs_element)
    check_member(organization_id, inspector, "inspector")
    inspection = Inspection(
        organization_id=organization_id,
        project=project,
        number=_next_number(project),
        template=template,
        inspection_type_id=template.inspection_type_id,
        plan_entry=plan_entry,
        reinspection_of=reinspection_of,
        wbs_element=wbs_element,
        location=(location or "").strip(),
        participants=(participants or "").strip(),
        inspector=inspector,
        scheduled_date=scheduled_date,
        created_by=actor,
    )
    validated(inspection)
    inspection.save()
    audit_record(
        organization=project.organization,
        actor=actor,
        action="inspection.scheduled",
        target=inspection,
        changes=diff(
            {},
            {
                "template": f"{template.code} v{template.version}",
                "plan_entry": plan_entry.pk if plan_entry else None,
                "reinspection_of": reinspection_of.pk if reinspection_of else None,
                "inspector": inspector.pk if inspector else None,
                "scheduled_date": scheduled_date,
            },
        ),
    )
    return inspection


@transaction.atomic
def inspection_update(*, actor: User, inspection: Inspection, **fields: Any) -> Inspection:
    """Change who inspects, when and where, the participants and the remarks while it is open."""
    unknown = set(fields) - set(DESCRIPTIVE_FIELDS)
    if unknown:
        raise ValueError(f"not descriptive fields: {sorted(unknown)}")
    project, inspection = _lock(inspection)
    _check_open(inspection)
    if "wbs_element" in fields:
        check_element(project, fields["wbs_element"])
    if "inspector" in fields:
        check_member(project.organization_id, fields["inspector"], "inspector")
    if fields.get("inspected_on") and fields["inspected_on"] > project.organization.today():
        raise ApplicationError(
            _("An inspection cannot be dated after today."),
            code="invalid",
            fields={"inspected_on": [_("An inspection cannot be dated after today.")]},
        )
    before = snapshot(inspection, DESCRIPTIVE_FIELDS)
    for name, value in fields.items():
        setattr(inspection, name, value.strip() if isinstance(value, str) else value)
    inspection.updated_at = timezone.now()
    validated(inspection)
    inspection.save()
    changes = diff(before, snapshot(inspection, DESCRIPTIVE_FIELDS))
    if changes:
        audit_record(
            organization=project.organization,
            actor=actor,
            action="inspection.updated",
            target=inspection,
            changes=changes,
        )
    return inspection


def _decimal(value: Any, field: str) -> Decimal:
    if value is None or value == "":
        raise ApplicationError(_("Enter the reading."), code="invalid", fields={field: [_("Enter the reading.")]})
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        number = Decimal("NaN")
    if not number.is_finite():
        raise ApplicationError(_("Enter a number."), code="invalid", fields={field: [_("Enter a number.")]})
    if abs(number) >= Decimal("1e10"):
        message = _("Enter a number smaller than 10,000,000,000.")
        raise ApplicationError(message, code="invalid", fields={field: [message]})
    return number.quantize(Decimal("0.0001"))


def judge(item: ChecklistItem, reading: Reading) -> rules.Judgement:
    """Judge a reading against its item (the values must be present for the item's kind)."""
    match item.kind:
        case ItemKind.NUMERIC:
            limit = item.limit()
            assert limit is not None
            assert reading.number is not None
            return rules.judge_numeric(limit, reading.number)
        case ItemKind.COMPOUND:
            first, second = item.limit(), item.second_limit()
            assert first is not None
            assert second is not None
            assert reading.number is not None
            assert reading.second_number is not None
            return rules.judge_compound(first, second, reading.number, reading.second_number)
        case ItemKind.PASS_FAIL:
            assert reading.passed_check is not None
            return rules.judge_pass_fail(reading.passed_check)
        case ItemKind.CHOICE:
            return rules.judge_choice(item.options or [], reading.choice)
        case ItemKind.PHOTO:
            return rules.Judgement(True, _("Photo taken"))
    return rules.Judgement(None, "")


def _reading_values(item: ChecklistItem, values: dict[str, Any]) -> dict[str, Any]:
    """The reading's stored values for the item's kind, or a clear error naming the missing one."""
    clean: dict[str, Any] = {
        "number": None,
        "second_number": None,
        "passed_check": None,
        "choice": "",
        "text": (values.get("text") or "").strip(),
    }
    if item.kind in (ItemKind.NUMERIC, ItemKind.COMPOUND):
        clean["number"] = _decimal(values.get("number"), "number")
    if item.kind == ItemKind.COMPOUND:
        clean["second_number"] = _decimal(values.get("second_number"), "second_number")
    if item.kind == ItemKind.PASS_FAIL:
        if values.get("passed_check") is None:
            raise ApplicationError(
                _("Say whether the check passes."),
                code="invalid",
                fields={"passed_check": [_("This field is required.")]},
            )
        clean["passed_check"] = bool(values["passed_check"])
    if item.kind == ItemKind.CHOICE:
        key = (values.get("choice") or "").strip()
        keys = [str(option.get("key")) for option in item.options or []]
        if key not in keys:
            message = _("Choose one of the listed options.")
            raise ApplicationError(message, code="invalid", fields={"choice": [message]})
        clean["choice"] = key
    if item.kind == ItemKind.TEXT and not clean["text"]:
        raise ApplicationError(_("Enter the text."), code="invalid", fields={"text": [_("This field is required.")]})
    return clean


@transaction.atomic
def reading_record(
    *,
    actor: User,
    inspection: Inspection,
    item: ChecklistItem,
    sequence: int = 1,
    number: Any = None,
    second_number: Any = None,
    passed_check: bool | None = None,
    choice: str = "",
    text: str = "",
    note: str = "",
) -> Reading:
    """Record (or correct) the ``sequence``-th reading of an item and judge it at once.

    The item must belong to the inspection's template version; ``sequence`` runs from 1 to the
    readings the item allows. Recording starts the inspection and dates it today if it had no date.
    """
    project, inspection = _lock(inspection)
    _check_open(inspection)
    if item.organization_id != inspection.organization_id or item.template_id != inspection.template_id:
        raise _not_found("item")
    if not 1 <= int(sequence) <= item.max_readings:
        message = _("This check takes at most %(count)s readings.") % {"count": item.max_readings}
        raise ApplicationError(message, code="invalid", fields={"sequence": [message]})
    values = _reading_values(
        item,
        {
            "number": number,
            "second_number": second_number,
            "passed_check": passed_check,
            "choice": choice,
            "text": text,
        },
    )
    reading = (
        Reading.objects.for_organization(inspection.organization_id)
        .filter(inspection=inspection, item=item, sequence=sequence)
        .first()
    )
    before: dict[str, Any] = {}
    if reading is None:
        reading = Reading(
            organization_id=inspection.organization_id, inspection=inspection, item=item, sequence=sequence
        )
    else:
        before = snapshot(reading, ["number", "second_number", "passed_check", "choice", "text", "passed", "note"])
    for name, value in values.items():
        setattr(reading, name, value)
    reading.note = (note or "").strip()[:255]
    verdict = judge(item, reading)
    reading.passed, reading.judgement = verdict.passed, verdict.text[:255]
    reading.recorded_by, reading.recorded_at = actor, timezone.now()
    # ``passed`` is None for a text item (never judged); the field is not ``blank``, so leave it out.
    validated(reading, exclude=["inspection", "item", "passed"])
    reading.save()
    changed = ["updated_at"]
    if inspection.status == InspectionStatus.SCHEDULED:
        inspection.status = InspectionStatus.IN_PROGRESS
        changed.append("status")
    if inspection.inspected_on is None:
        inspection.inspected_on = project.organization.today()
        changed.append("inspected_on")
    if inspection.inspector_id is None:
        inspection.inspector = actor
        changed.append("inspector")
    inspection.updated_at = timezone.now()
    inspection.save(update_fields=changed)
    audit_record(
        organization=project.organization,
        actor=actor,
        action="inspection.reading_recorded",
        target=inspection,
        changes={
            "item": [None, item.pk],
            "sequence": [None, sequence],
            **diff(
                before,
                snapshot(reading, ["number", "second_number", "passed_check", "choice", "text", "passed", "note"]),
            ),
        },
    )
    return reading


@transaction.atomic
def reading_delete(*, actor: User, reading: Reading) -> None:
    """Take back a reading recorded by mistake while the inspection is open."""
    project, inspection = _lock(reading.inspection)
    _check_open(inspection)
    audit_record(
        organization=project.organization,
        actor=actor,
        action="inspection.reading_deleted",
        target=inspection,
        changes={
            "item": [reading.item_id, None],
            "sequence": [reading.sequence, None],
            "passed": [reading.passed, None],
        },
    )
    reading.delete()
    inspection.updated_at = timezone.now()
    inspection.save(update_fields=["updated_at"])


def item_results(inspection: Inspection) -> tuple[list[ChecklistItem], dict[int, list[Reading]], list[str]]:
    """The template's items, their readings and what is still missing before sign-off (in words)."""
    items = list(
        ChecklistItem.objects.for_organization(inspection.organization_id).filter(template=inspection.template)
    )
    readings: dict[int, list[Reading]] = defaultdict(list)
    for reading in Reading.objects.for_organization(inspection.organization_id).filter(inspection=inspection):
        readings[reading.item_id].append(reading)
    photo_readings = [reading.pk for item in items if item.kind == ItemKind.PHOTO for reading in readings[item.pk]]
    with_photos: set[int] = set()
    if photo_readings:
        with_photos = set(
            Attachment.objects.for_organization(inspection.organization_id)
            .filter(content_type=ContentType.objects.get_for_model(Reading), object_id__in=photo_readings)
            .values_list("object_id", flat=True)
        )
    missing: list[str] = []
    for item in items:
        if not readings[item.pk]:
            missing.append(item.text)
        elif item.kind == ItemKind.PHOTO and not any(reading.pk in with_photos for reading in readings[item.pk]):
            missing.append(_("%(check)s (no photo yet)") % {"check": item.text})
    return items, readings, missing


def _item_verdicts(items: list[ChecklistItem], readings: dict[int, list[Reading]]) -> list[rules.ItemResult]:
    return [
        rules.ItemResult(
            item.severity,
            None
            if all(reading.passed is None for reading in readings[item.pk])
            else all(reading.passed is not False for reading in readings[item.pk]),
        )
        for item in items
    ]


def outcome_of(items: list[ChecklistItem], readings: dict[int, list[Reading]]) -> str:
    """The outcome signing off would give with these readings (what the sign-off button previews)."""
    return rules.outcome(_item_verdicts(items, readings))


@transaction.atomic
def inspection_sign(*, actor: User, inspection: Inspection, remarks: str | None = None) -> Inspection:
    """Compute the outcome from the items and sign the inspection off; open non-conformances for the
    failed items (one each, or one for the inspection, by the organisation's setting)."""
    project, inspection = _lock(inspection)
    _check_open(inspection)
    if inspection.inspector_id is not None and inspection.inspector_id != actor.pk:
        raise ApplicationError(_("Only the inspector signs the inspection off."), code="not_the_inspector")
    items, readings, missing = item_results(inspection)
    if missing:
        message = _("Record every check before signing off. Missing: %(checks)s.") % {"checks": "; ".join(missing)}
        raise ApplicationError(message, code="inspection_incomplete")
    results = _item_verdicts(items, readings)
    before = snapshot(inspection, ["status", "outcome", "remarks"])
    inspection.outcome = rules.outcome(results)
    inspection.status = InspectionStatus.SIGNED
    if remarks is not None:
        inspection.remarks = remarks.strip()
    inspection.inspector = inspection.inspector or actor
    inspection.inspected_on = inspection.inspected_on or project.organization.today()
    inspection.signed_by, inspection.signed_at = actor, timezone.now()
    inspection.updated_at = inspection.signed_at
    validated(inspection)
    inspection.save()
    audit_record(
        organization=project.organization,
        actor=actor,
        action="inspection.signed",
        target=inspection,
        changes=diff(before, snapshot(inspection, ["status", "outcome", "remarks"])),
    )
    failed = [
        (item, next(reading for reading in readings[item.pk] if reading.passed is False))
        for item, result in zip(items, results, strict=True)
        if result.passed is False
    ]
    if failed:
        _open_non_conformances(actor, project, inspection, failed)
    return inspection


def _open_non_conformances(
    actor: User, project: Project, inspection: Inspection, failed: list[tuple[ChecklistItem, Reading]]
) -> list[NonConformance]:
    from quality.services.ncs import nc_raise

    settings = quality_settings_for(project.organization_id)
    location = inspection.location
    if settings.nc_mode == NcMode.PER_INSPECTION:
        worst = max((item.severity for item, _reading in failed), key=lambda severity: _SEVERITY_RANK[severity])
        lines = [f"{item.text}: {reading.judgement}" for item, reading in failed]
        first_item, first_reading = failed[0]
        return [
            nc_raise(
                actor=actor,
                project=project,
                title=f"{inspection.code}: {in_both_languages(CHECKS_FAILED, count=len(failed))}"
                if len(failed) > 1
                else failed_item_title(inspection, first_item),
                severity=worst,
                inspection_type=inspection.inspection_type,
                description="\n".join(lines),
                wbs_element=inspection.wbs_element,
                location=location,
                inspection=inspection,
                item=first_item if len(failed) == 1 else None,
                reading=first_reading if len(failed) == 1 else None,
            )
        ]
    return [
        nc_raise(
            actor=actor,
            project=project,
            title=failed_item_title(inspection, item),
            severity=item.severity,
            inspection_type=inspection.inspection_type,
            description=reading.judgement + (f"\n{reading.note}" if reading.note else ""),
            wbs_element=inspection.wbs_element,
            location=location,
            inspection=inspection,
            item=item,
            reading=reading,
        )
        for item, reading in failed
    ]


@transaction.atomic
def inspection_cancel(*, actor: User, inspection: Inspection, reason: str) -> Inspection:
    """Cancel an inspection that will not take place (its readings are kept); a reason is required."""
    project, inspection = _lock(inspection)
    _check_open(inspection)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            _("Give the reason for cancelling."), code="invalid", fields={"reason": [_("This field is required.")]}
        )
    before = snapshot(inspection, ["status", "cancel_reason"])
    inspection.status, inspection.cancel_reason = InspectionStatus.CANCELLED, reason
    inspection.updated_at = timezone.now()
    inspection.save(update_fields=["status", "cancel_reason", "updated_at"])
    audit_record(
        organization=project.organization,
        actor=actor,
        action="inspection.cancelled",
        target=inspection,
        changes=diff(before, snapshot(inspection, ["status", "cancel_reason"])),
    )
    return inspection


def hold_point_reason(task: WbsElement) -> str | None:
    """Why a task under a hold point may not be reported complete yet (None when it may): the
    ``projects.registries.completion_guards`` hook quality fills. A hold point on a summary holds
    every task beneath it: the task's own WBS code and its ancestors' (1, 1.2 for 1.2.3) are looked up."""
    parts = task.code.split(".")
    codes = [".".join(parts[: length + 1]) for length in range(len(parts))]
    entries = list(
        PlanEntry.objects.for_organization(task.organization_id)
        .filter(Q(wbs_element=task) | Q(wbs_element__project_id=task.project_id, wbs_element__code__in=codes))
        .filter(hold_point=True)
        .values_list("pk", "template_code")
    )
    if not entries:
        return None
    passed = set(
        Inspection.objects.for_organization(task.organization_id)
        .filter(
            plan_entry_id__in=[pk for pk, _code in entries],
            status=InspectionStatus.SIGNED,
            outcome__in=[Outcome.PASSED, Outcome.PASSED_WITH_REMARKS],
        )
        .values_list("plan_entry_id", flat=True)
    )
    waiting = sorted({code for pk, code in entries if pk not in passed})
    if not waiting:
        return None
    return _("Hold point: the task cannot be reported complete until its inspection has passed (%(templates)s).") % {
        "templates": ", ".join(waiting)
    }
