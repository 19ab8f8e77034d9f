"""A project's handover to maintenance: the assets proposed from its deliverables, completed by the O&M
manager, then written to the register.

``handover_start`` (the project in closing) proposes one row per deliverable (``quality.models.Deliverable``,
its WBS element: name, finish date as the install date); the O&M manager chooses or creates the site,
completes each row (category, code, location, coordinates, quantity and unit, install date, warranty end,
contractor, documents), leaves out what is not an asset and adds rows. ``handover_complete`` refuses while
an included row lacks something, then writes every row as an asset through ``asset_create`` (areas named
by the rows are added to the site) with its origin project and WBS element, moves the row's documents to
the asset and marks the handover completed; the gate check ``maintenance_handover`` reads that.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from maintenance.models import Area, Asset, Handover, HandoverRow, HandoverStatus, Site
from maintenance.services.assets import LATITUDE, LONGITUDE, MAX_QUANTITY, Problems, area_create, asset_create
from pmo.audit import audit_record, diff, snapshot
from pmo.concurrency import locked_row
from pmo.errors import ApplicationError
from pmo.models import Attachment, User
from projects.models import Phase, Project, WbsElement
from quality.models import Deliverable

ROW_FIELDS = [
    "excluded",
    "site",
    "area_name",
    "code",
    "name",
    "category",
    "location_text",
    "latitude",
    "longitude",
    "quantity",
    "unit",
    "surface_area",
    "install_date",
    "warranty_end",
    "contractor",
    "notes",
]
#: What an included row must have before the handover completes (the site may come from the handover).
REQUIRED_ROW_FIELDS = (
    "code",
    "name",
    "category",
    "location_text",
    "quantity",
    "unit",
    "install_date",
    "warranty_end",
)
#: A finished stage may be handed over while the rest is still being built; the whole project in closing.
HANDOVER_PHASES = (Phase.EXECUTION, Phase.CLOSING)


def _audit(actor: User, action: str, target: Any, changes: dict[str, Any]) -> None:
    audit_record(organization=target.organization, actor=actor, action=action, target=target, changes=changes)


def handover_of(project: Project) -> Handover | None:
    return (
        Handover.objects.for_organization(project.organization_id)
        .select_related("site", "completed_by")
        .filter(project=project)
        .first()
    )


def row_missing(row: HandoverRow, handover: Handover) -> list[str]:
    """The fields an included row still lacks (none for a row left out)."""
    if row.excluded:
        return []
    missing = [field for field in REQUIRED_ROW_FIELDS if getattr(row, field) in (None, "")]
    if row.site_id is None and handover.site_id is None:
        missing.insert(0, "site")
    return missing


def field_label(field: str) -> str:
    """A row field's name for people, in the active language."""
    if field == "category":
        return pgettext("asset category", "Category")
    return str(getattr(HandoverRow._meta.get_field(field), "verbose_name", field))


def _check_draft(handover: Handover) -> None:
    if handover.status != HandoverStatus.DRAFT:
        raise ApplicationError(_("The handover is completed: it can no longer change."), code="handover_completed")


def _check_phase(project: Project) -> None:
    if project.phase not in HANDOVER_PHASES:
        raise ApplicationError(
            _(
                "A handover to maintenance is prepared while the project is in execution (a finished stage) "
                "or in closing (it is in %(phase)s)."
            )
            % {"phase": project.get_phase_display()},
            code="handover_wrong_phase",
        )


def _proposal(handover: Handover) -> list[HandoverRow]:
    """One row per deliverable of the project, in the WBS's order."""
    deliverables = (
        Deliverable.objects.for_organization(handover.organization_id)
        .filter(project_id=handover.project_id)
        .select_related("wbs_element")
        .order_by("wbs_element__sort_key", "pk")
    )
    project_code = handover.project.code
    rows = []
    for position, deliverable in enumerate(deliverables):
        element: WbsElement = deliverable.wbs_element
        rows.append(
            HandoverRow(
                organization_id=handover.organization_id,
                handover=handover,
                wbs_element=element,
                position=position,
                code=f"{project_code}-{element.code}"[:40],
                name=element.name[:200],
                install_date=element.actual_finish or element.planned_finish,
                quantity=Decimal("1"),
                unit="",
            )
        )
    return rows


@transaction.atomic
def handover_start(*, actor: User, project: Project, site: Site | None = None) -> Handover:
    """Open the project's handover with the proposal from its deliverables (or answer the one it has)."""
    existing = handover_of(project)
    if existing is not None:
        return existing
    _check_phase(project)
    if site is not None and site.organization_id != project.organization_id:
        raise ApplicationError(_("Not found."), code="not_found", fields={"site": [_("Not found.")]})
    handover = Handover.objects.create(organization_id=project.organization_id, project=project, site=site)
    handover.organization = project.organization
    handover.project = project
    rows = HandoverRow.objects.for_organization(project.organization_id).bulk_create(_proposal(handover))
    _audit(actor, "maintenance.handover.started", handover, {"site": site.code if site else None, "rows": len(rows)})
    return handover


def _lock(handover: Handover) -> Handover:
    locked: Any = locked_row(handover)
    locked.organization = handover.organization
    locked.project = handover.project
    return locked


@transaction.atomic
def handover_update(*, actor: User, handover: Handover, site: Site | None = None, notes: str | None = None) -> Handover:
    """Choose the handover's site (every row without its own goes there) and keep notes."""
    handover = _lock(handover)
    _check_draft(handover)
    before = {"site": handover.site.code if handover.site else None, "notes": handover.notes}
    if site is not None:
        if site.organization_id != handover.organization_id:
            raise ApplicationError(_("Not found."), code="not_found", fields={"site": [_("Not found.")]})
        handover.site = site
    if notes is not None:
        handover.notes = notes.strip()
    handover.save(update_fields=["site", "notes"])
    changed = diff(before, {"site": handover.site.code if handover.site else None, "notes": handover.notes})
    if changed:
        _audit(actor, "maintenance.handover.updated", handover, changed)
    return handover


def _check_row(row: HandoverRow) -> None:
    problems = Problems()
    organization_id = row.organization_id
    for field in ("site", "category", "contractor"):
        value = getattr(row, field)
        if value is not None and value.organization_id != organization_id:
            problems.add(field, _("Not found."))
    if row.category is not None and not row.category.is_active and "category" not in problems.fields:
        problems.add("category", _("The category is no longer in use."))
    if row.contractor is not None and not row.contractor.is_active and "contractor" not in problems.fields:
        problems.add("contractor", _("The contractor is no longer active."))
    for field, limit in (("code", 40), ("name", 200), ("area_name", 200), ("location_text", 255)):
        value = (getattr(row, field) or "").strip()
        setattr(row, field, value)
        if len(value) > limit:
            problems.add(field, _("Use at most %(count)d characters.") % {"count": limit})
    for field, (low, high) in (("latitude", LATITUDE), ("longitude", LONGITUDE)):
        value = getattr(row, field)
        if value is not None and not low <= value <= high:
            problems.add(field, _("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high})
    if (row.latitude is None) != (row.longitude is None):
        problems.add("longitude" if row.longitude is None else "latitude", _("Give both coordinates, or neither."))
    if row.quantity is not None and not Decimal("0") <= row.quantity <= MAX_QUANTITY:
        problems.add("quantity", _("The quantity cannot be negative."))
    if row.surface_area is not None and not Decimal("0") < row.surface_area <= MAX_QUANTITY:
        problems.add("surface_area", _("A surface is more than 0 m²."))
    if row.install_date and row.warranty_end and row.warranty_end < row.install_date:
        problems.add("warranty_end", _("The warranty cannot end before the asset was installed."))
    if row.code:
        taken = (
            Asset.objects.for_organization(organization_id).filter(code__iexact=row.code).exists()
            or HandoverRow.objects.for_organization(organization_id)
            .filter(handover_id=row.handover_id, code__iexact=row.code, excluded=False)
            .exclude(pk=row.pk)
            .exists()
        )
        if taken and not row.excluded:
            problems.add("code", _("An asset (or another row of the handover) already has this code."))
    problems.raise_if_any()


@transaction.atomic
def handover_row_add(*, actor: User, handover: Handover, **values: Any) -> HandoverRow:
    """Add a row the deliverables did not propose."""
    unknown = set(values) - set(ROW_FIELDS)
    if unknown:
        raise ApplicationError(_("Unknown fields: %s") % ", ".join(sorted(unknown)), code="invalid")
    handover = _lock(handover)
    _check_draft(handover)
    last = (
        HandoverRow.objects.for_organization(handover.organization_id)
        .filter(handover=handover)
        .aggregate(last=Max("position"))["last"]
    )
    row = HandoverRow(
        organization_id=handover.organization_id,
        handover=handover,
        position=0 if last is None else last + 1,
        **{"quantity": Decimal("1"), **values},
    )
    _check_row(row)
    row.save()
    row.organization = handover.organization
    _audit(actor, "maintenance.handover.row_added", row, {"handover": handover.pk, **snapshot(row, ROW_FIELDS)})
    return row


@transaction.atomic
def handover_row_update(*, actor: User, row: HandoverRow, **changes: Any) -> HandoverRow:
    """Confirm and complete a row: any of ``ROW_FIELDS`` (``excluded`` leaves it out of the handover)."""
    unknown = set(changes) - set(ROW_FIELDS)
    if unknown:
        raise ApplicationError(_("Unknown fields: %s") % ", ".join(sorted(unknown)), code="invalid")
    _lock(row.handover)
    _check_draft(row.handover)
    locked: Any = locked_row(row)
    before = snapshot(locked, ROW_FIELDS)
    for field, value in changes.items():
        setattr(locked, field, value)
    if "notes" in changes:
        locked.notes = locked.notes or ""
    _check_row(locked)
    locked.save()
    locked.organization = row.handover.organization
    changed = diff(before, snapshot(locked, ROW_FIELDS))
    if changed:
        _audit(actor, "maintenance.handover.row_updated", locked, changed)
    return locked


@transaction.atomic
def handover_row_remove(*, actor: User, row: HandoverRow) -> None:
    """Remove a row added by hand (a proposed row is left out with ``excluded`` instead)."""
    _lock(row.handover)
    _check_draft(row.handover)
    if row.wbs_element_id is not None:
        raise ApplicationError(
            _("A row proposed from a deliverable is not removed: mark it “not an asset” instead."),
            code="handover_row_proposed",
        )
    row.organization = row.handover.organization
    _audit(actor, "maintenance.handover.row_removed", row, snapshot(row, ROW_FIELDS))
    row.delete()


@transaction.atomic
def handover_complete(*, actor: User, handover: Handover) -> Handover:
    """Write every included row as an asset and mark the handover completed; refused while a row is incomplete."""
    handover = _lock(handover)
    _check_draft(handover)
    rows = list(
        HandoverRow.objects.for_organization(handover.organization_id)
        .filter(handover=handover)
        .select_related("site", "category", "contractor", "wbs_element")
        .order_by("position", "pk")
    )
    incomplete: dict[str, list[str]] = {}
    for index, row in enumerate(rows, start=1):
        missing = row_missing(row, handover)
        if missing:
            labels = ", ".join(field_label(field) for field in missing)
            incomplete[f"rows.{row.pk}"] = [
                _("Row %(number)d (%(name)s) lacks: %(fields)s.")
                % {"number": index, "name": row.name or row.code or "—", "fields": labels}
            ]
    if incomplete:
        raise ApplicationError(
            _("%(count)d rows are not complete yet: complete them or mark them “not an asset”.")
            % {"count": len(incomplete)},
            code="handover_incomplete",
            fields=incomplete,
        )
    included = [row for row in rows if not row.excluded]
    if not included:
        raise ApplicationError(
            _("The handover has no asset: add a row or include one before completing it."), code="handover_empty"
        )
    areas = {
        (area.site_id, area.name.lower()): area
        for area in Area.objects.for_organization(handover.organization_id).filter(
            site_id__in={row.site_id or handover.site_id for row in included}
        )
    }
    row_type = ContentType.objects.get_for_model(HandoverRow)
    asset_type = ContentType.objects.get_for_model(Asset)
    project = handover.project
    written = []
    for index, row in enumerate(included, start=1):
        site = row.site or handover.site
        assert site is not None  # row_missing said so
        area = None
        if row.area_name:
            key = (site.pk, row.area_name.lower())
            area = areas.get(key)
            if area is None:
                area = areas[key] = area_create(actor=actor, site=site, name=row.area_name)
        try:
            asset = asset_create(
                actor=actor,
                organization=project.organization,
                code=row.code,
                name=row.name,
                category=row.category,
                site=site,
                area=area,
                location_text=row.location_text,
                latitude=row.latitude,
                longitude=row.longitude,
                quantity=row.quantity,
                unit=row.unit,
                surface_area=row.surface_area,
                install_date=row.install_date,
                warranty_end=row.warranty_end,
                contractor=row.contractor,
                origin_project=project,
                origin_wbs_element=row.wbs_element,
                handover=handover,
                route_order=index,
                notes=row.notes,
            )
        except ApplicationError as error:
            raise ApplicationError(
                _("Row %(number)d (%(name)s): %(problem)s")
                % {"number": index, "name": row.name or row.code, "problem": error.message},
                code=error.code,
                fields={f"rows.{row.pk}.{field}": messages for field, messages in error.fields.items()},
            ) from error
        Attachment.objects.for_organization(handover.organization_id).filter(
            content_type=row_type, object_id=row.pk
        ).update(content_type=asset_type, object_id=asset.pk)
        row.asset = asset
        written.append(row)
    HandoverRow.objects.for_organization(handover.organization_id).bulk_update(written, ["asset"])
    handover.status = HandoverStatus.COMPLETED
    handover.completed_by = actor
    handover.completed_at = timezone.now()
    handover.save(update_fields=["status", "completed_by", "completed_at"])
    _audit(
        actor,
        "maintenance.handover.completed",
        handover,
        {"status": [HandoverStatus.DRAFT, HandoverStatus.COMPLETED], "assets": [row.code for row in written]},
    )
    return handover
