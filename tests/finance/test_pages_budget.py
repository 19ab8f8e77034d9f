"""A project's budget pages: by category, burn chart, reconciliation, versions and their lines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from finance.models import BudgetLine, BudgetVersion
from finance.services import budgets, costs
from pmo.models import Organization, OrgRole
from tests.factories import member
from tests.finance.test_pages_support import Books, approve, build_books, count_queries, submitted_version
from tests.projects.helpers import make_project

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def books(organization: Organization) -> Books:
    return build_books(organization)


def version_url(books: Books, version: BudgetVersion, rest: str = "") -> str:
    return books.url(f"finance/versions/{version.pk}/{rest}")


def lines_of(version: BudgetVersion) -> list[tuple[str, Decimal]]:
    return [
        (line.category.code, line.amount)
        for line in BudgetLine.objects.for_organization(version.organization_id)
        .filter(version=version)
        .select_related("category")
        .order_by("category__order", "pk")
    ]


def refreshed(version: BudgetVersion) -> BudgetVersion:
    return BudgetVersion.objects.for_organization(version.organization_id).get(pk=version.pk)


def spend(books: Books, code: str, amount: str, day: dt.date = dt.date(2026, 3, 10)) -> None:
    costs.actual_cost_create(
        actor=books.finance.user, project=books.project, date=day, amount=D(amount), category=books.categories[code]
    )


# --- the budget page ------------------------------------------------------------------------


def test_the_budget_page_sets_approved_committed_and_actual_side_by_side_and_flags_what_is_over(books: Books) -> None:
    spend(books, "labour", "1200.00")
    spend(books, "materials", "500.00", dt.date(2026, 3, 12))
    costs.commitment_create(
        actor=books.finance.user,
        project=books.project,
        supplier="Stone Co",
        reference="PO-1",
        date=dt.date(2026, 3, 3),
        amount=D("2000.00"),
        category=books.categories["materials"],
    )
    response = books.client(books.viewer).get(books.url("finance/"))
    assert response.status_code == 200
    rows = {row.category.code: row for row in response.context["rows"]}
    assert (rows["labour"].approved, rows["labour"].actual, rows["labour"].over) == (D(1000), D(1200), True)
    assert (rows["materials"].committed, rows["materials"].remaining, rows["materials"].over) == (
        D(2000),
        D(1000),
        False,
    )
    assert response.context["totals"] == {
        "approved": D(4000),
        "committed": D(2000),
        "actual": D(1700),
        "remaining": D(800),
    }
    assert response.context["over_count"] == 1
    html = response.content.decode()
    assert html.count('class="over-row"') == 1
    assert "4,000.00" in html  # thousands separators


def test_the_burn_chart_draws_cumulative_cost_the_approved_budget_and_planned_value(books: Books) -> None:
    spend(books, "labour", "300.00", dt.date(2026, 3, 4))
    spend(books, "labour", "200.00", dt.date(2026, 3, 9))
    response = books.client(books.viewer).get(books.url("finance/"))
    chart = response.context["burn"]
    assert chart is not None
    svg = str(chart.svg)
    assert 'data-series="ac"' in svg
    assert 'data-series="pv"' in svg
    assert 'class="lv c-budget"' in svg
    assert "2026-03-09: 500.00" in svg  # the running total in a tooltip
    assert [item.key for item in chart.legend] == ["pv", "ac", "budget", "status"]


def test_a_project_without_costs_or_baseline_shows_empty_states(organization: Organization) -> None:
    project = make_project(organization, code="NEW")
    viewer = member(organization, OrgRole.VIEWER)
    from tests.conftest import page_client_for

    response = page_client_for(viewer.user).get(f"/o/acme/projects/{project.pk}/finance/")
    assert response.status_code == 200
    assert response.context["burn"] is None
    assert response.context["reconciliation"].baseline_total is None
    assert response.context["versions"] == []
    assert response.content.decode().count('class="empty-state"') == 2


def test_the_reconciliation_says_equal_or_names_the_difference_and_where(books: Books) -> None:
    client = books.client(books.viewer)
    assert client.get(books.url("finance/")).context["reconciliation"].is_equal
    v2 = budgets.budget_version_create(actor=books.manager.user, project=books.project)
    labour = next(line for line in v2.lines.all() if line.category_id == books.categories["labour"].pk)
    budgets.budget_line_update(actor=books.manager.user, line=labour, amount=D("1500.00"))
    budgets.budget_version_submit(actor=books.manager.user, version=v2)
    approve(v2, books.finance)
    response = client.get(books.url("finance/"))
    reconciliation = response.context["reconciliation"]
    assert not reconciliation.is_equal
    assert reconciliation.difference == D("500.00")
    assert [(row.code, row.difference) for row in reconciliation.rows] == [(books.plan.a.code, D("500.00"))]
    assert 'class="recon recon-diff"' in response.content.decode()


def test_the_versions_list_marks_the_current_one_and_offers_a_new_draft_to_budget_editors(books: Books) -> None:
    manager_page = books.client(books.manager).get(books.url("finance/"))
    assert [item["version"].number for item in manager_page.context["versions"]] == [1]
    assert manager_page.context["current"] == books.v1
    assert "version_form" in manager_page.context
    assert 'class="badge badge-blue"' in manager_page.content.decode()
    viewer_page = books.client(books.viewer).get(books.url("finance/"))
    assert "version_form" not in viewer_page.context
    assert 'value="new_version"' not in viewer_page.content.decode()


def test_a_new_draft_copies_the_approved_version_and_opens_its_page(books: Books) -> None:
    response = books.client(books.manager).post(books.url("finance/"), {"op": "new_version", "note": "Rework"})
    v2 = BudgetVersion.objects.for_organization(books.organization).get(project=books.project, number=2)
    assert response.status_code == 302
    assert response["Location"] == version_url(books, v2)
    assert (v2.status, v2.note) == ("draft", "Rework")
    assert lines_of(v2) == lines_of(books.v1)


def test_while_a_version_is_open_the_new_draft_form_gives_way_to_a_link_and_a_post_is_refused(books: Books) -> None:
    v2 = submitted_version(books)
    client = books.client(books.manager)
    page = client.get(books.url("finance/"))
    assert "version_form" not in page.context
    assert page.context["open_version"] == v2
    refused = client.post(books.url("finance/"), {"op": "new_version"})
    assert refused.status_code == 400
    assert 'class="message message-error"' in refused.content.decode()
    assert BudgetVersion.objects.for_organization(books.organization).count() == 2


def _grow(books: Books, versions: int, cost_rows: int) -> None:
    for index in range(cost_rows):
        spend(books, "labour" if index % 2 else "materials", "10.00", dt.date(2026, 3, 2) + dt.timedelta(days=index))
    for _index in range(versions):
        version = submitted_version(books, extra="10.00")
        approve(version, books.finance)


def test_the_budget_page_runs_a_fixed_number_of_queries_whatever_the_number_of_versions_and_costs(
    books: Books,
) -> None:
    client = books.client(books.manager)
    _grow(books, versions=1, cost_rows=2)
    small = count_queries(client, books.url("finance/"))
    _grow(books, versions=4, cost_rows=30)
    large = count_queries(client, books.url("finance/"))
    assert len(client.get(books.url("finance/")).context["versions"]) == 6
    assert (small, large) == (33, 33)


# --- a version and its lines ------------------------------------------------------------------


@pytest.fixture
def draft(books: Books) -> BudgetVersion:
    return budgets.budget_version_create(actor=books.manager.user, project=books.project, note="Draft")


def test_a_draft_page_offers_line_reserve_and_submit_forms_to_its_editors_only(
    books: Books, draft: BudgetVersion
) -> None:
    page = books.client(books.manager).get(version_url(books, draft))
    assert page.status_code == 200
    assert page.context["can_edit"]
    assert "line_form" in page.context
    assert "reserves_form" in page.context
    html = page.content.decode()
    for op in ("add_line", "reserves", "submit"):
        assert f'value="{op}"' in html
    assert [row.difference for row in page.context["diff"]] == [D(0), D(0)]
    as_viewer = books.client(books.viewer).get(version_url(books, draft))
    assert not as_viewer.context["can_edit"]
    assert '<form method="post"' not in as_viewer.content.decode().split('id="main"')[1]


def test_adding_a_line_to_a_draft(books: Books, draft: BudgetVersion) -> None:
    response = books.client(books.manager).post(
        version_url(books, draft),
        {
            "op": "add_line",
            "category": books.categories["equipment"].pk,
            "wbs_element": books.plan.b.pk,
            "amount": "750.50",
            "note": "Crane",
        },
    )
    assert response.status_code == 302
    assert ("equipment", D("750.50")) in lines_of(draft)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"amount": "-1", "category": "labour"}, "amount"),
        ({"amount": "abc", "category": "labour"}, "amount"),
        ({"amount": "10"}, "category"),
        ({"amount": "10", "category": "labour", "wbs_element": "999999"}, "wbs_element"),
    ],
)
def test_a_bad_line_is_shown_beside_its_field_and_nothing_is_added(
    books: Books, draft: BudgetVersion, data: dict[str, str], field: str
) -> None:
    before = lines_of(draft)
    if "category" in data:
        data = {**data, "category": str(books.categories[data["category"]].pk)}
    response = books.client(books.manager).post(version_url(books, draft), {"op": "add_line", **data})
    assert response.status_code == 400
    assert field in response.context["line_form"].errors
    assert 'class="field-error"' in response.content.decode()
    assert lines_of(draft) == before


def test_a_switched_off_category_is_not_offered_and_is_refused(books: Books, draft: BudgetVersion) -> None:
    from finance.services import categories

    travel = books.categories["travel"]
    categories.cost_category_update(actor=books.finance.user, category=travel, is_active=False)
    page = books.client(books.manager).get(version_url(books, draft))
    assert travel not in page.context["line_form"].fields["category"].queryset
    response = books.client(books.manager).post(
        version_url(books, draft), {"op": "add_line", "category": travel.pk, "amount": "5"}
    )
    assert response.status_code == 400
    assert "category" in response.context["line_form"].errors


def test_editing_and_removing_a_line_of_a_draft(books: Books, draft: BudgetVersion) -> None:
    client = books.client(books.manager)
    line = BudgetLine.objects.for_organization(books.organization).filter(version=draft).first()
    assert line is not None
    url = version_url(books, draft, f"lines/{line.pk}/")
    form_page = client.get(url)
    assert form_page.status_code == 200
    assert form_page.context["form"].initial["amount"] == line.amount
    saved = client.post(url, {"op": "save", "category": line.category_id, "amount": "1234.00", "note": "Re-estimated"})
    assert saved.status_code == 302
    line.refresh_from_db()
    assert (line.amount, line.note, line.wbs_element_id) == (D("1234.00"), "Re-estimated", None)
    bad = client.post(url, {"op": "save", "category": line.category_id, "amount": ""})
    assert bad.status_code == 400
    assert "amount" in bad.context["form"].errors
    removed = client.post(version_url(books, draft, f"lines/{line.pk}/remove/"))
    assert removed.status_code == 302
    assert not BudgetLine.objects.for_organization(books.organization).filter(pk=line.pk).exists()
    assert client.get(version_url(books, draft, f"lines/{line.pk}/remove/")).status_code == 404


def test_reserves_and_note_are_saved_and_a_negative_reserve_is_refused(books: Books, draft: BudgetVersion) -> None:
    client = books.client(books.manager)
    ok = client.post(
        version_url(books, draft),
        {"op": "reserves", "contingency_reserve": "200", "management_reserve": "100.5", "note": "With reserves"},
    )
    assert ok.status_code == 302
    draft = refreshed(draft)
    assert (draft.contingency_reserve, draft.management_reserve, draft.note) == (D(200), D("100.50"), "With reserves")
    bad = client.post(
        version_url(books, draft), {"op": "reserves", "contingency_reserve": "-5", "management_reserve": "0"}
    )
    assert bad.status_code == 400
    assert "contingency_reserve" in bad.context["reserves_form"].errors
    assert refreshed(draft).contingency_reserve == D(200)


def test_submitting_a_draft_sends_it_to_the_queue_and_ends_its_editing(books: Books, draft: BudgetVersion) -> None:
    client = books.client(books.manager)
    response = client.post(version_url(books, draft), {"op": "submit"})
    assert response.status_code == 302
    assert refreshed(draft).status == BudgetVersion.Status.SUBMITTED
    page = client.get(version_url(books, draft))
    assert not page.context["can_edit"]
    assert page.context["is_submitter"]
    assert 'value="add_line"' not in page.content.decode()
    again = client.post(version_url(books, draft), {"op": "add_line", "category": "1", "amount": "1"})
    assert again.status_code == 400
    assert lines_of(refreshed(draft)) == lines_of(books.v1)


def test_an_empty_draft_cannot_be_submitted(books: Books) -> None:
    v2 = budgets.budget_version_create(actor=books.manager.user, project=books.project)
    for line in BudgetLine.objects.for_organization(books.organization).filter(version=v2):
        budgets.budget_line_remove(actor=books.manager.user, line=line)
    response = books.client(books.manager).post(version_url(books, v2), {"op": "submit"})
    assert response.status_code == 400
    assert 'class="message message-error"' in response.content.decode()
    assert refreshed(v2).status == BudgetVersion.Status.DRAFT


def test_viewers_cannot_change_a_draft(books: Books, draft: BudgetVersion) -> None:
    client = books.client(books.viewer)
    assert client.post(version_url(books, draft), {"op": "submit"}).status_code == 403
    line = BudgetLine.objects.for_organization(books.organization).filter(version=draft).first()
    assert line is not None
    assert client.get(version_url(books, draft, f"lines/{line.pk}/")).status_code == 403
    assert refreshed(draft).status == BudgetVersion.Status.DRAFT


def test_a_version_of_another_project_is_not_found_under_this_one(books: Books, organization: Organization) -> None:
    other = make_project(organization, code="OTHER")
    version = budgets.budget_version_create(actor=books.manager.user, project=other)
    response = books.client(books.finance).get(version_url(books, version))
    assert response.status_code == 404


# The largest credit a user may enter (``pmo.money``); the trial's -99,999,999,999,999.99 is now refused.
@pytest.mark.parametrize("credit", ["-999999999999.99", "-200000.00"])
def test_a_running_total_far_below_zero_draws_a_burn_chart_with_a_few_axis_labels(books: Books, credit: str) -> None:
    spend(books, "labour", "300.00", dt.date(2026, 3, 4))
    spend(books, "labour", credit, dt.date(2026, 3, 9))
    response = books.client(books.viewer).get(books.url("finance/"))
    assert response.status_code == 200
    svg = str(response.context["burn"].svg)
    assert svg.count('<text class="ax-y"') <= 7
    assert len(svg) < 20_000
    assert len(response.content) < 200_000
