"""Commitments, actual costs (one at a time or a whole CSV file) and the manual forecast.

Budget control and the CSV format are ``COSTS_RULES`` below, which the API shows (translated).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from finance.models import ZERO, ActualCost, Commitment, CostCategory, FinanceSettings, ManualForecast
from finance.selectors import actual_amounts, approved_amounts, committed_amounts
from finance.services.categories import (
    check_category,
    check_element,
    cost_categories_ensure_defaults,
    finance_settings,
    validated,
)
from finance.services.period_lock import check_period_open, locked_through, period_locked_error
from pmo.alerts.services import project_evaluation_queue
from pmo.audit import audit_record, diff
from pmo.csv_table import CsvErrors, RowErrors, decode_csv, read_table
from pmo.dates import DateWindow
from pmo.errors import ApplicationError
from pmo.models import User
from pmo.money import money_limit_message, within_money_limit
from projects.models import Project, WbsElement
from projects.services.locks import lock_project, lock_project_row

# Budget control and the CSV format of actual costs, for people: the API's description of the import.
COSTS_RULES = gettext_lazy(
    "Commitments, actual costs (one at a time or a whole CSV file) and the manual forecast.\n"
    "\n"
    "Budget control\n"
    "    The approved amount of a category is the sum of the lines of that category in the project's\n"
    "    current approved budget version. A new commitment takes its category over when the open and\n"
    "    closed commitments of the category plus its amount exceed the approved amount; a new actual\n"
    "    cost when the actual costs of the category plus its amount do. A project without an approved\n"
    "    budget has nothing approved, so every cost takes its category over. A credit (an amount of\n"
    "    zero or less) never does. What happens then is the organisation's choice\n"
    "    (``FinanceSettings.budget_control``): ``warn`` saves the cost with ``over_budget`` set,\n"
    "    ``block`` refuses it with the code ``over_budget`` and saves nothing.\n"
    "\n"
    "Actual costs from CSV\n"
    "    A header row names the columns, in any order: ``date`` (YYYY-MM-DD or YYYY/MM/DD),\n"
    "    ``amount`` (a decimal point, at most two places; negative for a credit), ``category`` (the\n"
    "    code of an active cost category), and optionally ``wbs_code`` (a WBS element or task of the\n"
    "    project; ``wbs`` will do), ``supplier`` and ``reference``. The file is UTF-8 (with or without a byte-order\n"
    "    mark) or GB18030 as Excel saves it in China. The whole file is checked first and nothing is\n"
    "    written unless every row is valid: the error (code ``invalid_file``) maps each line number\n"
    "    (the header is line 1) to its problems, each starting with the column's name, and\n"
    '    ``"file"`` to problems of the file as a whole. Budget control then applies to the file as a\n'
    "    whole, per category: in ``block`` mode one category over refuses the whole file."
)

COMMITMENT_FIELDS = ["supplier", "reference", "date", "amount", "category", "wbs_element", "status"]
CSV_COLUMNS = ["date", "amount", "category", "wbs_code", "supplier", "reference"]
REQUIRED_COLUMNS = ("date", "amount", "category")
# Other names a header may use for a column.
COLUMN_ALIASES = {"wbs": "wbs_code", "category_code": "category"}
MAX_ROWS = 5000
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d")
MONEY_PLACES = 2
SUPPLIER_LENGTH = 200
REFERENCE_LENGTH = 100


# --- budget control -------------------------------------------------------------------


@dataclass(frozen=True)
class Overrun:
    """A category a new amount would take over its approved budget (``approved`` None: no budget)."""

    category: CostCategory
    approved: Decimal | None
    reaches: Decimal

    @property
    def message(self) -> str:
        if self.approved is None:
            return _(
                "%(category)s: the project has no approved budget, and this would take the category to %(reaches)s."
            ) % {"category": self.category.name, "reaches": self.reaches}
        return _("%(category)s: %(approved)s approved, and this would take the category to %(reaches)s.") % {
            "category": self.category.name,
            "approved": self.approved,
            "reaches": self.reaches,
        }


def budget_overruns(
    project: Project,
    adding: dict[int, Decimal],
    categories: dict[int, CostCategory],
    *,
    commitments: bool,
    exclude_pk: int | None = None,
) -> list[Overrun]:
    """The categories that ``adding`` (amounts per category id) would take over their approved budget."""
    increases = {category_id: amount for category_id, amount in adding.items() if amount > 0}
    if not increases:
        return []
    approved = approved_amounts(project)
    spent = committed_amounts(project, exclude_pk=exclude_pk) if commitments else actual_amounts(project)
    overruns = []
    for category_id, amount in increases.items():
        reaches = spent.get(category_id, ZERO) + amount
        limit = None if approved is None else approved.get(category_id, ZERO)
        if limit is None or reaches > limit:
            overruns.append(Overrun(categories[category_id], limit, reaches))
    return overruns


def _apply_control(project: Project, overruns: list[Overrun], field: str) -> set[int]:
    """Refuse in block mode; otherwise return the ids of the categories to flag ``over_budget``."""
    if not overruns:
        return set()
    if finance_settings(project.organization).budget_control == FinanceSettings.BudgetControl.BLOCK:
        messages = [overrun.message for overrun in overruns]
        raise ApplicationError(
            _("Over the approved budget; nothing was saved. %(details)s") % {"details": " ".join(messages)},
            code="over_budget",
            fields={field: messages},
        )
    return {overrun.category.pk for overrun in overruns}


def _clean_text(value: str | None) -> str:
    return (value or "").strip()


# --- commitments ----------------------------------------------------------------------


def _commitment_snapshot(commitment: Commitment) -> dict[str, Any]:
    return {
        "supplier": commitment.supplier,
        "reference": commitment.reference,
        "date": commitment.date,
        "amount": commitment.amount,
        "category": commitment.category_id,
        "wbs_element": commitment.wbs_element_id,
        "status": commitment.status,
        "over_budget": commitment.over_budget,
    }


@transaction.atomic
def commitment_create(
    *,
    actor: User,
    project: Project,
    supplier: str,
    reference: str,
    date: dt.date,
    amount: Decimal,
    category: CostCategory,
    wbs_element: WbsElement | None = None,
) -> Commitment:
    """Record a purchase order or contract, under budget control."""
    project = lock_project(project)
    check_period_open(project.organization_id, date)
    check_category(project.organization_id, category)
    check_element(project, wbs_element)
    commitment = Commitment(
        organization_id=project.organization_id,
        project=project,
        supplier=_clean_text(supplier),
        reference=_clean_text(reference),
        date=date,
        amount=amount,
        category=category,
        wbs_element=wbs_element,
        created_by=actor,
    )
    validated(commitment, exclude=["project", "category", "wbs_element", "created_by"])
    overruns = budget_overruns(project, {category.pk: amount}, {category.pk: category}, commitments=True)
    commitment.over_budget = category.pk in _apply_control(project, overruns, "amount")
    commitment.save()
    audit_record(
        organization=project.organization,
        actor=actor,
        action="commitment.created",
        target=commitment,
        changes={"project": [None, project.pk], **diff({}, _commitment_snapshot(commitment))},
    )
    return commitment


@transaction.atomic
def commitment_update(*, actor: User, commitment: Commitment, **fields: Any) -> Commitment:
    """Change an open commitment, or close or cancel it; closed and cancelled ones are final.

    A change that raises what the commitment carries against a category (more money, or another
    category) passes budget control again; a cancelled commitment no longer counts.
    """
    unknown = set(fields) - set(COMMITMENT_FIELDS)
    if unknown:
        raise ApplicationError(_("These fields cannot be changed: %s") % ", ".join(sorted(unknown)))
    for name in ("supplier", "reference", "date", "amount", "category", "status"):
        if name in fields and fields[name] is None:
            raise ApplicationError(_("This field is required."), fields={name: [_("This field is required.")]})
    project = lock_project(commitment.project)
    commitment = Commitment.objects.for_organization(project.organization_id).select_for_update().get(pk=commitment.pk)
    commitment.project = project
    if commitment.status != Commitment.Status.OPEN:
        raise ApplicationError(
            _("The commitment is %(status)s; only an open commitment changes.")
            % {"status": Commitment.Status(commitment.status).label},
            code="commitment_not_open",
        )
    status = fields.get("status", Commitment.Status.OPEN)
    if status not in Commitment.Status.values:
        raise ApplicationError(
            _("Choose open, closed or cancelled."), fields={"status": [_("Choose open, closed or cancelled.")]}
        )
    if "category" in fields:
        check_category(project.organization_id, fields["category"])
    if "wbs_element" in fields:
        check_element(project, fields["wbs_element"])
    for name in ("supplier", "reference"):
        if name in fields:
            fields[name] = _clean_text(fields[name])
    before = _commitment_snapshot(commitment)
    for name, value in fields.items():
        setattr(commitment, name, value)
    validated(commitment, exclude=["project", "category", "wbs_element", "created_by"])
    _check_commitment_period(commitment, before)
    moved = commitment.category_id != before["category"]
    if commitment.status != Commitment.Status.CANCELLED and (moved or commitment.amount != before["amount"]):
        overruns = budget_overruns(
            project,
            {commitment.category_id: commitment.amount},
            {commitment.category_id: commitment.category},
            commitments=True,
            exclude_pk=commitment.pk,
        )
        # Only an increase is refused; a smaller amount just updates the flag.
        if moved or commitment.amount > before["amount"]:
            over = _apply_control(project, overruns, "amount")
        else:
            over = {overrun.category.pk for overrun in overruns}
        commitment.over_budget = commitment.category_id in over
    changes = diff(before, _commitment_snapshot(commitment))
    if changes:
        commitment.save()
        audit_record(
            organization=project.organization,
            actor=actor,
            action="commitment.updated",
            target=commitment,
            changes=changes,
        )
    return commitment


def _check_commitment_period(commitment: Commitment, before: dict[str, Any]) -> None:
    """What a commitment holds in a closed period does not change; closing or cancelling it still may."""
    money = ("date", "amount", "category", "wbs_element")
    if all(before[name] == _commitment_snapshot(commitment)[name] for name in money):
        return
    through = locked_through(commitment.organization_id)
    for day in (before["date"], commitment.date):
        check_period_open(commitment.organization_id, day, through=through)


# --- actual costs ---------------------------------------------------------------------


@transaction.atomic
def actual_cost_create(
    *,
    actor: User,
    project: Project,
    date: dt.date,
    amount: Decimal,
    category: CostCategory,
    wbs_element: WbsElement | None = None,
    supplier: str = "",
    reference: str = "",
    source: str = ActualCost.Source.MANUAL,
) -> ActualCost:
    """Record an invoice or expense by hand, under budget control, outside a closed period.

    ``source`` says where it came from: by hand, or (through ``finance.services.labour``) a timesheet.
    """
    project = lock_project(project)
    check_period_open(project.organization_id, date)
    check_category(project.organization_id, category)
    check_element(project, wbs_element)
    cost = ActualCost(
        organization_id=project.organization_id,
        project=project,
        date=date,
        amount=amount,
        category=category,
        wbs_element=wbs_element,
        supplier=_clean_text(supplier),
        reference=_clean_text(reference),
        source=source,
        created_by=actor,
    )
    validated(cost, exclude=["project", "category", "wbs_element", "created_by"])
    overruns = budget_overruns(project, {category.pk: amount}, {category.pk: category}, commitments=False)
    cost.over_budget = category.pk in _apply_control(project, overruns, "amount")
    cost.save()
    audit_record(
        organization=project.organization,
        actor=actor,
        action="actual_cost.created",
        target=cost,
        changes={
            "project": [None, project.pk],
            **diff(
                {},
                {
                    "date": cost.date,
                    "amount": cost.amount,
                    "category": cost.category_id,
                    "wbs_element": cost.wbs_element_id,
                    "supplier": cost.supplier,
                    "reference": cost.reference,
                    "source": cost.source,
                    "over_budget": cost.over_budget,
                },
            ),
        },
    )
    project_evaluation_queue(project)
    return cost


REASON_LENGTH = 500


@transaction.atomic
def actual_cost_reverse(*, actor: User, cost: ActualCost, reason: str) -> ActualCost:
    """Cancel a recorded cost with a reversal: a new entry of the negative amount, linked to it, audited.

    Costs are never deleted or edited: a wrong one is reversed. The reversal keeps the original's
    date, category, WBS element, supplier and reference, so the two net to zero on every date and
    in every breakdown. A cost is reversed at most once; a reversal itself cannot be reversed.
    Reversing a credit restores a cost and so passes budget control like any other. Being dated
    the original's day, the reversal of a cost in a closed period is refused (``period_locked``).
    """
    reason = _clean_text(reason)
    if not reason:
        raise ApplicationError(_("Say why the cost is reversed."), fields={"reason": [_("This field is required.")]})
    if len(reason) > REASON_LENGTH:
        raise ApplicationError(
            _("Use at most %(count)d characters.") % {"count": REASON_LENGTH},
            fields={"reason": [_("Use at most %(count)d characters.") % {"count": REASON_LENGTH}]},
        )
    original = lock_project_row(cost, "category")
    project = original.project
    if original.reverses_id is not None:
        raise ApplicationError(_("A reversal cannot itself be reversed."), code="reversal_not_reversible")
    if ActualCost.objects.for_organization(project.organization_id).filter(reverses=original).exists():
        raise ApplicationError(_("This cost has already been reversed."), code="already_reversed")
    check_period_open(project.organization_id, original.date)
    reversal = ActualCost(
        organization_id=project.organization_id,
        project=project,
        date=original.date,
        amount=-original.amount,
        category=original.category,
        wbs_element_id=original.wbs_element_id,
        supplier=original.supplier,
        reference=original.reference,
        source=ActualCost.Source.REVERSAL,
        reverses=original,
        reversal_reason=reason,
        created_by=actor,
    )
    overruns = budget_overruns(
        project, {original.category_id: reversal.amount}, {original.category_id: original.category}, commitments=False
    )
    reversal.over_budget = original.category_id in _apply_control(project, overruns, "amount")
    reversal.save()
    audit_record(
        organization=project.organization,
        actor=actor,
        action="actual_cost.reversed",
        target=reversal,
        changes={
            "project": [None, project.pk],
            "reverses": [None, original.pk],
            "amount": [None, str(reversal.amount)],
            "reason": [None, reason],
        },
    )
    project_evaluation_queue(project)
    return reversal


@dataclass
class CostRow:
    """A row of an actual-costs import: its line (or sheet row), its cells by column name, and what they say."""

    line: int
    cells: dict[str, str]
    date: dt.date | None = None
    amount: Decimal = ZERO
    category: CostCategory | None = None
    element: WbsElement | None = None


def _parse_date(raw: str) -> dt.date | None:
    for pattern in DATE_FORMATS:
        try:
            return dt.datetime.strptime(raw, pattern).date()  # noqa: DTZ007 - a calendar date, no time
        except ValueError:
            continue
    return None


def _parse_amount(raw: str) -> tuple[Decimal | None, str]:
    """The amount and no message, or None and what is wrong with it."""
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None, _("Enter a number, with a decimal point.")
    exponent = value.as_tuple().exponent
    if not value.is_finite() or not isinstance(exponent, int):
        return None, _("Enter a number, with a decimal point.")
    if -exponent > MONEY_PLACES:
        return None, _("Use at most %(places)d decimal places.") % {"places": MONEY_PLACES}
    if not within_money_limit(value):
        return None, money_limit_message()
    return value, ""


def _check_row(
    row: CostRow,
    categories: dict[str, CostCategory],
    elements: dict[str, WbsElement],
    errors: RowErrors,
    window: DateWindow,
    through: dt.date | None = None,
) -> None:
    raw_date = row.cells.get("date", "")
    if not raw_date:
        errors.add(row.line, "date", _("This field is required."))
    else:
        row.date = _parse_date(raw_date)
        if row.date is None:
            errors.add(row.line, "date", _("Enter a date as YYYY-MM-DD."))
        elif not window.contains(row.date):
            errors.add(row.line, "date", window.message())
        elif through is not None and row.date <= through:
            errors.add(row.line, "date", period_locked_error(row.date, through).message)
    raw_amount = row.cells.get("amount", "")
    if not raw_amount:
        errors.add(row.line, "amount", _("This field is required."))
    else:
        amount, problem = _parse_amount(raw_amount)
        if amount is None:
            errors.add(row.line, "amount", problem)
        else:
            row.amount = amount
    code = row.cells.get("category", "").lower()
    if not code:
        errors.add(row.line, "category", _("This field is required."))
    elif code not in categories:
        errors.add(row.line, "category", _("No cost category has the code %(code)s.") % {"code": code})
    elif not categories[code].is_active:
        errors.add(row.line, "category", _("The cost category %(code)s is switched off.") % {"code": code})
    else:
        row.category = categories[code]
    wbs_code = row.cells.get("wbs_code", "")
    if wbs_code:
        row.element = elements.get(wbs_code)
        if row.element is None:
            errors.add(row.line, "wbs_code", _("The project has no WBS element %(code)s.") % {"code": wbs_code})
    if len(row.cells.get("supplier", "")) > SUPPLIER_LENGTH:
        errors.add(row.line, "supplier", _("Use at most %(count)d characters.") % {"count": SUPPLIER_LENGTH})
    if len(row.cells.get("reference", "")) > REFERENCE_LENGTH:
        errors.add(row.line, "reference", _("Use at most %(count)d characters.") % {"count": REFERENCE_LENGTH})


@transaction.atomic
def actual_costs_import(*, actor: User, project: Project, text: str | bytes) -> list[ActualCost]:
    """Record a whole CSV file of actual costs (see the module's docstring), or nothing."""
    content = decode_csv(text)
    errors = CsvErrors()
    rows = [
        CostRow(line=row.line, cells=row.cells)
        for row in read_table(
            content,
            errors,
            columns=CSV_COLUMNS,
            required=REQUIRED_COLUMNS,
            max_rows=MAX_ROWS,
            aliases=COLUMN_ALIASES,
        )
    ]
    errors.raise_if_any()
    return actual_cost_rows_record(actor=actor, project=project, rows=rows, errors=errors)


@transaction.atomic
def actual_cost_rows_record(
    *, actor: User, project: Project, rows: list[CostRow], errors: RowErrors, file_format: str = "csv"
) -> list[ActualCost]:
    """Check every row of an import (CSV lines or a sheet's rows, cells by column name), then record
    them all under budget control, or raise with every problem in ``errors`` and record nothing."""
    project = lock_project(project)
    organization_id = project.organization_id
    cost_categories_ensure_defaults(project.organization)
    categories = {
        category.code.lower(): category for category in CostCategory.objects.for_organization(organization_id)
    }
    elements = {
        element.code: element
        for element in WbsElement.objects.for_organization(organization_id).filter(project=project)
    }
    through = locked_through(organization_id)
    for row in rows:
        _check_row(row, categories, elements, errors, project.organization.date_window, through)
    errors.raise_if_any()

    # Every row passed the checks, so every row has its category.
    checked = [(row, row.category, row.date) for row in rows if row.category is not None and row.date is not None]
    by_category: dict[int, Decimal] = defaultdict(lambda: ZERO)
    chosen: dict[int, CostCategory] = {}
    for row, category, _date in checked:
        by_category[category.pk] += row.amount
        chosen[category.pk] = category
    overruns = budget_overruns(project, dict(by_category), chosen, commitments=False)
    over = _apply_control(project, overruns, "file")
    costs = ActualCost.objects.bulk_create(
        [
            ActualCost(
                organization_id=organization_id,
                project=project,
                date=date,
                amount=row.amount,
                category=category,
                wbs_element=row.element,
                supplier=row.cells.get("supplier", ""),
                reference=row.cells.get("reference", ""),
                source=ActualCost.Source.IMPORT,
                over_budget=category.pk in over and row.amount > 0,
                created_by=actor,
            )
            for row, category, date in checked
        ],
        batch_size=1000,
    )
    audit_record(
        organization=project.organization,
        actor=actor,
        action="actual_cost.imported",
        target=project,
        changes={
            "rows": [0, len(costs)],
            "total": [None, sum((cost.amount for cost in costs), ZERO)],
            "over_budget_categories": [None, sorted(chosen[category_id].code for category_id in over)],
            "format": [None, file_format],
        },
    )
    project_evaluation_queue(project)
    return costs


# --- the manual forecast --------------------------------------------------------------


@transaction.atomic
def manual_forecast_set(
    *, actor: User, project: Project, estimate_to_complete: Decimal, justification: str
) -> ManualForecast:
    """Record the project manager's own estimate to complete, with why; the latest one counts."""
    project = lock_project(project)
    justification = _clean_text(justification)
    if not justification:
        raise ApplicationError(
            _("Say why the estimate is what it is."), fields={"justification": [_("This field is required.")]}
        )
    forecast = ManualForecast(
        organization_id=project.organization_id,
        project=project,
        estimate_to_complete=estimate_to_complete,
        justification=justification,
        created_by=actor,
    )
    validated(forecast, exclude=["project", "created_by"])
    forecast.save()
    audit_record(
        organization=project.organization,
        actor=actor,
        action="manual_forecast.set",
        target=forecast,
        changes={
            "project": [None, project.pk],
            "estimate_to_complete": [None, estimate_to_complete],
            "justification": [None, justification],
        },
    )
    return forecast
