"""Every list endpoint of the finance API runs the same number of queries for 3 rows as for 30."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from finance.models import BudgetVersion
from finance.services import categories
from pmo.models import Organization, OrgRole
from projects.models import Project, WbsElement
from tests.factories import (
    ActualCostFactory,
    BaselineFactory,
    BaselineTaskFactory,
    BudgetLineFactory,
    BudgetVersionFactory,
    CommitmentFactory,
    CostCategoryFactory,
    ExchangeRateFactory,
    ProjectFactory,
    UserFactory,
    WbsElementFactory,
    member,
)

pytestmark = pytest.mark.django_db
BASE = "/api/v1/orgs/acme"

Builder = Callable[[Organization, Project, int], str]


def _categories(org: Organization, project: Project, n: int) -> str:
    categories.cost_categories_ensure_defaults(org)
    CostCategoryFactory.create_batch(n, organization=org)
    return f"{BASE}/cost-categories/"


def _exchange_rates(org: Organization, project: Project, n: int) -> str:
    for i in range(n):
        ExchangeRateFactory(organization=org, currency=("USD", "EUR", "GBP")[i % 3])
    return f"{BASE}/exchange-rates/"


def _rates_on_a_day(org: Organization, project: Project, n: int) -> str:
    return _exchange_rates(org, project, n) + "?date=2026-12-31"


def _versions(project: Project, n: int) -> list[BudgetVersion]:
    people = [member(project.organization, OrgRole.FINANCE).user for _ in range(3)]
    versions = []
    for i in range(n):
        version = BudgetVersionFactory(
            project=project,
            status=BudgetVersion.Status.SUPERSEDED,
            created_by=people[0],
            submitted_by=people[1],
            decided_by=people[2],
        )
        BudgetLineFactory.create_batch(2, version=version, amount=Decimal(i))
        versions.append(version)
    return versions


def _budgets(org: Organization, project: Project, n: int) -> str:
    _versions(project, n)
    return f"{BASE}/projects/{project.pk}/budgets/"


def _budget_detail(org: Organization, project: Project, n: int) -> str:
    version = BudgetVersionFactory(project=project, created_by=UserFactory())
    for i in range(n):
        element = WbsElementFactory(project=project, code=str(i + 1))
        BudgetLineFactory(version=version, wbs_element=element)
    return f"{BASE}/projects/{project.pk}/budgets/{version.pk}/"


def _lines(org: Organization, project: Project, n: int) -> str:
    return _budget_detail(org, project, n) + "lines/"


def _plan_with_budget(org: Organization, project: Project, n: int) -> None:
    current = BudgetVersionFactory(project=project, status=BudgetVersion.Status.APPROVED, is_current=True)
    baseline = BaselineFactory(project=project, is_current=True)
    summary = WbsElementFactory(project=project, code="1", kind=WbsElement.Kind.SUMMARY)
    for i in range(1, n + 1):
        task = WbsElementFactory(project=project, code=f"1.{i}", parent=summary)
        BudgetLineFactory(version=current, wbs_element=task, amount=Decimal(100 + i))
        BaselineTaskFactory(baseline=baseline, task=task, code=task.code, budgeted_cost=Decimal(100))


def _reconciliation(org: Organization, project: Project, n: int) -> str:
    _plan_with_budget(org, project, n)
    return f"{BASE}/projects/{project.pk}/budgets/reconciliation/"


def _by_category(org: Organization, project: Project, n: int) -> str:
    _plan_with_budget(org, project, n)
    for _ in range(n):
        category = CostCategoryFactory(organization=org)
        CommitmentFactory(project=project, category=category)
        ActualCostFactory(project=project, category=category)
    return f"{BASE}/projects/{project.pk}/budget-by-category/"


def _commitments(org: Organization, project: Project, n: int) -> str:
    for _ in range(n):
        CommitmentFactory(project=project, wbs_element=WbsElementFactory(project=project))
    return f"{BASE}/projects/{project.pk}/commitments/?status=open"


def _costs(org: Organization, project: Project, n: int) -> str:
    for _ in range(n):
        ActualCostFactory(project=project, wbs_element=WbsElementFactory(project=project))
    return f"{BASE}/projects/{project.pk}/costs/?date_from=2026-01-01"


# Endpoint -> (builder, queries). Every request reads the membership; on a project's routes with
# the project and the user's role on it, in the same query. A paginated list then counts and reads one page. The
# category list first checks that the defaults exist; budget lines resolve their version; a
# version's detail reads it, its prefetched lines, and its comparison with the current version
# (the current version, the sums, the categories). The reconciliation reads the current version,
# its lines by element, the current baseline and its tasks; the budget by category checks the
# defaults, then reads the approved lines, the commitments, the actual costs and the categories.
ENDPOINTS: dict[str, tuple[Builder, int]] = {
    "cost categories": (_categories, 4),
    "exchange rates": (_exchange_rates, 3),
    "exchange rates on a day": (_rates_on_a_day, 3),
    "budget versions": (_budgets, 3),
    "budget version with lines": (_budget_detail, 6),
    "budget lines": (_lines, 3),
    "reconciliation": (_reconciliation, 5),
    "budget by category": (_by_category, 6),
    "commitments": (_commitments, 3),
    "actual costs": (_costs, 3),
}


@pytest.mark.parametrize("size", [3, 30])
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_list_endpoints_run_a_fixed_number_of_queries(
    endpoint: str, size: int, organization: Organization, api: APIClient, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    build, queries = ENDPOINTS[endpoint]
    project = ProjectFactory(organization=organization, planned_start=dt.date(2026, 3, 2))
    url = build(organization, project, size)
    with django_assert_num_queries(queries):
        response = api.get(url)
    assert response.status_code == 200
