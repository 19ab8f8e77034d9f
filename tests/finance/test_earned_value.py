"""Earned value read from the database, checked against figures worked by hand.

The projects are built through the plan services (see ``test_earned_value_support``); every
expected figure is exact and its arithmetic is in the comments.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from finance import earned_value
from finance.evm import EvmFigures, Totals
from pmo.errors import ApplicationError
from pmo.models import Organization
from projects.models import BaselineTask, PercentCompleteMethod, Phase, Project, WbsElement
from projects.services import control
from projects.services.plan import dependency_create
from tests.factories import ExchangeRateFactory, ManualForecastFactory, PortfolioFactory, ProjectFactory
from tests.finance.test_earned_value_support import (
    MONDAY,
    baseline,
    build_sized,
    build_textbook,
    cost,
    march,
    money,
    new_project,
    progress,
    task,
)
from tests.projects.test_control_support import add_calendar_day

pytestmark = pytest.mark.django_db

ZERO_HUNDRED = PercentCompleteMethod.ZERO_HUNDRED
FIFTY_FIFTY = PercentCompleteMethod.FIFTY_FIFTY


def figures(**values: str | None) -> EvmFigures:
    return EvmFigures(**{name: None if value is None else Decimal(value) for name, value in values.items()})  # type: ignore[arg-type]


# --- one project ----------------------------------------------------------------------


def test_the_textbook_project_gives_every_figure_exactly(organization: Organization) -> None:
    built = build_textbook(organization)

    result = earned_value.project_evm(built.project, march(9))

    assert result.as_of == march(9)
    assert result.currency == "CNY"
    assert result.figures == figures(
        bac="10000.00",
        pv="5000.00",  # 4,000 (A is past its finish) + 6,000 x 1/6 (9 March of B's 6 days)
        ev="4000.00",  # A finished on 6 March; B has no progress
        ac="4500.00",  # 1,500 + 3,000; the 700 of 10 March comes after
        sv="-1000.00",
        cv="-500.00",
        spi="0.8000",  # 4,000 / 5,000
        cpi="0.8889",  # 4,000 / 4,500
        eac="11250.00",  # 10,000 x 4,500 / 4,000
        eac_atypical="10500.00",  # 4,500 + 6,000
        eac_combined="12937.50",  # 4,500 + 6,000 x 4,500 x 5,000 / 4,000²
        etc="6750.00",
        vac="-1250.00",
        tcpi="1.0909",  # 6,000 / 5,500
    )
    assert result.totals == Totals(bac=money("10000"), pv=money("5000"), ev=money("4000"), ac=money("4500"))


def test_before_the_start_nothing_is_planned_earned_or_spent_and_the_ratios_are_undefined(
    organization: Organization,
) -> None:
    built = build_textbook(organization)

    result = earned_value.project_evm(built.project, dt.date(2026, 2, 27))

    assert result.figures == figures(
        bac="10000.00",
        pv="0.00",
        ev="0.00",
        ac="0.00",
        sv="0.00",
        cv="0.00",
        spi=None,  # PV is 0
        cpi=None,  # AC is 0
        eac=None,
        eac_atypical="10000.00",
        eac_combined=None,
        etc=None,
        vac=None,
        tcpi="1.0000",  # 10,000 / 10,000
    )


def test_after_the_finish_the_whole_budget_is_planned(organization: Organization) -> None:
    built = build_textbook(organization)

    result = earned_value.project_evm(built.project, march(31))

    assert result.figures == figures(
        bac="10000.00",
        pv="10000.00",
        ev="4000.00",  # B never reported
        ac="5200.00",  # 1,500 + 3,000 + 700
        sv="-6000.00",
        cv="-1200.00",
        spi="0.4000",
        cpi="0.7692",  # 4,000 / 5,200 = 0.76923...
        eac="13000.00",  # 10,000 x 5,200 / 4,000
        eac_atypical="11200.00",  # 5,200 + 6,000
        eac_combined="24700.00",  # 5,200 + 6,000 x 5,200 x 10,000 / 4,000² = 5,200 + 19,500
        etc="7800.00",
        vac="-3000.00",
        tcpi="1.2500",  # 6,000 / 4,800
    )


def test_money_spent_with_nothing_earned_leaves_the_forecasts_undefined_not_infinite(
    organization: Organization,
) -> None:
    built = build_textbook(organization)

    # Tuesday 3 March: A (0/100) is not finished, 1,500 spent.
    result = earned_value.project_evm(built.project, march(3))

    assert (result.figures.pv, result.figures.ev, result.figures.ac) == (
        money("1600.00"),
        money("0.00"),
        money("1500.00"),
    )
    assert result.figures.spi == money("0.0000")
    assert result.figures.cpi == money("0.0000")
    assert (result.figures.eac, result.figures.eac_combined, result.figures.etc, result.figures.vac) == (None,) * 4
    assert result.figures.eac_atypical == money("11500.00")  # 1,500 + 10,000
    assert result.figures.tcpi == money("1.1765")  # 10,000 / 8,500


def test_a_project_without_a_current_baseline_is_refused_with_a_clear_code(organization: Organization) -> None:
    _admin, project = new_project(organization, "P-9")

    with pytest.raises(ApplicationError) as refused:
        earned_value.project_evm(project, march(9))

    assert refused.value.code == "no_baseline"
    assert refused.value.message  # a sentence in the request's language, not a bare code


# --- the percent-complete methods -------------------------------------------------------
# One task of 2,000.00 over Monday 2 to Friday 6 March: PV is 400.00 a working day.


def one_task_project(organization: Organization, method: str):  # type: ignore[no-untyped-def]
    admin, project = new_project(organization, "M-1")
    element = task(project, admin.user, "Works", "2000.00", percent_complete_method=method)
    baseline(project, admin.user)
    return admin.user, project, element


def earned(project, day: dt.date) -> tuple[Decimal, Decimal]:  # type: ignore[no-untyped-def]
    result = earned_value.project_evm(project, day).figures
    return result.pv, result.ev


def test_physical_progress_earns_its_percent_of_the_budget(organization: Organization) -> None:
    actor, project, element = one_task_project(organization, PercentCompleteMethod.PHYSICAL)
    progress(actor, element, march(3), percent_complete="25")
    progress(actor, element, march(5), percent_complete="60")

    assert earned(project, march(2)) == (money("400.00"), money("0.00"))
    assert earned(project, march(4)) == (money("1200.00"), money("500.00"))  # 25 % of 2,000
    assert earned(project, march(5)) == (money("1600.00"), money("1200.00"))  # 60 % of 2,000


def test_zero_hundred_earns_nothing_until_the_actual_finish(organization: Organization) -> None:
    actor, project, element = one_task_project(organization, ZERO_HUNDRED)
    progress(actor, element, march(2), actual_start=march(2))
    progress(actor, element, march(5), actual_finish=march(5))

    assert earned(project, march(4)) == (money("1200.00"), money("0.00"))
    assert earned(project, march(5)) == (money("1600.00"), money("2000.00"))


def test_fifty_fifty_earns_half_at_the_actual_start_and_the_rest_at_the_finish(organization: Organization) -> None:
    actor, project, element = one_task_project(organization, FIFTY_FIFTY)
    progress(actor, element, march(3), actual_start=march(3))
    progress(actor, element, march(5), actual_finish=march(5))

    assert earned(project, march(2)) == (money("400.00"), money("0.00"))
    assert earned(project, march(3)) == (money("800.00"), money("1000.00"))
    assert earned(project, march(4)) == (money("1200.00"), money("1000.00"))
    assert earned(project, march(5)) == (money("1600.00"), money("2000.00"))


def test_the_latest_update_effective_on_or_before_the_date_counts_not_a_later_one(organization: Organization) -> None:
    actor, project, element = one_task_project(organization, PercentCompleteMethod.PHYSICAL)
    progress(actor, element, march(5), percent_complete="60")
    # Recorded later but effective earlier: it describes 4 March, and 5 March keeps its 60 %.
    progress(actor, element, march(4), percent_complete="30")
    # Two updates effective the same day: the one recorded last counts.
    progress(actor, element, march(3), percent_complete="20")
    progress(actor, element, march(3), percent_complete="35")

    assert earned(project, march(2))[1] == money("0.00")
    assert earned(project, march(3))[1] == money("700.00")  # 35 %
    assert earned(project, march(4))[1] == money("600.00")  # 30 %, not the 60 % of 5 March
    assert earned(project, march(6))[1] == money("1200.00")  # 60 %


# --- the calendar -----------------------------------------------------------------------


def test_planned_value_skips_weekends_and_holidays(organization: Organization) -> None:
    # Wednesday 11 March off. One task of 5,000.00 and 5 working days from Thursday 5 March:
    # 5, 6, 9, 10, 12 March, so 1,000.00 a working day.
    add_calendar_day(organization, march(11), working=False)
    admin, project = new_project(organization, "H-1", planned_start=march(5))
    task(project, admin.user, "Works", "5000.00")
    baseline(project, admin.user)
    frozen = BaselineTask.objects.for_organization(organization).get()
    assert (frozen.start, frozen.finish) == (march(5), march(12))

    planned = {day: earned_value.project_evm(project, march(day)).figures.pv for day in (4, 5, 6, 7, 8, 9, 10, 11, 12)}

    assert planned == {
        4: money("0.00"),
        5: money("1000.00"),
        6: money("2000.00"),
        7: money("2000.00"),  # Saturday
        8: money("2000.00"),  # Sunday
        9: money("3000.00"),
        10: money("4000.00"),
        11: money("4000.00"),  # the holiday
        12: money("5000.00"),
    }


def test_a_milestone_plans_its_budget_in_full_on_its_date(organization: Organization) -> None:
    # Works (1,000.00) 2-6 March, then the handover milestone (500.00) on Monday 9 March.
    admin, project = new_project(organization, "MS-1")
    works = task(project, admin.user, "Works", "1000.00")
    handover = task(project, admin.user, "Handover", "500.00", duration=0, kind=WbsElement.Kind.MILESTONE)
    dependency_create(actor=admin.user, project=project, predecessor=works, successor=handover)
    baseline(project, admin.user)
    frozen = BaselineTask.objects.for_organization(organization).get(task=handover)
    assert (frozen.is_milestone, frozen.start, frozen.finish) == (True, march(9), march(9))
    progress(admin.user, handover, march(9), percent_complete="100", actual_start=march(9), actual_finish=march(9))

    assert earned(project, march(6)) == (money("1000.00"), money("0.00"))
    assert earned(project, march(8)) == (money("1000.00"), money("0.00"))
    assert earned(project, march(9)) == (money("1500.00"), money("500.00"))


# --- series -----------------------------------------------------------------------------


def test_a_weekly_series_has_every_sunday_and_ends_on_the_last_day(organization: Organization) -> None:
    built = build_textbook(organization)
    progress(built.admin.user, built.tasks["B"], march(13), percent_complete="50")

    series = earned_value.project_evm_series(built.project, MONDAY, march(18), "week")

    assert [point.as_of for point in series] == [march(8), march(15), march(18)]
    assert [(p.figures.pv, p.figures.ev, p.figures.ac) for p in series] == [
        (money("4000.00"), money("4000.00"), money("4500.00")),
        # B: 5 of its 6 days planned (6,000 x 5/6), half earned; the 700 of 10 March spent.
        (money("9000.00"), money("7000.00"), money("5200.00")),
        (money("10000.00"), money("7000.00"), money("5200.00")),
    ]
    assert [(p.figures.spi, p.figures.cpi) for p in series] == [
        (money("1.0000"), money("0.8889")),
        (money("0.7778"), money("1.3462")),  # 7,000 / 9,000; 7,000 / 5,200
        (money("0.7000"), money("1.3462")),
    ]
    # Each point is what the project's figures are on its date.
    assert [p.figures for p in series] == [earned_value.project_evm(built.project, p.as_of).figures for p in series]


def test_a_monthly_series_has_every_month_end_and_starts_by_default_at_the_baseline_start(
    organization: Organization,
) -> None:
    built = build_textbook(organization)

    monthly = earned_value.project_evm_series(built.project, dt.date(2026, 2, 1), dt.date(2026, 4, 15), "month")
    default_start = earned_value.project_evm_series(built.project, None, march(18), "week")

    assert [point.as_of for point in monthly] == [dt.date(2026, 2, 28), march(31), dt.date(2026, 4, 15)]
    assert monthly[0].figures.pv == money("0.00")
    assert monthly[1].figures.pv == money("10000.00")
    assert [point.as_of for point in default_start] == [march(8), march(15), march(18)]


def test_a_series_refuses_a_reversed_period_or_too_many_points() -> None:
    with pytest.raises(ApplicationError) as reversed_period:
        earned_value.series_dates(march(18), march(2), "week")
    assert "from" in reversed_period.value.fields
    with pytest.raises(ApplicationError) as too_long:
        earned_value.series_dates(dt.date(2016, 1, 1), dt.date(2026, 3, 1), "week")
    assert "from" in too_long.value.fields
    assert len(earned_value.series_dates(dt.date(2016, 1, 1), dt.date(2026, 3, 1), "month")) == 123


# --- the WBS ----------------------------------------------------------------------------


def test_summaries_add_up_their_elements_and_recompute_the_ratios_from_the_sums(organization: Organization) -> None:
    # 1 Site (summary): 1.1 A (1,000.00) and 1.2 B (3,000.00); 2 C (2,000.00); all 2-6 March.
    # Wednesday 4 March: 3 of 5 days planned. A done, B at 20 %. Costs on 3 March: 1,200.00 on
    # A, 400.00 on B, 100.00 on the summary itself, 300.00 on no element.
    admin, project = new_project(organization, "W-1")
    actor = admin.user
    site = task(project, actor, "Site", "0.00")
    a = task(project, actor, "A", "1000.00", parent=site)
    b = task(project, actor, "B", "3000.00", parent=site)
    task(project, actor, "C", "2000.00")
    baseline(project, actor)
    progress(actor, a, march(4), percent_complete="100", actual_start=march(2), actual_finish=march(4))
    progress(actor, b, march(4), percent_complete="20")
    cost(project, march(3), "1200.00", a)
    cost(project, march(3), "400.00", b)
    site.refresh_from_db()
    cost(project, march(3), "100.00", site)
    cost(project, march(3), "300.00")

    rows = earned_value.wbs_evm_rows(project, march(4))
    by_code = {row.code: row for row in rows}

    assert [(row.code, row.depth, row.is_summary) for row in rows] == [
        ("1", 0, True),
        ("1.1", 1, False),
        ("1.2", 1, False),
        ("2", 0, False),
    ]

    def core(code: str) -> tuple[Decimal | None, ...]:
        f = by_code[code].figures
        return (f.bac, f.pv, f.ev, f.ac, f.spi, f.cpi)

    assert core("1.1") == (
        money("1000.00"),
        money("600.00"),
        money("1000.00"),
        money("1200.00"),
        money("1.6667"),
        money("0.8333"),
    )
    assert core("1.2") == (
        money("3000.00"),
        money("1800.00"),
        money("600.00"),
        money("400.00"),
        money("0.3333"),
        money("1.5000"),
    )
    # Not the mean of 1.6667 and 0.3333: 1,600 / 2,400; 1,600 / 1,700 (the summary's own 100 included).
    assert core("1") == (
        money("4000.00"),
        money("2400.00"),
        money("1600.00"),
        money("1700.00"),
        money("0.6667"),
        money("0.9412"),
    )
    assert core("2") == (money("2000.00"), money("1200.00"), money("0.00"), money("0.00"), money("0.0000"), None)
    assert earned_value.wbs_evm(project, march(4))[site.pk] == by_code["1"].figures
    # The project adds the cost booked to no element: 1,600 / 2,000.
    project_figures = earned_value.project_evm(project, march(4)).figures
    assert (project_figures.ac, project_figures.cpi, project_figures.spi) == (
        money("2000.00"),
        money("0.8000"),
        money("0.4444"),
    )


# --- the portfolio ----------------------------------------------------------------------


def test_the_portfolio_converts_at_the_dated_rate_and_reports_a_currency_without_one(
    organization: Organization,
) -> None:
    # CNY (the organisation's currency): the textbook project, on 9 March as above.
    build_textbook(organization, "P-1")
    # USD: one task of 1,000.00 over 2-6 March, 50 % on 4 March, 400.00 spent on 3 March.
    admin, usd = new_project(organization, "P-2", currency="USD")
    works = task(usd, admin.user, "Works", "1000.00")
    baseline(usd, admin.user)
    progress(admin.user, works, march(4), percent_complete="50")
    cost(usd, march(3), "400.00")
    # EUR: baselined, but its only rate starts after the status date.
    admin, eur = new_project(organization, "P-3", currency="EUR")
    task(eur, admin.user, "Works", "800.00")
    baseline(eur, admin.user)
    # No baseline; and a closed project, which is not listed.
    new_project(organization, "P-4")
    ProjectFactory(organization=organization, code="P-5", phase=Phase.CLOSED)
    for day, rate in ((dt.date(2026, 1, 1), "7.000000"), (march(1), "7.200000"), (march(10), "7.500000")):
        ExchangeRateFactory(organization=organization, currency="USD", rate=Decimal(rate), valid_from=day)
    ExchangeRateFactory(organization=organization, currency="EUR", rate=Decimal("7.900000"), valid_from=march(10))

    result = earned_value.portfolio_evm(organization, march(9))

    assert [(row.code, row.currency, row.rate, row.reason) for row in result.rows] == [
        ("P-1", "CNY", Decimal(1), None),
        ("P-2", "USD", Decimal("7.200000"), None),  # the rate of 1 March, not that of 10 March
        ("P-3", "EUR", None, None),
        ("P-4", "CNY", None, "no_baseline"),
    ]
    usd_row = result.rows[1].evm
    assert usd_row is not None
    assert (usd_row.figures.bac, usd_row.figures.pv, usd_row.figures.ev, usd_row.figures.ac) == (
        money("1000.00"),
        money("1000.00"),
        money("500.00"),
        money("400.00"),
    )
    assert result.rows[3].evm is None
    assert [(missing.currency, missing.project_ids) for missing in result.missing_rates] == [("EUR", (eur.pk,))]
    # In CNY: 10,000 + 1,000 x 7.2 = 17,200 BAC; 5,000 + 7,200 = 12,200 PV; 4,000 + 3,600 = 7,600 EV;
    # 4,500 + 2,880 = 7,380 AC. EUR is left out.
    assert result.currency == "CNY"
    assert result.figures == figures(
        bac="17200.00",
        pv="12200.00",
        ev="7600.00",
        ac="7380.00",
        sv="-4600.00",
        cv="220.00",
        spi="0.6230",  # 7,600 / 12,200 = 0.62295...
        cpi="1.0298",  # 7,600 / 7,380 = 1.02981...
        eac="16702.11",  # 17,200 x 7,380 / 7,600 = 16,702.105...
        eac_atypical="16980.00",  # 7,380 + 9,600
        eac_combined="22344.43",  # 7,380 + 9,600 x 7,380 x 12,200 / 7,600² = 7,380 + 14,964.432...
        etc="9322.11",
        vac="497.89",
        tcpi="0.9776",  # 9,600 / 9,820 = 0.97759...
    )


def test_a_portfolio_includes_the_projects_of_its_programmes(organization: Organization) -> None:
    portfolio = PortfolioFactory(organization=organization, name="Parks")
    programme = PortfolioFactory(organization=organization, name="Riverside", kind="programme", parent=portfolio)
    build_sized(organization, 2, code="A-1", portfolio=portfolio)
    build_sized(organization, 2, code="A-2", portfolio=programme)
    build_sized(organization, 2, code="A-3")

    result = earned_value.portfolio_evm(organization, march(9), portfolio=portfolio)

    assert [row.code for row in result.rows] == ["A-1", "A-2"]
    assert result.figures.bac == money("4000.00")


# --- the forecast -----------------------------------------------------------------------


def test_the_forecast_puts_every_method_beside_the_latest_manual_estimate(organization: Organization) -> None:
    built = build_textbook(organization)
    tz = dt.timezone(dt.timedelta(hours=8))
    ManualForecastFactory(
        organization=organization,
        project=built.project,
        estimate_to_complete=money("6000.00"),
        created_at=dt.datetime(2026, 3, 5, 9, tzinfo=tz),
    )
    latest = ManualForecastFactory(
        organization=organization,
        project=built.project,
        estimate_to_complete=money("7000.00"),
        justification="Steel prices up.",
        created_at=dt.datetime(2026, 3, 9, 18, tzinfo=tz),
    )
    # Recorded after the status date: not part of a forecast on 9 March.
    ManualForecastFactory(
        organization=organization,
        project=built.project,
        estimate_to_complete=money("9000.00"),
        created_at=dt.datetime(2026, 3, 10, 9, tzinfo=tz),
    )

    forecast = earned_value.project_forecast(built.project, march(9))

    assert forecast.figures.bac == money("10000.00")
    assert [(line.method, line.eac, line.etc, line.vac) for line in forecast.lines] == [
        ("typical", money("11250.00"), money("6750.00"), money("-1250.00")),
        ("atypical", money("10500.00"), money("6000.00"), money("-500.00")),
        ("combined", money("12937.50"), money("8437.50"), money("-2937.50")),
        ("manual", money("11500.00"), money("7000.00"), money("-1500.00")),  # 4,500 + 7,000
    ]
    assert forecast.manual is not None
    assert forecast.manual.justification == "Steel prices up."
    assert forecast.manual.created_by == latest.created_by
    assert forecast.manual.created_at == latest.created_at


def test_without_a_manual_estimate_the_forecast_has_the_three_methods(organization: Organization) -> None:
    built = build_textbook(organization)

    forecast = earned_value.project_forecast(built.project, march(3))

    assert [(line.method, line.eac) for line in forecast.lines] == [
        ("typical", None),  # nothing earned yet
        ("atypical", money("11500.00")),
        ("combined", None),
    ]
    assert forecast.manual is None


# --- status reports ---------------------------------------------------------------------


def test_a_status_report_shows_spi_and_cpi_at_its_period_end(organization: Organization) -> None:
    built = build_textbook(organization)

    report = control.status_report_create(actor=built.admin.user, project=built.project, period_end=march(10))

    # Friday 13 March: PV 4,000 + 6,000 x 5/6 = 9,000; EV 4,000; AC 5,200.
    assert report.period_end == march(13)
    assert (report.figures["spi"], report.figures["cpi"]) == ("0.4444", "0.7692")
    assert report.figures["evm_note"] == ""


def test_a_status_report_without_a_baseline_keeps_spi_and_cpi_empty_with_a_note(organization: Organization) -> None:
    admin, project = new_project(organization, "N-1")

    report = control.status_report_create(actor=admin.user, project=project, period_end=march(10))

    assert (report.figures["spi"], report.figures["cpi"]) == (None, None)
    assert "baseline" in report.figures["evm_note"]


# --- fixed numbers of queries -----------------------------------------------------------


@pytest.mark.parametrize("size", [5, 50])
def test_the_reads_of_one_project_run_a_fixed_number_of_queries(
    size: int,
    organization: Organization,
    django_assert_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    project = build_sized(organization, size, code="Q-1")
    ManualForecastFactory(organization=organization, project=project, created_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
    project = Project.objects.for_organization(organization).select_related("organization").get(pk=project.pk)

    # Baseline, its tasks with their methods, the latest progress, the costs, the calendar (2).
    with django_assert_num_queries(6):
        result = earned_value.project_evm(project, march(9))
    assert result.figures.bac == Decimal(1000 * size)
    # The same, with every progress update and the costs by date read once for all the points.
    with django_assert_num_queries(6):
        assert len(earned_value.project_evm_series(project, MONDAY, dt.date(2026, 6, 30), "week")) == 18
    # The elements, then the same as one project, with the costs by element.
    with django_assert_num_queries(7):
        assert len(earned_value.wbs_evm(project, march(9))) == size
    # One project, and the manual forecast.
    with django_assert_num_queries(7):
        assert earned_value.project_forecast(project, march(9)).manual is not None


@pytest.mark.parametrize("size", [5, 20])
def test_the_portfolio_runs_a_fixed_number_of_queries(
    size: int,
    organization: Organization,
    django_assert_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    for number in range(size):
        build_sized(
            organization,
            3,
            code=f"R-{number:02d}",
            currency=("CNY", "USD", "EUR")[number % 3],
            with_baseline=number != 1,
        )
    ExchangeRateFactory(organization=organization, currency="USD", valid_from=march(1))

    # Projects, current baselines, their tasks, the latest progress, costs, calendars (2), rates.
    with django_assert_num_queries(8):
        result = earned_value.portfolio_evm(organization, march(9))
    assert len(result.rows) == size
    assert [missing.currency for missing in result.missing_rates] == ["EUR"]
