"""An approved change request's cost impact goes into the budget draft it opens, once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from finance.models import BudgetLine, BudgetVersion
from finance.services import budgets
from pmo.errors import ApplicationError
from pmo.models import Organization, OrgRole
from projects.models import ChangeRequest, Project
from tests.conftest import api_client_for, page_client_for
from tests.factories import (
    ChangeRequestElementFactory,
    ChangeRequestFactory,
    ProjectFactory,
    WbsElementFactory,
    member,
)
from tests.finance.test_services_support import Team, approve, approved_budget, category, make_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(organization: Organization) -> Project:
    return ProjectFactory(organization=organization)


@pytest.fixture
def team(organization: Organization) -> Team:
    return make_team(organization)


def approved_change(project: Project, impact: str, **fields: object) -> ChangeRequest:
    return ChangeRequestFactory(
        project=project, status=ChangeRequest.Status.APPROVED, impact_cost=Decimal(impact), **fields
    )


def lines(version: BudgetVersion) -> list[tuple[str, Decimal, int | None]]:
    return [
        (line.category.code, line.amount, line.change_request_id)
        for line in BudgetLine.objects.for_organization(version.organization_id)
        .filter(version=version)
        .select_related("category")
        .order_by("pk")
    ]


def change_line(version: BudgetVersion) -> BudgetLine:
    return BudgetLine.objects.for_organization(version.organization_id).get(
        version=version, change_request__isnull=False
    )


# --- the impact as a line ---------------------------------------------------------------


def test_a_change_requests_cost_impact_is_carried_as_a_line_of_its_draft(project: Project, team: Team) -> None:
    approved_budget(project, team, {"labour": "100.00"})
    element = WbsElementFactory(project=project)
    change = approved_change(project, "40", title="Extra pier")
    ChangeRequestElementFactory(change_request=change, element=element)

    draft = budgets.budget_version_from_change_request(actor=team.editor.user, change_request=change)

    carried = change_line(draft)
    assert carried.amount == Decimal("40.00")
    assert carried.wbs_element == element
    assert f"CR-{change.number}" in carried.note
    assert "Extra pier" in carried.note
    assert sum(line[1] for line in lines(draft)) == Decimal("140.00")


def test_a_draft_opened_with_a_change_request_on_the_page_carries_its_impact(project: Project, team: Team) -> None:
    change = approved_change(project, "250.50")
    response = page_client_for(team.editor.user).post(
        f"/o/acme/projects/{project.pk}/finance/", {"op": "new_version", "change_request": change.pk}
    )
    assert response.status_code == 302
    draft = BudgetVersion.objects.for_organization(project.organization).get(project=project)
    assert [line[1:] for line in lines(draft)] == [(Decimal("250.50"), change.pk)]


def test_the_carried_line_is_edited_like_any_other(project: Project, team: Team) -> None:
    change = approved_change(project, "40")
    draft = budgets.budget_version_create(actor=team.editor.user, project=project, change_request=change)

    line = budgets.budget_line_update(
        actor=team.editor.user,
        line=change_line(draft),
        amount=Decimal("45.00"),
        category=category(project.organization, "materials"),
    )

    assert (line.amount, line.category.code) == (Decimal("45.00"), "materials")


def test_a_saving_is_carried_as_a_negative_line_which_no_other_line_may_be(project: Project, team: Team) -> None:
    approved_budget(project, team, {"labour": "100.00"})
    change = approved_change(project, "-30")

    draft = budgets.budget_version_from_change_request(actor=team.editor.user, change_request=change)

    assert change_line(draft).amount == Decimal("-30.00")
    budgets.budget_line_update(actor=team.editor.user, line=change_line(draft), amount=Decimal("-25.00"))
    plain = BudgetLine.objects.for_organization(project.organization).get(version=draft, change_request=None)
    with pytest.raises(ApplicationError) as refused:
        budgets.budget_line_update(actor=team.editor.user, line=plain, amount=Decimal("-1.00"))
    assert "amount" in refused.value.fields


def test_the_carried_line_stays_in_the_versions_that_follow(project: Project, team: Team) -> None:
    change = approved_change(project, "40")
    first = budgets.budget_version_from_change_request(actor=team.editor.user, change_request=change)
    approve(first, team)

    next_draft = budgets.budget_version_create(actor=team.editor.user, project=project)

    assert [line[1:] for line in lines(next_draft)] == [(Decimal("40.00"), change.pk)]


def test_the_api_shows_the_carried_line_and_edits_it(project: Project, team: Team) -> None:
    change = approved_change(project, "-12.50")
    client = api_client_for(team.editor.user)
    url = f"/api/v1/orgs/acme/projects/{project.pk}/budgets/"

    created = client.post(f"{url}from-change-request/", {"change_request": change.pk}, format="json")

    assert created.status_code == 201, created.json()
    [line] = created.json()["lines"]
    assert (line["amount"], line["change_request"]) == ("-12.50", change.pk)
    edited = client.patch(f"{url}{created.json()['id']}/lines/{line['id']}/", {"amount": "-10.00"}, format="json")
    assert edited.status_code == 200, edited.json()
    assert edited.json()["amount"] == "-10.00"


# --- offered once -------------------------------------------------------------------------


def offered_on_the_page(project: Project, team: Team) -> list[int]:
    page = page_client_for(team.editor.user).get(f"/o/acme/projects/{project.pk}/finance/")
    return [change.pk for change in page.context["version_form"].fields["change_request"].queryset]


def offered_by_the_api(project: Project, team: Team) -> list[int]:
    response = api_client_for(team.editor.user).get(
        f"/api/v1/orgs/acme/projects/{project.pk}/budgets/offered-change-requests/"
    )
    assert response.status_code == 200, response.json()
    return [change["id"] for change in response.json()]


@pytest.mark.parametrize("offered", [offered_on_the_page, offered_by_the_api])
def test_a_change_request_in_a_draft_or_approved_version_is_offered_no_more(
    project: Project, team: Team, offered
) -> None:  # type: ignore[no-untyped-def]
    included, waiting = approved_change(project, "40"), approved_change(project, "60")
    approved_change(project, "0")  # no cost impact: nothing to carry
    ChangeRequestFactory(project=project, status=ChangeRequest.Status.SUBMITTED, impact_cost=Decimal("5"))
    assert sorted(offered(project, team)) == sorted([included.pk, waiting.pk])

    draft = budgets.budget_version_create(actor=team.editor.user, project=project, change_request=included)
    budgets.budget_version_submit(actor=team.editor.user, version=draft)
    budgets.budget_version_reject(
        actor=team.approver.user, membership=team.approver, version=draft, comment="Split it."
    )
    assert sorted(offered(project, team)) == sorted([included.pk, waiting.pk])  # rejected: offered again

    approve(budgets.budget_version_create(actor=team.editor.user, project=project, change_request=included), team)
    assert offered(project, team) == [waiting.pk]


def test_the_api_refuses_a_change_request_already_carried(project: Project, team: Team) -> None:
    change = approved_change(project, "40")
    approve(budgets.budget_version_create(actor=team.editor.user, project=project, change_request=change), team)

    response = api_client_for(team.editor.user).post(
        f"/api/v1/orgs/acme/projects/{project.pk}/budgets/", {"change_request": change.pk}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "change_already_budgeted"


def test_other_projects_change_requests_are_not_offered(
    project: Project, team: Team, organization: Organization
) -> None:
    approved_change(ProjectFactory(organization=organization), "40")
    assert offered_by_the_api(project, team) == []
    assert offered_on_the_page(project, team) == []


def test_a_viewer_sees_no_offer(project: Project, organization: Organization) -> None:
    viewer = member(organization, OrgRole.VIEWER)
    response = api_client_for(viewer.user).get(
        f"/api/v1/orgs/acme/projects/{project.pk}/budgets/offered-change-requests/"
    )
    assert response.status_code == 403


def test_the_carried_saving_is_edited_on_the_page_and_the_draft_page_shows_it(project: Project, team: Team) -> None:
    change = approved_change(project, "-30", title="Cheaper steel")
    draft = budgets.budget_version_from_change_request(actor=team.editor.user, change_request=change)
    line = change_line(draft)
    client = page_client_for(team.editor.user)
    version_url = f"/o/acme/projects/{project.pk}/finance/versions/{draft.pk}/"

    shown = client.get(version_url)
    assert shown.status_code == 200
    assert "Cheaper steel" in shown.content.decode()
    response = client.post(
        f"{version_url}lines/{line.pk}/",
        {"op": "save", "category": line.category_id, "amount": "-20.00", "note": line.note},
    )

    assert response.status_code == 302
    line.refresh_from_db()
    assert line.amount == Decimal("-20.00")
