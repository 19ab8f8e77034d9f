"""The earned-value panel (status date, S-curve, indices with their bands) and the SVG charts behind it."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from finance import charts
from finance.services import costs
from pmo.models import Organization
from tests.conftest import page_client_for
from tests.finance.test_pages_support import Books, build_books
from tests.projects.helpers import make_project
from tests.projects.test_control_support import FRIDAY

D = Decimal


@pytest.fixture
def books(organization: Organization) -> Books:
    return build_books(organization)


def spend(books: Books, amount: str, day: dt.date) -> None:
    costs.actual_cost_create(
        actor=books.finance.user, project=books.project, date=day, amount=D(amount), category=books.categories["labour"]
    )


def indicator(response, key: str):  # type: ignore[no-untyped-def]
    groups = response.context["groups"]
    return next(item for group in groups.values() for item in group if item.key == key)


@pytest.mark.django_db
def test_the_panel_opens_on_today_in_the_organisations_time_zone(books: Books) -> None:
    response = books.client(books.viewer).get(books.url("earned-value/"))
    assert response.status_code == 200
    assert response.context["as_of"] == books.organization.today()
    assert response.context["evm"].figures.bac == D("4000.00")
    assert response.context["form"]["as_of"].value() == books.organization.today()


@pytest.mark.django_db
def test_on_a_status_date_the_indices_carry_their_bands(books: Books) -> None:
    spend(books, "1500.00", dt.date(2026, 3, 6))
    response = books.client(books.viewer).get(books.url(f"earned-value/?as_of={FRIDAY.isoformat()}"))
    figures = response.context["evm"].figures
    # Planned by Friday 13 March: A and 4 of B's 10 days; earned: A and 20 % of B.
    assert (figures.pv, figures.ev, figures.ac) == (D("2200.00"), D("1600.00"), D("1500.00"))
    spi, cpi = indicator(response, "spi"), indicator(response, "cpi")
    assert (spi.value, spi.band) == (D("0.7273"), "red")
    assert (cpi.value, cpi.band) == (D("1.0667"), "green")
    assert indicator(response, "sv").band == "worse"
    assert indicator(response, "cv").band == "better"
    html = response.content.decode()
    assert 'class="indicator ind-red" data-key="spi"' in html
    assert 'class="indicator ind-green" data-key="cpi"' in html


@pytest.mark.django_db
def test_an_amber_cost_index(books: Books) -> None:
    spend(books, "1720.00", dt.date(2026, 3, 6))
    response = books.client(books.viewer).get(books.url(f"earned-value/?as_of={FRIDAY.isoformat()}"))
    cpi = indicator(response, "cpi")
    assert (cpi.value, cpi.band) == (D("0.9302"), "amber")


@pytest.mark.django_db
def test_an_undefined_index_is_said_to_be_undefined_not_zero(books: Books) -> None:
    response = books.client(books.viewer).get(books.url("earned-value/?as_of=2026-02-27"))
    spi, cpi = indicator(response, "spi"), indicator(response, "cpi")
    assert (spi.value, spi.band, cpi.value, cpi.band) == (None, "none", None, "none")
    assert 'class="ind-value ind-undefined"' in response.content.decode()


@pytest.mark.django_db
def test_the_s_curve_plans_to_the_baseline_finish_and_measures_up_to_the_status_date(books: Books) -> None:
    spend(books, "600.00", dt.date(2026, 3, 4))
    response = books.client(books.viewer).get(books.url(f"earned-value/?as_of={FRIDAY.isoformat()}&interval=week"))
    assert response.context["interval"] == "week"
    chart = response.context["chart"]
    svg = str(chart.svg)
    for series in ("pv", "ev", "ac"):
        assert f'data-series="{series}"' in svg
    assert 'class="lv c-bac"' in svg
    assert 'class="mk c-status"' in svg
    assert "<title>" in svg
    assert chart.end == books.plan.baseline.tasks.order_by("-finish").first().finish  # type: ignore[union-attr]
    assert [point.as_of for point in response.context["points"]] == [dt.date(2026, 3, 8), FRIDAY]
    assert [item.key for item in chart.legend] == ["pv", "ev", "ac", "bac", "status"]
    monthly = books.client(books.viewer).get(books.url(f"earned-value/?as_of={FRIDAY.isoformat()}&interval=month"))
    assert [point.as_of for point in monthly.context["points"]] == [FRIDAY]


@pytest.mark.django_db
def test_a_bad_status_date_is_shown_on_the_form_and_today_is_used(books: Books) -> None:
    response = books.client(books.viewer).get(books.url("earned-value/?as_of=13/03/2026&interval=fortnight"))
    assert response.status_code == 200
    assert {"as_of", "interval"} <= set(response.context["form"].errors)
    assert response.context["as_of"] == books.organization.today()


@pytest.mark.django_db
def test_a_series_too_long_to_draw_is_refused_on_the_form(books: Books) -> None:
    response = books.client(books.viewer).get(books.url("earned-value/?as_of=2040-01-01&interval=week"))
    assert response.status_code == 200
    assert response.context["form"].errors
    assert response.context["chart"] is None


@pytest.mark.django_db
def test_without_a_baseline_the_panel_says_to_set_one(books: Books, organization: Organization) -> None:
    project = make_project(organization, code="NB")
    response = page_client_for(books.viewer.user).get(f"/o/acme/projects/{project.pk}/earned-value/")
    assert response.status_code == 200
    assert response.context["baseline_missing"]
    assert response.context["chart"] is None
    html = response.content.decode()
    assert 'class="empty-state"' in html
    assert f'href="/o/acme/projects/{project.pk}/baselines/"' in html


# --- the chart renderer ----------------------------------------------------------------------


def test_the_money_axis_ends_on_a_round_number() -> None:
    def axis(*amounts: Decimal) -> list[str]:
        chart = charts.render_line_chart(
            [
                charts.Series(
                    "ac", "AC", [(dt.date(2026, 3, 2) + dt.timedelta(days=n), a) for n, a in enumerate(amounts)]
                )
            ],
            title="t",
            currency="CNY",
        )
        assert chart is not None
        return re.findall(r'<text class="ax-y"[^>]*>([^<]*)</text>', str(chart.svg))

    assert axis(D("6640000")) == ["0", "2,000,000", "4,000,000", "6,000,000", "8,000,000"]
    assert axis(D("4000")) == ["0", "1,000", "2,000", "3,000", "4,000"]
    assert axis(D("12")) == ["0", "2", "4", "6", "8", "10", "12"]
    assert axis(D(0)) == ["0", "1"]


def test_dates_are_ticked_by_week_for_a_short_span_and_by_month_or_quarter_for_longer_ones() -> None:
    monday = dt.date(2026, 3, 2)
    assert charts.date_ticks(dt.date(2026, 2, 26), dt.date(2026, 3, 20)) == [
        monday,
        monday + dt.timedelta(weeks=1),
        monday + dt.timedelta(weeks=2),
    ]
    assert charts.date_ticks(dt.date(2026, 3, 2), dt.date(2026, 7, 21))[:2] == [
        dt.date(2026, 4, 1),
        dt.date(2026, 5, 1),
    ]
    assert charts.date_ticks(dt.date(2026, 1, 1), dt.date(2028, 12, 31))[:3] == [
        dt.date(2026, 1, 1),
        dt.date(2026, 4, 1),
        dt.date(2026, 7, 1),
    ]


def test_cumulative_adds_up_by_date() -> None:
    day = dt.date(2026, 3, 2)
    points = charts.cumulative([(day, D(5)), (day, D(5)), (day - dt.timedelta(days=1), D(1))])
    assert points == [(day - dt.timedelta(days=1), D(1)), (day, D(11))]


def test_nothing_to_draw_gives_no_chart() -> None:
    assert charts.render_line_chart([charts.Series("ac", "AC", [])], title="t", currency="CNY") is None


def test_the_chart_escapes_its_text_and_puts_every_point_in_the_picture() -> None:
    chart = charts.render_line_chart(
        [charts.Series("ac", "<script>x</script>", [(dt.date(2026, 3, 2), D(-50)), (dt.date(2026, 4, 2), D(900))])],
        title='A "chart" & more',
        currency="<b>",
        levels=[charts.Level("budget", "Budget", D(1000))],
        marker=charts.Marker("status", "Today", dt.date(2026, 3, 20)),
    )
    assert chart is not None
    svg = str(chart.svg)
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert "&lt;b&gt;" in svg
    width, height = (int(value) for value in re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).groups())  # type: ignore[union-attr]
    for x, y in re.findall(r'<circle cx="(-?\d+)" cy="(-?\d+)"', svg):
        assert 0 <= int(x) <= width
        assert 0 <= int(y) <= height
    assert ">-200</text>" in svg  # the money axis reaches below zero for the credit


@pytest.mark.django_db
def test_the_trend_chart_draws_the_daily_snapshots_up_to_the_status_date(books: Books) -> None:
    from finance.variance import variance_run_batch

    organization = books.organization
    for day in (dt.date(2026, 3, 11), dt.date(2026, 3, 12), dt.date(2026, 3, 20)):
        variance_run_batch(organization=organization, project_ids=[books.project.pk], as_of=day)

    empty = books.client(books.viewer).get(books.url("earned-value/?as_of=2026-03-10"))
    single = books.client(books.viewer).get(books.url("earned-value/?as_of=2026-03-11"))
    drawn = books.client(books.viewer).get(books.url(f"earned-value/?as_of={FRIDAY.isoformat()}"))

    assert empty.context["trend"] is None
    assert 'id="trend-empty"' in empty.content.decode()
    assert single.context["trend"] is None  # one day is not a trend yet
    trend = drawn.context["trend"]
    assert (trend.start, trend.end) == (dt.date(2026, 3, 11), dt.date(2026, 3, 12))  # 20 March is after the status date
    assert "trend-empty" not in drawn.content.decode()
