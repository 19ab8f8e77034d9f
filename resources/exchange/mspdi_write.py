"""Write a project as MS Project XML (MSPDI), without touching the database.

Elements are written in the order of Microsoft's schema (mspdi_pj12.xsd), which MS Project checks;
ProjectLibre reads the same file. Tasks are numbered 1..n in WBS order (UID = ID), resources 1..n;
the project's own summary task is UID 0. Each task is fixed duration (Type 1) with its duration in
working hours (days times MinutesPerDay), links carry their lag in tenths of a minute with LagFormat 7
(days), costs are in hundredths, rates per hour, the calendar's exceptions are written both the
Project 2003 way (WeekDay with DayType 0) and the 2007 way (Exceptions). A task's percent-complete
method other than physical goes in the task field Text1 under the alias ``METHOD_ALIAS``; an
assignment given as work is written without Units.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape

from projects.models import PercentCompleteMethod, WbsElement
from resources.exchange import mspdi_format as f
from resources.exchange.mspdi_read import BaselineEntry
from resources.models import AssignmentMode, ResourceKind

DAY_START = 8 * 60
LUNCH = (12 * 60, 13 * 60)
PROGRESS_EVERY = 50


@dataclass(frozen=True)
class ExportLink:
    predecessor_uid: int
    type: str
    lag: int


@dataclass(frozen=True)
class ExportTask:
    uid: int
    level: int
    code: str
    name: str
    kind: str
    duration: int
    start: dt.date | None
    finish: dt.date | None
    budgeted_cost: Decimal
    percent: Decimal
    method: str
    actual_start: dt.date | None
    actual_finish: dt.date | None
    notes: str
    is_critical: bool
    links: tuple[ExportLink, ...]
    baseline: BaselineEntry | None
    has_assignments: bool
    constraint_type: str = "asap"  # projects.models.ConstraintType
    constraint_date: dt.date | None = None


@dataclass(frozen=True)
class ExportCalendar:
    name: str
    weekdays: tuple[int, ...]
    exceptions: tuple[tuple[dt.date, bool, str], ...]  # day, a working day?, name


@dataclass(frozen=True)
class ExportResource:
    uid: int
    code: str
    name: str
    kind: str
    max_units: Decimal
    unit: str
    standard_rate: Decimal | None
    overtime_rate: Decimal | None
    notes: str


@dataclass(frozen=True)
class ExportAssignment:
    uid: int
    task_uid: int
    resource_uid: int
    mode: str
    units: Decimal
    work: Decimal
    note: str


@dataclass(frozen=True)
class ExportProject:
    code: str
    name: str
    start: dt.date
    finish: dt.date | None
    currency: str
    minutes_per_day: int
    created: dt.datetime
    calendar: ExportCalendar
    tasks: tuple[ExportTask, ...]
    resources: tuple[ExportResource, ...]
    assignments: tuple[ExportAssignment, ...]


def _element(name: str, value: object) -> str:
    return f"<{name}>{escape(str(value))}</{name}>"


def _flag(value: bool) -> str:
    return "1" if value else "0"


def _amount(value: Decimal) -> str:
    return format(value.normalize(), "f") if value else "0"


def _working_times(minutes_per_day: int) -> list[tuple[int, int]]:
    """The day's working periods: 08:00-12:00 and from 13:00 on, or one morning period for short days."""
    if minutes_per_day <= LUNCH[0] - DAY_START:
        return [(DAY_START, DAY_START + minutes_per_day)]
    rest = minutes_per_day - (LUNCH[0] - DAY_START)
    return [(DAY_START, LUNCH[0]), (LUNCH[1], min(LUNCH[1] + rest, 24 * 60 - 1))]


def _time(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}:00"


def _calendar(calendar: ExportCalendar, minutes_per_day: int) -> list[str]:
    periods = "".join(
        f"<WorkingTime><FromTime>{_time(start)}</FromTime><ToTime>{_time(finish)}</ToTime></WorkingTime>"
        for start, finish in _working_times(minutes_per_day)
    )
    out = [
        "<Calendars><Calendar>",
        _element("UID", 1),
        _element("Name", calendar.name),
        "<IsBaseCalendar>1</IsBaseCalendar><IsBaselineCalendar>0</IsBaselineCalendar>",
        "<BaseCalendarUID>-1</BaseCalendarUID><WeekDays>",
    ]
    for weekday in (6, 0, 1, 2, 3, 4, 5):  # DayType 1 (Sunday) to 7 (Saturday)
        working = weekday in calendar.weekdays
        out.append(f"<WeekDay><DayType>{f.day_type(weekday)}</DayType><DayWorking>{_flag(working)}</DayWorking>")
        if working:
            out.append(f"<WorkingTimes>{periods}</WorkingTimes>")
        out.append("</WeekDay>")
    for day, working, _name in calendar.exceptions:
        out.append(
            f"<WeekDay><DayType>0</DayType><DayWorking>{_flag(working)}</DayWorking>"
            f"<TimePeriod><FromDate>{f.datetime_text(day, 0)}</FromDate>"
            f"<ToDate>{day.isoformat()}T23:59:00</ToDate></TimePeriod>"
            + (f"<WorkingTimes>{periods}</WorkingTimes>" if working else "")
            + "</WeekDay>"
        )
    out.append("</WeekDays>")
    if calendar.exceptions:
        out.append("<Exceptions>")
        for day, working, name in calendar.exceptions:
            out.append(
                "<Exception><EnteredByOccurrences>0</EnteredByOccurrences>"
                f"<TimePeriod><FromDate>{f.datetime_text(day, 0)}</FromDate>"
                f"<ToDate>{day.isoformat()}T23:59:00</ToDate></TimePeriod>"
                f"<Occurrences>1</Occurrences>{_element('Name', name)}<Type>1</Type>"
                f"<DayWorking>{_flag(working)}</DayWorking>"
                + (f"<WorkingTimes>{periods}</WorkingTimes>" if working else "")
                + "</Exception>"
            )
        out.append("</Exceptions>")
    out.append("</Calendar></Calendars>")
    return out


def _task(task: ExportTask, project: ExportProject) -> str:
    minutes_per_day = project.minutes_per_day
    day_end = _working_times(minutes_per_day)[-1][1]
    start = task.start or project.start
    finish = task.finish or start
    milestone = task.kind == WbsElement.Kind.MILESTONE
    summary = task.kind == WbsElement.Kind.SUMMARY
    parts = [
        "<Task>",
        _element("UID", task.uid),
        _element("ID", task.uid),
        _element("Name", task.name),
        "<Type>1</Type><IsNull>0</IsNull>",
        _element("WBS", task.code),
        _element("OutlineNumber", task.code),
        _element("OutlineLevel", task.level),
        "<Priority>500</Priority>",
        _element("Start", f.datetime_text(start, DAY_START)),
        _element("Finish", f.datetime_text(finish, DAY_START if milestone else day_end)),
        _element("Duration", f.duration_text(task.duration * minutes_per_day)),
        f"<DurationFormat>{f.DURATION_FORMAT_DAYS}</DurationFormat>",
        "<EffortDriven>0</EffortDriven>",
        _element("Milestone", _flag(milestone)),
        _element("Summary", _flag(summary)),
        _element("Critical", _flag(task.is_critical)),
    ]
    cents = _amount(task.budgeted_cost * f.CENTS)
    if not summary:
        parts.append(_element("FixedCost", "0" if task.has_assignments else cents))
        parts.append("<FixedCostAccrual>3</FixedCostAccrual>")
    parts.append(_element("PercentComplete", int(task.percent)))
    parts.append(_element("Cost", cents))
    if task.actual_start is not None:
        parts.append(_element("ActualStart", f.datetime_text(task.actual_start, DAY_START)))
    if task.actual_finish is not None:
        parts.append(_element("ActualFinish", f.datetime_text(task.actual_finish, DAY_START if milestone else day_end)))
    parts.append(_element("ConstraintType", f.CONSTRAINT_CODES.get(task.constraint_type, f.CONSTRAINT_ASAP)))
    parts.append("<CalendarUID>-1</CalendarUID>")
    if task.constraint_date is not None and task.constraint_type in f.CONSTRAINT_CODES:
        # A start constraint holds at the start of its day, a finish constraint at the end (a milestone's at its start).
        at_end = task.constraint_type in ("fnet", "fnlt", "mfo") and not milestone
        parts.append(
            _element("ConstraintDate", f.datetime_text(task.constraint_date, day_end if at_end else DAY_START))
        )
    if task.notes:
        parts.append(_element("Notes", task.notes))
    for link in task.links:
        parts.append(
            "<PredecessorLink>"
            + _element("PredecessorUID", link.predecessor_uid)
            + _element("Type", f.LINK_CODES[link.type])
            + "<CrossProject>0</CrossProject>"
            + _element("LinkLag", link.lag * minutes_per_day * 10)
            + f"<LagFormat>{f.DURATION_FORMAT_DAYS}</LagFormat></PredecessorLink>"
        )
    if task.method != PercentCompleteMethod.PHYSICAL:
        parts.append(
            f"<ExtendedAttribute><FieldID>{f.METHOD_FIELD_ID}</FieldID>{_element('Value', task.method)}"
            "</ExtendedAttribute>"
        )
    if task.baseline is not None:
        baseline = task.baseline
        parts.append(
            "<Baseline><Number>0</Number>"
            + _element("Start", f.datetime_text(baseline.start, DAY_START))
            + _element("Finish", f.datetime_text(baseline.finish, DAY_START if milestone else day_end))
            + _element("Duration", f.duration_text(baseline.duration * minutes_per_day))
            + f"<DurationFormat>{f.DURATION_FORMAT_DAYS}</DurationFormat>"
            + _element("Cost", _amount(baseline.cost * f.CENTS))
            + "</Baseline>"
        )
    parts.append("</Task>")
    return "".join(parts)


def _resource(resource: ExportResource) -> str:
    material = resource.kind == ResourceKind.MATERIAL
    parts = [
        "<Resource>",
        _element("UID", resource.uid),
        _element("ID", resource.uid),
        _element("Name", resource.name),
        _element("Type", f.MATERIAL if material else f.WORK),
        "<IsNull>0</IsNull>",
    ]
    if material and resource.unit:
        parts.append(_element("MaterialLabel", resource.unit))
    parts.append(_element("Code", resource.code))
    if not material:
        parts.append(_element("MaxUnits", _amount(resource.max_units / f.HUNDRED)))
    if resource.standard_rate is not None:
        parts.append(_element("StandardRate", _amount(resource.standard_rate)))
        parts.append("<StandardRateFormat>2</StandardRateFormat>")
    if resource.overtime_rate is not None:
        parts.append(_element("OvertimeRate", _amount(resource.overtime_rate)))
        parts.append("<OvertimeRateFormat>2</OvertimeRateFormat>")
    if resource.notes:
        parts.append(_element("Notes", resource.notes))
    parts.append("</Resource>")
    return "".join(parts)


def _assignment(assignment: ExportAssignment) -> str:
    parts = [
        "<Assignment>",
        _element("UID", assignment.uid),
        _element("TaskUID", assignment.task_uid),
        _element("ResourceUID", assignment.resource_uid),
    ]
    if assignment.note:
        parts.append(_element("Notes", assignment.note))
    if assignment.mode == AssignmentMode.UNITS:
        parts.append(_element("Units", _amount(assignment.units / f.HUNDRED)))
    minutes = (assignment.work * 60).quantize(Decimal("1"))
    parts.append(_element("Work", f.duration_text(minutes)))
    parts.append("</Assignment>")
    return "".join(parts)


def write_project(project: ExportProject, progress: Callable[[int, int], None] | None = None) -> bytes:
    """The project as an MSPDI document (UTF-8)."""
    minutes_per_day = project.minutes_per_day
    finish = project.finish or project.start
    out = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
        f'<Project xmlns="{f.NAMESPACE}">',
        "<SaveVersion>14</SaveVersion>",
        _element("Name", f"{project.code}.xml"),
        _element("Title", project.name),
        _element("CreationDate", project.created.strftime("%Y-%m-%dT%H:%M:%S")),
        "<ScheduleFromStart>1</ScheduleFromStart>",
        _element("StartDate", f.datetime_text(project.start, DAY_START)),
        _element("FinishDate", f.datetime_text(finish, _working_times(minutes_per_day)[-1][1])),
        "<CurrencyDigits>2</CurrencyDigits>",
        _element("CurrencyCode", project.currency),
        "<CalendarUID>1</CalendarUID>",
        _element("DefaultStartTime", _time(DAY_START)),
        _element("MinutesPerDay", minutes_per_day),
        _element("MinutesPerWeek", minutes_per_day * max(len(project.calendar.weekdays), 1)),
        "<DefaultTaskType>1</DefaultTaskType>",
        "<ExtendedAttributes><ExtendedAttribute>",
        _element("FieldID", f.METHOD_FIELD_ID),
        _element("FieldName", f.METHOD_FIELD_NAME),
        _element("Alias", f.METHOD_ALIAS),
        "</ExtendedAttribute></ExtendedAttributes>",
        *_calendar(project.calendar, minutes_per_day),
        "<Tasks>",
        "<Task><UID>0</UID><ID>0</ID>",
        _element("Name", project.name),
        "<Type>1</Type><IsNull>0</IsNull><WBS>0</WBS><OutlineNumber>0</OutlineNumber><OutlineLevel>0</OutlineLevel>",
        _element("Start", f.datetime_text(project.start, DAY_START)),
        "<Summary>1</Summary></Task>",
    ]
    total = len(project.tasks)
    for done, task in enumerate(project.tasks, start=1):
        out.append(_task(task, project))
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, total)
    out.append("</Tasks><Resources>")
    out.extend(_resource(resource) for resource in project.resources)
    out.append("</Resources><Assignments>")
    out.extend(_assignment(assignment) for assignment in project.assignments)
    out.append("</Assignments></Project>\n")
    return "".join(out).encode("utf-8")
