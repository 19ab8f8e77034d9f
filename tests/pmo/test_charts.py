"""Every chart's axes stay bounded: a fixed number of ticks whatever the range, negative and huge ones included."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from decimal import Decimal

import pytest

from dashboard.portfolio import charts as dashboard_charts
from finance import charts as money_charts
from pmo.charts import nice_ticks
from projects import gantt

D = Decimal
HUGE = D("99999999999999.99")  # the largest amount a money field holds


@pytest.mark.parametrize(
    ("low", "high"),
    [
        (D(0), D(0)),
        (D(7), D(7)),
        (D(-3), D(-3)),
        (D(0), D("6640000")),
        (D("-50"), D("1000")),
        (-HUGE, D(0)),
        (D(0), HUGE),
        (-HUGE, HUGE),
        (D("-200000"), D("500")),
        (D("0.001"), D("0.002")),
        (D("-1E+40"), D("1E+40")),
        (D("12345.678"), D("12345.679")),
    ],
)
def test_nice_ticks_are_few_round_evenly_spaced_and_cover_any_finite_range(low: Decimal, high: Decimal) -> None:
    ticks = nice_ticks(low, high, max_ticks=6)
    assert 2 <= len(ticks) <= 6
    assert ticks[0] <= low
    assert ticks[-1] >= high
    steps = {b - a for a, b in itertools.pairwise(ticks)}
    assert len(steps) == 1
    step = steps.pop()
    assert step > 0
    assert step.normalize().as_tuple().digits[0] in (1, 2, 5)


def test_nice_ticks_pick_the_tightest_round_step() -> None:
    assert nice_ticks(D(0), D(4000), max_ticks=6) == [D(0), D(1000), D(2000), D(3000), D(4000)]
    assert nice_ticks(D(-50), D(1000), max_ticks=7) == [D(n) for n in range(-200, 1001, 200)]
    assert nice_ticks(D(0), D(12), max_ticks=6) == [D(0), D("2.5"), D(5), D("7.5"), D(10), D("12.5")]
    assert nice_ticks(D(0), D(0), max_ticks=6, min_step=D(1)) == [D(0), D(1)]
    assert not str(nice_ticks(D(-1), D(0), max_ticks=3)[-1]).startswith("-")  # never "-0"


def test_nice_ticks_refuse_what_is_not_a_finite_range() -> None:
    with pytest.raises(ValueError, match="finite"):
        nice_ticks(D("-Infinity"), D(0))
    with pytest.raises(ValueError, match="max_ticks"):
        nice_ticks(D(0), D(1), max_ticks=2)


def y_labels(svg: str) -> list[str]:
    return re.findall(r'<text class="ax-y"[^>]*>([^<]*)</text>', svg)


@pytest.mark.parametrize("amount", [-HUGE, D("-200000.00"), HUGE, D("-0.01")])
def test_a_huge_or_negative_running_total_draws_a_bounded_money_axis(amount: Decimal) -> None:
    day = dt.date(2026, 3, 2)
    chart = money_charts.burn_chart(
        actual=[(day, D("100.00")), (day + dt.timedelta(days=3), amount)],
        budget=D("4000.00"),
        today=day + dt.timedelta(days=5),
        currency="CNY",
    )
    assert chart is not None
    svg = str(chart.svg)
    labels = y_labels(svg)
    assert 2 <= len(labels) <= money_charts.MAX_Y_TICKS
    assert len(svg) < 10_000
    assert "0" in labels
    width, height = (int(value) for value in re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).groups())  # type: ignore[union-attr]
    for x, y in re.findall(r'<circle cx="(-?\d+)" cy="(-?\d+)"', svg):
        assert 0 <= int(x) <= width
        assert 0 <= int(y) <= height


def test_a_chart_spanning_thousands_of_years_has_a_bounded_date_axis() -> None:
    chart = money_charts.burn_chart(
        actual=[(dt.date(1, 1, 1), D("1.00")), (dt.date(9999, 12, 31), D("2.00"))],
        budget=None,
        today=dt.date(2026, 12, 5),
        currency="CNY",
    )
    assert chart is not None
    svg = str(chart.svg)
    assert len(re.findall(r'<text class="ax-x"', svg)) <= 40
    assert len(svg) < 10_000


def test_a_chart_of_one_point_on_the_last_representable_day_draws() -> None:
    last = dt.date(9999, 12, 31)
    chart = money_charts.burn_chart(actual=[(last, D("5.00"))], budget=None, today=last, currency="CNY")
    assert chart is not None


def test_the_dashboards_budget_chart_has_a_bounded_axis_and_draws_credits_left_of_zero() -> None:
    rows = [
        dashboard_charts.BudgetRow("A", approved=D("1000"), actual=-HUGE, forecast=D("900")),
        dashboard_charts.BudgetRow("B", approved=HUGE, actual=D("-200000"), forecast=None),
    ]
    measures = [dashboard_charts.Measure(key, key) for key in ("approved", "actual", "forecast")]
    svg = str(dashboard_charts.budget_chart(rows, measures, title="t", currency="CNY", empty="none"))
    labels = re.findall(r'<text class="ax"[^>]*>([^<]*)</text>', svg)
    assert 2 <= len(labels) <= 6
    assert len(svg) < 10_000
    zero_x = int(re.search(r'<text class="ax" x="(\d+)"[^>]*>0</text>', svg).group(1))  # type: ignore[union-attr]
    bars = re.findall(r'<rect class="m-bar m-actual" x="(-?\d+)" y="\d+" width="(\d+)"', svg)
    assert bars
    for x, width in bars:
        assert int(x) >= 0
        assert int(x) + int(width) <= zero_x + 1  # both actual costs are credits: left of zero


def test_the_dashboards_budget_chart_reaches_below_zero_for_a_credit() -> None:
    rows = [dashboard_charts.BudgetRow("A", approved=D("1000"), actual=D("-500"), forecast=D("900"))]
    measures = [dashboard_charts.Measure(key, key) for key in ("approved", "actual", "forecast")]
    svg = str(dashboard_charts.budget_chart(rows, measures, title="t", currency="CNY", empty="none"))
    labels = re.findall(r'<text class="ax"[^>]*>([^<]*)</text>', svg)
    assert labels[0].startswith("-")
    zero_x = int(re.search(r'<text class="ax" x="(\d+)"[^>]*>0</text>', svg).group(1))  # type: ignore[union-attr]
    approved_x, approved_width = re.search(r'm-approved" x="(\d+)" y="\d+" width="(\d+)"', svg).groups()  # type: ignore[union-attr]
    actual_x, actual_width = re.search(r'm-actual" x="(\d+)" y="\d+" width="(\d+)"', svg).groups()  # type: ignore[union-attr]
    assert int(approved_x) == zero_x
    assert int(actual_x) + int(actual_width) == zero_x
    assert int(actual_width) * 2 == pytest.approx(int(approved_width), abs=2)


def test_a_plan_spanning_millennia_draws_a_gantt_of_bounded_size_in_every_zoom() -> None:
    items = [
        gantt.GanttItem(1, "1", "Start", "task", dt.date(1990, 1, 1), dt.date(1990, 1, 5)),
        gantt.GanttItem(2, "2", "Far", "task", dt.date(9999, 1, 4), dt.date(9999, 12, 30)),
    ]
    for zoom in (None, *gantt.Zoom):
        chart = gantt.render_gantt(items, zoom=zoom, today=dt.date(2026, 12, 5))
        assert chart is not None
        assert chart.width <= gantt.MAX_WIDTH
        size = len(chart.axis_svg) + len(chart.body_svg)
        assert size < 200_000, (zoom, size)
        assert chart.axis_svg.count("<text") <= gantt.MAX_WIDTH // gantt.YEAR_TICK_GAP + 2
