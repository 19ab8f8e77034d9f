"""What every server-drawn chart shares: round, evenly spaced axis ticks, a bounded number of them.

``nice_ticks`` is the one place an axis decides its ticks, so that no range, however large,
negative or empty, can make a chart draw more than a handful of labels.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

_NICE_MULTIPLES = (Decimal(1), Decimal(2), Decimal("2.5"), Decimal(5))
_TEN = Decimal(10)


def nice_ticks(low: Decimal, high: Decimal, *, max_ticks: int = 6, min_step: Decimal | None = None) -> list[Decimal]:
    """Ticks from at or below ``low`` to at or above ``high``, at most ``max_ticks`` of them and at least two.

    The step is the smallest of 1, 2, 2.5 or 5 times a power of ten (and at least ``min_step``)
    that fits the range in ``max_ticks - 1`` intervals. A zero-width range is widened around its
    value. ``ValueError`` for an infinite or NaN bound.
    """
    if not (low.is_finite() and high.is_finite()):
        raise ValueError("nice_ticks needs a finite range")
    if max_ticks < 3:
        raise ValueError("max_ticks must be at least 3")
    low, high = min(low, high), max(low, high)
    intervals = max_ticks - 1
    span = high - low
    if span == 0:
        span = abs(high) or min_step or Decimal(1)
    power = _TEN ** (span / intervals).adjusted()
    while True:
        for multiple in _NICE_MULTIPLES:
            step = multiple * power
            if min_step is not None and step < min_step:
                continue
            first = (low / step).to_integral_value(rounding=ROUND_FLOOR)
            last = (high / step).to_integral_value(rounding=ROUND_CEILING)
            if last - first <= intervals:
                count = max(int(last - first), 1) + 1
                # "+ 0" turns a negative zero into zero.
                return [(first + n) * step + 0 for n in range(count)]
        power *= _TEN
