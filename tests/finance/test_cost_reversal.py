"""A wrong cost is reversed, never deleted: a negative entry linked to it, audited, once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from finance.models import ActualCost
from finance.services import costs
from pmo.errors import ApplicationError
from pmo.models import AuditEvent, Organization
from tests.conftest import api_client_for
from tests.finance.test_pages_support import Books, build_books

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(organization: Organization) -> Books:
    return build_books(organization)


def record(books: Books, amount: str = "250.00", date: dt.date = dt.date(2026, 3, 10)) -> ActualCost:
    return costs.actual_cost_create(
        actor=books.finance.user,
        project=books.project,
        date=date,
        amount=Decimal(amount),
        category=books.categories["labour"],
        supplier="Design Institute",
        reference="INV-1",
    )


def api_url(books: Books, suffix: str = "") -> str:
    return f"/api/v1/orgs/{books.organization.slug}/projects/{books.project.pk}/costs/{suffix}"


def test_a_reversal_is_the_negative_entry_linked_to_the_cost_and_audited(books: Books) -> None:
    cost = record(books)

    reversal = costs.actual_cost_reverse(actor=books.finance.user, cost=cost, reason="Invoice booked twice")

    assert (reversal.amount, reversal.date, reversal.category_id, reversal.reverses_id) == (
        Decimal("-250.00"),
        cost.date,
        cost.category_id,
        cost.pk,
    )
    assert (reversal.source, reversal.reversal_reason, reversal.reference) == (
        "reversal",
        "Invoice booked twice",
        "INV-1",
    )
    event = AuditEvent.objects.for_organization(books.organization).get(action="actual_cost.reversed")
    assert event.target_id == str(reversal.pk)
    assert event.changes["reverses"] == [None, cost.pk]
    total = sum(ActualCost.objects.for_organization(books.organization).values_list("amount", flat=True))
    assert total == Decimal("0.00")


def test_a_cost_is_reversed_once_only(books: Books) -> None:
    cost = record(books)
    costs.actual_cost_reverse(actor=books.finance.user, cost=cost, reason="Wrong project")

    with pytest.raises(ApplicationError) as refused:
        costs.actual_cost_reverse(actor=books.finance.user, cost=cost, reason="Again")

    assert refused.value.code == "already_reversed"
    assert ActualCost.objects.for_organization(books.organization).count() == 2


def test_a_reversal_cannot_be_reversed(books: Books) -> None:
    reversal = costs.actual_cost_reverse(actor=books.finance.user, cost=record(books), reason="Wrong project")

    with pytest.raises(ApplicationError) as refused:
        costs.actual_cost_reverse(actor=books.finance.user, cost=reversal, reason="Undo")

    assert refused.value.code == "reversal_not_reversible"


def test_a_reversal_needs_a_reason(books: Books) -> None:
    with pytest.raises(ApplicationError) as refused:
        costs.actual_cost_reverse(actor=books.finance.user, cost=record(books), reason="  ")

    assert "reason" in refused.value.fields
    assert ActualCost.objects.for_organization(books.organization).count() == 1


def test_the_api_reverses_a_cost_and_lists_both_linked(books: Books) -> None:
    cost = record(books)
    client = api_client_for(books.finance.user)

    response = client.post(api_url(books, f"{cost.pk}/reverse/"), {"reason": "Invoice booked twice"})
    again = client.post(api_url(books, f"{cost.pk}/reverse/"), {"reason": "Again"})
    listed = {row["id"]: row for row in client.get(api_url(books)).json()["results"]}

    assert response.status_code == 201, response.content
    reversal_id = response.json()["id"]
    assert (response.json()["amount"], response.json()["reverses"]) == ("-250.00", cost.pk)
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "already_reversed"
    assert listed[cost.pk]["reversed_by"] == reversal_id
    assert listed[reversal_id]["reverses"] == cost.pk
    assert listed[reversal_id]["reversal_reason"] == "Invoice booked twice"


def test_a_viewer_cannot_reverse_a_cost(books: Books) -> None:
    cost = record(books)

    response = api_client_for(books.viewer.user).post(api_url(books, f"{cost.pk}/reverse/"), {"reason": "No"})

    assert response.status_code == 403
    assert ActualCost.objects.for_organization(books.organization).count() == 1


def test_the_costs_page_reverses_a_cost_and_shows_both(books: Books) -> None:
    cost = record(books)
    client = books.client(books.finance)

    response = client.post(
        books.url("finance/actual-costs/"), {"op": "reverse", "cost": cost.pk, "reason": "Invoice booked twice"}
    )
    page = client.get(books.url("finance/actual-costs/"))

    assert response.status_code == 302
    reversal = ActualCost.objects.for_organization(books.organization).get(reverses=cost)
    text = page.content.decode()
    assert f"#{reversal.pk}" in text
    assert "Invoice booked twice" in text
    assert f'name="cost" value="{cost.pk}"' not in text


def test_a_cost_dated_far_ahead_no_longer_breaks_the_finance_page(books: Books) -> None:
    ActualCost.objects.create(
        organization=books.organization,
        project=books.project,
        date=dt.date(9999, 12, 31),
        amount=Decimal("100.00"),
        category=books.categories["labour"],
        created_by=books.finance.user,
    )

    client = books.client(books.finance)

    for path in ("finance/", "finance/actual-costs/", "finance/forecast/", "earned-value/", ""):
        assert client.get(books.url(path)).status_code == 200, path
    assert client.get(f"/o/{books.organization.slug}/").status_code == 200
