"""The arithmetic of a risk's assessment: overall impact, score, level, EMV and the PERT mean.

Pure functions over plain values (no database), so that services, row builders, the CSV import and
the tests share one definition:

- Overall impact of the five dimensions (schedule, cost, quality, safety/environment, reputation) by
  the organisation's rule: the highest, or the average rounded half up (2.5 → 3). Dimensions not
  rated do not count; a risk with none rated has no impact yet.
- Score = probability x overall impact, 1 to 25.
- Level = the organisation's 5 x 5 matrix cell at (probability, impact). The default matrix gives
  low for a score ≤ 5, medium for 6-12 and high for 15 or more (no product of two integers 1-5 is
  13 or 14).
- PERT mean of three points = (min + 4 · most likely + max) / 6.
- EMV = probability (%) / 100 x PERT mean of the cost impact, two places, half up; an opportunity's
  EMV is negative, so that exposure = Σ EMV of open risks is threats minus opportunities.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

CENT = Decimal("0.01")
LOW, MEDIUM, HIGH = "low", "medium", "high"
LEVEL_ORDER = {LOW: 0, MEDIUM: 1, HIGH: 2}
HIGHEST, AVERAGE = "highest", "average"
SCALE = range(1, 6)


def default_matrix() -> list[list[str]]:
    """The default 5 x 5 matrix, ``matrix[probability - 1][impact - 1]``."""
    return [[level_of_score(p * i) for i in SCALE] for p in SCALE]


def level_of_score(score: int) -> str:
    if score <= 5:
        return LOW
    if score <= 12:
        return MEDIUM
    return HIGH


def overall_impact(dimensions: Iterable[int | None], rule: str) -> int | None:
    rated = [value for value in dimensions if value is not None]
    if not rated:
        return None
    if rule == HIGHEST:
        return max(rated)
    mean = Decimal(sum(rated)) / Decimal(len(rated))
    return int(mean.to_integral_value(rounding=ROUND_HALF_UP))


def score(probability: int | None, impact: int | None) -> int | None:
    if probability is None or impact is None:
        return None
    return probability * impact


def level(matrix: Sequence[Sequence[str]], probability: int | None, impact: int | None) -> str:
    """The matrix's level at the cell, or "" while the risk is not assessed."""
    if probability is None or impact is None:
        return ""
    return matrix[probability - 1][impact - 1]


def pert_mean(low: Decimal, likely: Decimal, high: Decimal) -> Decimal:
    return (Decimal(low) + 4 * Decimal(likely) + Decimal(high)) / 6


def emv(percent: Decimal | None, low: Decimal, likely: Decimal, high: Decimal, *, opportunity: bool) -> Decimal:
    """Expected monetary value in the project's currency, two places; negative for an opportunity."""
    if percent is None:
        return Decimal("0.00")
    value = (Decimal(percent) / 100 * pert_mean(low, likely, high)).quantize(CENT, rounding=ROUND_HALF_UP)
    return -value if opportunity else value


def validate_matrix(matrix: object) -> list[str]:
    """Problems with a matrix sent by a user: 5 rows of 5 known levels, never lower as either axis rises."""
    if not isinstance(matrix, list) or len(matrix) != 5:
        return [_("The matrix has 5 rows, one per probability from 1 to 5.")]
    problems: list[str] = []
    for p, row in enumerate(matrix, start=1):
        if not isinstance(row, list) or len(row) != 5:
            problems.append(_("Row %(row)s has 5 cells, one per impact from 1 to 5.") % {"row": p})
            continue
        problems.extend(
            _("Cell (%(p)s, %(i)s): unknown level “%(level)s”.") % {"p": p, "i": i, "level": cell}
            for i, cell in enumerate(row, 1)
            if cell not in LEVEL_ORDER
        )
    if problems:
        return problems
    lower = _("Cell %(a)s is lower than cell %(b)s.")
    for p in SCALE:
        for i in SCALE:
            here = LEVEL_ORDER[matrix[p - 1][i - 1]]
            if i < 5 and LEVEL_ORDER[matrix[p - 1][i]] < here:
                problems.append(lower % {"a": f"({p}, {i + 1})", "b": f"({p}, {i})"})
            if p < 5 and LEVEL_ORDER[matrix[p][i - 1]] < here:
                problems.append(lower % {"a": f"({p + 1}, {i})", "b": f"({p}, {i})"})
    return problems
