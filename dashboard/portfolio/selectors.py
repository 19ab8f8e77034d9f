"""Every figure of the portfolio dashboard (``/o/{org_slug}/`` and its API), read in a fixed number of queries.

The dashboard covers the open projects of the organisation, narrowed by portfolio (its
programmes included), project manager and phase.

Earned value on the organisation's today comes from the snapshots the variance run keeps: it
writes one for each baselined open project every night, and again after every change that moves
the project's earned value (progress, costs, budgets, change requests, baselines, calendars).
A project without today's snapshot (no baseline, not evaluated yet, or its currency changed
since) is computed here with ``finance.earned_value.projects_evm``, and so is every project on
another status date. Either way a project's sums are taken to the cent before its figures are
derived, so the two ways give the same figures.

Totals are in the organisation's currency, each project's sums converted at the rate valid on
the status date; a project whose currency has no rate is left out of the totals and named.
Alerts, decisions waiting and status reports are as they stand now.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext
from typing import Any, Protocol

from django.db.models import Count, Sum

from dashboard.portfolio.figures import (
    BudgetTotals,
    Dashboard,
    FilterChoices,
    Filters,
    PhaseCount,
    ProjectHealth,
)
from dashboard.portfolio.lists import (
    ProjectIds,
    active_alerts,
    latest_reports,
    milestone_slips,
    money,
    recent_reports,
    waiting_budgets,
    waiting_changes,
)
from dashboard.portfolio.quality_figures import portfolio_quality_figures
from dashboard.portfolio.rag import AMBER, GREEN, RAG_VALUES, RED, ComputedRag, computed_rag, index_band
from dashboard.portfolio.risk_figures import RiskFigures, portfolio_risks
from finance import evm
from finance.earned_value import ProjectEvm, projects_evm
from finance.models import ActualCost, EvmSnapshot, ExchangeRate
from finance.variance import approved_budgets
from pmo.models import Organization, Severity, User
from projects.models import Phase, Portfolio, Project
from projects.querysets import ProjectQuerySet
from quality.selectors import safety_vetoes

_ZERO = Decimal(0)
_CONTEXT = Context(prec=34, rounding=ROUND_HALF_EVEN)


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


class ProjectRef(Protocol):
    """What ``measure`` needs of a project: a ``Project``, or the dashboard's lighter ``OpenProject``."""

    @property
    def pk(self) -> int: ...

    @property
    def currency(self) -> str: ...


@dataclass(frozen=True, slots=True)
class OpenProject:
    """An open project as the dashboard lists it, read as values (a thousand model instances cost more)."""

    pk: int
    code: str
    name: str
    phase: str
    portfolio_id: int | None
    manager_id: int | None
    manager_name: str
    currency: str


def _open_projects(scoped: ProjectQuerySet) -> list[OpenProject]:
    rows = (
        scoped.open()
        .order_by("code", "id")
        .values_list(
            "pk",
            "code",
            "name",
            "phase",
            "portfolio_id",
            "manager_id",
            "currency",
            "manager__display_name",
            "manager__first_name",
            "manager__last_name",
            "manager__username",
        )
    )
    return [
        # The manager's name as ``User.__str__`` gives it.
        OpenProject(
            pk, code, name, phase, portfolio, manager, display or f"{first} {last}".strip() or username or "", currency
        )
        for pk, code, name, phase, portfolio, manager, currency, display, first, last, username in rows
    ]


@dataclass
class Measured:
    """Each project's earned value (sums to the cent), current approved budget and actual cost to the status date."""

    evm: dict[int, ProjectEvm] = field(default_factory=dict)
    approved: dict[int, Decimal] = field(default_factory=dict)
    actual: dict[int, Decimal] = field(default_factory=dict)
    # The oldest snapshot read; None when nothing came from a snapshot.
    evaluated_at: dt.datetime | None = None


def _to_the_cent(as_of: dt.date, currency: str, totals: evm.Totals) -> ProjectEvm:
    rounded = evm.Totals(money(totals.bac), money(totals.pv), money(totals.ev), money(totals.ac))
    return ProjectEvm(as_of, currency, evm.figures(rounded), rounded)


def _sums_by_project(rows: Iterable[tuple[int, Decimal | None]]) -> dict[int, Decimal]:
    # SQLite drops the trailing zeros of sums: money has two places.
    return {project_id: money(total) for project_id, total in rows if total is not None}


def measure(
    organization: Organization, projects: Sequence[ProjectRef], as_of: dt.date, *, scope: ProjectIds | None = None
) -> Measured:
    """Today's snapshots where they hold, computed figures for the rest (see the module's docstring).

    ``scope`` may name the same projects as a query. One query for the snapshots (on today only),
    then for the projects without one: one for the projects themselves unless given as ``Project``,
    six for their earned value, one for their approved budgets and one for their actual costs.
    """
    measured = Measured()
    pending: Sequence[ProjectRef] = projects
    if as_of == organization.today() and projects:
        currencies = {project.pk: project.currency for project in projects}
        rows = (
            EvmSnapshot.objects.for_organization(organization)
            .filter(project_id__in=list(currencies) if scope is None else scope, date=as_of)
            .values_list("project_id", "currency", "bac", "pv", "ev", "ac", "approved_budget", "computed_at")
        )
        for project_id, currency, bac, pv, ev, ac, approved, computed_at in rows:
            if currencies.get(project_id) != currency:
                continue  # another currency since (or a project opened since the caller read them)
            if None in (bac, pv, ev, ac):
                continue  # a sum too large for the snapshot's columns: computed below
            measured.evm[project_id] = _to_the_cent(as_of, currency, evm.Totals(bac, pv, ev, ac))
            measured.actual[project_id] = money(ac)
            if approved is not None:
                measured.approved[project_id] = money(approved)
            if measured.evaluated_at is None or computed_at < measured.evaluated_at:
                measured.evaluated_at = computed_at
        pending = [project for project in projects if project.pk not in measured.evm]
    if not pending:
        return measured
    ids = [project.pk for project in pending]
    instances = [project for project in pending if isinstance(project, Project)]
    if len(instances) < len(pending):
        instances = list(Project.objects.for_organization(organization).filter(pk__in=ids))
    for project_id, result in projects_evm(organization, instances, as_of).items():
        measured.evm[project_id] = _to_the_cent(as_of, result.currency, result.totals)
    measured.approved.update(approved_budgets(organization, ids))
    measured.actual.update(
        _sums_by_project(
            ActualCost.objects.for_organization(organization)
            .filter(project_id__in=ids, date__lte=as_of)
            .values("project_id")
            .annotate(total=Sum("amount"))
            .order_by()
            .values_list("project_id", "total")
        )
    )
    return measured


def _project_rag(result: ProjectEvm | None, alerts: dict[str, int], late_days: int, vetoes: int) -> ComputedRag:
    return computed_rag(
        has_baseline=result is not None,
        spi=result.figures.spi if result is not None else None,
        cpi=result.figures.cpi if result is not None else None,
        red_alerts=alerts.get(Severity.RED, 0),
        amber_alerts=alerts.get(Severity.AMBER, 0),
        milestone_late_days=late_days,
        safety_vetoes=vetoes,
    )


def project_computed_rag(organization: Organization, project: Project, as_of: dt.date) -> ComputedRag:
    """The computed RAG of one project on ``as_of``, as the dashboard shows it (twelve queries at most)."""
    result = measure(organization, [project], as_of).evm.get(project.pk)
    alerts = active_alerts(organization, [project.pk])
    late = milestone_slips(organization, [project.pk], {project.pk: project.code}, as_of).late_days
    vetoes = safety_vetoes(organization, [project.pk]).get(project.pk, 0)
    return _project_rag(result, alerts[project.pk], late[project.pk], vetoes)


def project_computed_rag_json(organization: Organization, project: Project, as_of: dt.date) -> dict[str, object]:
    """The computed RAG of one project on ``as_of`` as a status report keeps it (``projects.registries``)."""
    return project_computed_rag(organization, project, as_of).as_json(as_of)


def _exposure_of(risks: RiskFigures, project_id: int) -> dict[str, Any]:
    """The project's exposure and contingency as ``ProjectHealth`` takes them (none for a project opened since)."""
    found = risks.exposure.of(project_id)
    if found is None:
        return {}
    return {"risk_exposure": found.exposure, "contingency": found.contingency}


def portfolio_dashboard(organization: Organization, filters: Filters) -> Dashboard:
    """Every figure of the dashboard on ``filters.as_of``.

    A fixed number of queries whatever the number of projects: the projects and their count by
    phase, their earned value (``projects_evm``, six), the exchange rates (only with projects in
    another currency), the approved budgets, the actual costs, the open milestones, the active
    alerts, the change requests and budget versions waiting, the latest report of each project
    and the recent reports; the risks (four) and quality (five, whose safety vetoes feed the RAG).
    """
    as_of = filters.as_of
    scoped = _scoped(organization, filters)
    by_phase = dict(scoped.values("phase").annotate(n=Count("id")).order_by().values_list("phase", "n"))
    phase_counts = [PhaseCount(phase, by_phase.get(phase, 0)) for phase in Phase.values]
    projects = _open_projects(scoped)
    # The open projects as a subquery: the lists below filter on it instead of on a thousand ids.
    ids = scoped.open().values("pk")

    measured = measure(organization, projects, as_of, scope=ids)
    evaluated, approved, actual = measured.evm, measured.approved, measured.actual
    rates = _rates(organization, {project.currency for project in projects}, as_of)
    risks = portfolio_risks(organization, filters, scoped.open(), rates, projects)
    quality = portfolio_quality_figures(organization, scoped.open(), projects)
    slips = milestone_slips(organization, ids, {project.pk: project.code for project in projects}, as_of)
    late = slips.late_days
    alerts = active_alerts(organization, ids if filters.narrowed else None)
    reported = latest_reports(organization, ids)

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
                manager_name=project.manager_name,
                currency=project.currency,
                evm=result,
                spi_band=index_band(result.figures.spi) if result is not None else None,
                cpi_band=index_band(result.figures.cpi) if result is not None else None,
                computed=_project_rag(result, alerts[project.pk], late[project.pk], quality.vetoes_of(project.pk)),
                reported=reported.get(project.pk),
                red_alerts=alerts[project.pk][Severity.RED],
                amber_alerts=alerts[project.pk][Severity.AMBER],
                milestone_late_days=late[project.pk],
                approved_budget=approved.get(project.pk),
                actual_cost=spent,
                forecast=forecast,
                rate=rate,
                **_exposure_of(risks, project.pk),
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
        budget=BudgetTotals(**{key: money(value) for key, value in budget.items()}),
        milestones=slips.due,
        alert_counts=alert_counts,
        change_requests=waiting_changes(organization, ids),
        budget_versions=waiting_budgets(organization, ids),
        recent_reports=recent_reports(organization, ids),
        missing_rates=dict(sorted(missing.items())),
        evaluated_at=measured.evaluated_at,
        risks=risks,
        quality=quality,
    )
