"""Reads: the budget by category against costs, and the approved budget against the baseline."""

from __future__ import annotations

from decimal import Decimal

import pytest

from finance.models import Commitment
from finance.selectors import budget_by_category, budget_reconciliation
from finance.services import budgets, categories, costs
from pmo.models import Organization
from projects.models import Project, WbsElement
from tests.factories import BaselineFactory, BaselineTaskFactory, ProjectFactory, WbsElementFactory
from tests.finance.test_services_support import Team, approved_budget, category, make_team

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def project(organization: Organization) -> Project:
    return ProjectFactory(organization=organization)


@pytest.fixture
def team(organization: Organization) -> Team:
    return make_team(organization)


@pytest.fixture
def elements(project: Project) -> dict[str, WbsElement]:
    """1 Design (1.1, 1.2) and 2 Build (2.1)."""
    design = WbsElementFactory(project=project, code="1", kind=WbsElement.Kind.SUMMARY, name="Design")
    build = WbsElementFactory(project=project, code="2", kind=WbsElement.Kind.SUMMARY, name="Build")
    return {
        "1": design,
        "1.1": WbsElementFactory(project=project, code="1.1", parent=design),
        "1.2": WbsElementFactory(project=project, code="1.2", parent=design),
        "2": build,
        "2.1": WbsElementFactory(project=project, code="2.1", parent=build),
    }


def baseline_of(project: Project, costs_by_code: dict[str, str]) -> None:
    baseline = BaselineFactory(project=project, is_current=True)
    for code, cost in costs_by_code.items():
        BaselineTaskFactory(baseline=baseline, code=code, budgeted_cost=D(cost))


# --- the budget against the baseline --------------------------------------------------


def test_a_budget_equal_to_the_baseline_reconciles(
    project: Project, team: Team, elements: dict[str, WbsElement]
) -> None:
    version = approved_budget(project, team, {"labour@1": "300.00", "materials@2": "500.00"}, elements)
    draft = budgets.budget_version_create(actor=team.editor.user, project=project)
    budgets.budget_version_update(actor=team.editor.user, version=draft, contingency_reserve=D("99"))
    baseline_of(project, {"1.1": "100.00", "1.2": "200.00", "2.1": "500.00"})

    result = budget_reconciliation(project)

    assert result.version == version
    assert result.approved_total == D("800.00")
    assert result.baseline_total == D("800.00")
    assert result.difference == D("0.00")
    assert result.is_equal
    assert result.rows == []
    # Reserves are apart, and only the current approved version counts (not the draft).
    assert result.reserves == D("0.00")


def test_a_difference_is_located_per_element_and_for_lines_without_one(
    project: Project, team: Team, elements: dict[str, WbsElement]
) -> None:
    approved_budget(
        project,
        team,
        {"labour@1": "300.00", "equipment@1.2": "250.00", "materials@2": "450.00", "travel": "40.00"},
        elements,
    )
    # Task 3 sits under no element that has lines.
    baseline_of(project, {"1.1": "100.00", "1.2": "200.00", "2.1": "500.00", "3": "10.00"})

    result = budget_reconciliation(project)

    assert result.approved_total == D("1040.00")
    assert result.baseline_total == D("810.00")
    assert result.difference == D("230.00")
    assert not result.is_equal
    rows = [(row.element_id, row.code, row.lines, row.baseline, row.difference) for row in result.rows]
    # 1.2 owns its own task; 1 keeps only 1.1. Rows add up to the totals.
    assert rows == [
        (elements["1"].pk, "1", D("300.00"), D("100.00"), D("200.00")),
        (elements["1.2"].pk, "1.2", D("250.00"), D("200.00"), D("50.00")),
        (elements["2"].pk, "2", D("450.00"), D("500.00"), D("-50.00")),
        (None, "", D("40.00"), D("10.00"), D("30.00")),
    ]
    assert sum((row.difference for row in result.rows), D(0)) == result.difference


def test_without_a_baseline_there_is_nothing_to_reconcile_against(project: Project, team: Team) -> None:
    approved_budget(project, team, {"labour": "300.00"})

    result = budget_reconciliation(project)

    assert result.approved_total == D("300.00")
    assert result.baseline_total is None
    assert result.difference is None
    assert not result.is_equal
    assert result.rows == []


def test_without_an_approved_budget_the_whole_baseline_is_the_difference(project: Project) -> None:
    baseline_of(project, {"1": "120.00"})

    result = budget_reconciliation(project)

    assert result.version is None
    assert (result.approved_total, result.baseline_total, result.difference) == (D("0"), D("120.00"), D("-120.00"))
    assert [(row.element_id, row.difference) for row in result.rows] == [(None, D("-120.00"))]


# --- the budget by category -----------------------------------------------------------


def test_the_budget_by_category_sets_costs_against_the_approved_amounts(project: Project, team: Team) -> None:
    approved_budget(project, team, {"labour": "1000.00", "materials": "200.00"})
    labour, materials = category(project.organization, "labour"), category(project.organization, "materials")
    day = project.planned_start
    for amount, status in [("600", Commitment.Status.OPEN), ("100", Commitment.Status.CANCELLED)]:
        commitment = costs.commitment_create(
            actor=team.editor.user,
            project=project,
            supplier="S",
            reference=amount,
            date=day,
            amount=D(amount),
            category=labour,
        )
        if status != Commitment.Status.OPEN:
            costs.commitment_update(actor=team.editor.user, commitment=commitment, status=status)
    costs.actual_cost_create(actor=team.editor.user, project=project, date=day, amount=D("700"), category=labour)
    costs.actual_cost_create(actor=team.editor.user, project=project, date=day, amount=D("250"), category=materials)
    other = category(project.organization, "other")
    costs.actual_cost_create(actor=team.editor.user, project=project, date=day, amount=D("5"), category=other)
    categories.cost_category_update(actor=team.approver.user, category=other, is_active=False)

    rows = {row.category.code: row for row in budget_by_category(project)}

    assert list(rows) == ["labour", "materials", "equipment", "subcontract", "travel", "other"]
    assert (rows["labour"].approved, rows["labour"].committed, rows["labour"].actual) == (
        D("1000.00"),
        D("600.00"),
        D("700.00"),
    )
    assert rows["labour"].remaining == D("300.00")
    assert not rows["labour"].over
    assert rows["materials"].remaining == D("-50.00")
    assert rows["materials"].over
    # A switched-off category with costs stays visible, over an approved zero.
    assert rows["other"].actual == D("5.00")
    assert rows["other"].over
    assert not rows["travel"].over


def test_without_an_approved_budget_every_category_has_zero_approved(project: Project) -> None:
    rows = budget_by_category(project)

    assert len(rows) == 6
    assert all(row.approved == 0 and not row.over for row in rows)
