"""Import of assets from a CSV file, and the asset list as CSV: every row is checked first, then all are
added in one transaction, or none.

Columns (header names without case; ``code``, ``name``, ``category`` and ``site`` are required):

- ``code`` (unique in the register and in the file), ``name``;
- ``category``: a category's code, or its name in either language; ``site``: a site's code;
  ``area``: an area's name in that site (an area the site lacks is added);
- ``location``, ``latitude`` and ``longitude`` (decimal degrees, both or neither);
- ``quantity`` (0 or more; empty: 1), ``unit`` (m2 / m² / 平方米, m / 米, count / 个, set / 套; empty:
  count), ``surface`` (m², what a percentage criterion judges against);
- ``install_date`` and ``warranty_end`` (YYYY-MM-DD; the warranty cannot end before installation);
- ``contractor``: an active contractor's name; ``origin_project``: a project's code (optional).

Every problem is reported with its line (the header is line 1) and its column, and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Protocol

from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maintenance.models import Area, Asset, AssetCategory, Contractor, Site, Unit
from maintenance.services.assets import ASSET_FIELDS, PLACE_FIELDS, Problems, area_create, asset_problems
from pmo.audit import audit_record_many, snapshot
from pmo.csv_table import CsvErrors, TableRow, csv_writer, decode_csv, read_table
from pmo.models import Organization, User
from projects.models import Project

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

CSV_COLUMNS = [
    "code",
    "name",
    "category",
    "site",
    "area",
    "location",
    "latitude",
    "longitude",
    "quantity",
    "unit",
    "surface",
    "install_date",
    "warranty_end",
    "contractor",
    "origin_project",
]
REQUIRED_COLUMNS = ["code", "name", "category", "site"]
COLUMN_ALIASES = {
    "category code": "category",
    "category_code": "category",
    "site code": "site",
    "site_code": "site",
    "area name": "area",
    "area_name": "area",
    "location_text": "location",
    "surface_area": "surface",
    "surface (m²)": "surface",
    "install date": "install_date",
    "installed on": "install_date",
    "warranty end": "warranty_end",
    "contractor name": "contractor",
    "contractor_name": "contractor",
    "origin project": "origin_project",
    "origin project code": "origin_project",
    "origin_project_code": "origin_project",
}
MAX_ROWS = 2000
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d")
#: Where a field of the asset is in the file.
FIELD_COLUMNS = {
    "location_text": "location",
    "surface_area": "surface",
    "origin_project": "origin_project",
    "origin_wbs_element": "origin_project",
}
UNITS = {
    "m2": Unit.SQUARE_METRE,
    "m²": Unit.SQUARE_METRE,
    "sqm": Unit.SQUARE_METRE,
    "平方米": Unit.SQUARE_METRE,
    "m": Unit.METRE,
    "米": Unit.METRE,
    "count": Unit.COUNT,
    "pcs": Unit.COUNT,
    "个": Unit.COUNT,
    "株": Unit.COUNT,
    "set": Unit.SET,
    "套": Unit.SET,
}

ASSET_IMPORT_RULES = gettext_lazy(
    "Import assets from a CSV file: every row is checked first; with any problem nothing is imported and every "
    "problem is listed by line and column.\n"
    "\n"
    "Columns: code, name, category (a category's code or name), site (a site's code) are required; area (a name; "
    "an area the site lacks is added), location, latitude and longitude (both or neither), quantity (empty: 1), "
    "unit (m2, m, count or set), surface (m²), install_date and warranty_end (YYYY-MM-DD), contractor (an "
    "active contractor's name) and origin_project (a project's code) are optional. A code already in the register "
    "is refused."
)

TEMPLATE_ROWS = [
    CSV_COLUMNS,
    [
        "GW-P-001",
        "Greenway path, segment 1",
        "asphalt-road",
        "RIVERSIDE",
        "North bank",
        "K0+000 to K0+250",
        "31.230400",
        "121.473700",
        "750",
        "m2",
        "",
        "2026-05-30",
        "2028-05-30",
        "Riverside Paving Co.",
        "",
    ],
    [
        "GW-S-001",
        "Heron sculpture",
        "sculpture",
        "RIVERSIDE",
        "Plaza",
        "Entrance plaza",
        "",
        "",
        "1",
        "count",
        "12.5",
        "2026-06-15",
        "2027-06-15",
        "",
        "",
    ],
]


def template_csv() -> str:
    out = io.StringIO()
    csv_writer(out).writerows(TEMPLATE_ROWS)
    return out.getvalue()


def _decimal(row: Any, errors: RowErrors, column: str, places: int) -> Decimal | None:
    raw = row.cells.get(column, "").replace(",", "")
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        errors.add(row.line, column, _("Enter a number, with a decimal point."))
        return None
    exponent = value.as_tuple().exponent
    if not value.is_finite() or not isinstance(exponent, int):
        errors.add(row.line, column, _("Enter a number, with a decimal point."))
        return None
    if -exponent > places:
        errors.add(row.line, column, _("Use at most %(places)d decimal places.") % {"places": places})
        return None
    return value


def _date(row: Any, errors: RowErrors, column: str, organization: Organization) -> dt.date | None:
    raw = row.cells.get(column, "")
    if not raw:
        return None
    for pattern in DATE_FORMATS:
        try:
            day = dt.datetime.strptime(raw, pattern).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
        if not organization.date_window.contains(day):
            errors.add(row.line, column, organization.date_window.message())
            return None
        return day
    errors.add(row.line, column, _("Enter a date as YYYY-MM-DD."))
    return None


class AssetRegister:
    """The organisation's categories, sites, areas, contractors, projects and codes, read once."""

    def __init__(self, organization: Organization) -> None:
        self.organization = organization
        self.categories: dict[str, AssetCategory] = {}
        for category in AssetCategory.objects.for_organization(organization):
            for key in (category.code, category.name_zh, category.name_en):
                if key:
                    self.categories.setdefault(key.lower(), category)
        self.sites = {site.code.lower(): site for site in Site.objects.for_organization(organization)}
        self.areas = {
            (area.site_id, area.name.lower()): area
            for area in Area.objects.for_organization(organization).select_related("site")
        }
        self.contractors = {c.name.lower(): c for c in Contractor.objects.for_organization(organization)}
        self.projects = {p.code.lower(): p for p in Project.objects.for_organization(organization).only("pk", "code")}
        self.new_areas: dict[tuple[int, str], Area] = {}

    def codes_taken(self, codes: Iterable[str]) -> set[str]:
        wanted = {code.lower() for code in codes if code}
        if not wanted:
            return set()
        taken = (
            Asset.objects.for_organization(self.organization)
            .annotate(lower_code=Lower("code"))
            .filter(lower_code__in=wanted)
            .values_list("lower_code", flat=True)
        )
        return set(taken)

    def area(self, site: Site, name: str) -> Area:
        key = (site.pk, name.lower())
        found = self.areas.get(key) or self.new_areas.get(key)
        if found is None:
            found = Area(organization=self.organization, site=site, name=name)
            self.new_areas[key] = found
        return found


def _parse(row: Any, errors: RowErrors, register: AssetRegister) -> Asset:
    cells = row.cells
    organization = register.organization
    asset = Asset(organization=organization, code=cells.get("code", ""), name=cells.get("name", ""))
    asset.location_text = cells.get("location", "")
    category_text = cells.get("category", "")
    if category_text:
        category = register.categories.get(category_text.lower())
        if category is None:
            errors.add(row.line, "category", _("No category has this code or name."))
        else:
            asset.category = category
    site_text = cells.get("site", "")
    if site_text:
        site = register.sites.get(site_text.lower())
        if site is None:
            errors.add(row.line, "site", _("No site has this code."))
        else:
            asset.site = site
            area_name = " ".join(cells.get("area", "").split())
            if area_name:
                if len(area_name) > 200:
                    errors.add(row.line, "area", _("Use at most %(count)d characters.") % {"count": 200})
                else:
                    asset.area = register.area(site, area_name)
    elif cells.get("area"):
        errors.add(row.line, "area", _("An area needs its site."))
    asset.latitude = _decimal(row, errors, "latitude", 6)
    asset.longitude = _decimal(row, errors, "longitude", 6)
    asset.quantity = Decimal("1")
    if cells.get("quantity"):
        # A quantity that does not read is reported here; 0 keeps the asset's own checks quiet about it.
        asset.quantity = _decimal(row, errors, "quantity", 2) or Decimal("0")
    unit_text = cells.get("unit", "").lower()
    asset.unit = UNITS.get(unit_text, unit_text) if unit_text else Unit.COUNT
    asset.surface_area = _decimal(row, errors, "surface", 2)
    asset.install_date = _date(row, errors, "install_date", organization)
    asset.warranty_end = _date(row, errors, "warranty_end", organization)
    contractor_text = cells.get("contractor", "")
    if contractor_text:
        contractor = register.contractors.get(contractor_text.lower())
        if contractor is None:
            errors.add(row.line, "contractor", _("No contractor has this name: add it on the contractors page first."))
        else:
            asset.contractor = contractor
    project_text = cells.get("origin_project", "")
    if project_text:
        project = register.projects.get(project_text.lower())
        if project is None:
            errors.add(row.line, "origin_project", _("No project has this code."))
        else:
            asset.origin_project = project
    return asset


class RowErrors(Protocol):
    """Where the row checks put a problem: a line (or row) of the upload, a column, a message."""

    @property
    def same_code(self) -> StrOrPromise:
        """The message for a code already on an earlier line (or row), with ``%(line)d``."""
        ...

    def add(self, line: int | str, column: str, message: str) -> None: ...

    def reported(self, line: int) -> set[str]:
        """The columns of the line whose cell was refused already."""
        ...


class _Errors(CsvErrors):
    same_code = gettext_lazy("The code is also on line %(line)d.")

    def reported(self, line: int) -> set[str]:
        return {message.split(": ", 1)[0] for message in self.by_line.get(str(line), [])}


def check_rows(rows: Iterable[TableRow], register: AssetRegister, errors: RowErrors) -> list[tuple[int, Asset]]:
    """Every row as the asset it describes, checked with the asset's own rules and against the register
    (codes taken, codes twice in the file), whatever file it came from."""
    parsed: list[tuple[int, Asset]] = []
    for row in rows:
        asset = _parse(row, errors, register)
        problems = Problems()
        asset_problems(asset, problems)
        reported = errors.reported(row.line)
        for field, messages in problems.fields.items():
            column = FIELD_COLUMNS.get(field, field)
            if column in reported:
                continue  # the cell itself was refused already; its empty value says nothing more
            for message in messages:
                if field == "unit":
                    message = _("Write m2, m, count or set.")
                errors.add(row.line, column if column in CSV_COLUMNS else "", message)
        parsed.append((row.line, asset))
    taken = register.codes_taken(asset.code for _line, asset in parsed)
    lines: dict[str, int] = {}
    for line, asset in parsed:
        key = asset.code.lower()
        if not key:
            continue
        if key in taken:
            errors.add(line, "code", _("An asset with this code already exists."))
        elif key in lines:
            errors.add(line, "code", str(errors.same_code) % {"line": lines[key]})
        lines.setdefault(key, line)
    return parsed


@transaction.atomic
def assets_import(*, actor: User, organization: Organization, text: str | bytes) -> list[Asset]:
    """Add every asset of a CSV file (see the module's docstring), or none; answers the new assets."""
    content = decode_csv(text)
    errors = _Errors()
    table = read_table(
        content, errors, columns=CSV_COLUMNS, required=REQUIRED_COLUMNS, max_rows=MAX_ROWS, aliases=COLUMN_ALIASES
    )
    errors.raise_if_any()
    register = AssetRegister(organization)
    parsed = check_rows(table, register, errors)
    errors.raise_if_any()
    return write_assets(actor=actor, organization=organization, register=register, assets=[a for _l, a in parsed])


def write_assets(
    *,
    actor: User,
    organization: Organization,
    register: AssetRegister,
    assets: list[Asset],
    progress: Callable[[int, int], None] | None = None,
) -> list[Asset]:
    """Add checked assets (and the areas they name that their site lacks), each with its audit event."""
    for area in register.new_areas.values():
        created = area_create(actor=actor, site=area.site, name=area.name)
        area.pk = created.pk
        area.position = created.position
    for asset in assets:
        if asset.area is not None:
            # Assigned again, not by its id: the area stays cached on the asset, so that the audit
            # snapshot below does not read it back with a query an asset.
            asset.area = asset.area
    Asset.objects.for_organization(organization).bulk_create(assets, batch_size=1000)
    audit_record_many(
        organization=organization,
        actor=actor,
        action="maintenance.asset.imported",
        entries=((asset, snapshot(asset, ASSET_FIELDS + PLACE_FIELDS)) for asset in assets),
        progress=progress,
        total=len(assets),
    )
    return assets


def asset_rows(assets: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Rows of ``EXPORT_VALUES`` as typed values by the import's columns (``None``: an empty cell)."""
    for row in assets:
        yield {
            "code": row["code"],
            "name": row["name"],
            "category": row["category__code"],
            "site": row["site__code"],
            "area": row["area__name"],
            "location": row["location_text"],
            "latitude": row["latitude"],
            "longitude": row["longitude"],
            "quantity": row["quantity"],
            "unit": row["unit"],
            "surface": row["surface_area"],
            "install_date": row["install_date"],
            "warranty_end": row["warranty_end"],
            "contractor": row["contractor__name"],
            "origin_project": row["origin_project__code"],
        }


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def export_csv(assets: Iterable[dict[str, Any]]) -> str:
    """The assets (rows of ``EXPORT_VALUES``) as a CSV file in the import's columns, so it imports back."""
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in asset_rows(assets):
        writer.writerow([_csv_cell(row[column]) for column in CSV_COLUMNS])
    return out.getvalue()


EXPORT_VALUES = (
    "code",
    "name",
    "category__code",
    "site__code",
    "area__name",
    "location_text",
    "latitude",
    "longitude",
    "quantity",
    "unit",
    "surface_area",
    "install_date",
    "warranty_end",
    "contractor__name",
    "origin_project__code",
)
