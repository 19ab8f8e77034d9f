"""quality.rules by hand: each comparator exactly at its limit, just inside and just outside, the words
a judgement shows, compound and choice items, an inspection's outcome, percentiles and numbers.

Readings reach the rules quantised to 4 decimal places (``Decimal("20.0000")``), so "just outside"
is one ten-thousandth past the limit.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.utils import translation

from quality import rules
from quality.rules import ItemResult, Limit, judge_choice, judge_compound, judge_numeric, judge_pass_fail

D = Decimal


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def verdicts(limit: Limit, *readings: str) -> list[bool]:
    return [limit.passes(D(reading)) for reading in readings]


# Each comparator at, just inside and just outside its limit.


def test_at_most_20_passes_20_and_19_9999_and_fails_20_0001() -> None:
    assert verdicts(Limit(rules.LTE, D(20), unit="mm"), "20", "20.0000", "19.9999", "20.0001") == [
        True,
        True,
        True,
        False,
    ]


def test_below_20_fails_exactly_20_and_passes_19_9999() -> None:
    assert verdicts(Limit(rules.LT, D(20), unit="mm"), "20", "19.9999", "20.0001") == [False, True, False]


def test_at_least_95_passes_95_and_95_0001_and_fails_94_9999() -> None:
    assert verdicts(Limit(rules.GTE, D(95), unit="%"), "95", "95.0001", "94.9999") == [True, True, False]


def test_above_100_fails_exactly_100_and_passes_100_0001() -> None:
    assert verdicts(Limit(rules.GT, D(100), unit="mm"), "100", "100.0001", "99.9999") == [False, True, False]


def test_between_includes_both_ends_and_nothing_past_them() -> None:
    limit = Limit(rules.BETWEEN, D(10), D(30), unit="mm")
    assert verdicts(limit, "10", "30", "20", "10.0001", "29.9999") == [True] * 5
    assert verdicts(limit, "9.9999", "30.0001") == [False, False]


def test_a_between_with_equal_bounds_accepts_only_that_value() -> None:
    assert verdicts(Limit(rules.BETWEEN, D(5), D(5)), "5", "4.9999", "5.0001") == [True, False, False]


def test_target_plus_or_minus_tolerance_includes_both_edges_and_nothing_past_them() -> None:
    limit = Limit(rules.TOLERANCE, D(100), D("0.5"), unit="mm")
    assert verdicts(limit, "100", "99.5", "100.5") == [True, True, True]
    assert verdicts(limit, "99.4999", "100.5001") == [False, False]


def test_a_zero_tolerance_accepts_only_the_target() -> None:
    assert verdicts(Limit(rules.TOLERANCE, D(3), D(0)), "3", "3.0001", "2.9999") == [True, False, False]


def test_negative_limits_compare_as_numbers() -> None:
    # A level at most 0.75 below the design level: -0.75 passes, -0.7501 is lower still.
    assert verdicts(Limit(rules.GTE, D("-0.75"), unit="m"), "-0.75", "-0.7499", "-0.7501") == [True, True, False]


def test_an_unknown_comparator_is_an_error_not_a_verdict() -> None:
    with pytest.raises(ValueError, match="unknown comparator"):
        Limit("approx", D(1)).passes(D(1))


# What a judgement says.


def test_a_breach_of_at_most_says_greater_than_and_defect() -> None:
    judgement = judge_numeric(Limit(rules.LTE, D(20), unit="mm"), D(23))
    assert (judgement.passed, judgement.text) == (False, "23 mm > 20 mm: defect")


def test_a_reading_within_at_most_says_at_most_and_within_limit() -> None:
    judgement = judge_numeric(Limit(rules.LTE, D(20), unit="mm"), D(18))
    assert (judgement.passed, judgement.text) == (True, "18 mm ≤ 20 mm: within limit")


def test_a_reading_exactly_at_the_limit_shows_plain_numbers_without_trailing_zeros() -> None:
    judgement = judge_numeric(Limit(rules.LTE, D("20.0000"), unit="mm"), D("20.0000"))
    assert (judgement.passed, judgement.text) == (True, "20 mm ≤ 20 mm: within limit")


def test_each_single_limit_shows_its_own_symbol_within_and_the_opposite_one_on_a_breach() -> None:
    def text(comparator: str, reading: str) -> str:
        return judge_numeric(Limit(comparator, D(20), unit="mm"), D(reading)).text

    assert text(rules.LTE, "20.0001") == "20.0001 mm > 20 mm: defect"
    assert text(rules.LT, "20") == "20 mm ≥ 20 mm: defect"
    assert text(rules.LT, "19.9999") == "19.9999 mm < 20 mm: within limit"
    assert text(rules.GTE, "20") == "20 mm ≥ 20 mm: within limit"
    assert text(rules.GTE, "19.9999") == "19.9999 mm < 20 mm: defect"
    assert text(rules.GT, "20") == "20 mm ≤ 20 mm: defect"
    assert text(rules.GT, "20.5") == "20.5 mm > 20 mm: within limit"


def test_a_between_judgement_says_within_or_outside_the_range() -> None:
    limit = Limit(rules.BETWEEN, D(10), D(30), unit="mm")
    assert judge_numeric(limit, D(10)).text == "10 mm within 10 to 30 mm: within limit"
    assert judge_numeric(limit, D("30.0001")).text == "30.0001 mm outside 10 to 30 mm: defect"


def test_a_tolerance_judgement_says_within_or_outside_target_plus_or_minus_tolerance() -> None:
    limit = Limit(rules.TOLERANCE, D(100), D("0.5"), unit="mm")
    assert judge_numeric(limit, D("100.5")).text == "100.5 mm within 100 ± 0.5 mm: within limit"
    assert judge_numeric(limit, D("99.4999")).text == "99.4999 mm outside 100 ± 0.5 mm: defect"


def test_a_limit_without_a_unit_shows_bare_numbers() -> None:
    assert judge_numeric(Limit(rules.GTE, D(95)), D(94)).text == "94 < 95: defect"


def test_requirements_read_as_the_template_states_them() -> None:
    assert Limit(rules.LTE, D(20), unit="mm").requirement() == "≤ 20 mm"
    assert Limit(rules.LT, D("2.50"), unit="mm").requirement() == "< 2.5 mm"
    assert Limit(rules.GTE, D(95), unit="%").requirement() == "≥ 95 %"
    assert Limit(rules.GT, D(0)).requirement() == "> 0"
    assert Limit(rules.BETWEEN, D(10), D(30), unit="mm").requirement() == "10 to 30 mm"
    assert Limit(rules.TOLERANCE, D(100), D("0.5"), unit="mm").requirement() == "100 ± 0.5 mm"


def test_a_chinese_judgement_carries_the_same_numbers_and_symbols() -> None:
    with translation.override("zh-hans"):
        text = judge_numeric(Limit(rules.LTE, D(20), unit="mm"), D(23)).text
    assert text.startswith("23 mm > 20 mm")


# Limits that cannot judge.


def test_a_limit_names_what_it_lacks() -> None:
    assert Limit("", D(1)).problems() == ["Choose a comparator."]
    assert Limit(rules.BETWEEN, D(1)).problems() == ["Enter the upper limit."]
    assert Limit(rules.TOLERANCE, D(1)).problems() == ["Enter the tolerance."]
    assert Limit(rules.BETWEEN, D(30), D(10)).problems() == ["The upper limit must not be below the lower limit."]
    assert Limit(rules.TOLERANCE, D(10), D("-0.1")).problems() == ["The tolerance cannot be negative."]


def test_sound_limits_have_no_problems_including_equal_bounds_and_zero_tolerance() -> None:
    for limit in (
        Limit(rules.LTE, D(20)),
        Limit(rules.LT, D(0)),
        Limit(rules.GTE, D("-5")),
        Limit(rules.GT, D(1)),
        Limit(rules.BETWEEN, D(5), D(5)),
        Limit(rules.TOLERANCE, D(5), D(0)),
    ):
        assert limit.problems() == [], limit


# Compound items: a defect only when both readings breach.

CRACK_WIDTH = Limit(rules.LT, D(3), unit="mm")
CRACK_SPACING = Limit(rules.GT, D(100), unit="mm")


def test_a_compound_item_fails_when_both_readings_breach() -> None:
    judgement = judge_compound(CRACK_WIDTH, CRACK_SPACING, D("3.5"), D(80))
    assert (judgement.passed, judgement.text) == (False, "3.5 mm ≥ 3 mm and 80 mm ≤ 100 mm: defect")


def test_a_compound_item_passes_when_only_one_reading_breaches() -> None:
    wide = judge_compound(CRACK_WIDTH, CRACK_SPACING, D("3.5"), D(120))
    close = judge_compound(CRACK_WIDTH, CRACK_SPACING, D(2), D(80))
    assert (wide.passed, close.passed) == (True, True)
    assert wide.text == "3.5 mm ≥ 3 mm and 120 mm > 100 mm: not both breached, within limit"
    assert close.text == "2 mm < 3 mm and 80 mm ≤ 100 mm: not both breached, within limit"


def test_a_compound_item_passes_when_neither_reading_breaches() -> None:
    assert judge_compound(CRACK_WIDTH, CRACK_SPACING, D("2.9999"), D("100.0001")).passed is True


def test_a_compound_item_exactly_at_both_exclusive_limits_breaches_both() -> None:
    # 3 is not < 3 and 100 is not > 100.
    assert judge_compound(CRACK_WIDTH, CRACK_SPACING, D(3), D(100)).passed is False


# Pass/fail and choice items.


def test_a_pass_fail_check_says_pass_or_fail() -> None:
    assert judge_pass_fail(True) == rules.Judgement(True, "Pass")
    assert judge_pass_fail(False) == rules.Judgement(False, "Fail")


OPTIONS = [
    {"key": "sound", "label": "完好 / Sound", "acceptable": True},
    {"key": "cracked", "label": "裂缝 / Cracked", "acceptable": False},
    {"key": "na", "acceptable": True},
]


def test_a_choice_is_judged_by_its_key_acceptable_or_a_defect() -> None:
    assert judge_choice(OPTIONS, "sound") == rules.Judgement(True, "完好 / Sound")
    assert judge_choice(OPTIONS, "cracked") == rules.Judgement(False, "裂缝 / Cracked: defect")


def test_a_choice_without_a_label_shows_its_key() -> None:
    assert judge_choice(OPTIONS, "na") == rules.Judgement(True, "na")


def test_the_words_of_a_choice_never_decide_it_only_its_key_does() -> None:
    # The same key judges the same however its label is written, cased or misspelt.
    for label in ("Sound", "SOUND", "sound ", "Sonud", "完好"):
        options = [{"key": "sound", "label": label, "acceptable": True}]
        assert judge_choice(options, "sound").passed is True


def test_an_unknown_choice_key_is_an_error_not_a_failure() -> None:
    for key in ("broken", "Sound", "完好 / Sound", ""):
        with pytest.raises(KeyError):
            judge_choice(OPTIONS, key)


# An inspection's outcome.


def test_a_failed_major_item_fails_the_inspection() -> None:
    assert rules.outcome([ItemResult("major", False), ItemResult("minor", True)]) == rules.FAILED


def test_a_failed_critical_item_fails_the_inspection_even_beside_minor_failures() -> None:
    assert rules.outcome([ItemResult("minor", False), ItemResult("critical", False)]) == rules.FAILED


def test_only_minor_failures_pass_the_inspection_with_remarks() -> None:
    results = [ItemResult("minor", False), ItemResult("minor", False), ItemResult("critical", True)]
    assert rules.outcome(results) == rules.PASSED_WITH_REMARKS


def test_all_items_passed_pass_the_inspection() -> None:
    assert rules.outcome([ItemResult("critical", True), ItemResult("major", True)]) == rules.PASSED


def test_text_only_items_that_are_never_judged_pass_the_inspection() -> None:
    assert rules.outcome([ItemResult("critical", None), ItemResult("major", None)]) == rules.PASSED
    assert rules.outcome([ItemResult("major", None), ItemResult("minor", False)]) == rules.PASSED_WITH_REMARKS


def test_an_inspection_without_items_passes() -> None:
    assert rules.outcome([]) == rules.PASSED


def test_outcome_reads_a_generator_once() -> None:
    assert rules.outcome(result for result in [ItemResult("major", False)]) == rules.FAILED


# Percentiles (days to close) by hand.


def test_the_90th_percentile_interpolates_between_closest_ranks() -> None:
    # Sorted 2 5 7 14 30: rank (5 - 1) x 0.9 = 3.6, between 14 and 30: 14 + 0.6 x 16 = 23.6.
    assert rules.percentile([30, 2, 14, 7, 5], 0.9) == pytest.approx(23.6)
    # 1..10: rank 8.1, between 9 and 10: 9.1.
    assert rules.percentile(list(range(1, 11)), 0.9) == pytest.approx(9.1)


def test_the_median_of_an_odd_count_is_the_middle_value_and_of_an_even_count_the_mean_of_the_middle_two() -> None:
    assert rules.percentile([2, 5, 7, 14, 30], 0.5) == 7
    assert rules.percentile([4, 1, 3, 2], 0.5) == pytest.approx(2.5)


def test_a_percentile_of_one_value_is_that_value_and_of_none_is_none() -> None:
    assert rules.percentile([12], 0.9) == 12
    assert rules.percentile([], 0.9) is None


def test_the_0th_and_100th_percentiles_are_the_extremes() -> None:
    assert rules.percentile([9, 3, 6], 0.0) == 3
    assert rules.percentile([9, 3, 6], 1.0) == 9


# Numbers as a person writes them.


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (23, "23"),
        (D("23"), "23"),
        (D("20.0000"), "20"),
        (D("2.50"), "2.5"),
        (D("-0.75"), "-0.75"),
        (D("1E+1"), "10"),
        (D("1E+2"), "100"),
        (D("100"), "100"),
        (D("0.0001"), "0.0001"),
        (D("0.00"), "0"),
        (D("-0"), "0"),
        (D("-0.0000"), "0"),
        (D("1234567.5000"), "1234567.5"),
        (D("9999999999.9999"), "9999999999.9999"),
    ],
)
def test_plain_writes_numbers_without_trailing_zeros_or_exponents(value: Decimal | int, text: str) -> None:
    assert rules.plain(value) == text
