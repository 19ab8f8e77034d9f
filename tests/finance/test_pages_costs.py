"""Commitments, actual costs (by hand and from CSV) and the forecast of a project, through its pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from finance.models import ActualCost, Commitment, FinanceSettings, ManualForecast
from finance.services import categories, costs
from pmo.models import Organization
from tests.conftest import page_client_for
from tests.finance.test_pages_support import Books, build_books
from tests.projects.helpers import make_project

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def books(organization: Organization) -> Books:
    return build_books(organization)


def block_over_budget(books: Books) -> None:
    categories.finance_settings_update(
        actor=books.finance.user, organization=books.organization, budget_control=FinanceSettings.BudgetControl.BLOCK
    )


def actuals(books: Books) -> list[tuple[dt.date, Decimal, bool]]:
    return list(
        ActualCost.objects.for_organization(books.organization)
        .filter(project=books.project)
        .order_by("date", "pk")
        .values_list("date", "amount", "over_budget")
    )


def cost_data(books: Books, **overrides: str) -> dict[str, object]:
    return {
        "op": "create",
        "date": "2026-03-10",
        "amount": "250.00",
        "category": books.categories["labour"].pk,
        "supplier": "Design Institute",
        "reference": "INV-1",
        **overrides,
    }


def csv_upload(text: str, name: str = "costs.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


# --- actual costs -----------------------------------------------------------------------------


def test_recording_an_actual_cost_by_hand(books: Books) -> None:
    client = books.client(books.finance)
    response = client.post(books.url("finance/actual-costs/"), cost_data(books))
    assert response.status_code == 302
    assert actuals(books) == [(dt.date(2026, 3, 10), D("250.00"), False)]
    page = client.get(response["Location"])
    assert 'class="message message-success"' in page.content.decode()
    assert page.context["total"] == D("250.00")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"date": "10/03/2026x"}, "date"),
        ({"amount": ""}, "amount"),
        ({"amount": "1.234"}, "amount"),
        ({"category": ""}, "category"),
    ],
)
def test_a_bad_cost_is_shown_beside_its_field_and_nothing_is_saved(
    books: Books, overrides: dict[str, str], field: str
) -> None:
    response = books.client(books.finance).post(books.url("finance/actual-costs/"), cost_data(books, **overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert 'class="field-error"' in response.content.decode()
    assert actuals(books) == []


def test_under_warn_an_over_budget_cost_is_saved_flagged_and_said(books: Books) -> None:
    client = books.client(books.finance)
    response = client.post(books.url("finance/actual-costs/"), cost_data(books, amount="1500.00"), follow=True)
    assert actuals(books) == [(dt.date(2026, 3, 10), D("1500.00"), True)]
    html = response.content.decode()
    assert 'class="message message-warning"' in html
    assert 'class="over-row"' in html


def test_under_block_an_over_budget_cost_is_refused_with_a_clear_message_and_nothing_is_saved(books: Books) -> None:
    block_over_budget(books)
    response = books.client(books.finance).post(books.url("finance/actual-costs/"), cost_data(books, amount="1500.00"))
    assert response.status_code == 400
    assert actuals(books) == []
    html = response.content.decode()
    assert 'class="message message-error"' in html
    assert "amount" in response.context["form"].errors
    assert response.context["form"]["amount"].value() == "1500.00"  # the input is kept to correct


def test_a_csv_file_imports_every_row(books: Books) -> None:
    text = (
        "date,amount,category,wbs_code,supplier,reference\n"
        f"2026-03-05,100.00,labour,{books.plan.a.code},Design Institute,INV-9\n"
        "2026-03-12,200.50,materials,,Stone Co,INV-10\n"
    )
    response = books.client(books.finance).post(
        books.url("finance/actual-costs/"), {"op": "import", "file": csv_upload(text)}
    )
    assert response.status_code == 302
    assert [(day, amount) for day, amount, _over in actuals(books)] == [
        (dt.date(2026, 3, 5), D("100.00")),
        (dt.date(2026, 3, 12), D("200.50")),
    ]


def test_a_csv_file_with_errors_lists_every_rows_errors_and_imports_nothing(books: Books) -> None:
    text = (
        "date,amount,category\n"
        "2026-03-05,100.00,labour\n"
        "not a date,100.00,labour\n"
        "2026-03-06,lots,nothing\n"
        "2026-03-07,5.00,materials\n"
    )
    response = books.client(books.finance).post(
        books.url("finance/actual-costs/"), {"op": "import", "file": csv_upload(text)}
    )
    assert response.status_code == 400
    assert actuals(books) == []
    problems = response.context["import_errors"]
    assert [row["line"] for row in problems] == [3, 4]
    assert len(problems[1]["messages"]) == 2  # amount and category, both on line 4
    html = response.content.decode()
    assert 'class="import-errors"' in html
    assert html.count('<li><span class="line-no">') == 2
    assert 'class="message message-error"' in html


def test_a_file_that_is_no_csv_of_costs_is_refused_as_a_whole(books: Books) -> None:
    client = books.client(books.finance)
    response = client.post(books.url("finance/actual-costs/"), {"op": "import", "file": csv_upload("a,b\n1,2\n")})
    assert response.status_code == 400
    assert [row["line"] for row in response.context["import_errors"]] == [None]
    missing = client.post(books.url("finance/actual-costs/"), {"op": "import"})
    assert missing.status_code == 400
    assert "file" in missing.context["import_form"].errors
    assert actuals(books) == []


def test_under_block_a_file_over_budget_is_refused_and_nothing_is_saved(books: Books) -> None:
    block_over_budget(books)
    text = "date,amount,category\n2026-03-05,900.00,labour\n2026-03-06,900.00,labour\n"
    response = books.client(books.finance).post(
        books.url("finance/actual-costs/"), {"op": "import", "file": csv_upload(text)}
    )
    assert response.status_code == 400
    assert actuals(books) == []
    assert [row["line"] for row in response.context["import_errors"]] == [None]


def test_actual_costs_are_paginated_newest_first(books: Books) -> None:
    for index in range(30):
        costs.actual_cost_create(
            actor=books.finance.user,
            project=books.project,
            date=dt.date(2026, 3, 2) + dt.timedelta(days=index),
            amount=D("1.00"),
            category=books.categories["materials"],
        )
    client = books.client(books.viewer)
    first = client.get(books.url("finance/actual-costs/"))
    assert len(first.context["page"].object_list) == 25
    assert first.context["page"].object_list[0].date == dt.date(2026, 3, 31)
    assert first.context["total"] == D("30.00")
    assert 'class="pagination"' in first.content.decode()
    second = client.get(books.url("finance/actual-costs/?page=2"))
    assert len(second.context["page"].object_list) == 5


def test_viewers_read_costs_without_forms_and_cannot_post(books: Books) -> None:
    client = books.client(books.viewer)
    page = client.get(books.url("finance/actual-costs/"))
    assert "form" not in page.context
    assert 'value="import"' not in page.content.decode()
    assert client.post(books.url("finance/actual-costs/"), cost_data(books)).status_code == 403
    assert client.post(books.url("finance/commitments/"), {"op": "create"}).status_code == 403
    assert actuals(books) == []


# --- commitments -----------------------------------------------------------------------------


def commitment_data(books: Books, **overrides: str) -> dict[str, object]:
    return {
        "op": "create",
        "supplier": "Stone Co",
        "reference": "PO-7",
        "date": "2026-03-03",
        "amount": "2500.00",
        "category": books.categories["materials"].pk,
        "wbs_element": books.plan.b.pk,
        **overrides,
    }


def test_recording_and_closing_a_commitment(books: Books) -> None:
    client = books.client(books.manager)
    response = client.post(books.url("finance/commitments/"), commitment_data(books))
    assert response.status_code == 302
    commitment = Commitment.objects.for_organization(books.organization).get()
    assert (commitment.reference, commitment.amount, commitment.wbs_element_id) == ("PO-7", D(2500), books.plan.b.pk)
    listing = client.get(books.url("finance/commitments/"))
    assert listing.context["open_total"] == D(2500)
    edit_url = books.url(f"finance/commitments/{commitment.pk}/")
    assert client.get(edit_url).context["form"].initial["status"] == "open"
    closed = client.post(edit_url, {**commitment_data(books), "op": "save", "status": "closed"})
    assert closed.status_code == 302
    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.CLOSED
    closed_page = client.get(edit_url)
    assert not closed_page.context["is_open"]
    assert 'value="save"' not in closed_page.content.decode()
    final = client.post(edit_url, {**commitment_data(books), "op": "save", "status": "open", "amount": "1"})
    assert final.status_code == 400
    assert 'class="message message-error"' in final.content.decode()
    commitment.refresh_from_db()
    assert (commitment.status, commitment.amount) == ("closed", D(2500))


def test_a_bad_commitment_is_shown_beside_its_fields(books: Books) -> None:
    response = books.client(books.manager).post(
        books.url("finance/commitments/"), commitment_data(books, supplier="", amount="-3")
    )
    assert response.status_code == 400
    assert {"supplier", "amount"} <= set(response.context["form"].errors)
    assert not Commitment.objects.for_organization(books.organization).exists()


def test_under_block_an_over_budget_commitment_is_refused(books: Books) -> None:
    block_over_budget(books)
    response = books.client(books.manager).post(
        books.url("finance/commitments/"), commitment_data(books, amount="3000.01")
    )
    assert response.status_code == 400
    assert 'class="message message-error"' in response.content.decode()
    assert not Commitment.objects.for_organization(books.organization).exists()


# --- forecast --------------------------------------------------------------------------------


def test_the_forecast_sets_the_estimates_side_by_side_and_records_the_managers_own(books: Books) -> None:
    costs.actual_cost_create(
        actor=books.finance.user,
        project=books.project,
        date=dt.date(2026, 3, 6),
        amount=D("2000.00"),
        category=books.categories["labour"],
    )
    client = books.client(books.manager)
    page = client.get(books.url("finance/forecast/"))
    assert page.status_code == 200
    assert [row["method"] for row in page.context["methods"]] == ["typical", "atypical", "combined"]
    assert "form" in page.context
    response = client.post(
        books.url("finance/forecast/"),
        {"op": "set", "estimate_to_complete": "2500", "justification": "Structure re-estimated."},
    )
    assert response.status_code == 302
    after = client.get(books.url("finance/forecast/"))
    manual = after.context["methods"][-1]
    assert manual["method"] == "manual"
    assert manual["line"].eac == D("4500.00")
    assert len(after.context["history"]) == 1


def test_a_forecast_without_a_justification_is_refused_beside_it(books: Books) -> None:
    response = books.client(books.manager).post(
        books.url("finance/forecast/"), {"op": "set", "estimate_to_complete": "10", "justification": ""}
    )
    assert response.status_code == 400
    assert "justification" in response.context["form"].errors
    assert not ManualForecast.objects.for_organization(books.organization).exists()


def test_the_forecast_of_a_project_without_baseline_says_to_set_one(books: Books, organization: Organization) -> None:
    project = make_project(organization, code="NB")
    response = page_client_for(books.viewer.user).get(f"/o/acme/projects/{project.pk}/finance/forecast/")
    assert response.status_code == 200
    assert response.context["forecast"] is None
    assert "form" not in response.context
    assert 'class="empty-state"' in response.content.decode()
