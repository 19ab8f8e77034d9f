"""Reading an uploaded CSV file of rows under a header, the one way every import reads it.

An import (a project's plan, a project's actual costs, a risk register) decodes the upload with
``decode_csv``, reads it with ``read_table`` into ``TableRow``s (the line of the file and the cells
by column name), then checks each row itself. Problems are collected in ``CsvErrors`` by line of
the file (the header is line 1; ``"file"`` for the file as a whole), each message starting with
its column's name, and raised together: the import writes nothing unless every row is valid.

Every export writes with ``csv_writer``: a text cell that a spreadsheet would take for a formula
(it starts with =, +, -, @, a tab or a carriage return, OWASP's list) is written after an
apostrophe, so that it opens as text; ``read_table`` removes that apostrophe again, so that an
export imports back as it was.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from django.utils.translation import gettext as _

from pmo.errors import ApplicationError

FILE = "file"
#: What a spreadsheet reads as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: A plain number ("-12.5") is no formula, and stays a number in the sheet.
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$", re.ASCII)


def neutralised(value: Any) -> Any:
    """A cell as an export writes it: text that would start a formula gets a leading apostrophe.

    So does text that starts with apostrophes before a formula's start, so that ``restored`` gives
    back exactly what was written.
    """
    if isinstance(value, str) and value.lstrip("'").startswith(FORMULA_STARTS) and not _NUMBER.match(value):
        return f"'{value}"
    return value


def restored(text: str) -> str:
    """A cell as an import reads it: the apostrophe ``neutralised`` put before a formula's start removed."""
    return text[1:] if text.startswith("'") and text.lstrip("'").startswith(FORMULA_STARTS) else text


class SafeWriter:
    """``csv.writer`` (Excel's dialect, which quotes any cell with a line break) whose every cell goes
    through ``neutralised``."""

    def __init__(self, out: io.StringIO) -> None:
        self._writer = csv.writer(out)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([neutralised(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out: io.StringIO) -> SafeWriter:
    """The writer of every CSV export."""
    return SafeWriter(out)


class RowErrors(Protocol):
    """Where a row check reports: ``CsvErrors`` for a CSV file, ``pmo.xlsx.SheetErrors`` for a sheet."""

    def add(self, line: int | str, column: str, message: str) -> None: ...

    def __bool__(self) -> bool: ...

    def raise_if_any(self) -> None: ...


class CsvErrors:
    """An import's problems by line of the file (``"file"``: the file as a whole)."""

    def __init__(self) -> None:
        self.by_line: dict[str, list[str]] = {}

    def add(self, line: int | str, column: str, message: str) -> None:
        self.by_line.setdefault(str(line), []).append(f"{column}: {message}" if column else message)

    def __bool__(self) -> bool:
        return bool(self.by_line)

    def raise_if_any(self) -> None:
        if self.by_line:
            raise ApplicationError(
                _("The file has errors; nothing was imported."), code="invalid_file", fields=self.by_line
            )


@dataclass(frozen=True, slots=True)
class TableRow:
    """A row of the file: its line (the header is line 1) and its cells (stripped) by column name."""

    line: int
    cells: dict[str, str]


def decode_csv(content: str | bytes) -> str:
    """The text of an uploaded file: UTF-8 (with or without BOM), or GB18030 as Excel saves it in China.

    Text with a NUL character is refused with its line: no cell can hold one (PostgreSQL stores
    no NUL in text), and a file full of them is not a CSV text file at all (UTF-16, a workbook).
    """
    text = content if isinstance(content, str) else _decoded(content)
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ApplicationError(
            _("The file has errors; nothing was imported."),
            code="invalid_file",
            fields={str(line): [_("The line holds a NUL character, which no cell may contain.")]},
        )
    return text


def _decoded(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ApplicationError(
        _("The file is not a CSV text file."),
        code="invalid_file",
        fields={FILE: [_("Save the sheet as CSV (UTF-8) and try again.")]},
    )


def read_table(
    text: str,
    errors: CsvErrors,
    *,
    columns: Collection[str],
    required: Collection[str],
    max_rows: int,
    aliases: Mapping[str, str] | None = None,
    blank_header_is_empty: bool = False,
) -> list[TableRow]:
    """The rows under the header of ``text``, or none when the file as a whole is wrong.

    Cells are stripped and lose the apostrophe an export put before a formula's start (``restored``).

    Header names are matched without case or surrounding spaces, after ``aliases`` (another
    name → the column's); empty names are ignored. Columns named twice, unknown or missing
    (``required``) refuse the file, as do more than ``max_rows`` rows, none at all, or text that
    is not CSV. Blank rows are skipped; a row with non-blank cells beyond the header is reported
    on its line (and still returned). With ``blank_header_is_empty`` a header of empty names
    counts as an empty file. Every problem goes to ``errors``; when ``errors`` holds any after
    the header, no row is read.
    """
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = next(reader, None)
        if header is None or (blank_header_is_empty and not any(name.strip() for name in header)):
            errors.add(FILE, "", _("The file is empty."))
            return []
        names = [name.strip().lower() for name in header]
        if aliases:
            names = [aliases.get(name, name) for name in names]
        duplicate = sorted({name for name in names if name and names.count(name) > 1})
        unknown = sorted({name for name in names if name and name not in columns})
        missing = [name for name in required if name not in names]
        if duplicate:
            errors.add(FILE, "", _("Columns named twice: %s") % ", ".join(duplicate))
        if unknown:
            errors.add(FILE, "", _("Unknown columns: %s") % ", ".join(unknown))
        if missing:
            errors.add(FILE, "", _("Missing columns: %s") % ", ".join(missing))
        if errors:
            return []
        rows: list[TableRow] = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) == max_rows:
                errors.add(FILE, "", _("A file can hold at most %(count)d rows.") % {"count": max_rows})
                return []
            values = {
                name: restored(cells[i].strip()) if i < len(cells) else "" for i, name in enumerate(names) if name
            }
            if len(cells) > len(names) and any(cell.strip() for cell in cells[len(names) :]):
                errors.add(reader.line_num, "", _("The row has more cells than the header has columns."))
            rows.append(TableRow(line=reader.line_num, cells=values))
    except csv.Error as error:
        errors.add(FILE, "", _("The file is not valid CSV: %s") % error)
        return []
    if not rows:
        errors.add(FILE, "", _("The file has no rows under its header."))
    return rows
