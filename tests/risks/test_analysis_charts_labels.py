"""The tornado's labels fit left of its bars whatever the language (outside trial of issue 12: risk labels mixing
Chinese and English ran off the chart's left edge, "R-007 …" showing as "-007 …")."""

from __future__ import annotations

import re

from risks import analysis_charts


def _labels(svg: str) -> list[str]:
    return re.findall(
        r'<text x="[\d.]+" y="[\d.]+" text-anchor="end" font-size="13" fill="#1f2937"[^>]*>([^<]*)</text>', svg
    )


def _chart(label: str) -> str:
    bars = [{"label": label, "kind": "risk", "coefficient": "0.37"}]
    return str(analysis_charts.tornado_chart(bars, title="Tornado", kind_label=str))


def test_a_long_mixed_chinese_and_english_label_is_cut_to_fit_left_of_the_bars():
    label = "R-007 桥梁高处作业坠落 Fall from height on the footbridge"
    [shown] = _labels(_chart(label))
    assert shown.endswith("…")
    assert shown.startswith("R-007 桥梁")
    assert analysis_charts._text_width(shown) <= analysis_charts.TORNADO_LABEL - 8


def test_thirty_chinese_characters_are_cut_though_under_the_old_32_character_limit():
    [shown] = _labels(_chart("桥" * 30))
    assert shown.endswith("…")
    assert len(shown) < 30


def test_a_label_that_fits_is_shown_whole():
    [shown] = _labels(_chart("4.1 照明系统 Lighting"))
    assert shown == "4.1 照明系统 Lighting"
