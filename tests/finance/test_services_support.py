"""Helpers shared by the finance service and API tests, and the default cost categories they rely on."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from finance.models import BudgetVersion, CostCategory, FinanceSettings
from finance.services import budgets, categories
from pmo.models import AuditEvent, Membership, Organization, OrgRole
from projects.models import Project, WbsElement
from tests.factories import ProjectFactory, member

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Team:
    editor: Membership  # PMO analyst: prepares and submits budgets
    approver: Membership  # finance
    second_approver: Membership  # finance


def make_team(organization: Organization) -> Team:
    return Team(
        editor=member(organization, OrgRole.PMO),
        approver=member(organization, OrgRole.FINANCE),
        second_approver=member(organization, OrgRole.FINANCE),
    )


def category(organization: Organization, code: str) -> CostCategory:
    categories.cost_categories_ensure_defaults(organization)
    return CostCategory.objects.for_organization(organization).get(code=code)


def events(organization: Organization, action: str) -> int:
    return AuditEvent.objects.for_organization(organization).filter(action=action).count()


def draft_with_lines(
    project: Project,
    team: Team,
    amounts: dict[str, str],
    elements: dict[str, WbsElement] | None = None,
) -> BudgetVersion:
    """A new draft holding one line per ``code: amount`` (replacing whatever it copied)."""
    version = budgets.budget_version_create(actor=team.editor.user, project=project)
    for line in version.lines.all():
        budgets.budget_line_remove(actor=team.editor.user, line=line)
    for key, amount in amounts.items():
        code, _sep, element_key = key.partition("@")
        budgets.budget_line_add(
            actor=team.editor.user,
            version=version,
            category=category(project.organization, code),
            amount=Decimal(amount),
            wbs_element=(elements or {}).get(element_key) if element_key else None,
        )
    return version


def approve(version: BudgetVersion, team: Team) -> BudgetVersion:
    budgets.budget_version_submit(actor=team.editor.user, version=version)
    return budgets.budget_version_approve(actor=team.approver.user, membership=team.approver, version=version)


def approved_budget(
    project: Project,
    team: Team,
    amounts: dict[str, str],
    elements: dict[str, WbsElement] | None = None,
) -> BudgetVersion:
    """An approved current budget of ``code: amount`` lines (``code@key`` ties a line to ``elements[key]``)."""
    return approve(draft_with_lines(project, team, amounts, elements), team)


def set_control(organization: Organization, mode: str, team: Team) -> None:
    categories.finance_settings_update(actor=team.approver.user, organization=organization, budget_control=mode)


def test_helpers_build_an_approved_current_budget(organization: Organization) -> None:
    project = ProjectFactory(organization=organization)
    team = make_team(organization)

    version = approved_budget(project, team, {"labour": "1000.00", "materials": "500.00"})

    assert version.status == BudgetVersion.Status.APPROVED
    assert version.is_current
    assert sorted(line.category.code for line in version.lines.all()) == ["labour", "materials"]
    assert categories.finance_settings(organization).budget_control == FinanceSettings.BudgetControl.WARN
