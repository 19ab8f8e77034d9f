"""Demo content of the finance app: an approved budget, a commitment and costs for the park.

``seed_demo`` calls :func:`seed` for every app that has a ``demo`` module. Idempotent: a
project that already has a budget version is left as it is.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from finance.models import BudgetVersion
from finance.services import budgets, costs
from finance.services.categories import cost_categories
from pmo.models import Membership, Organization, User
from projects.demo import PARK
from projects.models import Project

# Category code → approved amount; the total equals the park's baseline budget.
PARK_BUDGET = {
    "labour": Decimal("340000"),
    "materials": Decimal("730000"),
    "equipment": Decimal("990000"),
    "subcontract": Decimal("4520000"),
    "other": Decimal("60000"),
}
PARK_COSTS = [
    (dt.date(2026, 3, 20), "labour", Decimal("120000"), "设计院 Design institute", "INV-2026-0031"),
    (dt.date(2026, 4, 17), "subcontract", Decimal("310000"), "设计院 Design institute", "INV-2026-0058"),
    (dt.date(2026, 4, 30), "equipment", Decimal("95000"), "机械租赁 Plant hire", "INV-2026-0071"),
    (dt.date(2026, 5, 20), "subcontract", Decimal("640000"), "滨河路桥 Riverside roads", "INV-2026-0094"),
    (dt.date(2026, 5, 22), "materials", Decimal("215000"), "建材公司 Building supplies", "INV-2026-0097"),
]


def seed(organization: Organization, users: dict[str, User]) -> None:
    project = Project.objects.for_organization(organization).filter(code=PARK).first()
    if project is None or BudgetVersion.objects.for_organization(organization).filter(project=project).exists():
        return
    pm, finance = users["pm"], users["finance"]
    categories = {category.code: category for category in cost_categories(organization)}
    version = budgets.budget_version_create(actor=pm, project=project, note="批准预算 Approved budget")
    for code, amount in PARK_BUDGET.items():
        budgets.budget_line_add(actor=pm, version=version, category=categories[code], amount=amount)
    budgets.budget_version_update(
        actor=pm, version=version, contingency_reserve=Decimal("400000"), management_reserve=Decimal("200000")
    )
    budgets.budget_version_submit(actor=pm, version=version)
    membership = Membership.objects.for_organization(organization).get(user=finance)
    budgets.budget_version_approve(actor=finance, membership=membership, version=version, comment="同意 Approved")
    costs.commitment_create(
        actor=pm,
        project=project,
        supplier="滨河路桥 Riverside roads",
        reference="CT-2026-007",
        date=dt.date(2026, 4, 25),
        amount=Decimal("3900000"),
        category=categories["subcontract"],
    )
    for day, code, amount, supplier, reference in PARK_COSTS:
        costs.actual_cost_create(
            actor=finance,
            project=project,
            date=day,
            amount=amount,
            category=categories[code],
            supplier=supplier,
            reference=reference,
        )
