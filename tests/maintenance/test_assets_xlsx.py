"""The asset register as an Excel workbook: exact round trips, typed cells, every bad cell by sheet, row and column,
nothing written on any error, the same permissions as the CSV."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import translation
from openpyxl import Workbook, load_workbook

from maintenance import jobs
from maintenance.models import Area, Asset
from maintenance.services import assets_xlsx
from pmo.models import AuditEvent, OrgRole
from tests.conftest import api_client_for, page_client_for
from tests.factories import (
    AreaFactory,
    AssetCategoryFactory,
    AssetFactory,
    ContractorFactory,
    ProjectFactory,
    SiteFactory,
    member,
)

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIELDS = [
    "code", "name", "category_id", "site_id", "area_id", "location_text", "latitude", "longitude", "quantity",
    "unit", "surface_area", "install_date", "warranty_end", "contractor_id", "origin_project_id",
]  # fmt: skip
HEADER = ["Code", "Name", "Category", "Site", "Quantity", "Unit", "Installed on", "Contractor"]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def api(org: Any, suffix: str) -> str:
    return f"/api/v1/orgs/{org.slug}/maintenance/{suffix}"


def page(org: Any, suffix: str) -> str:
    return f"/o/{org.slug}/maintenance/{suffix}"


@pytest.fixture
def manager(organization):
    client = api_client_for(member(organization, OrgRole.MAINTENANCE, language="en").user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def register(organization) -> None:
    site = SiteFactory(organization=organization, code="RIV")
    other = SiteFactory(organization=organization, code="HILL")
    road = AssetCategoryFactory(organization=organization, code="asphalt-road")
    seat = AssetCategoryFactory(organization=organization, code="seat", name_en="Seat", name_zh="座椅")
    paving = ContractorFactory(organization=organization, name="Riverside Paving")
    project = ProjectFactory(organization=organization, code="GW-2026")
    AreaFactory(site=site, name="North bank")
    north = Area.objects.for_organization(organization).get(name="North bank")
    AssetFactory(
        site=site,
        area=north,
        category=road,
        code="GW-P-001",
        name="=Path, segment 1",
        location_text="K0+000 to K0+250",
        latitude=Decimal("31.230400"),
        longitude=Decimal("121.473700"),
        quantity=Decimal("750.25"),
        unit="m2",
        surface_area=Decimal("812.50"),
        install_date=dt.date(2026, 5, 30),
        warranty_end=dt.date(2028, 5, 30),
        contractor=paving,
        origin_project=project,
    )
    AssetFactory(site=other, category=seat, code="B-7", name="长椅 Bench", quantity=Decimal("3"), unit="count")


def snapshot(organization) -> list[list[Any]]:
    assets = Asset.objects.for_organization(organization).order_by("code")
    return [[getattr(asset, name) for name in FIELDS] for asset in assets]


def send(client: Any, org: Any, content: bytes, name: str = "assets.xlsx") -> Any:
    upload = SimpleUploadedFile(name, content, content_type=XLSX)
    return client.post(api(org, "asset-import/xlsx/"), {"file": upload}, format="multipart")


def book(rows: list[list[Any]], header: list[str] | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Assets"
    sheet.append(header or HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def cells(data: bytes, sheet: str = "Assets") -> list[list[Any]]:
    return [list(row) for row in load_workbook(io.BytesIO(data))[sheet].iter_rows(values_only=True)]


def test_export_then_import_reproduces_the_register_exactly(organization, manager, register) -> None:
    before = snapshot(organization)
    exported = manager.get(api(organization, "asset-export/xlsx/"))
    assert exported.status_code == 200
    assert exported["Content-Type"] == XLSX
    Asset.objects.for_organization(organization).delete()

    answer = send(manager, organization, exported.content)

    assert answer.status_code == 201, answer.json()
    assert sorted(answer.json()["codes"]) == ["B-7", "GW-P-001"]
    assert snapshot(organization) == before
    assert cells(manager.get(api(organization, "asset-export/xlsx/")).content) == cells(exported.content)


def test_a_workbook_exported_in_chinese_imports_back_the_same(organization, manager, register) -> None:
    before = snapshot(organization)
    with translation.override("zh-hans"):
        exported = assets_xlsx.assets_export_xlsx(Asset.objects.for_organization(organization).order_by("code"))
    assert cells(exported, "资产")[0][:2] == ["编号", "名称"]
    Asset.objects.for_organization(organization).delete()

    assert send(manager, organization, exported).status_code == 201
    assert snapshot(organization) == before


def test_the_cells_are_typed_with_a_frozen_header_and_formulas_kept_as_text(organization, manager, register) -> None:
    sheet = load_workbook(io.BytesIO(manager.get(api(organization, "asset-export/xlsx/")).content))["Assets"]
    header = [cell.value for cell in sheet[1]]
    path = dict(zip(header, sheet[3], strict=True))

    assert sheet.freeze_panes == "A2"
    assert path["Code"].value == "GW-P-001"
    assert (path["Name"].value, path["Name"].data_type) == ("=Path, segment 1", "s")
    assert path["Installed on"].is_date
    assert path["Installed on"].value == dt.datetime(2026, 5, 30)
    assert (path["Latitude"].value, path["Quantity"].value, path["Unit"].value) == (31.2304, 750.25, "m²")


def test_the_export_is_the_filtered_list_in_a_fixed_number_of_queries(
    organization, manager, register, django_assert_num_queries
) -> None:
    site = Asset.objects.for_organization(organization).get(code="B-7").site_id
    manager.get(api(organization, "asset-export/xlsx/"))
    with django_assert_num_queries(4):
        answer = manager.get(api(organization, f"asset-export/xlsx/?site={site}"))
    assert [row[0] for row in cells(answer.content)] == ["Code", "B-7"]
    AssetFactory.create_batch(5, organization=organization)
    with django_assert_num_queries(3):
        manager.get(api(organization, "asset-export/xlsx/"))
    assert manager.get(api(organization, "asset-export/xlsx/?site=nope")).status_code == 400


def test_the_template_has_an_example_row_and_a_sheet_explaining_each_column(organization, manager) -> None:
    answer = manager.get(api(organization, "asset-import/template/xlsx/"))

    assert answer.status_code == 200
    assert load_workbook(io.BytesIO(answer.content)).sheetnames == ["Assets", "Columns explained"]
    header, example = cells(answer.content)[:2]
    assert header[:4] == ["Code", "Name", "Category", "Site"]
    assert example[:4] == ["GW-P-001", "Greenway path, segment 1", "asphalt-road", "RIVERSIDE"]
    explained = cells(answer.content, "Columns explained")
    assert ["Assets", "Installed on", "no", "date"] in [row[:4] for row in explained]


@pytest.mark.parametrize(
    ("row", "cell", "message"),
    [
        (["A-1", "Bench", "seat", "RIV", "many"], "Assets!E2", "Quantity: Enter a number."),
        (["A-1", "Bench", "seat", "RIV", 1.234], "Assets!E2", "Quantity: Enter at most 2 decimals."),
        (["A-1", "Bench", "sofa", "RIV"], "Assets!C2", "Category: No category has this code or name."),
        (["A-1", "Bench", "seat", "MOON"], "Assets!D2", "Site: No site has this code."),
        (["A-1", "Bench", "seat", "RIV", 1, "km"], "Assets!F2", "Unit: “km” is not one of: m² / m / count / set."),
        (["A-1", "Bench", "seat", "RIV", 1, None, dt.date(1850, 1, 1)], "Assets!G2", "Installed on: "),
        (["A-1", "Bench", "seat", "RIV", 1, None, "soon"], "Assets!G2", "Installed on: Enter a date (YYYY-MM-DD)."),
        (["A-1", "Bench", "seat", "RIV", 1, None, None, "Nobody"], "Assets!H2", "Contractor: No contractor has"),
        (["TAKEN", "Bench", "seat", "RIV"], "Assets!A2", "Code: An asset with this code already exists."),
        (["A-1", "", "seat", "RIV"], "Assets!B2", "Name: This cell is required."),
    ],
    ids=[
        "wrong type",
        "too many decimals",
        "unknown category",
        "unknown site",
        "unknown unit",
        "date out of range",
        "not a date",
        "unknown contractor",
        "code taken",
        "required",
    ],
)
def test_each_kind_of_bad_cell_is_reported_by_sheet_row_and_column_and_nothing_is_written(
    organization, manager, row, cell, message
) -> None:
    SiteFactory(organization=organization, code="RIV")
    AssetCategoryFactory(organization=organization, code="seat")
    AssetFactory(organization=organization, code="TAKEN")

    answer = send(manager, organization, book([row, ["OK-1", "Fine", "seat", "RIV"]]))

    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "invalid_workbook"
    assert list(error["fields"]) == [cell]
    assert error["fields"][cell][0].startswith(message)
    assert Asset.objects.for_organization(organization).count() == 1
    assert not Area.objects.for_organization(organization).exists()


def test_a_code_twice_in_the_workbook_names_the_first_row(organization, manager) -> None:
    SiteFactory(organization=organization, code="RIV")
    AssetCategoryFactory(organization=organization, code="seat")

    answer = send(manager, organization, book([["A-1", "One", "seat", "RIV"], ["a-1", "Two", "seat", "RIV"]]))

    assert answer.json()["error"]["fields"] == {"Assets!A3": ["Code: The code is also on row 2."]}
    assert not Asset.objects.for_organization(organization).exists()


@override_settings(PMO_EXCHANGE_MAX_BYTES=2048)
def test_a_file_too_large_is_refused(organization, manager) -> None:
    answer = send(manager, organization, book([[f"A-{n}", "Bench", "seat", "RIV"] for n in range(300)]))

    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "too_large"


def test_a_file_that_is_not_a_workbook_is_refused(organization, manager) -> None:
    answer = send(manager, organization, b"code,name\nA,B\n")

    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "invalid_file"


def test_an_import_writes_new_areas_and_one_audit_event_per_asset(organization, manager) -> None:
    SiteFactory(organization=organization, code="RIV")
    AssetCategoryFactory(organization=organization, code="seat")
    header = [*HEADER[:4], "Area"]

    answer = send(manager, organization, book([["A-1", "One", "seat", "RIV", "Plaza"]], header=header))

    assert answer.status_code == 201
    assert Asset.objects.for_organization(organization).get().area.name == "Plaza"
    events = AuditEvent.objects.for_organization(organization).filter(action="maintenance.asset.imported")
    assert events.count() == 1


def test_permissions_are_the_csvs_and_another_organisation_is_not_found(organization, other_organization) -> None:
    viewer = api_client_for(member(organization, OrgRole.VIEWER).user)
    outsider = api_client_for(member(other_organization, OrgRole.MAINTENANCE).user)

    assert viewer.get(api(organization, "asset-export/xlsx/")).status_code == 200
    assert viewer.get(api(organization, "asset-import/template/xlsx/")).status_code == 403
    assert send(viewer, organization, book([])).status_code == 403
    for path in ("asset-export/xlsx/", "asset-import/template/xlsx/"):
        assert outsider.get(api(organization, path)).status_code == 404
    assert send(outsider, organization, book([])).status_code == 404


def test_the_import_page_takes_a_workbook_and_lists_every_bad_cell_with_its_sheet(organization) -> None:
    SiteFactory(organization=organization, code="RIV")
    AssetCategoryFactory(organization=organization, code="seat")
    browser = page_client_for(member(organization, OrgRole.MAINTENANCE, language="en").user)
    bad = book([["S-1", "Bench", "sofa", "RIV"], ["S-2", "Bench", "seat", "RIV", -1]])

    answer = browser.post(page(organization, "assets/import/"), {"file": SimpleUploadedFile("a.xlsx", bad)})

    assert answer.status_code == 400
    text = answer.content.decode()
    assert '<th scope="col">Sheet</th>' in text
    assert "No category has this code or name." in text
    assert "The quantity cannot be negative." in text
    assert not Asset.objects.for_organization(organization).exists()
    good = book([["S-1", "Bench", "seat", "RIV", 2]])
    answer = browser.post(page(organization, "assets/import/"), {"file": SimpleUploadedFile("a.xlsx", good)})
    assert answer.status_code == 302
    assert Asset.objects.for_organization(organization).count() == 1


def test_the_pages_link_the_workbook_downloads(organization, register) -> None:
    browser = page_client_for(member(organization, OrgRole.MAINTENANCE, language="en").user)

    assert page(organization, "assets/export.xlsx") in browser.get(page(organization, "assets/")).content.decode()
    assert (
        page(organization, "assets/import/template.xlsx")
        in browser.get(page(organization, "assets/import/")).content.decode()
    )
    export = browser.get(page(organization, "assets/export.xlsx"))
    assert (export.status_code, export["Content-Type"]) == (200, XLSX)
    assert len(cells(export.content)) == 3
    template = browser.get(page(organization, "assets/import/template.xlsx"))
    assert cells(template.content)[0][0] == "Code"


def test_a_large_export_and_a_large_import_run_as_jobs_and_reproduce_the_register(
    organization, manager, register, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    monkeypatch.setattr(jobs, "JOB_ROWS", 1)
    monkeypatch.setattr(jobs, "JOB_UPLOAD_BYTES", 1)
    before = snapshot(organization)
    with django_capture_on_commit_callbacks(execute=True):
        answer = manager.get(api(organization, "asset-export/xlsx/"))
    assert answer.status_code == 202
    job = manager.get(answer["Location"]).json()
    assert (job["status"], job["percent"]) == ("done", 100)
    content = b"".join(manager.get(job["result_url"]).streaming_content)
    assert sorted(row[0] for row in cells(content)[1:]) == ["B-7", "GW-P-001"]
    Asset.objects.for_organization(organization).delete()

    with django_capture_on_commit_callbacks(execute=True):
        answer = send(manager, organization, content)

    assert answer.status_code == 202
    job = manager.get(answer["Location"]).json()
    assert (job["status"], job["report"]["counts"]) == ("done", {"Assets added": 2})
    assert snapshot(organization) == before


def test_a_large_import_with_a_bad_cell_fails_its_job_with_every_bad_cell_and_writes_nothing(
    organization, manager, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    monkeypatch.setattr(jobs, "JOB_UPLOAD_BYTES", 1)
    SiteFactory(organization=organization, code="RIV")
    AssetCategoryFactory(organization=organization, code="seat")

    with django_capture_on_commit_callbacks(execute=True):
        answer = send(manager, organization, book([["A-1", "Bench", "sofa", "RIV"], ["A-2", "Bench", "seat", "MOON"]]))

    job = manager.get(answer["Location"]).json()
    assert job["status"] == "failed"
    assert job["error"]["code"] == "invalid_workbook"
    assert set(job["error"]["fields"]) == {"Assets!C2", "Assets!D3"}
    assert not Asset.objects.for_organization(organization).exists()
