"""Read an MS Project XML (MSPDI) file into a checked plan, without touching the database.

``read_plan`` parses with defusedxml (no DTD, no entities, nothing fetched), accepts the MSPDI
namespace or none and any ``SaveVersion`` when the structure is MSPDI's, and either raises one
``ApplicationError`` naming every problem (its ``code`` says which kind: ``too_large``, ``not_xml``,
``xml_forbidden``, ``not_mspdi``, ``duplicate_uid``, ``date_out_of_range``, ``invalid_plan``,
``cycle``) or returns a ``Plan`` in the product's units (working days, percent, currency units)
with its ``notes``: what the product cannot represent and how it was taken instead, counted.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from xml.etree import ElementTree
from xml.etree.ElementTree import Element, ParseError
from xml.parsers import expat

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pmo.dates import DateWindow
from pmo.errors import ApplicationError
from projects.models import ConstraintType, PercentCompleteMethod, WbsElement
from projects.scheduling import DependencyInput, find_cycle
from projects.services.wbs import MAX_WBS_DEPTH
from resources.exchange import mspdi_format as f
from resources.models import ResourceKind

Progress = Callable[[int, int], None]
PROGRESS_EVERY = 50
_DURATION = re.compile(
    r"^P(?:(?P<days>\d+(?:\.\d+)?)D)?(?:T(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)
#: Days one exception of a calendar may span (a range longer than this is not a holiday list).
MAX_EXCEPTION_DAYS = 3660
MAX_TASKS = 20000


@dataclass(frozen=True)
class BaselineEntry:
    start: dt.date
    finish: dt.date
    duration: int
    cost: Decimal


@dataclass
class PlanTask:
    uid: int
    name: str
    level: int
    parent_uid: int | None = None
    position: int = 0
    kind: str = WbsElement.Kind.TASK
    duration: int = 1
    budgeted_cost: Decimal = Decimal("0")
    method: str = PercentCompleteMethod.PHYSICAL
    percent: Decimal = Decimal("0")
    actual_start: dt.date | None = None
    actual_finish: dt.date | None = None
    notes: str = ""
    baseline: BaselineEntry | None = None
    constraint_type: str = ConstraintType.ASAP
    constraint_date: dt.date | None = None


@dataclass(frozen=True)
class PlanLink:
    predecessor_uid: int
    successor_uid: int
    type: str
    lag: int


@dataclass
class PlanCalendar:
    name: str
    weekdays: list[int]
    holidays: dict[dt.date, str] = field(default_factory=dict)
    workdays: dict[dt.date, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PlanResource:
    uid: int
    code: str
    name: str
    kind: str  # the product's ResourceKind value
    max_units: Decimal
    unit: str
    standard_rate: Decimal | None
    overtime_rate: Decimal | None
    notes: str


@dataclass(frozen=True)
class PlanAssignment:
    task_uid: int
    resource_uid: int
    units: Decimal | None  # percent; None when given as work
    work: Decimal | None  # hours (a material's quantity)
    note: str


@dataclass
class Plan:
    name: str
    start: dt.date | None
    minutes_per_day: int
    currency: str
    calendar: PlanCalendar | None
    tasks: list[PlanTask]
    links: list[PlanLink]
    resources: list[PlanResource]
    assignments: list[PlanAssignment]
    notes: list[str]


class Notes:
    """What could not be represented, counted by kind, in words."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def add(self, kind: str, count: int = 1) -> None:
        self.counts[kind] += count

    def messages(self) -> list[str]:
        return [_note_text(kind, count) for kind, count in sorted(self.counts.items())]


def _note_text(kind: str, n: int) -> str:
    count = {"count": n}
    if kind == "fixed_work":
        return (
            ngettext(
                "%(count)d task uses the Fixed Work type: imported as fixed duration.",
                "%(count)d tasks use the Fixed Work type: imported as fixed duration.",
                n,
            )
            % count
        )
    if kind == "fixed_units":
        return (
            ngettext(
                "%(count)d task uses the Fixed Units type: imported as fixed duration.",
                "%(count)d tasks use the Fixed Units type: imported as fixed duration.",
                n,
            )
            % count
        )
    if kind == "alap_tasks":
        return (
            ngettext(
                "%(count)d task uses As late as possible: imported as As soon as possible.",
                "%(count)d tasks use As late as possible: imported as As soon as possible.",
                n,
            )
            % count
        )
    if kind == "summary_constraints":
        return (
            ngettext(
                "%(count)d summary task has a date constraint: not imported; constrain its tasks instead.",
                "%(count)d summary tasks have date constraints: not imported; constrain their tasks instead.",
                n,
            )
            % count
        )
    if kind == "partial_days":
        return (
            ngettext(
                "%(count)d task lasts part of a working day: rounded to whole working days.",
                "%(count)d tasks last parts of working days: rounded to whole working days.",
                n,
            )
            % count
        )
    if kind == "partial_lags":
        return (
            ngettext(
                "%(count)d link has a lag that is not whole working days: rounded.",
                "%(count)d links have lags that are not whole working days: rounded.",
                n,
            )
            % count
        )
    if kind == "percent_lags":
        return (
            ngettext(
                "%(count)d link has a lag in percent of its predecessor's duration: converted to working days.",
                "%(count)d links have lags in percent of their predecessors' durations: converted to working days.",
                n,
            )
            % count
        )
    if kind == "elapsed_lags":
        return (
            ngettext(
                "%(count)d link has a lag in elapsed time: converted to working days.",
                "%(count)d links have lags in elapsed time: converted to working days.",
                n,
            )
            % count
        )
    if kind == "summary_links":
        return (
            ngettext(
                "%(count)d link to or from a summary task was not imported: link its tasks instead.",
                "%(count)d links to or from summary tasks were not imported: link their tasks instead.",
                n,
            )
            % count
        )
    if kind == "external_links":
        return (
            ngettext(
                "%(count)d link to another project was not imported.",
                "%(count)d links to other projects were not imported.",
                n,
            )
            % count
        )
    if kind == "duplicate_links":
        return (
            ngettext(
                "%(count)d link repeats another between the same tasks: only the first was imported.",
                "%(count)d links repeat others between the same tasks: only the first ones were imported.",
                n,
            )
            % count
        )
    if kind == "skipped_tasks":
        return (
            ngettext(
                "%(count)d empty, external or inserted-project task was not imported.",
                "%(count)d empty, external or inserted-project tasks were not imported.",
                n,
            )
            % count
        )
    if kind == "manual_tasks":
        return (
            ngettext(
                "%(count)d task is scheduled manually: imported as automatically scheduled.",
                "%(count)d tasks are scheduled manually: imported as automatically scheduled.",
                n,
            )
            % count
        )
    if kind == "unnamed_tasks":
        return (
            ngettext(
                "%(count)d task had no name: named after its ID.",
                "%(count)d tasks had no name: named after their IDs.",
                n,
            )
            % count
        )
    if kind == "long_names":
        return (
            ngettext(
                "%(count)d name was longer than 255 characters: shortened.",
                "%(count)d names were longer than 255 characters: shortened.",
                n,
            )
            % count
        )
    if kind == "milestone_durations":
        return (
            ngettext(
                "%(count)d milestone had a duration: imported with none.",
                "%(count)d milestones had a duration: imported with none.",
                n,
            )
            % count
        )
    if kind == "summary_costs":
        return (
            ngettext(
                "%(count)d summary task had a cost of its own: summaries add up their tasks' costs, so it was "
                "left out.",
                "%(count)d summary tasks had costs of their own: summaries add up their tasks' costs, so they "
                "were left out.",
                n,
            )
            % count
        )
    if kind == "filled_actuals":
        return (
            ngettext(
                "%(count)d task under way or complete had no actual date: its scheduled date was taken.",
                "%(count)d tasks under way or complete had no actual dates: their scheduled dates were taken.",
                n,
            )
            % count
        )
    if kind == "no_baseline":
        return (
            ngettext(
                "%(count)d task has no Baseline 0: it is left out of the imported baseline.",
                "%(count)d tasks have no Baseline 0: they are left out of the imported baseline.",
                n,
            )
            % count
        )
    if kind == "recurring_exceptions":
        return (
            ngettext(
                "%(count)d recurring calendar exception was not imported: enter its days one by one.",
                "%(count)d recurring calendar exceptions were not imported: enter their days one by one.",
                n,
            )
            % count
        )
    if kind == "work_weeks":
        return (
            ngettext(
                "%(count)d alternative work week of the calendar was not imported.",
                "%(count)d alternative work weeks of the calendar were not imported.",
                n,
            )
            % count
        )
    if kind == "idle_exceptions":
        return (
            ngettext(
                "%(count)d calendar exception changes nothing (a holiday on a day off or a working day on a working "
                "day): left out.",
                "%(count)d calendar exceptions change nothing (holidays on days off or working days on working days): "
                "left out.",
                n,
            )
            % count
        )
    if kind == "cost_resources":
        return (
            ngettext(
                "%(count)d cost resource was not imported, nor its assignments: the plan keeps costs on tasks.",
                "%(count)d cost resources were not imported, nor their assignments: the plan keeps costs on tasks.",
                n,
            )
            % count
        )
    if kind == "unnamed_resources":
        return (
            ngettext(
                "%(count)d resource without a name was not imported, nor its assignments.",
                "%(count)d resources without names were not imported, nor their assignments.",
                n,
            )
            % count
        )
    if kind == "summary_assignments":
        return (
            ngettext(
                "%(count)d assignment to a summary task was not imported: assign its tasks instead.",
                "%(count)d assignments to summary tasks were not imported: assign their tasks instead.",
                n,
            )
            % count
        )
    if kind == "duplicate_assignments":
        return (
            ngettext(
                "%(count)d assignment repeats a resource on the same task: only the first was imported.",
                "%(count)d assignments repeat resources on the same tasks: only the first ones were imported.",
                n,
            )
            % count
        )
    if kind == "empty_assignments":
        return (
            ngettext(
                "%(count)d assignment without a resource or without units and work was not imported.",
                "%(count)d assignments without a resource or without units and work were not imported.",
                n,
            )
            % count
        )
    return f"{kind}: {n}"


class TaskWhere:
    """Where a task's problem is, put in words only when there is one (thousands of tasks have none)."""

    __slots__ = ("uid",)

    def __init__(self, uid: int) -> None:
        self.uid = uid

    def __str__(self) -> str:
        return _("task %(uid)d") % {"uid": self.uid}


Where = str | TaskWhere


class _Problems:
    """Problems of the file, by where they are ("file", "task 12", "resource 3"), with the first kind seen."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = defaultdict(list)
        self.code = ""

    def add(self, where: Where, message: str, code: str = "invalid_plan") -> None:
        self.fields[str(where)].append(message)
        self.code = self.code or code

    def raise_if_any(self) -> None:
        if self.fields:
            count = sum(len(messages) for messages in self.fields.values())
            raise ApplicationError(
                ngettext(
                    "The file has %(count)d problem; nothing was imported.",
                    "The file has %(count)d problems; nothing was imported.",
                    count,
                )
                % {"count": count},
                code=self.code,
                fields=dict(self.fields),
            )


def _refuse(message: str, code: str, detail: str | None = None) -> ApplicationError:
    return ApplicationError(message, code=code, fields={"file": [detail or message]})


def check_size(size: int) -> None:
    limit = f.max_bytes()
    if size > limit:
        megabytes = f"{limit / (1024 * 1024):.1f}".removesuffix(".0")
        raise ApplicationError(
            _("The file is too large."),
            code="too_large",
            fields={"file": [_("Send at most %(size)s MB.") % {"size": megabytes}]},
            status_code=413,
        )


def _has_dtd(content: bytes) -> bool:
    """Whether the document declares a DTD, found by expat (C speed, no tree built, nothing expanded:
    parsing stops at the declaration)."""
    parser = expat.ParserCreate()
    found: list[bool] = []

    def declared(*_args: object) -> None:
        found.append(True)
        raise _DtdFound

    parser.StartDoctypeDeclHandler = declared
    try:
        parser.Parse(content, True)
    except _DtdFound:
        return True
    except expat.ExpatError:
        return False  # not XML: the parse below says so
    return bool(found)


class _DtdFound(Exception):
    pass


def parse_xml(content: bytes) -> Element:
    """The document's root, parsed safely, or a refusal: too large, not XML, or DTD and entities.

    A document with a DTD (the only place entities are declared) goes to defusedxml, which refuses
    it; one without can expand no entity and fetch nothing, and is built by the C parser rather than
    defusedxml's pure-Python one (which builds every element in Python).
    """
    check_size(len(content))
    if not content.strip():
        raise _refuse(_("The file is empty."), "not_xml")
    try:
        if not _has_dtd(content):
            return ElementTree.fromstring(content)  # noqa: S314 - no DTD, so no entity and no fetch (checked above)
        return fromstring(content, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise _refuse(
            _("The file declares a DTD or entities, which MS Project files never do; it was refused unread."),
            "xml_forbidden",
        ) from None
    except (ParseError, ValueError) as error:
        raise _refuse(
            _("The file is not XML."), "not_xml", _("The file is not XML: %(error)s") % {"error": error}
        ) from None


class _Reader:
    """Child lookups in the document's namespace (MSPDI's, or none)."""

    def __init__(self, root: Element) -> None:
        tag = root.tag
        namespace, _sep, local = tag[1:].partition("}") if tag.startswith("{") else ("", "", tag)
        if local != "Project":
            raise _refuse(
                _("This is not an MS Project XML file: its root element is “%(tag)s”, not “Project”.")
                % {"tag": local[:60]},
                "not_mspdi",
            )
        if namespace not in ("", f.NAMESPACE):
            raise _refuse(
                _("This is not an MS Project XML file: its namespace is “%(namespace)s”.")
                % {"namespace": namespace[:120]},
                "not_mspdi",
            )
        self.prefix = f"{{{namespace}}}" if namespace else ""

    def children(self, element: Element, name: str) -> list[Element]:
        return element.findall(self.prefix + name)

    def child(self, element: Element, name: str) -> Element | None:
        return element.find(self.prefix + name)

    def each(self, element: Element, collection: str, name: str) -> Iterator[Element]:
        holder = self.child(element, collection)
        if holder is not None:
            yield from self.children(holder, name)

    def text(self, element: Element, name: str) -> str:
        return (element.findtext(self.prefix + name) or "").strip()


def _integer(raw: str) -> int | None:
    try:
        return int(raw)
    except ValueError:
        return None


def _decimal(raw: str) -> Decimal | None:
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _flag(raw: str) -> bool:
    return raw.lower() in ("1", "true")


def duration_minutes(raw: str) -> Decimal | None:
    """An ISO 8601 duration of working time in minutes (days counted as 24 hours are not MSPDI's)."""
    match = _DURATION.match(raw)
    if match is None or raw in ("P", "PT"):
        return None
    days, hours, minutes, seconds = (Decimal(match[part] or "0") for part in ("days", "hours", "minutes", "seconds"))
    return days * 24 * 60 + hours * 60 + minutes + seconds / 60


class _Values:
    """Typed reads of one element's children that note problems under ``where``."""

    def __init__(self, reader: _Reader, problems: _Problems, window: DateWindow) -> None:
        self.reader, self.problems, self.window = reader, problems, window

    def date(self, element: Element, name: str, where: Where) -> dt.date | None:
        raw = self.reader.text(element, name)
        if not raw:
            return None
        try:
            value = dt.datetime.fromisoformat(raw).date()
        except ValueError:
            self.problems.add(where, _("%(field)s is not a date: “%(value)s”.") % {"field": name, "value": raw[:40]})
            return None
        if not self.window.contains(value):
            self.problems.add(where, f"{name}: {self.window.message()} ({value.isoformat()})", code="date_out_of_range")
            return None
        return value

    def minutes(self, element: Element, name: str, where: Where) -> Decimal | None:
        raw = self.reader.text(element, name)
        if not raw:
            return None
        value = duration_minutes(raw)
        if value is None:
            self.problems.add(
                where, _("%(field)s is not a duration like PT8H0M0S: “%(value)s”.") % {"field": name, "value": raw[:40]}
            )
        return value

    def number(self, element: Element, name: str, where: Where) -> Decimal | None:
        raw = self.reader.text(element, name)
        if not raw:
            return None
        value = _decimal(raw)
        if value is None or value < 0:
            self.problems.add(where, _("%(field)s is not a number of zero or more.") % {"field": name})
            return None
        return value


def _days(minutes: Decimal, minutes_per_day: int) -> tuple[int, bool]:
    """Whole working days and whether that was exact."""
    days = minutes / minutes_per_day
    whole = int(days.quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    return whole, whole == days


def _text(raw: str, notes: Notes, limit: int = f.NAME_LENGTH) -> str:
    text = " ".join(raw.split())
    if len(text) > limit:
        notes.add("long_names")
        return text[:limit]
    return text


@dataclass
class _RawTask:
    element: Element
    uid: int
    order: tuple[int, int]
    level: int
    task: PlanTask
    minutes: Decimal | None = None
    milestone_flag: bool = False
    cost: Decimal | None = None
    start: dt.date | None = None
    finish: dt.date | None = None
    percent: Decimal | None = None


def _project_properties(reader: _Reader, root: Element, problems: _Problems) -> tuple[int, str, str]:
    minutes_raw = reader.text(root, "MinutesPerDay")
    minutes_per_day = f.DEFAULT_MINUTES_PER_DAY
    if minutes_raw:
        parsed = _integer(minutes_raw)
        if parsed is None or not 1 <= parsed <= 1440:
            problems.add("file", _("MinutesPerDay must be a whole number from 1 to 1440."))
        else:
            minutes_per_day = parsed
    name = reader.text(root, "Title") or reader.text(root, "Name").removesuffix(".xml")
    return minutes_per_day, name[:200], reader.text(root, "CurrencyCode")[:3].upper()


def _read_tasks(
    reader: _Reader, root: Element, values: _Values, notes: Notes, problems: _Problems, method_field: str | None
) -> list[_RawTask]:
    if reader.child(root, "Tasks") is None:
        raise _refuse(_("This is not an MS Project XML file: it has no Tasks element."), "not_mspdi")
    raws: list[_RawTask] = []
    seen: dict[int, int] = {}
    for number, element in enumerate(reader.each(root, "Tasks", "Task")):
        uid = _integer(reader.text(element, "UID"))
        if uid is None:
            problems.add("file", _("Task number %(number)d has no UID.") % {"number": number + 1}, code="not_mspdi")
            continue
        where = TaskWhere(uid)
        if uid in seen:
            problems.add(where, _("Two tasks have the UID %(uid)d.") % {"uid": uid}, code="duplicate_uid")
            continue
        seen[uid] = number
        level_raw = reader.text(element, "OutlineLevel")
        outline_number = reader.text(element, "OutlineNumber")
        level = _integer(level_raw) if level_raw else (outline_number.count(".") + 1 if outline_number else 1)
        if level is None or level < 0:
            problems.add(where, _("OutlineLevel must be a whole number."))
            continue
        if level == 0:
            continue  # the project's own summary task
        if (
            _flag(reader.text(element, "IsNull"))
            or _flag(reader.text(element, "ExternalTask"))
            or _flag(reader.text(element, "IsSubproject"))
        ):
            notes.add("skipped_tasks")
            continue
        if len(raws) >= MAX_TASKS:
            raise _refuse(_("The file has more than %(count)d tasks.") % {"count": MAX_TASKS}, "invalid_plan")
        position = _integer(reader.text(element, "ID"))
        name = _text(reader.text(element, "Name"), notes)
        if not name:
            notes.add("unnamed_tasks")
            name = _("Task %(id)s") % {"id": position if position is not None else uid}
        task = PlanTask(uid=uid, name=name, level=level, notes=reader.text(element, "Notes")[:10000])
        raw = _RawTask(
            element=element,
            uid=uid,
            order=(position if position is not None else number, number),
            level=level,
            task=task,
            minutes=values.minutes(element, "Duration", where),
            milestone_flag=_flag(reader.text(element, "Milestone")),
            cost=values.number(element, "Cost", where),
            start=values.date(element, "Start", where),
            finish=values.date(element, "Finish", where),
            percent=values.number(element, "PercentComplete", where),
        )
        if raw.cost is None:
            raw.cost = values.number(element, "FixedCost", where)
        task.actual_start = values.date(element, "ActualStart", where)
        task.actual_finish = values.date(element, "ActualFinish", where)
        if method_field is not None:
            for attribute in reader.children(element, "ExtendedAttribute"):
                value = reader.text(attribute, "Value")
                if reader.text(attribute, "FieldID") == method_field and value in PercentCompleteMethod.values:
                    task.method = value
        raws.append(raw)
    raws.sort(key=lambda raw: raw.order)
    return raws


def _build_tree(raws: list[_RawTask], problems: _Problems) -> None:
    """Parents from outline levels in ID order; positions among siblings."""
    stack: list[_RawTask] = []
    counters: Counter[int | None] = Counter()
    for raw in raws:
        where = TaskWhere(raw.uid)
        if raw.level > MAX_WBS_DEPTH:
            problems.add(where, _("A WBS may nest at most %(count)d levels.") % {"count": MAX_WBS_DEPTH})
            continue
        if raw.level > len(stack) + 1:
            problems.add(
                where,
                _("Its outline level %(level)d skips a level after the task before it.") % {"level": raw.level},
            )
            continue
        del stack[raw.level - 1 :]
        parent = stack[-1].task if stack else None
        raw.task.parent_uid = parent.uid if parent else None
        counters[raw.task.parent_uid] += 1
        raw.task.position = counters[raw.task.parent_uid]
        if parent is not None:
            parent.kind = WbsElement.Kind.SUMMARY
        stack.append(raw)


def _read_constraint(raw: _RawTask, reader: _Reader, values: _Values, notes: Notes, problems: _Problems) -> None:
    """The task's constraint and its date; as late as possible is taken as as soon as possible, and counted."""
    text = reader.text(raw.element, "ConstraintType")
    code = _integer(text) if text else f.CONSTRAINT_ASAP
    where = TaskWhere(raw.uid)
    if code == f.CONSTRAINT_ALAP:
        notes.add("alap_tasks")
        return
    if code not in f.CONSTRAINT_TYPES:
        problems.add(
            where, _("The constraint type must be a whole number from 0 to 7, not “%(type)s”.") % {"type": text[:10]}
        )
        return
    if code == f.CONSTRAINT_ASAP:
        return
    day = values.date(raw.element, "ConstraintDate", where)
    if day is None:
        if not reader.text(raw.element, "ConstraintDate"):
            problems.add(where, _("Its constraint has no ConstraintDate."))
        return
    raw.task.constraint_type, raw.task.constraint_date = f.CONSTRAINT_TYPES[code], day


def _check_leaf(raw: _RawTask, reader: _Reader, minutes_per_day: int, notes: Notes, problems: _Problems) -> None:
    task = raw.task
    where = TaskWhere(raw.uid)
    minutes = raw.minutes if raw.minutes is not None else Decimal(minutes_per_day)
    days, exact = _days(minutes, minutes_per_day)
    if raw.milestone_flag or minutes == 0:
        task.kind = WbsElement.Kind.MILESTONE
        task.duration = 0
        if minutes != 0:
            notes.add("milestone_durations")
    else:
        if not exact or days == 0:
            notes.add("partial_days")
        task.duration = max(days, 1)
        if task.duration > f.MAX_DURATION:
            problems.add(where, _("The duration is longer than %(count)d working days.") % {"count": f.MAX_DURATION})
    task_type = _integer(reader.text(raw.element, "Type"))
    if task_type == f.FIXED_WORK:
        notes.add("fixed_work")
    elif task_type == f.FIXED_UNITS:
        notes.add("fixed_units")
    if _flag(reader.text(raw.element, "Manual")):
        notes.add("manual_tasks")
    task.budgeted_cost = ((raw.cost or Decimal("0")) / f.CENTS).quantize(Decimal("0.01"))
    percent = raw.percent or Decimal("0")
    if percent > f.HUNDRED:
        problems.add(where, _("PercentComplete must be from 0 to 100."))
        return
    if task.actual_finish is not None:
        percent = f.HUNDRED
    if percent == f.HUNDRED and task.actual_finish is None:
        task.actual_finish = raw.finish
        notes.add("filled_actuals")
    if (percent > 0 or task.actual_finish is not None) and task.actual_start is None:
        task.actual_start = raw.start
        notes.add("filled_actuals")
    if task.actual_finish is not None and task.actual_start is not None and task.actual_finish < task.actual_start:
        problems.add(where, _("The actual finish cannot be before the actual start."))
    if task.method == PercentCompleteMethod.PHYSICAL:
        task.percent = percent.quantize(Decimal("0.01"))
    elif task.actual_finish is not None:
        task.percent = f.HUNDRED
    elif task.actual_start is not None and task.method == PercentCompleteMethod.FIFTY_FIFTY:
        task.percent = Decimal("50")
    if task.percent > 0 and task.actual_start is None:
        problems.add(where, _("A task under way needs its actual start."))


def _check_actuals(tasks: list[PlanTask], today: dt.date, problems: _Problems) -> None:
    for task in tasks:
        for value in (task.actual_start, task.actual_finish):
            if value is not None and value > today:
                problems.add(TaskWhere(task.uid), _("An actual date cannot be in the future."), "invalid_plan")
                break


def _read_baseline(
    raw: _RawTask, reader: _Reader, values: _Values, minutes_per_day: int, notes: Notes
) -> BaselineEntry | None:
    where = TaskWhere(raw.uid)
    for element in reader.children(raw.element, "Baseline"):
        if reader.text(element, "Number") not in ("0", ""):
            continue
        start = values.date(element, "Start", where)
        finish = values.date(element, "Finish", where)
        if start is None or finish is None:
            return None
        minutes = values.minutes(element, "Duration", where) or Decimal("0")
        cost = values.number(element, "Cost", where) or Decimal("0")
        days = 0 if raw.task.kind == WbsElement.Kind.MILESTONE else _days(minutes, minutes_per_day)[0]
        return BaselineEntry(
            start=start, finish=max(finish, start), duration=days, cost=(cost / f.CENTS).quantize(Decimal("0.01"))
        )
    return None


def _read_links(
    raws: list[_RawTask], reader: _Reader, minutes_per_day: int, notes: Notes, problems: _Problems
) -> list[PlanLink]:
    by_uid = {raw.uid: raw.task for raw in raws}
    links: list[PlanLink] = []
    pairs: set[tuple[int, int]] = set()
    for raw in raws:
        where = TaskWhere(raw.uid)
        for element in reader.children(raw.element, "PredecessorLink"):
            if _flag(reader.text(element, "CrossProject")):
                notes.add("external_links")
                continue
            predecessor_uid = _integer(reader.text(element, "PredecessorUID"))
            predecessor = by_uid.get(predecessor_uid) if predecessor_uid is not None else None
            if predecessor is None or predecessor_uid is None:
                problems.add(
                    where,
                    _("Its predecessor UID %(uid)s is not a task of the file.")
                    % {"uid": reader.text(element, "PredecessorUID")[:20] or "?"},
                )
                continue
            if predecessor_uid == raw.uid:
                problems.add(where, _("A task cannot depend on itself."))
                continue
            type_raw = reader.text(element, "Type")
            type_code = _integer(type_raw) if type_raw else 1
            if type_code not in f.LINK_TYPES:
                problems.add(where, _("The link type must be 0, 1, 2 or 3, not “%(type)s”.") % {"type": type_raw[:10]})
                continue
            lag = _lag(element, reader, predecessor, minutes_per_day, notes, problems, where)
            if lag is None:
                continue
            if raw.task.kind == WbsElement.Kind.SUMMARY or predecessor.kind == WbsElement.Kind.SUMMARY:
                notes.add("summary_links")
                continue
            if (predecessor_uid, raw.uid) in pairs:
                notes.add("duplicate_links")
                continue
            pairs.add((predecessor_uid, raw.uid))
            links.append(PlanLink(predecessor_uid, raw.uid, f.LINK_TYPES[type_code], lag))
    return links


def _lag(
    element: Element,
    reader: _Reader,
    predecessor: PlanTask,
    minutes_per_day: int,
    notes: Notes,
    problems: _Problems,
    where: Where,
) -> int | None:
    raw = reader.text(element, "LinkLag") or "0"
    tenths = _decimal(raw)
    if tenths is None:
        problems.add(where, _("LinkLag must be a number (tenths of a minute)."))
        return None
    lag_format = _integer(reader.text(element, "LagFormat") or "7") or 7
    if tenths == 0:
        return 0
    if lag_format in f.PERCENT_FORMATS:
        days = tenths / 10 / f.HUNDRED * predecessor.duration
        notes.add("percent_lags")
    elif lag_format in f.ELAPSED_FORMATS:
        days = tenths / 10 / f.ELAPSED_MINUTES_PER_DAY
        notes.add("elapsed_lags")
    else:
        days = tenths / 10 / minutes_per_day
    whole = int(days.quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    if whole != days and lag_format not in f.PERCENT_FORMATS | f.ELAPSED_FORMATS:
        notes.add("partial_lags")
    if abs(whole) > f.MAX_LAG:
        problems.add(where, _("A lag is longer than %(count)d working days.") % {"count": f.MAX_LAG})
        return None
    return whole


def _check_cycles(tasks: list[PlanTask], links: list[PlanLink], problems: _Problems) -> None:
    index = {task.uid: i for i, task in enumerate(tasks)}
    inputs = [DependencyInput(index[link.predecessor_uid], index[link.successor_uid]) for link in links]
    cycle = find_cycle([], inputs)
    if cycle:
        path = " → ".join(f"{tasks[i].name} (UID {tasks[i].uid})" for i in cycle)
        problems.add("file", _("The links form a cycle: %(cycle)s") % {"cycle": path}, code="cycle")


def _exception_days(
    reader: _Reader, values: _Values, period: Element | None, where: str, problems: _Problems
) -> list[dt.date]:
    if period is None:
        return []
    start = values.date(period, "FromDate", where)
    finish = values.date(period, "ToDate", where)
    if start is None or finish is None:
        return []
    if finish < start or (finish - start).days > MAX_EXCEPTION_DAYS:
        problems.add(
            where,
            _("A calendar exception runs from %(start)s to %(finish)s.")
            % {
                "start": start.isoformat(),
                "finish": finish.isoformat(),
            },
        )
        return []
    return [start + dt.timedelta(days=offset) for offset in range((finish - start).days + 1)]


def _read_calendar(
    reader: _Reader, root: Element, values: _Values, notes: Notes, problems: _Problems
) -> PlanCalendar | None:
    calendars = {reader.text(element, "UID"): element for element in reader.each(root, "Calendars", "Calendar")}
    if not calendars:
        return None
    uid = reader.text(root, "CalendarUID")
    element = calendars.get(uid) or next(
        (item for item in calendars.values() if _flag(reader.text(item, "IsBaseCalendar"))), None
    )
    if element is None:
        return None
    chain = [element]
    seen = {reader.text(element, "UID")}
    base_uid = reader.text(element, "BaseCalendarUID")
    while base_uid in calendars and base_uid not in seen:
        seen.add(base_uid)
        chain.append(calendars[base_uid])
        base_uid = reader.text(calendars[base_uid], "BaseCalendarUID")
    weekdays: dict[int, bool] = {}
    exceptions: dict[dt.date, tuple[bool, str]] = {}
    where = _("calendar %(name)s") % {"name": reader.text(element, "Name")[:60]}
    for calendar in reversed(chain):  # the base first, its derived calendar overriding
        for weekday in reader.each(calendar, "WeekDays", "WeekDay"):
            day_type = _integer(reader.text(weekday, "DayType"))
            working = _flag(reader.text(weekday, "DayWorking"))
            if day_type is not None and 1 <= day_type <= 7:
                weekdays[f.python_weekday(day_type)] = working
            elif day_type == 0:
                for day in _exception_days(reader, values, reader.child(weekday, "TimePeriod"), where, problems):
                    exceptions[day] = (working, "")
        for exception in reader.each(calendar, "Exceptions", "Exception"):
            kind = _integer(reader.text(exception, "Type") or "1")
            occurrences = _integer(reader.text(exception, "Occurrences") or "1") or 1
            if kind != 1 and occurrences > 1:
                notes.add("recurring_exceptions")
                continue
            working = _flag(reader.text(exception, "DayWorking"))
            name = _text(reader.text(exception, "Name"), notes, 120)
            for day in _exception_days(reader, values, reader.child(exception, "TimePeriod"), where, problems):
                exceptions[day] = (working, name or exceptions.get(day, (working, ""))[1])
        notes.add("work_weeks", len(list(reader.each(calendar, "WorkWeeks", "WorkWeek"))))
    if notes.counts["work_weeks"] == 0:
        del notes.counts["work_weeks"]
    working_weekdays = sorted(day for day, working in weekdays.items() if working) if weekdays else [0, 1, 2, 3, 4]
    if not working_weekdays:
        problems.add(where, _("The calendar has no working weekday."))
        return None
    plan = PlanCalendar(name=_text(reader.text(element, "Name"), notes, 120) or "MS Project", weekdays=working_weekdays)
    for day, (working, name) in sorted(exceptions.items()):
        if working == (day.weekday() in working_weekdays):
            notes.add("idle_exceptions")
        elif working:
            plan.workdays[day] = name
        else:
            plan.holidays[day] = name
    return plan


def _read_resources(
    reader: _Reader, root: Element, values: _Values, notes: Notes, problems: _Problems
) -> tuple[list[PlanResource], set[int]]:
    resources: list[PlanResource] = []
    left_out: set[int] = set()
    seen: set[int] = set()
    codes: set[str] = set()
    for element in reader.each(root, "Resources", "Resource"):
        uid = _integer(reader.text(element, "UID"))
        if uid is None:
            problems.add("file", _("A resource has no UID."), code="not_mspdi")
            continue
        where = _("resource %(uid)d") % {"uid": uid}
        if uid in seen:
            problems.add(where, _("Two resources have the UID %(uid)d.") % {"uid": uid}, code="duplicate_uid")
            continue
        seen.add(uid)
        name = _text(reader.text(element, "Name"), notes, 200)
        if not name:
            left_out.add(uid)
            if uid != 0:
                notes.add("unnamed_resources")
            continue
        resource_type = _integer(reader.text(element, "Type") or "1")
        if resource_type == f.COST:
            left_out.add(uid)
            notes.add("cost_resources")
            continue
        code = reader.text(element, "Code")[:32]
        if code and code in codes:
            problems.add(where, _("Two resources have the code %(code)s.") % {"code": code}, code="duplicate_uid")
            continue
        codes.add(code)
        max_units = values.number(element, "MaxUnits", where)
        units = (max_units * f.HUNDRED).quantize(Decimal("0.01")) if max_units else f.HUNDRED
        if not Decimal("1") <= units <= Decimal("10000"):
            problems.add(where, _("MaxUnits must be from 0.01 to 100."))
        resources.append(
            PlanResource(
                uid=uid,
                code=code,
                name=name,
                kind=ResourceKind.MATERIAL if resource_type == f.MATERIAL else ResourceKind.PERSON,
                max_units=units,
                unit=reader.text(element, "MaterialLabel")[:32],
                standard_rate=values.number(element, "StandardRate", where),
                overtime_rate=values.number(element, "OvertimeRate", where),
                notes=reader.text(element, "Notes")[:10000],
            )
        )
    return resources, left_out


def _read_assignments(
    reader: _Reader,
    root: Element,
    values: _Values,
    tasks: dict[int, PlanTask],
    resources: dict[int, PlanResource],
    left_out: set[int],
    notes: Notes,
    problems: _Problems,
) -> list[PlanAssignment]:
    assignments: list[PlanAssignment] = []
    pairs: set[tuple[int, int]] = set()
    for element in reader.each(root, "Assignments", "Assignment"):
        task_uid = _integer(reader.text(element, "TaskUID"))
        resource_uid = _integer(reader.text(element, "ResourceUID"))
        where = _("assignment %(uid)s") % {"uid": reader.text(element, "UID")[:20] or "?"}
        if task_uid is None or resource_uid is None:
            problems.add(where, _("An assignment needs a TaskUID and a ResourceUID."))
            continue
        if resource_uid in f.UNASSIGNED_RESOURCE_UIDS and resource_uid not in resources:
            continue  # MS Project's placeholder for a task without resources
        if resource_uid in left_out:
            continue  # counted with its resource
        task = tasks.get(task_uid)
        resource = resources.get(resource_uid)
        if task is None and task_uid == f.PROJECT_SUMMARY_UID:
            continue
        if task is None or resource is None:
            problems.add(where, _("It names a task or a resource that is not in the file."))
            continue
        if task.kind == WbsElement.Kind.SUMMARY:
            notes.add("summary_assignments")
            continue
        if (task_uid, resource_uid) in pairs:
            notes.add("duplicate_assignments")
            continue
        units = values.number(element, "Units", where)
        minutes = values.minutes(element, "Work", where)
        work = (minutes / 60).quantize(Decimal("0.01")) if minutes else None
        note = " ".join(reader.text(element, "Notes").split())[:255]
        if resource.kind == ResourceKind.MATERIAL:
            units = None
        elif units is not None and units > 0:
            units, work = (units * f.HUNDRED).quantize(Decimal("0.01")), None
        else:
            units = None
        if units is None and not work:
            notes.add("empty_assignments")
            continue
        pairs.add((task_uid, resource_uid))
        assignments.append(PlanAssignment(task_uid, resource_uid, units, work, note))
    return assignments


def read_plan(content: bytes, *, window: DateWindow, today: dt.date, progress: Progress | None = None) -> Plan:
    """The file as a checked plan, or one ``ApplicationError`` naming every problem."""
    root = parse_xml(content)
    reader = _Reader(root)
    problems = _Problems()
    notes = Notes()
    values = _Values(reader, problems, window)
    minutes_per_day, name, currency = _project_properties(reader, root, problems)
    start = values.date(root, "StartDate", "file")
    method_field = next(
        (
            reader.text(attribute, "FieldID")
            for attribute in reader.each(root, "ExtendedAttributes", "ExtendedAttribute")
            if reader.text(attribute, "Alias") == f.METHOD_ALIAS
        ),
        None,
    )
    raws = _read_tasks(reader, root, values, notes, problems, method_field)
    problems.raise_if_any()  # duplicates and unreadable UIDs make the rest meaningless
    _build_tree(raws, problems)
    total = len(raws)
    for done, raw in enumerate(raws, start=1):
        if raw.task.kind != WbsElement.Kind.SUMMARY:
            _check_leaf(raw, reader, minutes_per_day, notes, problems)
            _read_constraint(raw, reader, values, notes, problems)
            raw.task.baseline = _read_baseline(raw, reader, values, minutes_per_day, notes)
        else:
            raw.task.actual_start = raw.task.actual_finish = None
            if _integer(reader.text(raw.element, "ConstraintType") or "0") not in (
                f.CONSTRAINT_ASAP,
                f.CONSTRAINT_ALAP,
            ):
                notes.add("summary_constraints")
            if raw.cost and _integer(reader.text(raw.element, "FixedCost") or "0"):
                notes.add("summary_costs")
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, total)
    tasks = [raw.task for raw in raws]
    leaves = [task for task in tasks if task.kind != WbsElement.Kind.SUMMARY]
    with_baseline = sum(1 for task in leaves if task.baseline is not None)
    if with_baseline and with_baseline < len(leaves):
        notes.add("no_baseline", len(leaves) - with_baseline)
    _check_actuals(tasks, today, problems)
    links = _read_links(raws, reader, minutes_per_day, notes, problems)
    calendar = _read_calendar(reader, root, values, notes, problems)
    resources, left_out = _read_resources(reader, root, values, notes, problems)
    by_uid = {task.uid: task for task in tasks}
    assignments = _read_assignments(
        reader, root, values, by_uid, {resource.uid: resource for resource in resources}, left_out, notes, problems
    )
    problems.raise_if_any()
    _check_cycles(tasks, links, problems)
    problems.raise_if_any()
    if not tasks:
        raise _refuse(_("The file has no tasks to import."), "invalid_plan")
    used = {assignment.resource_uid for assignment in assignments}
    return Plan(
        name=name,
        start=start,
        minutes_per_day=minutes_per_day,
        currency=currency,
        calendar=calendar,
        tasks=tasks,
        links=links,
        resources=[resource for resource in resources if resource.uid in used],
        assignments=assignments,
        notes=notes.messages(),
    )


def describe(plan: Plan) -> dict[str, Any]:
    """The plan's figures, for a report."""
    return {
        "tasks": len(plan.tasks),
        "links": len(plan.links),
        "resources": len(plan.resources),
        "assignments": len(plan.assignments),
    }
