"""The asset register's API: lists answering what their serializers declare in a fixed number of queries,
filters, writes through the services with the stable error body, permissions and the CSV import."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from maintenance.api.assets import AssetSerializer, ContractorSerializer
from maintenance.models import Asset, Contractor
from pmo.models import AuditEvent, OrgRole
from tests.conftest import api_client_for
from tests.factories import (
    AreaFactory,
    AssetCategoryFactory,
    AssetFactory,
    ContractorFactory,
    OrganizationFactory,
    ProjectFactory,
    SiteFactory,
    WorkOrderFactory,
    member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def base(org) -> str:
    return f"/api/v1/orgs/{org.slug}/maintenance/"


@pytest.fixture
def manager(organization):
    client = api_client_for(member(organization, OrgRole.MAINTENANCE, language="en").user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_the_asset_list_answers_what_the_serializer_declares_in_a_fixed_number_of_queries(
    organization, manager, django_assert_num_queries
) -> None:
    site = SiteFactory(organization=organization)
    AssetFactory.create_batch(2, site=site, contractor=ContractorFactory(organization=organization))
    manager.get(base(organization) + "assets/")  # warm the session and caches
    with django_assert_num_queries(3):
        first = manager.get(base(organization) + "assets/")
    AssetFactory.create_batch(
        4, site=site, area=AreaFactory(site=site), origin_project=ProjectFactory(organization=organization)
    )
    with django_assert_num_queries(3):
        answer = manager.get(base(organization) + "assets/")
    assert first.status_code == answer.status_code == 200
    rows = (
        Asset.objects.for_organization(organization)
        .select_related("site", "area", "category", "contractor", "origin_project")
        .order_by("site__code", "route_order", "code")
    )
    assert answer.json()["results"] == AssetSerializer(rows, many=True).data


def test_the_contractor_list_answers_what_the_serializer_declares(organization, manager) -> None:
    ContractorFactory.create_batch(2, organization=organization)
    rows = Contractor.objects.for_organization(organization).select_related("user").order_by("name")
    assert (
        manager.get(base(organization) + "contractors/").json()["results"] == ContractorSerializer(rows, many=True).data
    )


def test_the_asset_list_filters(organization, manager) -> None:
    today = organization.today()
    site, other_site = SiteFactory(organization=organization), SiteFactory(organization=organization)
    firm = ContractorFactory(organization=organization)
    project = ProjectFactory(organization=organization)
    category = AssetCategoryFactory(organization=organization)
    path = AssetFactory(site=site, code="GW-PATH", name="Greenway path", contractor=firm, warranty_end=today)
    bench = AssetFactory(site=other_site, code="BENCH-1", category=category, origin_project=project)
    old = AssetFactory(
        site=site,
        code="OLD",
        status="retired",
        retired_on=today,
        retired_reason="Gone",
        warranty_end=today - dt.timedelta(days=1),
    )

    def codes(query: str) -> set[str]:
        answer = manager.get(base(organization) + "assets/?" + query)
        assert answer.status_code == 200, answer.json()
        return {row["code"] for row in answer.json()["results"]}

    assert codes(f"site={site.pk}") == {path.code, old.code}
    assert codes(f"category={category.pk}") == {bench.code}
    assert codes("status=retired") == {old.code}
    assert codes(f"contractor={firm.pk}") == {path.code}
    assert codes(f"origin_project={project.pk}") == {bench.code}
    assert codes("under_warranty=yes") == {path.code}
    assert codes("q=greenway") == {path.code}
    refused = manager.get(base(organization) + "assets/?site=999999")
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "invalid_filter"


def test_an_asset_is_created_and_bad_input_gets_the_stable_error_body(organization, manager) -> None:
    site = SiteFactory(organization=organization)
    category = AssetCategoryFactory(organization=organization)
    body = {"code": "GW-1", "name": "Path", "category": category.pk, "site": site.pk, "quantity": "750", "unit": "m2"}
    created = manager.post(base(organization) + "assets/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["site_code"] == site.code
    refused = manager.post(
        base(organization) + "assets/",
        {**body, "code": "GW-2", "install_date": "2026-06-01", "warranty_end": "2026-05-01", "quantity": "-1"},
        format="json",
    )
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["fields"]["warranty_end"] == ["The warranty cannot end before the asset was installed."]
    assert error["fields"]["quantity"] == ["The quantity cannot be negative."]
    assert Asset.objects.for_organization(organization).count() == 1
    # A route order beyond what the column holds is a 400 naming it, not a server error (the fuzz run's find).
    asset_url = base(organization) + f"assets/{created.json()['id']}/"
    too_far = manager.patch(asset_url, {"route_order": 3684432432379110912}, format="json")
    assert too_far.status_code == 400
    assert too_far.json()["error"]["fields"] == {
        "route_order": ["Ensure this value is less than or equal to 2147483647."]
    }
    assert manager.get(asset_url).json()["route_order"] == 0


def test_an_area_of_another_organisation_does_not_exist(organization, manager) -> None:
    site = SiteFactory(organization=organization)
    foreign = AreaFactory(organization=OrganizationFactory())
    answer = manager.post(
        base(organization) + "assets/",
        {
            "code": "X",
            "name": "X",
            "category": AssetCategoryFactory(organization=organization).pk,
            "site": site.pk,
            "area": foreign.pk,
        },
        format="json",
    )
    assert answer.status_code == 400
    assert "area" in answer.json()["error"]["fields"]


def test_move_retire_and_restore_through_the_api(organization, manager) -> None:
    asset = AssetFactory(organization=organization)
    target = SiteFactory(organization=organization, code="NEW")
    area = AreaFactory(site=target)
    moved = manager.post(
        base(organization) + f"assets/{asset.pk}/move/",
        {"site": target.pk, "area": area.pk, "note": "Relaid"},
        format="json",
    )
    assert moved.status_code == 200, moved.json()
    assert (moved.json()["site_code"], moved.json()["area"]) == ("NEW", area.pk)
    event = AuditEvent.objects.for_organization(organization).get(action="maintenance.asset.moved")
    assert event.changes["after"]["site"] == "NEW"

    order = WorkOrderFactory(organization=organization, asset=asset)
    body = {"retired_on": organization.today().isoformat(), "reason": "Demolished"}
    refused = manager.post(base(organization) + f"assets/{asset.pk}/retire/", body, format="json")
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "asset_has_open_work_orders"
    assert order.reference in refused.json()["error"]["message"]

    order.status, order.cancel_reason = "cancelled", "Duplicate"
    order.save()
    retired = manager.post(base(organization) + f"assets/{asset.pk}/retire/", body, format="json")
    assert retired.json()["status"] == "retired"
    restored = manager.post(base(organization) + f"assets/{asset.pk}/restore/", {}, format="json")
    assert restored.json()["status"] == "active"
    assert manager.post(base(organization) + f"assets/{asset.pk}/restore/", {"x": 1}, format="json").status_code == 400


@pytest.mark.parametrize(
    ("role", "writes"),
    [
        (OrgRole.MAINTENANCE, True),
        (OrgRole.PMO, True),
        (OrgRole.ADMIN, True),
        (OrgRole.MEMBER, False),
        (OrgRole.QUALITY, False),
        (OrgRole.VIEWER, False),
    ],
)
def test_the_maintenance_role_and_the_pmo_write_everyone_reads(organization, role, writes) -> None:
    client = api_client_for(member(organization, role).user)
    assert client.get(base(organization) + "assets/").status_code == 200
    assert client.get(base(organization) + "contractors/").status_code == 200
    answer = client.post(base(organization) + "contractors/", {"name": f"Firm of {role}"}, format="json")
    assert answer.status_code == (201 if writes else 403)


def test_contractors_sites_and_areas_are_written_through_the_api(organization, manager) -> None:
    firm = manager.post(base(organization) + "contractors/", {"name": "Riverside Paving"}, format="json").json()
    assert (
        manager.post(base(organization) + "contractors/", {"name": "riverside paving"}, format="json").status_code
        == 400
    )
    deactivated = manager.post(base(organization) + f"contractors/{firm['id']}/deactivate/", {}, format="json")
    assert deactivated.json()["is_active"] is False
    site = manager.post(base(organization) + "sites/", {"code": "RIV", "name": "Riverside park"}, format="json").json()
    area = manager.post(base(organization) + "areas/", {"site": site["id"], "name": "Plaza"}, format="json")
    assert area.status_code == 201
    assert manager.get(base(organization) + f"areas/?site={site['id']}").json()["results"][0]["name"] == "Plaza"
    renamed = manager.patch(base(organization) + f"areas/{area.json()['id']}/", {"name": "Main plaza"}, format="json")
    assert renamed.json()["name"] == "Main plaza"
    # A position beyond what the column stores is a 400 naming it, not a server error.
    too_far = manager.patch(base(organization) + f"areas/{area.json()['id']}/", {"position": 3094851828}, format="json")
    assert too_far.status_code == 400
    assert list(too_far.json()["error"]["fields"]) == ["position"]


CSV_HEADER = (
    "code,name,category,site,area,location,latitude,longitude,quantity,unit,surface,install_date,warranty_end,"
    "contractor,origin_project\n"
)


def test_the_csv_import_writes_every_row_or_none_and_names_each_bad_row(organization, manager) -> None:
    SiteFactory(organization=organization, code="RIV")
    AssetCategoryFactory(organization=organization, code="asphalt-road")
    ContractorFactory(organization=organization, name="Riverside Paving")
    AssetFactory(organization=organization, code="TAKEN")
    bad = (
        CSV_HEADER
        + "GW-1,Path,asphalt-road,RIV,North,K0,31.2,121.4,750,m2,,2026-05-30,2028-05-30,Riverside Paving,\n"
        + "GW-2,Path,nope,RIV,,,,,1,count,,,,,\n"
        + "TAKEN,Path,asphalt-road,RIV,,,95,1,-2,km,,2026-05-30,2026-05-01,Nobody,NOPE\n"
        + "gw-1,Twice,asphalt-road,RIV,,,,,,,,,,,\n"
    )
    answer = manager.post(
        base(organization) + "asset-import/",
        {"file": SimpleUploadedFile("assets.csv", bad.encode(), content_type="text/csv")},
        format="multipart",
    )
    assert answer.status_code == 400
    fields = answer.json()["error"]["fields"]
    assert fields["3"] == ["category: No category has this code or name."]
    assert {message.split(":")[0] for message in fields["4"]} == {
        "code",
        "latitude",
        "quantity",
        "unit",
        "warranty_end",
        "contractor",
        "origin_project",
    }
    assert fields["5"] == ["code: The code is also on line 2."]
    assert Asset.objects.for_organization(organization).count() == 1

    good = (
        CSV_HEADER
        + "GW-1,Path,asphalt-road,RIV,North bank,K0,31.2,121.4,750,m²,,2026-05-30,2028-05-30,Riverside Paving,\n"
    )
    answer = manager.post(base(organization) + "asset-import/", good.encode(), content_type="text/csv")
    assert answer.status_code == 201, answer.json()
    assert answer.json() == {"created": 1, "codes": ["GW-1"]}
    asset = Asset.objects.for_organization(organization).get(code="GW-1")
    assert (asset.area.name, asset.unit, asset.quantity, asset.latitude) == (
        "North bank",
        "m2",
        Decimal("750"),
        Decimal("31.2"),
    )


@pytest.mark.parametrize("path", ["contractors/", "sites/", "areas/"])
def test_the_register_lists_run_a_fixed_number_of_queries(
    organization, manager, path, django_assert_num_queries
) -> None:
    def more() -> None:
        site = SiteFactory(organization=organization)
        AreaFactory(site=site)
        ContractorFactory(organization=organization)

    more()
    manager.get(base(organization) + path)
    with django_assert_num_queries(3):
        manager.get(base(organization) + path)
    for _ in range(3):
        more()
    with django_assert_num_queries(3):
        answer = manager.get(base(organization) + path)
    assert answer.json()["count"] == 4
