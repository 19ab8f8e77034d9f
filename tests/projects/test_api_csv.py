"""The plan as CSV: export, import checked as a whole, and the round trip between projects."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from pmo.models import AuditEvent, Membership, Organization, OrgRole
from projects.models import Dependency, ProgressUpdate, Project, ProjectMember, WbsElement
from projects.services import plan
from tests.conftest import api_client_for
from tests.factories import member
from tests.projects.helpers import add_task, make_project

pytestmark = pytest.mark.django_db
BASE = "/api/v1/orgs/acme"
D = dt.date

HEADER = ",".join(
    [
        "wbs_code",
        "name",
        "kind",
        "duration",
        "budgeted_cost",
        "percent_complete_method",
        "percent_complete",
        "actual_start",
        "actual_finish",
        "predecessors",
    ]
)
GOOD = f"""{HEADER}
1,Design,,5,1000.00,,,,,
2,Build,summary,,,,,,,
2.1,Earthworks,task,10,5000,,,,,1FS+2
2.2,Paving,,4,2500.50,fifty_fifty,,,,2.1SS+3;1
3,Opening,milestone,0,,,,,,2.2FF
"""


@pytest.fixture
def pm(organization: Organization) -> Membership:
    return member(organization, OrgRole.PROJECT_MANAGER, username="pia")


@pytest.fixture
def project(organization: Organization, pm: Membership) -> Project:
    return make_project(organization, code="P-1", manager=pm.user)


@pytest.fixture
def pm_client(pm: Membership) -> APIClient:
    return api_client_for(pm.user)


def import_url(project: Project) -> str:
    return f"{BASE}/projects/{project.pk}/tasks/import/"


def send_file(client: APIClient, project: Project, text: str, encoding: str = "utf-8"):  # type: ignore[no-untyped-def]
    upload = SimpleUploadedFile("plan.csv", text.encode(encoding), content_type="text/csv")
    return client.post(import_url(project), {"file": upload}, format="multipart")


def plan_of(project: Project) -> list[tuple]:  # type: ignore[type-arg]
    """The tree, the figures and the schedule of a project, comparable between projects."""
    return [
        (
            e.code,
            e.name,
            e.kind,
            e.parent.code if e.parent else None,
            e.duration,
            e.budgeted_cost,
            e.percent_complete_method,
            e.percent_complete,
            e.actual_start,
            e.actual_finish,
            e.planned_start,
            e.planned_finish,
            e.late_start,
            e.late_finish,
            e.total_float,
            e.is_critical,
            e.constraint_type,
            e.constraint_date,
        )
        for e in WbsElement.objects.for_organization(project.organization_id)
        .filter(project=project)
        .select_related("parent")
        .order_by("code")
    ]


def links_of(project: Project) -> set[tuple[str, str, str, int]]:
    return {
        (d.predecessor.code, d.successor.code, d.type, d.lag)
        for d in Dependency.objects.for_organization(project.organization_id)
        .filter(project=project)
        .select_related("predecessor", "successor")
    }


def test_a_good_file_creates_the_whole_plan_in_one_go(
    organization: Organization, project: Project, pm_client: APIClient
) -> None:
    response = send_file(pm_client, project, GOOD)
    assert response.status_code == 201, response.json()
    assert response.json() == {"elements": 5, "dependencies": 4}
    rows = {row[0]: row for row in plan_of(project)}
    assert [(code, row[1], row[2], row[3]) for code, row in rows.items()] == [
        ("1", "Design", "task", None),
        ("2", "Build", "summary", None),
        ("2.1", "Earthworks", "task", "2"),
        ("2.2", "Paving", "task", "2"),
        ("3", "Opening", "milestone", None),
    ]
    assert rows["2"][5] == Decimal("7500.50")  # rolled up
    assert rows["2.2"][6] == "fifty_fifty"
    assert links_of(project) == {
        ("1", "2.1", "FS", 2),
        ("2.1", "2.2", "SS", 3),
        ("1", "2.2", "FS", 0),
        ("2.2", "3", "FF", 0),
    }
    assert rows["2.1"][10] == D(2026, 3, 11)  # Design ends 6 March; two working days' lag
    project.refresh_from_db()
    assert project.scheduled_finish == rows["2.1"][11] == D(2026, 3, 24)
    events = AuditEvent.objects.for_organization(organization).filter(action="wbs.imported")
    assert [event.changes for event in events] == [{"elements": [0, 5], "dependencies": [0, 4]}]


def test_a_bad_file_lists_every_bad_row_and_writes_nothing(
    organization: Organization, project: Project, pm_client: APIClient
) -> None:
    text = f"""{HEADER}
1,Design,,five,,,,,,
2,Build,summary,,,,,,,
2.1,Earthworks,task,10,-3,,,,,9
2.1,Earthworks again,task,1,,,,,,
3.1,Orphan,,1,,,,,,
4,Opening,milestone,2,,,,2030-01-01,,
5,Finish,,1,,,,,,2
"""
    response = send_file(pm_client, project, text)
    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "invalid_file"
    fields = body["fields"]
    assert set(fields) == {"2", "4", "5", "6", "7", "8"}
    assert fields["2"][0].startswith("duration:")
    assert {message.split(":")[0] for message in fields["4"]} == {"budgeted_cost", "predecessors"}
    assert fields["5"][0].startswith("wbs_code:")
    assert fields["6"][0].startswith("wbs_code:")
    assert {message.split(":")[0] for message in fields["7"]} == {"duration", "actual_start"}
    assert fields["8"][0].startswith("predecessors:")
    assert not WbsElement.objects.for_organization(organization).exists()
    assert not Dependency.objects.for_organization(organization).exists()
    assert not AuditEvent.objects.for_organization(organization).filter(action="wbs.imported").exists()


def test_cycles_in_a_file_are_named_on_each_row_in_them(project: Project, pm_client: APIClient) -> None:
    text = f"""{HEADER}
1,A,,1,,,,,,3
2,B,,1,,,,,,1
3,C,,1,,,,,,2
4,D,,1,,,,,,
"""
    fields = send_file(pm_client, project, text).json()["error"]["fields"]
    assert set(fields) == {"2", "3", "4"}
    for messages in fields.values():
        assert messages[0].startswith("predecessors:")
        cycle = messages[0].removeprefix("predecessors:").split("→")
        assert sorted(re.sub(r"\D", "", code) for code in cycle) == ["1", "1", "2", "3"]
    assert not WbsElement.objects.for_organization(project.organization_id).exists()


def test_the_header_must_name_known_columns(project: Project, pm_client: APIClient) -> None:
    response = send_file(pm_client, project, "wbs_code,titel,duraton\n1,Design,5\n")
    body = response.json()["error"]
    assert body["code"] == "invalid_file"
    assert set(body["fields"]) == {"file"}
    assert any("duraton" in message for message in body["fields"]["file"])


def test_progress_in_a_file_must_agree_with_its_dates(project: Project, pm_client: APIClient) -> None:
    text = f"""{HEADER}
1,Done without a finish,,5,,physical,100,2026-03-02,,
2,Finished but 40 %,,5,,physical,40,2026-03-02,2026-03-06,
3,Under way without a start,,5,,,20,,,
4,0/100 half done,,5,,zero_hundred,50,2026-03-02,,
5,Good,,5,,physical,40,2026-03-02,,
6,Unknown method and bad date,,5,,earned,,2026-02-30,,
"""
    fields = send_file(pm_client, project, text).json()["error"]["fields"]
    assert set(fields) == {"2", "3", "4", "5", "7"}
    assert {message.split(":")[0] for message in fields["7"]} == {"actual_start", "percent_complete_method"}


def test_a_plan_is_imported_only_into_an_empty_project(project: Project, pm: Membership, pm_client: APIClient) -> None:
    add_task(project, "Existing", actor=pm)
    response = send_file(pm_client, project, GOOD)
    assert response.json()["error"]["code"] == "plan_not_empty"
    assert WbsElement.objects.for_organization(project.organization_id).filter(project=project).count() == 1


def test_the_file_may_be_sent_as_the_request_body_and_in_gb18030(project: Project, pm_client: APIClient) -> None:
    text = "wbs_code,name\n1,设计\n2,施工\n"
    response = pm_client.post(import_url(project), data=text.encode("gb18030"), content_type="text/csv")
    assert response.status_code == 201, response.json()
    names = WbsElement.objects.for_organization(project.organization_id).order_by("code").values_list("name", flat=True)
    assert list(names) == ["设计", "施工"]


def test_an_empty_upload_is_refused(project: Project, pm_client: APIClient) -> None:
    response = pm_client.post(import_url(project), data=b"", content_type="text/csv")
    assert response.json()["error"]["code"] == "invalid_file"


def test_only_those_who_manage_the_plan_import_it(organization: Organization, project: Project) -> None:
    teammate = member(organization, OrgRole.MEMBER)
    ProjectMember.objects.create(organization=organization, project=project, user=teammate.user, role="member")
    response = send_file(api_client_for(teammate.user), project, GOOD)
    assert response.status_code == 403
    assert not WbsElement.objects.for_organization(organization).exists()


def test_the_export_is_a_csv_file_a_spreadsheet_opens(project: Project, pm: Membership, pm_client: APIClient) -> None:
    design = add_task(project, "=HYPERLINK(evil)", actor=pm, duration=3, budgeted_cost=100)
    build = add_task(project, "施工", actor=pm, duration=2)
    plan.dependency_create(actor=pm.user, project=project, predecessor=design, successor=build, lag=-1)
    response = pm_client.get(f"{BASE}/projects/{project.pk}/tasks/export/", HTTP_ACCEPT="text/csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="P-1-plan.csv"' in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(row["wbs_code"], row["name"], row["predecessors"]) for row in rows] == [
        ("1", "'=HYPERLINK(evil)", ""),
        ("2", "施工", "1FS-1"),
    ]
    assert rows[0]["budgeted_cost"] == "100.00"
    assert rows[0]["planned_start"] == "2026-03-02"


def test_export_then_import_into_a_new_project_gives_the_same_plan(
    organization: Organization, project: Project, pm: Membership, pm_client: APIClient
) -> None:
    design = add_task(project, "=Design", actor=pm, duration=3, budgeted_cost=1200, notes="Line one\nline two")
    build = add_task(project, "Build", actor=pm)
    earthworks = add_task(project, "Earthworks", actor=pm, parent=build, duration=8, budgeted_cost=5000)
    paving = add_task(project, "Paving", actor=pm, parent=build, duration=4, percent_complete_method="fifty_fifty")
    lighting = add_task(project, "Lighting", actor=pm, parent=build, duration=2, percent_complete_method="zero_hundred")
    opening = add_task(
        project, "Opening", actor=pm, kind="milestone", constraint_type="mfo", constraint_date=D(2026, 4, 30)
    )
    for number in range(1, 11):
        add_task(project, f"Snag {number}", actor=pm, parent=build, duration=1)
    add_task(project, "Handover", actor=pm, duration=1, constraint_type="fnlt", constraint_date=D(2026, 3, 8))
    plan.dependency_create(actor=pm.user, project=project, predecessor=design, successor=earthworks, lag=2)
    plan.dependency_create(actor=pm.user, project=project, predecessor=earthworks, successor=paving, type="SS", lag=3)
    plan.dependency_create(actor=pm.user, project=project, predecessor=paving, successor=lighting, type="FF")
    plan.dependency_create(actor=pm.user, project=project, predecessor=lighting, successor=opening, lag=-1)
    plan.task_progress_update(actor=pm.user, task=design, percent_complete=Decimal("100"), effective_date=D(2026, 3, 5))
    plan.task_progress_update(
        actor=pm.user, task=earthworks, percent_complete=Decimal("37.5"), effective_date=D(2026, 3, 10)
    )
    plan.task_progress_update(actor=pm.user, task=paving, actual_start=D(2026, 3, 16), effective_date=D(2026, 3, 16))

    exported = pm_client.get(f"{BASE}/projects/{project.pk}/tasks/export/").content
    copy = make_project(organization, code="P-2", name="Copy", manager=pm.user)
    response = send_file(pm_client, copy, exported.decode("utf-8-sig"))
    assert response.status_code == 201, response.json()

    assert plan_of(copy) == plan_of(project)
    assert links_of(copy) == links_of(project)
    constrained = WbsElement.objects.for_organization(organization).filter(project=copy).exclude(constraint_type="asap")
    assert sorted(constrained.values_list("constraint_type", "constraint_date")) == [
        ("fnlt", D(2026, 3, 8)),
        ("mfo", D(2026, 4, 30)),
    ]
    project.refresh_from_db()
    copy.refresh_from_db()
    assert (copy.scheduled_start, copy.scheduled_finish) == (project.scheduled_start, project.scheduled_finish)
    assert WbsElement.objects.for_organization(organization).get(project=copy, code="1").notes == "Line one\nline two"
    assert ProgressUpdate.objects.for_organization(organization).filter(project=copy).count() == 3
