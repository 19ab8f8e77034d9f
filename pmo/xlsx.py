"""Workbooks (.xlsx) in and out, the one way every app writes and reads them.

An app describes each sheet once (``Sheet`` of ``Column``s: key, header, type, help, example)
and uses the description three ways:

- ``write_workbook`` streams rows into a workbook with openpyxl's write-only mode (memory stays
  flat for 100,000 rows): headers in the active language, a frozen header row, typed cells (dates
  as dates, money as numbers with two decimals), and text that a spreadsheet would take for a
  formula (``=``, ``+``, ``-``, ``@``) stored as text.
- ``write_template`` writes the empty workbook people fill in: each sheet's header and example
  row, and a last sheet that explains every column.
- ``read_workbook`` reads an upload with the read-only mode: sheets and headers are recognised in
  either language (or by key), every cell is converted to its column's type, and every problem
  is collected in ``WorkbookErrors`` as sheet, row, column and message. Nothing is returned for a
  workbook with any problem: the import that called it writes nothing.

Problems travel in ``ApplicationError.fields`` keyed by the cell (``"Tasks!D5"``), the row
(``"Tasks!5"``), the sheet (``"Tasks"``) or ``"file"``; each message starts with the column's
header. ``error_rows`` turns them back into rows for the page's table.
"""

from __future__ import annotations

import datetime as dt
import enum
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, BinaryIO

from defusedxml import DefusedXmlException
from django.conf import settings
from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from rest_framework import status

from pmo.csv_table import FORMULA_STARTS
from pmo.dates import active_date_window
from pmo.errors import ApplicationError

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILE = "file"
#: The explanation sheet's title; ``read_workbook`` passes over it in either language.
HELP_SHEET_TITLE = gettext_lazy("Columns explained")
REPLACEMENT_CHARACTER = "\ufffd"
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
#: Messages kept per workbook: a file that is wrong everywhere says so without a megabyte of errors.
MAX_ERRORS = 500
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_CELL_KEY = re.compile(r"^(?P<sheet>.*)!(?P<column>[A-Z]*)(?P<row>\d+)$")

Progress = Callable[[int, int], None]


class CellType(enum.StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    MONEY = "money"
    PERCENT = "percent"
    DATE = "date"
    BOOLEAN = "boolean"
    CHOICE = "choice"


_TYPE_NAMES = {
    CellType.TEXT: pgettext_lazy("cell type", "text"),
    CellType.INTEGER: pgettext_lazy("cell type", "whole number"),
    CellType.DECIMAL: pgettext_lazy("cell type", "number"),
    CellType.MONEY: pgettext_lazy("cell type", "amount (two decimals)"),
    CellType.PERCENT: pgettext_lazy("cell type", "percentage from 0 to 100"),
    CellType.DATE: pgettext_lazy("cell type", "date"),
    CellType.BOOLEAN: pgettext_lazy("cell type", "yes or no"),
    CellType.CHOICE: pgettext_lazy("cell type", "one of the listed values"),
}
_TRUE = {"1", "true", "yes", "y", "是", "对"}
_FALSE = {"0", "false", "no", "n", "否", "不"}


@dataclass(frozen=True)
class Column:
    """A column of a sheet: its key (the import's name for it), header, type and explanation.

    ``choices`` are ``(code, label)`` pairs: the export writes the label in the active language,
    the import takes the code or the label in any language. ``places`` bounds the decimals of a
    ``DECIMAL`` (``MONEY`` always has two).
    """

    key: str
    label: StrOrPromise
    type: CellType = CellType.TEXT
    required: bool = False
    help: StrOrPromise = ""
    example: Any = None
    choices: tuple[tuple[str, StrOrPromise], ...] = ()
    places: int = 2
    width: int = 16
    max_length: int | None = None


@dataclass(frozen=True)
class Sheet:
    """A sheet: its key, title (at most 31 characters in every language) and columns."""

    key: str
    title: StrOrPromise
    columns: tuple[Column, ...]
    help: StrOrPromise = ""
    max_rows: int = 100_000

    def column(self, key: str) -> Column:
        return next(column for column in self.columns if column.key == key)


@dataclass(frozen=True, slots=True)
class SheetRow:
    """A row read from a sheet: its number in the sheet (the header is row 1) and its values by key."""

    row: int
    values: dict[str, Any]


@dataclass(frozen=True)
class WorkbookProblem:
    sheet: str
    row: int | None
    column: str
    message: str


class WorkbookErrors:
    """An import's problems, by sheet, row and column (``fields`` of the ``ApplicationError``)."""

    def __init__(self) -> None:
        self.problems: list[WorkbookProblem] = []
        self.truncated = False
        #: Where each column is in the upload, by (sheet title, column header): a problem names the cell
        #: of the file, whatever order its columns are in.
        self.letters: dict[tuple[str, str], str] = {}
        #: The cells with a problem: (sheet title, row, column header).
        self.cells: set[tuple[str, int | None, str]] = set()

    def add(self, sheet: Sheet | str, row: int | None, column: Column | str | None, message: str) -> None:
        sheet_title = str(sheet.title) if isinstance(sheet, Sheet) else sheet
        column_label = str(column.label) if isinstance(column, Column) else (column or "")
        self.cells.add((sheet_title, row, column_label))
        if len(self.problems) >= MAX_ERRORS:
            self.truncated = True
            return
        self.problems.append(WorkbookProblem(sheet_title, row, column_label, message))

    def add_cell(self, sheet: Sheet, row: int, column: Column, message: str) -> None:
        self.add(sheet, row, column, message)

    def __bool__(self) -> bool:
        return bool(self.problems)

    def sort(self, sheets: Sequence[Sheet] = ()) -> None:
        """Order the problems as people read the file: the file's first, then by sheet (in ``sheets``' order),
        row and column (where it is in the file). An import that adds its own checks after reading sorts
        before it raises, so that each row's problems come together."""
        sheet_order = {str(sheet.title): index for index, sheet in enumerate(sheets)}
        positions = {
            (str(sheet.title), str(column.label)): index
            for sheet in sheets
            for index, column in enumerate(sheet.columns, start=1)
        }

        def place(problem: WorkbookProblem) -> tuple[int, int, int, int]:
            where = (problem.sheet, problem.column)
            letter = self.letters.get(where)
            column = column_index_from_string(letter) if letter else positions.get(where, 0)
            if problem.sheet == FILE or not problem.sheet:
                return (0, 0, 0, 0)
            return (1, sheet_order.get(problem.sheet, len(sheet_order)), problem.row or 0, column)

        self.problems.sort(key=place)

    def fields(self, sheets: Sequence[Sheet] = ()) -> dict[str, list[str]]:
        letters = {
            (str(sheet.title), str(column.label)): get_column_letter(index)
            for sheet in sheets
            for index, column in enumerate(sheet.columns, start=1)
        }
        fields: dict[str, list[str]] = {}
        for problem in self.problems:
            if problem.sheet == FILE or not problem.sheet:
                key = FILE
            elif problem.row is None:
                key = problem.sheet
            else:
                where = (problem.sheet, problem.column)
                letter = self.letters.get(where) or letters.get(where, "")
                key = f"{problem.sheet}!{letter}{problem.row}"
            fields.setdefault(key, []).append(
                f"{problem.column}: {problem.message}" if problem.column else problem.message
            )
        if self.truncated:
            fields.setdefault(FILE, []).append(
                _("Only the first %(count)d problems are listed.") % {"count": MAX_ERRORS}
            )
        return fields

    def raise_if_any(self, sheets: Sequence[Sheet] = ()) -> None:
        if self.problems:
            raise ApplicationError(
                _("The workbook has errors; nothing was imported."),
                code="invalid_workbook",
                fields=self.fields(sheets),
            )


def error_rows(fields: Mapping[str, Sequence[str]]) -> list[dict[str, Any]]:
    """An import error's ``fields`` as rows of the import page's table (``with_sheet``): sheet, cell,
    row (``line``, None for the sheet or the file as a whole), column and message.

    Reads the keys ``WorkbookErrors.fields`` writes: ``"Tasks!D5"``, ``"Tasks!5"``, ``"Tasks"`` and
    ``"file"``.
    """
    rows: list[dict[str, Any]] = []
    for key, messages in fields.items():
        match = _CELL_KEY.match(key)
        sheet, cell, row = "", "", ""
        if match:
            sheet, cell, row = match["sheet"], f"{match['column']}{match['row']}", match["row"]
        elif key != FILE:
            sheet = key
        for message in messages:
            column, sep, text = message.partition(": ") if match else ("", "", message)
            if not sep:
                column, text = "", message
            line = int(row) if row else None
            rows.append({"sheet": sheet, "cell": cell, "line": line, "column": column, "message": text})
    return rows


def worksheet_text(value: str) -> str:
    """``value`` as a worksheet can hold it: a control character no cell may contain (any below
    U+0020 but tab, line feed and carriage return) becomes U+FFFD, where openpyxl would refuse the
    whole file. The stored text keeps it; only the cell shows the replacement."""
    return ILLEGAL_CHARACTERS_RE.sub(REPLACEMENT_CHARACTER, value)


def spreadsheet_safe(value: str) -> bool:
    """Whether a spreadsheet would show ``value`` as it is (not take it for a formula)."""
    return not value.startswith(FORMULA_STARTS)


def _labels(label: StrOrPromise, key: str) -> set[str]:
    """A header's or title's names in every language, and its key, as the import matches them."""
    names = {key.casefold()}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            names.add(str(label).strip().casefold())
    return names


def _sheet_title(sheet: Sheet) -> str:
    title = _SHEET_TITLE_FORBIDDEN.sub(" ", str(sheet.title)).strip()
    return title[:31] or sheet.key[:31]


class _Styles:
    """The cell styles of one write, made once (write-only cells take them by assignment)."""

    header_font = Font(bold=True, color="FFFFFF")
    header_fill = PatternFill("solid", fgColor="1F4E79")
    wrap = Alignment(wrap_text=True, vertical="top")


def _header(ws: WriteOnlyWorksheet, sheet: Sheet) -> list[WriteOnlyCell]:
    cells = []
    for column in sheet.columns:
        cell = WriteOnlyCell(ws, value=str(column.label))
        cell.font = _Styles.header_font
        cell.fill = _Styles.header_fill
        cells.append(cell)
    return cells


def _begin(workbook: Workbook, sheet: Sheet, title: str | None = None) -> WriteOnlyWorksheet:
    ws = workbook.create_sheet(title or _sheet_title(sheet))
    ws.freeze_panes = "A2"
    for index, column in enumerate(sheet.columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    return ws


class _RowWriter:
    """Turns a row's values into cells of their column's type; plain values where no style is needed."""

    def __init__(self, ws: WriteOnlyWorksheet, sheet: Sheet) -> None:
        self.ws = ws
        self.columns = sheet.columns
        self.choice_labels = [
            {code: str(label) for code, label in column.choices} if column.choices else None for column in sheet.columns
        ]

    def cells(self, values: Mapping[str, Any]) -> list[Any]:
        out: list[Any] = []
        for column, labels in zip(self.columns, self.choice_labels, strict=True):
            out.append(self._cell(column, labels, values.get(column.key)))
        return out

    def _cell(self, column: Column, labels: dict[str, str] | None, value: Any) -> Any:
        if value is None or value == "":
            return None
        kind = column.type
        if kind is CellType.CHOICE and labels is not None:
            return labels.get(str(value), worksheet_text(str(value)))
        if kind is CellType.MONEY:
            cell = WriteOnlyCell(self.ws, value=Decimal(value).quantize(Decimal("0.01")))
            cell.number_format = MONEY_FORMAT
            return cell
        if kind in (CellType.DECIMAL, CellType.PERCENT):
            return Decimal(value) if not isinstance(value, (int, Decimal)) else value
        if kind is CellType.DATE:
            if isinstance(value, dt.datetime):
                value = value.date()
            return value
        if kind is CellType.BOOLEAN:
            return bool(value)
        if kind is CellType.INTEGER:
            return int(value)
        text = worksheet_text(str(value))
        if not spreadsheet_safe(text):
            cell = WriteOnlyCell(self.ws, value=None)
            cell.value = text
            cell.data_type = "s"
            return cell
        return text


def write_workbook(
    stream: BinaryIO,
    sheets: Sequence[tuple[Sheet, Iterable[Mapping[str, Any]]]],
    *,
    progress: Progress | None = None,
    total: int = 0,
) -> None:
    """Write each sheet's rows (mappings by column key) to ``stream`` as one workbook.

    ``progress(done, total)`` is called every 500 rows when given; ``total`` is the caller's
    count of all rows (0: unknown).
    """
    workbook = Workbook(write_only=True)
    done = 0
    for sheet, rows in sheets:
        ws = _begin(workbook, sheet)
        ws.append(_header(ws, sheet))
        writer = _RowWriter(ws, sheet)
        for values in rows:
            ws.append(writer.cells(values))
            done += 1
            if progress is not None and done % 500 == 0:
                progress(done, total)
    workbook.save(stream)
    if progress is not None:
        progress(done, total or done)


def write_template(stream: BinaryIO, sheets: Sequence[Sheet]) -> None:
    """The workbook people fill in: each sheet's header and example row, then a sheet explaining each column."""
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        ws = _begin(workbook, sheet)
        ws.append(_header(ws, sheet))
        ws.append(_RowWriter(ws, sheet).cells({column.key: column.example for column in sheet.columns}))
    explained = Sheet(
        key="columns",
        title=HELP_SHEET_TITLE,
        columns=(
            Column("sheet", gettext_lazy("Sheet"), width=18),
            Column("column", gettext_lazy("Column"), width=22),
            Column("required", gettext_lazy("Required"), width=10),
            Column("type", gettext_lazy("Type"), width=20),
            Column("explanation", gettext_lazy("Explanation"), width=80),
        ),
    )
    ws = _begin(workbook, explained)
    ws.append(_header(ws, explained))
    for sheet in sheets:
        if sheet.help:
            ws.append([_sheet_title(sheet), "", "", "", _wrapped(ws, str(sheet.help))])
        for column in sheet.columns:
            explanation = str(column.help)
            if column.choices:
                explanation = f"{explanation} " + _("Values: %s") % " / ".join(
                    str(label) for _code, label in column.choices
                )
            ws.append(
                [
                    _sheet_title(sheet),
                    str(column.label),
                    _("yes") if column.required else _("no"),
                    str(_TYPE_NAMES[column.type]),
                    _wrapped(ws, explanation.strip()),
                ]
            )
    workbook.save(stream)


def _wrapped(ws: WriteOnlyWorksheet, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value=None)
    cell.value = text
    cell.data_type = "s"
    cell.alignment = _Styles.wrap
    return cell


def workbook_bytes(sheets: Sequence[tuple[Sheet, Iterable[Mapping[str, Any]]]], **kwargs: Any) -> bytes:
    buffer = io.BytesIO()
    write_workbook(buffer, sheets, **kwargs)
    return buffer.getvalue()


def template_bytes(sheets: Sequence[Sheet]) -> bytes:
    buffer = io.BytesIO()
    write_template(buffer, sheets)
    return buffer.getvalue()


def upload_too_large() -> ApplicationError:
    """The refusal (413) of an upload larger than ``PMO_EXCHANGE_MAX_BYTES``."""
    return ApplicationError(
        _("The file is too large."),
        code="too_large",
        fields={FILE: [_("Send at most %(size)d MB.") % {"size": settings.PMO_EXCHANGE_MAX_BYTES // (1024 * 1024)}]},
        status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    )


def check_upload_size(data: bytes) -> None:
    """Refuse (413) an upload larger than ``PMO_EXCHANGE_MAX_BYTES``."""
    if len(data) > settings.PMO_EXCHANGE_MAX_BYTES:
        raise upload_too_large()


def _not_a_workbook() -> ApplicationError:
    return ApplicationError(
        _("The file is not an Excel workbook (.xlsx)."),
        code="invalid_file",
        fields={FILE: [_("Save the file as an Excel workbook (.xlsx) and try again.")]},
    )


def _open(data: bytes) -> Any:
    check_upload_size(data)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _not_a_workbook() from None
    if unpacked > settings.PMO_EXCHANGE_MAX_UNPACKED_BYTES:
        raise ApplicationError(
            _("The workbook unpacks to more than %(size)d MB; split it into smaller files.")
            % {"size": settings.PMO_EXCHANGE_MAX_UNPACKED_BYTES // (1024 * 1024)},
            code="too_large",
            fields={FILE: [_("The workbook is too large once unpacked.")]},
            status_code=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    # ElementTree's and lxml's parse errors are SyntaxErrors; defusedxml's refusals ValueErrors.
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, SyntaxError):
        raise _not_a_workbook() from None


@dataclass
class _ColumnReader:
    column: Column
    choices: dict[str, str] = field(default_factory=dict)


def read_workbook(
    data: bytes,
    sheets: Sequence[Sheet],
    *,
    errors: WorkbookErrors | None = None,
    progress: Progress | None = None,
) -> dict[str, list[SheetRow]]:
    """Every known sheet's rows with typed values, by sheet key; raises with every problem found.

    A sheet the workbook lacks has no rows (the import says whether it needs it). A sheet, a
    header or a choice is recognised by its name in any language or by its key. Blank rows are
    skipped. Pass ``errors`` to add the import's own checks before raising yourself
    (``errors.raise_if_any(sheets)``); without it, this raises at once.
    """
    own_errors = errors is None
    errors = errors if errors is not None else WorkbookErrors()
    workbook = _open(data)
    try:
        by_name: dict[str, Sheet] = {}
        for sheet in sheets:
            for name in _labels(sheet.title, sheet.key) | {_sheet_title(sheet).casefold()}:
                by_name[name] = sheet
        skipped = _labels(HELP_SHEET_TITLE, "columns")
        result: dict[str, list[SheetRow]] = {sheet.key: [] for sheet in sheets}
        seen: set[str] = set()
        unknown: list[str] = []
        for ws in workbook.worksheets:
            name = ws.title.strip().casefold()
            found_sheet = by_name.get(name)
            if found_sheet is None:
                if name not in skipped:
                    unknown.append(ws.title)
                continue
            if found_sheet.key in seen:
                errors.add(FILE, None, "", _("The sheet “%(sheet)s” is in the workbook twice.") % {"sheet": ws.title})
                continue
            seen.add(found_sheet.key)
            try:
                result[found_sheet.key] = _read_sheet(ws, found_sheet, errors, progress)
            except (SyntaxError, DefusedXmlException, zipfile.BadZipFile, KeyError, OSError):
                # A sheet's XML is read as the rows are: broken or hostile XML shows only here.
                raise _not_a_workbook() from None
        if unknown:
            errors.add(
                FILE,
                None,
                "",
                _("Unknown sheets: %(names)s. Expected: %(expected)s.")
                % {
                    "names": ", ".join(unknown),
                    "expected": ", ".join(_sheet_title(sheet) for sheet in sheets),
                },
            )
        if not seen:
            errors.add(FILE, None, "", _("The workbook has none of the expected sheets."))
    finally:
        workbook.close()
    if own_errors:
        errors.raise_if_any(sheets)
    return result


def _read_sheet(ws: Any, sheet: Sheet, errors: WorkbookErrors, progress: Progress | None) -> list[SheetRow]:
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None or not any(_blank(value) is False for value in header):
        errors.add(sheet, None, "", _("The sheet has no header row."))
        return []
    names: dict[str, Column] = {}
    for column in sheet.columns:
        for name in _labels(column.label, column.key):
            names[name] = column
    positions: list[tuple[int, _ColumnReader]] = []
    unknown: list[str] = []
    found: set[str] = set()
    for index, value in enumerate(header):
        if _blank(value):
            continue
        named = names.get(str(value).strip().casefold())
        if named is None:
            unknown.append(str(value).strip())
        elif named.key in found:
            errors.add(sheet, None, "", _("The column “%(column)s” is there twice.") % {"column": value})
        else:
            found.add(named.key)
            errors.letters[(str(sheet.title), str(named.label))] = get_column_letter(index + 1)
            reader = _ColumnReader(named)
            if named.choices:
                for code, label in named.choices:
                    for name in _labels(label, code):
                        reader.choices[name] = code
            positions.append((index, reader))
    if unknown:
        errors.add(sheet, None, "", _("Unknown columns: %s") % ", ".join(unknown))
    missing = [str(column.label) for column in sheet.columns if column.required and column.key not in found]
    if missing:
        errors.add(sheet, None, "", _("Missing columns: %s") % ", ".join(missing))
    if unknown or missing:
        return []
    out: list[SheetRow] = []
    window = active_date_window()
    for number, cells in enumerate(rows, start=2):
        if all(_blank(value) for value in cells):
            continue
        if len(out) == sheet.max_rows:
            errors.add(sheet, None, "", _("A sheet can hold at most %(count)d rows.") % {"count": sheet.max_rows})
            return []
        values: dict[str, Any] = {}
        for index, reader in positions:
            raw = cells[index] if index < len(cells) else None
            column = reader.column
            if _blank(raw):
                if column.required:
                    errors.add(sheet, number, column, _("This cell is required."))
                values[column.key] = None
                continue
            try:
                values[column.key] = _convert(column, reader, raw, window)
            except ValueError as problem:
                errors.add(sheet, number, column, str(problem))
                values[column.key] = None
        out.append(SheetRow(number, values))
        if progress is not None and len(out) % 1000 == 0:
            progress(len(out), 0)
    return out


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _convert(column: Column, reader: _ColumnReader, raw: Any, window: Any) -> Any:
    """The cell's value as its column's type; ``ValueError`` with the message for people otherwise."""
    kind = column.type
    if kind is CellType.TEXT:
        text = _text(raw)
        if column.max_length is not None and len(text) > column.max_length:
            raise ValueError(_("At most %(count)d characters.") % {"count": column.max_length})
        return text
    if kind is CellType.CHOICE:
        code = reader.choices.get(_text(raw).casefold())
        if code is None:
            raise ValueError(
                _("“%(value)s” is not one of: %(choices)s.")
                % {"value": _text(raw), "choices": " / ".join(str(label) for _c, label in column.choices)}
            )
        return code
    if kind is CellType.DATE:
        day = _date(raw)
        if not window.contains(day):
            raise ValueError(window.message())
        return day
    if kind is CellType.BOOLEAN:
        if isinstance(raw, bool):
            return raw
        text = _text(raw).casefold()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError(_("Enter yes or no."))
    number = _number(raw)
    if kind is CellType.INTEGER:
        if number != number.to_integral_value():
            raise ValueError(_("Enter a whole number."))
        return int(number)
    places = 2 if kind is CellType.MONEY else column.places
    rounded = number.quantize(Decimal(1).scaleb(-places))
    # A sum worked out in the spreadsheet (0.1 + 0.2) is a float a hair off its two decimals.
    if abs(rounded - number) > Decimal("1e-9"):
        raise ValueError(_("Enter at most %(places)d decimals.") % {"places": places})
    number = rounded
    if kind is CellType.PERCENT and not Decimal(0) <= number <= Decimal(100):
        raise ValueError(_("Enter a percentage from 0 to 100."))
    return number


def _text(raw: Any) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, (dt.datetime, dt.date)):
        return raw.isoformat()
    return str(raw).strip()


def _number(raw: Any) -> Decimal:
    if isinstance(raw, (bool, dt.date, dt.datetime)):
        raise ValueError(_("Enter a number."))
    try:
        if isinstance(raw, float):
            # The shortest text that reads back as the same float: 0.1 stays 0.1, not 0.1000000000000000055.
            number = Decimal(repr(raw))
        else:
            number = Decimal(str(raw).strip().replace(",", ""))
    except InvalidOperation:
        raise ValueError(_("Enter a number.")) from None
    if not number.is_finite():
        raise ValueError(_("Enter a number."))
    return number


def _date(raw: Any) -> dt.date:
    if isinstance(raw, dt.datetime):
        if raw.time() != dt.time(0, 0):
            raise ValueError(_("Enter a date without a time."))
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, str):
        text = raw.strip().replace("/", "-")
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    raise ValueError(_("Enter a date (YYYY-MM-DD)."))


class SheetErrors:
    """One sheet's problems with ``CsvErrors``' interface (``add(line, column_key, message)``), so that a
    row check written once for an import's CSV rows reports a workbook's cells as well.

    ``line`` is the sheet's row (``"file"``: the sheet as a whole); ``column`` a column's key. A cell
    the workbook reader refused already (a date that is not one) keeps that one message: the check's
    "required" for the value it then lacks is not added. ``same_code`` is the message a register's
    checks give a code already on an earlier row (``%(line)d``); ``reported(line)`` the keys of the
    row's cells with a problem so far.
    """

    same_code: StrOrPromise = gettext_lazy("The code is also on row %(line)d.")

    def __init__(self, errors: WorkbookErrors, sheet: Sheet, *, same_code: StrOrPromise | None = None) -> None:
        self.errors = errors
        self.sheet = sheet
        if same_code is not None:
            self.same_code = same_code
        self._labels = {column.key: column for column in sheet.columns}
        # The headers as the errors name them, worked out once: ``reported`` is asked for every row.
        self._title = str(sheet.title)
        self._headers = [(column.key, str(column.label)) for column in sheet.columns]
        self._own: set[tuple[int, str]] = set()

    def add(self, line: int | str, column: str, message: str) -> None:
        row = line if isinstance(line, int) else (int(line) if str(line).isdigit() else None)
        found = self._labels.get(column)
        label = str(found.label) if found is not None else column
        title = str(self.sheet.title)
        if row is not None and label and (row, label) not in self._own and (title, row, label) in self.errors.cells:
            return
        self.errors.add(self.sheet, row, found if found is not None else column, message)
        if row is not None and label:
            self._own.add((row, label))

    def reported(self, line: int) -> set[str]:
        cells = self.errors.cells
        if not cells:
            return set()
        return {key for key, label in self._headers if (self._title, line, label) in cells}

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        self.errors.raise_if_any([self.sheet])


def as_text(value: Any) -> str:
    """A value ``read_workbook`` converted, as the text of a CSV cell that an import's row check reads:
    dates as YYYY-MM-DD, numbers in plain notation, yes/no, choices as their code; blank as ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def row_cells(row: SheetRow) -> dict[str, str]:
    """A sheet row's values as CSV cells by column key (``as_text``)."""
    return {key: as_text(value) for key, value in row.values.items()}


def is_workbook(data: bytes) -> bool:
    """Whether an upload is a workbook (a zip archive) rather than CSV text, for pages that take either."""
    return data[:4] == b"PK\x03\x04"


def file_stem(code: str, fallback: str) -> str:
    """A code made safe for a file name (``PRJ 01/a`` → ``PRJ-01-a``)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", code).strip("-") or fallback


def workbook_name(stem: str, suffix: str) -> str:
    """``<stem>-<suffix>.xlsx`` with only the characters every file system and header take."""
    return f"{file_stem(stem, 'export')}-{suffix}.xlsx"


def xlsx_response(data: bytes, name: str) -> HttpResponse:
    """A workbook to download as ``name``."""
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
