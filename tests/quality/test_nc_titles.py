"""Titles of the non-conformances the application opens itself (a failed inspection, a rejected acceptance):
named in both languages, "中文 English" as the demo and finance's default categories name things, whatever
the language of whoever signed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from pmo.models import Organization
from quality.models import NcMode, NonConformance
from quality.services import acceptance
from quality.services import inspections as services
from quality.services.settings import quality_settings_for
from tests.factories import ChecklistItemFactory
from tests.quality.acceptance_support import make_acceptance
from tests.quality.inspection_support import Site, site

pytestmark = pytest.mark.django_db


def failed(place: Site, *items_failing: int) -> list[NonConformance]:
    inspection = services.inspection_schedule(actor=place.manager, project=place.project, template=place.template)
    for item in items_failing_of(place, len(items_failing)):
        services.reading_record(actor=place.quality, inspection=inspection, item=item, number="23")
    services.inspection_sign(actor=place.quality, inspection=inspection)
    return list(NonConformance.objects.for_organization(place.organization).order_by("number"))


def items_failing_of(place: Site, count: int) -> list:
    items = [place.depth]
    for position in range(2, count + 1):
        items.append(
            ChecklistItemFactory(
                organization=place.organization,
                template=place.template,
                position=position,
                text_en=f"Rut depth {position}",
                text_zh=f"车辙深度{position}",
                limit_a=Decimal("20"),
            )
        )
    return items


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_one_per_failed_item_is_named_by_the_item_in_both_languages(organization: Organization, language) -> None:
    place = site(organization)
    with translation.override(language):
        [nc] = failed(place, 1)
    assert nc.title == "I-001: 坑槽深度 Pothole depth"


def test_an_item_named_in_one_language_keeps_that_name(organization: Organization) -> None:
    place = site(organization, text_zh="")
    with translation.override("zh-hans"):
        [nc] = failed(place, 1)
    assert nc.title == "I-001: Pothole depth"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_one_per_failed_inspection_is_named_in_both_languages(organization: Organization, language) -> None:
    place = site(organization)
    settings = quality_settings_for(organization)
    settings.nc_mode = NcMode.PER_INSPECTION
    settings.save()
    with translation.override(language):
        [nc] = failed(place, 1, 2, 3)
    assert nc.title == "I-001: 3 个检查项不合格 3 checks failed"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_rejected_acceptance_opens_a_non_conformance_named_in_both_languages(language) -> None:
    place = make_acceptance()
    element = place.element
    deliverable = acceptance.deliverable_flag(actor=place.manager, project=place.project, wbs_element=element)
    with translation.override(language):
        signed = acceptance.deliverable_sign(
            actor=place.client, deliverable=deliverable, decision="rejected", note="No"
        )
    assert signed.non_conformance.title == f"{element.code} Kerbs and footpaths: 验收被拒绝 Acceptance rejected"
