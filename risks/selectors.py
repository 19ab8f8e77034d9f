"""Reads of risk figures beyond a queryset chain: exposure against contingency, its trend, the portfolio's.

- A project's **exposure** is the sum of the EMV of its open risks (identified, assessed,
  responding, monitoring). ``Risk.emv`` is signed (an opportunity's is negative), so the sum is
  threats minus opportunities, in the project's currency.
- Its **contingency** is the contingency reserve of its current approved budget version (finance);
  a project without one has none.
- The **exposure trend** replays the assessment history: on each day, the latest entry of every
  risk of the project up to the end of that day, summed over the entries that leave the risk open.
- The **portfolio** reads every project's exposure and contingency in one query, converts the
  totals into the organisation's currency and names the projects whose exposure exceeds their
  contingency.

Every function runs a fixed number of queries whatever the number of projects or risks.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cached_property
from typing import Protocol

from django.db.models import DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from finance.models import BudgetVersion, ExchangeRate
from pmo.models import Organization
from projects.models import Project
from risks.models import Risk, RiskAssessment, RiskSettings
from risks.querysets import OPEN

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
_MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=18, decimal_places=2)


def money(value: Decimal | None) -> Decimal:
    """Two places (SQLite drops the trailing zeros of sums)."""
    return (value or ZERO).quantize(CENT, rounding=ROUND_HALF_EVEN)


def _end_of_day(organization: Organization, day: dt.date) -> dt.datetime:
    """The first instant after ``day`` in the organisation's time zone."""
    return dt.datetime.combine(
        day + dt.timedelta(days=1), dt.time.min, tzinfo=zoneinfo.ZoneInfo(organization.time_zone)
    )


def _open_emv_of(project_ref: OuterRef | int, organization_id: int) -> Subquery:
    """Σ EMV of the open risks of a project, as a subquery."""
    return Subquery(
        Risk.objects.for_organization(organization_id)
        .filter(project=project_ref, status__in=OPEN)
        .order_by()
        .values("project")
        .annotate(total=Sum("emv"))
        .values("total"),
        output_field=_MONEY,
    )


def _contingency_of(project_ref: OuterRef | int, organization_id: int) -> Subquery:
    """The contingency reserve of a project's current approved budget version, as a subquery."""
    return Subquery(
        BudgetVersion.objects.for_organization(organization_id)
        .filter(project=project_ref, is_current=True, status=BudgetVersion.Status.APPROVED)
        .values("contingency_reserve")[:1],
        output_field=_MONEY,
    )


def project_exposure(project: Project, as_of: dt.date | None = None) -> Decimal:
    """Σ EMV of the project's open risks, now (``as_of`` None, today or later) or at the end of a past day.

    One query. On a past day the history says what each risk's EMV was and whether it was open:
    a risk raised after that day does not count.
    """
    organization = project.organization
    if as_of is None or as_of >= organization.today():
        total = (
            Risk.objects.for_organization(organization)
            .filter(project=project, status__in=OPEN)
            .aggregate(total=Sum("emv"))["total"]
        )
        return money(total)
    latest = (
        RiskAssessment.objects.for_organization(organization)
        .filter(risk=OuterRef("pk"), at__lt=_end_of_day(organization, as_of))
        .order_by("-at", "-id")
    )
    rows = (
        Risk.objects.for_organization(organization)
        .filter(project=project)
        .annotate(then_emv=Subquery(latest.values("emv")[:1]), then_open=Subquery(latest.values("is_open")[:1]))
        .values_list("then_emv", "then_open")
    )
    return money(sum((emv for emv, is_open in rows if is_open and emv is not None), ZERO))


def project_contingency(project: Project) -> Decimal | None:
    """The contingency reserve of the project's current approved budget version; None without one. One query."""
    reserve = (
        BudgetVersion.objects.for_organization(project.organization_id)
        .filter(project=project, is_current=True, status=BudgetVersion.Status.APPROVED)
        .values_list("contingency_reserve", flat=True)
        .first()
    )
    return None if reserve is None else money(reserve)


@dataclass(frozen=True)
class Exposure:
    """A project's exposure beside its contingency reserve, in its currency."""

    project_id: int
    code: str
    name: str
    currency: str
    exposure: Decimal
    # None: the project has no current approved budget.
    contingency: Decimal | None

    @property
    def headroom(self) -> Decimal:
        """Contingency left once the exposure is covered; below zero when the exposure exceeds it."""
        return (self.contingency or ZERO) - self.exposure

    @property
    def excess(self) -> Decimal:
        """How far the exposure exceeds the contingency; zero when it is covered."""
        return max(-self.headroom, ZERO)

    @property
    def over(self) -> bool:
        """The exposure exceeds the contingency (a project without an approved budget has none)."""
        return self.exposure > (self.contingency or ZERO)

    @property
    def covered_percent(self) -> Decimal | None:
        """Exposure as a percentage of the contingency; None without a contingency."""
        if not self.contingency:
            return None
        return (self.exposure * 100 / self.contingency).quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN)


def project_exposures(projects: QuerySet[Project], organization_id: int) -> list[Exposure]:
    """The exposure and contingency of each of ``projects``, by code: one query."""
    rows = (
        projects.order_by("code", "pk")
        .annotate(
            exposure_sum=Coalesce(_open_emv_of(OuterRef("pk"), organization_id), ZERO, output_field=_MONEY),
            contingency=_contingency_of(OuterRef("pk"), organization_id),
        )
        .values_list("pk", "code", "name", "currency", "exposure_sum", "contingency")
    )
    return [
        Exposure(pk, code, name, currency, money(total), None if reserve is None else money(reserve))
        for pk, code, name, currency, total, reserve in rows
    ]


class ProjectRow(Protocol):
    """What the exposure of a listed project needs: a ``Project``, or a lighter row read as values."""

    @property
    def pk(self) -> int: ...

    @property
    def code(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def currency(self) -> str: ...


def listed_exposures(projects: QuerySet[Project], listed: Sequence[ProjectRow], organization_id: int) -> list[Exposure]:
    """The exposure and contingency of ``listed`` (the rows of ``projects``, already read): one query.

    The risks' sums by project and the approved versions' reserves in one UNION ALL, so that a
    thousand projects cost two scans rather than two subqueries each.
    """
    scope = projects.order_by().values("pk")
    sums = (
        Risk.objects.for_organization(organization_id)
        .filter(project__in=scope, status__in=OPEN)
        .order_by()
        .values("project_id")
        .annotate(total=Sum("emv"), reserve=Value(None, output_field=_MONEY))
        .values_list("project_id", "total", "reserve")
    )
    reserves = (
        BudgetVersion.objects.for_organization(organization_id)
        .filter(project__in=scope, is_current=True, status=BudgetVersion.Status.APPROVED)
        .order_by()
        .annotate(total=Value(None, output_field=_MONEY))
        .values_list("project_id", "total", "contingency_reserve")
    )
    exposure: dict[int, Decimal] = {}
    contingency: dict[int, Decimal] = {}
    for project_id, total, reserve in sums.union(reserves, all=True):
        if total is not None:
            exposure[project_id] = money(total)
        if reserve is not None:
            contingency[project_id] = money(reserve)
    return [
        Exposure(row.pk, row.code, row.name, row.currency, exposure.get(row.pk, ZERO), contingency.get(row.pk))
        for row in sorted(listed, key=lambda row: (row.code, row.pk))
    ]


def exposure_of(project: Project) -> Exposure:
    """The project's exposure and contingency: one query."""
    [found] = project_exposures(
        Project.objects.for_organization(project.organization_id).filter(pk=project.pk), project.organization_id
    )
    return found


# --- the trend ---------------------------------------------------------------------------------


def exposure_trend(project: Project, *, until: dt.date | None = None) -> list[tuple[dt.date, Decimal]]:
    """The project's exposure at the end of each day its risks' history changed, oldest first: one query.

    Each point sums, over the risks of the project, the EMV of the latest history entry up to
    that day where it leaves the risk open. The line is carried to ``until`` (the organisation's
    today by default) when the last change is older, so that it ends at the exposure of today.
    """
    organization = project.organization
    zone = zoneinfo.ZoneInfo(organization.time_zone)
    until = until or organization.today()
    rows = (
        RiskAssessment.objects.for_organization(organization)
        .filter(project=project, at__lt=_end_of_day(organization, until))
        .order_by("at", "id")
        .values_list("risk_id", "at", "emv", "is_open")
    )
    current: dict[int, Decimal] = {}
    points: list[tuple[dt.date, Decimal]] = []
    for risk_id, at, emv, is_open in rows:
        day = at.astimezone(zone).date()
        if is_open:
            current[risk_id] = emv
        else:
            current.pop(risk_id, None)
        total = money(sum(current.values(), ZERO))
        if points and points[-1][0] == day:
            points[-1] = (day, total)
        else:
            points.append((day, total))
    if points and points[-1][0] < until:
        points.append((until, points[-1][1]))
    return points


# --- the portfolio ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PortfolioExposure:
    """Each project's exposure and contingency, the totals in the organisation's currency, and who is over.

    A project whose currency has no rate is left out of the totals and named in ``missing_rates``.
    """

    currency: str
    projects: list[Exposure]
    exposure: Decimal
    contingency: Decimal
    missing_rates: dict[str, list[int]] = field(default_factory=dict)

    @property
    def over(self) -> list[Exposure]:
        """The projects whose exposure exceeds their contingency, the largest excess (in their currency) first."""
        return sorted((row for row in self.projects if row.over), key=lambda row: (row.headroom, row.code))

    @property
    def headroom(self) -> Decimal:
        return self.contingency - self.exposure

    @cached_property
    def _by_project(self) -> dict[int, Exposure]:
        return {row.project_id: row for row in self.projects}

    def of(self, project_id: int) -> Exposure | None:
        return self._by_project.get(project_id)


def _rates(organization: Organization, currencies: set[str], as_of: dt.date) -> dict[str, Decimal]:
    """Each currency's rate valid on ``as_of``: one query, none when every project is in the home currency."""
    rates = {organization.default_currency: Decimal(1)}
    foreign = currencies - {organization.default_currency}
    if foreign:
        rates.update(
            ExchangeRate.objects.for_organization(organization)
            .filter(currency__in=foreign, valid_from__lte=as_of)
            .order_by("currency", "valid_from")
            .values_list("currency", "rate")
        )
    return rates


def portfolio_exposure(
    organization: Organization,
    projects: QuerySet[Project] | None = None,
    *,
    rates: Mapping[str, Decimal] | None = None,
    listed: Sequence[ProjectRow] | None = None,
) -> PortfolioExposure:
    """Exposure and contingency of ``projects`` (the organisation's open projects by default), with totals.

    One query for the projects' figures, and one for the exchange rates unless ``rates`` are given
    (and only when some project is in another currency). ``listed``: the rows of ``projects`` when
    the caller has read them already (then their figures come from ``listed_exposures``).
    """
    scoped = projects if projects is not None else Project.objects.for_organization(organization).open()
    if listed is None:
        rows = project_exposures(scoped, organization.pk)
    else:
        rows = listed_exposures(scoped, listed, organization.pk)
    if rates is None:
        rates = _rates(organization, {row.currency for row in rows}, organization.today())
    exposure = contingency = Decimal(0)
    missing: dict[str, list[int]] = {}
    for row in rows:
        rate = rates.get(row.currency)
        if rate is None:
            missing.setdefault(row.currency, []).append(row.project_id)
            continue
        exposure += row.exposure * rate
        contingency += (row.contingency or ZERO) * rate
    return PortfolioExposure(
        currency=organization.default_currency,
        projects=rows,
        exposure=money(exposure),
        contingency=money(contingency),
        missing_rates=dict(sorted(missing.items())),
    )


# --- top risks --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TopRisk:
    risk_id: int
    project_id: int | None
    project_code: str
    number: int
    title: str
    kind: str
    status: str
    level: str
    probability: int | None
    impact: int | None
    score: int | None
    emv: Decimal
    currency: str
    owner_name: str

    @property
    def code(self) -> str:
        return f"R-{self.number:03d}"


def top_risks(
    organization: Organization,
    projects: QuerySet[Project] | None = None,
    *,
    limit: int = 10,
    organisation_level: bool = True,
) -> list[TopRisk]:
    """The open risks of ``projects`` (every project by default) with the highest score, then EMV: one query.

    ``organisation_level`` adds the risks that belong to no project.
    """
    where = Q(project__isnull=False) if projects is None else Q(project__in=projects.values("pk"))
    if organisation_level:
        where |= Q(project__isnull=True)
    rows = (
        Risk.objects.for_organization(organization)
        .open()
        .filter(where, score__isnull=False)
        # The order of the index risk_org_score_order: the first ten are read from it, not sorted.
        .order_by(F("score").desc(nulls_last=True), F("emv").desc(nulls_last=True), "project__code", "number")
        .values_list(
            "pk",
            "project_id",
            "project__code",
            "project__currency",
            "number",
            "title",
            "kind",
            "status",
            "level",
            "probability",
            "impact",
            "score",
            "emv",
            "owner__display_name",
            "owner__username",
        )[:limit]
    )
    home = organization.default_currency
    return [
        TopRisk(
            pk,
            project_id,
            project_code or "",
            number,
            title,
            kind,
            status,
            level,
            probability,
            impact,
            score,
            money(emv),
            currency or home,
            display or username or "",
        )
        for (
            pk,
            project_id,
            project_code,
            currency,
            number,
            title,
            kind,
            status,
            level,
            probability,
            impact,
            score,
            emv,
            display,
            username,
        ) in rows
    ]


def risk_settings_read(organization: Organization) -> RiskSettings:
    """The organisation's risk settings for reading (matrix, appetite): one query, the defaults unsaved if none.

    Unlike ``risks.services.settings.risk_settings_for`` it never writes, so that a page reading
    it runs the same queries on its first visit as on the next.
    """
    found = RiskSettings.objects.for_organization(organization).first()
    return found if found is not None else RiskSettings(organization=organization)
