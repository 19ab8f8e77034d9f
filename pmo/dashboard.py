"""The portfolio dashboard: every figure of ``/o/{org_slug}/`` and of its API, read in a fixed number of queries.

The dashboard covers the open projects of the organisation, narrowed by portfolio (its
programmes included), project manager and phase. Earned value comes from
``finance.earned_value.projects_evm`` on the status date; totals are in the organisation's
currency, each project's unrounded sums converted at the rate valid on the status date (as
``portfolio_evm`` does), and a project whose currency has no rate is left out of the totals and
named. Alerts, decisions waiting and status reports are as they stand now.

The computed RAG of a project follows one rule (:func:`computed_rag`, worded by
:func:`rag_rule_text`); a project manager may rate the project otherwise in a status report,
with a justification, and the dashboard shows both.

Only the dashboard's views read this module; the status report service asks it for the
computed RAG a report is compared with on submission.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext

from django.db.models import Count, F, OuterRef, Subquery, Sum, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext as _

from finance import evm
from finance.earned_value import ProjectEvm, projects_evm
from finance.models import ActualCost, BudgetLine, BudgetVersion, ExchangeRate
from pmo.models import Alert, AlertStatus, Organization, Severity, User
from projects.models import BaselineTask, ChangeRequest, Phase, Portfolio, Project, StatusReport, WbsElement
from projects.querysets import ProjectQuerySet

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
# Milestones due within this many days of the status date (and every overdue one) are listed.
MILESTONE_WINDOW_DAYS = 30
RECENT_REPORTS = 8

ACTIVE_ALERT_STATUSES = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)
DECIDED_REPORT_STATUSES = (StatusReport.Status.SUBMITTED, StatusReport.Status.REVIEWED)

_ZERO = Decimal(0)
_CENT = Decimal("0.01")
_CONTEXT = Context(prec=34, rounding=ROUND_HALF_EVEN)


# --- the rule ------------------------------------------------------------------------


@dataclass(frozen=True)
class RagReason:
    """Why a project is not green: ``code`` is spi, cpi, red_alerts, amber_alerts, milestone or no_baseline."""

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
) -> ComputedRag:
    """The overall RAG of a project from its indices, its open alerts and its latest milestone.

    Red: SPI or CPI below 0.90, an open red alert, or a milestone more than 10 days late. Amber:
    SPI or CPI below 0.95, an open amber alert, or any milestone late. Green otherwise. Unknown
    without a current baseline. An undefined index (nothing planned, or no cost yet) counts for
    nothing. ``milestone_late_days`` is the largest delay of an unfinished milestone against its
    baseline date (0 when none is late).
    """
    if not has_baseline:
        return ComputedRag(UNKNOWN, (RagReason("no_baseline", UNKNOWN, ""),))
    reasons: list[RagReason] = []
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
        ),
    }


# --- what the dashboard shows ----------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    as_of: dt.date
    portfolio_id: int | None = None
    manager_id: int | None = None
    phase: str | None = None

    @property
    def narrowed(self) -> bool:
        """True when some projects are left out: totals then no longer match the organisation-wide lists."""
        return any([self.portfolio_id, self.manager_id, self.phase])


@dataclass(frozen=True)
class FilterChoices:
    """The portfolios (programmes under their portfolio) and the managers of projects, to choose from."""

    portfolios: list[tuple[int, str, bool]]  # id, name, is a programme
    managers: list[tuple[int, str]]


@dataclass(frozen=True)
class ReportedRag:
    """A project's latest submitted (or reviewed) status report: the manager's overall rating."""

    report_id: int
    period_end: dt.date
    status: str
    rag: str
    justification: str


@dataclass(frozen=True)
class ProjectHealth:
    project_id: int
    code: str
    name: str
    phase: str
    portfolio_id: int | None
    manager_id: int | None
    manager_name: str
    currency: str
    evm: ProjectEvm | None
    spi_band: str | None
    cpi_band: str | None
    computed: ComputedRag
    reported: ReportedRag | None
    red_alerts: int
    amber_alerts: int
    milestone_late_days: int
    approved_budget: Decimal | None
    actual_cost: Decimal
    forecast: Decimal | None
    # Units of the organisation's currency per unit of the project's; None when no rate is known.
    rate: Decimal | None

    @property
    def phase_label(self) -> str:
        return str(Phase(self.phase).label)

    @property
    def overridden(self) -> bool:
        """The manager's latest overall rating differs from the computed one."""
        return self.reported is not None and self.computed.rag != UNKNOWN and self.reported.rag != self.computed.rag


@dataclass(frozen=True)
class PhaseCount:
    phase: str
    count: int


@dataclass(frozen=True)
class MilestoneDue:
    project_id: int
    project_code: str
    element_id: int
    code: str
    name: str
    baseline_date: dt.date | None
    forecast_date: dt.date | None
    due: dt.date
    # Days from the status date to the due date; below zero when overdue.
    days: int

    @property
    def overdue(self) -> bool:
        return self.days < 0

    @property
    def days_late(self) -> int:
        return max(-self.days, 0)


@dataclass(frozen=True)
class WaitingChange:
    change_request_id: int
    project_id: int
    project_code: str
    number: int
    title: str
    impact_cost: Decimal
    impact_days: int
    submitted_at: dt.datetime | None


@dataclass(frozen=True)
class WaitingBudget:
    budget_version_id: int
    project_id: int
    project_code: str
    number: int
    currency: str
    total: Decimal
    submitted_at: dt.datetime | None


@dataclass(frozen=True)
class RecentReport:
    report_id: int
    project_id: int
    project_code: str
    project_name: str
    period_end: dt.date
    status: str
    rag: str
    justification: str
    author_name: str
    submitted_at: dt.datetime | None
    # The computed RAG the report was compared with when it was submitted, if it was.
    computed_at_submission: str | None


@dataclass(frozen=True)
class BudgetTotals:
    """Approved budget, actual cost to the status date and forecast at completion, in the organisation's currency.

    The forecast of a project is its typical EAC (BAC / CPI), or AC + (BAC - EV) while CPI is
    undefined; a project without a baseline has none.
    """

    approved: Decimal
    actual: Decimal
    forecast: Decimal


@dataclass(frozen=True)
class Dashboard:
    as_of: dt.date
    currency: str
    filters: Filters
    projects: list[ProjectHealth]
    phase_counts: list[PhaseCount]
    rag_counts: dict[str, int]
    reported_rag_counts: dict[str, int]
    evm_figures: evm.EvmFigures
    evm_totals: evm.Totals
    budget: BudgetTotals
    milestones: list[MilestoneDue]
    alert_counts: dict[str, int]
    change_requests: list[WaitingChange]
    budget_versions: list[WaitingBudget]
    recent_reports: list[RecentReport]
    # Currencies without a rate on the status date, with their projects' ids (left out of the totals).
    missing_rates: dict[str, list[int]] = field(default_factory=dict)

    @property
    def spi_band(self) -> str | None:
        return index_band(self.evm_figures.spi)

    @property
    def cpi_band(self) -> str | None:
        return index_band(self.evm_figures.cpi)

    @property
    def overdue_milestones(self) -> int:
        return sum(1 for milestone in self.milestones if milestone.overdue)

    @property
    def milestones_due_soon(self) -> int:
        return sum(1 for milestone in self.milestones if not milestone.overdue)


# --- reading ---------------------------------------------------------------------------


def filter_choices(organization: Organization) -> FilterChoices:
    """Two queries: the portfolios, each followed by its programmes, and the people who manage a project."""
    rows = list(
        Portfolio.objects.for_organization(organization).order_by("name", "pk").values_list("pk", "name", "parent_id")
    )
    programmes: dict[int, list[tuple[int, str, bool]]] = defaultdict(list)
    for pk, name, parent_id in rows:
        if parent_id is not None:
            programmes[parent_id].append((pk, name, True))
    portfolios: list[tuple[int, str, bool]] = []
    for pk, name, parent_id in rows:
        if parent_id is None:
            portfolios.append((pk, name, False))
            portfolios.extend(programmes[pk])
    managers = User.objects.filter(
        pk__in=Project.objects.for_organization(organization).filter(manager__isnull=False).values("manager_id")
    ).order_by("display_name", "username")
    return FilterChoices(portfolios=portfolios, managers=[(user.pk, str(user)) for user in managers])


def _scoped(organization: Organization, filters: Filters) -> ProjectQuerySet:
    projects = Project.objects.for_organization(organization)
    if filters.portfolio_id is not None:
        projects = projects.in_portfolio(filters.portfolio_id)
    if filters.manager_id is not None:
        projects = projects.filter(manager_id=filters.manager_id)
    if filters.phase:
        projects = projects.filter(phase=filters.phase)
    return projects


def _rates(organization: Organization, currencies: set[str], as_of: dt.date) -> dict[str, Decimal]:
    """Each currency's rate on ``as_of`` (the latest from on or before it): one query, none for the home currency."""
    rates = {organization.default_currency: Decimal(1)}
    foreign = currencies - {organization.default_currency}
    if foreign:
        known = (
            ExchangeRate.objects.for_organization(organization)
            .filter(currency__in=foreign, valid_from__lte=as_of)
            .order_by("currency", "valid_from")
            .values_list("currency", "rate")
        )
        rates.update(known)
    return rates


def _active_alerts(organization: Organization, project_ids: list[int] | None) -> dict[int | None, dict[str, int]]:
    """Open and acknowledged alerts by project and severity: one query (every project when ``project_ids`` is None)."""
    alerts = Alert.objects.for_organization(organization).filter(status__in=ACTIVE_ALERT_STATUSES)
    if project_ids is not None:
        alerts = alerts.filter(project_id__in=project_ids)
    counts: dict[int | None, dict[str, int]] = defaultdict(lambda: dict.fromkeys(Severity.values, 0))
    for project_id, severity, count in (
        alerts.values("project_id", "severity")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("project_id", "severity", "n")
    ):
        counts[project_id][severity] += count
    return counts


@dataclass(frozen=True)
class _OpenMilestone:
    project_id: int
    element_id: int
    code: str
    name: str
    baseline_date: dt.date | None
    forecast_date: dt.date | None

    def late_days(self, as_of: dt.date) -> int:
        """Calendar days late against the baseline date: past it unfinished, or forecast after it."""
        if self.baseline_date is None:
            return 0
        late = max((as_of - self.baseline_date).days, 0)
        if self.forecast_date is not None:
            late = max(late, (self.forecast_date - self.baseline_date).days)
        return late


def _open_milestones(organization: Organization, project_ids: list[int]) -> list[_OpenMilestone]:
    """Unfinished milestones with their current baseline's date: one query."""
    baseline_date = (
        BaselineTask.objects.for_organization(organization)
        .filter(task_id=OuterRef("pk"), baseline__is_current=True)
        .values("finish")[:1]
    )
    rows = (
        WbsElement.objects.for_organization(organization)
        .milestones()
        .filter(project_id__in=project_ids, actual_finish__isnull=True, percent_complete__lt=100)
        .annotate(baseline_date=Subquery(baseline_date))
        .order_by("project_id", "sort_key", "pk")
        .values_list("project_id", "pk", "code", "name", "baseline_date", "planned_finish", "planned_start")
    )
    return [
        _OpenMilestone(project_id, pk, code, name, baseline, finish or start)
        for project_id, pk, code, name, baseline, finish, start in rows
    ]


def _late_days_by_project(milestones: Iterable[_OpenMilestone], as_of: dt.date) -> dict[int, int]:
    late: dict[int, int] = defaultdict(int)
    for milestone in milestones:
        late[milestone.project_id] = max(late[milestone.project_id], milestone.late_days(as_of))
    return late


def _project_rag(result: ProjectEvm | None, alerts: dict[str, int], late_days: int) -> ComputedRag:
    return computed_rag(
        has_baseline=result is not None,
        spi=result.figures.spi if result is not None else None,
        cpi=result.figures.cpi if result is not None else None,
        red_alerts=alerts.get(Severity.RED, 0),
        amber_alerts=alerts.get(Severity.AMBER, 0),
        milestone_late_days=late_days,
    )


def project_computed_rag(organization: Organization, project: Project, as_of: dt.date) -> ComputedRag:
    """The computed RAG of one project on ``as_of``, as the dashboard shows it (nine queries at most)."""
    result = projects_evm(organization, [project], as_of).get(project.pk)
    alerts = _active_alerts(organization, [project.pk])
    late = _late_days_by_project(_open_milestones(organization, [project.pk]), as_of)
    return _project_rag(result, alerts[project.pk], late[project.pk])


def _money(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_EVEN)


def _sums_by_project(rows: Iterable[tuple[int, Decimal | None]]) -> dict[int, Decimal]:
    # SQLite drops the trailing zeros of sums: money has two places.
    return {project_id: _money(total) for project_id, total in rows if total is not None}


def portfolio_dashboard(organization: Organization, filters: Filters) -> Dashboard:
    """Every figure of the dashboard on ``filters.as_of``.

    A fixed number of queries whatever the number of projects: the projects and their count by
    phase, their earned value (``projects_evm``, six), the exchange rates (only with projects in
    another currency), the approved budgets, the actual costs, the open milestones, the active
    alerts, the change requests and budget versions waiting, the latest report of each project
    and the recent reports.
    """
    as_of = filters.as_of
    scoped = _scoped(organization, filters)
    by_phase = dict(scoped.values("phase").annotate(n=Count("id")).order_by().values_list("phase", "n"))
    phase_counts = [PhaseCount(phase, by_phase.get(phase, 0)) for phase in Phase.values]
    projects = list(scoped.open().select_related("manager").order_by("code", "id"))
    ids = [project.pk for project in projects]

    evaluated = projects_evm(organization, projects, as_of)
    rates = _rates(organization, {project.currency for project in projects}, as_of)
    approved = _sums_by_project(
        BudgetLine.objects.for_organization(organization)
        .filter(version__project_id__in=ids, version__is_current=True)
        .values("version__project_id")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("version__project_id", "total")
    )
    actual = _sums_by_project(
        ActualCost.objects.for_organization(organization)
        .filter(project_id__in=ids, date__lte=as_of)
        .values("project_id")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("project_id", "total")
    )
    open_milestones = _open_milestones(organization, ids)
    late = _late_days_by_project(open_milestones, as_of)
    alerts = _active_alerts(organization, ids if filters.narrowed else None)
    reported = _latest_reports(organization, ids)

    rows: list[ProjectHealth] = []
    total = evm.Totals.zero()
    budget = {"approved": _ZERO, "actual": _ZERO, "forecast": _ZERO}
    missing: dict[str, list[int]] = defaultdict(list)
    for project in projects:
        result = evaluated.get(project.pk)
        rate = rates.get(project.currency)
        forecast = None
        if result is not None:
            forecast = result.figures.eac if result.figures.eac is not None else result.figures.eac_atypical
        spent = actual.get(project.pk, _ZERO)
        if rate is None:
            missing[project.currency].append(project.pk)
        else:
            with localcontext(_CONTEXT):
                if result is not None:
                    sums = result.totals
                    total = total + evm.Totals(sums.bac * rate, sums.pv * rate, sums.ev * rate, sums.ac * rate)
                budget["approved"] += approved.get(project.pk, _ZERO) * rate
                budget["actual"] += spent * rate
                budget["forecast"] += (forecast or _ZERO) * rate
        rows.append(
            ProjectHealth(
                project_id=project.pk,
                code=project.code,
                name=project.name,
                phase=project.phase,
                portfolio_id=project.portfolio_id,
                manager_id=project.manager_id,
                manager_name=str(project.manager) if project.manager is not None else "",
                currency=project.currency,
                evm=result,
                spi_band=index_band(result.figures.spi) if result is not None else None,
                cpi_band=index_band(result.figures.cpi) if result is not None else None,
                computed=_project_rag(result, alerts[project.pk], late[project.pk]),
                reported=reported.get(project.pk),
                red_alerts=alerts[project.pk][Severity.RED],
                amber_alerts=alerts[project.pk][Severity.AMBER],
                milestone_late_days=late[project.pk],
                approved_budget=approved.get(project.pk),
                actual_cost=spent,
                forecast=forecast,
                rate=rate,
            )
        )

    rag_counts = dict.fromkeys(RAG_VALUES, 0)
    reported_counts = dict.fromkeys((RED, AMBER, GREEN, "none"), 0)
    for row in rows:
        rag_counts[row.computed.rag] += 1
        reported_counts[row.reported.rag if row.reported is not None else "none"] += 1
    alert_counts: dict[str, int] = {RED: 0, AMBER: 0}
    for by_severity in alerts.values():
        for severity, count in by_severity.items():
            alert_counts[severity] += count

    return Dashboard(
        as_of=as_of,
        currency=organization.default_currency,
        filters=filters,
        projects=rows,
        phase_counts=phase_counts,
        rag_counts=rag_counts,
        reported_rag_counts=reported_counts,
        evm_figures=evm.figures(total),
        evm_totals=total,
        budget=BudgetTotals(**{key: _money(value) for key, value in budget.items()}),
        milestones=_due_within_window(open_milestones, {project.pk: project.code for project in projects}, as_of),
        alert_counts=alert_counts,
        change_requests=_waiting_changes(organization, ids),
        budget_versions=_waiting_budgets(organization, ids),
        recent_reports=_recent_reports(organization, ids),
        missing_rates=dict(sorted(missing.items())),
    )


def _due_within_window(milestones: list[_OpenMilestone], codes: dict[int, str], as_of: dt.date) -> list[MilestoneDue]:
    """Unfinished milestones due (baseline date, or forecast without one) by the end of the window, overdue first."""
    horizon = as_of + dt.timedelta(days=MILESTONE_WINDOW_DAYS)
    due: list[MilestoneDue] = []
    for milestone in milestones:
        day = milestone.baseline_date or milestone.forecast_date
        if day is None or day > horizon:
            continue
        due.append(
            MilestoneDue(
                project_id=milestone.project_id,
                project_code=codes[milestone.project_id],
                element_id=milestone.element_id,
                code=milestone.code,
                name=milestone.name,
                baseline_date=milestone.baseline_date,
                forecast_date=milestone.forecast_date,
                due=day,
                days=(day - as_of).days,
            )
        )
    return sorted(due, key=lambda item: (item.due, item.project_code, item.code))


def _latest_reports(organization: Organization, project_ids: list[int]) -> dict[int, ReportedRag]:
    """Each project's latest submitted or reviewed status report: one query (a window)."""
    rows = (
        StatusReport.objects.for_organization(organization)
        .filter(project_id__in=project_ids, status__in=DECIDED_REPORT_STATUSES)
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("project_id")], order_by=[F("period_end").desc(), F("id").desc()])
        )
        .filter(rank=1)
        .values_list("project_id", "pk", "period_end", "status", "rag_overall", "rag_override_justification")
    )
    return {
        project_id: ReportedRag(pk, period_end, status, rag, justification)
        for project_id, pk, period_end, status, rag, justification in rows
    }


def _recent_reports(organization: Organization, project_ids: list[int]) -> list[RecentReport]:
    reports = (
        StatusReport.objects.for_organization(organization)
        .filter(project_id__in=project_ids, status__in=DECIDED_REPORT_STATUSES)
        .select_related("project", "author")
        .order_by(F("submitted_at").desc(nulls_last=True), "-period_end", "-id")[:RECENT_REPORTS]
    )
    recent = []
    for report in reports:
        compared = (report.figures or {}).get("computed_rag") or {}
        recent.append(
            RecentReport(
                report_id=report.pk,
                project_id=report.project_id,
                project_code=report.project.code,
                project_name=report.project.name,
                period_end=report.period_end,
                status=report.status,
                rag=report.rag_overall,
                justification=report.rag_override_justification,
                author_name=str(report.author),
                submitted_at=report.submitted_at,
                computed_at_submission=compared.get("rag"),
            )
        )
    return recent


def _waiting_changes(organization: Organization, project_ids: list[int]) -> list[WaitingChange]:
    rows = (
        ChangeRequest.objects.for_organization(organization)
        .filter(project_id__in=project_ids, status=ChangeRequest.Status.SUBMITTED)
        .order_by(F("submitted_at").asc(nulls_last=True), "pk")
        .values_list(
            "pk", "project_id", "project__code", "number", "title", "impact_cost", "impact_days", "submitted_at"
        )
    )
    return [WaitingChange(*row) for row in rows]


def _waiting_budgets(organization: Organization, project_ids: list[int]) -> list[WaitingBudget]:
    rows = (
        BudgetVersion.objects.for_organization(organization)
        .filter(project_id__in=project_ids, status=BudgetVersion.Status.SUBMITTED)
        .annotate(total=Sum("lines__amount"))
        .order_by(F("submitted_at").asc(nulls_last=True), "pk")
        .values_list("pk", "project_id", "project__code", "number", "project__currency", "total", "submitted_at")
    )
    return [
        WaitingBudget(pk, project_id, code, number, currency, _money(total or _ZERO), submitted_at)
        for pk, project_id, code, number, currency, total, submitted_at in rows
    ]
