"""A project's plan as an Excel workbook: export any plan, import a whole plan (and its baseline) into an empty project.

Two sheets, described once in ``TASKS`` and ``BASELINE`` and written and read through
``pmo.xlsx`` (headers in the user's language, typed cells, the template with its sheet of
explanations):

- Tasks: one row per WBS element in tree order with its code and outline level, kind, duration,
  planned dates (for reading; the import schedules again), planned cost, percent-complete method,
  progress, actual dates, predecessors in MS Project's notation (``1.2FS+2d;1.3SS-1d``), leveling
  delay, date constraint (type and date) and notes. The rows are checked by
  ``projects.services.plan_rows``, as the CSV's are.
- Baseline: the current baseline's tasks (the plan's task by its code, the code and name frozen in
  the baseline, start, finish, duration, cost). The import makes it the project's current baseline.

The import writes nothing unless the whole workbook is valid; every problem is reported by sheet,
row and column (``ApplicationError`` with the code ``invalid_workbook``).
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pmo.dates import DateWindow
from pmo.models import User
from pmo.xlsx import CellType, Column, Sheet, SheetRow, WorkbookErrors, read_workbook, template_bytes, write_workbook
from projects.models import (
    Baseline,
    BaselineTask,
    ConstraintType,
    Dependency,
    PercentCompleteMethod,
    Project,
    WbsElement,
)
from projects.selectors import project_work_calendar
from projects.services.baselines import BaselineTaskValues, baseline_restore
from projects.services.locks import lock_project
from projects.services.plan_rows import (
    CODE_LENGTH,
    CODE_PATTERN,
    MAX_DURATION,
    NAME_LENGTH,
    PlanRow,
    code_key,
    link_text,
    plan_create,
    refuse_unless_plan_empty,
    validate_plan,
)

Progress = Callable[[int, int], None]
BASELINE_NAME_LENGTH = Baseline._meta.get_field("name").max_length or 120
MAX_ROWS = 100_000

TASKS = Sheet(
    key="tasks",
    title=gettext_lazy("Tasks"),
    help=gettext_lazy(
        "One row per WBS element in tree order. Only the WBS code and the name are required; summaries roll up "
        "their tasks, so their duration, dates, cost and progress are ignored on import."
    ),
    max_rows=MAX_ROWS,
    columns=(
        Column(
            "wbs_code",
            gettext_lazy("WBS code"),
            required=True,
            example="1.2",
            width=12,
            max_length=CODE_LENGTH,
            help=gettext_lazy(
                "1, 1.2, 1.2.3: the tree. 1.2 is under 1, which must be in the sheet too. Siblings keep the order "
                "of their last number; the plan is renumbered after the import. Keep the column formatted as text "
                "(1.10 is not 1.1)."
            ),
        ),
        Column(
            "outline_level",
            gettext_lazy("Outline level"),
            CellType.INTEGER,
            example=2,
            width=10,
            help=gettext_lazy("The depth in the tree (1 for 1, 2 for 1.2). Optional; checked against the code."),
        ),
        Column(
            "name",
            gettext_lazy("Name"),
            required=True,
            example="Pour the slab",
            width=36,
            max_length=NAME_LENGTH,
            help=gettext_lazy("The element's name."),
        ),
        Column(
            "kind",
            gettext_lazy("Kind"),
            CellType.CHOICE,
            example=WbsElement.Kind.TASK,
            choices=tuple(WbsElement.Kind.choices),
            width=12,
            help=gettext_lazy(
                "Empty: summary when the row has sub-elements, task otherwise. A milestone lasts 0 days."
            ),
        ),
        Column(
            "duration",
            gettext_lazy("Duration (working days)"),
            CellType.INTEGER,
            example=5,
            width=12,
            help=gettext_lazy("Of a task, in working days (1 when empty). A summary's is its span, for reading."),
        ),
        Column(
            "planned_start",
            gettext_lazy("Planned start"),
            CellType.DATE,
            example=dt.date(2026, 3, 9),
            width=13,
            help=gettext_lazy("For reading: the import schedules the plan again from its durations and links."),
        ),
        Column(
            "planned_finish",
            gettext_lazy("Planned finish"),
            CellType.DATE,
            example=dt.date(2026, 3, 13),
            width=13,
            help=gettext_lazy("For reading, like the planned start."),
        ),
        Column(
            "budgeted_cost",
            gettext_lazy("Planned cost"),
            CellType.MONEY,
            example=Decimal("12500.00"),
            width=15,
            help=gettext_lazy("The task's budgeted cost in the project's currency, zero or more."),
        ),
        Column(
            "percent_complete_method",
            gettext_lazy("Percent-complete method"),
            CellType.CHOICE,
            example=PercentCompleteMethod.PHYSICAL,
            choices=tuple(PercentCompleteMethod.choices),
            width=20,
            help=gettext_lazy(
                "Physical (entered) when empty; with 0/100 and 50/50 the percentage follows the actual dates."
            ),
        ),
        Column(
            "percent_complete",
            gettext_lazy("Percent complete"),
            CellType.PERCENT,
            example=Decimal("40"),
            width=11,
            help=gettext_lazy("From 0 to 100. A task under way needs its actual start; at 100, its actual finish."),
        ),
        Column(
            "actual_start",
            gettext_lazy("Actual start"),
            CellType.DATE,
            example=dt.date(2026, 3, 9),
            width=13,
            help=gettext_lazy("The day work began; not in the future."),
        ),
        Column(
            "actual_finish",
            gettext_lazy("Actual finish"),
            CellType.DATE,
            width=13,
            help=gettext_lazy("The day work ended; on or after the actual start, not in the future."),
        ),
        Column(
            "predecessors",
            gettext_lazy("Predecessors"),
            example="1.1FS+2d;1.3SS",
            width=20,
            help=gettext_lazy(
                "The task's predecessors by WBS code, with the link type (FS, SS, FF, SF; FS when left out) and the "
                "lag in working days, separated by semicolons: 1.2FS+2d;1.3SS-1d."
            ),
        ),
        Column(
            "leveling_delay",
            gettext_lazy("Leveling delay (working days)"),
            CellType.INTEGER,
            width=12,
            help=gettext_lazy("Working days resource leveling put before the task's start; 0 when empty."),
        ),
        Column(
            "constraint_type",
            gettext_lazy("Constraint type"),
            CellType.CHOICE,
            example=ConstraintType.SNET,
            choices=tuple(ConstraintType.choices),
            width=20,
            help=gettext_lazy(
                "A date the task holds to, as in MS Project: As soon as possible (none) when empty; Start or Finish "
                "no earlier than, Start or Finish no later than, Must start on, Must finish on. Must start on and "
                "Must finish on win over the links. Not on summaries."
            ),
        ),
        Column(
            "constraint_date",
            gettext_lazy("Constraint date"),
            CellType.DATE,
            example=dt.date(2026, 3, 9),
            width=13,
            help=gettext_lazy(
                "The constraint's date: required with a constraint, empty with As soon as possible. On a non-working "
                "day a start moves to the next working day, a finish to the working day before."
            ),
        ),
        Column("notes", gettext_lazy("Notes"), width=40, help=gettext_lazy("Free text.")),
    ),
)

BASELINE = Sheet(
    key="baseline",
    title=gettext_lazy("Baseline"),
    help=gettext_lazy(
        "The current baseline: one row per task as it was frozen. The import makes it the project's current "
        "baseline; leave the sheet empty for none."
    ),
    max_rows=MAX_ROWS,
    columns=(
        Column(
            "wbs_code",
            gettext_lazy("WBS code"),
            example="1.2",
            width=12,
            help=gettext_lazy("The plan's task (a code of the Tasks sheet); empty for a task deleted since."),
        ),
        Column(
            "baseline_code",
            gettext_lazy("Code in the baseline"),
            example="1.2",
            width=12,
            max_length=CODE_LENGTH,
            help=gettext_lazy("The code when the baseline was set; the WBS code when empty."),
        ),
        Column(
            "name",
            gettext_lazy("Name"),
            example="Pour the slab",
            width=36,
            max_length=NAME_LENGTH,
            help=gettext_lazy("The name when the baseline was set; the task's name when empty."),
        ),
        Column(
            "milestone",
            gettext_lazy("Milestone"),
            CellType.BOOLEAN,
            example=False,
            width=10,
            help=gettext_lazy("Yes for a milestone; the task's kind when empty."),
        ),
        Column(
            "start",
            gettext_lazy("Baseline start"),
            CellType.DATE,
            required=True,
            example=dt.date(2026, 3, 9),
            width=13,
            help=gettext_lazy("The planned start when the baseline was set."),
        ),
        Column(
            "finish",
            gettext_lazy("Baseline finish"),
            CellType.DATE,
            required=True,
            example=dt.date(2026, 3, 13),
            width=13,
            help=gettext_lazy("The planned finish when the baseline was set; on or after its start."),
        ),
        Column(
            "duration",
            gettext_lazy("Baseline duration"),
            CellType.INTEGER,
            required=True,
            example=5,
            width=12,
            help=gettext_lazy("In working days."),
        ),
        Column(
            "budgeted_cost",
            gettext_lazy("Baseline cost"),
            CellType.MONEY,
            example=Decimal("12500.00"),
            width=15,
            help=gettext_lazy("The budgeted cost when the baseline was set; 0 when empty."),
        ),
        Column(
            "baseline",
            gettext_lazy("Baseline name"),
            example="Approved plan",
            width=20,
            max_length=BASELINE_NAME_LENGTH,
            help=gettext_lazy("The same on every row; “Imported baseline” when empty."),
        ),
    ),
)

SHEETS = (TASKS, BASELINE)


# --- export ---------------------------------------------------------------------------


def _task_rows(project: Project, elements: list[WbsElement]) -> Iterator[dict[str, Any]]:
    codes = {element.pk: element.code for element in elements}
    predecessors: dict[int, list[tuple[str, str, int]]] = defaultdict(list)
    for predecessor_id, successor_id, type, lag in (
        Dependency.objects.for_organization(project.organization_id)
        .filter(project=project)
        .values_list("predecessor_id", "successor_id", "type", "lag")
    ):
        predecessors[successor_id].append((codes[predecessor_id], type, lag))
    calendar = project_work_calendar(project) if any(not element.is_leaf for element in elements) else None
    for element in elements:
        links = sorted(predecessors.get(element.pk, []), key=lambda link: code_key(link[0]))
        duration: int | None = element.duration
        if not element.is_leaf:
            duration = (
                calendar.working_days_between(element.planned_start, element.planned_finish)
                if calendar is not None and element.planned_start and element.planned_finish
                else None
            )
        yield {
            "wbs_code": element.code,
            "outline_level": element.code.count(".") + 1,
            "name": element.name,
            "kind": element.kind,
            "duration": duration,
            "planned_start": element.planned_start,
            "planned_finish": element.planned_finish,
            "budgeted_cost": element.budgeted_cost,
            "percent_complete_method": element.percent_complete_method if element.is_leaf else None,
            "percent_complete": element.percent_complete,
            "actual_start": element.actual_start,
            "actual_finish": element.actual_finish,
            "predecessors": ";".join(link_text(*link, unit="d") for link in links),
            "leveling_delay": element.leveling_delay or None,
            "constraint_type": element.constraint_type if element.is_leaf else None,
            "constraint_date": element.constraint_date,
            "notes": element.notes,
        }


def _baseline_rows(project: Project, elements: list[WbsElement]) -> list[dict[str, Any]]:
    codes = {element.pk: element.code for element in elements}
    tasks = (
        BaselineTask.objects.for_organization(project.organization_id)
        .filter(baseline__project=project, baseline__is_current=True)
        .select_related("baseline")
        .order_by("sort_key", "pk")
    )
    return [
        {
            "wbs_code": codes.get(task.task_id) if task.task_id else None,
            "baseline_code": task.code,
            "name": task.name,
            "milestone": task.is_milestone,
            "start": task.start,
            "finish": task.finish,
            "duration": task.duration,
            "budgeted_cost": task.budgeted_cost,
            "baseline": task.baseline.name,
        }
        for task in tasks
    ]


def plan_export_xlsx(project: Project, *, progress: Progress | None = None) -> bytes:
    """The project's plan and current baseline as a workbook (a fixed number of queries, whatever its size)."""
    elements = sorted(
        WbsElement.objects.for_organization(project.organization_id).filter(project=project),
        key=lambda element: code_key(element.code),
    )
    baseline = _baseline_rows(project, elements)
    buffer = io.BytesIO()
    write_workbook(
        buffer,
        [(TASKS, _task_rows(project, elements)), (BASELINE, baseline)],
        progress=progress,
        total=len(elements) + len(baseline),
    )
    return buffer.getvalue()


def plan_template_xlsx() -> bytes:
    """The workbook to fill in: each sheet's header and an example row, and a sheet explaining every column."""
    return template_bytes(SHEETS)


# --- import ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanWorkbookImport:
    elements: int
    dependencies: int
    baseline_tasks: int


class _SheetErrors:
    """The plan checks' problems (by row and column key) as cells of a sheet."""

    def __init__(self, errors: WorkbookErrors, sheet: Sheet) -> None:
        self.errors = errors
        self.sheet = sheet
        self.keys = {column.key for column in sheet.columns}

    def add(self, line: int | str, column: str, message: str) -> None:
        row = line if isinstance(line, int) else None
        self.errors.add(self.sheet, row, self.sheet.column(column) if column in self.keys else None, message)

    def same_code(self, line: int) -> str:
        return _("Row %(row)d has the same code.") % {"row": line}


def _unreadable(errors: WorkbookErrors, sheet: Sheet) -> dict[int, set[str]]:
    """The cells the reader could not read, by row: their columns' keys."""
    keys = {str(column.label): column.key for column in sheet.columns}
    title = str(sheet.title)
    found: dict[int, set[str]] = defaultdict(set)
    for problem in errors.problems:
        if problem.sheet == title and problem.row is not None and problem.column in keys:
            found[problem.row].add(keys[problem.column])
    return found


def _plan_rows(rows: list[SheetRow], errors: WorkbookErrors) -> list[PlanRow]:
    unreadable = _unreadable(errors, TASKS)
    return [PlanRow(line=row.row, cells=row.values, invalid=unreadable.get(row.row, set())) for row in rows]


def _baseline_values(
    rows: list[SheetRow], plan: dict[str, PlanRow], errors: WorkbookErrors
) -> tuple[str, list[tuple[str | None, BaselineTaskValues]]]:
    """The baseline sheet's rows checked against the plan: its name and each task's values with its plan code."""
    sheet = BASELINE
    column = sheet.column
    names = {str(row.values.get("baseline") or "") for row in rows}
    if len(names) > 1:
        errors.add(sheet, None, column("baseline"), _("Give every row the same baseline name."))
    name = names.pop() if len(names) == 1 else ""
    out: list[tuple[str | None, BaselineTaskValues]] = []
    seen: dict[str, int] = {}
    for row in rows:
        values = row.values
        code = values.get("wbs_code")
        task = None
        if code:
            task = plan.get(code)
            if task is None:
                errors.add(sheet, row.row, column("wbs_code"), _("No task has the code %(code)s.") % {"code": code})
                continue
            if task.kind == WbsElement.Kind.SUMMARY:
                errors.add(
                    sheet,
                    row.row,
                    column("wbs_code"),
                    _("%(code)s is a summary; a baseline holds tasks and milestones.") % {"code": code},
                )
                continue
            if code in seen:
                errors.add(
                    sheet, row.row, column("wbs_code"), _("Row %(row)d has the same task.") % {"row": seen[code]}
                )
                continue
            seen[code] = row.row
        frozen_code = values.get("baseline_code") or code
        if not frozen_code:
            errors.add(sheet, row.row, column("wbs_code"), _("Enter the task's WBS code or its code in the baseline."))
            continue
        if not CODE_PATTERN.match(frozen_code):
            errors.add(sheet, row.row, column("baseline_code"), _("Enter a WBS code such as 1, 1.2 or 1.2.3."))
            continue
        task_name = values.get("name") or (task.name if task is not None else "")
        if not task_name:
            errors.add(sheet, row.row, column("name"), _("This cell is required."))
            continue
        start, finish, duration = values.get("start"), values.get("finish"), values.get("duration")
        if start is None or finish is None or duration is None:
            continue
        if finish < start:
            errors.add(sheet, row.row, column("finish"), _("The finish cannot be before the start."))
            continue
        if not 0 <= duration <= MAX_DURATION:
            errors.add(sheet, row.row, column("duration"), _("Enter a whole number of working days."))
            continue
        cost = values.get("budgeted_cost") or Decimal("0")
        if cost < 0:
            errors.add(sheet, row.row, column("budgeted_cost"), _("Enter zero or more."))
            continue
        milestone = values.get("milestone")
        if milestone is None:
            milestone = task.kind == WbsElement.Kind.MILESTONE if task is not None else duration == 0
        out.append(
            (
                code or None,
                BaselineTaskValues(
                    task=None,
                    code=frozen_code,
                    name=task_name,
                    is_milestone=milestone,
                    start=start,
                    finish=finish,
                    duration=duration,
                    budgeted_cost=Decimal(cost),
                ),
            )
        )
    return name, out


def _validated(
    content: bytes, today: dt.date, window: DateWindow, progress: Progress | None
) -> tuple[list[PlanRow], str, list[tuple[str | None, BaselineTaskValues]]]:
    errors = WorkbookErrors()
    sheets = read_workbook(content, SHEETS, errors=errors, progress=progress)
    if not sheets["tasks"] and not _unreadable(errors, TASKS) and not errors:
        errors.add(TASKS, None, None, _("The sheet has no rows under its header."))
    rows = _plan_rows(sheets["tasks"], errors)
    by_code = validate_plan(rows, _SheetErrors(errors, TASKS), today=today, window=window)
    name, baseline = _baseline_values(sheets["baseline"], by_code, errors)
    errors.raise_if_any(SHEETS)
    return rows, name, baseline


@transaction.atomic
def plan_import_xlsx(
    *, actor: User, project: Project, content: bytes, progress: Progress | None = None
) -> PlanWorkbookImport:
    """Create a whole plan, and its current baseline when the workbook has one, in a project whose plan is empty.

    The whole workbook is checked first; either everything is written (elements, links, progress,
    the schedule, the baseline and their audit events) or nothing.
    """
    project = lock_project(project)
    refuse_unless_plan_empty(project)
    rows, name, baseline = _validated(content, project.organization.today(), project.organization.date_window, progress)
    created = plan_create(
        actor=actor,
        project=project,
        rows=rows,
        note=_("Imported from Excel"),
        changes={"baseline_tasks": [0, len(baseline)]},
        progress=progress,
    )
    if baseline:
        baseline_restore(
            actor=actor,
            project=project,
            name=name or _("Imported baseline"),
            tasks=[replace(values, task=created.elements[code] if code else None) for code, values in baseline],
        )
    return PlanWorkbookImport(
        elements=len(created.elements), dependencies=created.dependencies, baseline_tasks=len(baseline)
    )
