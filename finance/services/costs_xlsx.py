"""A project's actual costs as an Excel workbook: export, the template to fill in, and the import.

The sheet "Actual costs" has the CSV import's columns (``costs.CSV_COLUMNS``) as typed cells: the date
as a date, the amount as a number with two decimals. The import reads the workbook with
``pmo.xlsx.read_workbook`` and hands its rows to the same checks and the same write as the CSV import
(``costs.actual_cost_rows_record``): every bad cell is reported by sheet, row and column, and nothing is
recorded unless every row is valid. Reversals are exported as the negative costs they are; an
export imported into a project with the same WBS codes gives the same sheet back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from finance.models import ActualCost
from finance.services import costs
from pmo.models import User
from pmo.xlsx import CellType, Column, Progress, Sheet, SheetErrors, WorkbookErrors, read_workbook, row_cells
from pmo.xlsx import template_bytes as xlsx_template_bytes
from pmo.xlsx import workbook_bytes as xlsx_workbook_bytes
from projects.models import Project

ACTUAL_COSTS_SHEET = Sheet(
    key="actual_costs",
    title=_("Actual costs"),
    help=_("One invoice, expense or credit a row. Every row is checked first: either all are recorded or none."),
    max_rows=costs.MAX_ROWS,
    columns=(
        Column(
            "date",
            _("Date"),
            CellType.DATE,
            required=True,
            example=dt.date(2026, 3, 31),
            help=_("The day of the invoice or expense; not in a closed period."),
            width=12,
        ),
        Column(
            "amount",
            _("Amount"),
            CellType.MONEY,
            required=True,
            example=Decimal("12500.00"),
            help=_("In the organisation's currency, two decimals; negative for a credit note."),
            width=14,
        ),
        Column(
            "category",
            _("Category code"),
            required=True,
            example="materials",
            help=_("The code of an active cost category, e.g. labour, materials."),
            max_length=32,
        ),
        Column(
            "wbs_code",
            _("WBS code"),
            example="1.2",
            help=_("Optional: the code of a WBS element or task of the project."),
            max_length=64,
            width=12,
        ),
        Column(
            "supplier",
            _("Supplier"),
            example="Riverside Stone",
            help=_("Optional, at most 200 characters."),
            max_length=costs.SUPPLIER_LENGTH,
            width=28,
        ),
        Column(
            "reference",
            _("Reference"),
            example="INV-0042",
            help=_("Optional: the invoice or expense reference, at most 100 characters."),
            max_length=costs.REFERENCE_LENGTH,
            width=18,
        ),
    ),
)
SHEETS = [ACTUAL_COSTS_SHEET]

#: The workbook's format and the import's answers, for people: the API's description.
XLSX_RULES = _(
    "A workbook (.xlsx) with the sheet “Actual costs” (its name and headers in English or Chinese): Date (a "
    "date cell or YYYY-MM-DD), Amount (a number, at most two decimals; negative for a credit), Category code "
    "(an active cost category), and optionally WBS code, Supplier and Reference; the template's sheet "
    "“Columns explained” describes each. The export has the same columns, so an export imports as it is.\n"
    "\n"
    "The import sends the workbook as the multipart field `file` (at most 20 MB by default; 413 beyond). "
    "The whole workbook is checked first and nothing is recorded unless every row is valid: the error "
    "(code `invalid_workbook`) maps each bad cell (`Actual costs!B5`), row (`Actual costs!5`) or sheet to its "
    "problems, each starting with the column's header, and `file` to problems of the file as a whole (code "
    "`invalid_file`: not a workbook). Budget control then applies to the rows as a whole, per category, as "
    "for the CSV import."
)


def actual_cost_rows(project: Project) -> Iterator[dict[str, Any]]:
    """The project's actual costs by date (then as recorded) as the sheet's rows, read in chunks."""
    queryset = (
        ActualCost.objects.for_organization(project.organization_id)
        .filter(project=project)
        .select_related("category", "wbs_element")
        .order_by("date", "pk")
    )
    for cost in queryset.iterator(chunk_size=2000):
        yield {
            "date": cost.date,
            "amount": cost.amount,
            "category": cost.category.code,
            "wbs_code": cost.wbs_element.code if cost.wbs_element is not None else "",
            "supplier": cost.supplier,
            "reference": cost.reference,
        }


def actual_costs_workbook(project: Project, *, progress: Progress | None = None) -> bytes:
    total = (
        ActualCost.objects.for_organization(project.organization_id).filter(project=project).count() if progress else 0
    )
    return xlsx_workbook_bytes([(ACTUAL_COSTS_SHEET, actual_cost_rows(project))], progress=progress, total=total)


def actual_costs_template() -> bytes:
    return xlsx_template_bytes(SHEETS)


@transaction.atomic
def actual_costs_import_xlsx(
    *, actor: User, project: Project, data: bytes, progress: Progress | None = None
) -> list[ActualCost]:
    """Record every row of the workbook's "Actual costs" sheet, or nothing (``invalid_workbook``)."""
    errors = WorkbookErrors()
    sheet_errors = SheetErrors(errors, ACTUAL_COSTS_SHEET)
    read = read_workbook(data, SHEETS, errors=errors, progress=progress)
    rows = [costs.CostRow(line=row.row, cells=row_cells(row)) for row in read[ACTUAL_COSTS_SHEET.key]]
    if not rows and not errors:
        sheet_errors.add("file", "", str(_("The sheet has no rows under its header.")))
    return costs.actual_cost_rows_record(
        actor=actor, project=project, rows=rows, errors=sheet_errors, file_format="xlsx"
    )
