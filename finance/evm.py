"""Earned value for one status date: pure arithmetic on plain values, Decimal only.

The caller reads the project's current baseline, each task's progress as of the status date
(its latest update effective on or before that date) and the actual costs, and passes them in;
nothing here touches Django or the database.

- ``totals`` makes one pass over the baseline and returns the four unrounded sums: budget at
  completion (BAC), planned value (PV), earned value (EV) and actual cost (AC). ``Totals`` add up,
  so a programme or portfolio sums its projects' totals before computing its figures.
- ``figures`` derives the variances, indices and forecasts from a ``Totals`` and rounds them,
  half to even, only at the end: money to 2 places, indices (SPI, CPI, TCPI) to 4. A figure whose
  divisor is zero is ``None``, never 0 or infinity, and so is every figure computed from it. So is
  a quotient of 10^30 or more (a divisor of a cent against trillions): it cannot be held to the
  cent in 34 digits and measures nothing.

Intermediate values carry 34 significant digits (IEEE decimal128), far beyond what money in the
database (16 digits, 2 places) needs, so the final rounding is the only one that shows.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Context, Decimal, DivisionByZero, InvalidOperation, Overflow, localcontext

from pmo.workdays import WorkCalendar

PHYSICAL = "physical"
ZERO_HUNDRED = "zero_hundred"
FIFTY_FIFTY = "fifty_fifty"
# The values of ``projects.models.PercentCompleteMethod``; this module does not import Django.
METHODS = frozenset({PHYSICAL, ZERO_HUNDRED, FIFTY_FIFTY})

_CONTEXT = Context(prec=34, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow])
_ZERO = Decimal(0)
_HALF = Decimal("0.5")
_HUNDRED = Decimal(100)
_CENT = Decimal("0.01")
_INDEX_STEP = Decimal("0.0001")
# A quotient at or beyond this is not measurable: 30 digits and 4 places fill the 34 of ``_CONTEXT``.
_MEASURABLE_BELOW = Decimal(10) ** 30


def _require_decimal(name: str, value: object) -> None:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise TypeError(f"{name} must be a finite Decimal, not {value!r}.")


@dataclass(frozen=True, slots=True)
class BaselineItem:
    """A task or milestone as the current baseline has it.

    ``task_id`` is None when the live task has since been deleted: its budget still counts in
    BAC and PV, but no progress can be reported against it, so it earns nothing.
    """

    task_id: int | None
    start: date
    finish: date
    budget: Decimal
    is_milestone: bool = False

    def __post_init__(self) -> None:
        _require_decimal("A baseline budget", self.budget)
        if self.finish < self.start:
            raise ValueError(f"A baseline finish ({self.finish}) cannot come before its start ({self.start}).")


@dataclass(frozen=True, slots=True)
class TaskProgress:
    """A task's progress as of the status date; ``method`` is one of ``METHODS``."""

    task_id: int
    method: str
    percent_complete: Decimal
    actual_start: date | None = None
    actual_finish: date | None = None

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"Unknown percent-complete method {self.method!r}; expected one of {sorted(METHODS)}.")
        _require_decimal("A percent complete", self.percent_complete)
        if not _ZERO <= self.percent_complete <= _HUNDRED:
            raise ValueError(f"A percent complete lies between 0 and 100, not {self.percent_complete}.")


@dataclass(frozen=True, slots=True)
class Totals:
    """The unrounded sums behind the figures. Add them to roll projects up."""

    bac: Decimal
    pv: Decimal
    ev: Decimal
    ac: Decimal

    def __post_init__(self) -> None:
        for name in ("bac", "pv", "ev", "ac"):
            _require_decimal(name.upper(), getattr(self, name))

    @classmethod
    def zero(cls) -> "Totals":
        """The starting value for ``sum(totals, Totals.zero())``."""
        return cls(_ZERO, _ZERO, _ZERO, _ZERO)

    def __add__(self, other: object) -> "Totals":
        if not isinstance(other, Totals):
            return NotImplemented
        with localcontext(_CONTEXT):
            return Totals(self.bac + other.bac, self.pv + other.pv, self.ev + other.ev, self.ac + other.ac)


@dataclass(frozen=True, slots=True)
class EvmFigures:
    """Rounded figures: money to 2 places, indices to 4; None where a divisor is zero.

    ``eac`` is the typical forecast (BAC / CPI); ``etc`` and ``vac`` are taken from it.
    """

    bac: Decimal
    pv: Decimal
    ev: Decimal
    ac: Decimal
    sv: Decimal
    cv: Decimal
    spi: Decimal | None
    cpi: Decimal | None
    eac: Decimal | None
    eac_atypical: Decimal
    eac_combined: Decimal | None
    etc: Decimal | None
    vac: Decimal | None
    tcpi: Decimal | None


def _planned(item: BaselineItem, calendar: WorkCalendar, as_of: date) -> Decimal:
    """The part of one item's budget planned by ``as_of``, unrounded.

    The budget spreads evenly over the working days of the baseline span, both ends included.
    A milestone, and a task whose span has no working day at all (it starts and ends on days
    off), plans its whole budget on its finish date.
    """
    if as_of >= item.finish:
        return item.budget
    if as_of < item.start or item.is_milestone:
        return _ZERO
    span = calendar.working_days_between(item.start, item.finish)
    if span == 0:
        return _ZERO
    return item.budget * calendar.working_days_between(item.start, as_of) / span


def _earned(item: BaselineItem, progress: Mapping[int, TaskProgress], as_of: date) -> Decimal:
    """The part of one item's budget earned by ``as_of``, unrounded; 0 without progress."""
    state = None if item.task_id is None else progress.get(item.task_id)
    if state is None:
        return _ZERO
    if state.method == PHYSICAL:
        return item.budget * state.percent_complete / _HUNDRED
    if state.actual_finish is not None and state.actual_finish <= as_of:
        return item.budget
    if state.method == FIFTY_FIFTY and state.actual_start is not None and state.actual_start <= as_of:
        return item.budget * _HALF
    return _ZERO


def budget_at_completion(items: Iterable[BaselineItem]) -> Decimal:
    """BAC: the baseline budgets of every task and milestone, unrounded."""
    with localcontext(_CONTEXT):
        return sum((item.budget for item in items), _ZERO)


def planned_value(items: Iterable[BaselineItem], calendar: WorkCalendar, as_of: date) -> Decimal:
    """PV: the budget of the work the baseline schedules by ``as_of``, unrounded.

    Each task's budget spreads evenly over its baseline working days (start and finish
    included) on the project calendar; nothing is planned before its start and all of it by
    its finish. A milestone's budget, and that of a task whose baseline span holds no working
    day, counts in full from its finish date.
    """
    with localcontext(_CONTEXT):
        return sum((_planned(item, calendar, as_of) for item in items), _ZERO)


def earned_value(items: Iterable[BaselineItem], progress: Mapping[int, TaskProgress], as_of: date) -> Decimal:
    """EV: each baseline budget times the fraction its task has earned by ``as_of``, unrounded.

    ``physical`` earns percent complete / 100; ``zero_hundred`` earns everything once the
    actual finish is on or before ``as_of``, nothing before; ``fifty_fifty`` earns half from the
    actual start and the rest from the actual finish. A task with no progress earns nothing,
    and progress on a task missing from the baseline is ignored: it has no baseline budget.
    """
    with localcontext(_CONTEXT):
        return sum((_earned(item, progress, as_of) for item in items), _ZERO)


def actual_cost(costs: Iterable[tuple[date, Decimal]], as_of: date) -> Decimal:
    """AC: the sum of the ``(date, amount)`` costs dated on or before ``as_of``, unrounded."""
    with localcontext(_CONTEXT):
        return sum((amount for day, amount in costs if day <= as_of), _ZERO)


def totals(
    items: Iterable[BaselineItem],
    calendar: WorkCalendar,
    progress: Mapping[int, TaskProgress],
    costs_to_date: Decimal,
    as_of: date,
) -> Totals:
    """BAC, PV and EV in one pass over the baseline, with the actual cost already summed.

    ``costs_to_date`` is AC as of ``as_of``: a sum from the database, or ``actual_cost(...)``.
    """
    bac = pv = ev = _ZERO
    with localcontext(_CONTEXT):
        for item in items:
            bac += item.budget
            pv += _planned(item, calendar, as_of)
            ev += _earned(item, progress, as_of)
    return Totals(bac=bac, pv=pv, ev=ev, ac=costs_to_date)


def _money(value: Decimal) -> Decimal:
    rounded = value.quantize(_CENT, rounding=ROUND_HALF_EVEN)
    # A small negative value rounds to -0.00; it is shown as 0.00.
    return rounded.copy_abs() if rounded.is_zero() else rounded


def _index(value: Decimal) -> Decimal:
    rounded = value.quantize(_INDEX_STEP, rounding=ROUND_HALF_EVEN)
    return rounded.copy_abs() if rounded.is_zero() else rounded


def _measured_money(value: Decimal | None) -> Decimal | None:
    return None if value is None or abs(value) >= _MEASURABLE_BELOW else _money(value)


def _measured_index(value: Decimal | None) -> Decimal | None:
    return None if value is None or abs(value) >= _MEASURABLE_BELOW else _index(value)


def figures(t: Totals) -> EvmFigures:
    """Variances, indices and forecasts from the unrounded sums, rounded only at the end.

    The forecasts are written without the indices so that no rounded or inexact quotient
    feeds another: EAC = BAC / CPI = BAC x AC / EV, and the combined
    EAC = AC + (BAC - EV) / (CPI x SPI) = AC + (BAC - EV) x AC x PV / EV².
    CPI = 0 (EV = 0, AC > 0) leaves EAC, ETC, VAC and the combined EAC undefined.
    """
    with localcontext(_CONTEXT):
        bac, pv, ev, ac = t.bac, t.pv, t.ev, t.ac
        spi = ev / pv if pv else None
        cpi = ev / ac if ac else None
        eac = bac * ac / ev if ac and ev else None
        eac_combined = ac + (bac - ev) * ac * pv / (ev * ev) if ac and pv and ev else None
        tcpi = (bac - ev) / (bac - ac) if bac != ac else None
        return EvmFigures(
            bac=_money(bac),
            pv=_money(pv),
            ev=_money(ev),
            ac=_money(ac),
            sv=_money(ev - pv),
            cv=_money(ev - ac),
            spi=_measured_index(spi),
            cpi=_measured_index(cpi),
            eac=_measured_money(eac),
            eac_atypical=_money(ac + (bac - ev)),
            eac_combined=_measured_money(eac_combined),
            etc=None if eac is None else _measured_money(eac - ac),
            vac=None if eac is None else _measured_money(bac - eac),
            tcpi=_measured_index(tcpi),
        )
