"""How a reading is judged against a maintenance criterion's version.

A criterion states its *defect condition*, as the seed's plan does: ``gt`` 20 mm means "a pothole
deeper than 20 mm is a defect", so a reading of exactly 20 mm is within the standard and 20.1 mm
is not. The comparison itself is quality's (``quality.rules``), whose limits state a
*requirement*; the defect condition is turned into its opposite requirement (``> 20`` is a defect
⇔ ``≤ 20`` is required), so both apps judge and word a reading the same way.

- numeric: one reading against the limit;
- compound: two readings, a defect only when *both* breach their conditions (alligator cracking:
  cracks 3 mm wide or more *and* 100 mm apart or less);
- percentage: the limit is a share of the asset's surface (0..100 %); a reading entered as a
  percentage is judged as it is, one entered as an area (m²) is first turned into its share of
  ``asset.judged_surface()``. The verdict's ``judged_value`` is that share, which the reading stores.

Pure functions over a version and plain values: the services, the API, the demo and the tests
judge the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from maintenance.models import CriterionKind, CriterionVersion, DefectWhen, EnteredAs
from pmo.errors import ApplicationError
from quality.rules import Limit, judge_compound, judge_numeric, plain

#: The requirement that holds exactly when the defect condition does not.
REQUIREMENT = {
    DefectWhen.GT: "lte",
    DefectWhen.GTE: "lt",
    DefectWhen.LT: "gte",
    DefectWhen.LTE: "gt",
}
SYMBOL = {DefectWhen.GT: ">", DefectWhen.GTE: "≥", DefectWhen.LT: "<", DefectWhen.LTE: "≤"}
PERCENT_UNIT = "%"
#: A share of the surface is kept to the reading's four decimal places, and judged as kept.
SHARE_PLACES = Decimal("0.0001")
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Verdict:
    """``passed`` is True when the reading is within the standard (no defect); ``text`` says why in
    the active language; ``judged_value`` is what the rule saw (the % for an area reading)."""

    passed: bool
    text: str
    judged_value: Decimal


def _invalid(message: str, field: str = "value") -> ApplicationError:
    return ApplicationError(message, code="reading_invalid", fields={field: [message]})


def _number(value: object, field: str) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise _invalid(_("Enter the reading as a number."), field)
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise _invalid(_("Enter the reading as a number."), field) from None
    if not number.is_finite():
        raise _invalid(_("Enter the reading as a number."), field)
    if number < 0:
        raise _invalid(_("A reading cannot be negative."), field)
    return number


def _unit(version: CriterionVersion) -> str:
    return PERCENT_UNIT if version.kind == CriterionKind.PERCENTAGE else version.unit


def _limit(defect_when: str, limit: Decimal, unit: str) -> Limit:
    return Limit(REQUIREMENT[DefectWhen(defect_when)], limit, unit=unit)


def _condition(defect_when: str, limit: Decimal, unit: str) -> str:
    return f"{SYMBOL[DefectWhen(defect_when)]} {plain(limit)} {unit}".strip()


def _in_sentence(measure: str) -> str:
    """A measure inside a sentence: "Crack width" → "crack width" (an acronym such as "LED" stays)."""
    if len(measure) > 1 and measure[1].isupper():
        return measure
    return measure[:1].lower() + measure[1:]


def rule_text(version: CriterionVersion) -> str:
    """The rule as a person reads it: "Defect when > 20 mm"; a compound one names both measures:
    "Defect when crack width ≥ 3 mm and crack spacing ≤ 100 mm"."""
    first = _condition(version.defect_when, version.limit, _unit(version))
    if version.kind == CriterionKind.COMPOUND and version.second_limit is not None and version.second_defect_when:
        second = _condition(version.second_defect_when, version.second_limit, version.second_unit)
        return _("Defect when %(first_measure)s %(first)s and %(second_measure)s %(second)s") % {
            "first_measure": _in_sentence(version.measure),
            "first": first,
            "second_measure": _in_sentence(version.second_measure),
            "second": second,
        }
    if version.kind == CriterionKind.PERCENTAGE:
        return _("Defect when %(condition)s of the surface") % {"condition": first}
    return _("Defect when %(condition)s") % {"condition": first}


def share_of_surface(area: Decimal, surface: Decimal | None) -> Decimal:
    """``area`` m² as a percentage of ``surface`` m², to four places (raises when the surface is unknown)."""
    if surface is None or surface <= 0:
        raise _invalid(
            _("The asset's surface is not known, so an area cannot be judged: enter the share as a percentage.")
        )
    return (area / surface * HUNDRED).quantize(SHARE_PLACES, rounding=ROUND_HALF_UP)


def judge(
    version: CriterionVersion,
    *,
    value: Decimal,
    second_value: Decimal | None = None,
    entered_as: str = EnteredAs.VALUE,
    surface: Decimal | None = None,
) -> Verdict:
    """Judge a reading against ``version``; raises ``ApplicationError`` (code ``reading_invalid``)
    for a reading that cannot be judged: not a number, negative, a compound without its second
    reading, an area on an asset of unknown surface, a percentage outside 0..100, or an area or
    percentage on a criterion that is not a percentage one."""
    number = _number(value, "value")
    kind = version.kind
    if kind == CriterionKind.PERCENTAGE:
        return _judge_percentage(version, number, entered_as, surface)
    if entered_as != EnteredAs.VALUE:
        raise _invalid(_("Only a percentage criterion takes an area or a percentage."), "entered_as")
    first = _limit(version.defect_when, version.limit, version.unit)
    if kind == CriterionKind.COMPOUND:
        if second_value is None:
            raise _invalid(
                _("Enter the second reading (%(measure)s): this criterion needs both.")
                % {"measure": version.second_measure},
                "second_value",
            )
        second_number = _number(second_value, "second_value")
        assert version.second_limit is not None
        second = _limit(version.second_defect_when, version.second_limit, version.second_unit)
        judgement = judge_compound(first, second, number, second_number)
    else:
        judgement = judge_numeric(first, number)
    assert judgement.passed is not None
    return Verdict(passed=judgement.passed, text=judgement.text, judged_value=number)


def _judge_percentage(version: CriterionVersion, number: Decimal, entered_as: str, surface: Decimal | None) -> Verdict:
    limit = _limit(version.defect_when, version.limit, PERCENT_UNIT)
    if entered_as == EnteredAs.AREA:
        share = share_of_surface(number, surface)
        assert surface is not None
        if share > HUNDRED:
            raise _invalid(
                _("%(area)s m² is more than the asset's whole surface (%(surface)s m²).")
                % {"area": plain(number), "surface": plain(surface)}
            )
        judgement = judge_numeric(limit, share)
        text = _("%(area)s m² of %(surface)s m² = %(judgement)s") % {
            "area": plain(number),
            "surface": plain(surface),
            "judgement": judgement.text,
        }
        assert judgement.passed is not None
        return Verdict(passed=judgement.passed, text=text, judged_value=share)
    if entered_as not in (EnteredAs.VALUE, EnteredAs.PERCENT):
        raise _invalid(_("Enter the reading as an area (m²) or as a percentage."), "entered_as")
    if number > HUNDRED:
        raise _invalid(_("A percentage must be between 0 and 100."))
    judgement = judge_numeric(limit, number)
    assert judgement.passed is not None
    return Verdict(passed=judgement.passed, text=judgement.text, judged_value=number)
