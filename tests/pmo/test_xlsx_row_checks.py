"""What lets an import check a sheet's rows with the checks it wrote for CSV lines (pmo.xlsx.SheetErrors, row_cells)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from pmo.errors import ApplicationError
from pmo.xlsx import CellType, Column, Sheet, SheetErrors, SheetRow, WorkbookErrors, as_text, is_workbook, row_cells

COSTS = Sheet(
    key="costs",
    title=_("Costs"),
    columns=(Column("date", _("Date"), CellType.DATE, required=True), Column("amount", _("Amount"), CellType.MONEY)),
)


def test_a_csv_check_reports_cells_by_the_columns_key_and_the_sheets_row() -> None:
    errors = WorkbookErrors()
    checks = SheetErrors(errors, COSTS)

    with translation.override("en"):
        checks.add(5, "amount", "Too much.")
        checks.add("file", "", "Nothing under the header.")
        checks.add(6, "colour", "Not a column.")
        with pytest.raises(ApplicationError) as caught:
            checks.raise_if_any()

    assert caught.value.fields == {
        "Costs!B5": ["Amount: Too much."],
        "Costs": ["Nothing under the header."],
        "Costs!6": ["colour: Not a column."],
    }


def test_a_cell_the_reader_refused_keeps_its_one_message() -> None:
    errors = WorkbookErrors()
    with translation.override("en"):
        errors.add(COSTS, 3, COSTS.column("date"), "Enter a date (YYYY-MM-DD).")
        SheetErrors(errors, COSTS).add(3, "date", "This field is required.")
        SheetErrors(errors, COSTS).add(4, "date", "This field is required.")

        assert errors.fields([COSTS]) == {
            "Costs!A3": ["Date: Enter a date (YYYY-MM-DD)."],
            "Costs!A4": ["Date: This field is required."],
        }


def test_typed_values_become_the_text_a_csv_cell_would_hold() -> None:
    row = SheetRow(2, {"date": dt.date(2026, 3, 2), "amount": Decimal("12.50"), "flag": True, "note": None})

    assert row_cells(row) == {"date": "2026-03-02", "amount": "12.50", "flag": "yes", "note": ""}
    assert as_text(Decimal("1E+2")) == "100"
    assert as_text(False) == "no"


def test_a_workbook_is_told_from_csv_text_by_its_zip_signature() -> None:
    assert is_workbook(b"PK\x03\x04rest")
    assert not is_workbook(b"date,amount\n")
