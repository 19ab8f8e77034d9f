"""The printed work-order sheet: what and where, the deadlines, the history and the photos."""

from __future__ import annotations

import pytest

from pmo.models import Organization, OrgRole
from tests.conftest import api_client_for, page_client_for
from tests.factories import AssetFactory, WorkOrderFactory, member
from tests.pdf_support import pdf_image_count, pdf_text, photo

pytestmark = pytest.mark.django_db


def test_a_viewer_downloads_the_sheet_with_its_photo_from_the_page_and_the_api(organization: Organization) -> None:
    viewer = member(organization, OrgRole.VIEWER, language="en").user
    asset = AssetFactory(organization=organization, name="Pump 3")
    work_order = WorkOrderFactory(
        organization=organization, asset=asset, title="Replace the seal", description="Leaking at the gland."
    )
    photo(work_order, "leak.png")
    response = page_client_for(viewer).get(f"/o/acme/maintenance/work-orders/{work_order.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{work_order.reference.lower()}.pdf"'
    text = pdf_text(response.content)
    assert f"Work order {work_order.reference}" in text
    assert "Replace the seal" in text
    assert "Leaking at the gland." in text
    assert "Pump 3" in text
    assert pdf_image_count(response.content) == 1
    api = api_client_for(viewer).get(
        f"/api/v1/orgs/acme/maintenance/work-orders/{work_order.pk}/pdf/", HTTP_ACCEPT="application/pdf"
    )
    assert api.status_code == 200
    assert api["Content-Type"] == "application/pdf"


def test_another_organisations_work_order_is_not_found(
    organization: Organization, other_organization: Organization
) -> None:
    work_order = WorkOrderFactory(organization=organization)
    stranger = member(other_organization, OrgRole.ADMIN).user
    assert page_client_for(stranger).get(f"/o/acme/maintenance/work-orders/{work_order.pk}/pdf/").status_code == 404
    api = f"/api/v1/orgs/acme/maintenance/work-orders/{work_order.pk}/pdf/"
    assert api_client_for(stranger).get(api).status_code == 404
