"""The computed RAG of a project: one rule, from its SPI, CPI, open alerts and milestone slips, and
the safety one-vote veto (an open critical safety non-conformance makes it red whatever the rest).

:func:`computed_rag` applies the rule and :func:`rag_rule_text` words it for the page and the
API. A project manager may rate a project otherwise in a status report, with a justification
(``projects.services.status_reports``); the dashboard shows both.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

GREEN = "green"
AMBER = "amber"
RED = "red"
# No current baseline: nothing to measure the project against.
UNKNOWN = "unknown"
RAG_VALUES = (RED, AMBER, GREEN, UNKNOWN)

# The bands of SPI and CPI, as on the earned-value page and in the default alert rules.
INDEX_RED_BELOW = Decimal("0.90")
INDEX_AMBER_BELOW = Decimal("0.95")
# A milestone later than its baseline date by more than this many calendar days makes a project red.
MILESTONE_RED_AFTER_DAYS = 10
# The reason of the safety one-vote veto: an open critical safety non-conformance makes a project red.
SAFETY_VETO = "safety_veto"


@dataclass(frozen=True)
class RagReason:
    """Why a project is not green: ``code`` is safety_veto, spi, cpi, red_alerts, amber_alerts, milestone or
    no_baseline."""

    code: str
    rag: str
    value: str


@dataclass(frozen=True)
class ComputedRag:
    rag: str
    reasons: tuple[RagReason, ...] = ()

    def as_json(self, as_of: dt.date) -> dict[str, object]:
        """What a status report keeps of the computed RAG it was compared with."""
        return {
            "rag": self.rag,
            "as_of": as_of.isoformat(),
            "reasons": [{"code": reason.code, "rag": reason.rag, "value": reason.value} for reason in self.reasons],
        }


def index_band(value: Decimal | None) -> str | None:
    """``red``, ``amber`` or ``green`` for SPI or CPI; None when the index is undefined."""
    if value is None:
        return None
    if value < INDEX_RED_BELOW:
        return RED
    if value < INDEX_AMBER_BELOW:
        return AMBER
    return GREEN


def computed_rag(
    *,
    has_baseline: bool,
    spi: Decimal | None,
    cpi: Decimal | None,
    red_alerts: int,
    amber_alerts: int,
    milestone_late_days: int,
    safety_vetoes: int = 0,
) -> ComputedRag:
    """The overall RAG of a project from its indices, its open alerts and its latest milestone.

    Red: SPI or CPI below 0.90, an open red alert, or a milestone more than 10 days late. Amber:
    SPI or CPI below 0.95, an open amber alert, or any milestone late. Green otherwise. Unknown
    without a current baseline. An undefined index (nothing planned, or no cost yet) counts for
    nothing. ``milestone_late_days`` is the largest delay of an unfinished milestone against its
    baseline date (0 when none is late).

    Safety has a one-vote veto: ``safety_vetoes`` open critical non-conformances of a safety
    inspection make the project red (reason ``safety_veto``), with or without a baseline.
    """
    veto = (RagReason(SAFETY_VETO, RED, str(safety_vetoes)),) if safety_vetoes > 0 else ()
    if not has_baseline:
        if veto:
            return ComputedRag(RED, (*veto, RagReason("no_baseline", UNKNOWN, "")))
        return ComputedRag(UNKNOWN, (RagReason("no_baseline", UNKNOWN, ""),))
    reasons: list[RagReason] = list(veto)
    for code, value in (("spi", spi), ("cpi", cpi)):
        band = index_band(value)
        if band in (RED, AMBER):
            reasons.append(RagReason(code, band, str(value)))
    if red_alerts:
        reasons.append(RagReason("red_alerts", RED, str(red_alerts)))
    if amber_alerts:
        reasons.append(RagReason("amber_alerts", AMBER, str(amber_alerts)))
    if milestone_late_days > MILESTONE_RED_AFTER_DAYS:
        reasons.append(RagReason("milestone", RED, str(milestone_late_days)))
    elif milestone_late_days > 0:
        reasons.append(RagReason("milestone", AMBER, str(milestone_late_days)))
    if any(reason.rag == RED for reason in reasons):
        return ComputedRag(RED, tuple(reasons))
    if reasons:
        return ComputedRag(AMBER, tuple(reasons))
    return ComputedRag(GREEN)


def rag_rule_text() -> dict[str, str]:
    """The rule of :func:`computed_rag` in the active language: when each colour applies, and notes."""
    values = {
        "red": INDEX_RED_BELOW,
        "amber": INDEX_AMBER_BELOW,
        "days": MILESTONE_RED_AFTER_DAYS,
    }
    return {
        RED: _(
            "SPI or CPI below %(red)s, an open red alert on the project, "
            "or a milestone more than %(days)s days late against its baseline date."
        )
        % values,
        AMBER: _("SPI or CPI below %(amber)s, an open amber alert, or any milestone late.") % values,
        GREEN: _("None of these."),
        UNKNOWN: _("No current baseline, so nothing is measured."),
        "notes": _(
            "An undefined SPI (nothing planned yet) or CPI (no cost yet) counts for nothing. A milestone is late "
            "when it is unfinished after its baseline date, or forecast to finish after it."
        )
        + " "
        + _(
            "Safety veto: an open critical non-conformance of a safety inspection makes the project red "
            "whatever its other figures, until it is closed."
        ),
    }
