"""A project's risk register as an Excel workbook: export it, download the template, import a workbook of risks.

The sheet "Risks" has the CSV's columns (``risks.csv_io``), with headers in the user's language and
typed cells: dates as dates, amounts as numbers with two decimals, scores as whole numbers, kind,
status and level as their names. The import reads the sheet with ``pmo.xlsx`` (headers and names
in either language), turns each row into the cells the CSV import checks and runs the same checks
(``csv_io.check_rows``) and the same write (``csv_io.import_rows``): every bad cell is reported by
sheet, row and column, and nothing is written unless every row is valid. Score, level, EMV and the
next review are written for reading; the import works them out again.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from pmo.models import User
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
)
from pmo.xlsx import write_workbook as write_sheets
from projects.models import Project
from risks import csv_io
from risks.csv_io import Lookups, RegisterImport, RiskRow
from risks.models import Level, RiskKind, RiskStatus

MAX_ROWS = 20_000
#: Written for reading; the import works them out again.
READ_ONLY = frozenset({"score", "level", "emv", "next_review"})
_ONE_TO_FIVE = gettext_lazy("1 to 5.")
_POINT_HELP = gettext_lazy("Minimum ≤ most likely ≤ maximum; an empty minimum or maximum takes the most likely.")
_IMPACT_LABELS = {
    "impact_schedule": gettext_lazy("Schedule impact"),
    "impact_cost": gettext_lazy("Cost impact"),
    "impact_quality": gettext_lazy("Quality impact"),
    "impact_safety": gettext_lazy("Safety impact"),
    "impact_reputation": gettext_lazy("Reputation impact"),
}


def _score(key: str, label: Any, help_text: Any = _ONE_TO_FIVE, example: int | None = None) -> Column:
    return Column(key, label, CellType.INTEGER, help=help_text, example=example, width=12)


RISKS = Sheet(
    key="risks",
    title=gettext_lazy("Risks"),
    help=gettext_lazy("One risk a row. Only the title and the category are required; a column may be left out."),
    max_rows=MAX_ROWS,
    columns=(
        Column(
            "code",
            gettext_lazy("Code"),
            help=gettext_lazy(
                "R-001. A risk keeps its code; a code the project already has is refused. Empty: the next number."
            ),
            width=10,
        ),
        Column(
            "title",
            gettext_lazy("Title"),
            required=True,
            example="钢材交付延迟 Late steel delivery",
            max_length=csv_io.TITLE_LENGTH,
            width=36,
        ),
        Column(
            "category",
            pgettext_lazy("risk", "Category"),
            required=True,
            help=gettext_lazy("The category's code (technical, schedule, cost, …) or its name in either language."),
            example="supplier",
        ),
        Column("kind", gettext_lazy("Kind"), CellType.CHOICE, choices=tuple(RiskKind.choices), example="threat"),
        Column("cause", gettext_lazy("Cause"), example="Single supplier", width=24),
        Column("event", gettext_lazy("Event"), example="Delivery slips", width=24),
        Column("effect", gettext_lazy("Effect"), example="Erection starts late", width=24),
        Column(
            "owner",
            gettext_lazy("Owner"),
            help=gettext_lazy("The owner's username, a member of the organisation; empty for none."),
            example="pm",
        ),
        Column("trigger", gettext_lazy("Trigger"), help=gettext_lazy("The early-warning sign."), width=24),
        Column(
            "proximity",
            gettext_lazy("Proximity"),
            CellType.DATE,
            help=gettext_lazy("When the risk could occur."),
            example=dt.date(2026, 9, 30),
            width=12,
        ),
        Column(
            "wbs",
            gettext_lazy("WBS codes"),
            help=gettext_lazy(
                "Codes of the project's WBS elements the risk bears on, separated by semicolons: 1.2;2.3."
            ),
        ),
        _score("probability", gettext_lazy("Probability"), example=4),
        *(
            _score(key, label, example={"impact_schedule": 4, "impact_cost": 3}.get(key))
            for key, label in _IMPACT_LABELS.items()
        ),
        Column(
            "probability_percent",
            gettext_lazy("Probability (%)"),
            CellType.PERCENT,
            help=gettext_lazy("Empty: the organisation's percentage for the probability band."),
            width=12,
        ),
        Column("cost_min", gettext_lazy("Cost, minimum"), CellType.MONEY, help=_POINT_HELP, example=Decimal(80000)),
        Column("cost_likely", gettext_lazy("Cost, most likely"), CellType.MONEY, example=Decimal(150000)),
        Column("cost_max", gettext_lazy("Cost, maximum"), CellType.MONEY, help=_POINT_HELP, example=Decimal(300000)),
        Column("days_min", gettext_lazy("Days, minimum"), CellType.INTEGER, help=_POINT_HELP, width=12),
        Column("days_likely", gettext_lazy("Days, most likely"), CellType.INTEGER, example=10, width=12),
        Column("days_max", gettext_lazy("Days, maximum"), CellType.INTEGER, help=_POINT_HELP, width=12),
        _score("target_probability", gettext_lazy("Target probability")),
        _score("target_impact", gettext_lazy("Target impact")),
        Column(
            "status",
            gettext_lazy("Status"),
            CellType.CHOICE,
            choices=tuple(RiskStatus.choices),
            help=gettext_lazy(
                "Empty: assessed when the row has an assessment, identified otherwise. An occurred risk is imported "
                "open, then its occurrence is recorded on the register."
            ),
            example="assessed",
        ),
        _score("score", gettext_lazy("Score"), gettext_lazy("Written for reading; the import works it out again.")),
        Column(
            "level",
            pgettext_lazy("risk level", "Level"),
            CellType.CHOICE,
            choices=tuple(Level.choices),
            help=gettext_lazy("Written for reading; the import works it out again."),
            width=10,
        ),
        Column(
            "emv",
            gettext_lazy("EMV"),
            CellType.MONEY,
            help=gettext_lazy("Written for reading; the import works it out again."),
        ),
        Column(
            "next_review",
            gettext_lazy("Next review"),
            CellType.DATE,
            help=gettext_lazy("Written for reading; the import works it out again."),
            width=12,
        ),
    ),
)
SHEETS = (RISKS,)


def register_export_xlsx(project: Project, *, progress: Progress | None = None) -> bytes:
    """Every risk of the project as a workbook (two queries)."""
    buffer = io.BytesIO()
    write_sheets(buffer, [(RISKS, csv_io.register_rows(project))], progress=progress)
    return buffer.getvalue()


#: The register's checks' message for a code already on an earlier row.
SAME_CODE = gettext_lazy("Row %(line)d has the same code.")


def template_xlsx() -> bytes:
    """The workbook to fill in: the header, an example row and the sheet explaining each column."""
    return template_bytes(SHEETS)


def _rows(sheet_rows: Iterable[SheetRow]) -> list[RiskRow]:
    return [
        RiskRow(
            line=row.row,
            cells={key: as_text(value) for key, value in row.values.items() if key not in READ_ONLY},
        )
        for row in sheet_rows
    ]


def register_import_xlsx(
    *,
    actor: User,
    project: Project,
    content: bytes,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> RegisterImport:
    """Add every risk of a workbook to the project, or none (``invalid_workbook`` lists every bad cell)."""

    def checked(lookups: Callable[[], Lookups]) -> list[RiskRow]:
        errors = WorkbookErrors()
        rows = _rows(read_workbook(content, SHEETS, errors=errors, progress=progress)[RISKS.key])
        csv_io.check_rows(
            rows, lookups(), SheetErrors(errors, RISKS, same_code=gettext_lazy("Row %(line)d has the same code."))
        )
        errors.sort(SHEETS)
        errors.raise_if_any(SHEETS)
        return rows

    return csv_io.import_rows(
        actor=actor, project=project, rows=checked, dry_run=dry_run, reason=_("Imported from Excel")
    )
