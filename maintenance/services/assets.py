"""The asset register's writes: contractors, sites and their areas, assets (create, edit, move, retire, restore).

Every write checks its input first and raises one ``ApplicationError`` naming each bad field, so nothing
is written on a refusal; ``asset_problems`` is the one set of rules an asset meets, used by the CSV
import (``maintenance.services.asset_import``) and the handover too. Moving an asset records where it
was and where it went; an asset with work orders not yet closed or cancelled cannot be retired.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from maintenance.models import (
    Area,
    Asset,
    AssetCategory,
    AssetStatus,
    Contractor,
    Site,
    Unit,
    WorkOrder,
)
from maintenance.models.work_orders import UNCLOSED_STATUSES
from pmo.audit import audit_record, diff, snapshot
from pmo.concurrency import locked_row
from pmo.errors import ApplicationError
from pmo.models import Membership, Organization, User
from projects.models import Project, WbsElement

CONTRACTOR_FIELDS = ["name", "contact", "phone", "email", "user"]
SITE_FIELDS = ["code", "name", "project"]
AREA_FIELDS = ["name", "position"]
#: What ``asset_update`` changes; where the asset is changes through ``asset_move``.
ASSET_FIELDS = [
    "code",
    "name",
    "category",
    "quantity",
    "unit",
    "surface_area",
    "install_date",
    "warranty_end",
    "contractor",
    "origin_project",
    "origin_wbs_element",
    "route_order",
    "notes",
]
PLACE_FIELDS = ["site", "area", "location_text", "latitude", "longitude"]
LATITUDE = (Decimal("-90"), Decimal("90"))
LONGITUDE = (Decimal("-180"), Decimal("180"))
MAX_QUANTITY = Decimal("9999999999.99")


class Problems:
    """Field problems collected before one refusal."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.fields)

    def raise_if_any(self, code: str = "invalid") -> None:
        if self.fields:
            first = next(iter(self.fields.values()))[0]
            raise ApplicationError(first, code=code, fields=self.fields)


def _same_organization(organization_id: int, field: str, value: Model | None, problems: Problems) -> None:
    """A related row of another organisation is refused as if it did not exist."""
    if value is not None and getattr(value, "organization_id", organization_id) != organization_id:
        problems.add(field, _("Not found."))


def _text(problems: Problems, field: str, value: str, limit: int, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        problems.add(field, _("This field is required."))
    elif len(value) > limit:
        problems.add(field, _("Use at most %(count)d characters.") % {"count": limit})
    return value


def _audit(actor: User, action: str, target: Model, changes: dict[str, Any] | None = None) -> None:
    audit_record(
        organization=target.organization,  # type: ignore[attr-defined]
        actor=actor,
        action=action,
        target=target,
        changes=changes,
    )


def _locked(instance: Any) -> Any:
    row: Any = locked_row(instance)
    row.organization = instance.organization
    return row


# Contractors


def _check_contractor(contractor: Contractor, problems: Problems) -> None:
    contractor.name = _text(problems, "name", contractor.name, 200, required=True)
    contractor.contact = _text(problems, "contact", contractor.contact, 120)
    contractor.phone = _text(problems, "phone", contractor.phone, 40)
    contractor.email = _text(problems, "email", contractor.email, 254)
    if contractor.email and "@" not in contractor.email:
        problems.add("email", _("Enter a valid e-mail address."))
    if contractor.user_id is not None:
        member = (
            Membership.objects.for_organization(contractor.organization_id).filter(user_id=contractor.user_id).exists()
        )
        if not member:
            problems.add("user", _("The login must be a member of the organisation."))
    if contractor.name:
        taken = (
            Contractor.objects.for_organization(contractor.organization_id)
            .filter(name__iexact=contractor.name)
            .exclude(pk=contractor.pk)
            .exists()
        )
        if taken:
            problems.add("name", _("A contractor with this name already exists."))


@transaction.atomic
def contractor_create(
    *,
    actor: User,
    organization: Organization,
    name: str,
    contact: str = "",
    phone: str = "",
    email: str = "",
    user: User | None = None,
) -> Contractor:
    contractor = Contractor(organization=organization, name=name, contact=contact, phone=phone, email=email, user=user)
    problems = Problems()
    _check_contractor(contractor, problems)
    problems.raise_if_any()
    contractor.save()
    _audit(actor, "maintenance.contractor.created", contractor, snapshot(contractor, CONTRACTOR_FIELDS))
    return contractor


@transaction.atomic
def contractor_update(*, actor: User, contractor: Contractor, **changes: Any) -> Contractor:
    unknown = set(changes) - set(CONTRACTOR_FIELDS)
    if unknown:
        raise ApplicationError(_("Unknown fields: %s") % ", ".join(sorted(unknown)), code="invalid")
    contractor = _locked(contractor)
    before = snapshot(contractor, CONTRACTOR_FIELDS)
    for field, value in changes.items():
        setattr(contractor, field, value)
    problems = Problems()
    _check_contractor(contractor, problems)
    problems.raise_if_any()
    contractor.save()
    changed = diff(before, snapshot(contractor, CONTRACTOR_FIELDS))
    if changed:
        _audit(actor, "maintenance.contractor.updated", contractor, changed)
    return contractor


@transaction.atomic
def contractor_set_active(*, actor: User, contractor: Contractor, active: bool) -> Contractor:
    """Deactivate a contractor (kept on its assets and work orders, offered for no new ones) or bring it back."""
    contractor = _locked(contractor)
    if contractor.is_active == active:
        return contractor
    contractor.is_active = active
    contractor.save(update_fields=["is_active"])
    action = "maintenance.contractor.reactivated" if active else "maintenance.contractor.deactivated"
    _audit(actor, action, contractor, {"is_active": [not active, active]})
    return contractor


def contractor_deactivate(*, actor: User, contractor: Contractor) -> Contractor:
    return contractor_set_active(actor=actor, contractor=contractor, active=False)


def contractor_reactivate(*, actor: User, contractor: Contractor) -> Contractor:
    return contractor_set_active(actor=actor, contractor=contractor, active=True)


# Sites and areas


def _check_site(site: Site, problems: Problems) -> None:
    site.code = _text(problems, "code", site.code, 32, required=True)
    site.name = _text(problems, "name", site.name, 200, required=True)
    _same_organization(site.organization_id, "project", site.project, problems)
    if site.code:
        taken = (
            Site.objects.for_organization(site.organization_id)
            .filter(code__iexact=site.code)
            .exclude(pk=site.pk)
            .exists()
        )
        if taken:
            problems.add("code", _("A site with this code already exists."))


@transaction.atomic
def site_create(
    *, actor: User, organization: Organization, code: str, name: str, project: Project | None = None
) -> Site:
    site = Site(organization=organization, code=code, name=name, project=project)
    problems = Problems()
    _check_site(site, problems)
    problems.raise_if_any()
    site.save()
    _audit(actor, "maintenance.site.created", site, snapshot(site, SITE_FIELDS))
    return site


@transaction.atomic
def site_update(*, actor: User, site: Site, **changes: Any) -> Site:
    unknown = set(changes) - set(SITE_FIELDS)
    if unknown:
        raise ApplicationError(_("Unknown fields: %s") % ", ".join(sorted(unknown)), code="invalid")
    site = _locked(site)
    before = snapshot(site, SITE_FIELDS)
    for field, value in changes.items():
        setattr(site, field, value)
    problems = Problems()
    _check_site(site, problems)
    problems.raise_if_any()
    site.save()
    changed = diff(before, snapshot(site, SITE_FIELDS))
    if changed:
        _audit(actor, "maintenance.site.updated", site, changed)
    return site


def _check_area(area: Area, problems: Problems) -> None:
    area.name = _text(problems, "name", area.name, 200, required=True)
    if area.position is None or area.position < 0:
        problems.add("position", _("Enter a whole number, 0 or more."))
    if area.name:
        taken = (
            Area.objects.for_organization(area.organization_id)
            .filter(site_id=area.site_id, name__iexact=area.name)
            .exclude(pk=area.pk)
            .exists()
        )
        if taken:
            problems.add("name", _("The site already has an area with this name."))


@transaction.atomic
def area_create(*, actor: User, site: Site, name: str, position: int | None = None) -> Area:
    if position is None:
        position = Area.objects.for_organization(site.organization_id).filter(site=site).count()
    area = Area(organization_id=site.organization_id, site=site, name=name, position=position)
    problems = Problems()
    _check_area(area, problems)
    problems.raise_if_any()
    area.save()
    area.organization = site.organization
    _audit(actor, "maintenance.area.created", area, {"site": site.code, **snapshot(area, AREA_FIELDS)})
    return area


@transaction.atomic
def area_update(*, actor: User, area: Area, **changes: Any) -> Area:
    unknown = set(changes) - set(AREA_FIELDS)
    if unknown:
        raise ApplicationError(_("Unknown fields: %s") % ", ".join(sorted(unknown)), code="invalid")
    area = _locked(area)
    before = snapshot(area, AREA_FIELDS)
    for field, value in changes.items():
        setattr(area, field, value)
    problems = Problems()
    _check_area(area, problems)
    problems.raise_if_any()
    area.save()
    changed = diff(before, snapshot(area, AREA_FIELDS))
    if changed:
        _audit(actor, "maintenance.area.updated", area, changed)
    return area


# Assets


def _in_range(problems: Problems, field: str, value: Decimal | None, low: Decimal, high: Decimal) -> None:
    if value is not None and not low <= value <= high:
        problems.add(field, _("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high})


def asset_problems(asset: Asset, problems: Problems, *, new_contractor: bool = True) -> None:
    """The rules an asset meets, without a query: text lengths, area of its site, ranges, dates, tenancy.

    The code's uniqueness is checked by the caller (one query here, one for a whole file in the import).
    ``new_contractor``: the contractor is being set now, so an inactive one is refused.
    """
    organization_id = asset.organization_id
    asset.code = _text(problems, "code", asset.code, 40, required=True)
    asset.name = _text(problems, "name", asset.name, 200, required=True)
    asset.location_text = _text(problems, "location_text", asset.location_text, 255)
    for field in ("category", "site", "area", "contractor", "origin_project", "origin_wbs_element"):
        _same_organization(organization_id, field, _related(asset, field), problems)
    if asset.category_id is None:
        problems.add("category", _("Choose a category."))
    elif not asset.category.is_active and "category" not in problems.fields:
        problems.add("category", _("The category is no longer in use."))
    if asset.site_id is None:
        problems.add("site", _("Choose a site."))
    area: Any = _related(asset, "area")
    if area is not None and asset.site_id is not None and area.site_id != asset.site_id:
        problems.add("area", _("The area belongs to another site."))
    if (
        new_contractor
        and asset.contractor is not None
        and not asset.contractor.is_active
        and "contractor" not in problems.fields
    ):
        problems.add("contractor", _("The contractor is no longer active."))
    if (
        asset.origin_wbs_element is not None
        and asset.origin_project_id is not None
        and asset.origin_wbs_element.project_id != asset.origin_project_id
    ):
        problems.add("origin_wbs_element", _("The WBS element belongs to another project."))
    _in_range(problems, "latitude", asset.latitude, *LATITUDE)
    _in_range(problems, "longitude", asset.longitude, *LONGITUDE)
    if (asset.latitude is None) != (asset.longitude is None):
        field = "longitude" if asset.longitude is None else "latitude"
        problems.add(field, _("Give both coordinates, or neither."))
    if asset.quantity is None:
        problems.add("quantity", _("This field is required."))
    elif asset.quantity < 0:
        problems.add("quantity", _("The quantity cannot be negative."))
    elif asset.quantity > MAX_QUANTITY:
        problems.add("quantity", _("The quantity is too large."))
    if asset.unit not in Unit.values:
        problems.add("unit", _("Choose m², m, count or set."))
    if asset.surface_area is not None and not Decimal("0") < asset.surface_area <= MAX_QUANTITY:
        problems.add("surface_area", _("A surface is more than 0 m²."))
    if asset.install_date and asset.warranty_end and asset.warranty_end < asset.install_date:
        problems.add("warranty_end", _("The warranty cannot end before the asset was installed."))
    if asset.route_order is None or asset.route_order < 0:
        problems.add("route_order", _("Enter a whole number, 0 or more."))


def _related(instance: Model, field: str) -> Model | None:
    """The related row of ``field``, or None when it is not set (a required relation left empty included)."""
    try:
        value: Model | None = getattr(instance, field)
    except ObjectDoesNotExist:
        return None
    return value


def _check_code_free(asset: Asset, problems: Problems) -> None:
    if not asset.code or "code" in problems.fields:
        return
    taken = (
        Asset.objects.for_organization(asset.organization_id)
        .filter(code__iexact=asset.code)
        .exclude(pk=asset.pk)
        .exists()
    )
    if taken:
        problems.add("code", _("An asset with this code already exists."))


@transaction.atomic
def asset_create(
    *,
    actor: User,
    organization: Organization,
    code: str,
    name: str,
    category: AssetCategory | None,
    site: Site | None,
    area: Area | None = None,
    location_text: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    quantity: Decimal | None = Decimal("1"),
    unit: str = Unit.COUNT,
    surface_area: Decimal | None = None,
    install_date: dt.date | None = None,
    warranty_end: dt.date | None = None,
    contractor: Contractor | None = None,
    origin_project: Project | None = None,
    origin_wbs_element: WbsElement | None = None,
    handover: Any = None,
    route_order: int = 0,
    notes: str = "",
) -> Asset:
    if origin_wbs_element is not None and origin_project is None:
        origin_project = origin_wbs_element.project
    asset = Asset(
        organization=organization,
        code=code,
        name=name,
        category=category,
        site=site,
        area=area,
        location_text=location_text,
        latitude=latitude,
        longitude=longitude,
        quantity=quantity,  # type: ignore[misc]
        unit=unit,
        surface_area=surface_area,
        install_date=install_date,
        warranty_end=warranty_end,
        contractor=contractor,
        origin_project=origin_project,
        origin_wbs_element=origin_wbs_element,
        handover=handover,
        route_order=route_order,
        notes=notes or "",
    )
    problems = Problems()
    asset_problems(asset, problems)
    _check_code_free(asset, problems)
    problems.raise_if_any()
    asset.save()
    _audit(actor, "maintenance.asset.created", asset, snapshot(asset, ASSET_FIELDS + PLACE_FIELDS))
    return asset


def _check_active(asset: Asset) -> None:
    if asset.status != AssetStatus.ACTIVE:
        raise ApplicationError(
            _("%(asset)s is retired: restore it first.") % {"asset": asset.code}, code="asset_retired"
        )


@transaction.atomic
def asset_update(*, actor: User, asset: Asset, **changes: Any) -> Asset:
    """Change what an asset is (code, name, category, quantity, dates, contractor, origins, notes)."""
    unknown = set(changes) - set(ASSET_FIELDS)
    if unknown:
        raise ApplicationError(_("Unknown fields: %s") % ", ".join(sorted(unknown)), code="invalid")
    asset = _locked(asset)
    _check_active(asset)
    before = snapshot(asset, ASSET_FIELDS)
    for field, value in changes.items():
        setattr(asset, field, value)
    if "notes" in changes:
        asset.notes = asset.notes or ""
    problems = Problems()
    previous_contractor = before["contractor"].pk if before["contractor"] is not None else None
    asset_problems(asset, problems, new_contractor=asset.contractor_id != previous_contractor)
    _check_code_free(asset, problems)
    problems.raise_if_any()
    changed = diff(before, snapshot(asset, ASSET_FIELDS))
    if changed:
        asset.updated_at = timezone.now()
        asset.save()
        _audit(actor, "maintenance.asset.updated", asset, changed)
    return asset


def _place(asset: Asset) -> dict[str, Any]:
    return {
        "site": asset.site.code if asset.site_id else None,
        "area": asset.area.name if asset.area is not None else None,
        "location_text": asset.location_text,
        "latitude": asset.latitude,
        "longitude": asset.longitude,
    }


@transaction.atomic
def asset_move(
    *,
    actor: User,
    asset: Asset,
    site: Site,
    area: Area | None = None,
    location_text: str | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    note: str = "",
) -> Asset:
    """Put an asset somewhere else: site, area, location and coordinates; the audit keeps before and after.

    ``location_text`` None keeps the current text; the coordinates are always the new ones (None clears them).
    """
    asset = _locked(asset)
    _check_active(asset)
    before = _place(asset)
    asset.site = site
    asset.area = area
    if location_text is not None:
        asset.location_text = location_text
    asset.latitude = latitude
    asset.longitude = longitude
    problems = Problems()
    asset_problems(asset, problems, new_contractor=False)
    problems.raise_if_any()
    after = _place(asset)
    if before == after:
        return asset
    asset.updated_at = timezone.now()
    asset.save(update_fields=[*PLACE_FIELDS, "updated_at"])
    _audit(
        actor,
        "maintenance.asset.moved",
        asset,
        {"before": before, "after": after, "note": (note or "").strip()},
    )
    return asset


@transaction.atomic
def asset_retire(*, actor: User, asset: Asset, retired_on: dt.date | None, reason: str) -> Asset:
    """Take an asset out of service; refused while it has a work order that is not closed or cancelled."""
    asset = _locked(asset)
    _check_active(asset)
    problems = Problems()
    reason = _text(problems, "retired_reason", reason, 2000, required=True)
    if retired_on is None:
        problems.add("retired_on", _("This field is required."))
    elif retired_on > asset.organization.today():
        problems.add("retired_on", _("An asset cannot be retired on a future day."))
    elif asset.install_date and retired_on < asset.install_date:
        problems.add("retired_on", _("An asset cannot be retired before it was installed."))
    problems.raise_if_any()
    unclosed = list(
        WorkOrder.objects.for_organization(asset.organization_id)
        .filter(asset=asset, status__in=UNCLOSED_STATUSES)
        .order_by("number")
        .values_list("number", flat=True)[:6]
    )
    if unclosed:
        references = ", ".join(f"WO-{number:05d}" for number in unclosed[:5]) + (" …" if len(unclosed) > 5 else "")
        raise ApplicationError(
            _(
                "%(asset)s still has work orders that are not closed or cancelled (%(orders)s): "
                "close or cancel them before retiring the asset."
            )
            % {"asset": asset.code, "orders": references},
            code="asset_has_open_work_orders",
        )
    asset.status = AssetStatus.RETIRED
    asset.retired_on = retired_on
    asset.retired_reason = reason
    asset.updated_at = timezone.now()
    asset.save(update_fields=["status", "retired_on", "retired_reason", "updated_at"])
    _audit(
        actor,
        "maintenance.asset.retired",
        asset,
        {"status": [AssetStatus.ACTIVE, AssetStatus.RETIRED], "retired_on": retired_on, "retired_reason": reason},
    )
    return asset


@transaction.atomic
def asset_restore(*, actor: User, asset: Asset) -> Asset:
    """Put a retired asset back in service (the retirement stays in the audit trail)."""
    asset = _locked(asset)
    if asset.status == AssetStatus.ACTIVE:
        raise ApplicationError(_("%(asset)s is in service.") % {"asset": asset.code}, code="asset_active")
    before = {"status": asset.status, "retired_on": asset.retired_on, "retired_reason": asset.retired_reason}
    asset.status = AssetStatus.ACTIVE
    asset.retired_on = None
    asset.retired_reason = ""
    asset.updated_at = timezone.now()
    asset.save(update_fields=["status", "retired_on", "retired_reason", "updated_at"])
    _audit(
        actor,
        "maintenance.asset.restored",
        asset,
        diff(before, {"status": asset.status, "retired_on": None, "retired_reason": ""}),
    )
    return asset
