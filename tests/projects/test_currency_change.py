"""A project's currency changes only while no amount is recorded in it: amounts are never relabelled."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pmo.errors import ApplicationError
from pmo.models import Organization, OrgRole
from projects.models import Project
from projects.services import projects as project_services
from tests.conftest import api_client_for
from tests.factories import (
    ActualCostFactory,
    BaselineFactory,
    BudgetVersionFactory,
    CommitmentFactory,
    ProjectFactory,
    WbsElementFactory,
    member,
)

pytestmark = pytest.mark.django_db

MONEY: dict[str, Callable[[Project], Any]] = {
    "a cost": lambda project: ActualCostFactory(project=project, organization=project.organization),
    "a commitment": lambda project: CommitmentFactory(project=project, organization=project.organization),
    "a budget": lambda project: BudgetVersionFactory(project=project, organization=project.organization),
    "a baseline": lambda project: BaselineFactory(project=project, organization=project.organization),
    "budgeted cost in the plan": lambda project: WbsElementFactory(
        project=project, organization=project.organization, budgeted_cost="9600000.00"
    ),
}


@pytest.mark.parametrize("money", list(MONEY))
def test_the_currency_of_a_project_holding_money_cannot_change(organization: Organization, money: str) -> None:
    project = ProjectFactory(organization=organization, currency="CNY")
    MONEY[money](project)
    admin = member(organization, OrgRole.ADMIN)

    with pytest.raises(ApplicationError) as refused:
        project_services.project_update(actor=admin.user, project=project, currency="USD")

    assert refused.value.code == "currency_locked"
    assert "currency" in refused.value.fields
    project.refresh_from_db()
    assert project.currency == "CNY"


def test_a_project_without_money_changes_currency(organization: Organization) -> None:
    project = ProjectFactory(organization=organization, currency="CNY")
    admin = member(organization, OrgRole.ADMIN)

    project_services.project_update(actor=admin.user, project=project, currency="USD")

    project.refresh_from_db()
    assert project.currency == "USD"


def test_other_fields_of_a_project_holding_money_still_change(organization: Organization) -> None:
    project = ProjectFactory(organization=organization, currency="CNY")
    ActualCostFactory(project=project, organization=organization)
    admin = member(organization, OrgRole.ADMIN)

    project_services.project_update(actor=admin.user, project=project, name="Renamed", currency="CNY")

    project.refresh_from_db()
    assert (project.name, project.currency) == ("Renamed", "CNY")


def test_the_api_refuses_a_currency_change_with_the_reason(organization: Organization) -> None:
    project = ProjectFactory(organization=organization, currency="CNY")
    ActualCostFactory(project=project, organization=organization)
    client = api_client_for(member(organization, OrgRole.ADMIN).user)

    response = client.patch(f"/api/v1/orgs/{organization.slug}/projects/{project.pk}/", {"currency": "USD"})

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "currency_locked"
    assert list(error["fields"]) == ["currency"]
    project.refresh_from_db()
    assert project.currency == "CNY"
