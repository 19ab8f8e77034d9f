"""Dated cost rates: the rate in force on a day is the latest one effective on or before it.

``RateHistory`` is pure; ``rate_histories`` reads the histories of many resources in one query.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from resources.models import CostRate


@dataclass(frozen=True, slots=True)
class Rate:
    effective_from: dt.date
    standard: Decimal
    overtime: Decimal | None


@dataclass(frozen=True)
class RateHistory:
    """A resource's rates in date order; ``on(day)`` is the one in force, None before the first."""

    rates: tuple[Rate, ...] = ()
    _days: tuple[dt.date, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.rates, key=lambda rate: rate.effective_from))
        object.__setattr__(self, "rates", ordered)
        object.__setattr__(self, "_days", tuple(rate.effective_from for rate in ordered))

    def on(self, day: dt.date) -> Rate | None:
        index = bisect_right(self._days, day)
        return self.rates[index - 1] if index else None

    def standard_on(self, day: dt.date) -> Decimal | None:
        rate = self.on(day)
        return rate.standard if rate is not None else None


def rate_histories(organization_id: int, resource_ids: Iterable[int]) -> dict[int, RateHistory]:
    """Every given resource's rate history (empty when it has none), in one query."""
    ids = list(set(resource_ids))
    found: dict[int, list[Rate]] = {pk: [] for pk in ids}
    rows = (
        CostRate.objects.for_organization(organization_id)
        .filter(resource_id__in=ids)
        .values_list("resource_id", "effective_from", "standard_rate", "overtime_rate")
    )
    for resource_id, effective_from, standard, overtime in rows:
        found[resource_id].append(Rate(effective_from, standard, overtime))
    return {pk: RateHistory(tuple(rates)) for pk, rates in found.items()}
