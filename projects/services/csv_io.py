"""A project's plan as CSV: export every WBS element, import a whole plan into an empty project.

The format is ``CSV_FORMAT`` below, which the API shows (translated) for export and import.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pmo.csv_table import CsvErrors, TableRow, csv_writer, decode_csv, read_table
from pmo.dates import DateWindow
from pmo.models import User
from projects.models import ConstraintType, Dependency, PercentCompleteMethod, Project, WbsElement
from projects.services.locks import lock_project
from projects.services.plan_rows import (
    PlanRow,
    code_key,
    link_text,
    plan_create,
    refuse_unless_plan_empty,
    validate_plan,
)

# The format, for people: the API's description of plan export and import.
CSV_FORMAT = gettext_lazy(
    "A project's plan as CSV: export every WBS element, import a whole plan into an empty project.\n"
    "\n"
    "One row per WBS element, in tree order, with these columns (the header row names them; only\n"
    "``wbs_code`` and ``name`` are required on import, the order is free):\n"
    "\n"
    "``wbs_code``\n"
    '    1, 1.2, 1.2.3: the tree. "1.2" is a child of "1", which must be in the file too. Siblings\n'
    "    keep the order of their last number; the plan is renumbered after the import.\n"
    "``name``, ``notes``\n"
    "    Text. On export a value that a spreadsheet would take for a formula (=, +, -, @) is\n"
    "    written with a leading apostrophe, which the import removes again.\n"
    "``kind``\n"
    "    summary, task or milestone. Empty: summary when the row has sub-elements, task otherwise.\n"
    "``duration``, ``budgeted_cost``, ``percent_complete_method``, ``percent_complete``, "
    "``actual_start``, ``actual_finish``\n"
    "    Of tasks and milestones (summaries roll them up; their values are ignored on import).\n"
    "    Dates are YYYY-MM-DD (YYYY/MM/DD is accepted); amounts use a decimal point.\n"
    "``predecessors``\n"
    "    The task's predecessors by WBS code with type and lag in working days, separated by\n"
    "    semicolons: ``1.2FS+2;1.3SS-1``. The type defaults to FS, the lag to 0.\n"
    "``planned_start``, ``planned_finish``\n"
    "    The schedule, for reading; the import computes it again.\n"
    "``constraint_type``, ``constraint_date``\n"
    "    A date the task holds to, as in MS Project: asap (as soon as possible, none; when empty),\n"
    "    snet, snlt, fnet, fnlt (start or finish no earlier or no later than), mso, mfo (must start or\n"
    "    finish on), or their names in either language; the date is required with a constraint and\n"
    "    empty without. Not on summaries.\n"
    "\n"
    "The import checks the whole file first and writes nothing unless every row is valid. Its\n"
    "error lists the problems per line of the file: ``fields`` maps the line number (the header is\n"
    'line 1) to messages that start with the column\'s name, and ``"file"`` to problems of the\n'
    "file as a whole."
)

COLUMNS = [
    "wbs_code",
    "name",
    "kind",
    "duration",
    "budgeted_cost",
    "percent_complete_method",
    "percent_complete",
    "actual_start",
    "actual_finish",
    "predecessors",
    "planned_start",
    "planned_finish",
    "constraint_type",
    "constraint_date",
    "notes",
]
REQUIRED_COLUMNS = ("wbs_code", "name")
MAX_ROWS = 5000
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d")

__all__ = ["COLUMNS", "CSV_FORMAT", "MAX_ROWS", "PlanImport", "code_key", "plan_export_csv", "plan_import_csv"]


# --- export ---------------------------------------------------------------------------


def plan_export_csv(project: Project) -> str:
    """Every WBS element of the project as CSV text, in tree order (two queries)."""
    elements = sorted(
        WbsElement.objects.for_organization(project.organization_id).filter(project=project),
        key=lambda element: code_key(element.code),
    )
    codes = {element.pk: element.code for element in elements}
    predecessors: dict[int, list[tuple[str, str, int]]] = defaultdict(list)
    for predecessor_id, successor_id, type, lag in (
        Dependency.objects.for_organization(project.organization_id)
        .filter(project=project)
        .values_list("predecessor_id", "successor_id", "type", "lag")
    ):
        predecessors[successor_id].append((codes[predecessor_id], type, lag))
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(COLUMNS)
    for element in elements:
        links = sorted(predecessors.get(element.pk, []), key=lambda link: code_key(link[0]))
        writer.writerow(
            [
                element.code,
                element.name,
                element.kind,
                element.duration,
                element.budgeted_cost,
                element.percent_complete_method,
                element.percent_complete,
                element.actual_start or "",
                element.actual_finish or "",
                ";".join(link_text(*link) for link in links),
                element.planned_start or "",
                element.planned_finish or "",
                element.constraint_type if element.is_leaf else "",
                element.constraint_date or "",
                element.notes,
            ]
        )
    return out.getvalue()


# --- import ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanImport:
    elements: int
    dependencies: int


class _LineErrors:
    """The plan checks' problems by line of the file (``CsvErrors``)."""

    def __init__(self, errors: CsvErrors) -> None:
        self.errors = errors

    def add(self, line: int | str, column: str, message: str) -> None:
        self.errors.add(line, column, message)

    def same_code(self, line: int) -> str:
        return _("Line %(line)d has the same code.") % {"line": line}


def _number(row: TableRow, column: str, errors: CsvErrors, invalid: set[str]) -> Decimal | None:
    """The cell as a number with at most two decimal places (its range is the plan checks')."""
    raw = row.cells.get(column, "")
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        errors.add(row.line, column, _("Enter a number, with a decimal point."))
        invalid.add(column)
        return None
    exponent = value.as_tuple().exponent
    if not value.is_finite() or not isinstance(exponent, int):
        errors.add(row.line, column, _("Enter zero or more."))
    elif -exponent > 2:
        errors.add(row.line, column, _("Use at most %(places)d decimal places.") % {"places": 2})
    else:
        return value
    invalid.add(column)
    return None


def _date(row: TableRow, column: str, errors: CsvErrors, invalid: set[str]) -> dt.date | None:
    raw = row.cells.get(column, "")
    if not raw:
        return None
    for pattern in DATE_FORMATS:
        try:
            return dt.datetime.strptime(raw, pattern).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    errors.add(row.line, column, _("Enter a date as YYYY-MM-DD."))
    invalid.add(column)
    return None


@functools.cache
def _constraint_names() -> dict[str, str]:
    """Each constraint type by its key and by its name in every language, as the import matches them."""
    names: dict[str, str] = {}
    for key, label in ConstraintType.choices:
        names[key] = key
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                names[str(label).casefold()] = key
    return names


def _plan_row(row: TableRow, errors: CsvErrors) -> PlanRow:
    """The row's text as the plan checks' typed cells; what cannot be read is reported here."""
    cells = row.cells
    invalid: set[str] = set()
    kind = cells.get("kind", "").lower()
    if kind and kind not in WbsElement.Kind.values:
        errors.add(row.line, "kind", _("Enter summary, task or milestone."))
        invalid.add("kind")
    duration: int | None = None
    text = cells.get("duration", "")
    if text.isascii() and text.isdigit():
        duration = int(text)
    elif text:
        errors.add(row.line, "duration", _("Enter a whole number of working days."))
        invalid.add("duration")
    constraint = cells.get("constraint_type", "")
    constraint_type = _constraint_names().get(constraint.strip().casefold()) if constraint else ""
    if constraint_type is None:
        errors.add(
            row.line,
            "constraint_type",
            _("Enter one of: %(choices)s.") % {"choices": ", ".join(ConstraintType.values)},
        )
        invalid.add("constraint_type")
    method = cells.get("percent_complete_method", "").lower()
    if method and method not in PercentCompleteMethod.values:
        errors.add(row.line, "percent_complete_method", _("Enter physical, zero_hundred or fifty_fifty."))
        invalid.add("percent_complete_method")
    typed = {
        "wbs_code": cells.get("wbs_code", ""),
        "name": cells.get("name", ""),
        "kind": kind,
        "duration": duration,
        "budgeted_cost": _number(row, "budgeted_cost", errors, invalid),
        "percent_complete_method": method,
        "percent_complete": _number(row, "percent_complete", errors, invalid),
        "actual_start": _date(row, "actual_start", errors, invalid),
        "actual_finish": _date(row, "actual_finish", errors, invalid),
        "predecessors": cells.get("predecessors", ""),
        "constraint_type": constraint_type or "",
        "constraint_date": _date(row, "constraint_date", errors, invalid),
        "notes": cells.get("notes", ""),
    }
    return PlanRow(line=row.line, cells=typed, invalid=invalid)


def _validated_rows(text: str, today: dt.date, window: DateWindow) -> list[PlanRow]:
    errors = CsvErrors()
    table = read_table(text, errors, columns=COLUMNS, required=REQUIRED_COLUMNS, max_rows=MAX_ROWS)
    errors.raise_if_any()
    rows = [_plan_row(row, errors) for row in table]
    validate_plan(rows, _LineErrors(errors), today=today, window=window)
    errors.raise_if_any()
    return rows


@transaction.atomic
def plan_import_csv(*, actor: User, project: Project, content: str | bytes) -> PlanImport:
    """Create a whole plan from CSV (see the module's docstring) in a project that has none yet.

    Either every row is valid and the elements, links and progress are created together, the
    plan renumbered and scheduled once and one audit event written, or nothing is written.
    """
    text = decode_csv(content)
    project = lock_project(project)
    refuse_unless_plan_empty(project)
    rows = _validated_rows(text, project.organization.today(), project.organization.date_window)
    created = plan_create(actor=actor, project=project, rows=rows, note=_("Imported from CSV"))
    return PlanImport(elements=len(created.elements), dependencies=created.dependencies)
