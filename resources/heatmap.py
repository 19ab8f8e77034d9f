"""The resource x week utilisation heat map, drawn as SVG on the server (no script).

Two pictures of the same rows: ``render_names`` (the resources, each a link to its utilisation)
stays put at the left while ``render_grid`` (a cell a week, each a link to the assignments behind
it) scrolls sideways inside its container, so the names stay in view on a phone. A cell's fill is
its utilisation band (``resources.selectors.band``); an over-allocated week (load strictly greater
than capacity, or a day of it) is red, framed and marked with a corner, so that it does not rest on
colour alone; a week of unknown capacity is hatched grey with a question mark, never shown as zero.
Every text is escaped; every cell carries a title for screen readers and hover.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import dateformat
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from resources.capacity import WeekFigures
from resources.selectors import ResourceRow, UtilisationGrid, band

CELL_WIDTH = 40
ROW_HEIGHT = 30
HEADER = 40
NAMES_WIDTH = 136
GAP = 2

#: Fill, text colour of each band (presentation attributes: the SVG needs no stylesheet).
BAND_FILL = {
    "unknown": "url(#util-unknown)",
    "none": "#eceff3",
    "low": "#dde9f7",
    "medium": "#c4e6cd",
    "high": "#8fd1a2",
    "full": "#f3d36b",
    "over": "#c9302c",
}
BAND_TEXT = {
    "unknown": "#3a4452",
    "none": "#566173",
    "low": "#1f3b63",
    "medium": "#1e4d2b",
    "high": "#123d20",
    "full": "#5c4300",
    "over": "#ffffff",
}


def band_label(key: str) -> str:
    return {
        "unknown": _("Capacity unknown (no calendar)"),
        "none": _("No working day"),
        "low": _("Under 50%"),
        "medium": _("50 to 80%"),
        "high": _("80 to under 100%"),
        "full": _("Fully booked (100%)"),
        "over": _("Over-allocated"),
    }[key]


@dataclass(frozen=True)
class LegendItem:
    key: str
    label: str


def legend() -> list[LegendItem]:
    return [LegendItem(key, band_label(key)) for key in ("low", "medium", "high", "full", "over", "none", "unknown")]


def _hours(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def cell_text(figures: WeekFigures) -> str:
    """What a cell shows: the utilisation in per cent (nothing without load), ? when unknown, - for a week
    without capacity (! when it has load)."""
    if figures.capacity is None:
        return "?"
    utilisation = figures.utilisation
    if utilisation is None:
        return "!" if figures.load else "-"
    if not figures.load:
        return ""
    return f"{utilisation:.0f}"


def cell_title(row: ResourceRow, figures: WeekFigures) -> str:
    week = figures.week_start.isoformat()
    who = f"{row.code} {row.name}"
    if figures.capacity is None:
        return _("%(resource)s, week of %(week)s: %(load)s h of load, capacity unknown") % {
            "resource": who,
            "week": week,
            "load": _hours(figures.load),
        }
    text = _("%(resource)s, week of %(week)s: %(load)s h of %(capacity)s h") % {
        "resource": who,
        "week": week,
        "load": _hours(figures.load),
        "capacity": _hours(figures.capacity),
    }
    if figures.utilisation is not None:
        text += f" ({figures.utilisation:.0f}%)"
    if figures.over_allocated:
        text += ", " + _("over-allocated on %(days)s days") % {"days": figures.over_allocated_days}
    return text


def _header(grid: UtilisationGrid) -> list[str]:
    parts = []
    previous_month = 0
    for number, monday in enumerate(grid.weeks):
        x = number * CELL_WIDTH + CELL_WIDTH // 2
        if monday.month != previous_month:
            parts.append(
                f'<text x="{number * CELL_WIDTH + 2}" y="15" font-size="11" font-weight="600" fill="#1c2430">'
                f"{escape(dateformat.format(monday, 'M'))}</text>"
            )
            previous_month = monday.month
        parts.append(
            f'<text x="{x}" y="{HEADER - 8}" text-anchor="middle" font-size="11" fill="#566173">{monday.day}</text>'
        )
    return parts


def render_grid(grid: UtilisationGrid, *, href: Callable[[int, dt.date], str], label: str = "") -> SafeString:
    """The cells: a row a resource, a column a week from ``grid.start``; each links to ``href(resource, week)``."""
    width = len(grid.weeks) * CELL_WIDTH
    height = HEADER + len(grid.rows) * ROW_HEIGHT
    name = label or _("Utilisation of %(count)s resources over %(weeks)s weeks from %(start)s") % {
        "count": len(grid.rows),
        "weeks": len(grid.weeks),
        "start": grid.start.isoformat(),
    }
    parts = [
        f'<svg class="util-grid" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="group" aria-label="{escape(name)}" font-family="inherit">',
        '<defs><pattern id="util-unknown" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#e4e7ec"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#a9b1bd" stroke-width="2"/></pattern></defs>',
        *_header(grid),
    ]
    inner_w, inner_h = CELL_WIDTH - GAP, ROW_HEIGHT - GAP
    for index, row in enumerate(grid.rows):
        y = HEADER + index * ROW_HEIGHT
        for number, figures in enumerate(row.weeks):
            key = band(figures)
            x = number * CELL_WIDTH
            title = escape(cell_title(row, figures))
            cell = [
                f'<rect x="{x + 1}" y="{y + 1}" width="{inner_w}" height="{inner_h}" rx="3" fill="{BAND_FILL[key]}"'
                + (' stroke="#6e1411" stroke-width="2"' if key == "over" else "")
                + "/>"
            ]
            if key == "over":
                corner = x + 1 + inner_w
                cell.append(f'<path d="M{corner - 9} {y + 1} L{corner} {y + 1} L{corner} {y + 10} Z" fill="#6e1411"/>')
            weight = ' font-weight="700"' if key == "over" else ""
            cell.append(
                f'<text x="{x + CELL_WIDTH // 2}" y="{y + ROW_HEIGHT // 2 + 4}" text-anchor="middle" font-size="11"'
                f'{weight} fill="{BAND_TEXT[key]}">{escape(cell_text(figures))}</text>'
            )
            link = escape(href(row.id, figures.week_start))
            parts.append(
                f'<a href="{link}" aria-label="{title}" class="util-cell util-{key}" '
                f'data-cell="{row.id}-{figures.week_start.isoformat()}"><title>{title}</title>{"".join(cell)}</a>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every piece of text is escaped above)


def render_names(grid: UtilisationGrid, *, href: Callable[[int], str]) -> SafeString:
    """The resources of the rows, each a link to its utilisation, aligned with ``render_grid``'s rows."""
    height = HEADER + len(grid.rows) * ROW_HEIGHT
    name = escape(_("Resources"))
    heading = escape(pgettext("heat map column", "Resource / week of"))
    parts = [
        f'<svg class="util-names" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {NAMES_WIDTH} {height}" '
        f'width="{NAMES_WIDTH}" height="{height}" role="group" aria-label="{name}" font-family="inherit">',
        f'<text x="4" y="{HEADER - 8}" font-size="11" font-weight="600" fill="#566173">{heading}</text>',
    ]
    for index, row in enumerate(grid.rows):
        y = HEADER + index * ROW_HEIGHT
        code, name = escape(row.code), escape(_shorten(row.name, 12))
        parts.append(
            f'<a href="{escape(href(row.id))}" data-resource="{row.id}"><title>{escape(row.code)} {escape(row.name)}'
            f"</title>"
            f'<rect x="0" y="{y + 1}" width="{NAMES_WIDTH}" height="{ROW_HEIGHT - GAP}" fill="#ffffff"/>'
            f'<text x="4" y="{y + ROW_HEIGHT // 2 + 4}" font-size="12" fill="#1f4e8c">'
            f'<tspan font-weight="600">{code}</tspan> {name}</text></a>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every piece of text is escaped above)


def _shorten(text: str, most: int) -> str:
    """``text`` cut to about ``most`` narrow characters, a wide (CJK) one counting as two."""
    used = 0
    for index, char in enumerate(text):
        used += 2 if unicodedata.east_asian_width(char) in {"W", "F"} else 1
        if used > most:
            return text[:index].rstrip() + "…"
    return text
