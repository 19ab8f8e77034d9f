"""Writes of the organisation's quality library: standards, inspection types, checklist templates
with their items, and the quality settings.

A template version that an inspection used is never changed: editing it makes the next version,
the current one from then on, and the inspection keeps the version it was done with. A version no
inspection used yet is edited in place. Items are checked field by field (:func:`item_problems`),
so that a form and the API name the field that is wrong; numeric limits are checked by
``quality.rules.Limit.problems``, the same rules that judge the readings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from pmo.audit import audit_record, diff, snapshot
from pmo.errors import ApplicationError
from pmo.models import Organization, User
from projects.models.project import ProjectRole
from quality import rules
from quality.models import (
    ChecklistItem,
    ChecklistTemplate,
    Discipline,
    Inspection,
    InspectionType,
    ItemKind,
    NcMode,
    QualitySettings,
    Standard,
)
from quality.services.settings import inspection_types_ensure_defaults, quality_settings_for, validated

STANDARD_FIELDS = ["code", "title", "clause", "notes"]
TYPE_FIELDS = ["code", "name_zh", "name_en", "discipline", "position"]
#: What a built-in type lets the organisation change: its names and place, never its code or discipline.
BUILTIN_TYPE_FIELDS = {"name_zh", "name_en", "position"}
TEMPLATE_FIELDS = ["name_zh", "name_en", "inspection_type", "description"]
ITEM_FIELDS = [
    "text_zh",
    "text_en",
    "kind",
    "severity",
    "standard",
    "max_readings",
    "unit",
    "comparator",
    "limit_a",
    "limit_b",
    "second_label",
    "second_unit",
    "second_comparator",
    "second_limit_a",
    "second_limit_b",
    "options",
]
SETTINGS_FIELDS = ["nc_mode", "due_days_critical", "due_days_major", "due_days_minor", "field_inspector_roles"]
NUMERIC_KINDS = frozenset({ItemKind.NUMERIC, ItemKind.COMPOUND})
TEMPLATE_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
OPTION_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
MAX_OPTIONS = 30
MAX_ITEMS = 200
MAX_DUE_DAYS = 365


def _refuse_unknown(fields: Mapping[str, Any], allowed: Sequence[str] | set[str]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ApplicationError(
            _("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))},
            code="unknown_field",
            fields={field: [_("This field cannot be changed.")] for field in sorted(unknown)},
        )


def _named(name_zh: str, name_en: str, what: str = "name") -> tuple[str, str]:
    name_zh, name_en = (name_zh or "").strip(), (name_en or "").strip()
    if not name_zh and not name_en:
        message = _("Give it a name in at least one language.")
        raise ApplicationError(message, fields={f"{what}_zh": [message], f"{what}_en": [message]})
    return name_zh, name_en


def _own(organization_id: int, row: Any, field: str) -> None:
    """A related row must be the organisation's own; another's looks nonexistent."""
    if row is not None and row.organization_id != organization_id:
        raise ApplicationError(_("Not found."), code="not_found", fields={field: [_("Not found.")]})


# Standards


def _check_standard_unique(standard: Standard) -> None:
    clash = Standard.objects.for_organization(standard.organization_id).filter(
        code=standard.code, clause=standard.clause
    )
    if standard.pk is not None:
        clash = clash.exclude(pk=standard.pk)
    if clash.exists():
        message = _("The library already has this clause of this standard.")
        raise ApplicationError(message, code="duplicate_standard", fields={"code": [message], "clause": [message]})


def _clean_standard(standard: Standard) -> None:
    standard.code = (standard.code or "").strip()
    standard.title = (standard.title or "").strip()
    standard.clause = (standard.clause or "").strip()
    if not standard.code:
        message = _("Enter the standard's number.")
        raise ApplicationError(message, fields={"code": [message]})
    if not standard.title:
        message = _("Enter the standard's title.")
        raise ApplicationError(message, fields={"title": [message]})
    _check_standard_unique(standard)
    validated(standard, exclude=["organization"])


@transaction.atomic
def standard_create(
    *, actor: User, organization: Organization, code: str, title: str, clause: str = "", notes: str = ""
) -> Standard:
    """Add a standard's clause to the library (a number and clause appear once)."""
    standard = Standard(organization=organization, code=code, title=title, clause=clause, notes=notes)
    _clean_standard(standard)
    standard.save()
    audit_record(
        organization=organization,
        actor=actor,
        action="quality_standard.created",
        target=standard,
        changes=diff({}, snapshot(standard, STANDARD_FIELDS)),
    )
    return standard


@transaction.atomic
def standard_update(*, actor: User, standard: Standard, **fields: Any) -> Standard:
    """Correct a standard's number, title, clause or notes; items that cite it follow."""
    _refuse_unknown(fields, STANDARD_FIELDS)
    standard = Standard.objects.for_organization(standard.organization_id).select_for_update().get(pk=standard.pk)
    before = snapshot(standard, STANDARD_FIELDS)
    for field, value in fields.items():
        setattr(standard, field, value)
    _clean_standard(standard)
    changes = diff(before, snapshot(standard, STANDARD_FIELDS))
    if changes:
        standard.save()
        audit_record(
            organization=standard.organization,
            actor=actor,
            action="quality_standard.updated",
            target=standard,
            changes=changes,
        )
    return standard


def standard_in_use(standard: Standard) -> bool:
    return ChecklistItem.objects.for_organization(standard.organization_id).filter(standard=standard).exists()


@transaction.atomic
def standard_delete(*, actor: User, standard: Standard) -> None:
    """Remove a standard no checklist item cites (any version); a cited one stays."""
    standard = Standard.objects.for_organization(standard.organization_id).select_for_update().get(pk=standard.pk)
    if standard_in_use(standard):
        raise ApplicationError(
            _("Checklist items cite this standard: it cannot be deleted."), code="standard_in_use", status_code=409
        )
    audit_record(
        organization=standard.organization,
        actor=actor,
        action="quality_standard.deleted",
        target=standard,
        changes=diff(snapshot(standard, STANDARD_FIELDS), {}),
    )
    standard.delete()


# Inspection types


def _clean_type(inspection_type: InspectionType) -> None:
    inspection_type.code = (inspection_type.code or "").strip().lower()
    inspection_type.name_zh, inspection_type.name_en = _named(inspection_type.name_zh, inspection_type.name_en)
    if not inspection_type.code:
        message = _("Give the inspection type a code.")
        raise ApplicationError(message, fields={"code": [message]})
    if inspection_type.discipline not in Discipline.values:
        message = _("Choose a discipline.")
        raise ApplicationError(message, fields={"discipline": [message]})
    clash = InspectionType.objects.for_organization(inspection_type.organization_id).filter(code=inspection_type.code)
    if inspection_type.pk is not None:
        clash = clash.exclude(pk=inspection_type.pk)
    if clash.exists():
        message = _("An inspection type with this code already exists.")
        raise ApplicationError(message, code="duplicate_code", fields={"code": [message]})
    validated(inspection_type, exclude=["organization"])


@transaction.atomic
def inspection_type_create(
    *,
    actor: User,
    organization: Organization,
    code: str,
    name_zh: str = "",
    name_en: str = "",
    discipline: str = Discipline.QUALITY,
    position: int | None = None,
) -> InspectionType:
    """Add an inspection type of the organisation's own; its discipline says who may inspect with it."""
    inspection_types_ensure_defaults(organization)
    if position is None:
        highest = InspectionType.objects.for_organization(organization).aggregate(highest=Max("position"))
        position = (highest["highest"] or 0) + 1
    inspection_type = InspectionType(
        organization=organization,
        code=code,
        name_zh=name_zh,
        name_en=name_en,
        discipline=discipline,
        position=position,
    )
    _clean_type(inspection_type)
    inspection_type.save()
    audit_record(
        organization=organization,
        actor=actor,
        action="quality_inspection_type.created",
        target=inspection_type,
        changes=diff({}, snapshot(inspection_type, TYPE_FIELDS)),
    )
    return inspection_type


@transaction.atomic
def inspection_type_update(*, actor: User, inspection_type: InspectionType, **fields: Any) -> InspectionType:
    """Rename or reorder a type; a built-in type keeps its code and discipline."""
    _refuse_unknown(fields, TYPE_FIELDS)
    inspection_type = (
        InspectionType.objects.for_organization(inspection_type.organization_id)
        .select_for_update()
        .get(pk=inspection_type.pk)
    )
    before = snapshot(inspection_type, TYPE_FIELDS)
    if inspection_type.builtin:
        fixed = sorted(
            field for field in set(fields) - BUILTIN_TYPE_FIELDS if fields[field] != getattr(inspection_type, field)
        )
        if fixed:
            message = _("A built-in inspection type keeps its code and discipline.")
            raise ApplicationError(message, code="builtin_type", fields={field: [message] for field in fixed})
    for field, value in fields.items():
        setattr(inspection_type, field, value)
    _clean_type(inspection_type)
    changes = diff(before, snapshot(inspection_type, TYPE_FIELDS))
    if changes:
        inspection_type.save()
        audit_record(
            organization=inspection_type.organization,
            actor=actor,
            action="quality_inspection_type.updated",
            target=inspection_type,
            changes=changes,
        )
    return inspection_type


# Checklist items


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def _limit_problems(problems: dict[str, list[str]], item: dict[str, Any], prefix: str = "") -> None:
    comparator, a, b = item.get(f"{prefix}comparator") or "", item.get(f"{prefix}limit_a"), item.get(f"{prefix}limit_b")
    if comparator not in rules.COMPARATORS:
        problems.setdefault(f"{prefix}comparator", []).append(_("Choose a comparator."))
        return
    if a is None:
        if comparator == rules.BETWEEN:
            message = _("Enter the lower limit.")
        elif comparator == rules.TOLERANCE:
            message = _("Enter the target.")
        else:
            message = _("Enter the limit.")
        problems.setdefault(f"{prefix}limit_a", []).append(message)
        return
    for problem in rules.Limit(comparator, a, b).problems():
        problems.setdefault(f"{prefix}limit_b", []).append(problem)


def _option_problems(problems: dict[str, list[str]], options: Any) -> list[dict[str, Any]]:
    """The options as stored (key, label, acceptable), with what is wrong with them."""
    cleaned: list[dict[str, Any]] = []
    if not isinstance(options, list):
        problems.setdefault("options", []).append(_("List the options."))
        return cleaned
    keys: set[str] = set()
    for position, option in enumerate(options, start=1):
        if not isinstance(option, Mapping):
            problems.setdefault("options", []).append(_("Option %(number)s is not an option.") % {"number": position})
            continue
        key = str(option.get("key") or "").strip()
        label = str(option.get("label") or "").strip() or key
        if not key:
            problems.setdefault("options", []).append(_("Option %(number)s needs a key.") % {"number": position})
        elif len(key) > 64 or not OPTION_KEY.match(key):
            problems.setdefault("options", []).append(
                _("Option key “%(key)s”: use up to 64 letters, digits, - and _.") % {"key": key[:64]}
            )
        elif key in keys:
            problems.setdefault("options", []).append(_("Option key “%(key)s” appears more than once.") % {"key": key})
        keys.add(key)
        if len(label) > 100:
            problems.setdefault("options", []).append(
                _("Option %(number)s: a label has at most 100 characters.") % {"number": position}
            )
        cleaned.append({"key": key, "label": label, "acceptable": bool(option.get("acceptable"))})
    if len(cleaned) < 2:
        problems.setdefault("options", []).append(_("A choice needs at least two options."))
    elif len(cleaned) > MAX_OPTIONS:
        problems.setdefault("options", []).append(_("A choice has at most %(count)s options.") % {"count": MAX_OPTIONS})
    if cleaned and not any(option["acceptable"] for option in cleaned):
        problems.setdefault("options", []).append(_("Mark at least one option as acceptable."))
    return cleaned


def item_normalised(item: Mapping[str, Any]) -> dict[str, Any]:
    """An item's fields as stored: what its kind does not use is emptied, text stripped."""
    kind = item.get("kind") or ItemKind.PASS_FAIL
    data: dict[str, Any] = {
        "text_zh": str(item.get("text_zh") or "").strip(),
        "text_en": str(item.get("text_en") or "").strip(),
        "kind": kind,
        "severity": item.get("severity") or rules.MINOR,
        "standard": item.get("standard"),
        "max_readings": item.get("max_readings") if item.get("max_readings") not in (None, "") else 1,
        "unit": "",
        "comparator": "",
        "limit_a": None,
        "limit_b": None,
        "second_label": "",
        "second_unit": "",
        "second_comparator": "",
        "second_limit_a": None,
        "second_limit_b": None,
        "options": [],
    }
    if kind in NUMERIC_KINDS:
        data["unit"] = str(item.get("unit") or "").strip()
        data["comparator"] = item.get("comparator") or ""
        data["limit_a"] = _decimal(item.get("limit_a"))
        data["limit_b"] = _decimal(item.get("limit_b")) if data["comparator"] in rules.TWO_LIMITS else None
    if kind == ItemKind.COMPOUND:
        data["second_label"] = str(item.get("second_label") or "").strip()
        data["second_unit"] = str(item.get("second_unit") or "").strip()
        data["second_comparator"] = item.get("second_comparator") or ""
        data["second_limit_a"] = _decimal(item.get("second_limit_a"))
        data["second_limit_b"] = (
            _decimal(item.get("second_limit_b")) if data["second_comparator"] in rules.TWO_LIMITS else None
        )
    if kind == ItemKind.CHOICE:
        data["options"] = item.get("options") if item.get("options") is not None else []
    return data


def item_problems(organization_id: int, item: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """An item's fields as stored and, field by field, what is wrong with them (empty when nothing)."""
    unknown = set(item) - set(ITEM_FIELDS) - {"id"}
    problems: dict[str, list[str]] = {field: [_("Unknown field.")] for field in sorted(unknown)}
    data = item_normalised(item)
    if not data["text_zh"] and not data["text_en"]:
        message = _("Word the check in at least one language.")
        problems["text_zh"] = [message]
        problems["text_en"] = [message]
    if data["kind"] not in ItemKind.values:
        problems["kind"] = [_("Choose a kind of check.")]
    if data["severity"] not in rules.SEVERITIES:
        problems["severity"] = [_("Choose minor, major or critical.")]
    readings = data["max_readings"]
    if not isinstance(readings, int) or isinstance(readings, bool) or not 1 <= readings <= 50:
        problems["max_readings"] = [_("Allow from 1 to 50 readings.")]
    standard = data["standard"]
    if standard is not None and (not isinstance(standard, Standard) or standard.organization_id != organization_id):
        problems["standard"] = [_("Choose a standard of the organisation's library.")]
    if data["kind"] in NUMERIC_KINDS:
        _limit_problems(problems, data)
    if data["kind"] == ItemKind.COMPOUND:
        if not data["second_label"]:
            problems.setdefault("second_label", []).append(_("Name the second reading."))
        _limit_problems(problems, data, prefix="second_")
    if data["kind"] == ItemKind.CHOICE:
        data["options"] = _option_problems(problems, data["options"])
    for field in ("limit_a", "limit_b", "second_limit_a", "second_limit_b"):
        value = data[field]
        if value is not None and (not value.is_finite() or abs(value) >= Decimal("1E10")):
            problems.setdefault(field, []).append(_("Enter a number below 10,000,000,000."))
        elif value is not None and value != value.quantize(Decimal("0.0001")):
            problems.setdefault(field, []).append(_("Use at most four decimal places."))
    for field, limit in (("unit", 16), ("second_unit", 16), ("second_label", 100), ("text_zh", 255), ("text_en", 255)):
        if len(data[field]) > limit:
            problems.setdefault(field, []).append(_("Use at most %(count)s characters.") % {"count": limit})
    return data, problems


def _items_checked(organization_id: int, items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Every item checked; the problems of all of them in one error (``items``: ``"2.limit_b: …"``)."""
    if not isinstance(items, Sequence) or isinstance(items, (str, bytes)):
        message = _("List the template's items.")
        raise ApplicationError(message, fields={"items": [message]})
    if not items:
        message = _("Add at least one item.")
        raise ApplicationError(message, code="no_items", fields={"items": [message]})
    if len(items) > MAX_ITEMS:
        message = _("A template has at most %(count)s items.") % {"count": MAX_ITEMS}
        raise ApplicationError(message, fields={"items": [message]})
    cleaned: list[dict[str, Any]] = []
    messages: list[str] = []
    first = ""
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            messages.append(f"{index}: " + _("Not an item."))
            first = first or _("Item %(number)s: %(message)s") % {"number": index + 1, "message": _("Not an item.")}
            continue
        data, problems = item_problems(organization_id, item)
        cleaned.append(data)
        for field, found in problems.items():
            for message in found:
                messages.append(f"{index}.{field}: {message}")
                first = first or _("Item %(number)s: %(message)s") % {"number": index + 1, "message": message}
    if messages:
        raise ApplicationError(first, code="invalid_items", fields={"items": messages})
    return cleaned


def _items_save(template: ChecklistTemplate, items: list[dict[str, Any]]) -> None:
    rows = [
        ChecklistItem(organization_id=template.organization_id, template=template, position=position, **data)
        for position, data in enumerate(items, start=1)
    ]
    for row in rows:
        validated(row, exclude=["organization", "template"])
    ChecklistItem.objects.bulk_create(rows)


def _item_data(item: ChecklistItem) -> dict[str, Any]:
    return {field: getattr(item, field) for field in ITEM_FIELDS}


def _plain_value(value: Any) -> Any:
    if isinstance(value, Standard):
        return value.pk
    if isinstance(value, Decimal):
        return rules.plain(value)
    return value


def _items_snapshot(items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Items as the audit keeps them and as edits compare them (numbers as written, standards by id)."""
    return [{field: _plain_value(value) for field, value in item.items()} for item in items]


# Checklist templates


def template_in_use(template: ChecklistTemplate) -> bool:
    """Whether an inspection (of any status) was made with this version."""
    return Inspection.objects.for_organization(template.organization_id).filter(template=template).exists()


def _clean_template(template: ChecklistTemplate) -> None:
    template.name_zh, template.name_en = _named(template.name_zh, template.name_en)
    template.description = (template.description or "").strip()
    inspection_type = template.inspection_type if template.inspection_type_id else None
    if inspection_type is None:
        message = _("Choose an inspection type.")
        raise ApplicationError(message, fields={"inspection_type": [message]})
    _own(template.organization_id, inspection_type, "inspection_type")
    validated(template, exclude=["organization", "created_by", "inspection_type"])


@transaction.atomic
def template_create(
    *,
    actor: User,
    organization: Organization,
    code: str,
    inspection_type: InspectionType,
    items: Sequence[Mapping[str, Any]],
    name_zh: str = "",
    name_en: str = "",
    description: str = "",
) -> ChecklistTemplate:
    """A new checklist (version 1) with its items, in the order given."""
    code = (code or "").strip()
    if not code or len(code) > 32 or not TEMPLATE_CODE.match(code):
        message = _("Give the template a code of up to 32 letters, digits, dots, - and _.")
        raise ApplicationError(message, fields={"code": [message]})
    if ChecklistTemplate.objects.for_organization(organization).filter(code=code).exists():
        message = _("A checklist template with this code already exists.")
        raise ApplicationError(message, code="duplicate_code", fields={"code": [message]})
    template = ChecklistTemplate(
        organization=organization,
        code=code,
        version=1,
        is_current=True,
        name_zh=name_zh,
        name_en=name_en,
        inspection_type=inspection_type,
        description=description,
        created_by=actor,
    )
    _clean_template(template)
    cleaned = _items_checked(organization.pk, items)
    template.save()
    _items_save(template, cleaned)
    audit_record(
        organization=organization,
        actor=actor,
        action="checklist_template.created",
        target=template,
        changes={
            **diff({}, snapshot(template, ["code", "version", *TEMPLATE_FIELDS])),
            "items": [None, _items_snapshot(cleaned)],
        },
    )
    return template


@transaction.atomic
def template_update(
    *, actor: User, template: ChecklistTemplate, items: Sequence[Mapping[str, Any]] | None = None, **fields: Any
) -> ChecklistTemplate:
    """Change the current version. If an inspection used it, the change makes the next version (the
    current one from now on, with the items given or a copy of the old ones) and the old version
    stays as it was; otherwise the version changes in place. Gives the version that now holds the change.
    """
    _refuse_unknown(fields, TEMPLATE_FIELDS)
    template = (
        ChecklistTemplate.objects.for_organization(template.organization_id)
        .select_for_update()
        .select_related("inspection_type", "organization")
        .get(pk=template.pk)
    )
    if not template.is_current:
        raise ApplicationError(
            _("This is an old version: edit the current version of %(code)s.") % {"code": template.code},
            code="not_current",
            status_code=409,
        )
    before = snapshot(template, TEMPLATE_FIELDS)
    old_items = [_item_data(item) for item in template.items.select_related("standard").order_by("position", "id")]
    edited = ChecklistTemplate(
        organization_id=template.organization_id,
        code=template.code,
        **{field: fields.get(field, getattr(template, field)) for field in TEMPLATE_FIELDS},
    )
    _clean_template(edited)
    cleaned = _items_checked(template.organization_id, items) if items is not None else old_items
    after = snapshot(edited, TEMPLATE_FIELDS)
    changes = diff(before, after)
    if _items_snapshot(cleaned) != _items_snapshot(old_items):
        changes["items"] = [_items_snapshot(old_items), _items_snapshot(cleaned)]
    if not changes:
        return template
    now = timezone.now()
    if template_in_use(template):
        template.is_current = False
        template.save(update_fields=["is_current"])
        newer = ChecklistTemplate(
            organization_id=template.organization_id,
            code=template.code,
            version=template.version + 1,
            is_current=True,
            created_by=actor,
            created_at=now,
            updated_at=now,
            **after,
        )
        newer.save()
        _items_save(newer, cleaned)
        audit_record(
            organization=template.organization,
            actor=actor,
            action="checklist_template.versioned",
            target=newer,
            changes={"version": [template.version, newer.version], **changes},
        )
        return newer
    for field, value in after.items():
        setattr(template, field, value)
    template.updated_at = now
    template.save()
    if "items" in changes:
        template.items.all().delete()
        _items_save(template, cleaned)
    audit_record(
        organization=template.organization,
        actor=actor,
        action="checklist_template.updated",
        target=template,
        changes=changes,
    )
    return template


# Settings


@transaction.atomic
def quality_settings_update(*, actor: User, organization: Organization, **fields: Any) -> QualitySettings:
    """Change how failed inspections open non-conformances, when those are due, and which project
    roles may carry out safety and environment inspections."""
    _refuse_unknown(fields, SETTINGS_FIELDS)
    quality_settings_for(organization)
    settings = QualitySettings.objects.for_organization(organization).select_for_update().get()
    before = snapshot(settings, SETTINGS_FIELDS)
    problems: dict[str, list[str]] = {}
    if "nc_mode" in fields and fields["nc_mode"] not in NcMode.values:
        problems["nc_mode"] = [_("Choose one per failed item or one per failed inspection.")]
    for field in ("due_days_critical", "due_days_major", "due_days_minor"):
        if field in fields:
            value = fields[field]
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_DUE_DAYS:
                problems[field] = [_("Enter a number of days from 1 to %(most)s.") % {"most": MAX_DUE_DAYS}]
    if "field_inspector_roles" in fields:
        roles = fields["field_inspector_roles"]
        if not isinstance(roles, (list, tuple)) or any(role not in ProjectRole.values for role in roles):
            problems["field_inspector_roles"] = [_("Choose project roles.")]
        else:
            fields["field_inspector_roles"] = [role for role in ProjectRole.values if role in roles]
    if problems:
        first = next(iter(problems.values()))[0]
        raise ApplicationError(first, code="invalid", fields=problems)
    for field, value in fields.items():
        setattr(settings, field, value)
    validated(settings, exclude=["organization"])
    changes = diff(before, snapshot(settings, SETTINGS_FIELDS))
    if not changes:
        return settings
    settings.updated_at = timezone.now()
    settings.save()
    audit_record(
        organization=organization,
        actor=actor,
        action="quality_settings.updated",
        target=settings,
        changes=changes,
    )
    return settings
