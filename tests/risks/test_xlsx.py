"""The risk register as an Excel workbook: exact round trips, typed cells, every bad cell by sheet, row and column,
nothing written on any error, the same permissions as the CSV."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import translation
from openpyxl import Workbook, load_workbook
from rest_framework.test import APIClient

from pmo.models import AuditEvent, Membership, Organization, OrgRole
from projects.models import Project
from risks import csv_io, xlsx_io
from risks.models import Risk, RiskAssessment, RiskWbsLink
from tests.conftest import api_client_for, page_client_for
from tests.factories import ProjectFactory, WbsElementFactory, member

pytestmark = pytest.mark.django_db
BASE = "/api/v1/orgs/acme"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GOOD_CSV = (
    "title,category,kind,owner,cause,event,effect,wbs,probability,impact_schedule,impact_cost,probability_percent,"
    "cost_min,cost_likely,cost_max,days_min,days_likely,days_max,status,proximity,trigger,target_probability,"
    "target_impact\n"
    "Late transformer delivery,supplier,threat,rita,Single supplier,Delivery slips,Energisation late,1.1;1.2,"
    "4,4,3,,100000,200000.50,400000,5,10,20,responding,2026-06-30,Factory test date moves,2,3\n"
    "Ground conditions,技术,,,,,,,3,2,5,35.5,,50000,,,,,,,,,\n"
    "Early access to the site,Schedule,opportunity,,'=SUM(A1),,,,2,3,,,,80000,,,,,monitoring,,,,\n"
    "Noise complaints,external,,,,,,,,,,,,,,,,,closed,,,,\n"
)
#: What a round trip keeps: everything the register holds of a risk.
FIELDS = [
    "number", "title", "kind", "category_id", "cause", "event", "effect", "owner_id", "trigger", "proximity",
    "probability", "impact_schedule", "impact_cost", "impact_quality", "impact_safety", "impact_reputation",
    "impact", "score", "level", "probability_percent", "percent_is_default", "cost_min", "cost_likely", "cost_max",
    "days_min", "days_likely", "days_max", "emv", "target_probability", "target_impact", "target_score",
    "target_level", "status", "inherent_score", "next_review",
]  # fmt: skip


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def risk_manager(organization: Organization) -> Membership:
    return member(organization, OrgRole.RISK, username="rita", language="en")


@pytest.fixture
def project(organization: Organization) -> Project:
    project = ProjectFactory(organization=organization, code="P-1")
    WbsElementFactory(project=project, organization=organization, code="1.1")
    WbsElementFactory(project=project, organization=organization, code="1.2")
    return project


@pytest.fixture
def client(risk_manager: Membership) -> APIClient:
    client = api_client_for(risk_manager.user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def url(project: Project, suffix: str) -> str:
    return f"{BASE}/projects/{project.pk}/risks/{suffix}"


def send(client: Any, project: Project, content: bytes, *, name: str = "risks.xlsx", query: str = "") -> Any:
    upload = SimpleUploadedFile(name, content, content_type=XLSX)
    return client.post(url(project, "import/xlsx/") + query, {"file": upload}, format="multipart")


def risks_of(project: Project) -> list[Risk]:
    return list(Risk.objects.for_organization(project.organization_id).filter(project=project).order_by("number"))


def snapshot(project: Project) -> list[list[Any]]:
    links = {
        (link.risk.number, link.element.code)
        for link in RiskWbsLink.objects.for_organization(project.organization_id)
        .filter(risk__project=project)
        .select_related("risk", "element")
    }
    return [[getattr(risk, name) for name in FIELDS] for risk in risks_of(project)] + [sorted(links)]


def book(rows: list[list[Any]], header: list[str] | None = None, title: str = "Risks") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(header or ["Code", "Title", "Category", "Probability", "Cost impact", "Proximity", "Owner"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def cells(data: bytes, sheet: str = "Risks") -> list[list[Any]]:
    return [list(row) for row in load_workbook(io.BytesIO(data))[sheet].iter_rows(values_only=True)]


@pytest.fixture
def register(client: APIClient, project: Project) -> None:
    answer = client.post(
        url(project, "import/"),
        {"file": SimpleUploadedFile("r.csv", GOOD_CSV.encode(), content_type="text/csv")},
        format="multipart",
    )
    assert answer.status_code == 201, answer.json()


def test_export_then_import_of_the_same_project_reproduces_its_register_exactly(client, project, register) -> None:
    before = snapshot(project)
    exported = client.get(url(project, "export/xlsx/"))
    assert exported.status_code == 200
    assert exported["Content-Type"] == XLSX
    assert 'filename="P-1-risks.xlsx"' in exported["Content-Disposition"]
    Risk.objects.for_organization(project.organization_id).filter(project=project).delete()

    answer = send(client, project, exported.content)

    assert answer.status_code == 201, answer.json()
    assert answer.json()["codes"] == ["R-001", "R-002", "R-003", "R-004"]
    assert snapshot(project) == before
    assert cells(client.get(url(project, "export/xlsx/")).content) == cells(exported.content)


def test_a_workbook_exported_in_chinese_imports_back_the_same(client, project, register) -> None:
    before = snapshot(project)
    with translation.override("zh-hans"):
        exported = xlsx_io.register_export_xlsx(project)
    header = cells(exported, "风险")[0]
    assert header[:3] == ["编号", "标题", "类别"]
    Risk.objects.for_organization(project.organization_id).filter(project=project).delete()

    assert send(client, project, exported).status_code == 201
    assert snapshot(project) == before


def test_codes_are_kept_and_rows_without_one_take_the_next_numbers(client, project) -> None:
    answer = send(client, project, book([["R-007", "A", "cost"], [None, "B", "cost"], ["R-3", "C", "cost"]]))

    assert answer.status_code == 201, answer.json()
    assert answer.json()["codes"] == ["R-007", "R-008", "R-003"]


def test_the_cells_are_typed_with_a_frozen_header_and_formulas_kept_as_text(client, project, register) -> None:
    data = client.get(url(project, "export/xlsx/")).content
    sheet = load_workbook(io.BytesIO(data))["Risks"]
    header = [cell.value for cell in sheet[1]]
    late = dict(zip(header, sheet[2], strict=True))
    early = {name: cell.value for name, cell in zip(header, sheet[4], strict=True)}

    assert sheet.freeze_panes == "A2"
    assert late["Proximity"].value == dt.datetime(2026, 6, 30)
    assert late["Proximity"].is_date
    assert late["Cost, most likely"].value == 200000.5
    assert late["Cost, most likely"].number_format == "#,##0.00"
    assert late["Probability"].value == 4
    assert (late["Status"].value, late["Kind"].value, late["Level"].value) == ("Responding", "Threat", "High")
    assert late["WBS codes"].value == "1.1;1.2"
    assert early["Cause"] == "=SUM(A1)"
    assert sheet["E4"].data_type == "s"


def test_the_template_has_an_example_row_and_a_sheet_explaining_each_column(client, project, organization) -> None:
    member(organization, OrgRole.PROJECT_MANAGER, username="pm")  # the example row's owner
    answer = client.get(url(project, "import/template/xlsx/"))

    assert answer.status_code == 200
    workbook = load_workbook(io.BytesIO(answer.content))
    assert workbook.sheetnames == ["Risks", "Columns explained"]
    header, example = cells(answer.content)[:2]
    assert header[:3] == ["Code", "Title", "Category"]
    assert example[1] == "钢材交付延迟 Late steel delivery"
    explained = cells(answer.content, "Columns explained")
    assert {row[1] for row in explained[1:]} >= {"Title", "Status", "WBS codes", "Next review"}
    assert ["Risks", "Title", "yes", "text"] in [row[:4] for row in explained]
    # the template itself imports: its example row is a valid risk
    assert send(client, project, answer.content, query="?dry_run=true").status_code == 200


@pytest.mark.parametrize(
    ("row", "cell", "message"),
    [
        (["", "A", "cost", "high"], "Risks!D2", "Probability: Enter a number."),
        (["", "A", "cost", 7, 3], "Risks!D2", "Probability: Enter a whole number from 1 to 5."),
        (["", "A", "cost", 2.5, 3], "Risks!D2", "Probability: Enter a whole number."),
        (["", "A", "nonsense"], "Risks!C2", "Category: No risk category has the code or name “nonsense”."),
        (["", "A", "cost", None, None, None, "nobody"], "Risks!G2", "Owner: No member of the organisation"),
        (["", "A", "cost", None, None, dt.date(1850, 1, 1)], "Risks!F2", "Proximity: "),
        (["", "A", "cost", None, None, "soon"], "Risks!F2", "Proximity: Enter a date (YYYY-MM-DD)."),
        (["", "", "cost"], "Risks!B2", "Title: This cell is required."),
        (["Q-1", "A", "cost"], "Risks!A2", "Code: Enter a code such as R-001, or leave it empty."),
    ],
    ids=[
        "wrong type",
        "out of range",
        "not whole",
        "unknown code",
        "unknown owner",
        "date out of range",
        "not a date",
        "required",
        "bad code",
    ],
)
def test_each_kind_of_bad_cell_is_reported_by_sheet_row_and_column_and_nothing_is_written(
    client, project, row, cell, message
) -> None:
    answer = send(client, project, book([row, ["", "Fine", "cost"]]))

    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "invalid_workbook"
    assert list(error["fields"]) == [cell]
    assert error["fields"][cell][0].startswith(message)
    assert risks_of(project) == []


def test_a_code_the_project_has_and_a_code_twice_in_the_workbook_are_refused(client, project) -> None:
    send(client, project, book([["", "A", "cost"], ["", "B", "cost"]]))

    answer = send(client, project, book([["R-002", "Again", "cost"], ["R-9", "New", "cost"], ["R-9", "Twice", "cost"]]))

    assert answer.status_code == 400
    assert answer.json()["error"]["fields"] == {
        "Risks!A2": ["Code: The project already has the risk R-002; the import adds new risks."],
        "Risks!A4": ["Code: Row 3 has the same code."],
    }
    assert len(risks_of(project)) == 2


def test_every_bad_cell_of_the_workbook_is_listed_at_once(client, project) -> None:
    answer = send(client, project, book([["", "", "nonsense", 9], ["", "B", "cost", None, None, "soon", "nobody"]]))

    assert set(answer.json()["error"]["fields"]) == {"Risks!B2", "Risks!C2", "Risks!D2", "Risks!F3", "Risks!G3"}


@override_settings(PMO_EXCHANGE_MAX_BYTES=2048)
def test_a_file_too_large_is_refused_before_it_is_read(client, project) -> None:
    answer = send(client, project, book([["", f"Risk {n}", "cost"] for n in range(200)]))

    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "too_large"
    assert risks_of(project) == []


def test_a_file_that_is_not_a_workbook_is_refused(client, project) -> None:
    answer = send(client, project, b"title,category\nA,cost\n", name="risks.xlsx")

    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "invalid_file"
    assert risks_of(project) == []


def test_a_workbook_without_the_risks_sheet_or_a_required_column_is_refused(client, project) -> None:
    wrong_sheet = send(client, project, book([["", "A", "cost"]], title="Tasks"))
    no_category = send(client, project, book([["A"]], header=["Title"]))

    assert wrong_sheet.json()["error"]["fields"]["file"][0].startswith("Unknown sheets: Tasks.")
    assert no_category.json()["error"]["fields"] == {"Risks": ["Missing columns: Category"]}
    assert risks_of(project) == []


def test_a_dry_run_checks_everything_and_writes_nothing(client, project) -> None:
    answer = send(client, project, book([["", "A", "cost", 3, 4]]), query="?dry_run=1")

    assert answer.status_code == 200
    assert answer.json()["created"] == 1
    assert risks_of(project) == []
    assert not RiskAssessment.objects.for_organization(project.organization_id).exists()
    assert not AuditEvent.objects.for_organization(project.organization_id).filter(action="risk.imported").exists()


def test_the_export_reads_a_fixed_number_of_queries_whatever_the_number_of_risks(
    client, project, django_assert_num_queries
) -> None:
    send(client, project, book([["", "A", "cost"]]))
    with django_assert_num_queries(3):
        client.get(url(project, "export/xlsx/"))
    send(client, project, book([["", f"Risk {n}", "cost", 3, 3] for n in range(6)]))
    with django_assert_num_queries(3):
        client.get(url(project, "export/xlsx/"))


def test_permissions_are_the_csvs_and_another_organisation_is_not_found(
    organization, project, other_organization
) -> None:
    viewer = api_client_for(member(organization, OrgRole.VIEWER).user)
    theirs = ProjectFactory(organization=other_organization)
    outsider = api_client_for(member(other_organization, OrgRole.RISK).user)

    assert send(viewer, project, book([["", "A", "cost"]])).status_code == 403
    assert viewer.get(url(project, "export/xlsx/")).status_code == 200
    assert viewer.get(url(project, "import/template/xlsx/")).status_code == 200
    for path in ("export/xlsx/", "import/template/xlsx/"):
        assert outsider.get(url(project, path)).status_code == 404
    assert send(outsider, project, book([["", "A", "cost"]])).status_code == 404
    assert send(api_client_for(member(organization, OrgRole.RISK).user), theirs, book([])).status_code == 404
    assert risks_of(project) == []


def test_the_import_feeds_the_csv_checks_so_both_refuse_the_same_rows(project, risk_manager) -> None:
    from pmo.errors import ApplicationError

    with pytest.raises(ApplicationError) as as_csv:
        csv_io.register_import_csv(actor=risk_manager.user, project=project, content="title,category\nA,nope\n")
    with pytest.raises(ApplicationError) as as_xlsx:
        xlsx_io.register_import_xlsx(actor=risk_manager.user, project=project, content=book([["", "A", "nope"]]))

    assert as_csv.value.fields["2"] == ["category: No risk category has the code or name “nope”."]
    assert as_xlsx.value.fields["Risks!C2"] == ["Category: No risk category has the code or name “nope”."]


# Pages


def page(project: Project, suffix: str) -> str:
    return f"/o/{project.organization.slug}/projects/{project.pk}/risks/{suffix}"


def test_the_import_page_takes_a_workbook_and_lists_every_bad_cell_with_its_sheet(project, risk_manager) -> None:
    browser = page_client_for(risk_manager.user)
    bad = SimpleUploadedFile("risks.xlsx", book([["", "A", "nonsense"], ["", "", "cost"]]), content_type=XLSX)

    answer = browser.post(page(project, "import/"), {"file": bad})

    assert answer.status_code == 400
    text = answer.content.decode()
    assert "Nothing was imported" in text
    assert '<th scope="col">Sheet</th>' in text
    assert "No risk category has the code or name" in text
    assert "This cell is required." in text
    assert risks_of(project) == []

    good = SimpleUploadedFile("risks.xlsx", book([["", "A", "cost", 3, 4]]), content_type=XLSX)
    answer = browser.post(page(project, "import/"), {"file": good})
    assert answer.status_code == 302
    assert len(risks_of(project)) == 1


def test_the_pages_link_the_workbook_downloads(project, risk_manager) -> None:
    browser = page_client_for(risk_manager.user)

    register_page = browser.get(page(project, "")).content.decode()
    import_page = browser.get(page(project, "import/")).content.decode()
    export = browser.get(page(project, "export.xlsx"))
    template = browser.get(page(project, "import/template.xlsx"))

    assert page(project, "export.xlsx") in register_page
    assert page(project, "import/template.xlsx") in import_page
    assert (export.status_code, export["Content-Type"], template.status_code) == (200, XLSX, 200)
    assert cells(template.content)[0][0] == "Code"
