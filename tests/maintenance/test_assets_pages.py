"""The asset register's pages: the list in a fixed number of queries, who may change what, the CSV import's
refusal table, an asset's page and its move and retirement, contractors, sites and areas."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from maintenance.models import Area, Asset, AssetStatus, Contractor, Site
from pmo.models import OrgRole
from tests.conftest import page_client_for
from tests.factories import (
    AreaFactory,
    AssetCategoryFactory,
    AssetFactory,
    AssetReadingFactory,
    ContractorFactory,
    SiteFactory,
    WorkOrderFactory,
    member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def url(org, path: str = "") -> str:
    return f"/o/{org.slug}/maintenance/{path}"


@pytest.fixture
def manager(organization):
    client = page_client_for(member(organization, OrgRole.MAINTENANCE, language="en").user)
    return client


@pytest.fixture
def viewer(organization):
    return page_client_for(member(organization, OrgRole.VIEWER, language="en").user)


def test_the_asset_list_runs_a_fixed_number_of_queries(organization, manager, django_assert_num_queries) -> None:
    site = SiteFactory(organization=organization)
    AssetFactory.create_batch(2, site=site)
    manager.get(url(organization, "assets/"))
    with django_assert_num_queries(12) as first:
        manager.get(url(organization, "assets/"))
    AssetFactory.create_batch(
        5, site=site, area=AreaFactory(site=site), contractor=ContractorFactory(organization=organization)
    )
    with django_assert_num_queries(len(first.captured_queries)):
        answer = manager.get(url(organization, "assets/?status=active"))
    assert answer.status_code == 200
    assert answer.content.decode().count('class="asset-name"') == 7


def test_a_viewer_reads_the_register_without_the_buttons_and_may_not_write(organization, viewer) -> None:
    asset = AssetFactory(organization=organization, name="Heron sculpture")
    text = viewer.get(url(organization, "assets/")).content.decode()
    assert "Heron sculpture" in text
    assert url(organization, "assets/new/") not in text
    assert viewer.get(url(organization, f"assets/{asset.pk}/")).status_code == 200
    assert viewer.get(url(organization, "assets/new/")).status_code == 403
    assert viewer.post(url(organization, "contractors/"), {"name": "Firm"}).status_code == 403
    assert viewer.post(url(organization, f"assets/{asset.pk}/"), {"op": "restore"}).status_code == 403
    assert not Contractor.objects.for_organization(organization).exists()


def test_an_asset_is_added_on_its_page_and_bad_input_is_shown_beside_the_field(organization, manager) -> None:
    site = SiteFactory(organization=organization)
    category = AssetCategoryFactory(organization=organization)
    data = {"code": "GW-1", "name": "Path", "category": category.pk, "site": site.pk, "quantity": "750", "unit": "m2"}
    refused = manager.post(
        url(organization, "assets/new/"), {**data, "latitude": "91", "longitude": "1", "route_order": "0"}
    )
    assert refused.status_code == 400
    assert "Enter a number from -90 to 90." in refused.content.decode()
    answer = manager.post(url(organization, "assets/new/"), {**data, "route_order": "0"})
    assert answer.status_code == 302
    asset = Asset.objects.for_organization(organization).get()
    assert answer["Location"] == url(organization, f"assets/{asset.pk}/")


def test_the_asset_page_shows_its_readings_work_orders_and_lifecycle_cost_and_moves_it(organization, manager) -> None:
    asset = AssetFactory(organization=organization, code="GW-9")
    AssetReadingFactory(organization=organization, stop__asset=asset)
    WorkOrderFactory(organization=organization, asset=asset, title="Fill the pothole", cost=Decimal("1250.00"))
    text = manager.get(url(organization, f"assets/{asset.pk}/")).content.decode()
    assert "Fill the pothole" in text
    assert "1,250.00" in text
    target = SiteFactory(organization=organization, code="NEW")
    moved = manager.post(
        url(organization, f"assets/{asset.pk}/"),
        {"op": "move", "move-site": target.pk, "move-location_text": "East gate"},
    )
    assert moved.status_code == 302
    asset.refresh_from_db()
    assert (asset.site, asset.location_text) == (target, "East gate")


def test_retiring_an_asset_with_an_open_work_order_shows_why_and_changes_nothing(organization, manager) -> None:
    asset = AssetFactory(organization=organization)
    order = WorkOrderFactory(organization=organization, asset=asset)
    answer = manager.post(
        url(organization, f"assets/{asset.pk}/"),
        {"op": "retire", "retire-retired_on": organization.today().isoformat(), "retire-retired_reason": "Gone"},
    )
    assert answer.status_code == 400
    assert order.reference in answer.content.decode()
    asset.refresh_from_db()
    assert asset.status == AssetStatus.ACTIVE


def test_the_import_page_lists_every_bad_row_with_its_line_and_column_and_imports_nothing(
    organization, manager
) -> None:
    SiteFactory(organization=organization, code="RIV")
    AssetCategoryFactory(organization=organization, code="seat")
    content = "code,name,category,site,quantity\nS-1,Bench,seat,RIV,1\nS-2,Bench,sofa,RIV,1\nS-3,Bench,seat,RIV,-1\n"
    answer = manager.post(
        url(organization, "assets/import/"),
        {"file": SimpleUploadedFile("assets.csv", content.encode(), content_type="text/csv")},
    )
    assert answer.status_code == 400
    text = answer.content.decode()
    assert "Nothing was imported" in text
    assert '<td class="num line-no" data-label="Line">3</td>' in text
    assert "<code>category</code>" in text
    assert "<code>quantity</code>" in text
    assert not Asset.objects.for_organization(organization).exists()
    good = content.replace("sofa", "seat").replace("-1", "2")
    answer = manager.post(
        url(organization, "assets/import/"),
        {"file": SimpleUploadedFile("assets.csv", good.encode(), content_type="text/csv")},
    )
    assert answer.status_code == 302
    assert Asset.objects.for_organization(organization).count() == 3


def test_the_export_is_the_filtered_list_in_the_imports_columns(organization, manager) -> None:
    site = SiteFactory(organization=organization, code="RIV")
    AssetFactory(site=site, code="GW-1", quantity=Decimal("750"), unit="m2")
    AssetFactory(organization=organization, code="ELSEWHERE")
    answer = manager.get(url(organization, f"assets/export.csv?site={site.pk}"))
    lines = answer.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("code,name,category,site,area")
    assert len(lines) == 2
    assert lines[1].startswith("GW-1,")


def test_contractors_sites_and_areas_are_managed_on_their_pages(organization, manager) -> None:
    assert manager.post(url(organization, "contractors/"), {"name": "Green Source"}).status_code == 302
    firm = Contractor.objects.for_organization(organization).get()
    assert manager.post(url(organization, f"contractors/{firm.pk}/"), {"op": "deactivate"}).status_code == 302
    firm.refresh_from_db()
    assert not firm.is_active
    assert "Green Source" in manager.get(url(organization, "contractors/")).content.decode()

    assert manager.post(url(organization, "sites/"), {"code": "RIV", "name": "Riverside"}).status_code == 302
    site = Site.objects.for_organization(organization).get()
    answer = manager.post(
        url(organization, f"sites/{site.pk}/"), {"op": "area_add", "area-name": "Plaza", "area-position": "0"}
    )
    assert answer.status_code == 302
    assert Area.objects.for_organization(organization).get().name == "Plaza"
    refused = manager.post(
        url(organization, f"sites/{site.pk}/"), {"op": "area_add", "area-name": "plaza", "area-position": "1"}
    )
    assert refused.status_code == 400
    assert "The site already has an area with this name." in refused.content.decode()


@pytest.mark.parametrize("path", ["contractors/", "sites/"])
def test_the_contractor_and_site_pages_run_a_fixed_number_of_queries(
    organization, manager, path, django_assert_num_queries
) -> None:
    def more() -> None:
        AssetFactory(
            site=SiteFactory(organization=organization), contractor=ContractorFactory(organization=organization)
        )

    more()
    manager.get(url(organization, path))
    with django_assert_num_queries(8) as first:
        manager.get(url(organization, path))
    for _ in range(4):
        more()
    with django_assert_num_queries(len(first.captured_queries)):
        assert manager.get(url(organization, path)).status_code == 200
