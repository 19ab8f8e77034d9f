"""Demo content of the finance app: budgets, commitments and costs of the projects under way, and their reports.

``seed_demo`` calls :func:`seed` for every app that has a ``demo`` module, after the projects
app's. Each project under way gets an approved budget equal to its baseline, a commitment and
costs that put its cost performance index where its health says (``HEALTH_CPI``) both at the end
of last week and today; then last week's status report, rated as computed, which needs those
costs. Idempotent: a project that already has a budget version is left as it is. The
organisation's gates then ask for an approved budget, besides the baseline, to leave planning.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from finance.earned_value import project_evm
from finance.gate_checks import APPROVED_BUDGET
from finance.models import BudgetVersion
from finance.services import budgets, costs
from finance.services.categories import cost_categories
from pmo.models import Membership, Organization, User
from projects.demo import AMBER, GREEN, PARK, RED, SHAPES, Shape, last_report_day
from projects.gate_checks import CURRENT_BASELINE
from projects.models import GateCheckChoice, Phase, Project, ProjectRole, StatusReport
from projects.services import status_reports
from projects.services.gate_checks import gate_check_selection_update

# Category code → approved amount; the total equals the park's baseline budget.
PARK_BUDGET = {
    "labour": Decimal("340000"),
    "materials": Decimal("730000"),
    "equipment": Decimal("990000"),
    "subcontract": Decimal("4520000"),
    "other": Decimal("60000"),
}
# Other projects split their budget in these shares; subcontract takes what rounding leaves.
BUDGET_SHARES = {
    "labour": Decimal("0.15"),
    "materials": Decimal("0.30"),
    "equipment": Decimal("0.10"),
    "other": Decimal("0.02"),
}
# The park's costs: the first three by the end of last week, the last two since; amounts in these shares.
PARK_COSTS = [
    ("labour", Decimal("120000"), "设计院 Design institute", "INV-0031"),
    ("subcontract", Decimal("310000"), "设计院 Design institute", "INV-0058"),
    ("equipment", Decimal("95000"), "机械租赁 Plant hire", "INV-0071"),
    ("subcontract", Decimal("640000"), "滨河路桥 Riverside roads", "INV-0094"),
    ("materials", Decimal("215000"), "建材公司 Building supplies", "INV-0097"),
]
GENERIC_COSTS = [
    ("labour", Decimal("2"), "设计院 Design institute", "INV-01"),
    ("subcontract", Decimal("3"), "总承包商 Main contractor", "INV-02"),
    ("materials", Decimal("1"), "建材公司 Building supplies", "INV-03"),
]
# Earned value over actual cost: green projects under budget, amber a little over, red well over.
HEALTH_CPI = {GREEN: Decimal("1.04"), AMBER: Decimal("0.92"), RED: Decimal("0.86")}
CENT = Decimal("0.01")

NARRATIVE = {
    GREEN: ("按计划推进，本周完成既定工作。Work went to plan this week.", "继续按基线推进。Continue as baselined."),
    AMBER: (
        "进度正常，但材料价格上涨导致成本超支。On schedule, but material prices push costs over budget.",
        "与供应商重新议价。Renegotiate with the suppliers.",
    ),
    RED: (
        "主体工程受现场条件影响延误。Main works delayed by site conditions.",
        "增加作业班组并申请延期。Add a crew and request an extension of time.",
    ),
}


def seed(organization: Organization, users: dict[str, User], *, today: dt.date | None = None) -> None:
    today = today or organization.today()
    projects = {
        project.code: project
        for project in Project.objects.for_organization(organization).filter(
            code__in=[shape.code for shape in SHAPES], phase__in=[Phase.EXECUTION, Phase.CLOSING, Phase.OPERATIONS]
        )
    }
    funded = set(
        BudgetVersion.objects.for_organization(organization)
        .filter(project__in=list(projects.values()))
        .values_list("project_id", flat=True)
    )
    for shape in SHAPES:
        project = projects.get(shape.code)
        if project is None or project.pk in funded:
            continue
        _budget_and_costs(organization, users, project, shape, today)
        if project.phase == Phase.EXECUTION:
            _status_report(organization, users, project, shape, today)
    _gate_checks(organization, users["admin"])


# The gate rules the demo shows: leaving planning needs a current baseline and an approved budget.
DEMO_GATE_CHECKS = {Phase.PLANNING.value: [CURRENT_BASELINE, APPROVED_BUDGET]}


def _gate_checks(organization: Organization, admin: User) -> None:
    """Choose the demo's gate checks once, after the projects have passed their gates (an edited choice stays)."""
    if not GateCheckChoice.objects.for_organization(organization).exists():
        gate_check_selection_update(actor=admin, organization=organization, selection=DEMO_GATE_CHECKS)


def _budget_and_costs(
    organization: Organization, users: dict[str, User], project: Project, shape: Shape, today: dt.date
) -> None:
    pm, finance = users["pm"], users["finance"]
    categories = {category.code: category for category in cost_categories(organization)}
    total = project_evm(project, today).figures.bac
    if shape.code == PARK:
        lines = PARK_BUDGET
    else:
        lines = {code: (total * share).quantize(CENT) for code, share in BUDGET_SHARES.items()}
        lines["subcontract"] = total - sum(lines.values(), Decimal("0"))
    version = budgets.budget_version_create(actor=pm, project=project, note="批准预算 Approved budget")
    for code, amount in lines.items():
        budgets.budget_line_add(actor=pm, version=version, category=categories[code], amount=amount)
    budgets.budget_version_update(
        actor=pm,
        version=version,
        contingency_reserve=(total * Decimal("0.06")).quantize(Decimal("1")),
        management_reserve=(total * Decimal("0.03")).quantize(Decimal("1")),
    )
    budgets.budget_version_submit(actor=pm, version=version)
    membership = Membership.objects.for_organization(organization).get(user=finance)
    budgets.budget_version_approve(actor=finance, membership=membership, version=version, comment="同意 Approved")
    costs.commitment_create(
        actor=pm,
        project=project,
        supplier="总承包商 Main contractor" if shape.code != PARK else "滨河路桥 Riverside roads",
        reference=f"CT-{project.code}",
        date=project.planned_start + dt.timedelta(days=14),
        amount=(lines["subcontract"] * Decimal("0.85")).quantize(Decimal("1")),
        category=categories["subcontract"],
    )
    cpi = HEALTH_CPI[shape.health or GREEN]
    plan = PARK_COSTS if shape.code == PARK else GENERIC_COSTS
    report_day = last_report_day(project, today)
    # The costs to the end of last week and those since, each group in its shares of its amount.
    spent_then = (
        project_evm(project, report_day).figures.ev / cpi if report_day >= project.planned_start else Decimal("0")
    )
    spent_now = project_evm(project, today).figures.ev / cpi
    split = 3 if shape.code == PARK else 2
    elapsed = report_day - project.planned_start
    earlier = [project.planned_start + elapsed * (n + 1) / split for n in range(split)] if spent_then else []
    groups = [
        (plan[:split], spent_then, earlier),
        (plan[split:], spent_now - spent_then, [today] * (len(plan) - split)),
    ]
    for rows, amount, days in groups:
        if amount <= 0 or not days:
            continue
        weight = sum((share for _code, share, _supplier, _reference in rows), Decimal("0"))
        left = amount.quantize(CENT)
        for index, ((code, share, supplier, reference), day) in enumerate(zip(rows, days, strict=True)):
            part = left if index == len(rows) - 1 else (amount * share / weight).quantize(CENT)
            left -= part
            costs.actual_cost_create(
                actor=finance,
                project=project,
                date=day,
                amount=part,
                category=categories[code],
                supplier=supplier,
                reference=f"{reference}-{project.code}",
            )


def _status_report(
    organization: Organization, users: dict[str, User], project: Project, shape: Shape, today: dt.date
) -> None:
    """Last week's report, rated as computed: reviewed when green, else waiting for the PMO's review."""
    report_day = last_report_day(project, today)
    if report_day < project.planned_start:
        return
    if StatusReport.objects.for_organization(organization).filter(project=project).exists():
        return
    pm, pmo = users["pm"], users["pmo"]
    report = status_reports.status_report_create(actor=pm, project=project, period_end=report_day)
    computed = (report.figures or {}).get("computed_rag", {}).get("rag", GREEN)
    done, next_steps = NARRATIVE[shape.health or GREEN]
    report = status_reports.status_report_update(
        actor=pm,
        report=report,
        accomplishments=done,
        next_steps=next_steps,
        issues="" if shape.health == GREEN else next_steps,
        rag_overall=computed if computed in (GREEN, AMBER, RED) else GREEN,
    )
    membership = Membership.objects.for_organization(organization).get(user=pm)
    report = status_reports.status_report_submit(
        actor=pm, membership=membership, project_role=ProjectRole.MANAGER, report=report
    )
    if shape.health == GREEN:
        reviewer = Membership.objects.for_organization(organization).get(user=pmo)
        status_reports.status_report_review(actor=pmo, membership=reviewer, report=report, comment="已阅 Noted")
