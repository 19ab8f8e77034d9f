"""A project's plan as CSV: export every WBS element, import a whole plan into an empty project.

The format is ``CSV_FORMAT`` below, which the API shows (translated) for export and import.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pmo.audit import audit_record
from pmo.csv_table import CsvErrors, csv_writer, decode_csv, read_table
from pmo.dates import DateWindow
from pmo.errors import ApplicationError
from pmo.models import User
from pmo.money import money_limit_message, within_money_limit
from projects.models import (
    Dependency,
    DependencyType,
    PercentCompleteMethod,
    ProgressUpdate,
    Project,
    WbsElement,
)
from projects.scheduling import DependencyInput, find_cycle
from projects.services.locks import lock_project
from projects.services.plan import renumber, schedule_recompute
from projects.services.wbs import MAX_WBS_DEPTH

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
    "notes",
]
REQUIRED_COLUMNS = ("wbs_code", "name")
MAX_ROWS = 5000
MAX_LAG = 9999
MAX_DURATION = 99999
NAME_LENGTH = 255
HUNDRED = Decimal("100")
CODE_LENGTH = WbsElement._meta.get_field("code").max_length or 64
# A number in a code is a position among siblings, which is stored as an integer.
MAX_CODE_PART = 99999
CODE_PATTERN = re.compile(r"^[1-9]\d*(\.[1-9]\d*)*$", re.ASCII)
PREDECESSOR_PATTERN = re.compile(
    r"^(?P<code>\d+(?:\.\d+)*)\s*(?P<type>FS|SS|FF|SF)?\s*(?P<lag>[+-]\s*\d+)?$", re.ASCII | re.IGNORECASE
)
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d")


def code_key(code: str) -> tuple[int, ...]:
    """Sort key of a WBS code in tree order: 1.2 before 1.10."""
    return tuple(int(part) for part in code.split(".") if part.isdigit())


# --- export ---------------------------------------------------------------------------


def _link_text(code: str, type: str, lag: int) -> str:
    return f"{code}{type}{lag:+d}" if lag else f"{code}{type}"


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
                ";".join(_link_text(*link) for link in links),
                element.planned_start or "",
                element.planned_finish or "",
                element.notes,
            ]
        )
    return out.getvalue()


# --- import ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanImport:
    elements: int
    dependencies: int


@dataclass
class _Row:
    line: int
    cells: dict[str, str]
    code: str = ""
    kind: str = ""
    duration: int = 0
    budgeted_cost: Decimal = Decimal("0")
    method: str = PercentCompleteMethod.PHYSICAL
    percent: Decimal = Decimal("0")
    actual_start: dt.date | None = None
    actual_finish: dt.date | None = None
    links: list[tuple[str, str, int]] = field(default_factory=list)


def _number(
    row: _Row, column: str, errors: CsvErrors, *, places: int, digits: int, money: bool = False
) -> Decimal | None:
    """The cell as zero or more with at most ``places`` places; ``money``: within the money limit."""
    raw = row.cells.get(column, "")
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        errors.add(row.line, column, _("Enter a number, with a decimal point."))
        return None
    if not value.is_finite() or value < 0:
        errors.add(row.line, column, _("Enter zero or more."))
        return None
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        errors.add(row.line, column, _("Use at most %(places)d decimal places.") % {"places": places})
        return None
    if money and not within_money_limit(value):
        errors.add(row.line, column, money_limit_message())
        return None
    if value >= Decimal(10) ** (digits - places):
        errors.add(row.line, column, _("The number is too large."))
        return None
    return value


def _date(row: _Row, column: str, errors: CsvErrors) -> dt.date | None:
    raw = row.cells.get(column, "")
    if not raw:
        return None
    for pattern in DATE_FORMATS:
        try:
            return dt.datetime.strptime(raw, pattern).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    errors.add(row.line, column, _("Enter a date as YYYY-MM-DD."))
    return None


def _check_tree(rows: list[_Row], errors: CsvErrors) -> dict[str, _Row]:
    by_code: dict[str, _Row] = {}
    for row in rows:
        raw = row.cells.get("wbs_code", "")
        if not raw:
            errors.add(row.line, "wbs_code", _("This field is required."))
            continue
        if not CODE_PATTERN.match(raw):
            errors.add(row.line, "wbs_code", _("Enter a WBS code such as 1, 1.2 or 1.2.3."))
            continue
        if raw in by_code:
            errors.add(row.line, "wbs_code", _("Line %(line)d has the same code.") % {"line": by_code[raw].line})
            continue
        if len(raw) > CODE_LENGTH or max(code_key(raw)) > MAX_CODE_PART:
            errors.add(row.line, "wbs_code", _("Enter a WBS code such as 1, 1.2 or 1.2.3."))
            continue
        if raw.count(".") >= MAX_WBS_DEPTH:
            errors.add(row.line, "wbs_code", _("A WBS may nest at most %(count)d levels.") % {"count": MAX_WBS_DEPTH})
            continue
        row.code = raw
        by_code[raw] = row
    for row in rows:
        if not row.cells.get("name"):
            errors.add(row.line, "name", _("This field is required."))
        elif len(row.cells["name"]) > NAME_LENGTH:
            errors.add(row.line, "name", _("The name is too long."))
        if row.code and "." in row.code:
            parent = row.code.rsplit(".", 1)[0]
            if parent not in by_code:
                errors.add(row.line, "wbs_code", _("Its parent %(code)s is not in the file.") % {"code": parent})
    has_children = {code.rsplit(".", 1)[0] for code in by_code if "." in code}
    for row in rows:
        kind = row.cells.get("kind", "").lower()
        if kind and kind not in WbsElement.Kind.values:
            errors.add(row.line, "kind", _("Enter summary, task or milestone."))
            continue
        if row.code in has_children:
            if kind and kind != WbsElement.Kind.SUMMARY:
                errors.add(row.line, "kind", _("An element with sub-elements is a summary."))
            row.kind = WbsElement.Kind.SUMMARY
        else:
            row.kind = kind or WbsElement.Kind.TASK
    return by_code


def _check_leaf(row: _Row, errors: CsvErrors, today: dt.date, window: DateWindow) -> None:
    duration = row.cells.get("duration", "")
    if row.kind == WbsElement.Kind.MILESTONE:
        if duration and duration != "0":
            errors.add(row.line, "duration", _("A milestone has zero duration."))
        row.duration = 0
    elif not duration:
        row.duration = 1
    elif not duration.isascii() or not duration.isdigit() or int(duration) > MAX_DURATION:
        errors.add(row.line, "duration", _("Enter a whole number of working days."))
    else:
        row.duration = int(duration)
    cost = _number(row, "budgeted_cost", errors, places=2, digits=16, money=True)
    row.budgeted_cost = cost if cost is not None else Decimal("0")
    start = row.actual_start = _date(row, "actual_start", errors)
    finish = row.actual_finish = _date(row, "actual_finish", errors)
    for column, value in (("actual_start", start), ("actual_finish", finish)):
        if value is not None and not window.contains(value):
            errors.add(row.line, column, window.message())
        elif value is not None and value > today:
            errors.add(row.line, column, _("An actual date cannot be in the future."))
    if finish is not None and start is None:
        errors.add(row.line, "actual_start", _("A finished task needs its actual start."))
    if start is not None and finish is not None and finish < start:
        errors.add(row.line, "actual_finish", _("The actual finish cannot be before the actual start."))
    percent = _number(row, "percent_complete", errors, places=2, digits=5)
    if percent is not None and percent > HUNDRED:
        errors.add(row.line, "percent_complete", _("Enter a percentage from 0 to 100."))
        return
    method = row.cells.get("percent_complete_method", "").lower() or PercentCompleteMethod.PHYSICAL
    if method not in PercentCompleteMethod.values:
        errors.add(row.line, "percent_complete_method", _("Enter physical, zero_hundred or fifty_fifty."))
        return
    row.method = method
    if method == PercentCompleteMethod.PHYSICAL:
        if percent is None:
            percent = HUNDRED if finish is not None else Decimal("0")
        if finish is not None and percent != HUNDRED:
            errors.add(
                row.line, "percent_complete", _("A task with an actual finish is complete: its percentage must be 100.")
            )
        if percent == HUNDRED and finish is None:
            errors.add(row.line, "actual_finish", _("A task at 100 percent needs its actual finish."))
        if percent > 0 and start is None:
            errors.add(row.line, "actual_start", _("A task under way needs its actual start."))
    else:
        if finish is not None:
            derived = HUNDRED
        elif start is not None and method == PercentCompleteMethod.FIFTY_FIFTY:
            derived = Decimal("50")
        else:
            derived = Decimal("0")
        if percent is not None and percent != derived:
            errors.add(
                row.line,
                "percent_complete",
                _("With the 0/100 and 50/50 methods the percentage follows the actual dates."),
            )
        percent = derived
    row.percent = percent


def _check_links(rows: list[_Row], by_code: dict[str, _Row], errors: CsvErrors) -> None:
    for row in rows:
        raw = row.cells.get("predecessors", "")
        if not raw:
            continue
        if row.kind == WbsElement.Kind.SUMMARY:
            errors.add(row.line, "predecessors", _("Only tasks and milestones can be linked, not summary elements."))
            continue
        seen: set[str] = set()
        for token in filter(None, (part.strip() for part in re.split(r"[;,]", raw))):
            match = PREDECESSOR_PATTERN.match(token)
            if match is None:
                errors.add(row.line, "predecessors", _("“%(link)s” is not like 1.2FS+2.") % {"link": token})
                continue
            code = match["code"]
            link_type = (match["type"] or DependencyType.FS).upper()
            lag = int((match["lag"] or "0").replace(" ", ""))
            predecessor = by_code.get(code)
            if predecessor is None:
                errors.add(row.line, "predecessors", _("No row has the code %(code)s.") % {"code": code})
            elif predecessor.kind == WbsElement.Kind.SUMMARY:
                errors.add(row.line, "predecessors", _("%(code)s is a summary; link its tasks.") % {"code": code})
            elif predecessor is row:
                errors.add(row.line, "predecessors", _("A task cannot depend on itself."))
            elif code in seen:
                errors.add(row.line, "predecessors", _("%(code)s is named twice.") % {"code": code})
            elif abs(lag) > MAX_LAG:
                errors.add(row.line, "predecessors", _("The lag of %(code)s is too long.") % {"code": code})
            else:
                seen.add(code)
                row.links.append((code, link_type, lag))


def _check_cycles(rows: list[_Row], errors: CsvErrors) -> None:
    """Name every cycle: find one, report it on each of its rows, break it, look again."""
    index = {row.code: i for i, row in enumerate(rows) if row.code}
    links = [
        DependencyInput(index[code], index[row.code]) for row in rows if row.code in index for code, *_rest in row.links
    ]
    for _attempt in range(len(links)):
        cycle = find_cycle([], links)
        if not cycle:
            return
        path = " → ".join(rows[i].code for i in cycle)
        for i in dict.fromkeys(cycle):
            errors.add(rows[i].line, "predecessors", _("The links form a cycle: %(cycle)s") % {"cycle": path})
        broken = DependencyInput(cycle[-2], cycle[-1])
        links = [link for link in links if link != broken]


def _validated_rows(text: str, today: dt.date, window: DateWindow) -> list[_Row]:
    errors = CsvErrors()
    rows = [
        _Row(line=row.line, cells=row.cells)
        for row in read_table(text, errors, columns=COLUMNS, required=REQUIRED_COLUMNS, max_rows=MAX_ROWS)
    ]
    errors.raise_if_any()
    by_code = _check_tree(rows, errors)
    for row in rows:
        if row.kind and row.kind != WbsElement.Kind.SUMMARY:
            _check_leaf(row, errors, today, window)
    _check_links(rows, by_code, errors)
    _check_cycles(rows, errors)
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
    organization_id = project.organization_id
    if WbsElement.objects.for_organization(organization_id).filter(project=project).exists():
        raise ApplicationError(
            _("The project already has a plan; import into a project whose plan is empty."),
            code="plan_not_empty",
            fields={"file": [_("The plan is not empty.")]},
        )
    today = project.organization.today()
    rows = _validated_rows(text, today, project.organization.date_window)

    created: dict[str, WbsElement] = {}
    for depth in sorted({row.code.count(".") for row in rows}):
        level = [
            WbsElement(
                organization_id=organization_id,
                project=project,
                parent=created.get(row.code.rsplit(".", 1)[0]) if depth else None,
                position=code_key(row.code)[-1],
                code=row.code,
                name=row.cells["name"],
                kind=row.kind,
                duration=row.duration,
                budgeted_cost=row.budgeted_cost,
                percent_complete_method=row.method,
                percent_complete=row.percent,
                actual_start=row.actual_start,
                actual_finish=row.actual_finish,
                notes=row.cells.get("notes", ""),
            )
            for row in rows
            if row.code.count(".") == depth
        ]
        for element in WbsElement.objects.bulk_create(level):
            created[element.code] = element
    links = Dependency.objects.bulk_create(
        [
            Dependency(
                organization_id=organization_id,
                project=project,
                predecessor=created[code],
                successor=created[row.code],
                type=link_type,
                lag=lag,
            )
            for row in rows
            for code, link_type, lag in row.links
        ]
    )
    ProgressUpdate.objects.bulk_create(
        [
            ProgressUpdate(
                organization_id=organization_id,
                task=element,
                project=project,
                effective_date=today,
                percent_complete=element.percent_complete,
                previous_percent_complete=Decimal("0"),
                actual_start=element.actual_start,
                actual_finish=element.actual_finish,
                note=_("Imported from CSV"),
                updated_by=actor,
            )
            for element in created.values()
            if element.is_leaf and (element.percent_complete > 0 or element.actual_start is not None)
        ]
    )
    elements = renumber(project, list(created.values()))
    schedule_recompute(project, elements=elements)
    audit_record(
        organization=project.organization,
        actor=actor,
        action="wbs.imported",
        target=project,
        changes={"elements": [0, len(created)], "dependencies": [0, len(links)]},
    )
    return PlanImport(elements=len(created), dependencies=len(links))
