"""How a reading is judged against a checklist item, and how an inspection's outcome follows.

Pure functions over plain values, so that the pages, the API, the demo and the tests judge the
same way. A numeric item states its *requirement* (``≤ 20 mm``: a reading above 20 mm is a defect);
a compound item states two, and fails only when both readings breach theirs (alligator cracking:
crack width must stay ``< 3 mm`` and crack spacing ``> 100 mm``; a crack 3.5 mm wide at 80 mm
spacing breaches both). Limits are inclusive where the comparator says so and nowhere else: a
reading exactly at ``≤ 20`` passes, exactly at ``< 20`` fails.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

LTE = "lte"
LT = "lt"
GTE = "gte"
GT = "gt"
BETWEEN = "between"
TOLERANCE = "tolerance"
COMPARATORS = (LTE, LT, GTE, GT, BETWEEN, TOLERANCE)
#: Comparators that need a second limit (``b``): the upper bound, or the tolerance.
TWO_LIMITS = frozenset({BETWEEN, TOLERANCE})

MINOR = "minor"
MAJOR = "major"
CRITICAL = "critical"
SEVERITIES = (MINOR, MAJOR, CRITICAL)
#: A failed item of these severities fails the inspection; a failed minor item leaves remarks.
FAILING_SEVERITIES = frozenset({MAJOR, CRITICAL})

PASSED = "passed"
PASSED_WITH_REMARKS = "passed_with_remarks"
FAILED = "failed"

_SYMBOL = {LTE: "≤", LT: "<", GTE: "≥", GT: ">"}
# The symbol of a single-limit requirement's breach: ``> 20`` breaches ``≤ 20``.
_BREACH = {LTE: ">", LT: "≥", GTE: "<", GT: "≤"}


def plain(value: Decimal | int) -> str:
    """A number as a person writes it: ``23``, ``2.5``, ``-0.75``; never ``2.50`` or ``1E+1``."""
    number = Decimal(value)
    text = format(number.normalize(), "f") if number == number.to_integral_value() else format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _with_unit(value: Decimal | int, unit: str) -> str:
    return f"{plain(value)} {unit}".strip()


@dataclass(frozen=True)
class Limit:
    """A numeric requirement: ``comparator`` with ``a`` (the limit, the lower bound or the target) and
    ``b`` (the upper bound or the tolerance, for ``between`` and ``tolerance``)."""

    comparator: str
    a: Decimal
    b: Decimal | None = None
    unit: str = ""

    def problems(self) -> list[str]:
        """Why the limit cannot judge anything, in the active language (empty when it can)."""
        if self.comparator not in COMPARATORS:
            return [_("Choose a comparator.")]
        if self.comparator in TWO_LIMITS and self.b is None:
            if self.comparator == BETWEEN:
                return [_("Enter the upper limit.")]
            return [_("Enter the tolerance.")]
        if self.comparator == BETWEEN and self.b is not None and self.b < self.a:
            return [_("The upper limit must not be below the lower limit.")]
        if self.comparator == TOLERANCE and self.b is not None and self.b < 0:
            return [_("The tolerance cannot be negative.")]
        return []

    def passes(self, value: Decimal) -> bool:
        a, b = self.a, self.b
        match self.comparator:
            case "lte":
                return value <= a
            case "lt":
                return value < a
            case "gte":
                return value >= a
            case "gt":
                return value > a
            case "between":
                assert b is not None
                return a <= value <= b
            case "tolerance":
                assert b is not None
                return abs(value - a) <= b
        raise ValueError(f"unknown comparator {self.comparator!r}")

    def requirement(self) -> str:
        """The rule as the template shows it: ``≤ 20 mm``, ``10 to 30 mm``, ``10 ± 0.5 mm``."""
        if self.comparator == BETWEEN:
            assert self.b is not None
            return _("%(low)s to %(high)s") % {"low": plain(self.a), "high": _with_unit(self.b, self.unit)}
        if self.comparator == TOLERANCE:
            assert self.b is not None
            return f"{plain(self.a)} ± {_with_unit(self.b, self.unit)}"
        return f"{_SYMBOL[self.comparator]} {_with_unit(self.a, self.unit)}"

    def comparison(self, value: Decimal) -> str:
        """The reading set against the limit: ``23 mm > 20 mm`` (a breach), ``18 mm ≤ 20 mm`` (within)."""
        reading = _with_unit(value, self.unit)
        if self.comparator in TWO_LIMITS:
            if self.passes(value):
                return _("%(reading)s within %(rule)s") % {"reading": reading, "rule": self.requirement()}
            return _("%(reading)s outside %(rule)s") % {"reading": reading, "rule": self.requirement()}
        symbol = _SYMBOL[self.comparator] if self.passes(value) else _BREACH[self.comparator]
        return f"{reading} {symbol} {_with_unit(self.a, self.unit)}"


@dataclass(frozen=True)
class Judgement:
    """A reading's verdict: ``passed`` is None for what is never judged (text), and ``text`` says why."""

    passed: bool | None
    text: str


def judge_numeric(limit: Limit, value: Decimal) -> Judgement:
    passed = limit.passes(value)
    verdict = _("within limit") if passed else _("defect")
    return Judgement(passed, f"{limit.comparison(value)}: {verdict}")


def judge_compound(first: Limit, second: Limit, value: Decimal, second_value: Decimal) -> Judgement:
    """Fails only when both readings breach their limits; one breach alone is within the rule."""
    breaches = (not first.passes(value), not second.passes(second_value))
    passed = not all(breaches)
    both = _("%(first)s and %(second)s") % {
        "first": first.comparison(value),
        "second": second.comparison(second_value),
    }
    if passed:
        return Judgement(True, f"{both}: " + _("not both breached, within limit"))
    return Judgement(False, f"{both}: " + _("defect"))


def judge_pass_fail(value: bool) -> Judgement:
    return Judgement(value, _("Pass") if value else _("Fail"))


def judge_choice(options: Sequence[Mapping[str, object]], key: str) -> Judgement:
    """A choice is matched by its key, never by its words; an unknown key is an error, not a failure."""
    for option in options:
        if option.get("key") == key:
            acceptable = bool(option.get("acceptable"))
            label = str(option.get("label") or key)
            return Judgement(acceptable, label if acceptable else f"{label}: " + _("defect"))
    raise KeyError(key)


@dataclass(frozen=True)
class ItemResult:
    """An item's verdict over its readings: failed when any reading failed."""

    severity: str
    passed: bool | None


def outcome(results: Iterable[ItemResult]) -> str:
    """Failed when a major or critical item failed; passed with remarks when only minor ones did."""
    failed = [result.severity for result in results if result.passed is False]
    if any(severity in FAILING_SEVERITIES for severity in failed):
        return FAILED
    if failed:
        return PASSED_WITH_REMARKS
    return PASSED


def percentile(values: Sequence[float | int], fraction: float) -> float | None:
    """The ``fraction`` percentile by linear interpolation between closest ranks (None for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)
