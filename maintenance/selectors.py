"""The O&M figures of an organisation, read in a fixed number of queries (the sums are SQL's).

What is counted (``now`` is the moment of reading, ``today`` the organisation's date; the window is
``since``..``until``, whole days in the organisation's time zone, by default the 90 days to today):

- **SLA compliance, response**: of the work orders opened in the window and not cancelled, those
  *measurable*: responded (work started, ``started_at`` set) or whose response deadline has passed
  (``response_due_at`` before ``now``). Met: work started at or before the deadline. Compliance is
  met / measurable in per cent, one place; None when nothing is measurable. A work order whose
  deadline is still ahead and that has not been started is not counted either way.
- **SLA compliance, resolution**: the same with the resolution: completed (``completed_at`` set) or
  ``resolution_due_at`` before ``now``; met when completed at or before the deadline. The deadlines
  are the stored ones, already moved by the time paused for the reasons that pause the clock.
- **Breached** (now, no window): open work orders that missed a deadline: response late (started
  after its deadline, or not started and the deadline passed) or resolution deadline passed
  (``maintenance.visibility.breached_q``). **Overdue** (now): open and past the resolution deadline,
  unless a hold that pauses the clock began before it (``visibility.overdue_q``). The work-order
  list's ``status=any_open``, ``breached`` and ``overdue`` filters use the same predicates, so a
  drill-down lists what was counted.
- **Open work orders** (now, no window): in ``OPEN_STATUSES``, by priority and by age since
  opening in the buckets of ``AGE_BUCKETS`` (under a day, 1 to 7 days, 7 to 30 days, 30 days and more).
- **Mean time to repair**: of the work orders completed in the window (``completed_at`` set, any
  later status but cancelled), the mean of ``completed_at - opened_at`` in hours, one place; the
  clock time, paused time included.
- **Inspection completion**: of the rounds not cancelled that are due in the window and whose due
  day is before today or that are completed, those completed on time (completed on or before their
  due day, in the organisation's zone), in per cent. A round due today and still open is not
  counted yet. **Overdue rounds** (now): open (scheduled or in progress) and due before today.
- **Defects** found in the window, per category (of the asset) and per criterion, with those still
  open and the warranty claims; and over all time per origin project and contractor in
  :func:`defect_record`.
- **O&M cost**: the cost of the work orders completed in the window; per asset: divided by the
  active assets in scope; per m²: the cost of those on assets whose surface is known divided by the
  surface of the active assets in scope whose surface is known (``surface_area``, else the quantity
  of an asset counted in m²). **Lifecycle cost** (:func:`lifecycle_cost`): every work order's cost,
  all time, of an asset, a site or an origin project.

Filters (:class:`Scope`): ``site`` (the work order's site, the asset's site), ``category`` (the
asset's category; a work order without an asset is then left out), ``contractor`` and
``origin_project``. The contractor of a work order is the one it is assigned to (who does the work:
its SLA, its cost); the contractor of an asset or a defect is the one who built the asset (its
defects and warranty claims). Rounds are filtered by the assets they stop at.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    Avg,
    Case,
    Count,
    DecimalField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from maintenance.models import (
    OPEN_STATUSES,
    Asset,
    AssetStatus,
    Defect,
    DefectStatus,
    Priority,
    Round,
    RoundStatus,
    RoundStop,
    Unit,
    WorkOrder,
    WorkOrderKind,
    WorkOrderStatus,
)
from maintenance.visibility import breached_q, overdue_q
from pmo.models import Organization

#: Queries of :func:`maintenance_figures`, whatever the data.
FIGURE_QUERIES = 4
#: Queries of :func:`breakdown`, whatever the data.
BREAKDOWN_QUERIES = 3
#: Queries of :func:`lifecycle_cost` and of :func:`defect_record`.
LIFECYCLE_QUERIES = 1
DEFECT_RECORD_QUERIES = 1
#: The default window: the days up to today.
WINDOW_DAYS = 90
ONE_PLACE = Decimal("0.1")
CENT = Decimal("0.01")
ZERO = Decimal("0")
OPEN = tuple(str(status) for status in OPEN_STATUSES)
PRIORITIES: tuple[str, ...] = tuple(Priority.values)
#: Open work orders' age buckets: (key, from days, to days (excluded) or None).
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("lt1", 0, 1),
    ("1to7", 1, 7),
    ("7to30", 7, 30),
    ("gt30", 30, None),
)
AGE_KEYS = tuple(key for key, _start, _end in AGE_BUCKETS)
_MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=18, decimal_places=2)


def _rounded(value: Decimal | float | None, places: Decimal = ONE_PLACE) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(places, rounding=ROUND_HALF_UP)


def _percent(part: int, whole: int) -> Decimal | None:
    return None if not whole else _rounded(Decimal(part) * 100 / Decimal(whole))


# --- filters ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """What the figures are read for: an organisation's assets and work, narrowed by any of these ids,
    over the window ``since``..``until`` (dates)."""

    site: int | None = None
    category: int | None = None
    contractor: int | None = None
    origin_project: int | None = None
    since: dt.date | None = None
    until: dt.date | None = None

    def window(self, today: dt.date) -> tuple[dt.date, dt.date]:
        until = self.until or today
        since = self.since or until - dt.timedelta(days=WINDOW_DAYS - 1)
        return since, until

    def with_window(self, today: dt.date) -> Scope:
        since, until = self.window(today)
        return replace(self, since=since, until=until)

    @property
    def filters(self) -> dict[str, int]:
        """The filters set, by their query names (the lists' query names too)."""
        found = {
            "site": self.site,
            "category": self.category,
            "contractor": self.contractor,
            "origin_project": self.origin_project,
        }
        return {name: value for name, value in found.items() if value is not None}


def _work_order_q(scope: Scope) -> Q:
    q = Q()
    if scope.site is not None:
        q &= Q(site_id=scope.site)
    if scope.category is not None:
        q &= Q(asset__category_id=scope.category)
    if scope.contractor is not None:
        q &= Q(contractor_id=scope.contractor)
    if scope.origin_project is not None:
        q &= Q(origin_project_id=scope.origin_project)
    return q


def _asset_q(scope: Scope, prefix: str = "") -> Q:
    q = Q()
    if scope.site is not None:
        q &= Q(**{f"{prefix}site_id": scope.site})
    if scope.category is not None:
        q &= Q(**{f"{prefix}category_id": scope.category})
    if scope.contractor is not None:
        q &= Q(**{f"{prefix}contractor_id": scope.contractor})
    if scope.origin_project is not None:
        q &= Q(**{f"{prefix}origin_project_id": scope.origin_project})
    return q


def _defect_q(scope: Scope) -> Q:
    q = Q()
    if scope.site is not None:
        q &= Q(asset__site_id=scope.site)
    if scope.category is not None:
        q &= Q(asset__category_id=scope.category)
    if scope.contractor is not None:
        q &= Q(contractor_id=scope.contractor)
    if scope.origin_project is not None:
        q &= Q(origin_project_id=scope.origin_project)
    return q


def day_bounds(organization: Organization, since: dt.date, until: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The window as moments: from midnight of ``since`` to midnight after ``until``, in the organisation's zone."""
    zone = zoneinfo.ZoneInfo(organization.time_zone)
    start = dt.datetime.combine(since, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


# --- the predicates the lists share ---------------------------------------------------------------


def open_q() -> Q:
    """A work order still to be done."""
    return Q(status__in=OPEN)


def age_q(key: str, now: dt.datetime) -> Q:
    """Opened within the age bucket ``key`` of ``AGE_BUCKETS`` (open or not: combine with :func:`open_q`)."""
    for bucket, start, end in AGE_BUCKETS:
        if bucket == key:
            q = Q(opened_at__lte=now - dt.timedelta(days=start))
            if end is not None:
                q &= Q(opened_at__gt=now - dt.timedelta(days=end))
            return q
    raise ValueError(f"Unknown age bucket {key!r}.")


def round_overdue_q(today: dt.date) -> Q:
    """A round open (scheduled or in progress) past its due day."""
    return Q(status__in=(RoundStatus.SCHEDULED, RoundStatus.IN_PROGRESS), due_date__lt=today)


def surface_expression() -> Any:
    """An asset's known surface in SQL (``Asset.judged_surface``): its surface, else its quantity in m²."""
    return Coalesce(
        F("surface_area"),
        Case(When(unit=Unit.SQUARE_METRE, quantity__gt=0, then=F("quantity")), default=Value(None)),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


# --- the figures --------------------------------------------------------------------------------


@dataclass
class MaintenanceFigures:
    """The O&M figures of a scope over a window (see the module's docstring for what each counts)."""

    scope: Scope
    today: dt.date
    now: dt.datetime
    response_measurable: int = 0
    response_met: int = 0
    resolution_measurable: int = 0
    resolution_met: int = 0
    opened: int = 0
    open_by_priority: dict[str, int] = field(default_factory=dict)
    open_by_age: dict[str, int] = field(default_factory=dict)
    overdue: int = 0
    breached: int = 0
    completed: int = 0
    mean_hours_to_repair: Decimal | None = None
    cost: Decimal = ZERO
    cost_on_surface: Decimal = ZERO
    assets: int = 0
    surface: Decimal = ZERO
    assets_with_surface: int = 0
    rounds_counted: int = 0
    rounds_on_time: int = 0
    rounds_overdue: int = 0
    defects: int = 0
    defects_open: int = 0
    warranty_claims: int = 0
    #: (category id, name, criterion id, criterion code, measure, found, open, warranty claims).
    defect_rows: list[DefectRow] = field(default_factory=list)

    @property
    def response_compliance(self) -> Decimal | None:
        return _percent(self.response_met, self.response_measurable)

    @property
    def resolution_compliance(self) -> Decimal | None:
        return _percent(self.resolution_met, self.resolution_measurable)

    @property
    def open_work_orders(self) -> int:
        return sum(self.open_by_priority.values())

    @property
    def inspection_completion(self) -> Decimal | None:
        return _percent(self.rounds_on_time, self.rounds_counted)

    @property
    def cost_per_asset(self) -> Decimal | None:
        return None if not self.assets else (self.cost / self.assets).quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def cost_per_m2(self) -> Decimal | None:
        if not self.surface:
            return None
        return (self.cost_on_surface / self.surface).quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def by_category(self) -> list[CategoryDefects]:
        """The defect rows summed per category, the most defects first."""
        found: dict[int, CategoryDefects] = {}
        for row in self.defect_rows:
            item = found.get(row.category_id)
            if item is None:
                item = found[row.category_id] = CategoryDefects(row.category_id, row.category)
            item.found += row.found
            item.open += row.open
            item.warranty_claims += row.warranty_claims
            item.criteria.append(row)
        return sorted(found.values(), key=lambda item: (-item.found, item.name))

    @property
    def is_empty(self) -> bool:
        """Nothing to show: no asset, no work order opened or open, no round, no defect."""
        return not (self.assets or self.opened or self.open_work_orders or self.rounds_counted or self.defects)


@dataclass
class DefectRow:
    category_id: int
    category: str
    criterion_id: int
    criterion: str
    measure: str
    found: int
    open: int
    warranty_claims: int


@dataclass
class CategoryDefects:
    category_id: int
    name: str
    found: int = 0
    open: int = 0
    warranty_claims: int = 0
    criteria: list[DefectRow] = field(default_factory=list)


def _bilingual(zh: str | None, en: str | None) -> str:
    from maintenance.models.settings import bilingual

    return bilingual(zh or "", en or "")


def _work_order_sums(now: dt.datetime, start: dt.datetime, end: dt.datetime) -> dict[str, Any]:
    """The aggregate expressions of the work orders' figures."""
    not_cancelled = ~Q(status=WorkOrderStatus.CANCELLED)
    opened = not_cancelled & Q(opened_at__gte=start, opened_at__lt=end)
    responded = Q(started_at__isnull=False)
    resolved = Q(completed_at__isnull=False)
    completed = not_cancelled & Q(completed_at__gte=start, completed_at__lt=end)
    sums: dict[str, Any] = {
        "opened": Count("pk", filter=opened),
        "response_measurable": Count("pk", filter=opened & (responded | Q(response_due_at__lt=now))),
        "response_met": Count("pk", filter=opened & Q(started_at__lte=F("response_due_at"))),
        "resolution_measurable": Count("pk", filter=opened & (resolved | Q(resolution_due_at__lt=now))),
        "resolution_met": Count("pk", filter=opened & Q(completed_at__lte=F("resolution_due_at"))),
        "overdue": Count("pk", filter=overdue_q(now)),
        "breached": Count("pk", filter=open_q() & breached_q(now)),
        "completed": Count("pk", filter=completed),
        "repair": Avg(
            ExpressionWrapper(F("completed_at") - F("opened_at"), output_field=DurationField()), filter=completed
        ),
        "spent": Coalesce(Sum("cost", filter=completed), Value(ZERO), output_field=_MONEY),
    }
    for priority in PRIORITIES:
        sums[f"p_{priority}"] = Count("pk", filter=open_q() & Q(priority=priority))
    for key, _start, _end in AGE_BUCKETS:
        sums[f"age_{key}"] = Count("pk", filter=open_q() & age_q(key, now))
    return sums


def _hours(value: dt.timedelta | None) -> Decimal | None:
    if value is None:
        return None
    return _rounded(Decimal(str(value.total_seconds())) / 3600)


def maintenance_figures(
    organization: Organization, scope: Scope | None = None, *, now: dt.datetime | None = None
) -> MaintenanceFigures:
    """The O&M figures of the organisation within ``scope``: ``FIGURE_QUERIES`` queries whatever the data."""
    now = now or timezone.now()
    zone = zoneinfo.ZoneInfo(organization.time_zone)
    today = now.astimezone(zone).date()
    since, until = (scope or Scope()).window(today)
    scope = replace(scope or Scope(), since=since, until=until)
    start, end = day_bounds(organization, since, until)
    figures = MaintenanceFigures(scope=scope, today=today, now=now)

    # 1. Work orders, with the cost on assets of known surface.
    surfaced = Q(asset__surface_area__isnull=False) | Q(asset__unit=Unit.SQUARE_METRE, asset__quantity__gt=0)
    completed = ~Q(status=WorkOrderStatus.CANCELLED) & Q(completed_at__gte=start, completed_at__lt=end)
    sums = _work_order_sums(now, start, end)
    sums["cost_on_surface"] = Coalesce(Sum("cost", filter=completed & surfaced), Value(ZERO), output_field=_MONEY)
    row = WorkOrder.objects.for_organization(organization).filter(_work_order_q(scope)).aggregate(**sums)
    figures.opened = row["opened"]
    figures.response_measurable, figures.response_met = row["response_measurable"], row["response_met"]
    figures.resolution_measurable, figures.resolution_met = row["resolution_measurable"], row["resolution_met"]
    figures.overdue, figures.breached, figures.completed = row["overdue"], row["breached"], row["completed"]
    figures.mean_hours_to_repair = _hours(row["repair"])
    figures.cost = Decimal(row["spent"]).quantize(CENT)
    figures.cost_on_surface = Decimal(row["cost_on_surface"]).quantize(CENT)
    figures.open_by_priority = {priority: row[f"p_{priority}"] for priority in PRIORITIES}
    figures.open_by_age = {key: row[f"age_{key}"] for key in AGE_KEYS}

    # 2. The active assets and their known surface.
    assets = (
        Asset.objects.for_organization(organization)
        .filter(_asset_q(scope), status=AssetStatus.ACTIVE)
        .annotate(known_surface=surface_expression())
        .aggregate(
            n=Count("pk"),
            surfaced=Count("pk", filter=Q(known_surface__isnull=False)),
            surface=Coalesce(Sum("known_surface"), Value(ZERO), output_field=_MONEY),
        )
    )
    figures.assets, figures.assets_with_surface = assets["n"], assets["surfaced"]
    figures.surface = Decimal(assets["surface"]).quantize(CENT)

    # 3. Rounds: due in the window (and counted), on time, and overdue now.
    rounds = _rounds(organization, scope).annotate(done_on=TruncDate("completed_at", tzinfo=zone))
    in_window = ~Q(status=RoundStatus.CANCELLED) & Q(due_date__gte=since, due_date__lte=until)
    counted = in_window & (Q(due_date__lt=today) | Q(status=RoundStatus.COMPLETED))
    round_row = rounds.aggregate(
        counted=Count("pk", filter=counted),
        on_time=Count("pk", filter=counted & Q(status=RoundStatus.COMPLETED, done_on__lte=F("due_date"))),
        overdue=Count("pk", filter=round_overdue_q(today)),
    )
    figures.rounds_counted, figures.rounds_on_time = round_row["counted"], round_row["on_time"]
    figures.rounds_overdue = round_row["overdue"]

    # 4. Defects found in the window, per category and criterion.
    figures.defect_rows = _defect_rows(
        Defect.objects.for_organization(organization).filter(_defect_q(scope), found_at__gte=start, found_at__lt=end)
    )
    figures.defects = sum(item.found for item in figures.defect_rows)
    figures.defects_open = sum(item.open for item in figures.defect_rows)
    figures.warranty_claims = sum(item.warranty_claims for item in figures.defect_rows)
    return figures


def _rounds(organization: Organization, scope: Scope) -> QuerySet[Round]:
    """The organisation's rounds, those stopping at an asset in scope when an asset filter is set."""
    rounds = Round.objects.for_organization(organization)
    asset_q = _asset_q(scope, "asset__")
    if asset_q:
        stops = RoundStop.objects.filter(asset_q, round_id=OuterRef("pk"))
        rounds = rounds.filter(Exists(stops))
    return rounds


def _defect_rows(defects: QuerySet[Defect]) -> list[DefectRow]:
    rows = (
        defects.values("asset__category_id", "criterion_id")
        .annotate(
            category_zh=Max("asset__category__name_zh"),
            category_en=Max("asset__category__name_en"),
            code=Max("criterion__code"),
            measure_zh=Max("criterion_version__measure_zh"),
            measure_en=Max("criterion_version__measure_en"),
            found=Count("pk"),
            still_open=Count("pk", filter=Q(status=DefectStatus.OPEN)),
            claims=Count("pk", filter=Q(warranty_claim=True)),
        )
        .order_by("asset__category_id", "criterion_id")
    )
    return [
        DefectRow(
            row["asset__category_id"],
            _bilingual(row["category_zh"], row["category_en"]),
            row["criterion_id"],
            row["code"],
            _bilingual(row["measure_zh"], row["measure_en"]),
            row["found"],
            row["still_open"],
            row["claims"],
        )
        for row in rows
    ]


# --- breakdowns: per site, contractor, category or origin project -----------------------------------


@dataclass
class BreakdownRow:
    """One site's (contractor's, category's, project's) figures in a table of them."""

    key: int | None
    label: str
    assets: int = 0
    open: int = 0
    overdue: int = 0
    response_measurable: int = 0
    response_met: int = 0
    resolution_measurable: int = 0
    resolution_met: int = 0
    cost: Decimal = ZERO
    defects: int = 0
    warranty_claims: int = 0

    @property
    def response_compliance(self) -> Decimal | None:
        return _percent(self.response_met, self.response_measurable)

    @property
    def resolution_compliance(self) -> Decimal | None:
        return _percent(self.resolution_met, self.resolution_measurable)

    @property
    def cost_per_asset(self) -> Decimal | None:
        return None if not self.assets else (self.cost / self.assets).quantize(CENT, rounding=ROUND_HALF_UP)


#: By what a breakdown groups: (work orders' field, assets' field, defects' field, label fields).
BREAKDOWNS: Mapping[str, tuple[str, str, str]] = {
    "site": ("site_id", "site_id", "asset__site_id"),
    "contractor": ("contractor_id", "contractor_id", "contractor_id"),
    "category": ("asset__category_id", "category_id", "asset__category_id"),
    "origin_project": ("origin_project_id", "origin_project_id", "origin_project_id"),
}


def breakdown(
    organization: Organization, by: str, scope: Scope | None = None, *, now: dt.datetime | None = None
) -> list[BreakdownRow]:
    """The figures of each site (contractor, category, origin project) within ``scope``:
    ``BREAKDOWN_QUERIES`` queries whatever the data. Rows with nothing at all are left out; the row
    of work orders and assets with none (no contractor, no project) has the key None."""
    now = now or timezone.now()
    zone = zoneinfo.ZoneInfo(organization.time_zone)
    today = now.astimezone(zone).date()
    since, until = (scope or Scope()).window(today)
    scope = replace(scope or Scope(), since=since, until=until)
    start, end = day_bounds(organization, since, until)
    order_field, asset_field, defect_field = BREAKDOWNS[by]
    rows: dict[int | None, BreakdownRow] = {}

    def row_of(key: int | None) -> BreakdownRow:
        if key not in rows:
            rows[key] = BreakdownRow(key, "")
        return rows[key]

    sums = _work_order_sums(now, start, end)
    keep = ("response_measurable", "response_met", "resolution_measurable", "resolution_met", "overdue")
    wanted = {name: sums[name] for name in (*keep, "spent")}
    wanted["open_now"] = Count("pk", filter=open_q())
    for item in (
        WorkOrder.objects.for_organization(organization)
        .filter(_work_order_q(scope))
        .values(order_field)
        .annotate(**wanted)
        .order_by(order_field)
    ):
        row = row_of(item[order_field])
        for name in keep:
            setattr(row, name, item[name])
        row.open = item["open_now"]
        row.cost = Decimal(item["spent"]).quantize(CENT)
    for key, count in (
        Asset.objects.for_organization(organization)
        .filter(_asset_q(scope), status=AssetStatus.ACTIVE)
        .values(asset_field)
        .annotate(n=Count("pk"))
        .order_by(asset_field)
        .values_list(asset_field, "n")
    ):
        row_of(key).assets = count
    for key, found, claims in (
        Defect.objects.for_organization(organization)
        .filter(_defect_q(scope), found_at__gte=start, found_at__lt=end)
        .values(defect_field)
        .annotate(n=Count("pk"), claims=Count("pk", filter=Q(warranty_claim=True)))
        .order_by(defect_field)
        .values_list(defect_field, "n", "claims")
    ):
        row_of(key).defects, row_of(key).warranty_claims = found, claims
    found = [row for row in rows.values() if row.assets or row.open or row.response_measurable or row.defects]
    found = [row for row in found if row.key is not None or by in ("contractor", "origin_project")]
    return found


def label_breakdown(organization: Organization, by: str, rows: list[BreakdownRow]) -> list[BreakdownRow]:
    """Name the rows (one query) and order them by name, the row without a key last."""
    from maintenance.models import AssetCategory, Contractor, Site
    from projects.models import Project

    ids = [row.key for row in rows if row.key is not None]
    names: dict[int, str] = {}
    if ids:
        if by == "site":
            names = {
                pk: f"{code} {name}"
                for pk, code, name in Site.objects.for_organization(organization)
                .filter(pk__in=ids)
                .values_list("pk", "code", "name")
            }
        elif by == "contractor":
            names = dict(Contractor.objects.for_organization(organization).filter(pk__in=ids).values_list("pk", "name"))
        elif by == "category":
            names = {
                pk: _bilingual(zh, en)
                for pk, zh, en in AssetCategory.objects.for_organization(organization)
                .filter(pk__in=ids)
                .values_list("pk", "name_zh", "name_en")
            }
        else:
            names = {
                pk: f"{code} {name}"
                for pk, code, name in Project.objects.for_organization(organization)
                .filter(pk__in=ids)
                .values_list("pk", "code", "name")
            }
    for row in rows:
        row.label = names.get(row.key, "") if row.key is not None else ""
    return sorted(rows, key=lambda row: (row.key is None, row.label))


# --- lifecycle cost and a builder's record -----------------------------------------------------------


@dataclass
class LifecycleCost:
    """Every work order's cost, labour and count (cancelled ones left out), all time, by kind."""

    cost: Decimal = ZERO
    labour_hours: Decimal = ZERO
    work_orders: int = 0
    by_kind: dict[str, Decimal] = field(default_factory=dict)

    @property
    def kinds(self) -> list[tuple[str, Any, Decimal]]:
        return [(kind, label, self.by_kind.get(kind, ZERO)) for kind, label in WorkOrderKind.choices]


def lifecycle_cost(
    organization: Organization,
    *,
    asset: int | None = None,
    site: int | None = None,
    origin_project: int | None = None,
) -> LifecycleCost:
    """The lifecycle cost of an asset, a site or an origin project (one of them): one query.

    A site's is that of the work orders on it (with or without an asset); an origin project's that of
    the work orders on the assets it delivered (the work order keeps the asset's origin project)."""
    q = Q()
    if asset is not None:
        q &= Q(asset_id=asset)
    if site is not None:
        q &= Q(site_id=site)
    if origin_project is not None:
        q &= Q(origin_project_id=origin_project)
    sums: dict[str, Any] = {
        "spent": Coalesce(Sum("cost"), Value(ZERO), output_field=_MONEY),
        "labour": Coalesce(Sum("labour_hours"), Value(ZERO), output_field=_MONEY),
        "n": Count("pk"),
    }
    for kind in WorkOrderKind.values:
        sums[f"k_{kind}"] = Coalesce(Sum("cost", filter=Q(kind=kind)), Value(ZERO), output_field=_MONEY)
    row = (
        WorkOrder.objects.for_organization(organization)
        .filter(q)
        .exclude(status=WorkOrderStatus.CANCELLED)
        .aggregate(**sums)
    )
    return LifecycleCost(
        cost=Decimal(row["spent"]).quantize(CENT),
        labour_hours=Decimal(row["labour"]).quantize(CENT),
        work_orders=row["n"],
        by_kind={kind: Decimal(row[f"k_{kind}"]).quantize(CENT) for kind in WorkOrderKind.values},
    )


@dataclass
class DefectRecord:
    """The defects of the assets a project delivered or a contractor built, all time."""

    defects: int = 0
    open: int = 0
    warranty_claims: int = 0
    open_warranty_claims: int = 0
    assets: int = 0


def defect_record(
    organization: Organization, *, origin_project: int | None = None, contractor: int | None = None
) -> DefectRecord:
    """An origin project's or a contractor's defects and warranty claims, all time: one query."""
    q = Q()
    if origin_project is not None:
        q &= Q(origin_project_id=origin_project)
    if contractor is not None:
        q &= Q(contractor_id=contractor)
    is_open = Q(status=DefectStatus.OPEN)
    claim = Q(warranty_claim=True)
    row = (
        Defect.objects.for_organization(organization)
        .filter(q)
        .aggregate(
            n=Count("pk"),
            open=Count("pk", filter=is_open),
            claims=Count("pk", filter=claim),
            open_claims=Count("pk", filter=claim & is_open),
            assets=Count("asset_id", distinct=True),
        )
    )
    return DefectRecord(row["n"], row["open"], row["claims"], row["open_claims"], row["assets"])
