"""The period lock: finance closes the books through a day; costs on or before it are neither added,
changed, reversed nor imported, and the days after it go on as before."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from finance.models import ActualCost, Commitment, FinanceSettings
from finance.services import costs, labour, period_lock
from pmo.errors import ApplicationError
from pmo.models import AuditEvent, Organization
from tests.conftest import api_client_for, page_client_for
from tests.finance.test_pages_support import Books, build_books

pytestmark = pytest.mark.django_db

CLOSED = dt.date(2026, 3, 31)
ON = CLOSED
BEFORE = dt.date(2026, 3, 10)
AFTER = dt.date(2026, 4, 1)


@pytest.fixture
def books(organization: Organization) -> Books:
    return build_books(organization)


def lock(books: Books, through: dt.date | None = CLOSED, reason: str = "") -> FinanceSettings:
    return period_lock.period_lock_set(
        actor=books.finance.user, organization=books.organization, locked_through=through, reason=reason
    )


def record(books: Books, day: dt.date, amount: str = "100.00") -> ActualCost:
    return costs.actual_cost_create(
        actor=books.finance.user,
        project=books.project,
        date=day,
        amount=Decimal(amount),
        category=books.categories["labour"],
    )


def commit(books: Books, day: dt.date) -> Commitment:
    return costs.commitment_create(
        actor=books.finance.user,
        project=books.project,
        supplier="Steel Co",
        reference="PO-1",
        date=day,
        amount=Decimal("100.00"),
        category=books.categories["materials"],
    )


def refused_locked(call, *args, **kwargs) -> ApplicationError:  # type: ignore[no-untyped-def]
    with pytest.raises(ApplicationError) as caught:
        call(*args, **kwargs)
    assert caught.value.code == "period_locked", caught.value.message
    assert CLOSED.isoformat() in caught.value.message
    return caught.value


def cost_count(books: Books) -> int:
    return ActualCost.objects.for_organization(books.organization).count()


@pytest.mark.parametrize("day", [BEFORE, ON])
def test_a_cost_on_or_before_the_closed_day_is_refused(books: Books, day: dt.date) -> None:
    lock(books)
    refused_locked(record, books, day)
    refused_locked(commit, books, day)
    refused_locked(
        labour.labour_cost_record,
        actor=books.finance.user,
        project=books.project,
        date=day,
        amount=Decimal("10.00"),
        wbs_element=None,
        reference="TS",
    )
    assert cost_count(books) == 0


def test_a_cost_the_day_after_is_recorded_as_usual(books: Books) -> None:
    lock(books)
    assert record(books, AFTER).date == AFTER
    assert commit(books, AFTER).date == AFTER


def test_a_cost_in_a_closed_period_is_not_reversed(books: Books) -> None:
    cost = record(books, BEFORE)
    later = record(books, AFTER)
    lock(books)

    refused_locked(costs.actual_cost_reverse, actor=books.finance.user, cost=cost, reason="Booked twice")

    assert costs.actual_cost_reverse(actor=books.finance.user, cost=later, reason="Booked twice").amount == Decimal(
        "-100.00"
    )
    assert cost_count(books) == 3


def test_a_commitment_in_a_closed_period_keeps_its_money_but_may_be_closed(books: Books) -> None:
    old = commit(books, BEFORE)
    lock(books)

    refused_locked(costs.commitment_update, actor=books.finance.user, commitment=old, amount=Decimal("90.00"))
    refused_locked(costs.commitment_update, actor=books.finance.user, commitment=old, date=AFTER)
    assert costs.commitment_update(actor=books.finance.user, commitment=old, status="closed").status == "closed"

    moving = commit(books, AFTER)
    refused_locked(costs.commitment_update, actor=books.finance.user, commitment=moving, date=ON)


def test_an_import_with_a_row_in_the_closed_period_names_the_row_and_imports_nothing(books: Books) -> None:
    lock(books)
    text = "date,amount,category\n2026-04-02,10.00,labour\n2026-03-31,20.00,labour\n"

    with pytest.raises(ApplicationError) as caught:
        costs.actual_costs_import(actor=books.finance.user, project=books.project, text=text)

    assert caught.value.code == "invalid_file"
    assert list(caught.value.fields) == ["3"]
    assert "2026-03-31" in caught.value.fields["3"][0]
    assert cost_count(books) == 0
    costs.actual_costs_import(actor=books.finance.user, project=books.project, text=text.replace("03-31", "04-03"))
    assert cost_count(books) == 2


def test_reopening_needs_a_reason_and_is_audited(books: Books) -> None:
    lock(books)
    with pytest.raises(ApplicationError) as caught:
        lock(books, dt.date(2026, 2, 28))
    assert caught.value.code == "reason_required"
    with pytest.raises(ApplicationError):
        lock(books, None)

    lock(books, None, reason="Late supplier invoice for March")
    record(books, BEFORE)

    events = AuditEvent.objects.for_organization(books.organization).filter(action__startswith="finance_period.")
    assert [(event.action, event.changes["locked_through"]) for event in events.order_by("pk")] == [
        ("finance_period.locked", [None, "2026-03-31"]),
        ("finance_period.reopened", ["2026-03-31", None]),
    ]


def test_a_day_after_today_cannot_be_closed(books: Books) -> None:
    tomorrow = books.organization.today() + dt.timedelta(days=1)
    with pytest.raises(ApplicationError) as caught:
        lock(books, tomorrow)
    assert caught.value.code == "lock_in_future"


def test_the_api_shows_the_lock_to_everyone_and_lets_finance_alone_move_it(books: Books) -> None:
    url = f"/api/v1/orgs/{books.organization.slug}/finance-period-lock/"
    viewer = api_client_for(books.viewer.user)
    assert viewer.get(url).json() == {"locked_through": None}
    assert viewer.post(url, {"locked_through": "2026-03-31"}, format="json").status_code == 403
    manager = api_client_for(books.manager.user)
    assert manager.post(url, {"locked_through": "2026-03-31"}, format="json").status_code == 403

    finance = api_client_for(books.finance.user)
    answer = finance.post(url, {"locked_through": "2026-03-31"}, format="json")
    assert answer.status_code == 200, answer.json()
    assert answer.json() == {"locked_through": "2026-03-31"}
    back = finance.post(url, {"locked_through": None}, format="json")
    assert back.status_code == 400
    assert back.json()["error"]["code"] == "reason_required"

    cost = api_client_for(books.manager.user).post(
        f"/api/v1/orgs/{books.organization.slug}/projects/{books.project.pk}/costs/",
        {"date": "2026-03-15", "amount": "10.00", "category": books.categories["labour"].pk},
        format="json",
    )
    assert cost.status_code == 400
    assert cost.json()["error"]["code"] == "period_locked"


def test_the_settings_page_closes_the_books_for_finance(books: Books) -> None:
    url = f"/o/{books.organization.slug}/finance/settings/"
    client = page_client_for(books.finance.user)
    assert "Period lock" in client.get(url).content.decode()

    answer = client.post(url, {"op": "lock", "locked_through": "2026-03-31", "reason": ""})

    assert answer.status_code == 302
    assert FinanceSettings.objects.for_organization(books.organization).get().locked_through == CLOSED
    refused = client.post(url, {"op": "lock", "locked_through": "", "reason": ""})
    assert refused.status_code == 400
    assert "Say why closed days are reopened." in refused.content.decode()
    assert page_client_for(books.manager.user).post(url, {"op": "lock", "locked_through": ""}).status_code == 403
