"""The resource pool and a project's assignments as Excel workbooks: round trips, every kind of bad cell (nothing
written), the API and the pages."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import translation
from openpyxl import Workbook, load_workbook

from pmo.errors import ApplicationError
from pmo.jobs import storage as job_storage
from pmo.jobs.services import job_execute
from pmo.models import AuditEvent, Job, JobStatus, Organization, OrgRole, User
from pmo.xlsx import XLSX_CONTENT_TYPE, read_workbook
from projects.models import Project
from resources import jobs as resource_jobs
from resources.models import Assignment, CostRate, Resource
from resources.services.assignments import assignment_create
from resources.services.pool_import import pool_import
from resources.services.workbooks import (
    ASSIGNMENTS_SHEET,
    RESOURCES_SHEET,
    assignments_import_xlsx,
    assignments_template,
    assignments_workbook,
    pool_import_xlsx,
    pool_template,
    pool_workbook,
)
from tests.conftest import api_client_for, page_client_for
from tests.factories import CostRateFactory, MembershipFactory, WorkingCalendarFactory, member
from tests.resources.assignments_support import Site, another_project, make_site

pytestmark = pytest.mark.django_db

with translation.override("en"):
    POOL_HEADER = [str(column.label) for column in RESOURCES_SHEET.columns]
    ASSIGNMENT_HEADER = [str(column.label) for column in ASSIGNMENTS_SHEET.columns]
CSV = (
    "code,name,kind,placeholder,role,department,user,calendar,hours_per_day,max_units,unit,skills,"
    "standard_rate,overtime_rate,rate_from,notes\n"
    "P-001,Wang Fang,person,no,Civil engineer,Engineering,wang,Site 6x10,7.5,100,,AutoCAD:4;Surveying:3,"
    "320.00,480.00,2026-01-01,=SUM(A1)\n"
    "P-900,Engineer to hire,person,yes,Civil engineer,Engineering,,,,,,,,,,Needed from May\n"
    "E-001,Excavator crew,equipment,no,Excavator crew,Plant,,,10,300,,,650.00,,2026-01-01,\n"
    "M-001,Ready-mix C30,material,no,,,,,,,m³,,480.00,,2026-01-01,\n"
)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def office(organization: Organization) -> User:
    return member(organization, OrgRole.RESOURCE, username="rm").user


def book(sheet_title: str, header: list[str], rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = sheet_title
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def pool_values(data: bytes) -> list[dict[str, Any]]:
    return [row.values for row in read_workbook(data, [RESOURCES_SHEET])["resources"]]


def assignment_values(data: bytes) -> list[dict[str, Any]]:
    return [row.values for row in read_workbook(data, [ASSIGNMENTS_SHEET])["assignments"]]


def refused(call: Any, organization: Organization) -> ApplicationError:
    before = AuditEvent.objects.for_organization(organization).count()
    with pytest.raises(ApplicationError) as caught:
        call()
    assert AuditEvent.objects.for_organization(organization).count() == before
    return caught.value


def upload(data: bytes, name: str = "book.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=XLSX_CONTENT_TYPE)


# --- the pool ---------------------------------------------------------------------------------


@pytest.fixture
def pool(organization: Organization, office: User) -> Organization:
    WorkingCalendarFactory(organization=organization, name="Site 6x10")
    member(organization, OrgRole.MEMBER, username="wang")
    pool_import(actor=office, organization=organization, text=CSV)
    return organization


def test_a_pool_exported_and_imported_into_an_empty_pool_gives_the_same_workbook(
    pool: Organization, other_organization: Organization
) -> None:
    exported = pool_workbook(pool, with_rates=True)
    WorkingCalendarFactory(organization=other_organization, name="Site 6x10")
    wang = User.objects.get(username="wang")
    importer = member(other_organization, OrgRole.RESOURCE, username="rival-rm").user
    MembershipFactory(organization=other_organization, user=wang, role=OrgRole.MEMBER)

    created = pool_import_xlsx(actor=importer, organization=other_organization, data=exported)

    assert [resource.code for resource in created] == ["E-001", "M-001", "P-001", "P-900"]
    assert pool_values(pool_workbook(other_organization, with_rates=True)) == pool_values(exported)
    assert pool_values(exported)[2] == {
        "code": "P-001",
        "name": "Wang Fang",
        "kind": "person",
        "placeholder": False,
        "role": "Civil engineer",
        "department": "Engineering",
        "user": "wang",
        "calendar": "Site 6x10",
        "hours_per_day": Decimal("7.50"),
        "max_units": Decimal("100.00"),
        "unit": None,
        "skills": "AutoCAD:4;Surveying:3",
        "standard_rate": Decimal("320.00"),
        "overtime_rate": Decimal("480.00"),
        "rate_from": dt.date(2026, 1, 1),
        "notes": "=SUM(A1)",
    }


def test_the_pool_export_has_typed_cells_and_the_rate_in_force_and_no_rates_for_who_may_not_see_them(
    pool: Organization,
) -> None:
    wang = Resource.objects.for_organization(pool).get(code="P-001")
    CostRateFactory(resource=wang, effective_from=pool.today() + dt.timedelta(days=30), standard_rate=Decimal("999"))

    sheet = load_workbook(io.BytesIO(pool_workbook(pool, with_rates=True)))["Resources"]
    hidden = pool_values(pool_workbook(pool, with_rates=False))

    assert [cell.value for cell in sheet[1]] == POOL_HEADER
    assert sheet.freeze_panes == "A2"
    assert (sheet["M4"].value, sheet["M4"].number_format) == (320, "#,##0.00")
    assert sheet["O4"].is_date
    assert (sheet["P4"].value, sheet["P4"].data_type) == ("=SUM(A1)", "s")
    assert {row["standard_rate"] for row in hidden} == {None}
    assert {row["rate_from"] for row in hidden} == {None}


def test_the_pool_template_explains_each_column_and_imports_as_it_is(organization: Organization, office: User) -> None:
    template = pool_template()
    explained = load_workbook(io.BytesIO(template))["Columns explained"]
    columns = [row[1] for row in explained.iter_rows(min_row=2, values_only=True) if row[1]]

    created = pool_import_xlsx(actor=office, organization=organization, data=template)

    assert columns == POOL_HEADER
    assert [resource.code for resource in created] == ["P-001"]
    assert CostRate.objects.for_organization(organization).get().standard_rate == Decimal("320.00")


def test_a_chinese_pool_workbook_imports_in_english(organization: Organization, office: User) -> None:
    with translation.override("zh-hans"):
        header = [str(column.label) for column in RESOURCES_SHEET.columns[:3]]
        data = book(str(RESOURCES_SHEET.title), header, [["E-9", "挖掘机", "设备"]])
    assert header[0] != "Code"

    pool_import_xlsx(actor=office, organization=organization, data=data)

    assert Resource.objects.for_organization(organization).get(code="E-9").kind == "equipment"


@pytest.mark.parametrize(
    ("row", "cell", "message"),
    [
        (["P-2", "B", None, None, None, None, None, None, "lots"], "Resources!I3", "Hours per day: Enter a number."),
        (["P-2", "B", "robot"], "Resources!C3", "Kind: “robot” is not one of"),
        (["P-2", "B", None, None, None, None, None, "Moon"], "Resources!H3", "Calendar: The organisation has no"),
        (["P-2", "B", None, None, None, None, "nobody"], "Resources!G3", "User: No member of the organisation"),
        (["P-1", "B"], "Resources!A3", "Code: The code is also on line 2."),
        (["P-2", "B", None, None, None, None, None, None, 30], "Resources!I3", "Hours per day: Enter a number from"),
        (["P-2", "B", *[None] * 10, 5, None, dt.date(1850, 1, 1)], "Resources!O3", "Rate from: Enter a date from"),
        (["P-2", None], "Resources!B3", "Name: This cell is required."),
    ],
)
def test_each_kind_of_bad_pool_cell_is_reported_by_sheet_row_and_column_and_nothing_is_added(
    organization: Organization, office: User, row: list[Any], cell: str, message: str
) -> None:
    data = book("Resources", POOL_HEADER, [["P-1", "A"], row])

    error = refused(lambda: pool_import_xlsx(actor=office, organization=organization, data=data), organization)

    assert error.code == "invalid_workbook"
    assert list(error.fields) == [cell]
    assert error.fields[cell][0].startswith(message)
    assert not Resource.objects.for_organization(organization).exists()


def test_a_code_already_in_the_pool_is_refused(pool: Organization, office: User) -> None:
    data = book("Resources", POOL_HEADER[:2], [["P-001", "Again"]])

    error = refused(lambda: pool_import_xlsx(actor=office, organization=pool, data=data), pool)

    assert error.fields == {"Resources!A2": ["Code: A resource with this code already exists."]}


def test_files_that_are_no_pool_workbook_are_refused_as_a_whole(organization: Organization, office: User) -> None:
    def attempt(data: bytes) -> ApplicationError:
        return refused(lambda: pool_import_xlsx(actor=office, organization=organization, data=data), organization)

    assert attempt(CSV.encode()).code == "invalid_file"
    assert attempt(b"PK\x03\x04 broken").code == "invalid_file"
    assert attempt(book("Resources", ["Code", "Colour"], [["P-1", "red"]])).fields == {
        "Resources": ["Unknown columns: Colour", "Missing columns: Name"]
    }
    with override_settings(PMO_EXCHANGE_MAX_BYTES=1000):
        error = attempt(book("Resources", POOL_HEADER, [["P-1", "x" * 2000]]))
    assert (error.code, error.status_code) == ("too_large", 413)


# --- a project's assignments ------------------------------------------------------------------


@pytest.fixture
def site(organization: Organization) -> Site:
    return make_site(organization)


def assign_all(site: Site) -> None:
    assignment_create(actor=site.manager, project=site.project, task=site.excavation, resource=site.engineer, units=50)
    assignment_create(
        actor=site.manager, project=site.project, task=site.excavation, resource=site.excavator, work=30, note="-dig"
    )
    assignment_create(actor=site.manager, project=site.project, task=site.backfill, resource=site.concrete, work=12)
    assignment_create(actor=site.manager, project=site.project, task=site.handover, resource=site.engineer, units=100)


def assignments_of(project: Project) -> list[tuple[Any, ...]]:
    return list(
        Assignment.objects.for_organization(project.organization_id)
        .filter(project=project)
        .order_by("task__sort_key", "resource__code")
        .values_list("task__code", "resource__code", "mode", "units", "work", "note")
    )


def test_assignments_exported_and_imported_into_a_project_with_the_same_wbs_come_back_the_same(site: Site) -> None:
    assign_all(site)
    exported = assignments_workbook(site.project)
    twin = another_project(site, "RIV-2")

    created = assignments_import_xlsx(actor=site.manager, project=twin.project, data=exported)

    assert len(created) == 4
    assert assignments_of(twin.project) == assignments_of(site.project)
    assert assignment_values(assignments_workbook(twin.project)) == assignment_values(exported)
    assert assignment_values(exported)[0] == {
        "task": "1.1",
        "task_name": "Excavation",
        "resource": "E001",
        "resource_name": "Excavator",
        "mode": "work",
        "units": Decimal("75.00"),
        "work": Decimal("30.00"),
        "note": "-dig",
    }


def test_the_assignments_template_explains_each_column(site: Site) -> None:
    workbook = load_workbook(io.BytesIO(assignments_template()))

    assert workbook.sheetnames == ["Assignments", "Columns explained"]
    assert [cell.value for cell in workbook["Assignments"][1]] == ASSIGNMENT_HEADER


@pytest.mark.parametrize(
    ("row", "cell", "message"),
    [
        (["9.9", None, "P001", None, None, 50], "Assignments!A3", "WBS code: The project has no WBS element 9.9."),
        (["1.2", None, "X-404", None, None, 50], "Assignments!C3", "Resource code: No resource has the code X-404."),
        (
            ["1.1", None, "P001", None, None, 50],
            "Assignments!C3",
            "Resource code: The resource is on this task on row 2",
        ),
        (["1", None, "P001", None, None, 50], "Assignments!A3", "WBS code: “Earthworks” is a summary"),
        (["1.2", None, "P001", None, None, "lots"], "Assignments!F3", "Units (%): Enter a number."),
        (["1.2", None, "P001", None, "sometimes", 50], "Assignments!E3", "Given as: “sometimes” is not one of"),
        (["1.2", None, "P001", None, None, 50, 40], "Assignments!F3", "Units (%): Give either the units or the work"),
        (["1.2", None, "P001", None, "units", None], "Assignments!F3", "Units (%): Give the units"),
    ],
)
def test_each_kind_of_bad_assignment_cell_is_reported_and_nothing_is_assigned(
    site: Site, row: list[Any], cell: str, message: str
) -> None:
    data = book("Assignments", ASSIGNMENT_HEADER, [["1.1", None, "P001", None, "units", 50], row])

    error = refused(lambda: assignments_import_xlsx(actor=site.manager, project=site.project, data=data), site.org)

    assert error.code == "invalid_workbook"
    assert cell in error.fields, error.fields
    assert error.fields[cell][0].startswith(message)
    assert assignments_of(site.project) == []


def test_a_resource_assigned_to_the_task_already_is_refused(site: Site) -> None:
    assign_all(site)
    data = book("Assignments", ASSIGNMENT_HEADER, [["1.1", None, "p001", None, None, 10]])

    error = refused(lambda: assignments_import_xlsx(actor=site.manager, project=site.project, data=data), site.org)

    assert error.fields == {
        "Assignments!C2": [
            "Resource code: P001 Li Wei is already assigned to this task: change that assignment instead."
        ]
    }


# --- API --------------------------------------------------------------------------------------


def test_the_pool_api_exports_imports_and_answers_bad_cells(
    pool: Organization, office: User, django_assert_num_queries: Any
) -> None:
    client = api_client_for(office)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    base = "/api/v1/orgs/acme/resources/xlsx/"

    # the membership, how many (a large pool is a job), the resources, their skills, their rates
    with django_assert_num_queries(5):
        exported = client.get(base)
    template = client.get(base + "template/")
    bad = client.post(
        base + "import/", {"file": upload(book("Resources", POOL_HEADER, [["P-001", "A"]]))}, format="multipart"
    )
    new = book("Resources", POOL_HEADER[:2], [["P-777", "New"]])
    good = client.post(base + "import/", {"file": upload(new)}, format="multipart")

    assert exported.status_code == 200
    assert exported["Content-Type"] == XLSX_CONTENT_TYPE
    assert len(pool_values(exported.content)) == 4
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"] == {"Resources!A2": ["Code: A resource with this code already exists."]}
    assert good.status_code == 201, good.json()
    assert good.json() == {"created": 1, "codes": ["P-777"]}
    assert template.status_code == 200
    assert load_workbook(io.BytesIO(template.content)).sheetnames == ["Resources", "Columns explained"]


def test_the_pool_api_shows_rates_only_to_who_may_see_them_and_imports_only_for_the_office(
    pool: Organization, other_organization: Organization
) -> None:
    viewer = api_client_for(member(pool, OrgRole.VIEWER).user)
    stranger = api_client_for(member(other_organization, OrgRole.ADMIN).user)
    base = "/api/v1/orgs/acme/resources/xlsx/"

    exported = viewer.get(base)

    assert exported.status_code == 200
    assert {row["standard_rate"] for row in pool_values(exported.content)} == {None}
    assert viewer.get(base + "template/").status_code == 403
    assert viewer.post(base + "import/", {"file": upload(pool_template())}, format="multipart").status_code == 403
    assert stranger.get(base).status_code == 404
    assert Resource.objects.for_organization(pool).count() == 4


def test_the_assignments_api_exports_in_a_fixed_number_of_queries_and_imports(
    site: Site, django_assert_num_queries: Any
) -> None:
    assign_all(site)
    twin = another_project(site, "RIV-2")
    client = api_client_for(site.manager)
    base = f"/api/v1/orgs/acme/projects/{site.project.pk}/assignments/xlsx/"

    # the membership with the project and the manager's role, how many, the assignments with tasks and resources
    with django_assert_num_queries(3):
        exported = client.get(base)
    imported = client.post(
        f"/api/v1/orgs/acme/projects/{twin.project.pk}/assignments/xlsx/import/",
        {"file": upload(exported.content)},
        format="multipart",
    )

    assert exported.status_code == 200
    assert exported["Content-Disposition"] == 'attachment; filename="RIV-assignments.xlsx"'
    assert imported.status_code == 201, imported.json()
    assert imported.json()["created"] == 4
    assert assignments_of(twin.project) == assignments_of(site.project)


def test_the_assignments_api_imports_only_for_who_assigns_and_hides_other_organisations(
    site: Site, other_organization: Organization
) -> None:
    base = f"/api/v1/orgs/acme/projects/{site.project.pk}/assignments/xlsx/"
    viewer = api_client_for(site.viewer)
    stranger = api_client_for(member(other_organization, OrgRole.ADMIN).user)
    data = book("Assignments", ASSIGNMENT_HEADER, [["1.1", None, "P001", None, "units", 50]])

    assert viewer.get(base).status_code == 200
    assert viewer.get(base + "template/").status_code == 403
    assert viewer.post(base + "import/", {"file": upload(data)}, format="multipart").status_code == 403
    assert stranger.get(base).status_code == 404
    assert stranger.post(base + "import/", {"file": upload(data)}, format="multipart").status_code == 404
    missing = api_client_for(site.manager).post(base + "import/", {}, format="multipart")
    assert missing.json()["error"]["code"] == "invalid_file"
    assert assignments_of(site.project) == []


# --- the pages --------------------------------------------------------------------------------


def test_the_pool_import_page_takes_a_workbook_and_lists_its_bad_cells_by_sheet(
    organization: Organization, office: User
) -> None:
    client = page_client_for(office)
    client.cookies["django_language"] = "en"
    bad = book("Resources", POOL_HEADER, [["P-1", None, "robot"]])

    refused_page = client.post("/o/acme/resources/pool/import/", {"file": upload(bad)})

    assert refused_page.status_code == 400
    assert [(row["sheet"], row["line"], row["column"]) for row in refused_page.context["row_errors"]] == [
        ("Resources", 2, "Name"),
        ("Resources", 2, "Kind"),
    ]
    assert "import-error-table" in refused_page.content.decode()
    assert not Resource.objects.for_organization(organization).exists()
    assert client.post("/o/acme/resources/pool/import/", {"file": upload(pool_template())}).status_code == 302
    listing = client.get("/o/acme/resources/pool/").content.decode()
    assert "/o/acme/resources/pool/export.xlsx" in listing
    assert client.get("/o/acme/resources/pool/export.xlsx")["Content-Type"] == XLSX_CONTENT_TYPE
    assert client.get("/o/acme/resources/pool/import/template.xlsx").status_code == 200


def test_the_assignments_import_page_imports_a_workbook_for_who_assigns(site: Site) -> None:
    client = page_client_for(site.manager)
    client.cookies["django_language"] = "en"
    base = f"/o/acme/projects/{site.project.pk}/resources/"
    bad = book("Assignments", ASSIGNMENT_HEADER, [["9.9", None, "P001", None, "units", 50]])
    good = book("Assignments", ASSIGNMENT_HEADER, [["1.1", None, "P001", None, "units", 50]])

    tab = client.get(base).content.decode()
    refused_page = client.post(base + "assignments/import/", {"file": upload(bad)})
    added = client.post(base + "assignments/import/", {"file": upload(good)})

    assert base + "assignments.xlsx" in tab
    assert base + "assignments/import/" in tab
    assert refused_page.status_code == 400
    assert refused_page.context["row_errors"][0]["column"] == "WBS code"
    assert added.status_code == 302
    assert assignments_of(site.project) == [("1.1", "P001", "units", Decimal("50.00"), Decimal("20.00"), "")]
    assert page_client_for(site.viewer).get(base + "assignments/import/").status_code == 403
    assert page_client_for(site.viewer).get(base + "assignments.xlsx").status_code == 200


# --- large workbooks as jobs ------------------------------------------------------------------


def test_a_large_pool_workbook_is_imported_by_a_job_and_a_large_export_written_by_one(
    pool: Organization, office: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(resource_jobs, "JOB_UPLOAD_BYTES", 0)
    monkeypatch.setattr(resource_jobs, "JOB_ROWS", 0)
    client = api_client_for(office)
    base = "/api/v1/orgs/acme/resources/xlsx/"

    started = client.post(
        base + "import/", {"file": upload(book("Resources", POOL_HEADER[:2], [["P-777", "New"]]))}, format="multipart"
    )
    export = client.get(base)

    assert (started.status_code, export.status_code) == (202, 202)
    imported = Job.objects.for_organization(pool).get(pk=started.json()["id"])
    exported = Job.objects.for_organization(pool).get(pk=export.json()["id"])
    assert (imported.kind, exported.kind) == (resource_jobs.POOL_IMPORT, resource_jobs.POOL_EXPORT)
    job_execute(organization_id=pool.pk, job_id=imported.pk)
    job_execute(organization_id=pool.pk, job_id=exported.pk)
    imported.refresh_from_db()
    exported.refresh_from_db()
    assert imported.status == JobStatus.DONE, imported.error
    assert Resource.objects.for_organization(pool).filter(code="P-777").exists()
    assert [row["code"] for row in pool_values(job_storage.read(exported.result_key))] == [
        "E-001",
        "M-001",
        "P-001",
        "P-777",
        "P-900",
    ]


def test_a_large_assignments_workbook_with_a_bad_cell_fails_its_job_with_every_cell_and_assigns_nothing(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(resource_jobs, "JOB_UPLOAD_BYTES", 0)
    data = book("Assignments", ASSIGNMENT_HEADER, [["1.1", None, "P001", None, "units", 50], ["9.9", None, "P001"]])

    client = api_client_for(site.manager)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    started = client.post(
        f"/api/v1/orgs/acme/projects/{site.project.pk}/assignments/xlsx/import/",
        {"file": upload(data)},
        format="multipart",
    )
    job = Job.objects.for_organization(site.org).get(pk=started.json()["id"])
    job_execute(organization_id=site.org.pk, job_id=job.pk)
    job.refresh_from_db()

    assert started.status_code == 202
    assert job.status == JobStatus.FAILED
    assert job.error["code"] == "invalid_workbook"
    assert list(job.error["fields"]) == ["Assignments!A3"]
    assert assignments_of(site.project) == []
