"""The risks app speaks Chinese where people read it: field names in a risk's history, and the errors of
its services and settings (found untranslated in the outside trial of issue 12)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models
from django.utils import translation

from risks import scoring


def _declared_fields() -> list[models.Field]:
    """Every field whose verbose name the risks models declare through gettext (not the ones Django derives)."""
    fields = []
    with translation.override("en"):
        for model in apps.get_app_config("risks").get_models():
            for field in model._meta.get_fields():
                if not isinstance(field, models.Field) or field.auto_created:
                    continue
                if str(field.verbose_name) != field.name.replace("_", " "):
                    fields.append(field)
    return fields


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


def test_every_declared_field_name_of_the_risks_models_reads_in_chinese():
    fields = _declared_fields()
    with translation.override("zh-hans"):
        untranslated = [
            f"{field.model.__name__}.{field.name}" for field in fields if not _has_chinese(str(field.verbose_name))
        ]
    assert fields
    assert untranslated == []


@pytest.mark.parametrize(
    "message",
    [
        "Say why the assessment changes.",
        "Assess the risk first.",
        "The risk is closed; reopen it first.",
        "Each probability band's percentage is at least the one below it.",
        "A risk category with this code already exists.",
        "Give the category a name in at least one language.",
        "Run Monte Carlo analyses and edit three-point estimates",
    ],
)
def test_the_risks_messages_people_meet_read_in_chinese(message):
    with translation.override("zh-hans"):
        assert _has_chinese(translation.gettext(message))


def test_an_invalid_matrix_is_explained_in_chinese():
    matrix = [["high"] * 5] + [["low"] * 5] * 4
    with translation.override("zh-hans"):
        errors = [str(error) for error in scoring.validate_matrix(matrix)]
    assert errors
    assert all(_has_chinese(error) for error in errors)
