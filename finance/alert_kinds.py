"""The alert kinds of money and earned value: SPI, CPI, VAC, cost against budget, budgets waiting.

Registered in ``FinanceConfig.ready()``, with the variance run as the check to run now. The
earned-value kinds read the figures the variance run computed for the batch's snapshots.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_EVEN, Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from finance.earned_value import ProjectEvm
from finance.models import BudgetVersion
from pmo.alerts.kinds import (
    ABOVE,
    AMOUNT,
    BELOW,
    DAYS,
    PERCENT,
    POINTS,
    RATIO,
    AlertKindSpec,
    EvaluationBatch,
    alert_kinds,
    project_page,
)
from pmo.alerts.services import Finding
from pmo.models import Organization, OrgRole, Severity, User
from pmo.queueing import queue_on_commit
from projects.alert_kinds import ProjectSubjectType
from projects.models import Project

#: The keys of what the variance run leaves in ``EvaluationBatch.computed``.
EARNED_VALUE = "finance.earned_value"
APPROVED_BUDGETS = "finance.approved_budgets"

_TENTH = Decimal("0.1")
_HUNDRED = Decimal(100)


class FinanceSubjectType(models.TextChoices):
    BUDGET_VERSION = "budget_version", _("Budget version")


class FinanceAlertKind(models.TextChoices):
    SPI_LOW = "spi_low", _("Schedule performance (SPI) low")
    CPI_LOW = "cpi_low", _("Cost performance (CPI) low")
    VAC_NEGATIVE = "vac_negative", _("Forecast over budget (VAC below threshold)")
    COST_OVER_BUDGET = "cost_over_budget", _("Actual cost over the approved budget")
    SPEND_AHEAD_OF_PROGRESS = "spend_ahead_of_progress", _("Budget consumed ahead of progress")
    BUDGET_WAITING = "budget_waiting", _("Budget version waiting for a decision")


PMO = (OrgRole.ADMIN.value, OrgRole.PMO.value)
PMO_AND_FINANCE = (*PMO, OrgRole.FINANCE.value)
MANAGER = ("manager",)
EARNED_VALUE_PAGE = project_page("project-earned-value")
FIGURES = (
    ("pv", _("Planned value (PV)")),
    ("ev", _("Earned value (EV)")),
    ("ac", _("Actual cost (AC)")),
    ("bac", _("Budget at completion (BAC)")),
    ("eac", _("Estimate at completion (EAC)")),
    ("budget", _("Approved budget")),
    ("spent", _("Budget spent (%)")),
    ("done", _("Work done (%)")),
    ("submitted_at", _("Submitted")),
    ("currency", _("Currency")),
    ("as_of", _("As of")),
)

KINDS = (
    AlertKindSpec(
        code=FinanceAlertKind.SPI_LOW.value,
        label=FinanceAlertKind.SPI_LOW.label,
        direction=BELOW,
        unit=RATIO,
        threshold=Decimal("0.95"),
        red_threshold=Decimal("0.90"),
        severity=Severity.AMBER,
        org_roles=PMO,
        project_roles=MANAGER,
        explanation=_("Schedule performance index (EV / PV) below the threshold."),
        message=_("%(subject)s: SPI %(value)s is below %(threshold)s."),
        subject_types=(ProjectSubjectType.PROJECT,),
        position=10,
        figures=FIGURES,
        link=EARNED_VALUE_PAGE,
    ),
    AlertKindSpec(
        code=FinanceAlertKind.CPI_LOW.value,
        label=FinanceAlertKind.CPI_LOW.label,
        direction=BELOW,
        unit=RATIO,
        threshold=Decimal("0.95"),
        red_threshold=Decimal("0.90"),
        severity=Severity.AMBER,
        org_roles=PMO_AND_FINANCE,
        project_roles=MANAGER,
        explanation=_("Cost performance index (EV / AC) below the threshold."),
        message=_("%(subject)s: CPI %(value)s is below %(threshold)s."),
        subject_types=(ProjectSubjectType.PROJECT,),
        position=20,
        figures=FIGURES,
        link=EARNED_VALUE_PAGE,
    ),
    AlertKindSpec(
        code=FinanceAlertKind.VAC_NEGATIVE.value,
        label=FinanceAlertKind.VAC_NEGATIVE.label,
        direction=BELOW,
        unit=AMOUNT,
        threshold=Decimal("0"),
        red_threshold=None,
        severity=Severity.AMBER,
        org_roles=PMO_AND_FINANCE,
        project_roles=MANAGER,
        explanation=_("Variance at completion (BAC - EAC) below the threshold: the project is forecast over budget."),
        message=_("%(subject)s: variance at completion is %(value)s (EAC %(eac)s against BAC %(bac)s)."),
        subject_types=(ProjectSubjectType.PROJECT,),
        position=30,
        figures=FIGURES,
        link=EARNED_VALUE_PAGE,
    ),
    AlertKindSpec(
        code=FinanceAlertKind.COST_OVER_BUDGET.value,
        label=FinanceAlertKind.COST_OVER_BUDGET.label,
        direction=ABOVE,
        unit=PERCENT,
        threshold=Decimal("100"),
        red_threshold=None,
        severity=Severity.RED,
        org_roles=PMO_AND_FINANCE,
        project_roles=MANAGER,
        explanation=_(
            "Actual cost as a percentage of the approved budget (its lines, reserves apart) above the threshold."
        ),
        message=_("%(subject)s: actual cost %(ac)s is %(value)s%% of the approved budget %(budget)s."),
        subject_types=(ProjectSubjectType.PROJECT,),
        position=40,
        figures=FIGURES,
        link=project_page("project-finance"),
    ),
    AlertKindSpec(
        code=FinanceAlertKind.SPEND_AHEAD_OF_PROGRESS.value,
        label=FinanceAlertKind.SPEND_AHEAD_OF_PROGRESS.label,
        direction=ABOVE,
        unit=POINTS,
        threshold=Decimal("20"),
        red_threshold=None,
        severity=Severity.AMBER,
        org_roles=PMO_AND_FINANCE,
        project_roles=MANAGER,
        explanation=_(
            "Share of the approved budget spent minus share of the work done (EV / BAC), in percentage points, "
            "above the threshold."
        ),
        message=_("%(subject)s: %(spent)s%% of the budget is spent for %(done)s%% of the work done."),
        subject_types=(ProjectSubjectType.PROJECT,),
        position=50,
        figures=FIGURES,
        link=EARNED_VALUE_PAGE,
    ),
    AlertKindSpec(
        code=FinanceAlertKind.BUDGET_WAITING.value,
        label=FinanceAlertKind.BUDGET_WAITING.label,
        direction=ABOVE,
        unit=DAYS,
        threshold=Decimal("5"),
        red_threshold=None,
        severity=Severity.AMBER,
        org_roles=(OrgRole.FINANCE.value,),
        project_roles=MANAGER,
        explanation=_("Days a submitted budget version has waited for a decision, above the threshold."),
        message=_("%(subject)s has waited %(value)s days for a decision."),
        subject_types=(FinanceSubjectType.BUDGET_VERSION,),
        position=90,
        figures=FIGURES,
        link=project_page("project-budget-version", subject="budgetversion_id"),
    ),
)


def _percent(part: Decimal, whole: Decimal) -> Decimal:
    return (part * _HUNDRED / whole).quantize(_TENTH, rounding=ROUND_HALF_EVEN)


def _text(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def _index_findings(project: Project, result: ProjectEvm, budget: Decimal | None) -> dict[str, Finding]:
    """The project-level measures: SPI, CPI, VAC, cost against budget, spend against progress."""
    figures = result.figures
    project_id = project.pk
    label = f"{project.code} {project.name}"
    common = {"as_of": result.as_of.isoformat(), "currency": result.currency}

    def finding(measure: Decimal, values: dict[str, str]) -> Finding:
        return Finding(ProjectSubjectType.PROJECT, project_id, label, project_id, measure, {**common, **values})

    found: dict[str, Finding] = {}
    if figures.spi is not None:
        found[FinanceAlertKind.SPI_LOW] = finding(
            figures.spi, {"value": str(figures.spi), "pv": str(figures.pv), "ev": str(figures.ev)}
        )
    if figures.cpi is not None:
        found[FinanceAlertKind.CPI_LOW] = finding(
            figures.cpi, {"value": str(figures.cpi), "ev": str(figures.ev), "ac": str(figures.ac)}
        )
    if figures.vac is not None:
        found[FinanceAlertKind.VAC_NEGATIVE] = finding(
            figures.vac, {"value": str(figures.vac), "eac": _text(figures.eac), "bac": str(figures.bac)}
        )
    if budget:
        spent = _percent(figures.ac, budget)
        found[FinanceAlertKind.COST_OVER_BUDGET] = finding(
            spent, {"value": str(spent), "ac": str(figures.ac), "budget": str(budget)}
        )
        if figures.bac:
            done = _percent(figures.ev, figures.bac)
            found[FinanceAlertKind.SPEND_AHEAD_OF_PROGRESS] = finding(
                spent - done, {"value": str(spent - done), "spent": str(spent), "done": str(done)}
            )
    return found


def _budget_findings(batch: EvaluationBatch) -> list[Finding]:
    """Budget versions submitted and not yet decided: one query."""
    now = timezone.now()
    projects = batch.projects
    versions = BudgetVersion.objects.for_organization(batch.organization).filter(
        project_id__in=list(projects), status=BudgetVersion.Status.SUBMITTED, submitted_at__isnull=False
    )
    return [
        Finding.waiting(
            FinanceSubjectType.BUDGET_VERSION, pk, f"{projects[project_id].code} · v{number}", project_id, at, now
        )
        for pk, project_id, number, at in versions.values_list("pk", "project_id", "number", "submitted_at")
    ]


def evaluate(batch: EvaluationBatch) -> Mapping[str, Iterable[Finding]]:
    """The earned-value kinds from the figures the run computed, and the budgets waiting."""
    found: dict[str, list[Finding]] = {kind: [] for kind in FinanceAlertKind.values}
    evaluated: dict[int, ProjectEvm] = batch.computed.get(EARNED_VALUE, {})
    budgets: dict[int, Decimal] = batch.computed.get(APPROVED_BUDGETS, {})
    for pk, result in evaluated.items():
        for kind, finding in _index_findings(batch.projects[pk], result, budgets.get(pk)).items():
            found[kind].append(finding)
    found[FinanceAlertKind.BUDGET_WAITING] = _budget_findings(batch)
    return found


def run_now(organization_id: int, as_of: str | None, started_by: User | None) -> None:
    from finance.runs import variance_start

    variance_start(organization=Organization.objects.get(pk=organization_id), as_of=as_of, started_by=started_by)


def run_projects(organization_id: int, project_ids: list[int]) -> None:
    from finance.tasks import run_variance_batch

    queue_on_commit(run_variance_batch, organization_id=organization_id, project_ids=project_ids, as_of=None)


def register() -> None:
    for subject_type in FinanceSubjectType:
        alert_kinds.register_subject_type(subject_type.value, subject_type.label)
    for spec in KINDS:
        alert_kinds.register(spec)
    alert_kinds.evaluator(evaluate, kinds=FinanceAlertKind.values)
    alert_kinds.runner(run_now, projects=run_projects)
