"""The plan as an Excel workbook: export, template, import checked as a whole, and the round trip between projects."""

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
from rest_framework.test import APIClient

from pmo.jobs import storage as job_storage
from pmo.models import AuditEvent, Job, JobStatus, Membership, Organization, OrgRole
from pmo.xlsx import XLSX_CONTENT_TYPE
from projects.models import Baseline, BaselineTask, Dependency, ProgressUpdate, Project, ProjectMember, WbsElement
from projects.services import plan
from projects.services.plan_xlsx import BASELINE, TASKS
from tests.conftest import api_client_for, page_client_for
from tests.factories import member
from tests.projects.helpers import add_task, make_project
from tests.projects.test_api_csv import links_of, plan_of

pytestmark = pytest.mark.django_db
BASE = "/api/v1/orgs/acme"
D = dt.date


def task_header() -> list[str]:
    return [str(column.label) for column in TASKS.columns]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def pm(organization: Organization) -> Membership:
    return member(organization, OrgRole.PROJECT_MANAGER, username="pia")


@pytest.fixture
def project(organization: Organization, pm: Membership) -> Project:
    return make_project(organization, code="P-1", manager=pm.user)


@pytest.fixture
def copy(organization: Organization, pm: Membership) -> Project:
    return make_project(organization, code="P-2", name="Copy", manager=pm.user)


@pytest.fixture
def pm_client(pm: Membership) -> APIClient:
    client = api_client_for(pm.user)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return client


def xlsx_url(project: Project) -> str:
    return f"{BASE}/projects/{project.pk}/plan/xlsx/"


def send(client: APIClient, project: Project, content: bytes):  # type: ignore[no-untyped-def]
    upload = SimpleUploadedFile("plan.xlsx", content, content_type=XLSX_CONTENT_TYPE)
    return client.post(xlsx_url(project), {"file": upload}, format="multipart")


def workbook(tasks: list[list[Any]], baseline: list[list[Any]] | None = None) -> bytes:
    """A workbook as a person fills it in: English headers, then the rows."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Tasks"
    sheet.append(task_header())
    for row in tasks:
        sheet.append(row)
    if baseline is not None:
        base = book.create_sheet("Baseline")
        base.append([str(column.label) for column in BASELINE.columns])
        for row in baseline:
            base.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def task(code: str, name: str, **values: Any) -> list[Any]:
    """A Tasks row by column key (the rest blank)."""
    row = {"wbs_code": code, "name": name, **values}
    return [row.get(column.key) for column in TASKS.columns]


def baseline_of(project: Project) -> list[tuple[Any, ...]]:
    return [
        (
            t.task.code if t.task else None,
            t.code,
            t.name,
            t.is_milestone,
            t.start,
            t.finish,
            t.duration,
            t.budgeted_cost,
        )
        for t in BaselineTask.objects.for_organization(project.organization_id)
        .filter(baseline__project=project, baseline__is_current=True)
        .select_related("task")
        .order_by("sort_key", "code")
    ]


def nothing_written(organization: Organization) -> bool:
    return not (
        WbsElement.objects.for_organization(organization).exists()
        or Dependency.objects.for_organization(organization).exists()
        or Baseline.objects.for_organization(organization).exists()
        or AuditEvent.objects.for_organization(organization).filter(action="wbs.imported").exists()
    )


def build_plan(project: Project, pm: Membership) -> None:
    """A plan with every kind of element, method, link and progress, baselined and changed since."""
    design = add_task(project, "=Design", actor=pm, duration=3, budgeted_cost="1200.50", notes="Line one\nline two")
    build = add_task(project, "施工 Build", actor=pm)
    earthworks = add_task(project, "Earthworks", actor=pm, parent=build, duration=8, budgeted_cost=5000)
    paving = add_task(project, "Paving", actor=pm, parent=build, duration=4, percent_complete_method="fifty_fifty")
    lighting = add_task(project, "Lighting", actor=pm, parent=build, duration=2, percent_complete_method="zero_hundred")
    snag = add_task(project, "Snags", actor=pm, parent=build, duration=1)
    opening = add_task(
        project, "Opening", actor=pm, kind="milestone", constraint_type="mfo", constraint_date=D(2026, 4, 30)
    )
    for number in range(1, 10):
        add_task(project, f"Punch item {number}", actor=pm, parent=build, duration=1)
    punch = WbsElement.objects.for_organization(project.organization_id).get(project=project, name="Punch item 9")
    # A start on a Saturday: the Monday after.
    plan.wbs_element_update(actor=pm.user, element=punch, constraint_type="snet", constraint_date=D(2026, 3, 21))
    plan.dependency_create(actor=pm.user, project=project, predecessor=design, successor=earthworks, lag=2)
    plan.dependency_create(actor=pm.user, project=project, predecessor=earthworks, successor=paving, type="SS", lag=3)
    plan.dependency_create(actor=pm.user, project=project, predecessor=paving, successor=lighting, type="FF")
    plan.dependency_create(actor=pm.user, project=project, predecessor=lighting, successor=opening, lag=-1)
    plan.dependency_create(actor=pm.user, project=project, predecessor=design, successor=snag, type="SF", lag=1)
    plan.task_progress_update(actor=pm.user, task=design, percent_complete=Decimal("100"), effective_date=D(2026, 3, 5))
    plan.task_progress_update(
        actor=pm.user, task=earthworks, percent_complete=Decimal("37.5"), effective_date=D(2026, 3, 10)
    )
    plan.task_progress_update(actor=pm.user, task=paving, actual_start=D(2026, 3, 16), effective_date=D(2026, 3, 16))
    plan.baseline_create(actor=pm.user, project=project, name="Approved plan")
    # Since the baseline: a task renamed and longer, one deleted, one added before the others.
    plan.wbs_element_update(actor=pm.user, element=earthworks, name="Earthworks and drainage", duration=9)
    plan.wbs_element_delete(actor=pm.user, element=snag)
    add_task(project, "Survey", actor=pm, parent=build, duration=2, position=1)


def test_export_then_import_into_a_new_project_gives_the_same_plan_and_baseline(
    organization: Organization, project: Project, copy: Project, pm: Membership, pm_client: APIClient
) -> None:
    build_plan(project, pm)

    exported = pm_client.get(xlsx_url(project))
    assert exported.status_code == 200
    assert exported["Content-Type"] == XLSX_CONTENT_TYPE
    assert 'filename="P-1-plan.xlsx"' in exported["Content-Disposition"]
    response = send(pm_client, copy, exported.content)

    assert response.status_code == 201, response.json()
    assert response.json() == {"elements": 16, "dependencies": 4, "baseline_tasks": 15}
    assert plan_of(copy) == plan_of(project)
    assert links_of(copy) == links_of(project)
    assert baseline_of(copy) == baseline_of(project)
    punch = WbsElement.objects.for_organization(organization).get(project=copy, name="Punch item 9")
    assert (punch.constraint_type, punch.constraint_date, punch.planned_start) == (
        "snet",
        D(2026, 3, 21),
        D(2026, 3, 23),
    )
    frozen = {row[1]: row for row in baseline_of(copy)}
    assert frozen["2.1"][:3] == ("2.2", "2.1", "Earthworks")
    assert frozen["2.1"][6:] == (8, Decimal("5000.00"))
    assert frozen["2.4"][:3] == (None, "2.4", "Snags")
    project.refresh_from_db()
    copy.refresh_from_db()
    assert (copy.scheduled_start, copy.scheduled_finish) == (project.scheduled_start, project.scheduled_finish)
    critical = WbsElement.objects.for_organization(organization).filter(is_critical=True).order_by("code")
    assert list(critical.filter(project=copy).values_list("code", flat=True)) == list(
        critical.filter(project=project).values_list("code", flat=True)
    )
    design = WbsElement.objects.for_organization(organization).get(project=copy, code="1")
    assert (design.name, design.notes) == ("=Design", "Line one\nline two")
    assert ProgressUpdate.objects.for_organization(organization).filter(project=copy).count() == 3
    assert Baseline.objects.for_organization(organization).get(project=copy, is_current=True).name == "Approved plan"
    events = AuditEvent.objects.for_organization(organization).filter(target_id=str(copy.pk), action="wbs.imported")
    assert [event.changes for event in events] == [
        {"elements": [0, 16], "dependencies": [0, 4], "baseline_tasks": [0, 15]}
    ]


def test_the_workbook_has_typed_cells_a_frozen_header_and_ms_project_predecessors(
    project: Project, pm: Membership, pm_client: APIClient
) -> None:
    build_plan(project, pm)

    book = load_workbook(io.BytesIO(pm_client.get(xlsx_url(project)).content))

    assert book.sheetnames == ["Tasks", "Baseline"]
    tasks = book["Tasks"]
    assert tasks.freeze_panes == "A2"
    header = [cell.value for cell in tasks[1]]
    assert header == task_header()
    rows = {row[0]: dict(zip(header, row, strict=True)) for row in tasks.iter_rows(min_row=2, values_only=True)}
    assert rows["1"]["Name"] == "=Design"
    assert tasks["C2"].data_type == "s"
    assert rows["1"]["Planned cost"] == 1200.5
    assert tasks["H2"].number_format == "#,##0.00"
    assert isinstance(rows["1"]["Actual start"], dt.datetime)
    assert rows["2"]["Kind"] == "Summary"
    assert rows["2.2"]["Outline level"] == 2
    assert rows["2.2"]["Predecessors"] == "1FS+2d"
    assert rows["2.3"]["Predecessors"] == "2.2SS+3d"
    assert rows["2.4"]["Predecessors"] == "2.3FF"
    assert rows["3"]["Predecessors"] == "2.4FS-1d"
    assert rows["2.3"]["Percent-complete method"] == "50/50"
    baseline = list(book["Baseline"].iter_rows(min_row=2, values_only=True))
    assert len(baseline) == 15
    assert {row[-1] for row in baseline} == {"Approved plan"}


def test_a_chinese_user_gets_chinese_headers_and_an_english_user_imports_them(
    organization: Organization, project: Project, copy: Project, pm: Membership, pm_client: APIClient
) -> None:
    add_task(project, "设计", actor=pm, duration=3)
    reader = member(organization, OrgRole.PROJECT_MANAGER, username="li", language="zh-hans")
    response = page_client_for(reader.user).get(f"/o/acme/projects/{project.pk}/wbs/export.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    with translation.override("zh-hans"):
        assert book.sheetnames == [str(TASKS.title), str(BASELINE.title)]
        assert [cell.value for cell in book.worksheets[0][1]][:3] == [str(c.label) for c in TASKS.columns[:3]]
    assert book.sheetnames[0] != "Tasks"

    imported = send(pm_client, copy, response.content)

    assert imported.status_code == 201, imported.json()
    assert list(
        WbsElement.objects.for_organization(organization).filter(project=copy).values_list("name", flat=True)
    ) == ["设计"]


def test_the_template_has_an_example_row_per_sheet_and_a_sheet_explaining_each_column(
    project: Project, pm_client: APIClient, copy: Project
) -> None:
    response = pm_client.get(f"{xlsx_url(project)}template/")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Tasks", "Baseline", "Columns explained"]
    assert book["Tasks"]["A2"].value == "1.2"
    explained = [row[1] for row in book["Columns explained"].iter_rows(min_row=2, values_only=True)]
    assert "Predecessors" in explained
    assert "Baseline start" in explained


@pytest.mark.parametrize(
    ("rows", "cell", "words"),
    [
        ([task("1", "Design", duration="five")], "Tasks!E2", "Enter a number"),
        ([task("1", "Design"), task("2", "Build", predecessors="9FS")], "Tasks!M3", "No row has the code 9"),
        (
            [task("1", "A", predecessors="2"), task("2", "B", predecessors="1FS+1d")],
            "Tasks!M2",
            "cycle",
        ),
        ([task("1", "Design"), task("1", "Design again")], "Tasks!A3", "Row 2 has the same code"),
        ([task("1", "Design", actual_start=dt.date(1890, 1, 6))], "Tasks!K2", ""),
        ([task("1", "Design", budgeted_cost=-5)], "Tasks!H2", "zero or more"),
        ([task("1.2", "Design", outline_level=1), task("1", "Phase")], "Tasks!B2", "level 2"),
        ([task("1", "Design", kind="epic")], "Tasks!D2", "is not one of"),
        ([task("1", "Design", percent_complete=40)], "Tasks!K2", "actual start"),
        ([task("1", "Design", constraint_type="mfo")], "Tasks!P2", "“Must finish on” needs a date"),
        ([task("1", "Design", constraint_date=D(2026, 3, 9))], "Tasks!P2", "takes no date"),
        (
            [
                task("1", "Phase", constraint_type="Start no earlier than", constraint_date=D(2026, 3, 9)),
                task("1.1", "Dig"),
            ],
            "Tasks!O2",
            "A summary element has no constraint",
        ),
        ([task("1", "Design", constraint_type="soonish")], "Tasks!O2", "is not one of"),
        ([task("1", "Design", constraint_type="snet", constraint_date=D(1890, 1, 6))], "Tasks!P2", ""),
    ],
    ids=[
        "wrong type",
        "unknown code",
        "cycle",
        "duplicate code",
        "date out of range",
        "negative cost",
        "outline level",
        "unknown kind",
        "progress without a start",
        "constraint without its date",
        "date without a constraint",
        "constrained summary",
        "unknown constraint",
        "constraint date out of range",
    ],
)
def test_each_bad_cell_is_reported_by_sheet_row_and_column_and_nothing_is_written(
    organization: Organization, project: Project, pm_client: APIClient, rows: list[list[Any]], cell: str, words: str
) -> None:
    response = send(pm_client, project, workbook(rows))

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_workbook"
    assert cell in error["fields"], error["fields"]
    assert words in " ".join(error["fields"][cell])
    assert nothing_written(organization)


def test_a_bad_baseline_row_refuses_the_whole_workbook(
    organization: Organization, project: Project, pm_client: APIClient
) -> None:
    content = workbook(
        [task("1", "Design", duration=3), task("2", "Build", duration=2)],
        baseline=[
            ["1", None, None, None, dt.date(2026, 3, 2), dt.date(2026, 3, 4), 3, 100, "Plan"],
            ["7", None, None, None, dt.date(2026, 3, 2), dt.date(2026, 3, 4), 3, 100, "Plan"],
            ["2", None, None, None, dt.date(2026, 3, 9), dt.date(2026, 3, 5), 2, 0, "Plan"],
            ["1", None, None, None, dt.date(2026, 3, 2), dt.date(2026, 3, 4), 3, 100, "Plan"],
        ],
    )

    fields = send(pm_client, project, content).json()["error"]["fields"]

    assert set(fields) == {"Baseline!A3", "Baseline!F4", "Baseline!A5"}
    assert "No task has the code 7" in fields["Baseline!A3"][0]
    assert nothing_written(organization)


def test_a_baseline_sheet_becomes_the_current_baseline(
    organization: Organization, project: Project, pm: Membership, pm_client: APIClient
) -> None:
    content = workbook(
        [task("1", "Design", duration=3), task("2", "Opening", kind="milestone")],
        baseline=[["1", None, None, None, dt.date(2026, 3, 2), dt.date(2026, 3, 4), 3, 99.5, None]],
    )

    assert send(pm_client, project, content).status_code == 201

    current = Baseline.objects.for_organization(organization).get(project=project, is_current=True)
    assert current.name == "Imported baseline"
    assert baseline_of(project) == [
        ("1", "1", "Design", False, D(2026, 3, 2), D(2026, 3, 4), 3, Decimal("99.50")),
    ]
    assert AuditEvent.objects.for_organization(organization).filter(action="baseline.restored").count() == 1


def test_the_workbook_may_be_sent_as_the_request_body(project: Project, pm_client: APIClient) -> None:
    content = workbook([task("1", "Design", duration=3)])
    response = pm_client.post(xlsx_url(project), data=content, content_type=XLSX_CONTENT_TYPE)
    assert response.status_code == 201, response.json()


def test_a_file_that_is_not_a_workbook_is_refused(organization: Organization, project: Project, pm_client: APIClient):
    response = send(pm_client, project, b"wbs_code,name\n1,Design\n")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_file"
    assert nothing_written(organization)


@override_settings(PMO_EXCHANGE_MAX_BYTES=2048)
def test_a_workbook_over_the_size_limit_is_refused(organization: Organization, project: Project, pm_client: APIClient):
    content = workbook([task(str(n), f"Task {n}" * 20) for n in range(1, 40)])
    assert len(content) > 2048
    for response in (
        send(pm_client, project, content),
        pm_client.post(xlsx_url(project), data=content, content_type=XLSX_CONTENT_TYPE),
    ):
        assert response.status_code == 413
        assert response.json()["error"]["code"] == "too_large"
    assert nothing_written(organization)


def test_a_plan_is_imported_only_into_an_empty_project(project: Project, pm: Membership, pm_client: APIClient) -> None:
    add_task(project, "Existing", actor=pm)
    response = send(pm_client, project, workbook([task("1", "Design")]))
    assert response.json()["error"]["code"] == "plan_not_empty"
    assert WbsElement.objects.for_organization(project.organization_id).filter(project=project).count() == 1


def test_only_those_who_manage_the_plan_import_it_and_other_organisations_see_nothing(
    organization: Organization, other_organization: Organization, project: Project
) -> None:
    teammate = member(organization, OrgRole.MEMBER)
    ProjectMember.objects.create(organization=organization, project=project, user=teammate.user, role="member")
    client = api_client_for(teammate.user)
    assert client.get(xlsx_url(project)).status_code == 200
    assert send(client, project, workbook([task("1", "Design")])).status_code == 403
    outsider = api_client_for(member(other_organization, OrgRole.ADMIN).user)
    assert outsider.get(f"/api/v1/orgs/rival/projects/{project.pk}/plan/xlsx/").status_code == 404
    assert outsider.get(f"/api/v1/orgs/rival/projects/{project.pk}/plan/xlsx/template/").status_code == 404
    assert nothing_written(organization)


def test_the_export_reads_a_fixed_number_of_queries(
    project: Project, pm: Membership, pm_client: APIClient, django_assert_num_queries: Any
) -> None:
    build_plan(project, pm)
    pm_client.get(xlsx_url(project))
    for number in range(10):
        add_task(project, f"More {number}", actor=pm)
    with django_assert_num_queries(QUERIES):
        assert pm_client.get(xlsx_url(project)).status_code == 200


#: Membership and project (1), whether the plan is large enough for a job, elements, links, baseline tasks,
#: the calendar and its exceptions.
QUERIES = 7


def test_the_plan_page_imports_a_workbook_and_lists_every_bad_cell(
    organization: Organization, project: Project, pm: Membership
) -> None:
    client = page_client_for(pm.user)
    url = f"/o/acme/projects/{project.pk}/wbs/import/"
    assert client.get(url).status_code == 200

    bad = SimpleUploadedFile("plan.xlsx", workbook([task("1", "A", duration="x"), task("1", "B")]))
    page = client.post(url, {"file": bad})
    assert page.status_code == 400
    html = page.content.decode()
    assert "Duration (working days)" in html
    assert "Row 2 has the same code" in html
    assert nothing_written(organization)

    good = SimpleUploadedFile("plan.xlsx", workbook([task("1", "A", duration=2), task("2", "B", predecessors="1")]))
    assert client.post(url, {"file": good}).status_code == 302
    assert links_of(project) == {("1", "2", "FS", 0)}


def test_the_plan_page_still_imports_csv(project: Project, pm: Membership) -> None:
    client = page_client_for(pm.user)
    upload = SimpleUploadedFile("plan.csv", b"wbs_code,name,duration\n1,Design,five\n", content_type="text/csv")
    page = client.post(f"/o/acme/projects/{project.pk}/wbs/import/", {"file": upload})
    assert page.status_code == 400
    assert "duration" in page.content.decode()


def test_codes_with_gaps_are_renumbered_and_links_follow(project: Project, pm_client: APIClient) -> None:
    content = workbook([task("1", "A"), task("3", "Phase"), task("3.5", "B", predecessors="1FS+2d"), task("3.9", "C")])

    assert send(pm_client, project, content).status_code == 201

    elements = WbsElement.objects.for_organization(project.organization_id).filter(project=project)
    assert sorted((e.code, e.name, e.position, e.sort_key) for e in elements) == [
        ("1", "A", 1, "00001"),
        ("2", "Phase", 2, "00002"),
        ("2.1", "B", 1, "00002.00001"),
        ("2.2", "C", 2, "00002.00002"),
    ]
    assert links_of(project) == {("1", "2.1", "FS", 2)}


@override_settings(PMO_PLAN_XLSX_JOB_ABOVE=2)
def test_a_large_plan_is_exported_and_imported_as_a_job(
    organization: Organization,
    project: Project,
    copy: Project,
    pm: Membership,
    pm_client: APIClient,
    django_capture_on_commit_callbacks: Any,
) -> None:
    for number in range(3):
        add_task(project, f"Task {number}", actor=pm, duration=2)

    with django_capture_on_commit_callbacks(execute=False):
        queued = pm_client.get(xlsx_url(project))
    assert queued.status_code == 202
    assert queued.json()["kind"] == "projects.plan_xlsx_export"

    with django_capture_on_commit_callbacks(execute=True):
        exported = pm_client.get(xlsx_url(project))
    job = Job.objects.for_organization(organization).filter(kind="projects.plan_xlsx_export").latest("pk")
    assert job.status == JobStatus.DONE
    content = job_storage.read(job.result_key)
    assert load_workbook(io.BytesIO(content)).sheetnames == ["Tasks", "Baseline"]
    assert exported.status_code in (200, 202)

    with django_capture_on_commit_callbacks(execute=True):
        started = send(pm_client, copy, content)
    assert started.status_code == 202, started.content
    job = Job.objects.for_organization(organization).filter(kind="projects.plan_xlsx_import").get()
    assert job.status == JobStatus.DONE, job.error
    assert job.report["counts"] == {"Elements": 3, "Links": 0, "Baseline tasks": 0}
    assert plan_of(copy) == plan_of(project)


@override_settings(PMO_PLAN_XLSX_JOB_ABOVE=0)
def test_a_bad_workbook_imported_as_a_job_fails_it_with_every_bad_cell(
    organization: Organization, project: Project, pm_client: APIClient, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        send(pm_client, project, workbook([task("1", "A", duration="x"), task("1", "B")]))

    job = Job.objects.for_organization(organization).get()
    assert job.status == JobStatus.FAILED
    assert job.error["code"] == "invalid_workbook"
    assert set(job.error["fields"]) == {"Tasks!E2", "Tasks!A3"}
    assert not WbsElement.objects.for_organization(organization).exists()
