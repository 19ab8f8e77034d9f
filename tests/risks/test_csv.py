"""The risk register as CSV: a whole file checked first, every bad row named, nothing written on error."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from pmo.models import AuditEvent, Membership, Organization, OrgRole
from projects.models import Project, ProjectMember, ProjectRole
from risks import csv_io
from risks.models import Risk, RiskAssessment, RiskStatus, RiskWbsLink
from tests.conftest import api_client_for
from tests.factories import ProjectFactory, WbsElementFactory, member

pytestmark = pytest.mark.django_db
BASE = "/api/v1/orgs/acme"

HEADER = (
    "title,category,kind,owner,cause,event,effect,wbs,probability,impact_schedule,impact_cost,"
    "cost_min,cost_likely,cost_max,days_likely,status,proximity,trigger,target_probability,target_impact"
)
LATE = (
    "Late transformer delivery,supplier,threat,rita,Single supplier,Delivery slips,Energisation late,"
    "1.1;1.2,4,4,3,100000,200000,400000,10,responding,2026-06-30,Factory test date moves,2,3"
)
GOOD = f"""{HEADER}
{LATE}
Ground conditions,技术,,,,,,,3,2,5,,50000,,,,,,,
Early access to the site,Schedule,opportunity,,,,,,2,3,,,80000,,,monitoring,,,,
Noise complaints,external,,,,,,,,,,,,,,,,,,
"""


@pytest.fixture
def risk_manager(organization: Organization) -> Membership:
    return member(organization, OrgRole.RISK, username="rita", language="en")


@pytest.fixture
def project(organization: Organization) -> Project:
    return ProjectFactory(organization=organization, code="P-1")


@pytest.fixture
def client(risk_manager: Membership) -> APIClient:
    client = api_client_for(risk_manager.user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def elements(project: Project) -> None:
    WbsElementFactory(project=project, organization=project.organization, code="1.1")
    WbsElementFactory(project=project, organization=project.organization, code="1.2")


def url(project: Project, suffix: str = "import/") -> str:
    return f"{BASE}/projects/{project.pk}/risks/{suffix}"


def send(client: APIClient, project: Project, text: str | bytes, *, encoding: str = "utf-8", query: str = ""):  # type: ignore[no-untyped-def]
    content = text if isinstance(text, bytes) else text.encode(encoding)
    upload = SimpleUploadedFile("risks.csv", content, content_type="text/csv")
    return client.post(url(project) + query, {"file": upload}, format="multipart")


def risks_of(project: Project) -> list[Risk]:
    return list(Risk.objects.for_organization(project.organization_id).filter(project=project).order_by("number"))


def test_a_valid_file_adds_every_risk_assessed_and_in_its_status(client, project, elements) -> None:
    response = send(client, project, GOOD)

    assert response.status_code == 201, response.json()
    assert response.json() == {
        "created": 4,
        "dry_run": False,
        "codes": ["R-001", "R-002", "R-003", "R-004"],
        "high": 2,
        # 70 % x (100,000 + 4 x 200,000 + 400,000) / 6 + 50 % x 50,000 - 30 % x 80,000
        "exposure": "152666.67",
    }
    late, ground, early, noise = risks_of(project)
    assert (late.title, late.category.code, late.owner.username, late.status) == (
        "Late transformer delivery",
        "supplier",
        "rita",
        RiskStatus.RESPONDING,
    )
    assert (late.probability, late.impact, late.score, late.level) == (4, 4, 16, "high")
    assert (late.cost_min, late.cost_likely, late.cost_max) == (Decimal(100000), Decimal(200000), Decimal(400000))
    assert (late.days_min, late.days_likely, late.days_max) == (10, 10, 10)
    assert (late.target_score, late.inherent_score) == (6, 16)
    assert str(late.proximity) == "2026-06-30"
    assert sorted(
        RiskWbsLink.objects.for_organization(project.organization_id)
        .filter(risk=late)
        .values_list("element__code", flat=True)
    ) == ["1.1", "1.2"]
    assert (ground.category.code, ground.score, ground.level, ground.emv) == ("technical", 15, "high", Decimal("25000"))
    assert (early.kind, early.status, early.emv) == ("opportunity", RiskStatus.MONITORING, Decimal("-24000.00"))
    assert (noise.status, noise.score) == (RiskStatus.IDENTIFIED, None)
    kinds = list(
        RiskAssessment.objects.for_organization(project.organization_id)
        .filter(risk=late)
        .order_by("at", "id")
        .values_list("kind", flat=True)
    )
    assert kinds == ["raised", "assessed", "status"]
    assert AuditEvent.objects.for_organization(project.organization_id).filter(action="risk.imported").count() == 1


def test_a_file_with_bad_rows_names_each_row_and_column_and_writes_nothing(client, project) -> None:
    text = """title,category,probability,impact_cost,cost_min,cost_likely,owner,status,proximity,kind
Fine row,cost,3,3,,1000,,,,
,cost,3,3,,,,,,
Unknown category,weather,3,3,,,,,,
Bad scores,cost,6,0,,,,,,
Points out of order,cost,2,2,5000,1000,,,,
Stranger,cost,,,,,nobody,,,
Occurred,cost,2,2,,,,occurred,,
Assessed without scores,cost,,,,,,assessed,,
Bad date,cost,,,,,,,31/12/2026,
Bad kind,cost,,,,,,,,maybe
"""
    response = send(client, project, text)

    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "invalid_file"
    fields = body["fields"]
    assert sorted(fields, key=int) == [str(line) for line in range(3, 12)]
    assert fields["3"] == ["title: This field is required."]
    assert fields["4"][0].startswith("category: ")
    assert fields["5"] == [
        "probability: Enter a whole number from 1 to 5.",
        "impact_cost: Enter a whole number from 1 to 5.",
    ]
    assert fields["6"] == ["cost_likely: Minimum ≤ most likely ≤ maximum."]
    assert fields["7"][0].startswith("owner: ")
    assert fields["8"][0].startswith("status: An occurred risk becomes an issue")
    assert fields["9"][0].startswith("status: ")
    assert fields["10"] == ["proximity: Enter a date as YYYY-MM-DD."]
    assert fields["11"] == ["kind: Enter threat or opportunity."]
    assert risks_of(project) == []


def test_the_errors_read_back_as_line_column_and_message(client, project) -> None:
    response = send(client, project, "title,category\n,cost\nFine,nowhere\n")

    from pmo.errors import ApplicationError

    error = ApplicationError("x", fields=response.json()["error"]["fields"])
    assert csv_io.row_errors(error) == [
        csv_io.RowError(2, "title", "This field is required."),
        csv_io.RowError(3, "category", "No risk category has the code or name “nowhere”."),
    ]


def test_the_header_is_checked_before_any_row(client, project) -> None:
    response = send(client, project, "title,colour,title\nA,red,B\n")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "file": ["Columns named twice: title", "Unknown columns: colour", "Missing columns: category"]
    }


def test_utf8_with_a_byte_order_mark_and_gb18030_as_excel_saves_them_both_import(client, project) -> None:
    text = "title,category,cause\n地基沉降 Settlement,技术,软土地基\n"

    assert send(client, project, b"\xef\xbb\xbf" + text.encode("utf-8")).status_code == 201
    assert send(client, project, text, encoding="gb18030").status_code == 201

    assert [(risk.title, risk.category.code, risk.cause) for risk in risks_of(project)] == [
        ("地基沉降 Settlement", "technical", "软土地基"),
        ("地基沉降 Settlement", "technical", "软土地基"),
    ]


def test_a_file_that_is_not_text_is_refused(client, project) -> None:
    response = send(client, project, "title,category\nA,cost\n", encoding="utf-16")

    assert response.status_code == 400
    assert risks_of(project) == []


def test_a_file_over_5_mb_is_refused_with_413(client, project) -> None:
    big = "title,category\n" + "A risk,cost\n" * (5 * 1024 * 1024 // 12 + 10)

    assert send(client, project, big).status_code == 413
    response = client.post(url(project), big.encode(), content_type="text/csv")
    assert response.status_code == 413
    assert risks_of(project) == []


def test_a_file_over_2000_rows_is_refused(client, project) -> None:
    response = send(client, project, "title,category\n" + "A risk,cost\n" * 2001)

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"file": ["A file can hold at most 2000 rows."]}


def test_the_body_may_be_the_csv_itself(client, project) -> None:
    response = client.post(url(project), b"title,category\nA risk,cost\n", content_type="text/csv")

    assert response.status_code == 201
    assert response.json()["codes"] == ["R-001"]


def test_a_dry_run_checks_through_the_services_and_writes_nothing(client, project) -> None:
    response = send(client, project, GOOD.replace("1.1;1.2", ""), query="?dry_run=true")

    assert response.status_code == 200
    assert response.json()["created"] == 4
    assert response.json()["dry_run"] is True
    assert risks_of(project) == []
    assert not AuditEvent.objects.for_organization(project.organization_id).filter(action="risk.imported").exists()


def test_a_code_the_project_already_has_is_refused_so_a_file_is_not_imported_twice(client, project) -> None:
    send(client, project, "title,category\nA,cost\nB,cost\n")

    response = send(client, project, "code,title,category\nR-002,Again,cost\nR-9,New,cost\nR-9,Twice,cost\n")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "2": ["code: The project already has the risk R-002; the import adds new risks."],
        "4": ["code: Line 3 has the same code."],
    }
    assert len(risks_of(project)) == 2


def test_the_export_reads_back_into_another_project_as_the_same_register(client, project, organization) -> None:
    WbsElementFactory(project=project, organization=organization, code="1.1")
    WbsElementFactory(project=project, organization=organization, code="1.2")
    send(client, project, GOOD)
    other = ProjectFactory(organization=organization, code="P-2")
    WbsElementFactory(project=other, organization=organization, code="1.1")
    WbsElementFactory(project=other, organization=organization, code="1.2")

    exported = client.get(url(project, "export/"))
    assert exported.status_code == 200
    assert exported["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="P-1-risks.csv"' in exported["Content-Disposition"]
    response = send(client, other, exported.content)

    assert response.status_code == 201, response.json()
    fields = ["number", "title", "kind", "category_id", "owner_id", "status", "probability", "impact", "score"]
    fields += ["level", "emv", "cost_min", "cost_likely", "cost_max", "days_max", "target_score", "proximity"]
    assert [[getattr(r, f) for f in fields] for r in risks_of(other)] == [
        [getattr(r, f) for f in fields] for r in risks_of(project)
    ]
    again = client.get(url(other, "export/")).content.decode("utf-8-sig")
    assert again == exported.content.decode("utf-8-sig")


def test_the_export_reads_a_fixed_number_of_queries_whatever_the_number_of_risks(
    client, project, django_assert_num_queries
) -> None:
    send(client, project, "title,category\nA,cost\n")
    with django_assert_num_queries(3):
        client.get(url(project, "export/"))
    send(client, project, GOOD.replace("1.1;1.2", ""))
    with django_assert_num_queries(3):
        client.get(url(project, "export/"))


def test_the_template_is_the_header_row_of_an_import(client, project) -> None:
    response = client.get(url(project, "import/template/"))

    assert response.status_code == 200
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header[:3] == ["code", "title", "category"]
    assert "score" not in header


def test_another_organisations_project_is_not_found(client, other_organization) -> None:
    theirs = ProjectFactory(organization=other_organization)

    assert send(client, theirs, "title,category\nA,cost\n").status_code == 404
    assert client.get(url(theirs, "export/")).status_code == 404
    assert Risk.objects.for_organization(other_organization).count() == 0


def test_a_member_without_the_manage_action_may_export_but_not_import(organization, project) -> None:
    viewer = api_client_for(member(organization, OrgRole.VIEWER).user)
    plain = api_client_for(member(organization, OrgRole.MEMBER).user)

    assert send(viewer, project, "title,category\nA,cost\n").status_code == 403
    assert send(plain, project, "title,category\nA,cost\n").status_code == 403
    assert viewer.get(url(project, "export/")).status_code == 200
    assert risks_of(project) == []


def test_the_projects_manager_imports_into_their_own_project(organization, project) -> None:
    pm = member(organization, OrgRole.PROJECT_MANAGER)
    ProjectMember.objects.create(organization=organization, project=project, user=pm.user, role=ProjectRole.MANAGER)
    elsewhere = ProjectFactory(organization=organization)
    client = api_client_for(pm.user)

    assert send(client, project, "title,category\nA,cost\n").status_code == 201
    assert send(client, elsewhere, "title,category\nA,cost\n").status_code == 403


def test_an_imported_risk_is_what_the_services_make_of_the_same_row(client, project, risk_manager) -> None:
    from risks.services import register
    from risks.services.settings import risk_categories

    send(
        client,
        project,
        "title,category,probability,impact_cost,impact_quality,cost_min,cost_likely,cost_max,"
        "days_likely,status,target_probability,target_impact\nA,cost,4,5,3,1000,2000,6000,4,monitoring,2,3\n",
    )
    other = ProjectFactory(organization=project.organization)
    category = next(c for c in risk_categories(project.organization) if c.code == "cost")
    made = register.risk_raise(
        actor=risk_manager.user,
        organization=project.organization,
        project=other,
        title="A",
        category=category,
        target_probability=2,
        target_impact=3,
    )
    made = register.risk_assess(
        actor=risk_manager.user,
        risk=made,
        probability=4,
        impacts={"cost": 5, "quality": 3},
        cost=(Decimal(1000), Decimal(2000), Decimal(6000)),
        days=(4, 4, 4),
    )
    made = register.risk_set_status(actor=risk_manager.user, risk=made, status="monitoring", reason="x")
    imported = risks_of(project)[0]
    made = risks_of(other)[0]
    fields = ["number", "status", "probability", "impact", "score", "level", "probability_percent"]
    fields += ["percent_is_default", "emv", "inherent_probability", "inherent_impact", "inherent_score"]
    fields += ["inherent_level", "target_score", "target_level", "next_review", "days_max", "cost_max"]
    assert [getattr(imported, f) for f in fields] == [getattr(made, f) for f in fields]

    def history(risk: Risk) -> list[tuple]:  # type: ignore[type-arg]
        rows = RiskAssessment.objects.for_organization(risk.organization_id).filter(risk=risk).order_by("id")
        return [(h.kind, h.score, h.level, h.emv, h.is_open, sorted(h.changes)) for h in rows]

    assert history(imported) == history(made)


def test_the_import_runs_a_fixed_number_of_queries_whatever_the_number_of_rows(client, project) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    header = "title,category,owner,wbs,probability,impact_cost,status\n"
    send(client, project, header + "First,cost,rita,,3,3,\n")
    with CaptureQueriesContext(connection) as few:
        send(client, project, header + "A,cost,rita,,3,3,responding\n" * 2)
    # Ten rows: within one insert of each table on every database (SQLite's limit on parameters too).
    with CaptureQueriesContext(connection) as many:
        send(client, project, header + "A,cost,rita,,3,3,responding\n" * 10)

    assert len(many) == len(few)
    assert len(risks_of(project)) == 13
