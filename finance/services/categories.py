"""Writes of the organisation's finance rules: cost categories and budget control.

Every organisation starts with the default categories below; they arrive with the first read
(:func:`cost_categories_ensure_defaults`), so an organisation never sees an empty list. A
category is switched off, never deleted: budget lines and costs keep pointing at it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from finance.models import CostCategory, FinanceSettings
from pmo.audit import audit_record, diff, snapshot
from pmo.errors import ApplicationError
from pmo.models import Organization, User
from projects.models import Project, WbsElement

DEFAULT_COST_CATEGORIES: list[tuple[str, str]] = [
    ("labour", "人工 Labour"),
    ("materials", "材料 Materials"),
    ("equipment", "设备 Equipment"),
    ("subcontract", "分包 Subcontract"),
    ("travel", "差旅 Travel"),
    ("other", "其他 Other"),
]
CATEGORY_FIELDS = ["name", "order", "is_active"]


def validated(instance: models.Model, exclude: list[str] | None = None) -> None:
    """Run the model's validation; a failure becomes an ``ApplicationError`` naming the fields."""
    try:
        instance.full_clean(exclude=exclude, validate_constraints=False)
    except ValidationError as error:
        raise ApplicationError(
            "; ".join(error.messages), code="invalid", fields=getattr(error, "message_dict", {})
        ) from error


def check_category(organization_id: int, category: CostCategory, field: str = "category") -> None:
    """A category must be the organisation's own and switched on; another's looks nonexistent."""
    if category.organization_id != organization_id:
        raise ApplicationError(_("Not found."), fields={field: [_("Not found.")]})
    if not category.is_active:
        raise ApplicationError(
            _("The cost category “%(name)s” is switched off.") % {"name": category.name},
            code="category_inactive",
            fields={field: [_("Choose an active category.")]},
        )


def check_element(project: Project, element: WbsElement | None, field: str = "wbs_element") -> None:
    """A WBS element must belong to the project; one of another project looks nonexistent."""
    if element is None:
        return
    if element.organization_id != project.organization_id or element.project_id != project.pk:
        raise ApplicationError(_("Not found."), fields={field: [_("Not found.")]})


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ApplicationError(_("Name the category."), fields={"name": [_("This field is required.")]})
    return name


# --- cost categories ------------------------------------------------------------------


def cost_categories_ensure_defaults(organization: Organization) -> None:
    """Give an organisation that has no cost categories yet the default ones (once, even under races)."""
    categories = CostCategory.objects.for_organization(organization)
    if categories.exists():
        return
    with transaction.atomic():
        # Two first reads at once must not both seed: the organisation row serialises them.
        Organization.objects.select_for_update(no_key=True).filter(pk=organization.pk).first()
        if categories.exists():
            return
        CostCategory.objects.bulk_create(
            [
                CostCategory(organization=organization, code=code, name=name, order=index)
                for index, (code, name) in enumerate(DEFAULT_COST_CATEGORIES, start=1)
            ]
        )


def cost_categories(organization: Organization) -> list[CostCategory]:
    """The organisation's active cost categories in their order (defaults on first use)."""
    cost_categories_ensure_defaults(organization)
    return list(
        CostCategory.objects.for_organization(organization).filter(is_active=True).order_by("order", "name", "pk")
    )


@transaction.atomic
def cost_category_create(
    *, actor: User, organization: Organization, code: str, name: str, order: int = 0
) -> CostCategory:
    """Add a cost category; its code (a slug, kept in lower case) is how CSV files name it."""
    # The defaults arrive with the first read; adding a category first must not lose them.
    cost_categories_ensure_defaults(organization)
    code = (code or "").strip().lower()
    if not code:
        raise ApplicationError(_("Give the category a code."), fields={"code": [_("This field is required.")]})
    if CostCategory.objects.for_organization(organization).filter(code=code).exists():
        raise ApplicationError(
            _("A cost category with this code already exists."),
            code="duplicate_code",
            fields={"code": [_("A cost category with this code already exists.")]},
        )
    category = CostCategory(organization=organization, code=code, name=_clean_name(name), order=order)
    validated(category)
    category.save()
    audit_record(
        organization=organization,
        actor=actor,
        action="cost_category.created",
        target=category,
        changes=diff({}, snapshot(category, ["code", *CATEGORY_FIELDS])),
    )
    return category


@transaction.atomic
def cost_category_update(*, actor: User, category: CostCategory, **fields: Any) -> CostCategory:
    """Rename, reorder or switch a category on or off; the code never changes, nothing is deleted."""
    unknown = set(fields) - set(CATEGORY_FIELDS)
    if unknown:
        raise ApplicationError(_("These fields cannot be changed: %s") % ", ".join(sorted(unknown)))
    category = CostCategory.objects.for_organization(category.organization_id).select_for_update().get(pk=category.pk)
    if "name" in fields:
        fields["name"] = _clean_name(fields["name"])
    before = snapshot(category, CATEGORY_FIELDS)
    for field, value in fields.items():
        setattr(category, field, value)
    validated(category)
    changes = diff(before, snapshot(category, CATEGORY_FIELDS))
    if changes:
        category.save(update_fields=list(changes))
        audit_record(
            organization=category.organization,
            actor=actor,
            action="cost_category.updated",
            target=category,
            changes=changes,
        )
    return category


# --- budget control -------------------------------------------------------------------


def finance_settings(organization: Organization) -> FinanceSettings:
    settings, _created = FinanceSettings.objects.for_organization(organization).get_or_create(organization=organization)
    return settings


@transaction.atomic
def finance_settings_update(*, actor: User, organization: Organization, budget_control: str) -> FinanceSettings:
    """Choose what a commitment or cost over its category's approved budget does: warn or block."""
    if budget_control not in FinanceSettings.BudgetControl.values:
        raise ApplicationError(_("Choose warn or block."), fields={"budget_control": [_("Choose warn or block.")]})
    current = finance_settings(organization)
    settings = FinanceSettings.objects.for_organization(organization).select_for_update().get(pk=current.pk)
    before = snapshot(settings, ["budget_control"])
    settings.budget_control = budget_control
    changes = diff(before, snapshot(settings, ["budget_control"]))
    if changes:
        settings.save(update_fields=["budget_control"])
        audit_record(
            organization=organization,
            actor=actor,
            action="finance_settings.updated",
            target=settings,
            changes=changes,
        )
    return settings
