"""Every amount a user enters is at most 999,999,999,999.99 either way (``pmo.money``).

Beyond it SQLite (the quick-start database) keeps an amount as a float whose 16 digits do not
survive: a cost of -99,999,999,999,999.99 was saved, then answered 500 when read back, and the
project's cost list, detail and page stayed broken. The limit is refused with a field error in
the API, the page forms, the CSV import and the model validation the services run.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from finance.models import ActualCost, BudgetLine, Commitment
from finance.services import budgets
from finance.services.costs import actual_cost_create, commitment_create
from pmo.errors import ApplicationError
from pmo.models import Organization
from pmo.money import money_limit_message
from projects.models import Project
from tests.conftest import api_client_for
from tests.factories import ProjectFactory
from tests.finance.test_pages_support import Books, build_books
from tests.finance.test_services_support import Team, category, make_team

pytestmark = pytest.mark.django_db
BASE = "/api/v1/orgs/acme"
LIMIT = "999999999999.99"
OVER = ["1000000000000.00", "-1000000000000", "-99999999999999.99", "99999999999999.99"]


@pytest.fixture
def project(organization: Organization) -> Project:
    return ProjectFactory(organization=organization)


@pytest.fixture
def team(organization: Organization) -> Team:
    return make_team(organization)


def url(project: Project, resource: str) -> str:
    return f"{BASE}/projects/{project.pk}/{resource}/"


def cost_body(project: Project, amount: str) -> dict[str, object]:
    return {"date": "2026-12-01", "amount": amount, "category": category(project.organization, "labour").pk}


def commitment_body(project: Project, amount: str) -> dict[str, object]:
    return {"supplier": "Acme Steel", "reference": "PO-1", **cost_body(project, amount)}


def field_errors(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    return response.json()["error"]["fields"]


@pytest.mark.parametrize("amount", OVER)
def test_the_api_refuses_a_cost_beyond_the_limit_and_saves_nothing(project: Project, team: Team, amount: str) -> None:
    client = api_client_for(team.approver.user)

    response = client.post(url(project, "costs"), cost_body(project, amount), format="json")

    assert response.status_code == 400, response.json()
    assert response.json()["error"]["code"] == "money_out_of_range"
    assert field_errors(response)["amount"] == [money_limit_message()]
    assert not ActualCost.objects.for_organization(project.organization).exists()
    assert client.get(url(project, "costs")).status_code == 200


@pytest.mark.parametrize("amount", [LIMIT, f"-{LIMIT}"])
def test_a_cost_at_the_limit_is_saved_and_reads_back_exactly(project: Project, team: Team, amount: str) -> None:
    client = api_client_for(team.approver.user)

    created = client.post(url(project, "costs"), cost_body(project, amount), format="json")

    assert created.status_code == 201, created.json()
    assert created.json()["amount"] == amount
    listed = client.get(url(project, "costs"))
    assert listed.status_code == 200
    assert [row["amount"] for row in listed.json()["results"]] == [amount]
    detail = client.get(f"{url(project, 'costs')}{created.json()['id']}/")
    assert (detail.status_code, detail.json()["amount"]) == (200, amount)
    assert ActualCost.objects.for_organization(project.organization).get().amount == Decimal(amount)


def test_the_api_refuses_a_commitment_beyond_the_limit_and_takes_one_at_it(project: Project, team: Team) -> None:
    client = api_client_for(team.approver.user)

    over = client.post(url(project, "commitments"), commitment_body(project, "1000000000000"), format="json")
    at = client.post(url(project, "commitments"), commitment_body(project, LIMIT), format="json")

    assert over.status_code == 400
    assert field_errors(over)["amount"] == [money_limit_message()]
    assert at.status_code == 201, at.json()
    assert client.get(url(project, "commitments")).json()["results"][0]["amount"] == LIMIT


def test_the_api_refuses_a_budget_line_beyond_the_limit_and_takes_one_at_it(project: Project, team: Team) -> None:
    client = api_client_for(team.editor.user)
    version = client.post(url(project, "budgets"), {"note": "Tender"}, format="json").json()
    lines = f"{url(project, 'budgets')}{version['id']}/lines/"
    labour = category(project.organization, "labour").pk

    over = client.post(lines, {"category": labour, "amount": "1000000000000.00"}, format="json")
    at = client.post(lines, {"category": labour, "amount": LIMIT}, format="json")

    assert over.status_code == 400
    assert field_errors(over)["amount"] == [money_limit_message()]
    assert at.status_code == 201, at.json()
    assert BudgetLine.objects.for_organization(project.organization).get().amount == Decimal(LIMIT)


def test_the_services_refuse_an_amount_beyond_the_limit_with_a_field_error(project: Project, team: Team) -> None:
    labour = category(project.organization, "labour")
    with pytest.raises(ApplicationError) as cost:
        actual_cost_create(
            actor=team.approver.user,
            project=project,
            date=project.organization.today(),
            amount=Decimal("-1000000000000.00"),
            category=labour,
        )
    with pytest.raises(ApplicationError) as commitment:
        commitment_create(
            actor=team.approver.user,
            project=project,
            supplier="Acme",
            reference="PO-1",
            date=project.organization.today(),
            amount=Decimal("1000000000000.00"),
            category=labour,
        )
    version = budgets.budget_version_create(actor=team.editor.user, project=project)
    with pytest.raises(ApplicationError) as line:
        budgets.budget_line_add(actor=team.editor.user, version=version, category=labour, amount=Decimal("1e12"))

    for refused in (cost, commitment, line):
        assert refused.value.fields["amount"] == [money_limit_message()]
    assert not Commitment.objects.for_organization(project.organization).exists()


# --- pages ----------------------------------------------------------------------------


@pytest.fixture
def books(organization: Organization) -> Books:
    return build_books(organization)


def page_cost(books: Books, amount: str) -> dict[str, object]:
    return {"op": "create", "date": "2026-03-10", "amount": amount, "category": books.categories["labour"].pk}


def test_the_cost_page_refuses_an_amount_beyond_the_limit_beside_its_field(books: Books) -> None:
    client = books.client(books.finance)

    response = client.post(books.url("finance/actual-costs/"), page_cost(books, "-1000000000000.00"))

    assert response.status_code == 400
    assert response.context["form"].errors["amount"] == [money_limit_message()]
    assert not ActualCost.objects.for_organization(books.organization).filter(project=books.project).exists()


def test_the_cost_page_takes_an_amount_at_the_limit_and_shows_it_again(books: Books) -> None:
    client = books.client(books.finance)

    response = client.post(books.url("finance/actual-costs/"), page_cost(books, f"-{LIMIT}"), follow=True)

    assert response.status_code == 200
    assert ActualCost.objects.for_organization(books.organization).get(project=books.project).amount == Decimal(
        f"-{LIMIT}"
    )
    assert "999,999,999,999.99" in response.content.decode()


# --- CSV import -----------------------------------------------------------------------


def csv_file(*amounts: str) -> SimpleUploadedFile:
    rows = "".join(f"2026-03-0{number + 1},{amount},labour\n" for number, amount in enumerate(amounts))
    return SimpleUploadedFile("costs.csv", f"date,amount,category\n{rows}".encode(), content_type="text/csv")


def test_a_csv_import_refuses_a_row_beyond_the_limit_and_imports_nothing(project: Project, team: Team) -> None:
    client = api_client_for(team.editor.user)

    response = client.post(
        url(project, "costs") + "import/", {"file": csv_file("5.00", "1000000000000.00")}, format="multipart"
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"]["3"] == [f"amount: {money_limit_message()}"]
    assert not ActualCost.objects.for_organization(project.organization).exists()


def test_a_csv_import_takes_amounts_at_the_limit(project: Project, team: Team) -> None:
    client = api_client_for(team.editor.user)

    response = client.post(
        url(project, "costs") + "import/", {"file": csv_file(LIMIT, f"-{LIMIT}")}, format="multipart"
    )

    assert response.status_code == 201, response.json()
    amounts = (
        ActualCost.objects.for_organization(project.organization).order_by("date").values_list("amount", flat=True)
    )
    assert list(amounts) == [Decimal(LIMIT), Decimal(f"-{LIMIT}")]
    assert client.get(url(project, "costs")).status_code == 200
