"""What each kind of alert rule measures, its default thresholds and recipients, and its message.

Every rule compares one measure with its thresholds. ``BELOW`` rules fire when the measure is
under the threshold (SPI 0.93 < 0.95), ``ABOVE`` rules when it is over it (a milestone 3 days
late > 0). ``red_threshold``, when set, is the stricter bound that makes the alert red.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy

from pmo.models import AlertKind, OrgRole, Severity

BELOW = "below"
ABOVE = "above"

RATIO = "ratio"
AMOUNT = "amount"
PERCENT = "percent"
POINTS = "points"
DAYS = "days"
WORKING_DAYS = "working_days"


@dataclass(frozen=True)
class KindSpec:
    direction: str
    unit: str
    threshold: Decimal
    red_threshold: Decimal | None
    severity: str
    org_roles: tuple[str, ...]
    project_roles: tuple[str, ...]
    explanation: Any  # a lazy string: what the measure is and when the rule fires


PMO = (OrgRole.ADMIN.value, OrgRole.PMO.value)
PMO_AND_FINANCE = (*PMO, OrgRole.FINANCE.value)
MANAGER = ("manager",)

SPECS: dict[str, KindSpec] = {
    AlertKind.SPI_LOW: KindSpec(
        BELOW,
        RATIO,
        Decimal("0.95"),
        Decimal("0.90"),
        Severity.AMBER,
        PMO,
        MANAGER,
        gettext_lazy("Schedule performance index (EV / PV) below the threshold."),
    ),
    AlertKind.CPI_LOW: KindSpec(
        BELOW,
        RATIO,
        Decimal("0.95"),
        Decimal("0.90"),
        Severity.AMBER,
        PMO_AND_FINANCE,
        MANAGER,
        gettext_lazy("Cost performance index (EV / AC) below the threshold."),
    ),
    AlertKind.VAC_NEGATIVE: KindSpec(
        BELOW,
        AMOUNT,
        Decimal("0"),
        None,
        Severity.AMBER,
        PMO_AND_FINANCE,
        MANAGER,
        gettext_lazy("Variance at completion (BAC - EAC) below the threshold: the project is forecast over budget."),
    ),
    AlertKind.COST_OVER_BUDGET: KindSpec(
        ABOVE,
        PERCENT,
        Decimal("100"),
        None,
        Severity.RED,
        PMO_AND_FINANCE,
        MANAGER,
        gettext_lazy(
            "Actual cost as a percentage of the approved budget (its lines, reserves apart) above the threshold."
        ),
    ),
    AlertKind.SPEND_AHEAD_OF_PROGRESS: KindSpec(
        ABOVE,
        POINTS,
        Decimal("20"),
        None,
        Severity.AMBER,
        PMO_AND_FINANCE,
        MANAGER,
        gettext_lazy(
            "Share of the approved budget spent minus share of the work done (EV / BAC), in percentage points, "
            "above the threshold."
        ),
    ),
    AlertKind.MILESTONE_OVERDUE: KindSpec(
        ABOVE,
        DAYS,
        Decimal("0"),
        None,
        Severity.RED,
        PMO,
        MANAGER,
        gettext_lazy("Days since a milestone's baseline date while it is not done, above the threshold."),
    ),
    AlertKind.TASK_SLIPPED: KindSpec(
        ABOVE,
        WORKING_DAYS,
        Decimal("5"),
        Decimal("10"),
        Severity.AMBER,
        (),
        ("manager", "coordinator"),
        gettext_lazy("Working days between a task's baseline finish and its forecast finish, above the threshold."),
    ),
    AlertKind.CHANGE_REQUEST_WAITING: KindSpec(
        ABOVE,
        DAYS,
        Decimal("5"),
        None,
        Severity.AMBER,
        PMO,
        MANAGER,
        gettext_lazy("Days a submitted change request has waited for a decision, above the threshold."),
    ),
    AlertKind.BUDGET_WAITING: KindSpec(
        ABOVE,
        DAYS,
        Decimal("5"),
        None,
        Severity.AMBER,
        (OrgRole.FINANCE.value,),
        MANAGER,
        gettext_lazy("Days a submitted budget version has waited for a decision, above the threshold."),
    ),
}


def severity_of(
    kind: str, measure: Decimal, threshold: Decimal, red_threshold: Decimal | None, severity: str
) -> str | None:
    """The severity the measure deserves under these thresholds, or None when the rule does not fire."""
    if SPECS[kind].direction == BELOW:
        if not measure < threshold:
            return None
        return Severity.RED if red_threshold is not None and measure < red_threshold else severity
    if not measure > threshold:
        return None
    return Severity.RED if red_threshold is not None and measure > red_threshold else severity


# Lazy: translated when a message is rendered, in the language active then.
_TEMPLATES: dict[str, Any] = {
    AlertKind.SPI_LOW: gettext_lazy("%(subject)s: SPI %(value)s is below %(threshold)s."),
    AlertKind.CPI_LOW: gettext_lazy("%(subject)s: CPI %(value)s is below %(threshold)s."),
    AlertKind.VAC_NEGATIVE: gettext_lazy(
        "%(subject)s: variance at completion is %(value)s (EAC %(eac)s against BAC %(bac)s)."
    ),
    AlertKind.COST_OVER_BUDGET: gettext_lazy(
        "%(subject)s: actual cost %(ac)s is %(value)s%% of the approved budget %(budget)s."
    ),
    AlertKind.SPEND_AHEAD_OF_PROGRESS: gettext_lazy(
        "%(subject)s: %(spent)s%% of the budget is spent for %(done)s%% of the work done."
    ),
    AlertKind.MILESTONE_OVERDUE: gettext_lazy(
        "%(subject)s: the milestone was due on %(due)s (%(value)s days ago) and is not done."
    ),
    AlertKind.TASK_SLIPPED: gettext_lazy(
        "%(subject)s: forecast to finish on %(forecast)s, %(value)s working days after its baseline finish %(due)s."
    ),
    AlertKind.CHANGE_REQUEST_WAITING: gettext_lazy("%(subject)s has waited %(value)s days for a decision."),
    AlertKind.BUDGET_WAITING: gettext_lazy("%(subject)s has waited %(value)s days for a decision."),
}


def alert_message(kind: str, subject: str, figures: dict[str, Any]) -> str:
    """The alert's sentence in the active language, from the figures that triggered it."""
    values = {"subject": subject, **{key: str(value) for key, value in figures.items()}}
    template = _TEMPLATES.get(kind)
    if template is None:
        return subject
    try:
        return str(template) % values
    except (KeyError, TypeError, ValueError):
        # Figures written by an older version of a rule: still say what and where.
        return f"{subject}: {dict(figures)}"
