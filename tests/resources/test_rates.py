"""Dated cost rates (resources.rates) worked by hand.

The rate in force on a day is the latest one effective on or before it; before the first there is
none. A history used below: 100.00 an hour from Mon 2 March 2026, 120.00 (overtime 180.00) from
Wed 11 March, 90.00 from Wed 1 April.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from resources.rates import Rate, RateHistory, rate_histories
from tests.factories import CostRateFactory, OrganizationFactory, ResourceFactory


def d(day: int, month: int = 3) -> dt.date:
    return dt.date(2026, month, day)


HISTORY = RateHistory(
    (
        # Given out of order on purpose: the history sorts them by date.
        Rate(d(1, 4), Decimal("90.00"), None),
        Rate(d(2), Decimal("100.00"), None),
        Rate(d(11), Decimal("120.00"), Decimal("180.00")),
    )
)


def test_before_the_first_rate_there_is_none() -> None:
    assert HISTORY.on(d(1)) is None
    assert HISTORY.standard_on(d(1)) is None
    assert HISTORY.on(dt.date(2025, 12, 31)) is None


def test_an_empty_history_has_no_rate_on_any_day() -> None:
    assert RateHistory().on(d(11)) is None
    assert RateHistory().standard_on(d(11)) is None


def test_the_new_rate_applies_from_its_effective_day() -> None:
    assert HISTORY.standard_on(d(2)) == Decimal("100.00")  # the first day of the first rate
    assert HISTORY.standard_on(d(10)) == Decimal("100.00")  # the day before the change
    assert HISTORY.standard_on(d(11)) == Decimal("120.00")  # the day of the change
    rate = HISTORY.on(d(11))
    assert rate is not None
    assert rate.overtime == Decimal("180.00")


def test_the_latest_rate_stays_in_force_after_it() -> None:
    assert HISTORY.standard_on(d(31)) == Decimal("120.00")
    assert HISTORY.standard_on(d(1, 4)) == Decimal("90.00")
    assert HISTORY.standard_on(d(31, 12)) == Decimal("90.00")


def test_the_history_is_kept_in_date_order() -> None:
    assert [rate.effective_from for rate in HISTORY.rates] == [d(2), d(11), d(1, 4)]


def test_a_week_of_work_across_a_rate_change_is_costed_day_by_day() -> None:
    # 8 h a day from Mon 9 to Fri 13 March; the rate changes on Wed 11:
    #   Mon 9, Tue 10: 2 x 8 x 100.00 = 1,600.00
    #   Wed 11, Thu 12, Fri 13: 3 x 8 x 120.00 = 2,880.00
    #   total 4,480.00
    days = [d(9) + dt.timedelta(days=offset) for offset in range(5)]
    costs = []
    for day in days:
        rate = HISTORY.standard_on(day)
        assert rate is not None
        costs.append(Decimal("8") * rate)
    assert costs == [Decimal("800.00")] * 2 + [Decimal("960.00")] * 3
    assert sum(costs, Decimal("0")) == Decimal("4480.00")


@pytest.mark.django_db
def test_rate_histories_reads_every_resources_rates_in_one_query(
    django_assert_num_queries: Callable[..., Any],
) -> None:
    acme = OrganizationFactory(slug="acme")
    rival = OrganizationFactory(slug="rival")
    welder = ResourceFactory(organization=acme)
    crane = ResourceFactory(organization=acme, kind="equipment")
    newcomer = ResourceFactory(organization=acme)  # no rate yet
    outsider = ResourceFactory(organization=rival)
    CostRateFactory(resource=welder, effective_from=d(2), standard_rate=Decimal("100.00"))
    CostRateFactory(
        resource=welder, effective_from=d(11), standard_rate=Decimal("120.00"), overtime_rate=Decimal("180.00")
    )
    CostRateFactory(resource=crane, effective_from=d(1, 1), standard_rate=Decimal("450.00"))
    CostRateFactory(resource=outsider, effective_from=d(1, 1), standard_rate=Decimal("999.00"))

    with django_assert_num_queries(1):
        histories = rate_histories(acme.pk, [welder.pk, crane.pk, newcomer.pk, welder.pk, outsider.pk])

    assert set(histories) == {welder.pk, crane.pk, newcomer.pk, outsider.pk}
    assert histories[welder.pk].standard_on(d(10)) == Decimal("100.00")
    assert histories[welder.pk].standard_on(d(11)) == Decimal("120.00")
    assert histories[welder.pk].standard_on(d(1)) is None
    assert histories[crane.pk].standard_on(d(11)) == Decimal("450.00")
    assert histories[newcomer.pk].rates == ()
    # Another organisation's resource reads as having no rates: its rows are out of scope.
    assert histories[outsider.pk].rates == ()


@pytest.mark.django_db
def test_rate_histories_of_no_resources_is_empty_without_a_query(
    django_assert_num_queries: Callable[..., Any],
) -> None:
    acme = OrganizationFactory(slug="acme")
    with django_assert_num_queries(0):
        assert rate_histories(acme.pk, []) == {}
