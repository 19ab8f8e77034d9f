"""Earned value from the database: the reads that feed the pure engine in ``finance.evm``.

Every number comes from the engine; this module only loads its inputs, in a fixed number of
queries however large the project or the portfolio, and hands them over:

- the baseline is the project's current one; each baseline task's budget, dates and milestone
  flag, and the percent-complete method of its live task (as the WBS has it now);
- a task's state on a date is its latest progress update effective on or before that date (ties
  go to the latest recorded, then the highest id); a task with no such update has earned nothing;
- the actual cost on a date is the sum of the project's actual costs dated on or before it;
- the calendar is the project's working calendar (the organisation's default when none is set).

Amounts are in the project's currency. A portfolio converts each project's unrounded sums into
the organisation's currency at the organisation's rate valid on the status date, and recomputes
its ratios from the converted sums; a currency without a rate is reported, never mixed in.
"""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal, localcontext

from django.db.models import F, FilteredRelation, Q, Sum, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext as _

from finance import evm
from finance.models import ActualCost, ExchangeRate, ManualForecast
from pmo.errors import ApplicationError
from pmo.models import CalendarException, Organization, User, WorkingCalendar
from pmo.workdays import WorkCalendar
from projects.models import Baseline, BaselineTask, Portfolio, ProgressUpdate, Project, WbsElement
from projects.selectors.plan import current_baseline, project_work_calendar

WEEK = "week"
MONTH = "month"
SERIES_INTERVALS = (WEEK, MONTH)
# Ten years of weekly points.
MAX_SERIES_POINTS = 520

TYPICAL = "typical"
ATYPICAL = "atypical"
COMBINED = "combined"
MANUAL = "manual"

NO_BASELINE = "no_baseline"

_ZERO = Decimal(0)
_CENT = Decimal("0.01")
# Conversions carry the engine's precision; only the engine's final rounding shows.
_CONTEXT = Context(prec=34, rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True)
class ProjectEvm:
    """Earned value of one project on ``as_of``: rounded figures, and the unrounded sums to roll up."""

    as_of: dt.date
    currency: str
    figures: evm.EvmFigures
    totals: evm.Totals


@dataclass(frozen=True)
class WbsEvmRow:
    """Earned value of one WBS element; a summary's sums are those of the elements under it."""

    element_id: int
    parent_id: int | None
    code: str
    name: str
    depth: int
    is_summary: bool
    figures: evm.EvmFigures
    totals: evm.Totals


@dataclass(frozen=True)
class PortfolioRow:
    """One open project of a roll-up: its own figures in its own currency, or why there are none."""

    project_id: int
    code: str
    name: str
    currency: str
    evm: ProjectEvm | None
    # Units of the organisation's currency one unit of the project's is worth on the status date;
    # None when no rate is known (the project is then left out of the total).
    rate: Decimal | None
    reason: str | None


@dataclass(frozen=True)
class MissingRate:
    currency: str
    project_ids: tuple[int, ...]


@dataclass(frozen=True)
class PortfolioEvm:
    """Every open project of the organisation (or of one portfolio) and their total.

    The total is in the organisation's currency: each project's unrounded sums converted at the
    rate valid on ``as_of``, added, and only then turned into figures.
    """

    as_of: dt.date
    currency: str
    rows: list[PortfolioRow]
    figures: evm.EvmFigures
    totals: evm.Totals
    missing_rates: list[MissingRate]


@dataclass(frozen=True)
class ForecastLine:
    """One estimate at completion, with what remains to spend and the variance at completion."""

    method: str
    eac: Decimal | None
    etc: Decimal | None
    vac: Decimal | None


@dataclass(frozen=True)
class ManualEstimate:
    estimate_to_complete: Decimal
    justification: str
    created_by: User
    created_at: dt.datetime


@dataclass(frozen=True)
class ProjectForecast:
    """The estimates at completion side by side: three from the indices, and the manager's own."""

    as_of: dt.date
    currency: str
    figures: evm.EvmFigures
    lines: list[ForecastLine]
    manual: ManualEstimate | None


# --- loading the engine's inputs ------------------------------------------------------


@dataclass
class _Baselined:
    """One project's current baseline as the engine wants it."""

    items: list[evm.BaselineItem]
    # The percent-complete method of every live task in the baseline.
    methods: dict[int, str]


def _no_baseline() -> ApplicationError:
    return ApplicationError(
        _("The project has no current baseline: earned value is measured against one. Set a baseline first."),
        code=NO_BASELINE,
    )


def _baselined(organization_id: int, baseline_ids: Iterable[int], project_ids: list[int]) -> dict[int, _Baselined]:
    """Each baseline's items and its tasks' methods: one query, joining the live tasks."""
    loaded: dict[int, _Baselined] = {baseline_id: _Baselined([], {}) for baseline_id in baseline_ids}
    if not loaded:
        return loaded
    rows = (
        BaselineTask.objects.for_organization(organization_id)
        .filter(baseline_id__in=list(loaded))
        # The join reads only these projects' tasks, not the whole table.
        .annotate(live=FilteredRelation("task", condition=Q(task__project_id__in=project_ids)))
        .order_by("baseline_id", "sort_key", "id")
        .values_list(
            "baseline_id",
            "task_id",
            "start",
            "finish",
            "budgeted_cost",
            "is_milestone",
            "live__percent_complete_method",
        )
    )
    for baseline_id, task_id, start, finish, budget, is_milestone, method in rows:
        target = loaded[baseline_id]
        target.items.append(
            evm.BaselineItem(task_id=task_id, start=start, finish=finish, budget=budget, is_milestone=is_milestone)
        )
        if task_id is not None and method is not None:
            target.methods[task_id] = method
    return loaded


def _latest_progress(
    organization_id: int, project_ids: list[int], methods: Mapping[int, str], as_of: dt.date
) -> dict[int, evm.TaskProgress]:
    """Each baselined task's latest update effective on or before ``as_of``: one query (a window)."""
    latest = (
        ProgressUpdate.objects.for_organization(organization_id)
        .filter(project_id__in=project_ids, effective_date__lte=as_of)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("task_id")],
                order_by=[F("effective_date").desc(), F("created_at").desc(), F("id").desc()],
            )
        )
        .filter(rank=1)
        .order_by()
        .values_list("task_id", "percent_complete", "actual_start", "actual_finish")
    )
    return {
        task_id: evm.TaskProgress(task_id, methods[task_id], percent, start, finish)
        for task_id, percent, start, finish in latest
        if task_id in methods
    }


def _actual_cost(organization_id: int, project: Project, as_of: dt.date) -> Decimal:
    result = (
        ActualCost.objects.for_organization(organization_id)
        .filter(project=project, date__lte=as_of)
        .aggregate(total=Sum("amount"))
    )
    return result["total"] or _ZERO


def _required_baseline(project: Project, baseline: Baseline | None) -> Baseline:
    baseline = baseline if baseline is not None else current_baseline(project)
    if baseline is None:
        raise _no_baseline()
    return baseline


def _evaluate(
    project: Project,
    baselined: _Baselined,
    calendar: WorkCalendar,
    progress: Mapping[int, evm.TaskProgress],
    costs_to_date: Decimal,
    as_of: dt.date,
) -> ProjectEvm:
    sums = evm.totals(baselined.items, calendar, progress, costs_to_date, as_of)
    return ProjectEvm(as_of=as_of, currency=project.currency, figures=evm.figures(sums), totals=sums)


# --- one project ----------------------------------------------------------------------


def project_evm(
    project: Project,
    as_of: dt.date,
    *,
    baseline: Baseline | None = None,
    calendar: WorkCalendar | None = None,
) -> ProjectEvm:
    """Earned value of ``project`` on ``as_of`` against its current baseline.

    Six queries whatever the project's size: the current baseline, its tasks with their methods,
    the latest progress of each task, the sum of the actual costs, and the calendar (two). A
    caller that has already read the current baseline or the calendar passes them in.
    Raises ``ApplicationError`` (code ``no_baseline``) when the project has no current baseline.
    """
    organization_id = project.organization_id
    baseline = _required_baseline(project, baseline)
    baselined = _baselined(organization_id, [baseline.pk], [project.pk])[baseline.pk]
    progress = _latest_progress(organization_id, [project.pk], baselined.methods, as_of)
    costs_to_date = _actual_cost(organization_id, project, as_of)
    calendar = calendar if calendar is not None else project_work_calendar(project)
    return _evaluate(project, baselined, calendar, progress, costs_to_date, as_of)


def series_dates(start: dt.date, end: dt.date, interval: str) -> list[dt.date]:
    """The status dates of a series: every period end from ``start`` to ``end``, then ``end``.

    A week ends on its Sunday (weeks run Monday to Sunday, so a point counts the whole week,
    weekend work and costs included); a month on its last day. ``end`` closes the series even
    when it falls inside a period.
    """
    if interval not in SERIES_INTERVALS:
        raise ApplicationError(
            _("Choose a weekly or a monthly series."), fields={"interval": [_("Enter week or month.")]}
        )
    if start > end:
        raise ApplicationError(
            _("The series starts after it ends."), fields={"from": [_("Choose a date on or before the end.")]}
        )
    dates: list[dt.date] = []
    if interval == WEEK:
        day = start + dt.timedelta(days=6 - start.weekday())
        while day < end and len(dates) <= MAX_SERIES_POINTS:
            dates.append(day)
            day += dt.timedelta(days=7)
    else:
        day = start.replace(day=month_calendar.monthrange(start.year, start.month)[1])
        while day < end and len(dates) <= MAX_SERIES_POINTS:
            dates.append(day)
            following = day + dt.timedelta(days=1)
            day = following.replace(day=month_calendar.monthrange(following.year, following.month)[1])
    dates.append(end)
    if len(dates) > MAX_SERIES_POINTS:
        raise ApplicationError(
            _("A series has at most %(count)d points: shorten the period or choose monthly points.")
            % {"count": MAX_SERIES_POINTS},
            fields={"from": [_("The period is too long for this interval.")]},
        )
    return dates


def project_evm_series(project: Project, start: dt.date | None, end: dt.date, interval: str = WEEK) -> list[ProjectEvm]:
    """Earned value at each status date of :func:`series_dates`, oldest first.

    ``start`` None starts at the baseline's first start (or at ``end`` if that is later). The rows
    are read once (six queries whatever the project's size and the number of points): the
    baseline, its tasks, every progress update effective by ``end`` and the costs summed by date
    up to ``end``; the engine then runs once per date, replaying the progress history in order.
    """
    organization_id = project.organization_id
    baseline = _required_baseline(project, None)
    baselined = _baselined(organization_id, [baseline.pk], [project.pk])[baseline.pk]
    if start is None:
        start = min(min((item.start for item in baselined.items), default=end), end)
    dates = series_dates(start, end, interval)
    updates = (
        ProgressUpdate.objects.for_organization(organization_id)
        .filter(project=project, effective_date__lte=end)
        .order_by("effective_date", "created_at", "id")
        .values_list("task_id", "effective_date", "percent_complete", "actual_start", "actual_finish")
    )
    costs = (
        ActualCost.objects.for_organization(organization_id)
        .filter(project=project, date__lte=end)
        .values("date")
        .annotate(total=Sum("amount"))
        .order_by("date")
        .values_list("date", "total")
    )
    calendar = project_work_calendar(project)

    pending_updates = iter(list(updates))
    next_update = next(pending_updates, None)
    pending_costs = iter(list(costs))
    next_cost = next(pending_costs, None)
    progress: dict[int, evm.TaskProgress] = {}
    costs_to_date = _ZERO
    series: list[ProjectEvm] = []
    for day in dates:
        while next_update is not None and next_update[1] <= day:
            task_id, _effective, percent, actual_start, actual_finish = next_update
            method = baselined.methods.get(task_id)
            if method is not None:
                progress[task_id] = evm.TaskProgress(task_id, method, percent, actual_start, actual_finish)
            next_update = next(pending_updates, None)
        while next_cost is not None and next_cost[0] <= day:
            with localcontext(_CONTEXT):
                costs_to_date += next_cost[1] or _ZERO
            next_cost = next(pending_costs, None)
        series.append(_evaluate(project, baselined, calendar, progress, costs_to_date, day))
    return series


def wbs_evm_rows(project: Project, as_of: dt.date) -> list[WbsEvmRow]:
    """Earned value of every WBS element on ``as_of``, in WBS order.

    A task or milestone has the sums of its baseline entry and the costs booked to it; a summary
    adds up the elements under it, plus the costs booked to the summary itself, and its ratios are
    recomputed from those sums. Baseline entries of deleted tasks and costs booked to no element
    count only for the project. Seven queries whatever the project's size.
    """
    organization_id = project.organization_id
    baseline = _required_baseline(project, None)
    elements = list(
        WbsElement.objects.for_organization(organization_id)
        .filter(project=project)
        .order_by("sort_key", "id")
        .values_list("pk", "parent_id", "code", "name", "kind")
    )
    baselined = _baselined(organization_id, [baseline.pk], [project.pk])[baseline.pk]
    progress = _latest_progress(organization_id, [project.pk], baselined.methods, as_of)
    booked = dict(
        ActualCost.objects.for_organization(organization_id)
        .filter(project=project, date__lte=as_of, wbs_element__isnull=False)
        .values("wbs_element_id")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("wbs_element_id", "total")
    )
    calendar = project_work_calendar(project)

    items_of: dict[int, list[evm.BaselineItem]] = {}
    for item in baselined.items:
        if item.task_id is not None:
            items_of.setdefault(item.task_id, []).append(item)
    parent_of = {pk: parent_id for pk, parent_id, _code, _name, _kind in elements}
    sums: dict[int, evm.Totals] = {pk: evm.Totals.zero() for pk in parent_of}
    for pk in parent_of:
        own = evm.totals(items_of.get(pk, ()), calendar, progress, booked.get(pk) or _ZERO, as_of)
        ancestor: int | None = pk
        # Up the tree: the element itself, then every summary above it.
        while ancestor is not None:
            sums[ancestor] = sums[ancestor] + own
            ancestor = parent_of.get(ancestor)
    return [
        WbsEvmRow(
            element_id=pk,
            parent_id=parent_id,
            code=code,
            name=name,
            depth=code.count("."),
            is_summary=kind == WbsElement.Kind.SUMMARY,
            figures=evm.figures(sums[pk]),
            totals=sums[pk],
        )
        for pk, parent_id, code, name, kind in elements
    ]


def wbs_evm(project: Project, as_of: dt.date) -> dict[int, evm.EvmFigures]:
    """The figures of every WBS element on ``as_of``, by element id (see :func:`wbs_evm_rows`)."""
    return {row.element_id: row.figures for row in wbs_evm_rows(project, as_of)}


def _end_of_day(organization: Organization, day: dt.date) -> dt.datetime:
    """The first instant after ``day`` in the organisation's time zone."""
    return dt.datetime.combine(
        day + dt.timedelta(days=1), dt.time.min, tzinfo=zoneinfo.ZoneInfo(organization.time_zone)
    )


def project_forecast(project: Project, as_of: dt.date) -> ProjectForecast:
    """The estimates at completion on ``as_of`` by each method, and the manager's latest estimate.

    Typical EAC = BAC / CPI, atypical EAC = AC + (BAC - EV), combined EAC = AC + (BAC - EV) /
    (CPI x SPI), as the engine computes them; the manual EAC is AC + the estimate to complete of
    the latest manual forecast recorded on or before ``as_of`` (in the organisation's time zone),
    so that a forecast for an earlier date does not mix in a later estimate. ETC = EAC - AC and
    VAC = BAC - EAC for each: the engine's own for the typical EAC, and for the others taken from
    the rounded EAC, AC and BAC, so that they add up as shown. Seven queries (with the project's
    organisation already loaded).
    """
    result = project_evm(project, as_of)
    figures = result.figures
    latest = (
        ManualForecast.objects.for_organization(project.organization_id)
        .filter(project=project, created_at__lt=_end_of_day(project.organization, as_of))
        .select_related("created_by")
        .order_by("-created_at", "-id")
        .first()
    )

    def line(method: str, eac: Decimal | None) -> ForecastLine:
        if eac is None:
            return ForecastLine(method, None, None, None)
        return ForecastLine(method, eac, eac - figures.ac, figures.bac - eac)

    lines = [
        ForecastLine(TYPICAL, figures.eac, figures.etc, figures.vac),
        line(ATYPICAL, figures.eac_atypical),
        line(COMBINED, figures.eac_combined),
    ]
    manual = None
    if latest is not None:
        with localcontext(_CONTEXT):
            eac = (result.totals.ac + latest.estimate_to_complete).quantize(_CENT)
        lines.append(line(MANUAL, eac))
        manual = ManualEstimate(
            estimate_to_complete=latest.estimate_to_complete,
            justification=latest.justification,
            created_by=latest.created_by,
            created_at=latest.created_at,
        )
    return ProjectForecast(as_of=as_of, currency=project.currency, figures=figures, lines=lines, manual=manual)


# --- a portfolio ----------------------------------------------------------------------


def project_calendars(organization_id: int, projects: list[Project]) -> dict[int, WorkCalendar]:
    """Each project's working calendar, as :func:`project_work_calendar` reads it: two queries."""
    wanted = {project.calendar_id for project in projects if project.calendar_id is not None}
    calendars = list(
        WorkingCalendar.objects.for_organization(organization_id)
        .filter(Q(pk__in=wanted) | Q(is_default=True))
        .values_list("pk", "is_default", "working_weekdays")
    )
    holidays: dict[int, list[dt.date]] = {pk: [] for pk, _default, _weekdays in calendars}
    extra: dict[int, list[dt.date]] = {pk: [] for pk, _default, _weekdays in calendars}
    exceptions = (
        CalendarException.objects.for_organization(organization_id)
        .filter(calendar_id__in=list(holidays))
        .values_list("calendar_id", "date", "is_working")
    )
    for calendar_id, day, is_working in exceptions:
        (extra if is_working else holidays)[calendar_id].append(day)
    built = {pk: WorkCalendar(weekdays, holidays[pk], extra[pk]) for pk, _default, weekdays in calendars}
    default = next((built[pk] for pk, is_default, _weekdays in calendars if is_default), None)
    return {
        project.pk: (built.get(project.calendar_id) if project.calendar_id else default) or WorkCalendar()
        for project in projects
    }


def _rates(organization: Organization, currencies: set[str], as_of: dt.date) -> dict[str, Decimal]:
    """Each currency's rate valid on ``as_of`` (the latest from on or before it): one query."""
    rates = {organization.default_currency: Decimal(1)}
    foreign = currencies - {organization.default_currency}
    if not foreign:
        return rates
    known = (
        ExchangeRate.objects.for_organization(organization)
        .filter(currency__in=foreign, valid_from__lte=as_of)
        .order_by("currency", "valid_from")
        .values_list("currency", "rate")
    )
    for currency, rate in known:
        rates[currency] = rate
    return rates


def _converted(sums: evm.Totals, rate: Decimal) -> evm.Totals:
    with localcontext(_CONTEXT):
        return evm.Totals(bac=sums.bac * rate, pv=sums.pv * rate, ev=sums.ev * rate, ac=sums.ac * rate)


def projects_evm(
    organization: Organization,
    projects: list[Project],
    as_of: dt.date,
    *,
    calendars: Mapping[int, WorkCalendar] | None = None,
) -> dict[int, ProjectEvm]:
    """Earned value of each project with a current baseline on ``as_of``, by project id.

    Set-based: six queries however many projects and tasks (the current baselines, their tasks,
    the latest progress, the costs by project, and the calendars unless given).
    """
    if not projects:
        return {}
    project_ids = [project.pk for project in projects]
    baseline_of = dict(
        Baseline.objects.for_organization(organization)
        .filter(project_id__in=project_ids, is_current=True)
        .values_list("project_id", "pk")
    )
    if not baseline_of:
        return {}
    baselined = _baselined(organization.pk, baseline_of.values(), list(baseline_of))
    methods: dict[int, str] = {}
    for loaded in baselined.values():
        methods.update(loaded.methods)
    progress = _latest_progress(organization.pk, list(baseline_of), methods, as_of)
    costs = dict(
        ActualCost.objects.for_organization(organization)
        .filter(project_id__in=list(baseline_of), date__lte=as_of)
        .values("project_id")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("project_id", "total")
    )
    baselined_projects = [project for project in projects if project.pk in baseline_of]
    if calendars is None:
        calendars = project_calendars(organization.pk, baselined_projects)
    return {
        project.pk: _evaluate(
            project,
            baselined[baseline_of[project.pk]],
            calendars[project.pk],
            progress,
            costs.get(project.pk) or _ZERO,
            as_of,
        )
        for project in baselined_projects
    }


def portfolio_evm(organization: Organization, as_of: dt.date, portfolio: Portfolio | int | None = None) -> PortfolioEvm:
    """Earned value of every open project on ``as_of``, and their total in the organisation's currency.

    ``portfolio`` (one, or its id) keeps the projects of that portfolio and of its programmes. A project
    without a current baseline is listed with the reason ``no_baseline`` and counts for nothing;
    one whose currency has no rate on ``as_of`` keeps its own figures but is left out of the
    total and named in ``missing_rates``. At most eight queries whatever the number of projects:
    projects, current baselines, their tasks, the latest progress, the costs by project, the
    calendars (two) and the exchange rates (skipped when every project is in the organisation's
    currency).
    """
    projects_query = Project.objects.for_organization(organization).open()
    if portfolio is not None:
        projects_query = projects_query.in_portfolio(portfolio if isinstance(portfolio, int) else portfolio.pk)
    projects = list(projects_query.order_by("code", "id"))
    currency = organization.default_currency
    if not projects:
        sums = evm.Totals.zero()
        return PortfolioEvm(as_of, currency, [], evm.figures(sums), sums, [])

    evaluated = projects_evm(organization, projects, as_of)
    rates = _rates(organization, {project.currency for project in projects if project.pk in evaluated}, as_of)

    rows: list[PortfolioRow] = []
    total = evm.Totals.zero()
    missing: dict[str, list[int]] = {}
    for project in projects:
        result = evaluated.get(project.pk)
        if result is None:
            rows.append(PortfolioRow(project.pk, project.code, project.name, project.currency, None, None, NO_BASELINE))
            continue
        rate = rates.get(project.currency)
        if rate is None:
            missing.setdefault(project.currency, []).append(project.pk)
        else:
            total = total + _converted(result.totals, rate)
        rows.append(PortfolioRow(project.pk, project.code, project.name, project.currency, result, rate, None))
    missing_rates = [MissingRate(code, tuple(ids)) for code, ids in sorted(missing.items())]
    return PortfolioEvm(as_of, currency, rows, evm.figures(total), total, missing_rates)


def project_performance_indices(
    project: Project, as_of: dt.date, baseline: Baseline, calendar: WorkCalendar
) -> tuple[Decimal | None, Decimal | None]:
    """SPI and CPI of ``project`` on ``as_of`` against ``baseline`` (None where undefined), for status reports."""
    figures = project_evm(project, as_of, baseline=baseline, calendar=calendar).figures
    return figures.spi, figures.cpi
