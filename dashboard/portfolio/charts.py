"""The portfolio dashboard's charts, drawn on the server as self-contained SVG.

- ``bar_chart``: one horizontal bar per item (projects by phase, by RAG), each a link to the
  list it counts;
- ``index_scatter``: SPI across, CPI up, over the red, amber and green bands, one linked dot per
  project;
- ``budget_chart``: approved budget, actual cost and forecast side by side for each project.

``DashboardLinks`` names the list each figure drills down to, and ``dashboard_charts`` draws
the page's charts from a ``dashboard.portfolio.Dashboard`` with those links.

Colours come from ``dashboard.css`` through classes; every mark carries a ``<title>`` tooltip,
and every piece of text is escaped. Callers pass translated labels. Amounts stay ``Decimal``:
only pixel positions are computed from them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from html import escape
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from dashboard.portfolio.figures import Dashboard, Filters, ProjectHealth
from dashboard.portfolio.rag import AMBER, GREEN, INDEX_AMBER_BELOW, INDEX_RED_BELOW, RED, UNKNOWN
from finance.charts import money_label
from pmo.charts import nice_ticks
from projects.models import OPEN_PHASES, Phase

FONT = 13
_TENTH = Decimal("0.1")


def _text_width(text: str, size: int = FONT) -> int:
    """A generous estimate of the rendered width: CJK characters are square, Latin ones about half."""
    return round(sum(size if ord(char) >= 0x2E80 else size * 0.6 for char in text))


def _svg(css_class: str, width: int, height: int, title: str, body: Sequence[str]) -> SafeString:
    head = (
        f'<svg class="dash-chart {css_class}" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    )
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308  (every piece of text is escaped)


def _link(href: str | None, tip: str, inner: str) -> str:
    """A mark wrapped in a link to its list, with its tooltip."""
    content = f"<title>{escape(tip)}</title>{inner}"
    if not href:
        return f"<g>{content}</g>"
    return f'<a href="{escape(href)}">{content}</a>'


# --- bars -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Bar:
    key: str  # the bar's colour: class ``b-<key>``
    label: str
    value: int
    href: str | None = None


BAR_ROW = 30
BAR_HEIGHT = 18


def bar_chart(bars: Sequence[Bar], *, title: str, width: int = 420) -> SafeString:
    """One horizontal bar per item, its count at its end; a bar of zero keeps its row and label."""
    label_width = max([_text_width(bar.label) for bar in bars] + [40]) + 12
    count_room = max(_text_width(str(bar.value)) for bar in bars) + 10 if bars else 20
    plot = max(width - label_width - count_room, 40)
    top = max([bar.value for bar in bars] + [1])
    height = len(bars) * BAR_ROW + 6
    body = []
    for index, bar in enumerate(bars):
        y = 3 + index * BAR_ROW
        length = round(plot * bar.value / top)
        middle = y + BAR_ROW // 2
        inner = (
            f'<text class="b-label" x="{label_width - 10}" y="{middle + 4}" text-anchor="end">'
            f"{escape(bar.label)}</text>"
            f'<rect class="b-track" x="{label_width}" y="{middle - BAR_HEIGHT // 2}" width="{plot}" '
            f'height="{BAR_HEIGHT}" rx="3"/>'
            f'<rect class="b-bar b-{escape(bar.key)}" x="{label_width}" y="{middle - BAR_HEIGHT // 2}" '
            f'width="{length}" height="{BAR_HEIGHT}" rx="3"/>'
            f'<text class="b-value" x="{label_width + length + 6}" y="{middle + 4}">{bar.value}</text>'
        )
        body.append(
            f'<g class="b-row" data-key="{escape(bar.key)}" data-value="{bar.value}">'
            f"{_link(bar.href, f'{bar.label}: {bar.value}', inner)}</g>"
        )
    return _svg("bar-chart", width, height, title, body)


# --- SPI x CPI ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Point:
    label: str  # the project's code, written beside its dot
    tip: str
    spi: Decimal
    cpi: Decimal
    band: str  # red, amber or green: the worse of the two indices
    href: str | None = None


SCATTER_WIDTH = 460
# At most this many dots carry their project's code beside them.
SCATTER_LABELS = 30
SCATTER_HEIGHT = 400
S_LEFT, S_RIGHT, S_TOP, S_BOTTOM = 52, 16, 16, 44


def _axis_range(values: Sequence[Decimal]) -> tuple[Decimal, Decimal]:
    """From a tenth below the lowest index (at most 0.6) to a tenth above the highest (at least 1.2), within 0 to 2."""
    low = min([*values, Decimal("0.6")])
    high = max([*values, Decimal("1.2")])
    low = max((low / _TENTH).to_integral_value(rounding=ROUND_FLOOR) * _TENTH, Decimal(0))
    high = min((high / _TENTH).to_integral_value(rounding=ROUND_CEILING) * _TENTH, Decimal(2))
    return low, high


def index_scatter(points: Sequence[Point], *, title: str, x_label: str, y_label: str) -> SafeString:
    """SPI across, CPI up, the bands behind: red below 0.90 on either, amber below 0.95, green above both."""
    low, high = _axis_range([value for point in points for value in (point.spi, point.cpi)])
    marks = nice_ticks(low, high, max_ticks=11, min_step=_TENTH)
    low, high = marks[0], marks[-1]
    span = high - low
    plot_w = SCATTER_WIDTH - S_LEFT - S_RIGHT
    plot_h = SCATTER_HEIGHT - S_TOP - S_BOTTOM

    def x_of(value: Decimal) -> int:
        value = min(max(value, low), high)
        return S_LEFT + round(plot_w * (value - low) / span)

    def y_of(value: Decimal) -> int:
        value = min(max(value, low), high)
        return S_TOP + plot_h - round(plot_h * (value - low) / span)

    right, top_edge = S_LEFT + plot_w, S_TOP
    body = [f'<rect class="sc-band sc-red" x="{S_LEFT}" y="{S_TOP}" width="{plot_w}" height="{plot_h}"/>']
    for css, edge in (("sc-amber", INDEX_RED_BELOW), ("sc-green", INDEX_AMBER_BELOW)):
        if edge < high:
            x, y = x_of(max(edge, low)), y_of(max(edge, low))
            body.append(
                f'<rect class="sc-band {css}" x="{x}" y="{top_edge}" width="{right - x}" height="{y - top_edge}"/>'
            )
    grid, ticks = [], []
    for tick in marks:
        x, y = x_of(tick), y_of(tick)
        grid.append(f"M{x},{S_TOP}V{S_TOP + plot_h}M{S_LEFT},{y}H{right}")
        ticks.append(f'<text class="ax" x="{x}" y="{S_TOP + plot_h + 16}" text-anchor="middle">{tick:.1f}</text>')
        ticks.append(f'<text class="ax" x="{S_LEFT - 6}" y="{y + 4}" text-anchor="end">{tick:.1f}</text>')
    body.append(f'<path class="sc-grid" d="{"".join(grid)}"/>')
    if low < 1 < high:
        one_x, one_y = x_of(Decimal(1)), y_of(Decimal(1))
        body.append(f'<path class="sc-one" d="M{one_x},{S_TOP}V{S_TOP + plot_h}M{S_LEFT},{one_y}H{right}"/>')
    body.append(f'<path class="sc-axis" d="M{S_LEFT},{S_TOP}V{S_TOP + plot_h}H{right}"/>')
    body.extend(ticks)
    body.append(
        f'<text class="ax-title" x="{S_LEFT + plot_w // 2}" y="{SCATTER_HEIGHT - 6}" text-anchor="middle">'
        f"{escape(x_label)}</text>"
        f'<text class="ax-title" x="14" y="{S_TOP + plot_h // 2}" text-anchor="middle" '
        f'transform="rotate(-90 14 {S_TOP + plot_h // 2})">{escape(y_label)}</text>'
    )
    placed: list[tuple[int, int, int, int]] = []
    # Past a few dozen dots labels only hide each other: the worst ones are labelled, every dot has its tooltip.
    labelled = {id(point) for point in sorted(points, key=lambda point: min(point.spi, point.cpi))[:SCATTER_LABELS]}
    for point in points:
        x, y = x_of(point.spi), y_of(point.cpi)
        inner = f'<circle class="sc-dot sc-dot-{escape(point.band)}" cx="{x}" cy="{y}" r="7"/>'
        if id(point) in labelled:
            label_x, label_y, anchor = _label_spot(x, y, _text_width(point.label, 12), placed, (S_LEFT, S_TOP, right))
            inner += (
                f'<text class="sc-label" x="{label_x}" y="{label_y}" text-anchor="{anchor}">'
                f"{escape(point.label)}</text>"
            )
        body.append(
            f'<g class="sc-point" data-band="{escape(point.band)}" data-spi="{point.spi}" data-cpi="{point.cpi}">'
            f"{_link(point.href, point.tip, inner)}</g>"
        )
    return _svg("scatter-chart", SCATTER_WIDTH, SCATTER_HEIGHT, title, body)


def _overlap(one: tuple[int, int, int, int], other: tuple[int, int, int, int]) -> bool:
    return not (one[2] < other[0] or one[0] > other[2] or one[3] < other[1] or one[1] > other[3])


def _label_spot(
    x: int, y: int, width: int, placed: list[tuple[int, int, int, int]], bounds: tuple[int, int, int]
) -> tuple[int, int, str]:
    """Where a dot's label goes: above or below it, right or left, the first spot clear of the labels placed so far.

    ``placed`` collects each chosen box (left, top, right, bottom); ``bounds`` is the plot's left, top and right.
    """
    left_edge, top_edge, right_edge = bounds
    spots = [(9, -8, "start"), (9, 17, "start"), (-9, -8, "end"), (-9, 17, "end"), (9, -22, "start"), (9, 31, "start")]
    if x + 9 + width > right_edge:
        spots = [spot for spot in spots if spot[2] == "end"] + [spot for spot in spots if spot[2] == "start"]
    boxes = []
    for dx, dy, anchor in spots:
        left = x + dx if anchor == "start" else x + dx - width
        box = (left, y + dy - 12, left + width, y + dy + 3)
        fits = box[0] >= left_edge and box[2] <= right_edge + 12 and box[1] >= top_edge - 12
        clear = not any(_overlap(box, other) for other in placed)
        boxes.append((box, dx, dy, anchor))
        if fits and clear:
            placed.append(box)
            return x + dx, y + dy, anchor
    box, dx, dy, anchor = boxes[0]
    placed.append(box)
    return x + dx, y + dy, anchor


# --- budget ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BudgetRow:
    label: str
    approved: Decimal | None
    actual: Decimal | None
    forecast: Decimal | None
    approved_href: str | None = None
    actual_href: str | None = None
    forecast_href: str | None = None


@dataclass(frozen=True, slots=True)
class Measure:
    key: str  # approved, actual or forecast: class ``m-<key>``
    label: str


BUDGET_WIDTH = 960
# The budget chart draws this many projects at most: the largest; the table lists them all.
BUDGET_ROWS = 15
BUDGET_BAR = 9
BUDGET_GAP = 2
BUDGET_ROW = 3 * (BUDGET_BAR + BUDGET_GAP) + 14


def budget_chart(
    rows: Sequence[BudgetRow], measures: Sequence[Measure], *, title: str, currency: str, empty: str
) -> SafeString:
    """For each project three bars (approved, actual, forecast) on one money axis.

    A missing or zero amount draws no bar; a project with none of the three says ``empty`` instead.
    """
    amounts = [value for row in rows for value in (row.approved, row.actual, row.forecast) if value is not None]
    marks = nice_ticks(min([*amounts, Decimal(0)]), max([*amounts, Decimal(0)]), max_ticks=5, min_step=Decimal(1))
    floor, top = marks[0], marks[-1]
    label_width = max([_text_width(row.label) for row in rows] + [40]) + 12
    plot = BUDGET_WIDTH - label_width - 24
    axis_top = 22
    height = axis_top + len(rows) * BUDGET_ROW + 8

    def x_of(value: Decimal) -> int:
        return label_width + round(plot * (value - floor) / (top - floor))

    zero = x_of(Decimal(0))
    unit = f'<text class="ax ax-unit" x="{label_width - 10}" y="{axis_top - 6}" text-anchor="end">'
    body = [f"{unit}{escape(currency)}</text>"]
    grid = []
    for value in marks:
        x = x_of(value)
        grid.append(f"M{x},{axis_top}V{height - 6}")
        anchor = "end" if value == top else "start" if value == floor and floor < 0 else "middle"
        body.append(f'<text class="ax" x="{x}" y="{axis_top - 6}" text-anchor="{anchor}">{money_label(value)}</text>')
    body.append(f'<path class="sc-grid" d="{"".join(grid)}"/>')
    for index, row in enumerate(rows):
        y = axis_top + index * BUDGET_ROW + 6
        body.append(
            f'<text class="b-label" x="{label_width - 10}" y="{y + BUDGET_ROW // 2}" text-anchor="end">'
            f"{escape(row.label)}</text>"
        )
        values = (
            (row.approved, row.approved_href),
            (row.actual, row.actual_href),
            (row.forecast, row.forecast_href),
        )
        if not any(amount for amount, _href in values):
            body.append(f'<text class="ax" x="{label_width + 8}" y="{y + BUDGET_ROW // 2}">{escape(empty)}</text>')
        for offset, (measure, (amount, href)) in enumerate(zip(measures, values, strict=True)):
            if not amount:
                continue
            bar_y = y + offset * (BUDGET_BAR + BUDGET_GAP)
            tip = f"{row.label} · {measure.label}: {money_label(amount, 2)} {currency}"
            # A credit (a negative amount) runs left of zero.
            left, right = sorted((zero, x_of(amount)))
            inner = (
                f'<rect class="m-bar m-{escape(measure.key)}" x="{left}" y="{bar_y}" '
                f'width="{max(right - left, 1)}" height="{BUDGET_BAR}" rx="2"/>'
            )
            body.append(f'<g data-measure="{escape(measure.key)}">{_link(href, tip, inner)}</g>')
    body.append(f'<path class="sc-axis" d="M{zero},{axis_top}V{height - 6}"/>')
    return _svg("budget-chart", BUDGET_WIDTH, height, title, body)


# --- the page's charts and links --------------------------------------------------------


# The project pages a row of the dashboard links to, by key.
PROJECT_PAGES = {
    "overview": "project-overview",
    "earned_value": "project-earned-value",
    "finance": "project-finance",
    "actual_costs": "project-actual-costs",
    "forecast": "project-forecast",
    "milestones": "project-wbs",
}
# A number no id reaches, reversed into the patterns and replaced by each project's id.
_SENTINEL = 987_654_320


class DashboardLinks:
    """Where each figure of the dashboard drills down to: the list it counts or sums."""

    def __init__(self, org_slug: str, filters: Filters) -> None:
        self.org_slug = org_slug
        self.filters = filters
        self.narrowed = filters.narrowed
        # URL patterns reversed once per page, with {project} (and {report}) to fill in per row.
        self._project_urls = {key: self._pattern(name) for key, name in PROJECT_PAGES.items()}
        self._report_url = self._pattern("project-status-report", pk="{report}")
        self._alerts_url = reverse("org-alerts", args=[org_slug])

    def _pattern(self, name: str, **placeholders: str) -> str:
        ids = {"project_id": "{project}", **placeholders}
        kwargs = {key: _SENTINEL + offset for offset, key in enumerate(ids)}
        url = reverse(name, kwargs={"org_slug": self.org_slug, **kwargs})
        for key, placeholder in ids.items():
            url = url.replace(str(kwargs[key]), placeholder)
        return url

    def _query(self, **extra: Any) -> str:
        values = {
            "portfolio": self.filters.portfolio_id,
            "manager": self.filters.manager_id,
            "phase": self.filters.phase,
            **extra,
        }
        return urlencode({key: value for key, value in values.items() if value})

    def dashboard(self, anchor: str, **extra: Any) -> str:
        query = self._query(**extra)
        return f"{reverse('org-home', args=[self.org_slug])}{'?' + query if query else ''}#{anchor}"

    def projects(self, phase: str) -> str:
        query = urlencode(
            {
                key: value
                for key, value in {
                    "phase": phase,
                    "portfolio": self.filters.portfolio_id,
                    "manager": self.filters.manager_id,
                }.items()
                if value
            }
        )
        return f"{reverse('org-projects', args=[self.org_slug])}?{query}"

    def rag(self, rag: str) -> str:
        return self.dashboard("health", rag=rag)

    def health(self) -> str:
        return self.dashboard("health")

    def milestones(self) -> str:
        return self.dashboard("milestones")

    def red_alerts(self) -> str:
        return self.alerts(RED)

    def amber_alerts(self) -> str:
        return self.alerts(AMBER)

    def alerts(self, severity: str) -> str:
        """The organisation's alert list; with the projects narrowed, the table's per-project counts instead."""
        if self.narrowed:
            return self.health()
        return f"{reverse('org-alerts', args=[self.org_slug])}?{urlencode({'status': 'active', 'severity': severity})}"

    def budget_reviews(self) -> str:
        """The finance review queue lists every submitted budget version; narrowed, the list on this page."""
        if self.narrowed:
            return self.dashboard("decisions")
        return reverse("org-finance", args=[self.org_slug])

    def earned_value(self, project_id: int) -> str:
        return self._project_urls["earned_value"].format(project=project_id)

    def project(self, row: ProjectHealth) -> dict[str, str]:
        """The lists behind one project's figures."""
        project = str(row.project_id)

        def alert_list(severity: str) -> str:
            return f"{self._alerts_url}?{urlencode({'status': 'active', 'severity': severity, 'project': project})}"

        urls = {key: pattern.format(project=project) for key, pattern in self._project_urls.items()}
        urls["red_alerts"] = alert_list(RED)
        urls["amber_alerts"] = alert_list(AMBER)
        if row.reported is not None:
            urls["report"] = self._report_url.format(project=project, report=row.reported.report_id)
        return urls


def dashboard_charts(board: Dashboard, links: DashboardLinks) -> dict[str, Any]:
    """The dashboard's SVG charts, each mark linked to the list behind it."""
    phases = [
        Bar(f"phase-{count.phase}", str(Phase(count.phase).label), count.count, links.projects(count.phase))
        for count in board.phase_counts
        if count.count or count.phase in OPEN_PHASES
    ]
    rag_labels = {
        RED: _("Red"),
        AMBER: _("Amber"),
        GREEN: _("Green"),
        UNKNOWN: _("Not measured"),
    }
    rags = [Bar(f"rag-{rag}", str(label), board.rag_counts[rag], links.rag(rag)) for rag, label in rag_labels.items()]
    points = []
    unplotted = []
    for row in board.projects:
        figures = row.evm.figures if row.evm is not None else None
        if figures is None or figures.spi is None or figures.cpi is None:
            unplotted.append(row)
            continue
        bands = {row.spi_band, row.cpi_band}
        band = next(band for band in (RED, AMBER, GREEN) if band in bands)
        points.append(
            Point(
                label=row.code,
                tip=f"{row.code} {row.name} · SPI {figures.spi} · CPI {figures.cpi}",
                spi=figures.spi,
                cpi=figures.cpi,
                band=band,
                href=links.earned_value(row.project_id),
            )
        )
    budget_rows = []
    priced = [row for row in board.projects if row.rate is not None]
    largest = sorted(priced, key=_largest_amount, reverse=True)[:BUDGET_ROWS]
    for row in sorted(largest, key=lambda row: (row.code, row.project_id)):
        assert row.rate is not None
        urls = links.project(row)
        budget_rows.append(
            BudgetRow(
                label=row.code,
                approved=_in_home_currency(row.approved_budget, row.rate),
                actual=_in_home_currency(row.actual_cost, row.rate),
                forecast=_in_home_currency(row.forecast, row.rate),
                approved_href=urls["finance"],
                actual_href=urls["actual_costs"],
                forecast_href=urls["forecast"],
            )
        )
    measures = [
        Measure("approved", _("Approved budget")),
        Measure("actual", _("Actual cost to date")),
        Measure("forecast", _("Forecast at completion")),
    ]
    return {
        "phases": bar_chart(phases, title=_("Projects by phase")),
        "rag": bar_chart(rags, title=_("Open projects by computed RAG")),
        "scatter": index_scatter(
            points,
            title=_("SPI and CPI of each project with both indices, over the red, amber and green bands"),
            x_label=_("SPI (schedule)"),
            y_label=_("CPI (cost)"),
        )
        if points
        else None,
        "unplotted": unplotted,
        "budget": budget_chart(
            budget_rows,
            measures,
            title=_("Approved budget, actual cost and forecast by project"),
            currency=board.currency,
            empty=_("No budget, cost or forecast yet"),
        )
        if budget_rows
        else None,
        "measures": measures,
        # How many projects the budget chart leaves out (the smaller ones), of how many.
        "budget_left_out": len(priced) - len(budget_rows),
        "budget_priced": len(priced),
    }


def _largest_amount(row: ProjectHealth) -> Decimal:
    """The largest of a project's approved budget, actual cost and forecast, in the organisation's currency."""
    rate = row.rate or Decimal(0)
    return max((amount or Decimal(0)) * rate for amount in (row.approved_budget, row.actual_cost, row.forecast))


def _in_home_currency(amount: Decimal | None, rate: Decimal) -> Decimal | None:
    return None if amount is None else (amount * rate).quantize(Decimal("0.01"))
