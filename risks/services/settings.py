"""Writes of the organisation's risk rules: the matrix and scoring settings, and the categories (RBS).

Every organisation starts with default settings and the ten default categories; they arrive with the
first read (:func:`risk_settings_for`, :func:`risk_categories_ensure_defaults`). A category is
switched off, never deleted: risks keep pointing at it. Changing the matrix, the impact rule, the
probability bands or the review intervals re-derives every open risk's figures in the same
transaction, so that the register never shows a level the matrix no longer gives.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pmo.audit import audit_record, diff, snapshot
from pmo.errors import ApplicationError
from pmo.models import Organization, User
from risks import scoring
from risks.models import RiskCategory, RiskSettings

DEFAULT_CATEGORIES: list[tuple[str, str, str]] = [
    ("technical", "技术", "Technical"),
    ("schedule", "进度", "Schedule"),
    ("cost", "成本", "Cost"),
    ("safety", "安全", "Safety"),
    ("environment", "环境", "Environment"),
    ("quality", "质量", "Quality"),
    ("contractual", "合同", "Contractual"),
    ("supplier", "供应商", "Supplier"),
    ("external", "外部", "External"),
    ("organisational", "组织", "Organisational"),
]
SETTINGS_FIELDS = [
    "impact_rule",
    "matrix",
    "appetite",
    "percent_1",
    "percent_2",
    "percent_3",
    "percent_4",
    "percent_5",
    "review_days_high",
    "review_days_medium",
    "review_days_low",
    "confidence",
    "optimistic_percent",
    "pessimistic_percent",
]
# Fields whose change alters an open risk's derived figures.
DERIVING_FIELDS = {"impact_rule", "matrix", "review_days_high", "review_days_medium", "review_days_low"}
CATEGORY_FIELDS = ["name_zh", "name_en", "order", "is_active"]


def validated(instance: models.Model, exclude: list[str] | None = None) -> None:
    """Run the model's validation and constraints; a failure becomes an ``ApplicationError`` naming the fields."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise ApplicationError(
            "; ".join(error.messages), code="invalid", fields=getattr(error, "message_dict", {})
        ) from error


def risk_settings_for(organization: Organization | int) -> RiskSettings:
    """The organisation's risk settings, created with the defaults on first read."""
    organization_id = organization if isinstance(organization, int) else organization.pk
    found = RiskSettings.objects.for_organization(organization_id).first()
    if found is not None:
        return found
    with transaction.atomic():
        settings, _created = RiskSettings.objects.for_organization(organization_id).get_or_create(
            organization_id=organization_id
        )
    return settings


@transaction.atomic
def risk_settings_update(*, actor: User, organization: Organization, **fields: Any) -> RiskSettings:
    """Change the scoring and review rules; open risks are re-derived when the rules they follow change."""
    unknown = set(fields) - set(SETTINGS_FIELDS)
    if unknown:
        raise ApplicationError(_("These fields cannot be changed: %s") % ", ".join(sorted(unknown)))
    risk_settings_for(organization)
    settings = RiskSettings.objects.for_organization(organization).select_for_update().get()
    if "matrix" in fields:
        problems = scoring.validate_matrix(fields["matrix"])
        if problems:
            raise ApplicationError(problems[0], code="invalid_matrix", fields={"matrix": problems})
    before = snapshot(settings, SETTINGS_FIELDS)
    for field, value in fields.items():
        setattr(settings, field, value)
    validated(settings)
    changes = diff(before, snapshot(settings, SETTINGS_FIELDS))
    if not changes:
        return settings
    settings.updated_at = timezone.now()
    settings.save()
    audit_record(
        organization=organization, actor=actor, action="risk_settings.updated", target=settings, changes=changes
    )
    if DERIVING_FIELDS & set(changes):
        from risks.services.register import rederive_open_risks

        rederive_open_risks(organization=organization, settings=settings)
    return settings


def risk_categories_ensure_defaults(organization: Organization) -> None:
    """Give an organisation that has no risk categories yet the default ones (once, even under races)."""
    categories = RiskCategory.objects.for_organization(organization)
    if categories.exists():
        return
    with transaction.atomic():
        # Two first reads at once must not both seed: the organisation row serialises them.
        Organization.objects.select_for_update(no_key=True).filter(pk=organization.pk).first()
        if categories.exists():
            return
        RiskCategory.objects.bulk_create(
            [
                RiskCategory(organization=organization, code=code, name_zh=zh, name_en=en, order=index * 10)
                for index, (code, zh, en) in enumerate(DEFAULT_CATEGORIES, start=1)
            ]
        )


def risk_categories(organization: Organization, *, active_only: bool = True) -> list[RiskCategory]:
    """The organisation's categories in their order (defaults on first use)."""
    risk_categories_ensure_defaults(organization)
    categories = RiskCategory.objects.for_organization(organization)
    if active_only:
        categories = categories.filter(is_active=True)
    return list(categories.order_by("order", "code", "pk"))


def check_category(organization_id: int, category: RiskCategory, field: str = "category") -> None:
    """A category must be the organisation's own and switched on; another's looks nonexistent."""
    if category.organization_id != organization_id:
        raise ApplicationError(_("Not found."), fields={field: [_("Not found.")]})
    if not category.is_active:
        raise ApplicationError(
            _("The risk category “%(name)s” is switched off.") % {"name": category.label},
            code="category_inactive",
            fields={field: [_("Choose an active category.")]},
        )


def _clean_names(name_zh: str, name_en: str) -> tuple[str, str]:
    name_zh, name_en = (name_zh or "").strip(), (name_en or "").strip()
    if not name_zh and not name_en:
        message = _("Give the category a name in at least one language.")
        raise ApplicationError(message, fields={"name_zh": [message], "name_en": [message]})
    return name_zh, name_en


@transaction.atomic
def risk_category_create(
    *, actor: User, organization: Organization, code: str, name_zh: str = "", name_en: str = "", order: int = 0
) -> RiskCategory:
    """Add a category to the risk breakdown structure; its code (a slug, lower case) is how CSV files name it."""
    risk_categories_ensure_defaults(organization)
    code = (code or "").strip().lower()
    if not code:
        raise ApplicationError(_("Give the category a code."), fields={"code": [_("This field is required.")]})
    if RiskCategory.objects.for_organization(organization).filter(code=code).exists():
        message = _("A risk category with this code already exists.")
        raise ApplicationError(message, code="duplicate_code", fields={"code": [message]})
    name_zh, name_en = _clean_names(name_zh, name_en)
    category = RiskCategory(organization=organization, code=code, name_zh=name_zh, name_en=name_en, order=order)
    validated(category)
    category.save()
    audit_record(
        organization=organization,
        actor=actor,
        action="risk_category.created",
        target=category,
        changes=diff({}, snapshot(category, ["code", *CATEGORY_FIELDS])),
    )
    return category


@transaction.atomic
def risk_category_update(*, actor: User, category: RiskCategory, **fields: Any) -> RiskCategory:
    """Rename, reorder or switch a category on or off; the code never changes, nothing is deleted."""
    unknown = set(fields) - set(CATEGORY_FIELDS)
    if unknown:
        raise ApplicationError(_("These fields cannot be changed: %s") % ", ".join(sorted(unknown)))
    category = RiskCategory.objects.for_organization(category.organization_id).select_for_update().get(pk=category.pk)
    before = snapshot(category, CATEGORY_FIELDS)
    for field, value in fields.items():
        setattr(category, field, value)
    category.name_zh, category.name_en = _clean_names(category.name_zh, category.name_en)
    validated(category)
    changes = diff(before, snapshot(category, CATEGORY_FIELDS))
    if changes:
        category.save()
        audit_record(
            organization=category.organization,
            actor=actor,
            action="risk_category.updated",
            target=category,
            changes=changes,
        )
    return category
