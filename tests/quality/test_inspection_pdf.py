"""The printed inspection report: its checks, readings and verdicts, and its photos embedded."""

from __future__ import annotations

import pytest

from pmo.models import Organization, OrgRole
from tests.conftest import api_client_for, page_client_for
from tests.factories import InspectionFactory, ReadingFactory, member
from tests.pdf_support import pdf_image_count, pdf_text, photo
from tests.quality.inspection_support import site

pytestmark = pytest.mark.django_db


def test_the_report_lists_each_reading_and_embeds_the_photos_of_the_inspection_and_its_readings(
    organization: Organization,
) -> None:
    place = site(organization)
    inspection = InspectionFactory(
        organization=organization, project=place.project, template=place.template, location="North span"
    )
    reading = ReadingFactory(organization=organization, inspection=inspection, item=place.depth)
    photo(reading, "crack.png")
    photo(inspection, "overview.png")
    url = f"/o/acme/projects/{place.project.pk}/quality/inspections/{inspection.pk}/pdf/"
    response = page_client_for(place.quality).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert f"Inspection report {inspection.code}" in text
    assert "North span" in text
    assert "crack.png" in text
    assert pdf_image_count(response.content) == 2
    api = api_client_for(place.quality).get(
        f"/api/v1/orgs/acme/projects/{place.project.pk}/inspections/{inspection.pk}/pdf/",
        HTTP_ACCEPT="application/pdf",
    )
    assert api.status_code == 200
    assert api.content.startswith(b"%PDF-")


def test_another_organisations_inspection_is_not_found(
    organization: Organization, other_organization: Organization
) -> None:
    place = site(organization)
    inspection = InspectionFactory(organization=organization, project=place.project, template=place.template)
    stranger = member(other_organization, OrgRole.ADMIN).user
    page = f"/o/acme/projects/{place.project.pk}/quality/inspections/{inspection.pk}/pdf/"
    api = f"/api/v1/orgs/acme/projects/{place.project.pk}/inspections/{inspection.pk}/pdf/"
    assert page_client_for(stranger).get(page).status_code == 404
    assert api_client_for(stranger).get(api).status_code == 404
