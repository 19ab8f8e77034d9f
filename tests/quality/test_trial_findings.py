"""Regression tests for what the outside trial of the quality app found (issue 13)."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from pmo.errors import ApplicationError
from quality.services import inspections
from tests.conftest import page_client_for
from tests.quality.inspection_support import choice_item, site

pytestmark = pytest.mark.django_db


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_verdict_reads_in_the_readers_language_and_a_choice_is_named_once(organization) -> None:
    s = site(organization)
    choice = choice_item(s.template)
    inspection = inspections.inspection_schedule(actor=s.quality, project=s.project, template=s.template)
    # A Chinese-speaking colleague records the readings; the English reader sees English verdicts.
    with translation.override("zh-hans"):
        inspections.reading_record(actor=s.quality, inspection=inspection, item=s.depth, sequence=1, number="23")
        inspections.reading_record(actor=s.quality, inspection=inspection, item=choice, sequence=1, choice="open")
    url = f"/o/{organization.slug}/projects/{s.project.pk}/quality/inspections/{inspection.pk}/"
    text = text_of(page_client_for(s.quality).get(url).content.decode())
    assert "23 mm &gt; 20 mm: defect" in text
    assert "缺陷" not in text
    assert "Open joint: defect" in text
    assert "Open joint: Open joint" not in text


def test_a_reading_too_large_says_so_rather_than_asking_for_a_number() -> None:
    with translation.override("en"), pytest.raises(ApplicationError) as error:
        inspections._decimal("99999999999999999", "number")
    assert error.value.fields == {"number": ["Enter a number smaller than 10,000,000,000."]}
    with translation.override("en"), pytest.raises(ApplicationError) as error:
        inspections._decimal("1e400", "number")
    assert error.value.fields == {"number": ["Enter a number smaller than 10,000,000,000."]}
