"""The Gantt chart, drawn on the server as SVG: no script, no library, one pass over the rows.

``render_gantt`` takes plain rows (``GanttItem``) and links (``GanttLink``) and returns the
markup of the left column (indented names, as an HTML list so that the browser truncates
them) and of the two SVG pictures (the time axis and the bars). Every row is ``ROW_HEIGHT``
pixels tall in both columns, so names and bars line up.

What is drawn, and how compactly (a 2,000-task plan stays about a megabyte):

- one ``<g>`` per task with its ``<title>`` tooltip, the bar, the progress fill inside it and
  the current baseline as a thin bar below it; milestones are diamonds and summaries
  brackets; critical work is red;
- one ``<path>`` per dependency, leaving the predecessor's finish (FS, FF) or start (SS, SF)
  and reaching the successor's start (FS, SS) or finish (FF, SF);
- the grid, the row stripes and the non-working days are one ``<path>`` each; days are drawn
  one by one only in the week zoom.

All user text is escaped. ``plan_items`` turns model rows into ``GanttItem`` without a query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from html import escape
from typing import TYPE_CHECKING, Any

from django.utils import dateformat
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pmo.charts import nice_ticks

if TYPE_CHECKING:
    from projects.models import BaselineTask, WbsElement

ROW_HEIGHT = 24
AXIS_HEIGHT = 40
ARROW_STUB = 6
BAR_MIDDLE = 10  # from the top of a row to the middle of its bar, where arrows attach
MILESTONE_HALF = 6
_ONE_DAY = dt.timedelta(days=1)


class Zoom(StrEnum):
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


ZOOM_LABELS = {
    Zoom.WEEK: gettext_lazy("Weeks"),
    Zoom.MONTH: gettext_lazy("Months"),
    Zoom.QUARTER: gettext_lazy("Quarters"),
    Zoom.YEAR: gettext_lazy("Years"),
}
# Pixels per calendar day; the year zoom shrinks further so that any plan fits in MAX_WIDTH.
SCALE = {Zoom.WEEK: 22.0, Zoom.MONTH: 4.8, Zoom.QUARTER: 1.6, Zoom.YEAR: 0.25}
# The widest chart drawn: a zoom that would be wider gives way to the next coarser one.
MAX_WIDTH = 40_000
# Labelled year ticks are at least this many pixels apart in the year zoom.
YEAR_TICK_GAP = 100


@dataclass(frozen=True, slots=True)
class GanttItem:
    id: int
    code: str
    name: str
    kind: str  # "summary", "task" or "milestone"
    start: dt.date | None
    finish: dt.date | None
    percent_complete: Decimal | float = 0
    is_critical: bool = False
    total_float: int | None = None
    baseline_start: dt.date | None = None
    baseline_finish: dt.date | None = None

    @property
    def depth(self) -> int:
        return self.code.count(".")


@dataclass(frozen=True, slots=True)
class GanttLink:
    predecessor_id: int
    successor_id: int
    type: str = "FS"
    lag: int = 0


@dataclass(frozen=True)
class GanttChart:
    zoom: Zoom
    start: dt.date
    finish: dt.date
    width: int
    height: int
    rows: int
    labels_html: SafeString
    axis_svg: SafeString
    body_svg: SafeString
    today_in_range: bool


def choose_zoom(start: dt.date, finish: dt.date) -> Zoom:
    """A zoom that keeps a plan of this span readable without a very wide page."""
    days = (finish - start).days
    if days <= 120:
        return Zoom.WEEK
    if days <= 800:
        return Zoom.MONTH
    if days * SCALE[Zoom.QUARTER] <= MAX_WIDTH:
        return Zoom.QUARTER
    return Zoom.YEAR


def _fitting_zoom(items: Sequence[GanttItem], zoom: Zoom) -> tuple[Zoom, dt.date, dt.date]:
    """``zoom``, or the first coarser one whose chart is at most ``MAX_WIDTH`` wide, with its range."""
    zooms = list(Zoom)
    for candidate in zooms[zooms.index(zoom) :]:
        start, end = chart_range(items, candidate)  # type: ignore[misc]
        if candidate == Zoom.YEAR or (end - start).days * SCALE[candidate] <= MAX_WIDTH:
            return candidate, start, end
    raise AssertionError("the year zoom always fits")  # pragma: no cover


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _add_months(day: dt.date, months: int) -> dt.date:
    """The first of the month ``months`` later; the last representable day past year 9999."""
    index = day.year * 12 + day.month - 1 + months
    if index // 12 > dt.MAXYEAR:
        return dt.date.max
    return dt.date(index // 12, index % 12 + 1, 1)


def _add_days(day: dt.date, days: int) -> dt.date:
    return dt.date.max if days > (dt.date.max - day).days else day + dt.timedelta(days=days)


def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def chart_range(items: Iterable[GanttItem], zoom: Zoom) -> tuple[dt.date, dt.date] | None:
    """The first and the day after the last day shown, padded to whole units of the zoom."""
    days = [
        day
        for item in items
        for day in (item.start, item.finish, item.baseline_start, item.baseline_finish)
        if day is not None
    ]
    if not days:
        return None
    first, last = min(days), _add_days(max(days), 1)
    if zoom == Zoom.WEEK:
        start = first - dt.timedelta(days=min(first.weekday(), (first - dt.date.min).days))
        end = _add_days(last, (7 - last.weekday()) % 7 + 7)
    elif zoom == Zoom.MONTH:
        start, end = _month_start(first), _add_months(_month_start(last), 2)
    elif zoom == Zoom.QUARTER:
        start, end = _quarter_start(first), _add_months(_quarter_start(last), 3)
    else:
        start, end = first.replace(month=1, day=1), _add_months(last.replace(month=1, day=1), 12)
    return start, end


def render_gantt(
    items: Sequence[GanttItem],
    links: Iterable[GanttLink] = (),
    *,
    zoom: Zoom | None = None,
    today: dt.date | None = None,
    is_working_day: Callable[[dt.date], bool] | None = None,
    row_href: Callable[[GanttItem], str] | None = None,
) -> GanttChart | None:
    """Draw ``items`` in their order (one row each); ``None`` when nothing has dates yet."""
    bounds = chart_range(items, Zoom.MONTH)
    if bounds is None:
        return None
    zoom, start, end = _fitting_zoom(items, zoom or choose_zoom(*bounds))
    scale = min(SCALE[zoom], MAX_WIDTH / max((end - start).days, 1))
    origin = start.toordinal()
    width = round((end - start).days * scale)
    height = len(items) * ROW_HEIGHT

    def x_of(day: dt.date) -> int:
        return round((day.toordinal() - origin) * scale)

    texts = _Texts()
    body: list[str] = [
        f'<svg class="gantt-svg" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(texts.chart)}">',
        _DEFS,
        _stripes(len(items), width),
    ]
    if zoom == Zoom.WEEK:
        body.append(_off_days(start, end, x_of, height, is_working_day or _weekday))
    body.append(f'<path class="g-grid" d="{_grid_path(start, end, zoom, x_of, width, height)}"/>')
    today_in_range = today is not None and start <= today < end
    if today_in_range:
        assert today is not None
        x = x_of(today)
        body.append(f'<path class="g-today" d="M{x},0V{height}"><title>{escape(texts.today)} {today}</title></path>')

    anchors: dict[int, tuple[int, int, int, bool]] = {}
    bars: list[str] = []
    for index, item in enumerate(items):
        top = index * ROW_HEIGHT
        drawn = _bar(item, top, x_of, texts)
        if drawn is None:
            continue
        markup, left, right = drawn
        bars.append(markup)
        anchors[item.id] = (left, right, top + BAR_MIDDLE, item.is_critical)
    for link in links:
        if link.predecessor_id in anchors and link.successor_id in anchors:
            body.append(_arrow(link, anchors[link.predecessor_id], anchors[link.successor_id]))
    body.extend(bars)
    body.append("</svg>")

    labels = [f'<div class="gantt-corner">{escape(texts.task)}</div><ol class="gantt-labels">']
    for item in items:
        classes = f"d{min(item.depth, 8)}"
        if item.kind == "summary":
            classes += " s"
        if item.is_critical:
            classes += " c"
        name = escape(item.name)
        code = escape(item.code)
        text = f'<span class="gl-code">{code}</span> {name}'
        if row_href is not None:
            text = f'<a href="{escape(row_href(item))}">{text}</a>'
        labels.append(f'<li class="{classes}" title="{code} {name}">{text}</li>')
    labels.append("</ol>")

    return GanttChart(
        zoom=zoom,
        start=start,
        finish=end - _ONE_DAY,
        width=width,
        height=height,
        rows=len(items),
        labels_html=mark_safe("".join(labels)),  # noqa: S308  (every piece of user text is escaped above)
        axis_svg=mark_safe(_axis(start, end, zoom, x_of, width, today if today_in_range else None)),  # noqa: S308
        body_svg=mark_safe("".join(body)),  # noqa: S308
        today_in_range=today_in_range,
    )


# Arrowheads for the dependency paths. Each path names its marker in an attribute, so that
# ``url(#…)`` names this document (in the style sheet it would name the sheet) and the chart
# needs no style element, which the Content-Security-Policy refuses.
_DEFS = (
    '<defs><marker id="ga" viewBox="0 0 8 8" refX="7.5" refY="4" markerWidth="7" markerHeight="7" '
    'markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0L8,4L0,8z" fill="#7a8699"/></marker>'
    '<marker id="gac" viewBox="0 0 8 8" refX="7.5" refY="4" markerWidth="7" markerHeight="7" '
    'markerUnits="userSpaceOnUse" orient="auto"><path d="M0,0L8,4L0,8z" fill="#b3261e"/></marker></defs>'
)


class _Texts:
    """The translated words of the chart, looked up once per drawing."""

    def __init__(self) -> None:
        self.chart = _("Gantt chart")
        self.task = _("Task")
        self.today = _("Today")
        self.baseline = _("Baseline")
        self.complete = _("complete")
        self.float = _("total float")
        self.days = _("working days")
        self.critical = _("critical")
        self.milestone = _("milestone")


def _weekday(day: dt.date) -> bool:
    return day.weekday() < 5


def _pct(value: Decimal | float) -> str:
    return f"{float(value):g}"


def _tooltip(item: GanttItem, texts: _Texts) -> str:
    parts = [f"{item.code} {item.name}"]
    if item.kind == "milestone":
        parts.append(f"{item.start} ({texts.milestone})")
    else:
        parts.append(f"{item.start} → {item.finish}")
    parts.append(f"{_pct(item.percent_complete)} % {texts.complete}")
    if item.total_float is not None:
        parts.append(f"{texts.float}: {item.total_float} {texts.days}")
    if item.is_critical:
        parts.append(texts.critical)
    if item.baseline_start is not None:
        parts.append(f"{texts.baseline}: {item.baseline_start} → {item.baseline_finish}")
    return escape("\n".join(parts))


def _bar(item: GanttItem, top: int, x_of: Callable[[dt.date], int], texts: _Texts) -> tuple[str, int, int] | None:
    """The markup of one row's bar, with the x of its start and finish edges."""
    if item.start is None or item.finish is None:
        return None
    critical = " c" if item.is_critical else ""
    pct = float(item.percent_complete)
    head = (
        f'<g id="t{item.id}" class="g-{item.kind}{critical}" data-pct="{pct:g}"><title>{_tooltip(item, texts)}</title>'
    )
    baseline = ""
    if item.baseline_start is not None and item.baseline_finish is not None:
        bx = x_of(item.baseline_start)
        if item.kind == "milestone":
            baseline = f'<path class="g-base" d="M{bx},{top + 15}l4,4l-4,4l-4,-4z"/>'
        else:
            bw = max(x_of(item.baseline_finish + _ONE_DAY) - bx, 2)
            baseline = f'<rect class="g-base" x="{bx}" y="{top + 18}" width="{bw}" height="4"/>'
    if item.kind == "milestone":
        x = x_of(item.start)
        y = top + 10
        h = MILESTONE_HALF
        done = " done" if pct >= 100 else ""
        shape = f'<path class="g-ms{done}" d="M{x},{y - h}l{h},{h}l-{h},{h}l-{h},-{h}z"/>'
        return f"{head}{shape}{baseline}</g>", x - h, x + h
    left = x_of(item.start)
    right = max(x_of(item.finish + _ONE_DAY), left + 2)
    width = right - left
    fill = round(width * min(max(pct, 0.0), 100.0) / 100)
    if item.kind == "summary":
        y = top + 5
        shape = (
            f'<path class="g-sum" d="M{left},{y}H{right}V{y + 10}l-5,-4H{left + 5}l-5,4z"/>'
            f'<rect class="g-pf" x="{left}" y="{y}" width="{fill}" height="3"/>'
        )
    else:
        y = top + 4
        shape = (
            f'<rect class="g-bar" x="{left}" y="{y}" width="{width}" height="12" rx="2"/>'
            f'<rect class="g-pf" x="{left}" y="{y}" width="{fill}" height="12" rx="2"/>'
        )
    return f"{head}{shape}{baseline}</g>", left, right


def _arrow(link: GanttLink, source: tuple[int, int, int, bool], target: tuple[int, int, int, bool]) -> str:
    """One orthogonal path from the predecessor's end the link leaves to the successor's end it reaches."""
    from_finish = link.type in ("FS", "FF")
    to_finish = link.type in ("FF", "SF")
    x1 = source[1] if from_finish else source[0]
    y1 = source[2]
    x2 = target[1] if to_finish else target[0]
    y2 = target[2]
    out = ARROW_STUB if from_finish else -ARROW_STUB
    stub_x = x1 + out
    # Reaching a start, the last segment runs rightwards into it; reaching a finish, leftwards.
    approach = x2 + ARROW_STUB if to_finish else x2 - ARROW_STUB
    fits = stub_x >= approach if to_finish else stub_x <= approach
    if fits or y1 == y2:
        d = f"M{x1},{y1}H{stub_x}V{y2}H{x2}"
    else:
        # Back along the boundary of the successor's row on the predecessor's side.
        between = y2 - BAR_MIDDLE if y2 > y1 else y2 - BAR_MIDDLE + ROW_HEIGHT
        d = f"M{x1},{y1}H{stub_x}V{between}H{approach}V{y2}H{x2}"
    if source[3] and target[3]:
        return f'<path class="g-dep c" d="{d}" marker-end="url(#gac)"/>'
    return f'<path class="g-dep" d="{d}" marker-end="url(#ga)"/>'


def _stripes(count: int, width: int) -> str:
    d = "".join(f"M0,{index * ROW_HEIGHT}h{width}v{ROW_HEIGHT}h-{width}z" for index in range(1, count, 2))
    return f'<path class="g-stripe" d="{d}"/>' if d else ""


def _off_days(
    start: dt.date, end: dt.date, x_of: Callable[[dt.date], int], height: int, is_working_day: Callable[[dt.date], bool]
) -> str:
    """Non-working days (weekends and holidays) as shaded columns: one path of runs of days."""
    parts: list[str] = []
    day = start
    while day < end:
        if is_working_day(day):
            day += _ONE_DAY
            continue
        run_start = day
        while day < end and not is_working_day(day):
            day += _ONE_DAY
        x = x_of(run_start)
        parts.append(f"M{x},0h{x_of(day) - x}v{height}h{x - x_of(day)}z")
    return f'<path class="g-off" d="{"".join(parts)}"/>' if parts else ""


def _year_ticks(start: dt.date, end: dt.date, width: int) -> list[dt.date]:
    """First days of round years, a nice number of years apart and at least ``YEAR_TICK_GAP`` pixels apart."""
    most = max(width // YEAR_TICK_GAP, 3)
    years = nice_ticks(Decimal(start.year), Decimal(end.year), max_ticks=most, min_step=Decimal(1))
    whole = (int(year) for year in years if year == year.to_integral_value())
    ticks = [dt.date(year, 1, 1) for year in whole if dt.MINYEAR <= year <= dt.MAXYEAR]
    ticks = [day for day in ticks if start <= day < end]
    return ticks if ticks and ticks[0] == start else [start, *ticks]


def _ticks(start: dt.date, end: dt.date, zoom: Zoom, width: int) -> tuple[list[dt.date], list[dt.date]]:
    """The boundaries of the axis's upper units and lower units."""
    if zoom == Zoom.YEAR:
        return [start], _year_ticks(start, end, width)
    if zoom == Zoom.WEEK:
        minor = [start + dt.timedelta(days=offset) for offset in range((end - start).days)]
        major = [day for day in minor if day.weekday() == 0]
    elif zoom == Zoom.MONTH:
        minor, day = [], start
        while day < end:
            minor.append(day)
            day = _add_months(day, 1)
        major = [day for day in minor if day.month == 1] or [start]
        if major[0] != start:
            major.insert(0, start)
    else:
        minor, day = [], start
        while day < end:
            minor.append(day)
            day = _add_months(day, 3)
        major = [day for day in minor if day.month == 1]
        if not major or major[0] != start:
            major.insert(0, start)
    return major, minor


def _grid_path(
    start: dt.date, end: dt.date, zoom: Zoom, x_of: Callable[[dt.date], int], width: int, height: int
) -> str:
    """Week lines in the week zoom, year lines in the year zoom, month lines otherwise."""
    if zoom == Zoom.YEAR:
        days = _year_ticks(start, end, width)
    elif zoom == Zoom.WEEK:
        days = [start + dt.timedelta(days=offset) for offset in range(0, (end - start).days, 7)]
    else:
        days, day = [], start
        while day < end:
            days.append(day)
            day = _add_months(day, 1)
    return "".join(f"M{x_of(day)},0V{height}" for day in days)


def _axis(
    start: dt.date, end: dt.date, zoom: Zoom, x_of: Callable[[dt.date], int], width: int, today: dt.date | None
) -> str:
    major, minor = _ticks(start, end, zoom, width)
    half = AXIS_HEIGHT // 2
    parts = [
        f'<svg class="gantt-axis-svg" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{AXIS_HEIGHT}" '
        f'viewBox="0 0 {width} {AXIS_HEIGHT}" aria-hidden="true">',
        f'<path class="g-axis-line" d="M0,{half}H{width}M0,{AXIS_HEIGHT - 0.5}H{width}'
        + "".join(f"M{x_of(day)},0V{half}" for day in major)
        + "".join(f"M{x_of(day)},{half}V{AXIS_HEIGHT}" for day in minor)
        + '"/>',
    ]
    for index, day in enumerate(major):
        label = _major_label(day, zoom)
        following = major[index + 1] if index + 1 < len(major) else end
        if label and x_of(following) - x_of(day) >= 36:
            parts.append(f'<text class="g-major" x="{x_of(day) + 4}" y="{half - 6}">{escape(label)}</text>')
    for index, day in enumerate(minor):
        following = minor[index + 1] if index + 1 < len(minor) else end
        span = x_of(following) - x_of(day)
        label = _minor_label(day, zoom)
        weekend = " we" if zoom == Zoom.WEEK and day.weekday() >= 5 else ""
        if span >= 14:
            middle = x_of(day) + span // 2
            parts.append(
                f'<text class="g-minor{weekend}" x="{middle}" y="{AXIS_HEIGHT - 6}" text-anchor="middle">'
                f"{escape(label)}</text>"
            )
    if today is not None:
        x = x_of(today)
        parts.append(f'<path class="g-today-mark" d="M{x - 5},{AXIS_HEIGHT - 6}h10l-5,6z"/>')
    parts.append("</svg>")
    return "".join(parts)


def _major_label(day: dt.date, zoom: Zoom) -> str:
    if zoom == Zoom.WEEK:
        return day.isoformat()
    if zoom == Zoom.YEAR:
        return ""
    return str(day.year)


def _minor_label(day: dt.date, zoom: Zoom) -> str:
    if zoom == Zoom.WEEK:
        return str(day.day)
    if zoom == Zoom.MONTH:
        return str(dateformat.format(day, "M"))
    if zoom == Zoom.YEAR:
        return str(day.year)
    return _("Q%(quarter)d") % {"quarter": (day.month - 1) // 3 + 1}


def plan_items(elements: Sequence[WbsElement], baseline_tasks: Iterable[BaselineTask] = ()) -> list[GanttItem]:
    """Rows for the chart from WBS elements in display order and the current baseline's tasks.

    A summary's baseline bar spans the baseline dates of the tasks under it.
    """
    frozen: dict[int, tuple[dt.date, dt.date]] = {
        row.task_id: (row.start, row.finish) for row in baseline_tasks if row.task_id is not None
    }
    parents = {element.pk: element.parent_id for element in elements}
    rolled: dict[int, list[dt.date]] = {}
    for task_id, (start, finish) in frozen.items():
        parent = parents.get(task_id)
        while parent is not None:
            span = rolled.setdefault(parent, [start, finish])
            span[0], span[1] = min(span[0], start), max(span[1], finish)
            parent = parents.get(parent)
    items = []
    for element in elements:
        base: Any = frozen.get(element.pk) or rolled.get(element.pk) or (None, None)
        items.append(
            GanttItem(
                id=element.pk,
                code=element.code,
                name=element.name,
                kind=element.kind,
                start=element.planned_start,
                finish=element.planned_finish,
                percent_complete=element.percent_complete,
                is_critical=element.is_critical,
                total_float=element.total_float,
                baseline_start=base[0],
                baseline_finish=base[1],
            )
        )
    return items
