"""The cost API: commitments and actual costs under budget control, their filters, and the CSV import."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from finance.models import ActualCost, Commitment
from pmo.models import Organization, OrgRole
from projects.models import Project
from tests.conftest import api_client_for
from tests.factories import ActualCostFactory, CommitmentFactory, ProjectFactory, WbsElementFactory, member
from tests.finance.test_services_support import Team, approved_budget, category, events, make_team, set_control

pytestmark = pytest.mark.django_db
BASE = "/api/v1/orgs/acme"
CSV = """date,amount,category,wbs_code,supplier,reference
2026-03-02,600.00,labour,1,李四建材,INV-1
2026-03-03,600.00,labour,,李四建材,INV-2
2026-03-04,50,materials,,,
"""


@pytest.fixture
def project(organization: Organization) -> Project:
    return ProjectFactory(organization=organization)


@pytest.fixture
def team(organization: Organization) -> Team:
    return make_team(organization)


def url(project: Project, resource: str) -> str:
    return f"{BASE}/projects/{project.pk}/{resource}/"


def commitment_body(project: Project, amount: str, code: str = "labour") -> dict[str, object]:
    return {
        "supplier": "Acme Steel",
        "reference": "PO-1",
        "date": "2026-03-10",
        "amount": amount,
        "category": category(project.organization, code).pk,
    }


# --- commitments ----------------------------------------------------------------------


def test_warn_mode_saves_a_commitment_over_budget_and_shows_the_flag(project: Project, team: Team) -> None:
    approved_budget(project, team, {"labour": "1000.00"})
    client = api_client_for(team.approver.user)

    within = client.post(url(project, "commitments"), commitment_body(project, "1000"), format="json")
    over = client.post(url(project, "commitments"), commitment_body(project, "0.01"), format="json")

    assert within.status_code == 201, within.json()
    assert (within.json()["amount"], within.json()["over_budget"], within.json()["status"]) == (
        "1000.00",
        False,
        "open",
    )
    assert over.status_code == 201
    assert over.json()["over_budget"] is True


def test_block_mode_refuses_a_commitment_over_budget_and_saves_nothing(project: Project, team: Team) -> None:
    approved_budget(project, team, {"labour": "1000.00"})
    set_control(project.organization, "block", team)
    client = api_client_for(team.approver.user)

    response = client.post(url(project, "commitments"), commitment_body(project, "1000.01"), format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "over_budget"
    assert "1000.00" in error["message"]
    assert "1000.01" in error["message"]
    assert not Commitment.objects.for_organization(project.organization).exists()
    assert events(project.organization, "commitment.created") == 0


def test_a_commitment_is_closed_over_the_api(project: Project, team: Team) -> None:
    commitment = CommitmentFactory(project=project, category=category(project.organization, "labour"))
    client = api_client_for(team.editor.user)

    closed = client.patch(f"{url(project, 'commitments')}{commitment.pk}/", {"status": "closed"}, format="json")
    again = client.patch(f"{url(project, 'commitments')}{commitment.pk}/", {"status": "open"}, format="json")

    assert closed.json()["status"] == "closed"
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "commitment_not_open"


def test_commitments_filter_by_status_category_and_date(project: Project, team: Team) -> None:
    labour, travel = category(project.organization, "labour"), category(project.organization, "travel")
    early = CommitmentFactory(project=project, category=labour, date=dt.date(2026, 3, 1))
    late = CommitmentFactory(project=project, category=labour, date=dt.date(2026, 4, 1), status="closed")
    other = CommitmentFactory(project=project, category=travel, date=dt.date(2026, 3, 15))
    client = api_client_for(member(project.organization, OrgRole.VIEWER).user)

    def ids(query: str) -> list[int]:
        return [row["id"] for row in client.get(url(project, "commitments") + query).json()["results"]]

    assert ids("") == [late.pk, other.pk, early.pk]
    assert ids("?status=closed") == [late.pk]
    assert ids(f"?category={labour.pk}") == [late.pk, early.pk]
    assert ids("?date_from=2026-03-02&date_to=2026-03-31") == [other.pk]


def test_viewers_read_costs_but_do_not_record_them(project: Project) -> None:
    client = api_client_for(member(project.organization, OrgRole.VIEWER).user)

    assert client.get(url(project, "commitments")).status_code == 200
    assert client.post(url(project, "commitments"), commitment_body(project, "1"), format="json").status_code == 403
    assert client.post(url(project, "costs"), {}, format="json").status_code == 403


# --- actual costs ---------------------------------------------------------------------


def test_an_actual_cost_is_recorded_against_a_task(project: Project, team: Team) -> None:
    task = WbsElementFactory(project=project, code="1")
    body = {
        "date": "2026-03-10",
        "amount": "-12.5",
        "category": category(project.organization, "travel").pk,
        "wbs_element": task.pk,
        "reference": "CN-1",
    }

    response = api_client_for(team.editor.user).post(url(project, "costs"), body, format="json")

    assert response.status_code == 201, response.json()
    created = response.json()
    assert (created["amount"], created["wbs_code"], created["source"], created["over_budget"]) == (
        "-12.50",
        "1",
        "manual",
        False,
    )
    assert created["created_by"]["id"] == team.editor.user.pk


def test_without_an_approved_budget_block_mode_refuses_every_cost(project: Project, team: Team) -> None:
    set_control(project.organization, "block", team)
    body = {"date": "2026-03-10", "amount": "1", "category": category(project.organization, "travel").pk}

    response = api_client_for(team.editor.user).post(url(project, "costs"), body, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "over_budget"
    assert not ActualCost.objects.for_organization(project.organization).exists()


def test_actual_costs_filter_by_category_dates_source_and_flag(project: Project, team: Team) -> None:
    labour, travel = category(project.organization, "labour"), category(project.organization, "travel")
    imported = ActualCostFactory(project=project, category=labour, date=dt.date(2026, 3, 1), source="import")
    flagged = ActualCostFactory(project=project, category=travel, date=dt.date(2026, 3, 20), over_budget=True)
    later = ActualCostFactory(project=project, category=labour, date=dt.date(2026, 4, 2))
    client = api_client_for(team.editor.user)

    def ids(query: str) -> list[int]:
        return [row["id"] for row in client.get(url(project, "costs") + query).json()["results"]]

    assert ids("") == [later.pk, flagged.pk, imported.pk]
    assert ids(f"?category={labour.pk}") == [later.pk, imported.pk]
    assert ids("?date_from=2026-03-01&date_to=2026-03-31") == [flagged.pk, imported.pk]
    assert ids("?source=import") == [imported.pk]
    assert ids("?over_budget=true") == [flagged.pk]


# --- the CSV import -------------------------------------------------------------------


def test_a_csv_upload_records_every_row_and_flags_a_category_it_takes_over(project: Project, team: Team) -> None:
    WbsElementFactory(project=project, code="1")
    approved_budget(project, team, {"labour": "1000.00", "materials": "100.00"})
    upload = SimpleUploadedFile("costs.csv", ("\ufeff" + CSV).encode(), content_type="text/csv")

    response = api_client_for(team.editor.user).post(
        url(project, "costs") + "import/", {"file": upload}, format="multipart"
    )

    assert response.status_code == 201, response.json()
    assert response.json() == {"created": 3, "total": "1250.00", "over_budget": 2}
    assert ActualCost.objects.for_organization(project.organization).filter(source="import").count() == 3


def test_a_gb18030_csv_body_is_imported(project: Project, team: Team) -> None:
    WbsElementFactory(project=project, code="1")

    response = api_client_for(team.editor.user).post(
        url(project, "costs") + "import/", CSV.encode("gb18030"), content_type="text/csv"
    )

    assert response.status_code == 201, response.json()
    suppliers = ActualCost.objects.for_organization(project.organization).values_list("supplier", flat=True)
    assert sorted(suppliers) == ["", "李四建材", "李四建材"]


def test_a_bad_csv_lists_its_bad_lines_and_records_nothing(project: Project, team: Team) -> None:
    text = "date,amount,category\n2026-03-02,x,labour\n2026-03-03,5,labour\nyesterday,5,nope\n"

    response = api_client_for(team.editor.user).post(
        url(project, "costs") + "import/", text.encode(), content_type="text/csv"
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_file"
    assert sorted(error["fields"]) == ["2", "4"]
    assert len(error["fields"]["4"]) == 2
    assert not ActualCost.objects.for_organization(project.organization).exists()


def test_block_mode_refuses_a_whole_csv_over_budget(project: Project, team: Team) -> None:
    WbsElementFactory(project=project, code="1")
    approved_budget(project, team, {"labour": "1000.00", "materials": "100.00"})
    set_control(project.organization, "block", team)

    response = api_client_for(team.editor.user).post(
        url(project, "costs") + "import/", CSV.encode(), content_type="text/csv"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "over_budget"
    assert not ActualCost.objects.for_organization(project.organization).exists()


def test_an_import_without_a_file_is_refused(project: Project, team: Team) -> None:
    response = api_client_for(team.editor.user).post(url(project, "costs") + "import/", b"", content_type="text/csv")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_file"


def test_costs_hold_decimal_amounts_as_strings(project: Project, team: Team) -> None:
    ActualCostFactory(project=project, category=category(project.organization, "labour"), amount=Decimal("0.10"))

    row = api_client_for(team.editor.user).get(url(project, "costs")).json()["results"][0]

    assert row["amount"] == "0.10"
