"""A whole plan read from a file, checked once and written in one go: what the CSV and the Excel imports share.

Each import turns its rows into ``PlanRow``s: the row's number in the file and its cells already
typed (``str`` for codes, names and predecessors, ``int`` for durations, ``Decimal`` for amounts and
percentages, ``date`` for dates; ``None`` where blank), with the columns it could not read listed
in ``invalid`` (it reported those itself). ``validate_plan`` then checks the rows as a whole (the
tree, kinds, durations, amounts, progress against the actual dates, predecessors, cycles) and
``plan_create`` writes the plan of valid rows. Problems go to a ``PlanErrors`` keyed by the
row's number and the column's key (the CSV's column names).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from django.utils.translation import gettext as _

from pmo.audit import audit_record
from pmo.dates import DateWindow
from pmo.errors import ApplicationError
from pmo.models import User
from pmo.money import money_limit_message, within_money_limit
from projects.models import (
    ConstraintType,
    Dependency,
    DependencyType,
    PercentCompleteMethod,
    ProgressUpdate,
    Project,
    WbsElement,
    wbs_sort_key,
)
from projects.scheduling import DependencyInput, find_cycle
from projects.services.schedule import schedule_recompute
from projects.services.wbs import MAX_WBS_DEPTH, renumber

MAX_LAG = 9999
MAX_DURATION = 99999
NAME_LENGTH = 255
HUNDRED = Decimal("100")
CODE_LENGTH = WbsElement._meta.get_field("code").max_length or 64
# A number in a code is a position among siblings, which is stored as an integer.
MAX_CODE_PART = 99999
CODE_PATTERN = re.compile(r"^[1-9]\d*(\.[1-9]\d*)*$", re.ASCII)
#: A predecessor in MS Project's notation: its code, the link type (FS when left out) and the lag in
#: working days, with or without the unit (``1.2``, ``1.2SS``, ``1.2FS+2``, ``1.2FF-1d``, ``1.2SF+3 days``).
PREDECESSOR_PATTERN = re.compile(
    r"^(?P<code>\d+(?:\.\d+)*)\s*(?P<type>FS|SS|FF|SF)?\s*(?P<lag>[+-]\s*\d+)?\s*(?:d|days?)?$",
    re.ASCII | re.IGNORECASE,
)


def code_key(code: str) -> tuple[int, ...]:
    """Sort key of a WBS code in tree order: 1.2 before 1.10."""
    return tuple(int(part) for part in code.split(".") if part.isdigit())


def link_text(code: str, type: str, lag: int, *, unit: str = "") -> str:
    """A predecessor as ``1.2FS``, ``1.2SS+3`` (``unit="d"``: ``1.2SS+3d``, MS Project's notation)."""
    return f"{code}{type}{lag:+d}{unit}" if lag else f"{code}{type}"


class PlanErrors(Protocol):
    """Where the checks put problems: the row's number, the column's key and the message."""

    def add(self, line: int | str, column: str, message: str) -> None: ...

    def same_code(self, line: int) -> str:
        """The message for a code already used on row ``line``."""
        ...


@dataclass
class PlanRow:
    """A row of a plan file: its number, its typed cells by column key, and what the checks made of them."""

    line: int
    cells: dict[str, Any]
    #: Columns the reader could not read (already reported): the checks pass over them.
    invalid: set[str] = field(default_factory=set)
    code: str = ""
    kind: str = ""
    duration: int = 0
    budgeted_cost: Decimal = Decimal("0")
    method: str = PercentCompleteMethod.PHYSICAL
    percent: Decimal = Decimal("0")
    actual_start: dt.date | None = None
    actual_finish: dt.date | None = None
    leveling_delay: int = 0
    constraint_type: str = ConstraintType.ASAP
    constraint_date: dt.date | None = None
    links: list[tuple[str, str, int]] = field(default_factory=list)

    def given(self, column: str) -> Any:
        """The cell's value, or None when blank or unreadable."""
        return None if column in self.invalid else self.cells.get(column)

    @property
    def name(self) -> str:
        return str(self.cells.get("name") or "")

    @property
    def notes(self) -> str:
        return str(self.cells.get("notes") or "")


def _amount(row: PlanRow, column: str, errors: PlanErrors, *, digits: int, money: bool = False) -> Decimal | None:
    """The cell as zero or more below ``10 ** (digits - 2)``; ``money``: within the money limit."""
    value = row.given(column)
    if value is None:
        return None
    if value < 0:
        errors.add(row.line, column, _("Enter zero or more."))
        return None
    if money and not within_money_limit(value):
        errors.add(row.line, column, money_limit_message())
        return None
    if value >= Decimal(10) ** (digits - 2):
        errors.add(row.line, column, _("The number is too large."))
        return None
    return Decimal(value)


def _check_tree(rows: list[PlanRow], errors: PlanErrors) -> dict[str, PlanRow]:
    by_code: dict[str, PlanRow] = {}
    for row in rows:
        if "wbs_code" in row.invalid:
            continue
        raw = str(row.cells.get("wbs_code") or "")
        if not raw:
            errors.add(row.line, "wbs_code", _("This field is required."))
            continue
        if not CODE_PATTERN.match(raw):
            errors.add(row.line, "wbs_code", _("Enter a WBS code such as 1, 1.2 or 1.2.3."))
            continue
        if raw in by_code:
            errors.add(row.line, "wbs_code", errors.same_code(by_code[raw].line))
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
        if "name" not in row.invalid:
            if not row.name:
                errors.add(row.line, "name", _("This field is required."))
            elif len(row.name) > NAME_LENGTH:
                errors.add(row.line, "name", _("The name is too long."))
        level = row.given("outline_level")
        if row.code and level is not None and level != row.code.count(".") + 1:
            errors.add(
                row.line,
                "outline_level",
                _("The code %(code)s is at level %(level)d.") % {"code": row.code, "level": row.code.count(".") + 1},
            )
        if row.code and "." in row.code:
            parent = row.code.rsplit(".", 1)[0]
            if parent not in by_code:
                errors.add(row.line, "wbs_code", _("Its parent %(code)s is not in the file.") % {"code": parent})
    has_children = {code.rsplit(".", 1)[0] for code in by_code if "." in code}
    for row in rows:
        if "kind" in row.invalid:
            continue
        kind = str(row.cells.get("kind") or "")
        if row.code in has_children:
            if kind and kind != WbsElement.Kind.SUMMARY:
                errors.add(row.line, "kind", _("An element with sub-elements is a summary."))
            row.kind = WbsElement.Kind.SUMMARY
        else:
            row.kind = kind or WbsElement.Kind.TASK
    return by_code


def _check_constraint(row: PlanRow, errors: PlanErrors, window: DateWindow) -> None:
    """The constraint's type (as soon as possible when empty) and its date, given exactly when the type needs one."""
    if {"constraint_type", "constraint_date"} & row.invalid:
        return
    kind = row.given("constraint_type") or ConstraintType.ASAP
    day = row.given("constraint_date")
    if kind == ConstraintType.ASAP:
        if day is not None:
            errors.add(row.line, "constraint_date", _("“As soon as possible” takes no date."))
        return
    if row.kind == WbsElement.Kind.SUMMARY:
        errors.add(row.line, "constraint_type", _("A summary element has no constraint: constrain its tasks."))
        return
    if day is None:
        errors.add(
            row.line,
            "constraint_date",
            _("“%(constraint)s” needs a date.") % {"constraint": ConstraintType(kind).label},
        )
        return
    if not window.contains(day):
        errors.add(row.line, "constraint_date", window.message())
        return
    row.constraint_type, row.constraint_date = kind, day


def _check_leaf(row: PlanRow, errors: PlanErrors, today: dt.date, window: DateWindow) -> None:
    duration = row.given("duration")
    if row.kind == WbsElement.Kind.MILESTONE:
        if duration is not None and duration != 0:
            errors.add(row.line, "duration", _("A milestone has zero duration."))
        row.duration = 0
    elif "duration" in row.invalid:
        pass
    elif duration is None:
        row.duration = 1
    elif not 0 <= duration <= MAX_DURATION:
        errors.add(row.line, "duration", _("Enter a whole number of working days."))
    else:
        row.duration = duration
    delay = row.given("leveling_delay")
    if delay is not None and not 0 <= delay <= MAX_DURATION:
        errors.add(row.line, "leveling_delay", _("Enter a whole number of working days."))
    else:
        row.leveling_delay = delay or 0
    cost = _amount(row, "budgeted_cost", errors, digits=16, money=True)
    row.budgeted_cost = cost if cost is not None else Decimal("0")
    start = row.actual_start = row.given("actual_start")
    finish = row.actual_finish = row.given("actual_finish")
    for column, value in (("actual_start", start), ("actual_finish", finish)):
        if value is not None and not window.contains(value):
            errors.add(row.line, column, window.message())
        elif value is not None and value > today:
            errors.add(row.line, column, _("An actual date cannot be in the future."))
    if finish is not None and start is None and "actual_start" not in row.invalid:
        errors.add(row.line, "actual_start", _("A finished task needs its actual start."))
    if start is not None and finish is not None and finish < start:
        errors.add(row.line, "actual_finish", _("The actual finish cannot be before the actual start."))
    percent = _amount(row, "percent_complete", errors, digits=5)
    if percent is not None and percent > HUNDRED:
        errors.add(row.line, "percent_complete", _("Enter a percentage from 0 to 100."))
        return
    if {"percent_complete_method", "percent_complete", "actual_start", "actual_finish"} & row.invalid:
        return
    method = row.given("percent_complete_method") or PercentCompleteMethod.PHYSICAL
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


def _check_links(rows: list[PlanRow], by_code: dict[str, PlanRow], errors: PlanErrors) -> None:
    for row in rows:
        raw = row.given("predecessors")
        if not raw:
            continue
        if row.kind == WbsElement.Kind.SUMMARY:
            errors.add(row.line, "predecessors", _("Only tasks and milestones can be linked, not summary elements."))
            continue
        seen: set[str] = set()
        for token in filter(None, (part.strip() for part in re.split(r"[;,]", str(raw)))):
            match = PREDECESSOR_PATTERN.match(token)
            if match is None:
                errors.add(row.line, "predecessors", _("“%(link)s” is not like 1.2FS+2d.") % {"link": token})
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


def _check_cycles(rows: list[PlanRow], errors: PlanErrors) -> None:
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


def validate_plan(rows: list[PlanRow], errors: PlanErrors, *, today: dt.date, window: DateWindow) -> dict[str, PlanRow]:
    """Check the rows as one plan; the valid rows by code (every problem is in ``errors``)."""
    by_code = _check_tree(rows, errors)
    for row in rows:
        if row.kind and row.kind != WbsElement.Kind.SUMMARY:
            _check_leaf(row, errors, today, window)
        if row.kind:
            _check_constraint(row, errors, window)
    _check_links(rows, by_code, errors)
    _check_cycles(rows, errors)
    return by_code


def refuse_unless_plan_empty(project: Project) -> None:
    if WbsElement.objects.for_organization(project.organization_id).filter(project=project).exists():
        raise ApplicationError(
            _("The project already has a plan; import into a project whose plan is empty."),
            code="plan_not_empty",
            fields={"file": [_("The plan is not empty.")]},
        )


def _numbered(rows: list[PlanRow]) -> dict[str, str]:
    """Each row's code as ``renumber`` would give it (siblings 1, 2, 3 in the order of their last number),
    so that the elements are created with their final codes and nothing is renumbered after."""
    children: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        children[row.code.rsplit(".", 1)[0] if "." in row.code else ""].append(row.code)
    numbered: dict[str, str] = {}
    pending = [("", "")]
    while pending:
        parent, prefix = pending.pop()
        for index, code in enumerate(sorted(children.get(parent, []), key=code_key), start=1):
            numbered[code] = f"{prefix}{index}"
            pending.append((code, f"{prefix}{index}."))
    return numbered


@dataclass(frozen=True)
class CreatedPlan:
    #: The new elements by their code in the file (they carry the plan's codes, 1, 2, 3 without gaps).
    elements: dict[str, WbsElement]
    dependencies: int


def plan_create(
    *,
    actor: User,
    project: Project,
    rows: list[PlanRow],
    note: str,
    changes: dict[str, Any] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> CreatedPlan:
    """Write validated rows as the plan of an empty project: elements level by level, links, progress
    (a ``ProgressUpdate`` with ``note`` for each task under way), codes, the schedule and one audit
    event (``wbs.imported``, with ``changes`` added). The caller holds the project's lock."""
    organization_id = project.organization_id
    today = project.organization.today()
    numbered = _numbered(rows)
    created: dict[str, WbsElement] = {}
    for depth in sorted({row.code.count(".") for row in rows}):
        level = [
            WbsElement(
                organization_id=organization_id,
                project=project,
                parent=created.get(row.code.rsplit(".", 1)[0]) if depth else None,
                position=code_key(numbered[row.code])[-1],
                code=numbered[row.code],
                sort_key=wbs_sort_key(numbered[row.code]),
                name=row.name,
                kind=row.kind,
                duration=row.duration,
                budgeted_cost=row.budgeted_cost,
                percent_complete_method=row.method,
                percent_complete=row.percent,
                actual_start=row.actual_start,
                actual_finish=row.actual_finish,
                leveling_delay=row.leveling_delay,
                constraint_type=row.constraint_type,
                constraint_date=row.constraint_date,
                notes=row.notes,
            )
            for row in rows
            if row.code.count(".") == depth
        ]
        for row, element in zip(
            (row for row in rows if row.code.count(".") == depth),
            WbsElement.objects.bulk_create(level, batch_size=1000),
            strict=True,
        ):
            created[row.code] = element
        if progress is not None:
            progress(len(created), len(rows))
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
        ],
        batch_size=1000,
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
                note=note,
                updated_by=actor,
            )
            for element in created.values()
            if element.is_leaf and (element.percent_complete > 0 or element.actual_start is not None)
        ],
        batch_size=1000,
    )
    elements = renumber(project, list(created.values()))
    schedule_recompute(project, elements=elements)
    audit_record(
        organization=project.organization,
        actor=actor,
        action="wbs.imported",
        target=project,
        changes={"elements": [0, len(created)], "dependencies": [0, len(links)], **(changes or {})},
    )
    return CreatedPlan(elements=created, dependencies=len(links))
