"""The finance review queue: submitted budget versions across projects, approved or rejected by finance."""

from __future__ import annotations

from decimal import Decimal

import pytest

from finance.models import BudgetVersion
from finance.services import budgets, categories
from pmo.models import AuditEvent, Membership, Organization, OrgRole
from tests.conftest import page_client_for
from tests.factories import member
from tests.finance.test_pages_support import Books, build_books, count_queries, submitted_version
from tests.projects.helpers import make_project

pytestmark = pytest.mark.django_db

QUEUE = "/o/acme/finance/"


def decision_url(version: BudgetVersion) -> str:
    return f"/o/acme/finance/reviews/{version.pk}/"


def refreshed(version: BudgetVersion) -> BudgetVersion:
    return BudgetVersion.objects.for_organization(version.organization_id).get(pk=version.pk)


@pytest.fixture
def books(organization: Organization) -> Books:
    return build_books(organization)


def test_finance_sees_each_submitted_version_with_its_lines_its_difference_and_the_decision_form(books: Books) -> None:
    v2 = submitted_version(books)
    response = books.client(books.finance).get(QUEUE)
    assert response.status_code == 200
    (item,) = response.context["items"]
    assert item["version"] == v2
    assert item["version"].total == Decimal("4500.00")
    assert len(item["lines"]) == 3
    differences = {row.category.code: row.difference for row in item["diff"]}
    assert differences == {"labour": Decimal("500.00"), "materials": Decimal("0.00")}
    assert item["form"] is not None
    html = response.content.decode()
    assert f'action="{decision_url(v2)}"' in html
    assert 'value="approve"' in html
    assert 'value="reject"' in html


def test_a_finance_user_approves_a_submitted_version_from_the_queue(books: Books) -> None:
    v2 = submitted_version(books)
    client = books.client(books.finance)
    response = client.post(decision_url(v2), {"op": "approve", f"v{v2.pk}-comment": "Fine."})
    assert response.status_code == 302
    assert response["Location"] == QUEUE
    v2 = refreshed(v2)
    assert (v2.status, v2.is_current, v2.decision_comment) == ("approved", True, "Fine.")
    assert refreshed(books.v1).status == BudgetVersion.Status.SUPERSEDED
    after = client.get(QUEUE)
    assert after.context["items"] == []
    assert 'class="message message-success"' in after.content.decode()
    assert 'class="empty-state"' in after.content.decode()


def test_the_submitter_gets_no_approve_button_and_is_refused_when_posting_anyway(books: Books) -> None:
    v2 = submitted_version(books, by=books.finance)
    client = books.client(books.finance)
    page = client.get(QUEUE)
    (item,) = page.context["items"]
    assert item["is_submitter"]
    assert item["form"] is None
    html = page.content.decode()
    assert 'value="approve"' not in html
    assert 'class="note-box"' in html

    refused = client.post(decision_url(v2), {"op": "approve"})
    assert refused.status_code == 403
    assert 'class="message message-error"' in refused.content.decode()
    assert refreshed(v2).status == BudgetVersion.Status.SUBMITTED
    assert refreshed(books.v1).is_current

    # Another finance user may.
    other = books.client(books.other_finance)
    assert other.get(QUEUE).context["items"][0]["form"] is not None
    assert other.post(decision_url(v2), {"op": "approve"}).status_code == 302
    assert refreshed(v2).is_current


def test_a_rejection_without_a_comment_is_shown_beside_the_comment_and_changes_nothing(books: Books) -> None:
    v2 = submitted_version(books)
    events = AuditEvent.objects.for_organization(books.organization).count()
    response = books.client(books.finance).post(decision_url(v2), {"op": "reject", f"v{v2.pk}-comment": "  "})
    assert response.status_code == 400
    (item,) = response.context["items"]
    assert "comment" in item["form"].errors
    assert 'class="field-error"' in response.content.decode()
    assert refreshed(v2).status == BudgetVersion.Status.SUBMITTED
    assert AuditEvent.objects.for_organization(books.organization).count() == events


def test_a_rejection_with_a_comment_sends_the_version_back(books: Books) -> None:
    v2 = submitted_version(books)
    response = books.client(books.finance).post(
        decision_url(v2), {"op": "reject", f"v{v2.pk}-comment": "Labour is not justified."}
    )
    assert response.status_code == 302
    v2 = refreshed(v2)
    assert (v2.status, v2.decision_comment) == ("rejected", "Labour is not justified.")
    assert refreshed(books.v1).is_current


@pytest.mark.parametrize("role", [OrgRole.ADMIN, OrgRole.PMO, OrgRole.PROJECT_MANAGER, OrgRole.VIEWER])
def test_everyone_else_follows_the_queue_without_deciding(books: Books, role: str) -> None:
    v2 = submitted_version(books)
    client = books.client(member(books.organization, role))
    page = client.get(QUEUE)
    assert page.status_code == 200
    assert page.context["items"][0]["form"] is None
    assert not page.context["may_approve"]
    assert client.post(decision_url(v2), {"op": "approve"}).status_code == 403
    assert refreshed(v2).status == BudgetVersion.Status.SUBMITTED


def test_an_unknown_operation_or_a_version_no_longer_waiting_changes_nothing(books: Books) -> None:
    client = books.client(books.finance)
    v2 = submitted_version(books)
    assert client.post(decision_url(v2), {"op": "delete"}).status_code == 400
    assert client.post(decision_url(books.v1), {"op": "approve"}).status_code == 400
    assert refreshed(v2).status == BudgetVersion.Status.SUBMITTED
    assert client.get(decision_url(v2)).status_code == 302


def test_the_queue_is_empty_when_nothing_waits(organization: Organization) -> None:
    page = page_client_for(member(organization, OrgRole.FINANCE).user).get(QUEUE)
    assert page.status_code == 200
    assert page.context["items"] == []
    assert 'class="empty-state"' in page.content.decode()


def _submit_for_new_projects(organization: Organization, count: int, submitter: Membership) -> None:
    by_code = {category.code: category for category in categories.cost_categories(organization)}
    start = BudgetVersion.objects.for_organization(organization).count()
    for index in range(count):
        project = make_project(organization, code=f"Q-{start + index}", name=f"Queued {index}")
        version = budgets.budget_version_create(actor=submitter.user, project=project)
        for code in ("labour", "materials", "equipment"):
            budgets.budget_line_add(
                actor=submitter.user, version=version, category=by_code[code], amount=Decimal("100.00")
            )
        budgets.budget_version_submit(actor=submitter.user, version=version)


def test_the_queue_runs_a_fixed_number_of_queries_whatever_its_length(books: Books) -> None:
    submitted_version(books)
    client = books.client(books.finance)
    small = count_queries(client, QUEUE)
    _submit_for_new_projects(books.organization, 5, books.manager)
    large = count_queries(client, QUEUE)
    assert len(client.get(QUEUE).context["items"]) == 6
    assert (small, large) == (11, 11)
