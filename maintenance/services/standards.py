"""The organisation's maintenance standards: asset categories and their criteria.

Categories are created, edited, retired and restored; criteria are added, edited, retired and
restored. A criterion's rule (what is measured, the defect condition, the default priority, the
guidance) lives in its versions: an edit that changes the rule makes a new version and the old
one stays, no longer current, so a reading keeps the version it was judged by. A built-in
category or criterion (``maintenance.standards``) keeps its code, which the catalogue knows it by.

Every write checks its input first and raises one ``ApplicationError`` naming each bad field, so
nothing is written on a refusal, and records an audit event in the same transaction.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.core.validators import validate_slug
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from maintenance.models import AssetCategory, Criterion, CriterionKind, CriterionVersion, DefectWhen, Priority
from maintenance.standards import ensure_catalogue
from pmo.audit import audit_record, diff, snapshot
from pmo.concurrency import locked_row
from pmo.errors import ApplicationError
from pmo.models import Organization, User

CATEGORY_FIELDS = ["code", "name_zh", "name_en", "position"]
CRITERION_FIELDS = ["code", "position"]
#: The fields a reading is judged by (and the rule's text is written from).
JUDGED_FIELDS = [
    "kind",
    "measure_zh",
    "measure_en",
    "unit",
    "defect_when",
    "limit",
    "second_measure_zh",
    "second_measure_en",
    "second_unit",
    "second_defect_when",
    "second_limit",
]
#: The fields of a criterion's rule: changing any of them makes a new version.
RULE_FIELDS = [*JUDGED_FIELDS, "priority", "notes_zh", "notes_en"]
SECOND_FIELDS = ["second_measure_zh", "second_measure_en", "second_unit", "second_defect_when", "second_limit"]
TEXT_LIMITS = {"measure_zh": 120, "measure_en": 120, "second_measure_zh": 120, "second_measure_en": 120}
UNIT_LENGTH = 16
NAME_LENGTH = 100
CODE_LENGTH = 40
#: A limit fits the column: 12 digits, 4 of them after the point.
MAX_LIMIT = Decimal("99999999.9999")
HUNDRED = Decimal(100)
PERCENT = "%"


class Problems:
    """Field problems collected before one refusal."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, []).append(str(message))

    def raise_if_any(self, code: str = "invalid") -> None:
        if self.fields:
            first = next(iter(self.fields.values()))[0]
            raise ApplicationError(first, code=code, fields=self.fields)


def _refuse_unknown(fields: dict[str, Any], allowed: list[str]) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise ApplicationError(
            _("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(unknown)},
            code="unknown_field",
            fields={field: [_("This field cannot be changed.")] for field in unknown},
        )


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _code(value: Any, problems: Problems) -> str:
    code = _text(value).lower()
    if not code:
        problems.add("code", _("Give it a code."))
    elif len(code) > CODE_LENGTH:
        problems.add("code", _("A code has at most %(count)d characters.") % {"count": CODE_LENGTH})
    else:
        try:
            validate_slug(code)
        except Exception:  # noqa: BLE001 - Django's ValidationError; the message below says what to type
            problems.add("code", _("Use letters, digits, hyphens and underscores only in a code."))
    return code


def _position(value: Any, problems: Problems) -> int | None:
    if value is None or value == "":
        return None
    try:
        position = int(value)
    except (TypeError, ValueError):
        problems.add("position", _("A position is a whole number."))
        return None
    if not 0 <= position <= 32767:
        problems.add("position", _("A position is between 0 and 32767."))
    return position


def _decimal(value: Any, field: str, problems: Problems, *, required: bool) -> Decimal | None:
    if value is None or value == "":
        if required:
            problems.add(field, _("Enter the limit."))
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        problems.add(field, _("Enter the limit as a number."))
        return None
    if not number.is_finite():
        problems.add(field, _("Enter the limit as a number."))
        return None
    if number < 0:
        problems.add(field, _("A limit cannot be negative."))
    elif number > MAX_LIMIT:
        problems.add(field, _("A limit is at most %(max)s.") % {"max": MAX_LIMIT})
    elif number != number.quantize(Decimal("0.0001")):
        problems.add(field, _("A limit has at most four decimal places."))
    return number


# Categories


def _clean_category(category: AssetCategory, fields: dict[str, Any], problems: Problems) -> None:
    if "code" in fields:
        code = _code(fields["code"], problems)
        if category.builtin and category.pk is not None and code != category.code:
            problems.add("code", _("A built-in category keeps its code."))
        category.code = code
    for field in ("name_zh", "name_en"):
        if field in fields:
            value = _text(fields[field])
            if len(value) > NAME_LENGTH:
                problems.add(field, _("A name has at most %(count)d characters.") % {"count": NAME_LENGTH})
            setattr(category, field, value)
    if not category.name_zh and not category.name_en:
        message = _("Give it a name in at least one language.")
        problems.add("name_zh", message)
        problems.add("name_en", message)
    if "position" in fields:
        position = _position(fields["position"], problems)
        if position is not None:
            category.position = position
    if category.code and "code" not in problems.fields:
        clash = AssetCategory.objects.for_organization(category.organization_id).filter(code=category.code)
        if category.pk is not None:
            clash = clash.exclude(pk=category.pk)
        if clash.exists():
            problems.add("code", _("A category with this code already exists."))
            problems.raise_if_any(code="duplicate_code")
    problems.raise_if_any()


@transaction.atomic
def category_create(
    *,
    actor: User,
    organization: Organization,
    code: str,
    name_zh: str = "",
    name_en: str = "",
    position: int | None = None,
) -> AssetCategory:
    """Add a category of the organisation's own (the built-in ones arrive with the catalogue)."""
    ensure_catalogue(organization)
    category = AssetCategory(organization=organization)
    _clean_category(category, {"code": code, "name_zh": name_zh, "name_en": name_en, "position": position}, Problems())
    if position is None or position == "":
        highest = AssetCategory.objects.for_organization(organization).aggregate(highest=Max("position"))
        category.position = (highest["highest"] or 0) + 10
    category.save()
    audit_record(
        organization=organization,
        actor=actor,
        action="maintenance_category.created",
        target=category,
        changes=diff({}, snapshot(category, CATEGORY_FIELDS)),
    )
    return category


@transaction.atomic
def category_update(*, actor: User, category: AssetCategory, **fields: Any) -> AssetCategory:
    """Rename, recode or reorder a category; a built-in one keeps its code."""
    _refuse_unknown(fields, CATEGORY_FIELDS)
    category = cast(AssetCategory, locked_row(category))
    before = snapshot(category, CATEGORY_FIELDS)
    _clean_category(category, fields, Problems())
    changes = diff(before, snapshot(category, CATEGORY_FIELDS))
    if changes:
        category.save(update_fields=list(changes))
        audit_record(
            organization=category.organization,
            actor=actor,
            action="maintenance_category.updated",
            target=category,
            changes=changes,
        )
    return category


def _set_category_active(actor: User, category: AssetCategory, active: bool) -> AssetCategory:
    category = cast(AssetCategory, locked_row(category))
    if category.is_active == active:
        message = _("The category is already in use.") if active else _("The category is already retired.")
        raise ApplicationError(message, code="invalid_state")
    category.is_active = active
    category.save(update_fields=["is_active"])
    audit_record(
        organization=category.organization,
        actor=actor,
        action="maintenance_category.restored" if active else "maintenance_category.retired",
        target=category,
        changes={"is_active": [not active, active]},
    )
    return category


@transaction.atomic
def category_retire(*, actor: User, category: AssetCategory) -> AssetCategory:
    """Take a category out of use: no new assets or criteria in it; its assets and criteria stay."""
    return _set_category_active(actor, category, False)


@transaction.atomic
def category_restore(*, actor: User, category: AssetCategory) -> AssetCategory:
    return _set_category_active(actor, category, True)


# Criteria


def rule_problems(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The rule ``values`` as they would be stored, and what is wrong with them (empty when nothing).

    A compound rule needs its second measure, condition and limit; other kinds drop them. A
    percentage rule's limit is a share from 0 to 100 and its unit is ``%``.
    """
    problems = Problems()
    rule: dict[str, Any] = {field: values.get(field) for field in RULE_FIELDS}
    kind = _text(rule["kind"]) or CriterionKind.NUMERIC
    if kind not in CriterionKind.values:
        problems.add("kind", _("Choose a kind of criterion."))
    rule["kind"] = kind
    for field in ("measure_zh", "measure_en", "second_measure_zh", "second_measure_en", "notes_zh", "notes_en"):
        rule[field] = _text(rule[field])
        limit = TEXT_LIMITS.get(field)
        if limit and len(rule[field]) > limit:
            problems.add(field, _("At most %(count)d characters.") % {"count": limit})
    if not rule["measure_zh"] and not rule["measure_en"]:
        message = _("Say what is measured, in at least one language.")
        problems.add("measure_zh", message)
        problems.add("measure_en", message)
    for field in ("unit", "second_unit"):
        rule[field] = _text(rule[field])
        if len(rule[field]) > UNIT_LENGTH:
            problems.add(field, _("A unit has at most %(count)d characters.") % {"count": UNIT_LENGTH})
    rule["defect_when"] = _text(rule["defect_when"])
    if rule["defect_when"] not in DefectWhen.values:
        problems.add("defect_when", _("Choose when a reading is a defect (>, ≥, < or ≤)."))
    rule["limit"] = _decimal(rule["limit"], "limit", problems, required=True)
    rule["priority"] = _text(rule["priority"]) or Priority.P3
    if rule["priority"] not in Priority.values:
        problems.add("priority", _("Choose a priority from P1 to P4."))
    if kind == CriterionKind.PERCENTAGE:
        rule["unit"] = PERCENT
        if rule["limit"] is not None and rule["limit"] > HUNDRED and "limit" not in problems.fields:
            problems.add("limit", _("A percentage limit is between 0 and 100."))
    if kind == CriterionKind.COMPOUND:
        if not rule["second_measure_zh"] and not rule["second_measure_en"]:
            message = _("A compound criterion needs its second measure, in at least one language.")
            problems.add("second_measure_zh", message)
            problems.add("second_measure_en", message)
        rule["second_defect_when"] = _text(rule["second_defect_when"])
        if rule["second_defect_when"] not in DefectWhen.values:
            problems.add("second_defect_when", _("A compound criterion needs the second reading's condition."))
        if rule["second_limit"] is None or rule["second_limit"] == "":
            problems.add("second_limit", _("A compound criterion needs the second reading's limit."))
            rule["second_limit"] = None
        else:
            rule["second_limit"] = _decimal(rule["second_limit"], "second_limit", problems, required=True)
    else:
        rule.update({"second_measure_zh": "", "second_measure_en": "", "second_unit": ""})
        rule.update({"second_defect_when": "", "second_limit": None})
    return rule, problems.fields


def _rule_of(version: CriterionVersion) -> dict[str, Any]:
    return snapshot(version, RULE_FIELDS)


def current_version(criterion: Criterion) -> CriterionVersion:
    """The criterion's version in force (one query unless prefetched as ``current_versions``)."""
    prefetched = getattr(criterion, "current_versions", None)
    if prefetched:
        return prefetched[0]
    return CriterionVersion.objects.for_organization(criterion.organization_id).get(
        criterion=criterion, is_current=True
    )


def _check_code(organization_id: int, category: AssetCategory, code: str, exclude: int | None) -> None:
    clash = Criterion.objects.for_organization(organization_id).filter(category=category, code=code)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        message = _("The category already has a criterion with this code.")
        raise ApplicationError(message, code="duplicate_code", fields={"code": [message]})


@transaction.atomic
def criterion_add(
    *, actor: User, category: AssetCategory, code: str, position: int | None = None, **rule: Any
) -> Criterion:
    """Add a criterion to a category in use, with its first version."""
    _refuse_unknown(rule, RULE_FIELDS)
    category = cast(AssetCategory, locked_row(category))
    problems = Problems()
    code = _code(code, problems)
    checked_position = _position(position, problems)
    stored, rule_fields = rule_problems(rule)
    for field, messages in rule_fields.items():
        for message in messages:
            problems.add(field, message)
    if not category.is_active:
        problems.add("category", _("Restore the category before adding criteria to it."))
    problems.raise_if_any()
    _check_code(category.organization_id, category, code, None)
    if checked_position is None:
        highest = Criterion.objects.for_organization(category.organization_id).filter(category=category)
        checked_position = (highest.aggregate(highest=Max("position"))["highest"] or 0) + 10
    criterion = Criterion.objects.create(
        organization_id=category.organization_id, category=category, code=code, position=checked_position
    )
    version = CriterionVersion.objects.create(
        organization_id=category.organization_id,
        criterion=criterion,
        version=1,
        is_current=True,
        created_by=actor,
        **stored,
    )
    audit_record(
        organization=category.organization,
        actor=actor,
        action="maintenance_criterion.created",
        target=criterion,
        changes={
            **diff({}, {"category": category.pk, **snapshot(criterion, CRITERION_FIELDS)}),
            **diff({}, _rule_of(version)),
            "version": [None, 1],
        },
    )
    return criterion


@transaction.atomic
def criterion_update(*, actor: User, criterion: Criterion, **fields: Any) -> Criterion:
    """Change a criterion's code or position, and its rule: a changed rule becomes a new current
    version (the old one kept for the readings judged by it). Fields not given keep their value."""
    _refuse_unknown(fields, CRITERION_FIELDS + RULE_FIELDS)
    criterion = cast(Criterion, locked_row(criterion))
    problems = Problems()
    before = snapshot(criterion, CRITERION_FIELDS)
    if "code" in fields:
        code = _code(fields["code"], problems)
        if criterion.builtin and code != criterion.code:
            problems.add("code", _("A built-in criterion keeps its code."))
        criterion.code = code
    if "position" in fields:
        position = _position(fields["position"], problems)
        if position is not None:
            criterion.position = position
    old = current_version(criterion)
    old_rule = _rule_of(old)
    rule, rule_fields = rule_problems({**old_rule, **{k: v for k, v in fields.items() if k in RULE_FIELDS}})
    for field, messages in rule_fields.items():
        for message in messages:
            problems.add(field, message)
    problems.raise_if_any()
    if criterion.code != before["code"]:
        _check_code(criterion.organization_id, criterion.category, criterion.code, criterion.pk)
    changes = diff(before, snapshot(criterion, CRITERION_FIELDS))
    if changes:
        criterion.save(update_fields=list(changes))
    rule_changes = {field: [old_rule[field], rule[field]] for field in RULE_FIELDS if old_rule[field] != rule[field]}
    if rule_changes:
        CriterionVersion.objects.for_organization(criterion.organization_id).filter(pk=old.pk).update(is_current=False)
        new = CriterionVersion.objects.create(
            organization_id=criterion.organization_id,
            criterion=criterion,
            version=old.version + 1,
            is_current=True,
            created_by=actor,
            **rule,
        )
        changes.update(rule_changes)
        changes["version"] = [old.version, new.version]
        criterion.current_versions = [new]  # type: ignore[attr-defined]
    if changes:
        audit_record(
            organization=criterion.organization,
            actor=actor,
            action="maintenance_criterion.updated",
            target=criterion,
            changes=changes,
        )
    return criterion


@transaction.atomic
def criterion_retire(*, actor: User, criterion: Criterion) -> Criterion:
    """Stop inspecting against a criterion; its versions and the readings judged by them stay."""
    criterion = cast(Criterion, locked_row(criterion))
    if criterion.retired_at is not None:
        raise ApplicationError(_("The criterion is already retired."), code="invalid_state")
    criterion.retired_at = timezone.now()
    criterion.save(update_fields=["retired_at"])
    audit_record(
        organization=criterion.organization,
        actor=actor,
        action="maintenance_criterion.retired",
        target=criterion,
        changes={"retired_at": [None, criterion.retired_at]},
    )
    return criterion


@transaction.atomic
def criterion_restore(*, actor: User, criterion: Criterion) -> Criterion:
    """Inspect against a retired criterion again, with its current version; its category must be in use."""
    criterion = cast(Criterion, locked_row(criterion))
    if criterion.retired_at is None:
        raise ApplicationError(_("The criterion is not retired."), code="invalid_state")
    if not AssetCategory.objects.for_organization(criterion.organization_id).get(pk=criterion.category_id).is_active:
        raise ApplicationError(_("Restore the category before its criteria."), code="invalid_state")
    retired_at = criterion.retired_at
    criterion.retired_at = None
    criterion.save(update_fields=["retired_at"])
    audit_record(
        organization=criterion.organization,
        actor=actor,
        action="maintenance_criterion.restored",
        target=criterion,
        changes={"retired_at": [retired_at, None]},
    )
    return criterion
