"""Money-over-time line charts drawn on the server as SVG: the S-curve and the burn chart.

``render_line_chart`` takes plain series of ``(date, amount)`` points, optional horizontal
levels (the budget at completion, the approved budget) and an optional vertical marker (the
status date), and returns one self-contained ``<svg>`` with its axes: dates along the bottom,
money up the left with thousands separators. Every point carries a ``<title>`` tooltip, and so
do the levels and the marker. Colours and dashes come from ``finance.css`` through the classes
``c-<key>``; the legend is returned as data for the template to draw.

Amounts stay ``Decimal``: only pixel positions are computed from them, as whole pixels. All
text is escaped; callers pass translated labels.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape

from django.utils import dateformat, formats
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from pmo.charts import nice_ticks

WIDTH = 880
HEIGHT = 340
PAD_TOP = 28
PAD_RIGHT = 20
PAD_BOTTOM = 46
CHAR_WIDTH = 9  # a digit's width at the largest axis font size, to size the left margin
MAX_Y_TICKS = 7  # labels on the value axis, at most
MAX_YEAR_TICKS = 12  # year ticks on a date axis of many years, at most
MIN_LABEL_GAP = 44  # pixels between two date labels
_ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Series:
    """One line. ``key`` picks its colour (``c-<key>``); points are sorted by date."""

    key: str
    label: str
    points: Sequence[tuple[dt.date, Decimal]]


@dataclass(frozen=True, slots=True)
class Level:
    """A horizontal line across the whole chart, such as the budget at completion."""

    key: str
    label: str
    value: Decimal


@dataclass(frozen=True, slots=True)
class Marker:
    """A vertical line at one date, such as the status date."""

    key: str
    label: str
    day: dt.date


@dataclass(frozen=True, slots=True)
class LegendItem:
    key: str
    label: str
    shape: str  # "line", "level" or "marker"


@dataclass(frozen=True)
class LineChart:
    svg: SafeString
    start: dt.date
    end: dt.date
    legend: list[LegendItem] = field(default_factory=list)


def money_label(value: Decimal, places: int = 0) -> str:
    return str(formats.number_format(value, places, use_l10n=True, force_grouping=True))


def _months_after(day: dt.date, months: int) -> dt.date | None:
    """The first of the month ``months`` after ``day``'s month; ``None`` past the last representable year."""
    index = day.year * 12 + day.month - 1 + months
    if index // 12 > dt.MAXYEAR:
        return None
    return dt.date(index // 12, index % 12 + 1, 1)


def date_ticks(start: dt.date, end: dt.date) -> list[dt.date]:
    """Tick dates inside ``[start, end]``: Mondays for a short span, month or quarter starts, or round years.

    However long the span, there are at most ``MAX_YEAR_TICKS`` year ticks.
    """
    days = (end - start).days
    if days <= 70:
        ahead = (7 - start.weekday()) % 7
        if ahead > (dt.date.max - start).days:
            return []
        first = start + dt.timedelta(days=ahead)
        return [first + dt.timedelta(weeks=n) for n in range((end - first).days // 7 + 1)]
    if days > 1650:
        years = nice_ticks(Decimal(start.year), Decimal(end.year + 1), max_ticks=MAX_YEAR_TICKS, min_step=Decimal(1))
        whole = [int(year) for year in years if year == year.to_integral_value()]
        return [
            tick for year in whole if dt.MINYEAR <= year <= dt.MAXYEAR and start <= (tick := dt.date(year, 1, 1)) <= end
        ]
    months = 1 if days <= 550 else 3
    day: dt.date | None = start if start.day == 1 else _months_after(start, 1)
    while day is not None and (day.month - 1) % months:
        day = _months_after(day, 1)
    ticks = []
    while day is not None and day <= end:
        ticks.append(day)
        day = _months_after(day, months)
    return ticks


def _tick_label(day: dt.date, short_span: bool) -> tuple[str, str]:
    """The upper line of a date label, and the lower line (the year, when it starts or changes)."""
    if short_span:
        return str(dateformat.format(day, "m-d")), ""
    return str(dateformat.format(day, "M")), str(day.year)


def render_line_chart(
    series: Sequence[Series],
    *,
    title: str,
    currency: str,
    levels: Sequence[Level] = (),
    marker: Marker | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    axis_places: int = 0,
) -> LineChart | None:
    """Draw the series on one time axis; ``None`` when there is no point to draw.

    ``axis_places`` decimals on the value axis (0 for money, 2 for indices such as SPI).
    """
    days = [day for line in series for day, _amount in line.points]
    if marker is not None:
        days.append(marker.day)
    if not any(line.points for line in series):
        return None
    start = min([*days, *([start] if start else [])])
    end = max([*days, *([end] if end else [])])
    if end <= start:
        if start == dt.date.max:
            start = end - _ONE_DAY
        else:
            end = start + _ONE_DAY
    amounts = [amount for line in series for _day, amount in line.points] + [level.value for level in levels]
    values = nice_ticks(
        min([*amounts, Decimal(0)]),
        max([*amounts, Decimal(0)]),
        max_ticks=MAX_Y_TICKS,
        min_step=Decimal(1).scaleb(-axis_places),
    )
    floor, top = values[0], values[-1]
    labels = [money_label(value, axis_places) for value in values]
    left = max(len(label) for label in labels) * CHAR_WIDTH + 16
    plot_width = WIDTH - left - PAD_RIGHT
    plot_height = HEIGHT - PAD_TOP - PAD_BOTTOM
    span = Decimal((end - start).days)
    value_span = top - floor

    def x_of(day: dt.date) -> int:
        return left + round(plot_width * Decimal((day - start).days) / span)

    def y_of(value: Decimal) -> int:
        return PAD_TOP + plot_height - round(plot_height * (value - floor) / value_span)

    parts = [
        f'<svg class="money-chart" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>',
    ]
    # Money axis: gridlines and labels.
    grid = []
    for value, label in zip(values, labels, strict=True):
        y = y_of(value)
        grid.append(f"M{left},{y}H{left + plot_width}")
        parts.append(f'<text class="ax-y" x="{left - 8}" y="{y + 4}" text-anchor="end">{escape(label)}</text>')
    parts.append(f'<path class="ch-grid" d="{"".join(grid)}"/>')
    parts.append(f'<text class="ax-unit" x="{left - 8}" y="{PAD_TOP - 12}" text-anchor="end">{escape(currency)}</text>')
    # Date axis.
    short_span = (end - start).days <= 70
    ticks = date_ticks(start, end)
    every = 1
    while ticks and len(ticks) > 1 and plot_width * every / max(len(ticks), 1) < MIN_LABEL_GAP:
        every += 1
    axis_y = PAD_TOP + plot_height
    parts.append(f'<path class="ch-axis" d="M{left},{axis_y}H{left + plot_width}M{left},{PAD_TOP}V{axis_y}"/>')
    previous_year = None
    tick_path = []
    for index, day in enumerate(ticks):
        x = x_of(day)
        tick_path.append(f"M{x},{axis_y}v5")
        if index % every:
            continue
        upper, year = _tick_label(day, short_span)
        parts.append(f'<text class="ax-x" x="{x}" y="{axis_y + 18}" text-anchor="middle">{escape(upper)}</text>')
        if year and year != previous_year:
            parts.append(f'<text class="ax-x ax-year" x="{x}" y="{axis_y + 34}" text-anchor="middle">{year}</text>')
            previous_year = year
    if short_span and ticks:
        parts.append(
            f'<text class="ax-x ax-year" x="{x_of(ticks[0])}" y="{axis_y + 34}" text-anchor="middle">'
            f"{ticks[0].year}</text>"
        )
    if tick_path:
        parts.append(f'<path class="ch-axis" d="{"".join(tick_path)}"/>')
    # Levels, then the marker, then the lines on top.
    for level in levels:
        y = y_of(level.value)
        text = f"{level.label}: {money_label(level.value, 2)} {currency}"
        parts.append(
            f'<g class="lv c-{escape(level.key)}"><title>{escape(text)}</title>'
            f'<path d="M{left},{y}H{left + plot_width}"/>'
            f'<text x="{left + 6}" y="{y - 6}">{escape(level.label)}</text></g>'
        )
    if marker is not None and start <= marker.day <= end:
        x = x_of(marker.day)
        text = f"{marker.label}: {marker.day.isoformat()}"
        anchor = "end" if x > left + plot_width * 0.7 else "start"
        offset = -4 if anchor == "end" else 4
        parts.append(
            f'<g class="mk c-{escape(marker.key)}"><title>{escape(text)}</title>'
            f'<path d="M{x},{PAD_TOP - 6}V{axis_y}"/>'
            f'<text x="{x + offset}" y="{PAD_TOP - 10}" text-anchor="{anchor}">{escape(text)}</text></g>'
        )
    for line in series:
        if not line.points:
            continue
        key = escape(line.key)
        d = "".join(
            f"{'M' if index == 0 else 'L'}{x_of(day)},{y_of(amount)}" for index, (day, amount) in enumerate(line.points)
        )
        dots = "".join(
            f'<circle cx="{x_of(day)}" cy="{y_of(amount)}" r="3"><title>'
            f"{escape(f'{line.label} {day.isoformat()}: {money_label(amount, 2)} {currency}')}</title></circle>"
            for day, amount in line.points
        )
        parts.append(f'<g class="ln c-{key}" data-series="{key}"><path d="{d}"/>{dots}</g>')
    parts.append("</svg>")
    legend = [LegendItem(line.key, line.label, "line") for line in series if line.points]
    legend += [LegendItem(level.key, level.label, "level") for level in levels]
    if marker is not None:
        legend.append(LegendItem(marker.key, marker.label, "marker"))
    return LineChart(
        svg=mark_safe("".join(parts)),  # noqa: S308  (every piece of text is escaped above)
        start=start,
        end=end,
        legend=legend,
    )


def cumulative(amounts: Sequence[tuple[dt.date, Decimal]]) -> list[tuple[dt.date, Decimal]]:
    """Running totals of ``(date, amount)`` pairs sorted by date, one point per date."""
    points: list[tuple[dt.date, Decimal]] = []
    total = Decimal(0)
    for day, amount in sorted(amounts):
        total += amount
        if points and points[-1][0] == day:
            points[-1] = (day, total)
        else:
            points.append((day, total))
    return points


def s_curve(
    *,
    pv: Sequence[tuple[dt.date, Decimal]],
    ev: Sequence[tuple[dt.date, Decimal]],
    ac: Sequence[tuple[dt.date, Decimal]],
    bac: Decimal,
    status_date: dt.date,
    currency: str,
) -> LineChart | None:
    """Planned value, earned value and actual cost to date, with the budget at completion and the status date."""
    return render_line_chart(
        [
            Series("pv", _("Planned value (PV)"), pv),
            Series("ev", _("Earned value (EV)"), ev),
            Series("ac", _("Actual cost (AC)"), ac),
        ],
        title=_("S-curve: planned value, earned value and actual cost over time"),
        currency=currency,
        levels=[Level("bac", _("Budget at completion (BAC)"), bac)],
        marker=Marker("status", _("Status date"), status_date),
    )


def burn_chart(
    *,
    actual: Sequence[tuple[dt.date, Decimal]],
    budget: Decimal | None,
    pv: Sequence[tuple[dt.date, Decimal]] = (),
    today: dt.date,
    currency: str,
) -> LineChart | None:
    """Cumulative actual cost against the approved budget, and planned value when there is a baseline."""
    series = [Series("ac", _("Actual cost, cumulative"), actual)]
    if pv:
        series.insert(0, Series("pv", _("Planned value (PV)"), pv))
    levels = [Level("budget", _("Approved budget"), budget)] if budget is not None else []
    return render_line_chart(
        series,
        title=_("Burn chart: cumulative actual cost against the approved budget"),
        currency=currency,
        levels=levels,
        marker=Marker("status", _("Today"), today),
    )


def index_trend(points: Sequence[tuple[dt.date, Decimal | None, Decimal | None]]) -> LineChart | None:
    """SPI and CPI of the daily snapshots over time, against the target of 1.00; None before two days."""
    if len({day for day, _spi, _cpi in points}) < 2:
        return None
    spi = [(day, value) for day, value, _cpi in points if value is not None]
    cpi = [(day, value) for day, _spi, value in points if value is not None]
    return render_line_chart(
        [
            Series("ev", _("Schedule performance index (SPI)"), spi),
            Series("ac", _("Cost performance index (CPI)"), cpi),
        ],
        title=_("Trend of SPI and CPI from the daily variance runs"),
        currency="",
        levels=[Level("bac", _("On plan"), Decimal(1))],
        axis_places=2,
    )
