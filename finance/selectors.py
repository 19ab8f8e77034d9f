"""Reads of the finance app that are more than a queryset chain: budgets against costs and baselines.

The approved budget of a project is its current approved version (``is_current``); of a
category, the sum of that version's lines of the category. Each read here runs a fixed
number of queries, whatever the number of lines, costs or baseline tasks.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Max, Min, OuterRef, Q, QuerySet, Subquery, Sum

from finance import charts
from finance.earned_value import MONTH, WEEK, ProjectEvm, project_evm_series
from finance.models import ZERO, ActualCost, BudgetLine, BudgetVersion, Commitment, CostCategory, ManualForecast
from finance.services.categories import cost_categories_ensure_defaults
from projects.models import BaselineTask, ChangeRequest, Project
from projects.selectors import current_baseline

# Commitments that still count against the budget: cancelled ones do not.
COUNTED_COMMITMENTS = (Commitment.Status.OPEN, Commitment.Status.CLOSED)
CENT = Decimal("0.01")


def current_budget_version(project: Project) -> BudgetVersion | None:
    """The project's current approved budget version, if it has one."""
    return (
        BudgetVersion.objects.for_organization(project.organization_id).filter(project=project, is_current=True).first()
    )


#: A change request moves the budget once it is decided in favour.
BUDGETED_CHANGES = (ChangeRequest.Status.APPROVED, ChangeRequest.Status.IMPLEMENTED)


def offered_change_requests(project: Project) -> QuerySet[ChangeRequest]:
    """The project's approved changes with a cost impact that no budget version carries yet.

    A change in a draft, submitted, approved or superseded version is carried; one whose only
    versions were rejected is offered again.
    """
    carried = (
        BudgetVersion.objects.for_organization(project.organization_id)
        .filter(project=project, change_request__isnull=False)
        .exclude(status=BudgetVersion.Status.REJECTED)
        .values("change_request_id")
    )
    return (
        ChangeRequest.objects.for_organization(project.organization_id)
        .filter(project=project, status__in=BUDGETED_CHANGES)
        .exclude(impact_cost=0)
        .exclude(pk__in=carried)
        .order_by("-number")
    )


def project_holds_finance(project: Project) -> bool:
    """Whether the project has a budget version, a commitment, an actual cost or a manual forecast."""
    organization_id = project.organization_id
    return any(
        model.objects.for_organization(organization_id).filter(project=project).exists()
        for model in (ActualCost, Commitment, BudgetVersion, ManualForecast)
    )


def with_reversals(costs: QuerySet[ActualCost], organization_id: int) -> QuerySet[ActualCost]:
    """Each cost with ``reversed_by_id``, the reversal that cancels it (or None), in the same query."""
    reversals = ActualCost.objects.for_organization(organization_id).filter(reverses=OuterRef("pk"))
    return costs.annotate(reversed_by_id=Subquery(reversals.values("pk")[:1]))


def cents(value: Decimal | None) -> Decimal:
    """A sum as money: two places (SQLite drops trailing zeros of sums), zero for nothing."""
    return (value or ZERO).quantize(CENT)


def _sum_by_category(queryset: QuerySet[Any]) -> dict[int, Decimal]:
    rows = queryset.order_by().values_list("category_id").annotate(total=Sum("amount"))
    return {category_id: cents(total) for category_id, total in rows}


def approved_amounts(project: Project) -> dict[int, Decimal] | None:
    """The approved budget per category id, or None when the project has no approved budget."""
    version = (
        BudgetVersion.objects.for_organization(project.organization_id)
        .filter(project=project, is_current=True)
        .values_list("pk", flat=True)
        .first()
    )
    if version is None:
        return None
    return _sum_by_category(BudgetLine.objects.for_organization(project.organization_id).filter(version_id=version))


def committed_amounts(project: Project, *, exclude_pk: int | None = None) -> dict[int, Decimal]:
    """Open and closed commitments per category id (cancelled ones free their budget)."""
    commitments = Commitment.objects.for_organization(project.organization_id).filter(
        project=project, status__in=COUNTED_COMMITMENTS
    )
    if exclude_pk is not None:
        commitments = commitments.exclude(pk=exclude_pk)
    return _sum_by_category(commitments)


def actual_amounts(project: Project) -> dict[int, Decimal]:
    """Actual costs per category id."""
    return _sum_by_category(ActualCost.objects.for_organization(project.organization_id).filter(project=project))


# --- budget by category ---------------------------------------------------------------


@dataclass(frozen=True)
class CategoryBudget:
    """One category of a project: its approved budget, what is committed and spent, and what is left.

    Commitments and actual costs are measured against the budget each on their own (an invoice
    usually settles a commitment), so ``remaining`` is the budget less the larger of the two,
    and ``over`` is true when either exceeds the approved amount.
    """

    category: CostCategory
    approved: Decimal
    committed: Decimal
    actual: Decimal
    remaining: Decimal
    over: bool


def budget_by_category(project: Project) -> list[CategoryBudget]:
    """Every active category, and any inactive one that has budget or costs, in category order.

    Five queries: the default categories check, the approved lines, the commitments, the actual
    costs and the categories. A project without an approved budget has zero approved everywhere.
    """
    organization_id = project.organization_id
    cost_categories_ensure_defaults(project.organization)
    approved = _sum_by_category(
        BudgetLine.objects.for_organization(organization_id).filter(version__project=project, version__is_current=True)
    )
    committed = committed_amounts(project)
    actual = actual_amounts(project)
    used = set(approved) | set(committed) | set(actual)
    categories = (
        CostCategory.objects.for_organization(organization_id)
        .filter(Q(is_active=True) | Q(pk__in=used))
        .order_by("order", "name", "pk")
    )
    rows = []
    for category in categories:
        budget = approved.get(category.pk, ZERO)
        spent_committed = committed.get(category.pk, ZERO)
        spent_actual = actual.get(category.pk, ZERO)
        rows.append(
            CategoryBudget(
                category=category,
                approved=budget,
                committed=spent_committed,
                actual=spent_actual,
                remaining=budget - max(spent_committed, spent_actual),
                over=spent_committed > budget or spent_actual > budget,
            )
        )
    return rows


# --- the budget against the baseline -------------------------------------------------


@dataclass(frozen=True)
class ReconciliationRow:
    """Budget lines of one WBS element (or of none) against the baseline budget of its tasks."""

    element_id: int | None
    code: str
    name: str
    lines: Decimal
    baseline: Decimal
    difference: Decimal


@dataclass(frozen=True)
class Reconciliation:
    version: BudgetVersion | None
    approved_total: Decimal
    contingency_reserve: Decimal
    management_reserve: Decimal
    reserves: Decimal
    baseline_id: int | None
    baseline_total: Decimal | None
    difference: Decimal | None
    is_equal: bool
    rows: list[ReconciliationRow]


def _owner(code: str, element_codes: list[str]) -> str | None:
    """The deepest element code that ``code`` equals or lies under (``1.2`` owns ``1.2`` and ``1.2.3``)."""
    for element_code in element_codes:
        if code == element_code or code.startswith(element_code + "."):
            return element_code
    return None


def budget_reconciliation(project: Project) -> Reconciliation:
    """The approved budget (its lines; reserves apart) against the current baseline's task budgets.

    ``difference`` is the approved lines less the baseline (None without a baseline). Rows name
    where the two differ: each WBS element that has lines against the baseline tasks under it
    (those whose code equals the element's or starts with it and a dot), and the lines without
    an element against the tasks under no such element. When lines sit on both an element and
    one inside it, a task counts for the innermost one only, so the rows add up to the totals.
    At most five queries.
    """
    organization_id = project.organization_id
    version = current_budget_version(project)
    lines_by_element: dict[int | None, Decimal] = defaultdict(lambda: ZERO)
    elements: dict[int, tuple[str, str]] = {}
    if version is not None:
        for element_id, code, name, total in (
            BudgetLine.objects.for_organization(organization_id)
            .filter(version=version)
            .order_by()
            .values_list("wbs_element_id", "wbs_element__code", "wbs_element__name")
            .annotate(total=Sum("amount"))
        ):
            lines_by_element[element_id] += cents(total)
            if element_id is not None:
                elements[element_id] = (code, name)
    approved_total = sum(lines_by_element.values(), ZERO)
    contingency = version.contingency_reserve if version is not None else ZERO
    management = version.management_reserve if version is not None else ZERO

    baseline = current_baseline(project)
    if baseline is None:
        return Reconciliation(
            version=version,
            approved_total=approved_total,
            contingency_reserve=contingency,
            management_reserve=management,
            reserves=contingency + management,
            baseline_id=None,
            baseline_total=None,
            difference=None,
            is_equal=False,
            rows=[],
        )

    # Deepest codes first, so that a task finds the innermost element it lies under.
    by_code = {code: element_id for element_id, (code, _name) in elements.items()}
    codes = sorted(by_code, key=lambda code: code.count("."), reverse=True)
    baseline_by_element: dict[int | None, Decimal] = defaultdict(lambda: ZERO)
    baseline_total = ZERO
    for code, cost in (
        BaselineTask.objects.for_organization(organization_id)
        .filter(baseline=baseline)
        .values_list("code", "budgeted_cost")
    ):
        baseline_total += cents(cost)
        owner = _owner(code, codes)
        baseline_by_element[by_code[owner] if owner is not None else None] += cents(cost)

    rows = []
    for element_id, (code, name) in sorted(elements.items(), key=lambda item: _code_key(item[1][0])):
        lines, planned = lines_by_element[element_id], baseline_by_element[element_id]
        if lines != planned:
            rows.append(ReconciliationRow(element_id, code, name, lines, planned, lines - planned))
    unassigned_lines, unassigned_baseline = lines_by_element[None], baseline_by_element[None]
    if unassigned_lines != unassigned_baseline:
        rows.append(
            ReconciliationRow(
                None, "", "", unassigned_lines, unassigned_baseline, unassigned_lines - unassigned_baseline
            )
        )
    difference = approved_total - baseline_total
    return Reconciliation(
        version=version,
        approved_total=approved_total,
        contingency_reserve=contingency,
        management_reserve=management,
        reserves=contingency + management,
        baseline_id=baseline.pk,
        baseline_total=baseline_total,
        difference=difference,
        is_equal=difference == 0,
        rows=rows,
    )


def _code_key(code: str) -> tuple[int, ...]:
    return tuple(int(part) for part in code.split(".") if part.isdigit())


# --- a version against the current one ------------------------------------------------


@dataclass(frozen=True)
class VersionDiffRow:
    category: CostCategory
    amount: Decimal
    current: Decimal
    difference: Decimal


def budget_version_diff(version: BudgetVersion) -> list[VersionDiffRow]:
    """Per category: the version's lines against the current approved version's (zero without one).

    At most three queries: the current version, the two versions' sums and the categories.
    """
    organization_id = version.organization_id
    current_id = (
        BudgetVersion.objects.for_organization(organization_id)
        .filter(project_id=version.project_id, is_current=True)
        .values_list("pk", flat=True)
        .first()
    )
    version_ids = [version.pk] if current_id in (None, version.pk) else [version.pk, current_id]
    amounts: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for version_id, category_id, total in (
        BudgetLine.objects.for_organization(organization_id)
        .filter(version_id__in=version_ids)
        .order_by()
        .values_list("version_id", "category_id")
        .annotate(total=Sum("amount"))
    ):
        amounts[version_id][category_id] = cents(total)
    mine = amounts[version.pk]
    current = amounts[current_id] if current_id is not None else {}
    used = set(mine) | set(current)
    if not used:
        return []
    categories = (
        CostCategory.objects.for_organization(organization_id).filter(pk__in=used).order_by("order", "name", "pk")
    )
    return [
        VersionDiffRow(
            category=category,
            amount=mine.get(category.pk, ZERO),
            current=current.get(category.pk, ZERO),
            difference=mine.get(category.pk, ZERO) - current.get(category.pk, ZERO),
        )
        for category in categories
    ]


# An S-curve spanning more than this many days is drawn by month unless weeks are asked for.
WEEKLY_SPAN_DAYS = 183


@dataclass(frozen=True)
class SCurve:
    """Earned value on the status date, the points to it, and the S-curve drawn through them."""

    evm: ProjectEvm
    interval: str
    points: list[ProjectEvm]
    chart: charts.LineChart | None


def planned_value_points(start: dt.date | None, points: list[ProjectEvm]) -> list[tuple[dt.date, Decimal]]:
    """PV at each point, from zero on the eve of the baseline's start (nothing is planned before it)."""
    planned = [(point.as_of, point.figures.pv) for point in points]
    if start is not None and planned and planned[0][0] >= start:
        planned.insert(0, (start - dt.timedelta(days=1), Decimal(0)))
    return planned


def project_s_curve(project: Project, as_of: dt.date, interval: str | None = None) -> SCurve:
    """The project's earned value on ``as_of`` and its S-curve: planned value over the whole current
    baseline, earned value and actual cost to ``as_of``, by week (by month beyond half a year) unless
    ``interval`` says. ``ApplicationError`` as ``project_evm_series`` (``no_baseline`` without one)."""
    span = (
        BaselineTask.objects.for_organization(project.organization_id)
        .filter(baseline__project=project, baseline__is_current=True)
        .aggregate(start=Min("start"), finish=Max("finish"))
    )
    start, finish = span["start"], span["finish"]
    chosen = interval or (WEEK if start is None or (as_of - start).days <= WEEKLY_SPAN_DAYS else MONTH)
    to_date = project_evm_series(project, None, as_of, chosen)
    ahead: list[ProjectEvm] = []
    if finish is not None and finish > as_of:
        ahead = project_evm_series(project, as_of + dt.timedelta(days=1), finish, chosen)
    current = to_date[-1]
    chart = charts.s_curve(
        pv=planned_value_points(start, [*to_date, *ahead]),
        ev=[(point.as_of, point.figures.ev) for point in to_date],
        ac=[(point.as_of, point.figures.ac) for point in to_date],
        bac=current.figures.bac,
        status_date=as_of,
        currency=current.currency,
    )
    return SCurve(evm=current, interval=chosen, points=to_date, chart=chart)
