"""The asset register as an Excel workbook: export the (filtered) register, download the template, import.

The sheet "Assets" has the CSV's columns (``maintenance.services.assets_import``), with headers in the
user's language and typed cells: coordinates, quantity and surface as numbers, dates as dates, the
unit as its name. The import reads the sheet with ``pmo.xlsx`` (headers and names in either
language), turns each row into the cells the CSV import checks and runs the same checks
(``assets_import.check_rows``) and the same write (``assets_import.write_assets``): every bad cell is
reported by sheet, row and column, and nothing is written unless every row is valid.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy, pgettext_lazy

from maintenance.models import Asset, Unit
from maintenance.services.assets_import import (
    EXPORT_VALUES,
    AssetRegister,
    asset_rows,
    check_rows,
    write_assets,
)
from pmo.csv_table import TableRow
from pmo.models import Organization, User
from pmo.xlsx import (
    CellType,
    Column,
    Progress,
    Sheet,
    SheetErrors,
    SheetRow,
    WorkbookErrors,
    as_text,
    read_workbook,
    template_bytes,
    write_workbook,
)

MAX_ROWS = 100_000

ASSETS = Sheet(
    key="assets",
    title=gettext_lazy("Assets"),
    help=gettext_lazy(
        "One asset a row. Code, name, category and site are required; a code already in the register is refused."
    ),
    max_rows=MAX_ROWS,
    columns=(
        Column(
            "code",
            gettext_lazy("Code"),
            required=True,
            help=gettext_lazy("Unique in the register and in the workbook."),
            example="GW-P-001",
            max_length=40,
            width=14,
        ),
        Column("name", gettext_lazy("Name"), required=True, example="Greenway path, segment 1", width=30),
        Column(
            "category",
            pgettext_lazy("asset category", "Category"),
            required=True,
            help=gettext_lazy("A category's code, or its name in either language."),
            example="asphalt-road",
        ),
        Column("site", gettext_lazy("Site"), required=True, help=gettext_lazy("A site's code."), example="RIVERSIDE"),
        Column(
            "area",
            gettext_lazy("Area"),
            help=gettext_lazy("An area's name in that site; an area the site lacks is added."),
            example="North bank",
        ),
        Column("location", gettext_lazy("Location"), example="K0+000 to K0+250", width=24),
        Column(
            "latitude",
            gettext_lazy("Latitude"),
            CellType.DECIMAL,
            places=6,
            help=gettext_lazy("Decimal degrees, with the longitude or without both."),
            example=Decimal("31.230400"),
            width=12,
        ),
        Column(
            "longitude",
            gettext_lazy("Longitude"),
            CellType.DECIMAL,
            places=6,
            help=gettext_lazy("Decimal degrees, with the latitude or without both."),
            example=Decimal("121.473700"),
            width=12,
        ),
        Column(
            "quantity",
            gettext_lazy("Quantity"),
            CellType.DECIMAL,
            help=gettext_lazy("0 or more; empty: 1."),
            example=Decimal(750),
            width=12,
        ),
        Column(
            "unit",
            gettext_lazy("Unit"),
            CellType.CHOICE,
            choices=tuple(Unit.choices),
            help=gettext_lazy("Empty: count."),
            example=Unit.SQUARE_METRE,
            width=10,
        ),
        Column(
            "surface",
            gettext_lazy("Surface (m²)"),
            CellType.DECIMAL,
            help=gettext_lazy("What a percentage criterion judges an area reading against."),
            width=12,
        ),
        Column("install_date", gettext_lazy("Installed on"), CellType.DATE, example=dt.date(2026, 5, 30), width=12),
        Column(
            "warranty_end",
            gettext_lazy("Warranty ends"),
            CellType.DATE,
            help=gettext_lazy("Not before the installation."),
            example=dt.date(2028, 5, 30),
            width=12,
        ),
        Column(
            "contractor",
            gettext_lazy("Contractor"),
            help=gettext_lazy("An active contractor's name, as on the contractors page."),
            example="Riverside Paving Co.",
            width=22,
        ),
        Column("origin_project", gettext_lazy("Origin project"), help=gettext_lazy("The code of the project.")),
    ),
)
SHEETS = (ASSETS,)


def assets_export_xlsx(assets: QuerySet[Asset], *, progress: Progress | None = None) -> bytes:
    """The assets as a workbook in the import's columns (one query, read in chunks)."""
    buffer = io.BytesIO()
    total = assets.count() if progress is not None else 0
    rows = asset_rows(assets.values(*EXPORT_VALUES).iterator(chunk_size=2000))
    write_workbook(buffer, [(ASSETS, rows)], progress=progress, total=total)
    return buffer.getvalue()


def template_xlsx() -> bytes:
    """The workbook to fill in: the header, an example row and the sheet explaining each column."""
    return template_bytes(SHEETS)


def _rows(values: list[SheetRow]) -> Iterator[TableRow]:
    """The sheet's rows as the rows the CSV's checks read, one at a time and each sheet row let go once
    turned: a workbook of 100,000 rows is not held three times over (sheet rows, table rows, assets)."""
    values.reverse()
    while values:
        row = values.pop()
        yield TableRow(row.row, {key: as_text(value) for key, value in row.values.items()})


@transaction.atomic
def assets_import_xlsx(
    *, actor: User, organization: Organization, content: bytes, progress: Progress | None = None
) -> list[Asset]:
    """Add every asset of a workbook, or none (``invalid_workbook`` lists every bad cell); answers the new assets."""
    errors = WorkbookErrors()
    rows = _rows(read_workbook(content, SHEETS, errors=errors, progress=progress)[ASSETS.key])
    register = AssetRegister(organization)
    parsed = check_rows(rows, register, SheetErrors(errors, ASSETS))
    errors.sort(SHEETS)
    errors.raise_if_any(SHEETS)
    return write_assets(
        actor=actor,
        organization=organization,
        register=register,
        assets=[asset for _line, asset in parsed],
        progress=progress,
    )
