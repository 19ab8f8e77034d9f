"""Budget versions: drafts prefilled from the current budget, one open at a time, approval by finance only."""

from __future__ import annotations

from decimal import Decimal

import pytest

from finance.models import BudgetLine, BudgetVersion
from finance.selectors import budget_version_diff
from finance.services import budgets, categories
from pmo.errors import ApplicationError
from pmo.models import Organization, OrgRole
from projects.models import ChangeRequest, Phase, Project
from tests.factories import ChangeRequestFactory, CostCategoryFactory, ProjectFactory, WbsElementFactory, member
from tests.finance.test_services_support import (
    Team,
    approve,
    approved_budget,
    category,
    draft_with_lines,
    events,
    make_team,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(organization: Organization) -> Project:
    return ProjectFactory(organization=organization)


@pytest.fixture
def team(organization: Organization) -> Team:
    return make_team(organization)


def versions(project: Project) -> list[BudgetVersion]:
    return list(BudgetVersion.objects.for_organization(project.organization_id).filter(project=project))


# --- drafts ---------------------------------------------------------------------------


def test_the_first_version_is_an_empty_draft_numbered_one(project: Project, team: Team) -> None:
    version = budgets.budget_version_create(actor=team.editor.user, project=project, note="  First cut ")

    assert version.number == 1
    assert version.status == BudgetVersion.Status.DRAFT
    assert not version.is_current
    assert version.note == "First cut"
    assert version.created_by == team.editor.user
    assert not BudgetLine.objects.for_organization(project.organization).filter(version=version).exists()
    assert events(project.organization, "budget_version.created") == 1


def test_a_new_version_is_prefilled_with_the_current_versions_lines_and_reserves(project: Project, team: Team) -> None:
    element = WbsElementFactory(project=project, code="1")
    current = draft_with_lines(project, team, {"labour": "1000.00", "materials@a": "250.50"}, {"a": element})
    budgets.budget_version_update(
        actor=team.editor.user,
        version=current,
        contingency_reserve=Decimal("100.00"),
        management_reserve=Decimal("50.00"),
    )
    approve(current, team)

    draft = budgets.budget_version_create(actor=team.editor.user, project=project)

    assert draft.number == 2
    assert draft.contingency_reserve == Decimal("100.00")
    assert draft.management_reserve == Decimal("50.00")
    copied = sorted(
        (line.category.code, line.amount, line.wbs_element_id) for line in draft.lines.select_related("category")
    )
    assert copied == [("labour", Decimal("1000.00"), None), ("materials", Decimal("250.50"), element.pk)]
    # The copy is new lines: the approved version keeps its own.
    assert current.lines.count() == 2


@pytest.mark.parametrize("submitted", [False, True], ids=["draft", "submitted"])
def test_a_project_has_one_open_version_at_a_time(project: Project, team: Team, submitted: bool) -> None:
    first = draft_with_lines(project, team, {"labour": "10.00"})
    if submitted:
        budgets.budget_version_submit(actor=team.editor.user, version=first)

    with pytest.raises(ApplicationError) as refused:
        budgets.budget_version_create(actor=team.editor.user, project=project)

    assert refused.value.code == "open_version_exists"
    assert [version.pk for version in versions(project)] == [first.pk]


def test_a_closed_project_takes_no_new_budget_version(organization: Organization, team: Team) -> None:
    project = ProjectFactory(organization=organization, phase=Phase.CLOSED)

    with pytest.raises(ApplicationError) as refused:
        budgets.budget_version_create(actor=team.editor.user, project=project)

    assert refused.value.code == "project_closed"


def test_only_a_draft_changes(project: Project, team: Team) -> None:
    version = draft_with_lines(project, team, {"labour": "10.00"})
    line = version.lines.get()
    budgets.budget_version_submit(actor=team.editor.user, version=version)

    attempts = [
        lambda: budgets.budget_version_update(actor=team.editor.user, version=version, note="late"),
        lambda: budgets.budget_line_add(
            actor=team.editor.user, version=version, category=category(project.organization, "travel"), amount=1
        ),
        lambda: budgets.budget_line_update(actor=team.editor.user, line=line, amount=Decimal("99.00")),
        lambda: budgets.budget_line_remove(actor=team.editor.user, line=line),
    ]
    for attempt in attempts:
        with pytest.raises(ApplicationError) as refused:
            attempt()
        assert refused.value.code == "not_draft"
    line.refresh_from_db()
    assert line.amount == Decimal("10.00")


def test_reserves_cannot_be_negative(project: Project, team: Team) -> None:
    version = budgets.budget_version_create(actor=team.editor.user, project=project)

    with pytest.raises(ApplicationError) as refused:
        budgets.budget_version_update(actor=team.editor.user, version=version, contingency_reserve=Decimal("-1"))

    assert "contingency_reserve" in refused.value.fields


# --- lines ----------------------------------------------------------------------------


def test_lines_take_only_the_organisations_active_categories_and_the_projects_elements(
    project: Project, team: Team, other_organization: Organization
) -> None:
    version = budgets.budget_version_create(actor=team.editor.user, project=project)
    labour = category(project.organization, "labour")
    foreign_category = CostCategoryFactory(organization=other_organization, code="labour")
    other_project_element = WbsElementFactory(project=ProjectFactory(organization=project.organization))
    switched_off = categories.cost_category_update(
        actor=team.approver.user, category=category(project.organization, "travel"), is_active=False
    )

    cases = [
        ({"category": foreign_category}, "category", "invalid"),
        ({"category": switched_off}, "category", "category_inactive"),
        ({"category": labour, "wbs_element": other_project_element}, "wbs_element", "invalid"),
        ({"category": labour, "amount": Decimal("-5")}, "amount", "invalid"),
    ]
    for values, field, code in cases:
        with pytest.raises(ApplicationError) as refused:
            budgets.budget_line_add(actor=team.editor.user, version=version, **{"amount": Decimal("5"), **values})
        assert refused.value.code == code
        assert field in refused.value.fields
    assert not version.lines.exists()


def test_a_line_changes_and_goes_while_the_version_is_a_draft(project: Project, team: Team) -> None:
    element = WbsElementFactory(project=project, code="1")
    version = draft_with_lines(project, team, {"labour": "100.00"})
    line = version.lines.get()

    line = budgets.budget_line_update(
        actor=team.editor.user,
        line=line,
        amount=Decimal("120.00"),
        wbs_element=element,
        category=category(project.organization, "equipment"),
    )

    line.refresh_from_db()
    assert (line.amount, line.wbs_element_id, line.category.code) == (Decimal("120.00"), element.pk, "equipment")
    budgets.budget_line_remove(actor=team.editor.user, line=line)
    assert not version.lines.exists()
    assert events(project.organization, "budget_line.updated") == 1
    assert events(project.organization, "budget_line.removed") == 1


# --- submitting and deciding ----------------------------------------------------------


def test_a_version_without_lines_cannot_be_submitted(project: Project, team: Team) -> None:
    version = budgets.budget_version_create(actor=team.editor.user, project=project)

    with pytest.raises(ApplicationError) as refused:
        budgets.budget_version_submit(actor=team.editor.user, version=version)

    assert refused.value.code == "no_lines"


def test_finance_approves_and_the_version_becomes_the_current_budget(project: Project, team: Team) -> None:
    version = draft_with_lines(project, team, {"labour": "10.00"})
    version = budgets.budget_version_submit(actor=team.editor.user, version=version)
    assert version.status == BudgetVersion.Status.SUBMITTED
    assert version.submitted_by == team.editor.user

    version = budgets.budget_version_approve(
        actor=team.approver.user, membership=team.approver, version=version, comment="Fine"
    )

    version.refresh_from_db()
    assert version.status == BudgetVersion.Status.APPROVED
    assert version.is_current
    assert version.decided_by == team.approver.user
    assert version.decision_comment == "Fine"
    assert events(project.organization, "budget_version.approved") == 1


@pytest.mark.parametrize("role", [OrgRole.ADMIN, OrgRole.PMO, OrgRole.PROJECT_MANAGER])
def test_only_finance_approves_or_rejects(project: Project, team: Team, role: OrgRole) -> None:
    version = draft_with_lines(project, team, {"labour": "10.00"})
    budgets.budget_version_submit(actor=team.editor.user, version=version)
    outsider = member(project.organization, role)

    for decide in (budgets.budget_version_approve, budgets.budget_version_reject):
        with pytest.raises(ApplicationError) as refused:
            decide(actor=outsider.user, membership=outsider, version=version, comment="No")
        assert refused.value.code == "permission_denied"
        assert refused.value.status_code == 403
    version.refresh_from_db()
    assert version.status == BudgetVersion.Status.SUBMITTED


def test_the_submitter_cannot_approve_their_own_version(project: Project, team: Team) -> None:
    """Separation of duties: a finance member who submitted a version leaves its approval to another."""
    version = draft_with_lines(project, team, {"labour": "10.00"})
    budgets.budget_version_submit(actor=team.approver.user, version=version)

    with pytest.raises(ApplicationError) as refused:
        budgets.budget_version_approve(actor=team.approver.user, membership=team.approver, version=version)

    assert refused.value.code == "separation_of_duties"
    assert refused.value.status_code == 403
    version.refresh_from_db()
    assert version.status == BudgetVersion.Status.SUBMITTED
    assert not version.is_current
    assert events(project.organization, "budget_version.approved") == 0

    budgets.budget_version_approve(actor=team.second_approver.user, membership=team.second_approver, version=version)
    version.refresh_from_db()
    assert version.is_current
    assert version.decided_by == team.second_approver.user


def test_approving_supersedes_the_previous_current_version(project: Project, team: Team) -> None:
    first = approved_budget(project, team, {"labour": "10.00"})
    second = approved_budget(project, team, {"labour": "20.00"})

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.is_current) == (BudgetVersion.Status.SUPERSEDED, False)
    assert (second.status, second.is_current) == (BudgetVersion.Status.APPROVED, True)
    current = [version for version in versions(project) if version.is_current]
    assert current == [second]
    assert events(project.organization, "budget_version.superseded") == 1


def test_only_a_submitted_version_is_decided(project: Project, team: Team) -> None:
    version = draft_with_lines(project, team, {"labour": "10.00"})

    with pytest.raises(ApplicationError) as refused:
        budgets.budget_version_approve(actor=team.approver.user, membership=team.approver, version=version)

    assert refused.value.code == "illegal_transition"
    assert refused.value.status_code == 400


def test_rejecting_needs_a_comment_and_leaves_the_current_budget(project: Project, team: Team) -> None:
    current = approved_budget(project, team, {"labour": "10.00"})
    version = draft_with_lines(project, team, {"labour": "99.00"})
    budgets.budget_version_submit(actor=team.editor.user, version=version)

    with pytest.raises(ApplicationError) as refused:
        budgets.budget_version_reject(actor=team.approver.user, membership=team.approver, version=version, comment=" ")
    assert "comment" in refused.value.fields

    budgets.budget_version_reject(
        actor=team.approver.user, membership=team.approver, version=version, comment="Too much"
    )

    version.refresh_from_db()
    current.refresh_from_db()
    assert version.status == BudgetVersion.Status.REJECTED
    assert version.decision_comment == "Too much"
    assert current.is_current
    # A rejected version is closed: a new draft may start.
    assert budgets.budget_version_create(actor=team.editor.user, project=project).number == 3


def test_a_version_is_compared_with_the_current_one_per_category(project: Project, team: Team) -> None:
    approved_budget(project, team, {"labour": "100.00", "materials": "50.00"})
    draft = draft_with_lines(project, team, {"labour": "130.00", "travel": "20.00"})

    rows = {row.category.code: (row.amount, row.current, row.difference) for row in budget_version_diff(draft)}

    assert rows == {
        "labour": (Decimal("130.00"), Decimal("100.00"), Decimal("30.00")),
        "materials": (Decimal("0.00"), Decimal("50.00"), Decimal("-50.00")),
        "travel": (Decimal("20.00"), Decimal("0.00"), Decimal("20.00")),
    }


# --- from a change request ------------------------------------------------------------


def test_an_approved_change_with_a_cost_impact_opens_a_linked_draft(project: Project, team: Team) -> None:
    approved_budget(project, team, {"labour": "100.00"})
    change = ChangeRequestFactory(project=project, status=ChangeRequest.Status.APPROVED, impact_cost=Decimal("40"))

    draft = budgets.budget_version_from_change_request(actor=team.editor.user, change_request=change)

    assert draft.status == BudgetVersion.Status.DRAFT
    assert draft.change_request == change
    assert f"CR-{change.number}" in draft.note
    # The current budget's line is copied and the change's impact added as a line of its own.
    assert [(line.category.code, line.amount) for line in draft.lines.select_related("category")] == [
        ("labour", Decimal("100.00")),
        ("labour", Decimal("40.00")),
    ]


@pytest.mark.parametrize(
    ("status", "impact", "code"),
    [
        (ChangeRequest.Status.SUBMITTED, "40", "change_not_approved"),
        (ChangeRequest.Status.REJECTED, "40", "change_not_approved"),
        (ChangeRequest.Status.IMPLEMENTED, "0", "no_cost_impact"),
    ],
)
def test_other_change_requests_open_no_budget_version(
    project: Project, team: Team, status: str, impact: str, code: str
) -> None:
    change = ChangeRequestFactory(project=project, status=status, impact_cost=Decimal(impact))

    with pytest.raises(ApplicationError) as refused:
        budgets.budget_version_from_change_request(actor=team.editor.user, change_request=change)

    assert refused.value.code == code
    assert versions(project) == []


def test_a_change_request_is_budgeted_once(project: Project, team: Team) -> None:
    change = ChangeRequestFactory(project=project, status=ChangeRequest.Status.IMPLEMENTED, impact_cost=Decimal("-5"))
    budgets.budget_version_from_change_request(actor=team.editor.user, change_request=change)

    with pytest.raises(ApplicationError) as refused:
        budgets.budget_version_from_change_request(actor=team.editor.user, change_request=change)

    assert refused.value.code == "change_already_budgeted"


def test_a_draft_cannot_carry_another_projects_change_request(project: Project, team: Team) -> None:
    elsewhere = ChangeRequestFactory(
        project=ProjectFactory(organization=project.organization),
        status=ChangeRequest.Status.APPROVED,
        impact_cost=Decimal("40"),
    )

    with pytest.raises(ApplicationError) as refused:
        budgets.budget_version_create(actor=team.editor.user, project=project, change_request=elsewhere)

    assert "change_request" in refused.value.fields
