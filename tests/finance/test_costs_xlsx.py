"""A project's actual costs as an Excel workbook: export, template, import (all or nothing), API and page."""

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

from finance import jobs as finance_jobs
from finance.models import ActualCost
from finance.services import costs
from finance.services.costs_xlsx import (
    ACTUAL_COSTS_SHEET,
    actual_costs_import_xlsx,
    actual_costs_template,
    actual_costs_workbook,
)
from pmo.errors import ApplicationError
from pmo.jobs.services import job_execute
from pmo.models import Job, JobStatus, Organization, OrgRole
from pmo.xlsx import XLSX_CONTENT_TYPE, read_workbook
from projects.models import Project, WbsElement
from tests.conftest import api_client_for, page_client_for
from tests.factories import ProjectFactory, WbsElementFactory, member
from tests.finance.test_services_support import Team, approved_budget, category, events, make_team, set_control

pytestmark = pytest.mark.django_db

HEADER = ["Date", "Amount", "Category code", "WBS code", "Supplier", "Reference"]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def team(organization: Organization) -> Team:
    return make_team(organization)


def with_plan(project: Project) -> Project:
    summary = WbsElementFactory(project=project, code="1", kind=WbsElement.Kind.SUMMARY)
    WbsElementFactory(project=project, code="1.2", parent=summary)
    return project


@pytest.fixture
def project(organization: Organization) -> Project:
    return with_plan(ProjectFactory(organization=organization, code="RIV 01"))


def book(rows: list[list[Any]], header: list[str] = HEADER, title: str = "Actual costs") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sheet_values(data: bytes) -> list[dict[str, Any]]:
    return [row.values for row in read_workbook(data, [ACTUAL_COSTS_SHEET])["actual_costs"]]


def recorded(project: Project) -> list[tuple[Any, ...]]:
    return list(
        ActualCost.objects.for_organization(project.organization)
        .filter(project=project)
        .order_by("date", "pk")
        .values_list("date", "amount", "category__code", "wbs_element__code", "supplier", "reference")
    )


def refusal(project: Project, team: Team, data: bytes) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        actual_costs_import_xlsx(actor=team.editor.user, project=project, data=data)
    assert recorded(project) == []
    assert events(project.organization, "actual_cost.imported") == 0
    return caught.value


def test_an_export_imported_into_a_project_with_the_same_wbs_gives_the_same_sheet_back(
    organization: Organization, project: Project, team: Team
) -> None:
    task = WbsElement.objects.for_organization(organization).get(project=project, code="1.2")
    for day, amount, code, element, supplier in [
        (dt.date(2026, 3, 2), "1200.50", "labour", task, "张三劳务"),
        (dt.date(2026, 3, 3), "0.10", "materials", None, "=HYPERLINK(1)"),
        (dt.date(2026, 3, 4), "-20.00", "materials", task, "-credit"),
    ]:
        costs.actual_cost_create(
            actor=team.editor.user,
            project=project,
            date=day,
            amount=Decimal(amount),
            category=category(organization, code),
            wbs_element=element,
            supplier=supplier,
            reference=f"INV-{amount}",
        )
    first = costs.actual_costs_import(
        actor=team.editor.user, project=project, text="date,amount,category\n2026-03-01,99999999.99,other\n"
    )[0]
    costs.actual_cost_reverse(actor=team.editor.user, cost=first, reason="Wrong project")
    exported = actual_costs_workbook(project)
    twin = with_plan(ProjectFactory(organization=organization, code="RIV-02"))

    created = actual_costs_import_xlsx(actor=team.editor.user, project=twin, data=exported)

    assert len(created) == 5
    assert recorded(twin) == recorded(project)
    assert sheet_values(actual_costs_workbook(twin)) == sheet_values(exported)
    assert sheet_values(exported)[0] == {
        "date": dt.date(2026, 3, 1),
        "amount": Decimal("99999999.99"),
        "category": "other",
        "wbs_code": None,
        "supplier": None,
        "reference": None,
    }


def test_the_export_has_typed_cells_a_frozen_header_and_formulas_as_text(project: Project, team: Team) -> None:
    costs.actual_cost_create(
        actor=team.editor.user,
        project=project,
        date=dt.date(2026, 3, 2),
        amount=Decimal("1200.5"),
        category=category(project.organization, "labour"),
        supplier="@SUM(A1)",
    )

    sheet = load_workbook(io.BytesIO(actual_costs_workbook(project)))["Actual costs"]

    assert [cell.value for cell in sheet[1]] == HEADER
    assert sheet.freeze_panes == "A2"
    assert sheet["A2"].is_date
    assert sheet["A2"].number_format == "yyyy-mm-dd"
    assert (sheet["B2"].value, sheet["B2"].number_format) == (1200.5, "#,##0.00")
    assert (sheet["E2"].value, sheet["E2"].data_type) == ("@SUM(A1)", "s")


def test_headers_follow_the_language_and_a_chinese_workbook_imports_in_english(project: Project, team: Team) -> None:
    with translation.override("zh-hans"):
        header = [str(column.label) for column in ACTUAL_COSTS_SHEET.columns]
        data = book(
            [[dt.date(2026, 3, 2), 10, "labour", "1.2", "", ""]], header=header, title=str(ACTUAL_COSTS_SHEET.title)
        )
        chinese = load_workbook(io.BytesIO(actual_costs_template())).sheetnames
    assert chinese[0] != "Actual costs"

    actual_costs_import_xlsx(actor=team.editor.user, project=project, data=data)

    assert recorded(project) == [(dt.date(2026, 3, 2), Decimal("10.00"), "labour", "1.2", "", "")]


def test_the_template_explains_each_column_and_imports_as_it_is(project: Project, team: Team) -> None:
    template = actual_costs_template()
    workbook = load_workbook(io.BytesIO(template))

    assert workbook.sheetnames == ["Actual costs", "Columns explained"]
    explained = [row[1] for row in workbook["Columns explained"].iter_rows(min_row=2, values_only=True)]
    assert [name for name in explained if name] == HEADER
    actual_costs_import_xlsx(actor=team.editor.user, project=project, data=template)
    assert recorded(project) == [
        (dt.date(2026, 3, 31), Decimal("12500.00"), "materials", "1.2", "Riverside Stone", "INV-0042")
    ]


@pytest.mark.parametrize(
    ("row", "cell", "message"),
    [
        ([dt.date(2026, 3, 3), "lots", "labour"], "Actual costs!B3", "Amount: Enter a number."),
        (["tomorrow", 5, "labour"], "Actual costs!A3", "Date: Enter a date (YYYY-MM-DD)."),
        ([dt.date(1850, 1, 1), 5, "labour"], "Actual costs!A3", "Date: Enter a date from"),
        ([dt.date(2026, 3, 3), 1.005, "labour"], "Actual costs!B3", "Amount: Enter at most 2 decimals."),
        ([dt.date(2026, 3, 3), 5, "nosuch"], "Actual costs!C3", "Category code: No cost category has the code nosuch"),
        ([dt.date(2026, 3, 3), 5, "labour", "9.9"], "Actual costs!D3", "WBS code: The project has no WBS element 9.9"),
        ([dt.date(2026, 3, 3), None, "labour"], "Actual costs!B3", "Amount: This cell is required."),
        ([dt.date(2026, 3, 3), 5, "labour", None, "x" * 201], "Actual costs!E3", "Supplier: At most 200 characters."),
    ],
)
def test_each_kind_of_bad_cell_is_reported_by_sheet_row_and_column_and_nothing_is_recorded(
    project: Project, team: Team, row: list[Any], cell: str, message: str
) -> None:
    error = refusal(project, team, book([[dt.date(2026, 3, 2), 5, "labour"], row]))

    assert error.code == "invalid_workbook"
    assert list(error.fields) == [cell]
    assert len(error.fields[cell]) == 1
    assert error.fields[cell][0].startswith(message)


def test_every_bad_cell_of_the_workbook_is_reported_at_once(project: Project, team: Team) -> None:
    data = book([["tomorrow", "lots", "nosuch"], [dt.date(2026, 3, 2), 5, "labour", "9.9"]])

    error = refusal(project, team, data)

    assert sorted(error.fields) == ["Actual costs!A2", "Actual costs!B2", "Actual costs!C2", "Actual costs!D3"]


def test_files_that_are_no_workbook_of_costs_are_refused_as_a_whole(project: Project, team: Team) -> None:
    assert refusal(project, team, b"date,amount,category\n2026-03-02,5,labour\n").code == "invalid_file"
    wrong_sheet = refusal(project, team, book([[dt.date(2026, 3, 2), 5, "labour"]], title="Sheet1"))
    assert wrong_sheet.fields["file"][0].startswith("Unknown sheets: Sheet1.")
    empty = refusal(project, team, book([]))
    assert empty.fields == {"Actual costs": ["The sheet has no rows under its header."]}
    missing = refusal(project, team, book([[5]], header=["Amount"]))
    assert missing.fields == {"Actual costs": ["Missing columns: Date, Category code"]}


@override_settings(PMO_EXCHANGE_MAX_BYTES=1000)
def test_a_workbook_over_the_size_limit_is_refused_with_413(project: Project, team: Team) -> None:
    error = refusal(project, team, book([[dt.date(2026, 3, 2), 5, "labour", "", "x" * 2000]]))

    assert (error.code, error.status_code) == ("too_large", 413)


def test_block_mode_refuses_the_whole_workbook_over_budget(project: Project, team: Team) -> None:
    approved_budget(project, team, {"labour": "1000.00"})
    set_control(project.organization, "block", team)

    error = refusal(project, team, book([[dt.date(2026, 3, 2), 600, "labour"], [dt.date(2026, 3, 3), 600, "labour"]]))

    assert error.code == "over_budget"


# --- API --------------------------------------------------------------------------------------


def api_url(project: Project, path: str = "") -> str:
    return f"/api/v1/orgs/{project.organization.slug}/projects/{project.pk}/costs/xlsx/{path}"


def upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("costs.xlsx", data, content_type=XLSX_CONTENT_TYPE)


def test_the_api_exports_in_a_fixed_number_of_queries(
    project: Project, team: Team, django_assert_num_queries: Any
) -> None:
    for day in range(1, 21):
        costs.actual_cost_create(
            actor=team.editor.user,
            project=project,
            date=dt.date(2026, 3, day),
            amount=Decimal(day),
            category=category(project.organization, "labour"),
            wbs_element=WbsElement.objects.for_organization(project.organization).get(project=project, code="1.2"),
        )
    client = api_client_for(team.editor.user)

    # the membership with the project, how many (a large export is a job), the costs with categories and tasks
    with django_assert_num_queries(3):
        response = client.get(api_url(project))

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="RIV-01-actual-costs.xlsx"'
    assert len(sheet_values(response.content)) == 20


def test_the_api_imports_a_workbook_and_answers_what_it_recorded(project: Project, team: Team) -> None:
    client = api_client_for(team.editor.user)
    template = client.get(api_url(project, "template/"))
    assert template.status_code == 200

    response = client.post(api_url(project, "import/"), {"file": upload(template.content)}, format="multipart")

    assert response.status_code == 201, response.json()
    assert response.json() == {"created": 1, "total": "12500.00", "over_budget": 1}


def test_the_api_answers_every_bad_cell_and_records_nothing(project: Project, team: Team) -> None:
    data = book([[dt.date(2026, 3, 2), "lots", "labour"]])
    client = api_client_for(team.editor.user)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")

    response = client.post(api_url(project, "import/"), {"file": upload(data)}, format="multipart")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_workbook"
    assert response.json()["error"]["fields"] == {"Actual costs!B2": ["Amount: Enter a number."]}
    assert recorded(project) == []


def test_the_api_refuses_an_import_without_a_file(project: Project, team: Team) -> None:
    response = api_client_for(team.editor.user).post(api_url(project, "import/"), {}, format="multipart")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_file"


def test_who_may_see_costs_exports_but_only_who_manages_them_imports_and_others_see_nothing(
    organization: Organization, other_organization: Organization, project: Project, team: Team
) -> None:
    viewer = api_client_for(member(organization, OrgRole.VIEWER).user)
    stranger = api_client_for(member(other_organization, OrgRole.ADMIN).user)
    data = actual_costs_template()

    assert api_client_for(team.approver.user).get(api_url(project)).status_code == 200
    assert viewer.post(api_url(project, "import/"), {"file": upload(data)}, format="multipart").status_code == 403
    assert viewer.get(api_url(project, "template/")).status_code == 403
    assert stranger.get(api_url(project)).status_code == 404
    assert stranger.post(api_url(project, "import/"), {"file": upload(data)}, format="multipart").status_code == 404
    assert recorded(project) == []


# --- the page ---------------------------------------------------------------------------------


def page_url(project: Project, path: str = "") -> str:
    return f"/o/{project.organization.slug}/projects/{project.pk}/finance/actual-costs/{path}"


def test_the_page_imports_a_workbook_and_lists_a_bad_ones_cells_by_sheet(project: Project, team: Team) -> None:
    client = page_client_for(team.editor.user)
    client.cookies["django_language"] = "en"
    bad = book([[dt.date(2026, 3, 2), 5, "labour"], ["tomorrow", 5, "nosuch"]])

    refused = client.post(page_url(project), {"op": "import", "file": upload(bad)})

    assert refused.status_code == 400
    assert [(row["sheet"], row["line"], row["column"]) for row in refused.context["workbook_errors"]] == [
        ("Actual costs", 3, "Date"),
        ("Actual costs", 3, "Category code"),
    ]
    html = refused.content.decode()
    assert "import-error-table" in html
    assert "Nothing was imported." in html
    assert recorded(project) == []
    good = client.post(page_url(project), {"op": "import", "file": upload(actual_costs_template())})
    assert good.status_code == 302
    assert len(recorded(project)) == 1
    page = client.get(page_url(project)).content.decode()
    assert page_url(project, "export.xlsx") in page
    assert page_url(project, "template.xlsx") in page
    assert client.get(page_url(project, "export.xlsx"))["Content-Type"] == XLSX_CONTENT_TYPE


def test_the_page_still_imports_csv(project: Project, team: Team) -> None:
    client = page_client_for(team.editor.user)
    text = SimpleUploadedFile("costs.csv", b"date,amount,category\n2026-03-02,5,labour\n", content_type="text/csv")

    assert client.post(page_url(project), {"op": "import", "file": text}).status_code == 302
    assert len(recorded(project)) == 1


def test_a_large_workbook_of_costs_is_recorded_by_a_job(
    project: Project, team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(finance_jobs, "JOB_UPLOAD_BYTES", 0)

    started = api_client_for(team.editor.user).post(
        api_url(project, "import/"), {"file": upload(actual_costs_template())}, format="multipart"
    )
    job = Job.objects.for_organization(project.organization).get(pk=started.json()["id"])
    job_execute(organization_id=project.organization_id, job_id=job.pk)
    job.refresh_from_db()

    assert started.status_code == 202
    assert (job.kind, job.status) == (finance_jobs.COSTS_IMPORT, JobStatus.DONE)
    assert job.link == page_url(project)
    assert len(recorded(project)) == 1
