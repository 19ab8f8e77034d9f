"""The Monte Carlo page's charts, drawn on the server as SVG: histogram with S-curve, and the tornado.

Each function takes a run's stored results (``risks.analysis_results``) and returns one
self-contained ``<svg>`` that scales to its container's width (``viewBox``, width 100 %): bars of
how many iterations fall in each bin, the cumulative share (the S-curve) on a 0-100 % axis on the
right, and vertical markers (P50, the confidence level, the baseline finish or the budget). Axes
take their ticks from ``pmo.charts.nice_ticks``. Colours are presentation attributes, so the
charts need no style sheet; every text is escaped and every bar and point has a ``<title>``.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from finance.charts import money_label
from pmo.charts import nice_ticks

WIDTH = 640
HEIGHT = 300
PAD_LEFT = 52
PAD_RIGHT = 48
PAD_TOP = 30
PAD_BOTTOM = 44
FONT = 13
BAR = "#9db7e0"
LINE = "#1f4e9c"
GRID = "#e7eaf0"
AXIS = "#8a94a6"
TEXT = "#5b6577"
MARKER_COLOURS = {"p50": "#2e7d32", "confident": "#b45309", "target": "#b91c1c"}
SVG_STYLE = "display:block;width:100%;height:auto;max-width:760px;font-family:inherit"


@dataclass(frozen=True, slots=True)
class Marker:
    key: str  # p50, confident, target
    label: str
    position: Any  # a date or a Decimal, on the chart's x axis


def _svg_open(title: str, height: int) -> str:
    return (
        f'<svg class="mc-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'style="{SVG_STYLE}" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    )


def _text(x: float, y: float, text: str, anchor: str = "middle", colour: str = TEXT, weight: str = "400") -> str:
    return (
        f'<text x="{x:.0f}" y="{y:.0f}" text-anchor="{anchor}" font-size="{FONT}" fill="{colour}" '
        f'font-weight="{weight}">{escape(text)}</text>'
    )


def _distribution_chart(
    *,
    title: str,
    bars: Sequence[tuple[float, float, int, str]],
    curve: Sequence[tuple[float, float, str]],
    x_ticks: Sequence[tuple[float, str]],
    markers: Sequence[tuple[str, float, str]],
    low: float,
    high: float,
    unit: str,
) -> SafeString:
    """Bars (x0, x1, count, tooltip), an S-curve (x, share, tooltip), ticks and markers over [low, high]."""
    plot_width = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_height = HEIGHT - PAD_TOP - PAD_BOTTOM
    span = (high - low) or 1.0
    most = max((count for _x0, _x1, count, _tip in bars), default=1)
    counts = nice_ticks(Decimal(0), Decimal(max(most, 1)), max_ticks=5, min_step=Decimal(1))
    top = float(counts[-1])

    def x_of(value: float) -> float:
        return PAD_LEFT + plot_width * (value - low) / span

    def y_count(count: float) -> float:
        return PAD_TOP + plot_height - plot_height * count / top

    def y_share(share: float) -> float:
        return PAD_TOP + plot_height - plot_height * share

    axis_y = PAD_TOP + plot_height
    parts = [_svg_open(title, HEIGHT)]
    grid = "".join(f"M{PAD_LEFT},{y_count(float(c)):.1f}H{PAD_LEFT + plot_width}" for c in counts)
    parts.append(f'<path d="{grid}" stroke="{GRID}" fill="none"/>')
    for tick in counts:
        parts.append(_text(PAD_LEFT - 6, y_count(float(tick)) + 4, money_label(tick), "end"))
    for share in (0, 0.25, 0.5, 0.75, 1):
        parts.append(_text(PAD_LEFT + plot_width + 6, y_share(share) + 4, f"{share:.0%}", "start", LINE))
    parts.append(_text(4, PAD_TOP - 16, _("Iterations"), "start", TEXT, "600"))
    parts.append(_text(WIDTH - 4, PAD_TOP - 16, _("Cumulative"), "end", LINE, "600"))
    for x0, x1, count, tip in bars:
        left, right = x_of(x0), x_of(x1)
        y = y_count(count)
        parts.append(
            f'<rect x="{left + 0.5:.1f}" y="{y:.1f}" width="{max(right - left - 1, 1):.1f}" '
            f'height="{axis_y - y:.1f}" fill="{BAR}"><title>{escape(tip)}</title></rect>'
        )
    parts.append(
        f'<path d="M{PAD_LEFT},{PAD_TOP}V{axis_y}H{PAD_LEFT + plot_width}V{PAD_TOP}" stroke="{AXIS}" fill="none"/>'
    )
    for x, label in x_ticks:
        position = x_of(x)
        parts.append(f'<path d="M{position:.1f},{axis_y}v5" stroke="{AXIS}"/>')
        parts.append(_text(position, axis_y + 19, label))
    if unit:
        parts.append(_text(PAD_LEFT + plot_width, axis_y + 37, unit, "end", TEXT, "600"))
    if curve:
        path = "".join(
            f"{'M' if i == 0 else 'L'}{x_of(x):.1f},{y_share(share):.1f}" for i, (x, share, _tip) in enumerate(curve)
        )
        parts.append(f'<path d="{path}" stroke="{LINE}" stroke-width="2" fill="none"/>')
        step = max(1, len(curve) // 40)
        for x, share, tip in curve[::step]:
            parts.append(
                f'<circle cx="{x_of(x):.1f}" cy="{y_share(share):.1f}" r="2.5" fill="{LINE}">'
                f"<title>{escape(tip)}</title></circle>"
            )
    for index, (key, x, label) in enumerate(markers):
        if not low <= x <= high:
            continue
        position = x_of(x)
        colour = MARKER_COLOURS.get(key, TEXT)
        anchor = "end" if position > PAD_LEFT + plot_width * 0.6 else "start"
        offset = -4 if anchor == "end" else 4
        parts.append(
            f'<g><title>{escape(label)}</title><path d="M{position:.1f},{PAD_TOP - 2}V{axis_y}" stroke="{colour}" '
            f'stroke-width="2" stroke-dasharray="5 3"/>'
            f"{_text(position + offset, PAD_TOP + 12 + 17 * index, label, anchor, colour, '600')}</g>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every text is escaped above)


def _ordinal(day: dt.date) -> float:
    return float(day.toordinal())


def finish_chart(finish: dict[str, Any], markers: Sequence[Marker], *, title: str) -> SafeString:
    """Histogram of the finish dates (one bar per bin of working days) with the S-curve and markers."""
    bins = finish["histogram"]
    first = dt.date.fromisoformat(bins[0]["start"])
    last = dt.date.fromisoformat(bins[-1]["end"]) + dt.timedelta(days=1)
    bars = []
    # A bin of working days runs to the next bin's first day: days off between them are no gap.
    starts = [dt.date.fromisoformat(bin_["start"]) for bin_ in bins]
    for index, bin_ in enumerate(bins):
        start, end = starts[index], dt.date.fromisoformat(bin_["end"])
        tip = _("%(start)s to %(end)s: %(count)s iterations") % {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "count": bin_["count"],
        }
        following = starts[index + 1] if index + 1 < len(bins) else end + dt.timedelta(days=1)
        bars.append((_ordinal(start), _ordinal(following), bin_["count"], tip))
    curve = [
        (
            _ordinal(dt.date.fromisoformat(point["date"])) + 1,
            float(point["probability"]),
            _("%(share)s finished by %(date)s") % {"share": f"{point['probability']:.0%}", "date": point["date"]},
        )
        for point in finish["s_curve"]
    ]
    low, high = _ordinal(first), _ordinal(last)
    count = 4
    ticks = [low + (high - low) * i / (count - 1) for i in range(count)]
    x_ticks = [(tick, dt.date.fromordinal(int(tick)).isoformat()) for tick in ticks]
    marks = [(marker.key, _ordinal(marker.position) + 1, marker.label) for marker in markers]
    return _distribution_chart(
        title=title, bars=bars, curve=curve, x_ticks=x_ticks, markers=marks, low=low, high=high, unit=""
    )


def cost_chart(cost: dict[str, Any], markers: Sequence[Marker], *, title: str, currency: str) -> SafeString:
    """Histogram of the costs with the S-curve and markers, on a money axis with round ticks."""
    bins = cost["histogram"]
    low_value, high_value = Decimal(bins[0]["low"]), Decimal(bins[-1]["high"])
    for marker in markers:
        low_value, high_value = min(low_value, marker.position), max(high_value, marker.position)
    ticks = nice_ticks(low_value, high_value, max_ticks=5)
    low, high = float(ticks[0]), float(ticks[-1])
    bars = []
    for bin_ in bins:
        tip = _("%(low)s to %(high)s: %(count)s iterations") % {
            "low": money_label(Decimal(bin_["low"])),
            "high": money_label(Decimal(bin_["high"])),
            "count": bin_["count"],
        }
        bars.append((float(bin_["low"]), float(bin_["high"]), bin_["count"], tip))
    if len(bars) == 1 and bars[0][0] == bars[0][1]:
        width = (high - low) / 60 or 1
        bars = [(bars[0][0] - width / 2, bars[0][0] + width / 2, bars[0][2], bars[0][3])]
    curve = [
        (
            float(point["value"]),
            float(point["probability"]),
            _("%(share)s cost at most %(value)s")
            % {"share": f"{point['probability']:.0%}", "value": money_label(Decimal(point["value"]))},
        )
        for point in cost["s_curve"]
    ]
    x_ticks = [(float(tick), _short_money(tick)) for tick in ticks]
    marks = [(marker.key, float(marker.position), marker.label) for marker in markers]
    return _distribution_chart(
        title=title, bars=bars, curve=curve, x_ticks=x_ticks, markers=marks, low=low, high=high, unit=currency
    )


def _short_money(value: Decimal) -> str:
    """A tick label: 1.2M, 350k, 900."""
    magnitude = abs(value)
    if magnitude >= 1_000_000:
        return f"{value / 1_000_000:.4g}M"
    if magnitude >= 10_000:
        return f"{value / 1000:.4g}k"
    return money_label(value)


ROW = 26
TORNADO_LABEL = 250
LABEL_ROOM = TORNADO_LABEL - 12  # the label ends 8 px left of the bars; keep 4 px clear of the frame


def _text_width(text: str) -> float:
    """The width a text takes at FONT: a Chinese (wide) character about one em, any other about 0.6 em."""
    return sum(FONT if unicodedata.east_asian_width(char) in "WF" else FONT * 0.6 for char in text)


def _fit(text: str, room: float) -> str:
    """The text, cut with an ellipsis so that it fits in room pixels (mixed Chinese and English names)."""
    if _text_width(text) <= room:
        return text
    while text and _text_width(text + "…") > room:
        text = text[:-1]
    return text.rstrip() + "…"


def tornado_chart(bars: Sequence[dict[str, Any]], *, title: str, kind_label: Callable[[str], str]) -> SafeString:
    """Horizontal bars of correlation with the finish, -1 to 1, the strongest driver on top."""
    height = PAD_TOP + ROW * len(bars) + 34
    centre = TORNADO_LABEL + (WIDTH - TORNADO_LABEL - 20) / 2
    half = (WIDTH - TORNADO_LABEL - 20) / 2
    parts = [_svg_open(title, height)]
    bottom = PAD_TOP + ROW * len(bars)
    for value in (-1, -0.5, 0, 0.5, 1):
        x = centre + half * value
        parts.append(f'<path d="M{x:.1f},{PAD_TOP - 6}V{bottom}" stroke="{AXIS if value == 0 else GRID}"/>')
        parts.append(_text(x, bottom + 18, f"{value:g}"))
    parts.append(_text(centre + half, PAD_TOP - 12, _("later finish →"), "end", MARKER_COLOURS["target"]))
    parts.append(_text(centre - half, PAD_TOP - 12, _("← earlier finish"), "start", MARKER_COLOURS["p50"]))
    for index, bar in enumerate(bars):
        y = PAD_TOP + ROW * index
        coefficient = float(bar["coefficient"])
        label = _fit(bar["label"], LABEL_ROOM)
        colour = "#e08a80" if coefficient > 0 else "#86c49a"
        left = centre + min(0.0, half * coefficient)
        tip = f"{kind_label(bar['kind'])} {bar['label']}: {coefficient:+.2f}"
        value_x = centre + half * coefficient + (4 if coefficient >= 0 else -4)
        value_text = _text(value_x, y + ROW / 2 + 5, f"{coefficient:+.2f}", "start" if coefficient >= 0 else "end")
        parts.append(
            f"<g><title>{escape(tip)}</title>"
            f'<rect x="{left:.1f}" y="{y + 4}" width="{abs(half * coefficient):.1f}" height="{ROW - 8}" '
            f'fill="{colour}"/>'
            f"{_text(TORNADO_LABEL - 8, y + ROW / 2 + 5, label, 'end', '#1f2937')}{value_text}</g>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every text is escaped above)
