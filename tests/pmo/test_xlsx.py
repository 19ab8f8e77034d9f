"""The shared workbook writer and reader (pmo.xlsx)."""

import datetime as dt
import io
import zipfile
from decimal import Decimal
from typing import Any

import pytest
from django.test import override_settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook, load_workbook

from pmo.errors import ApplicationError
from pmo.xlsx import (
    CellType,
    Column,
    Sheet,
    WorkbookErrors,
    error_rows,
    read_workbook,
    template_bytes,
    workbook_bytes,
)

TASKS = Sheet(
    key="tasks",
    title=_("Tasks"),
    columns=(
        Column("code", _("WBS code"), required=True, example="1.2"),
        Column("name", _("Name"), required=True, example="Pour the slab", help=_("The task's name.")),
        Column("start", _("Start"), CellType.DATE, example=dt.date(2026, 3, 2)),
        Column("cost", _("Planned cost"), CellType.MONEY, example=Decimal("1200.50")),
        Column("done", _("Percent complete"), CellType.PERCENT),
        Column("days", _("Duration"), CellType.INTEGER),
        Column("kind", _("Kind"), CellType.CHOICE, choices=(("task", _("Task")), ("milestone", _("Milestone")))),
        Column("flag", _("Critical"), CellType.BOOLEAN),
    ),
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _book(rows, title="Tasks", header=None):
    workbook = Workbook()
    ws = workbook.active
    ws.title = title
    ws.append(header or ["WBS code", "Name", "Start", "Planned cost"])
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _problems(data):
    with pytest.raises(ApplicationError) as caught:
        read_workbook(data, [TASKS])
    return caught.value


def test_typed_values_come_back_as_written():
    rows: list[dict[str, Any]] = [
        {
            "code": "1.10",
            "name": '=HYPERLINK("http://evil")',
            "start": dt.date(2026, 3, 2),
            "cost": Decimal("1234.5"),
            "done": Decimal("37.5"),
            "days": 4,
            "kind": "milestone",
            "flag": True,
        },
        {"code": "2", "name": "-minus", "start": None, "cost": None, "done": None, "days": None, "kind": "task"},
    ]
    data = workbook_bytes([(TASKS, rows)])

    read = read_workbook(data, [TASKS])["tasks"]

    assert [row.values for row in read] == [
        {**rows[0], "cost": Decimal("1234.50")},
        {**rows[1], "flag": None},
    ]
    assert [row.row for row in read] == [2, 3]


def test_export_has_a_frozen_header_typed_cells_and_formulas_as_text():
    data = workbook_bytes([(TASKS, [{"code": "1", "name": "@SUM(A1)", "start": dt.date(2026, 1, 5), "cost": 10}])])
    ws = load_workbook(io.BytesIO(data))["Tasks"]

    assert ws.freeze_panes == "A2"
    assert ws["B2"].data_type == "s"
    assert ws["B2"].value == "@SUM(A1)"
    assert ws["C2"].is_date
    assert ws["C2"].number_format == "yyyy-mm-dd"
    assert ws["D2"].number_format == "#,##0.00"
    assert ws["D2"].value == 10


def test_a_control_character_no_cell_may_hold_is_exported_as_the_replacement_character():
    # Text stored through the API may hold one (found by the fuzz run); openpyxl refused the whole file.
    rows = [{"code": "1\tA", "name": "Pour\x1bslab\x00"}, {"code": "2", "name": "=A1\x07"}]

    ws = load_workbook(io.BytesIO(workbook_bytes([(TASKS, rows)])))["Tasks"]

    assert ws["A2"].value == "1\tA"  # tab, line feed and carriage return a cell holds
    assert ws["B2"].value == "Pour\ufffdslab\ufffd"
    assert ws["B3"].value == "=A1\ufffd"
    assert ws["B3"].data_type == "s"


def test_headers_and_sheet_titles_follow_the_language_and_are_read_in_either():
    with translation.override("zh-hans"):
        data = workbook_bytes([(TASKS, [{"code": "1", "name": "浇筑", "kind": "task"}])])
        chinese_title = str(TASKS.title)
    assert chinese_title != "Tasks"
    assert load_workbook(io.BytesIO(data)).sheetnames == [chinese_title]

    with translation.override("en"):
        read = read_workbook(data, [TASKS])["tasks"]

    assert read[0].values["name"] == "浇筑"
    assert read[0].values["kind"] == "task"


def test_template_has_an_example_row_and_a_sheet_explaining_each_column():
    with translation.override("en"):
        workbook = load_workbook(io.BytesIO(template_bytes([TASKS])))

    assert workbook.sheetnames == ["Tasks", "Columns explained"]
    assert [cell.value for cell in workbook["Tasks"][2]][:2] == ["1.2", "Pour the slab"]
    explained = [[cell.value for cell in row] for row in workbook["Columns explained"].iter_rows(min_row=2)]
    assert ["Tasks", "Name", "yes", "text", "The task's name."] in explained
    assert any(row[1] == "Kind" and "Task / Milestone" in row[4] for row in explained)
    # The template reads back: its example row is valid.
    assert read_workbook(template_bytes([TASKS]), [TASKS])["tasks"][0].values["code"] == "1.2"


@pytest.mark.parametrize(
    ("row", "cell", "message"),
    [
        (["1", "A", "tomorrow", 5], "Tasks!C3", "Start: Enter a date (YYYY-MM-DD)."),
        (["1", "A", dt.datetime(1850, 1, 1), 5], "Tasks!C3", "Start: Enter a date from"),
        (["1", "A", None, "lots"], "Tasks!D3", "Planned cost: Enter a number."),
        (["1", "A", None, 1.234], "Tasks!D3", "Planned cost: Enter at most 2 decimals."),
        (["1", None, None, 5], "Tasks!B3", "Name: This cell is required."),
    ],
)
def test_every_bad_cell_is_reported_by_sheet_row_and_column(row, cell, message):
    error = _problems(_book([["1", "fine", None, 1], row]))

    assert error.code == "invalid_workbook"
    assert list(error.fields) == [cell]
    assert error.fields[cell][0].startswith(message)


def test_a_sum_worked_out_in_the_spreadsheet_is_taken_as_its_two_decimals():
    read = read_workbook(_book([["1", "A", None, 0.1 + 0.2]]), [TASKS])["tasks"]

    assert read[0].values["cost"] == Decimal("0.30")


def test_unknown_and_missing_columns_and_sheets_refuse_the_file():
    error = _problems(_book([["1"]], header=["WBS code", "Colour"]))
    assert error.fields["Tasks"] == ["Unknown columns: Colour", "Missing columns: Name"]

    error = _problems(_book([["1", "A"]], title="Sheet9"))
    assert error.fields["file"][0].startswith("Unknown sheets: Sheet9.")


def test_a_file_that_is_not_a_workbook_is_refused():
    for data in (b"code,name\n1,A\n", b"PK\x03\x04broken"):
        error = _problems(data)
        assert error.code == "invalid_file"


@override_settings(PMO_EXCHANGE_MAX_BYTES=1000)
def test_a_file_over_the_limit_is_refused_with_413():
    error = _problems(b"x" * 1001)

    assert (error.code, error.status_code) == ("too_large", 413)


@override_settings(PMO_EXCHANGE_MAX_UNPACKED_BYTES=100_000)
def test_a_workbook_that_unpacks_to_too_much_is_refused_before_it_is_read():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", "0" * 1_000_000)
    error = _problems(buffer.getvalue())

    assert (error.code, error.status_code) == ("too_large", 413)


def test_error_rows_split_the_fields_for_the_page():
    errors = WorkbookErrors()
    errors.add(TASKS, 5, TASKS.column("start"), "Enter a date.")
    errors.add(TASKS, None, "", "Missing columns: Name")
    errors.add("file", None, "", "Broken.")

    rows = error_rows(errors.fields([TASKS]))

    assert rows == [
        {"sheet": "Tasks", "cell": "C5", "line": 5, "column": "Start", "message": "Enter a date."},
        {"sheet": "Tasks", "cell": "", "line": None, "column": "", "message": "Missing columns: Name"},
        {"sheet": "", "cell": "", "line": None, "column": "", "message": "Broken."},
    ]


def _with_sheet_xml(sheet_xml: str) -> bytes:
    """A real workbook whose first sheet's XML is replaced by ``sheet_xml``."""
    source = zipfile.ZipFile(io.BytesIO(workbook_bytes([(TASKS, [{"code": "1", "name": "A"}])])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = sheet_xml.encode()
            archive.writestr(info, content)
    return buffer.getvalue()


def test_a_sheet_with_an_entity_expansion_bomb_is_refused_without_expanding_it():
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>'
    )

    error = _problems(_with_sheet_xml(bomb))

    assert error.code == "invalid_file"


def test_a_sheet_whose_xml_is_broken_is_refused_as_not_a_workbook():
    error = _problems(_with_sheet_xml("<worksheet><sheetData><row>"))

    assert error.code == "invalid_file"


def test_a_bad_cell_is_named_where_it_is_in_the_file_whatever_the_order_of_its_columns():
    data = _book([["soon", "1", "Pour"]], header=["Start", "WBS code", "Name"])

    assert _problems(data).fields == {"Tasks!A2": ["Start: Enter a date (YYYY-MM-DD)."]}


def test_sorted_problems_come_file_first_then_by_row_and_by_where_the_column_is_in_the_file():
    errors = WorkbookErrors()
    read_workbook(
        _book([["x", "1", ""], ["soon", "2", "B"]], header=["Start", "WBS code", "Name"]), [TASKS], errors=errors
    )
    errors.add(TASKS, 2, TASKS.column("code"), "Taken.")
    errors.add("file", None, "", "Something about the file.")

    errors.sort([TASKS])

    assert list(errors.fields([TASKS])) == ["file", "Tasks!A2", "Tasks!B2", "Tasks!C2", "Tasks!A3"]
