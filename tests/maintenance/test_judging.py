"""Hand-worked verdicts: every comparator at its limit, compound and percentage criteria, bad input.

The criteria state the defect condition ("pothole depth > 20 mm is a defect"); a reading passes
when that condition is false.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from maintenance.judging import Verdict, judge, rule_text
from maintenance.models import CriterionKind, CriterionVersion, EnteredAs
from pmo.errors import ApplicationError

D = Decimal


def numeric(defect_when: str, limit: str, unit: str = "mm") -> CriterionVersion:
    return CriterionVersion(
        kind=CriterionKind.NUMERIC,
        measure_zh="坑槽深度",
        measure_en="Pothole depth",
        unit=unit,
        defect_when=defect_when,
        limit=D(limit),
    )


def alligator() -> CriterionVersion:
    """Asphalt alligator cracking: a defect when cracks are ≥ 3 mm wide and ≤ 100 mm apart."""
    return CriterionVersion(
        kind=CriterionKind.COMPOUND,
        measure_zh="裂缝宽度",
        measure_en="crack width",
        unit="mm",
        defect_when="gte",
        limit=D(3),
        second_measure_zh="裂缝间距",
        second_measure_en="crack spacing",
        second_unit="mm",
        second_defect_when="lte",
        second_limit=D(100),
    )


def damaged_share(limit: str = "10") -> CriterionVersion:
    """Sculpture: damaged area > 10 % of its surface is a defect."""
    return CriterionVersion(
        kind=CriterionKind.PERCENTAGE,
        measure_zh="破损面积",
        measure_en="Damaged area",
        unit="%",
        defect_when="gt",
        limit=D(limit),
    )


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("defect_when", "limit", "reading", "passed"),
    [
        ("gt", "20", "20", True),
        ("gt", "20", "20.1", False),
        ("gt", "20", "19.9", True),
        ("gte", "30", "30", False),
        ("gte", "30", "29.9", True),
        ("gte", "30", "31", False),
        ("lt", "3", "3", True),
        ("lt", "3", "2.9", False),
        ("lt", "3", "3.1", True),
        ("lte", "10", "10", False),
        ("lte", "10", "10.1", True),
        ("lte", "10", "9", False),
    ],
)
def test_every_comparator_is_judged_at_and_around_its_limit(defect_when, limit, reading, passed):
    verdict = judge(numeric(defect_when, limit), value=D(reading))
    assert verdict.passed is passed
    assert verdict.judged_value == D(reading)


def test_a_reading_at_the_limit_of_a_strict_rule_is_within_limit_and_says_so():
    assert judge(numeric("gt", "20"), value=D("20")) == Verdict(True, "20 mm ≤ 20 mm: within limit", D("20"))


def test_a_reading_above_the_limit_is_a_defect_and_says_so():
    assert judge(numeric("gt", "20"), value=D("23")) == Verdict(False, "23 mm > 20 mm: defect", D("23"))


def test_an_inclusive_rule_calls_the_limit_itself_a_defect():
    verdict = judge(numeric("gte", "30"), value=D("30"))
    assert verdict == Verdict(False, "30 mm ≥ 30 mm: defect", D("30"))


def test_a_below_rule_words_the_reading_against_the_limit():
    assert judge(numeric("lt", "3", "m"), value=D("2.5")).text == "2.5 m < 3 m: defect"
    assert judge(numeric("lt", "3", "m"), value=D("3")).text == "3 m ≥ 3 m: within limit"


def test_a_compound_criterion_with_one_breach_is_not_a_defect():
    wide_but_far_apart = judge(alligator(), value=D("3.5"), second_value=D("150"))
    narrow_but_close = judge(alligator(), value=D("2"), second_value=D("80"))
    assert wide_but_far_apart.passed is True
    assert narrow_but_close.passed is True
    assert wide_but_far_apart.text == "3.5 mm ≥ 3 mm and 150 mm > 100 mm: not both breached, within limit"


def test_a_compound_criterion_with_both_breaches_is_a_defect():
    verdict = judge(alligator(), value=D("3.5"), second_value=D("80"))
    assert verdict == Verdict(False, "3.5 mm ≥ 3 mm and 80 mm ≤ 100 mm: defect", D("3.5"))


def test_a_compound_criterion_at_both_inclusive_limits_is_a_defect():
    assert judge(alligator(), value=D("3"), second_value=D("100")).passed is False


def test_a_compound_criterion_without_its_second_reading_cannot_be_judged():
    with pytest.raises(ApplicationError) as error:
        judge(alligator(), value=D("3.5"))
    assert error.value.code == "reading_invalid"
    assert "second reading (crack spacing)" in error.value.message
    assert "second_value" in error.value.fields


def test_an_area_on_a_percentage_criterion_is_judged_as_its_share_of_the_surface():
    verdict = judge(damaged_share(), value=D("2.5"), entered_as=EnteredAs.AREA, surface=D("20"))
    assert verdict == Verdict(False, "2.5 m² of 20 m² = 12.5 % > 10 %: defect", D("12.5"))


def test_an_area_exactly_at_the_share_is_not_a_defect_under_a_strict_rule():
    verdict = judge(damaged_share(), value=D("2"), entered_as=EnteredAs.AREA, surface=D("20"))
    assert verdict.passed is True
    assert verdict.judged_value == D("10")
    assert verdict.text == "2 m² of 20 m² = 10 % ≤ 10 %: within limit"


def test_a_percentage_entered_as_such_is_judged_directly():
    assert judge(damaged_share(), value=D("10"), entered_as=EnteredAs.PERCENT).passed is True
    assert judge(damaged_share(), value=D("10.5"), entered_as=EnteredAs.PERCENT) == Verdict(
        False, "10.5 % > 10 %: defect", D("10.5")
    )


def test_a_plain_value_on_a_percentage_criterion_is_taken_as_the_percentage():
    assert judge(damaged_share(), value=D("12")).passed is False


def test_an_area_share_is_kept_to_four_places():
    verdict = judge(damaged_share("33.3333"), value=D("1"), entered_as=EnteredAs.AREA, surface=D("3"))
    assert verdict.judged_value == D("33.3333")
    assert verdict.passed is True


def test_an_area_on_an_asset_of_unknown_surface_cannot_be_judged():
    with pytest.raises(ApplicationError) as error:
        judge(damaged_share(), value=D("2"), entered_as=EnteredAs.AREA, surface=None)
    assert error.value.code == "reading_invalid"
    assert "surface is not known" in error.value.message


def test_an_area_larger_than_the_surface_cannot_be_judged():
    with pytest.raises(ApplicationError) as error:
        judge(damaged_share(), value=D("25"), entered_as=EnteredAs.AREA, surface=D("20"))
    assert error.value.code == "reading_invalid"


@pytest.mark.parametrize("percent", ["100.1", "250"])
def test_a_percentage_above_100_cannot_be_judged(percent):
    with pytest.raises(ApplicationError) as error:
        judge(damaged_share(), value=D(percent), entered_as=EnteredAs.PERCENT)
    assert error.value.code == "reading_invalid"
    assert error.value.message == "A percentage must be between 0 and 100."


def test_a_percentage_of_100_is_judged():
    assert judge(damaged_share(), value=D("100"), entered_as=EnteredAs.PERCENT).passed is False


@pytest.mark.parametrize("version", [numeric("gt", "20"), damaged_share()], ids=["numeric", "percentage"])
def test_a_negative_reading_cannot_be_judged(version):
    with pytest.raises(ApplicationError) as error:
        judge(version, value=D("-1"))
    assert error.value.code == "reading_invalid"
    assert error.value.message == "A reading cannot be negative."


def test_a_negative_second_reading_cannot_be_judged():
    with pytest.raises(ApplicationError) as error:
        judge(alligator(), value=D("4"), second_value=D("-5"))
    assert error.value.fields == {"second_value": ["A reading cannot be negative."]}


@pytest.mark.parametrize("value", ["abc", "NaN", "Infinity", None, True])
def test_what_is_not_a_number_cannot_be_judged(value):
    with pytest.raises(ApplicationError) as error:
        judge(numeric("gt", "20"), value=value)
    assert error.value.code == "reading_invalid"


def test_an_area_on_a_criterion_that_is_not_a_percentage_cannot_be_judged():
    with pytest.raises(ApplicationError) as error:
        judge(numeric("gt", "20"), value=D("2"), entered_as=EnteredAs.AREA, surface=D("20"))
    assert error.value.code == "reading_invalid"
    assert "entered_as" in error.value.fields


def test_rule_text_names_the_defect_condition():
    assert rule_text(numeric("gt", "20")) == "Defect when > 20 mm"
    assert rule_text(numeric("lte", "0.1", "m²")) == "Defect when ≤ 0.1 m²"
    assert rule_text(damaged_share()) == "Defect when > 10 % of the surface"
    assert rule_text(alligator()) == "Defect when crack width ≥ 3 mm and crack spacing ≤ 100 mm"


def test_the_verdict_and_the_rule_read_in_chinese():
    with translation.override("zh-hans"):
        verdict = judge(alligator(), value=D("3.5"), second_value=D("80"))
        text = rule_text(alligator())
    assert verdict.passed is False
    assert "3.5 mm ≥ 3 mm" in verdict.text
    assert "裂缝宽度" in text
    assert "裂缝间距" in text
