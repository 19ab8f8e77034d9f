"""Inspection plans: which assets are inspected how often, against which criteria, by whom.

A plan's scope is its sites, areas and categories (an empty set means "any"); its criteria are the
chosen ones, or every current criterion of each asset's category when none is chosen
(``maintenance.generation`` reads the scope). Who may write is the callers' check
(``MaintenanceAction.MANAGE``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from maintenance.models import Area, AssetCategory, Criterion, DayRule, Frequency, InspectionPlan, Site
from maintenance.permissions import may_inspect
from pmo.audit import audit_record, diff, snapshot
from pmo.errors import ApplicationError
from pmo.models import Membership, Organization, User

PLAN_FIELDS = ["name", "frequency", "day_rule", "inspector", "starts_on", "ends_on", "is_active"]
SCOPE_FIELDS = ["sites", "areas", "categories", "criteria"]
NAME_LENGTH = 200


def _invalid(field: str, message: str, code: str = "invalid") -> ApplicationError:
    return ApplicationError(message, code=code, fields={field: [message]})


def _ids(rows: Iterable[Any]) -> list[int]:
    return sorted(row.pk for row in rows)


def _scope_snapshot(plan: InspectionPlan) -> dict[str, list[int]]:
    return {name: sorted(getattr(plan, name).values_list("pk", flat=True)) for name in SCOPE_FIELDS}


def _own(organization: Organization, field: str, rows: Iterable[Any]) -> list[Any]:
    """The rows, each checked to be the organisation's (another's looks nonexistent)."""
    found = list(rows)
    if any(row.organization_id != organization.pk for row in found):
        raise _invalid(field, _("Choose among the organisation's own records."), code="does_not_exist")
    return found


def _clean(organization: Organization, values: dict[str, Any]) -> dict[str, Any]:
    name = (values.get("name") or "").strip()
    if not name:
        raise _invalid("name", _("Give the plan a name."))
    if len(name) > NAME_LENGTH:
        raise _invalid("name", _("The name is too long (at most 200 characters)."))
    values["name"] = name
    if values.get("frequency") not in Frequency.values:
        raise _invalid("frequency", _("Choose daily, weekly, monthly or quarterly."))
    if values.get("day_rule") not in DayRule.values:
        raise _invalid("day_rule", _("Choose working days or every day."))
    starts_on: dt.date | None = values.get("starts_on")
    ends_on: dt.date | None = values.get("ends_on")
    if starts_on is None:
        raise _invalid("starts_on", _("Say when the plan starts."))
    for field, day in (("starts_on", starts_on), ("ends_on", ends_on)):
        if day is not None and not organization.date_window.contains(day):
            raise _invalid(field, organization.date_window.message(), code="date_out_of_range")
    if ends_on is not None and ends_on < starts_on:
        raise _invalid("ends_on", _("The plan cannot end before it starts."))
    inspector: User | None = values.get("inspector")
    if inspector is not None:
        membership = (
            Membership.objects.for_organization(organization)
            .select_related("organization")
            .filter(user=inspector)
            .first()
        )
        if membership is None:
            raise _invalid("inspector", _("Choose a member of the organisation."), code="does_not_exist")
        if not may_inspect(membership):
            raise _invalid(
                "inspector",
                _("%(name)s does not do inspections: name them an inspector in the O&M settings first.")
                % {"name": inspector.get_full_name() or inspector.username},
                code="not_an_inspector",
            )
    values["is_active"] = bool(values.get("is_active", True))
    sites = _own(organization, "sites", values.get("sites") or [])
    areas = _own(organization, "areas", values.get("areas") or [])
    categories = _own(organization, "categories", values.get("categories") or [])
    criteria = _own(organization, "criteria", values.get("criteria") or [])
    site_ids = {site.pk for site in sites}
    if site_ids and any(area.site_id not in site_ids for area in areas):
        raise _invalid("areas", _("An area must be on one of the plan's sites."), code="area_off_site")
    category_ids = {category.pk for category in categories}
    if category_ids and any(criterion.category_id not in category_ids for criterion in criteria):
        raise _invalid(
            "criteria", _("A criterion must belong to one of the plan's categories."), code="criterion_off_category"
        )
    if any(criterion.retired_at is not None for criterion in criteria):
        raise _invalid("criteria", _("A retired criterion is no longer read."), code="criterion_retired")
    values.update(sites=sites, areas=areas, categories=categories, criteria=criteria)
    return values


def _save(plan: InspectionPlan) -> None:
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError as error:
        raise _invalid("name", _("An inspection plan with this name already exists."), code="duplicate_name") from error


def _set_scope(plan: InspectionPlan, values: dict[str, Any]) -> None:
    for name in SCOPE_FIELDS:
        getattr(plan, name).set(values[name])


@transaction.atomic
def plan_create(
    *,
    actor: User,
    organization: Organization,
    name: str,
    starts_on: dt.date,
    frequency: str = Frequency.WEEKLY,
    day_rule: str = DayRule.WORKING_DAYS,
    ends_on: dt.date | None = None,
    inspector: User | None = None,
    is_active: bool = True,
    sites: Iterable[Site] = (),
    areas: Iterable[Area] = (),
    categories: Iterable[AssetCategory] = (),
    criteria: Iterable[Criterion] = (),
) -> InspectionPlan:
    """Make an inspection plan; its rounds come with the next generation run."""
    values = _clean(
        organization,
        {
            "name": name,
            "frequency": frequency,
            "day_rule": day_rule,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "inspector": inspector,
            "is_active": is_active,
            "sites": sites,
            "areas": areas,
            "categories": categories,
            "criteria": criteria,
        },
    )
    plan = InspectionPlan(organization=organization, **{field: values[field] for field in PLAN_FIELDS})
    _save(plan)
    _set_scope(plan, values)
    audit_record(
        organization=organization,
        actor=actor,
        action="maintenance_plan.created",
        target=plan,
        changes=diff({}, {**snapshot(plan, PLAN_FIELDS), **{name: _ids(values[name]) for name in SCOPE_FIELDS}}),
    )
    return plan


@transaction.atomic
def plan_update(*, actor: User, plan: InspectionPlan, **fields: Any) -> InspectionPlan:
    """Change a plan; the fields left out keep their values. Rounds already made keep their stops."""
    unknown = set(fields) - set(PLAN_FIELDS) - set(SCOPE_FIELDS)
    if unknown:
        raise ValueError(f"not inspection plan fields: {sorted(unknown)}")
    plan = (
        InspectionPlan.objects.for_organization(plan.organization_id)
        .select_for_update(of=("self",), no_key=True)
        .select_related("organization", "inspector")
        .get(pk=plan.pk)
    )
    organization = plan.organization
    scope_before = _scope_snapshot(plan)
    before = snapshot(plan, PLAN_FIELDS)
    current: dict[str, Any] = {**before}
    for name in SCOPE_FIELDS:
        current[name] = fields[name] if name in fields else list(getattr(plan, name).all())
    values = _clean(organization, {**current, **{k: v for k, v in fields.items() if k in PLAN_FIELDS}})
    for name in PLAN_FIELDS:
        setattr(plan, name, values[name])
    _save(plan)
    _set_scope(plan, values)
    changes = diff(
        {**before, **scope_before},
        {**snapshot(plan, PLAN_FIELDS), **{name: _ids(values[name]) for name in SCOPE_FIELDS}},
    )
    if changes:
        audit_record(
            organization=organization, actor=actor, action="maintenance_plan.updated", target=plan, changes=changes
        )
    return plan


@transaction.atomic
def plan_delete(*, actor: User, plan: InspectionPlan) -> None:
    """Delete a plan that has made no round yet; one with rounds is deactivated instead (its history stays)."""
    plan = (
        InspectionPlan.objects.for_organization(plan.organization_id)
        .select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=plan.pk)
    )
    if plan.rounds.exists():
        raise ApplicationError(
            _("The plan has inspection rounds: deactivate it instead, so that their history stays."),
            code="plan_has_rounds",
        )
    audit_record(
        organization=plan.organization,
        actor=actor,
        action="maintenance_plan.deleted",
        target=plan,
        changes=diff(snapshot(plan, PLAN_FIELDS), {}),
    )
    plan.delete()
