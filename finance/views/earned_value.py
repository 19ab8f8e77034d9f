"""The earned-value panel of a project: an S-curve and the indices on a status date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from finance import charts
from finance.earned_value import NO_BASELINE
from finance.evm import EvmFigures
from finance.forms import StatusDateForm
from finance.models import EvmSnapshot
from finance.permissions import FinanceAction
from finance.selectors import project_s_curve
from pmo.errors import ApplicationError
from projects.views.common import ProjectTabsMixin

# Alert bands of the performance indices (SPI, CPI), as the PMO office usually sets them. One
# place, so that per-organisation thresholds can replace them later.
INDEX_RED_BELOW = Decimal("0.90")
INDEX_AMBER_BELOW = Decimal("0.95")


def index_band(value: Decimal | None) -> str:
    """``red``, ``amber`` or ``green`` for SPI or CPI; ``none`` when the index is undefined."""
    if value is None:
        return "none"
    if value < INDEX_RED_BELOW:
        return "red"
    if value < INDEX_AMBER_BELOW:
        return "amber"
    return "green"


def sign_band(value: Decimal | None) -> str:
    """A variance: below zero is worse than planned, zero or above is not."""
    if value is None:
        return "none"
    return "worse" if value < 0 else "better"


@dataclass(frozen=True)
class Indicator:
    key: str
    label: Promise
    formula: str
    value: Decimal | None
    is_index: bool
    band: str
    undefined: Promise | None = None


def indicators(figures: EvmFigures) -> dict[str, list[Indicator]]:
    """The figures of the panel in three groups: indices, variances and forecasts."""
    no_pv = _("Undefined: nothing is planned by the status date (PV = 0).")
    no_ac = _("Undefined: no actual cost yet (AC = 0).")
    no_cpi = _("Undefined while CPI is undefined or zero.")
    no_room = _("Undefined: the budget is already spent (BAC = AC).")
    return {
        "indices": [
            Indicator(
                "spi",
                _("Schedule performance index (SPI)"),
                "EV / PV",
                figures.spi,
                True,
                index_band(figures.spi),
                no_pv,
            ),
            Indicator(
                "cpi", _("Cost performance index (CPI)"), "EV / AC", figures.cpi, True, index_band(figures.cpi), no_ac
            ),
            Indicator(
                "tcpi",
                _("To-complete performance index (TCPI)"),
                "(BAC - EV) / (BAC - AC)",
                figures.tcpi,
                True,
                "none",
                no_room,
            ),
        ],
        "variances": [
            Indicator("sv", _("Schedule variance (SV)"), "EV - PV", figures.sv, False, sign_band(figures.sv)),
            Indicator("cv", _("Cost variance (CV)"), "EV - AC", figures.cv, False, sign_band(figures.cv)),
            Indicator(
                "vac",
                _("Variance at completion (VAC)"),
                "BAC - EAC",
                figures.vac,
                False,
                sign_band(figures.vac),
                no_cpi,
            ),
        ],
        "forecasts": [
            Indicator(
                "eac", _("Estimate at completion, typical (EAC)"), "BAC / CPI", figures.eac, False, "none", no_cpi
            ),
            Indicator("eac_atypical", _("EAC, atypical"), "AC + (BAC - EV)", figures.eac_atypical, False, "none"),
            Indicator(
                "eac_combined",
                _("EAC, combined"),
                "AC + (BAC - EV) / (CPI x SPI)",
                figures.eac_combined,
                False,
                "none",
                _("Undefined while SPI or CPI is undefined or zero."),
            ),
            Indicator("etc", _("Estimate to complete (ETC)"), "EAC - AC", figures.etc, False, "none", no_cpi),
        ],
    }


class EarnedValueView(ProjectTabsMixin, TemplateView):
    template_name = "finance/earned_value.html"
    read_action = FinanceAction.FINANCE_VIEW
    tab = "earned_value"

    def status_form(self, today: dt.date) -> tuple[StatusDateForm, dt.date, str | None]:
        form = StatusDateForm(self.request.GET or None, initial={"as_of": today})
        as_of, interval = today, None
        if form.is_bound and form.is_valid():
            as_of = form.cleaned_data["as_of"] or today
            interval = form.cleaned_data["interval"] or None
        return form, as_of, interval

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = self.organization.today()
        form, as_of, interval = self.status_form(today)
        context.update(form=form, as_of=as_of, today=today, baseline_missing=False, evm=None, chart=None)
        try:
            curve = project_s_curve(self.project, as_of, interval)
        except ApplicationError as error:
            if error.code == NO_BASELINE:
                context["baseline_missing"] = True
                return context
            for field, problems in error.fields.items():
                for problem in problems:
                    form.add_error("as_of" if field not in form.fields else field, problem)
            if not error.fields:
                form.add_error(None, error.message)
            return context
        context.update(
            evm=curve.evm,
            interval=curve.interval,
            groups=indicators(curve.evm.figures),
            points=curve.points,
            chart=curve.chart,
            thresholds={"red": INDEX_RED_BELOW, "amber": INDEX_AMBER_BELOW},
            trend=charts.index_trend(
                EvmSnapshot.objects.for_organization(self.organization)
                .filter(project=self.project, date__lte=as_of)
                .order_by("date")
                .values_list("date", "spi", "cpi")
            ),
        )
        return context
