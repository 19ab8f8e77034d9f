"""Small projects worked by hand for the earned-value reads and API, built through the services.

Dates are in 2026. The calendar works Monday to Friday: Monday 2 March to Friday 6 March is one
working week, Monday 9 to Friday 13 the next, Monday 16 the one after.

The textbook project (the textbook example of ``tests/finance/test_evm_engine.py``):

    A  Foundations  5 days  4 000.00  0/100     2-6 March, done on Friday 6 March
    B  Structure    6 days  6 000.00  physical  9-16 March (9, 10, 11, 12, 13, 16), after A

baselined as "Original", with actual costs of 1 500.00 on 2 March, 3 000.00 on 6 March and
700.00 on 10 March.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from finance.models import ActualCost, CostCategory
from pmo.models import Membership, Organization, OrgRole, User
from projects.models import Baseline, PercentCompleteMethod, Portfolio, Project, WbsElement
from projects.services.plan import baseline_create, dependency_create, task_progress_update, wbs_element_create
from projects.services.projects import project_create
from tests.factories import (
    ActualCostFactory,
    BaselineFactory,
    BaselineTaskFactory,
    ProgressUpdateFactory,
    ProjectFactory,
    UserFactory,
    WbsElementFactory,
    member,
)

MONDAY = dt.date(2026, 3, 2)


def march(day: int) -> dt.date:
    return dt.date(2026, 3, day)


def money(text: str) -> Decimal:
    return Decimal(text)


@dataclass
class Built:
    organization: Organization
    admin: Membership
    project: Project
    tasks: dict[str, WbsElement]
    baseline: Baseline | None


def new_project(organization: Organization, code: str, **fields: Any) -> tuple[Membership, Project]:
    admin = member(organization, OrgRole.ADMIN)
    values: dict[str, Any] = {"name": f"Project {code}", "planned_start": MONDAY}
    values.update(fields)
    return admin, project_create(actor=admin.user, organization=organization, code=code, **values)


def task(project: Project, actor: User, name: str, budget: str, duration: int = 5, **fields: Any) -> WbsElement:
    return wbs_element_create(
        actor=actor, project=project, name=name, duration=duration, budgeted_cost=Decimal(budget), **fields
    )


def progress(actor: User, element: WbsElement, effective: dt.date, **fields: Any) -> None:
    if "percent_complete" in fields:
        fields["percent_complete"] = Decimal(fields["percent_complete"])
    task_progress_update(actor=actor, task=element, effective_date=effective, **fields)


def works_category(organization: Organization) -> CostCategory:
    category = CostCategory.objects.for_organization(organization).filter(code="works").first()
    return category or CostCategory.objects.create(organization=organization, code="works", name="Works")


def cost(project: Project, day: dt.date, amount: str, element: WbsElement | None = None) -> ActualCost:
    return ActualCostFactory(
        organization=project.organization,
        project=project,
        date=day,
        amount=Decimal(amount),
        wbs_element=element,
        category=works_category(project.organization),
    )


def baseline(project: Project, actor: User) -> Baseline:
    return baseline_create(actor=actor, project=project, name="Original")


def build_textbook(organization: Organization, code: str = "P-1", **fields: Any) -> Built:
    admin, project = new_project(organization, code, **fields)
    actor = admin.user
    a = task(project, actor, "Foundations", "4000.00", percent_complete_method=PercentCompleteMethod.ZERO_HUNDRED)
    b = task(project, actor, "Structure", "6000.00", duration=6)
    dependency_create(actor=actor, project=project, predecessor=a, successor=b)
    frozen = baseline(project, actor)
    progress(actor, a, march(6), actual_start=march(2), actual_finish=march(6))
    cost(project, march(2), "1500.00")
    cost(project, march(6), "3000.00")
    cost(project, march(10), "700.00")
    return Built(organization, admin, project, {"A": a, "B": b}, frozen)


def build_sized(
    organization: Organization,
    tasks: int,
    *,
    code: str,
    currency: str = "CNY",
    portfolio: Portfolio | None = None,
    with_baseline: bool = True,
) -> Project:
    """A project of ``tasks`` tasks, each with a baseline entry, two progress updates and a cost (factories)."""
    project = ProjectFactory(organization=organization, code=code, currency=currency, portfolio=portfolio)
    if not with_baseline:
        return project
    frozen = BaselineFactory(organization=organization, project=project, is_current=True)
    user = UserFactory(username=f"builder-{code.lower()}")
    category = works_category(organization)
    methods = list(PercentCompleteMethod)
    for number in range(tasks):
        element = WbsElementFactory(
            organization=organization,
            project=project,
            code=str(number + 1),
            sort_key=str(number + 1).zfill(5),
            percent_complete_method=methods[number % len(methods)],
        )
        BaselineTaskFactory(
            organization=organization,
            baseline=frozen,
            task=element,
            code=element.code,
            start=MONDAY + dt.timedelta(days=7 * (number % 3)),
            finish=MONDAY + dt.timedelta(days=7 * (number % 3) + 4),
            budgeted_cost=Decimal("1000.00"),
        )
        for effective, percent in ((march(3), 20), (march(5), 60)):
            ProgressUpdateFactory(
                organization=organization,
                project=project,
                task=element,
                effective_date=effective,
                percent_complete=percent,
                actual_start=MONDAY,
                updated_by=user,
            )
        ActualCostFactory(
            organization=organization,
            project=project,
            wbs_element=element,
            date=march(4),
            amount=Decimal("300.00"),
            category=category,
            created_by=user,
        )
    return project
