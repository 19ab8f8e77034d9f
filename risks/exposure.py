"""Exposure on the pages: the earned-value page's risk-adjusted EAC, and the register's exposure and its trend.

- ``risk_adjusted_eac`` fills the ``evm_forecast`` slot of finance's earned-value page: the exposure
  on the page's status date and each EAC plus it (one query). Finance never imports risks; it
  declares the slot and hands it ``evm`` and ``as_of``.
- ``exposure_box`` and ``trend_chart`` give ``risks/includes/exposure.html`` and
  ``risks/includes/exposure_trend.html`` their figures (template tags in ``risk_exposure``): the
  exposure beside the contingency reserve (one query) and the exposure over time (one more). Both
  read the project's exposure once per request: it is kept on the project instance.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from finance.charts import Level, LineChart, Marker, Series, render_line_chart
from pmo import navigation
from pmo.navigation import Panel, PanelContext
from projects.models import Project
from risks.permissions import RiskAction
from risks.selectors import Exposure, exposure_of, exposure_trend, project_exposure

RISK_EAC_QUERIES = 1
_CACHE = "_risk_exposure"


@dataclass(frozen=True)
class Figure:
    """An indicator as ``finance/includes/indicator.html`` draws it."""

    key: str
    label: Any
    formula: str
    value: Decimal | None
    is_index: bool = False
    band: str = "none"
    undefined: Any = None


def risk_adjusted_eac(panel: PanelContext) -> Mapping[str, Any] | None:
    """The exposure on the status date and the EAC figures with it added: one query."""
    evm = panel.values.get("evm")
    project = panel.project
    if evm is None or project is None:
        return None
    exposure = project_exposure(project, panel.values.get("as_of"))
    figures = evm.figures

    def plus(eac: Decimal | None) -> Decimal | None:
        return None if eac is None else eac + exposure

    return {
        "risk_exposure": exposure,
        "risk_figures": [
            Figure("risk_exposure", gettext_lazy("Risk exposure"), "Σ EMV", exposure),
            Figure(
                "risk_eac",
                gettext_lazy("Risk-adjusted EAC, typical"),
                "BAC / CPI + Σ EMV",
                plus(figures.eac),
                undefined=gettext_lazy("Undefined while CPI is undefined or zero."),
            ),
            Figure(
                "risk_eac_atypical",
                gettext_lazy("Risk-adjusted EAC, atypical"),
                "AC + (BAC - EV) + Σ EMV",
                plus(figures.eac_atypical),
            ),
        ],
        "risk_register_url": reverse("project-risks", args=[panel.organization.slug, project.pk]),
    }


def exposure_box(project: Project) -> Exposure:
    """The project's exposure beside its contingency: one query, once per project instance."""
    found: Exposure | None = getattr(project, _CACHE, None)
    if found is None:
        found = exposure_of(project)
        setattr(project, _CACHE, found)
    return found


@dataclass(frozen=True)
class Trend:
    exposure: Exposure
    chart: LineChart | None
    points: list[tuple[Any, Decimal]]


def trend_chart(project: Project) -> Trend:
    """The exposure over time against the contingency reserve, as an SVG line chart."""
    exposure = exposure_box(project)
    today = project.organization.today()
    points = exposure_trend(project, until=today)
    levels = []
    if exposure.contingency is not None:
        levels.append(Level("budget", _("Contingency reserve"), exposure.contingency))
    chart = None
    if points:
        chart = render_line_chart(
            [Series("ac", _("Risk exposure"), points)],
            title=_("Risk exposure over time against the contingency reserve"),
            currency=exposure.currency,
            levels=levels,
            marker=Marker("status", _("Today"), today),
        )
    return Trend(exposure, chart, points)


def register() -> None:
    navigation.panels.register(
        Panel(
            "evm_forecast",
            "risk_eac",
            "risks/panels/risk_eac.html",
            risk_adjusted_eac,
            queries=RISK_EAC_QUERIES,
            action=RiskAction.RISK_VIEW,
        )
    )
