"""A small O&M data set whose figures are worked out by hand (tests/maintenance/test_figures_by_hand.py).

The organisation is in Asia/Shanghai (UTC+8); now is Wednesday 18 March 2026, 12:00 there. The
window is the default: the 90 days up to today, 19 December 2025 to 18 March 2026.

Sites S1 and S2; categories road and seat; contractors K1 and K2; project P delivered A1 and A2.

=====  =====  ======  =========================  ==========  ========
asset  site   cat.    surface                    built by    project
=====  =====  ======  =========================  ==========  ========
A1     S1     road    100 m² (surface_area)      K1          P
A2     S1     road    50 m² (quantity in m²)     K1          P
A3     S2     seat    unknown (count)            K2          —
A4     S2     seat    retired                    K2          —
=====  =====  ======  =========================  ==========  ========

Work orders (T = now; contractor = the one assigned):

===  ===  ==  ===========  =================  ================  ==================  =================  =====  ====
WO   on   P   opened       respond by         started           resolve by          completed          cost   by
===  ===  ==  ===========  =================  ================  ==================  =================  =====  ====
W1   A1   P1  T-10d        T-10d+2h           T-10d+1h (met)    T-9d                T-9d-1h (met)      1000   K1
W2   A2   P2  T-5d         T-5d+8h            T-5d+10h (late)   T-2d                T-1d (late)        500    K1
W3   A3   P3  T-3d         T-1d               — (late)          T+5d                — (open)           0      —
W4   A1   P1  T-40d        T-40d+2h           T-40d+1h (met)    T-39d               — (late, open)     0      K2
W5   A3   P4  T-2h         T+6h               —                 T+70h               —                  0      —
W6   A1   P3  T-1d         cancelled                                                                   0      —
W7   A2   P3  T-100d       (outside the window)                 completed T-95d, closed                300    K1
===  ===  ==  ===========  =================  ================  ==================  =================  =====  ====

Rounds (today = 18 March): R1 due 10 March done 10 March 23:30 (on time, late in UTC); R2 due 11
March done 12 March (late); R3 due 13 March open (counted, overdue); R4 due today open (not
counted); R5 due 17 March done 16 March (counted, on time); R6 due 5 March cancelled.

Defects: D1 A1 pothole open, warranty claim; D2 A1 pothole resolved; D3 A2 bump open; D4 A3 rust
resolved, warranty claim; D5 A1 pothole found T-100d, resolved (outside the window).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

from maintenance.models import (
    Asset,
    AssetCategory,
    Contractor,
    Criterion,
    Site,
    Unit,
    WorkOrder,
)
from pmo.models import Organization
from projects.models import Project
from tests.factories import (
    AssetCategoryFactory,
    AssetFactory,
    ContractorFactory,
    CriterionFactory,
    DefectFactory,
    InspectionPlanFactory,
    ProjectFactory,
    RoundFactory,
    RoundStopFactory,
    SiteFactory,
    WorkOrderFactory,
)

ZONE = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 3, 18, 12, 0, tzinfo=ZONE)
TODAY = NOW.date()


def ago(days: float = 0, hours: float = 0, now: dt.datetime = NOW) -> dt.datetime:
    return now - dt.timedelta(days=days, hours=hours)


@dataclass
class HandWorked:
    organization: Organization
    project: Project
    s1: Site
    s2: Site
    road: AssetCategory
    seat: AssetCategory
    k1: Contractor
    k2: Contractor
    a1: Asset
    a2: Asset
    a3: Asset
    pothole: Criterion
    bump: Criterion
    rust: Criterion
    work_orders: dict[str, WorkOrder]


def hand_worked(organization: Organization, now: dt.datetime = NOW) -> HandWorked:
    """The data set around ``now`` (by default 18 March 2026 12:00; another moment shifts every time and date)."""
    org = organization
    now = now.astimezone(ZONE)
    shift = now.date() - TODAY

    def ago(days: float = 0, hours: float = 0) -> dt.datetime:
        return now - dt.timedelta(days=days, hours=hours)

    def day(number: int) -> dt.date:
        return dt.date(2026, 3, number) + shift

    def local(number: int, hour: int = 12, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day(number), dt.time(hour, minute), tzinfo=ZONE)

    project = ProjectFactory(organization=org, code="P", name="Riverside park")
    s1 = SiteFactory(organization=org, code="S1", name="North bank")
    s2 = SiteFactory(organization=org, code="S2", name="South bank")
    road = AssetCategoryFactory(organization=org, code="road", name_zh="沥青道路", name_en="Asphalt road")
    seat = AssetCategoryFactory(organization=org, code="seat", name_zh="座椅", name_en="Seat")
    k1 = ContractorFactory(organization=org, name="K1 Paving")
    k2 = ContractorFactory(organization=org, name="K2 Furniture")
    a1 = AssetFactory(
        site=s1, category=road, code="A1", surface_area=Decimal("100"), contractor=k1, origin_project=project
    )
    a2 = AssetFactory(
        site=s1,
        category=road,
        code="A2",
        quantity=Decimal("50"),
        unit=Unit.SQUARE_METRE,
        contractor=k1,
        origin_project=project,
    )
    a3 = AssetFactory(site=s2, category=seat, code="A3", contractor=k2)
    AssetFactory(
        site=s2, category=seat, code="A4", contractor=k2, status="retired", retired_on=TODAY, retired_reason="Gone"
    )

    def order(
        name: str,
        asset: Asset,
        priority: str,
        opened: dt.datetime,
        respond: dt.datetime,
        resolve: dt.datetime,
        **fields: object,
    ) -> WorkOrder:
        fields.setdefault("origin_project", asset.origin_project)
        return WorkOrderFactory(
            asset=asset,
            title=name,
            priority=priority,
            opened_at=opened,
            response_due_at=respond,
            resolution_due_at=resolve,
            **fields,
        )

    orders = {
        "W1": order(
            "W1",
            a1,
            "P1",
            ago(10),
            ago(10) + dt.timedelta(hours=2),
            ago(9),
            status="closed",
            started_at=ago(10) + dt.timedelta(hours=1),
            completed_at=ago(9, 1),
            cost=Decimal("1000"),
            contractor=k1,
        ),
        "W2": order(
            "W2",
            a2,
            "P2",
            ago(5),
            ago(5) + dt.timedelta(hours=8),
            ago(2),
            status="verified",
            started_at=ago(5) + dt.timedelta(hours=10),
            completed_at=ago(1),
            cost=Decimal("500"),
            contractor=k1,
        ),
        "W3": order("W3", a3, "P3", ago(3), ago(1), ago(-5), status="open"),
        "W4": order(
            "W4",
            a1,
            "P1",
            ago(40),
            ago(40) + dt.timedelta(hours=2),
            ago(39),
            status="in_progress",
            started_at=ago(40) + dt.timedelta(hours=1),
            contractor=k2,
        ),
        "W5": order("W5", a3, "P4", ago(0, 2), ago(0, -6), ago(0, -70), status="open"),
        "W6": order(
            "W6",
            a1,
            "P3",
            ago(1),
            ago(0, 1),
            ago(0, 1),
            status="cancelled",
            cancel_reason="Duplicate",
            cancelled_at=ago(0, 20),
        ),
        "W7": order(
            "W7",
            a2,
            "P3",
            ago(100),
            ago(99),
            ago(96),
            status="closed",
            started_at=ago(99, 1),
            completed_at=ago(95),
            cost=Decimal("300"),
            contractor=k1,
        ),
    }

    plan = InspectionPlanFactory(organization=org)
    rounds = [
        RoundFactory(
            plan=plan,
            period_start=day(2),
            period_end=day(2),
            due_date=day(10),
            status="completed",
            completed_at=local(10, 23, 30),
        ),
        RoundFactory(
            plan=plan,
            period_start=day(3),
            period_end=day(3),
            due_date=day(11),
            status="completed",
            completed_at=local(12, 9),
        ),
        RoundFactory(plan=plan, period_start=day(4), period_end=day(4), due_date=day(13)),
        RoundFactory(plan=plan, period_start=day(5), period_end=day(5), due_date=day(18)),
        RoundFactory(
            plan=plan,
            period_start=day(6),
            period_end=day(6),
            due_date=day(17),
            status="completed",
            completed_at=local(16, 10),
        ),
        RoundFactory(
            plan=plan,
            period_start=day(1),
            period_end=day(1),
            due_date=day(5),
            status="cancelled",
            cancel_reason="Flood",
        ),
    ]
    # R1, R2 and R3 stop at A1 (site S1); R5 at A3 (site S2); R4 and R6 at both.
    for index, stops in enumerate([(a1,), (a1,), (a1,), (a1, a3), (a3,), (a1, a3)]):
        for position, asset in enumerate(stops):
            RoundStopFactory(round=rounds[index], asset=asset, position=position)

    pothole = CriterionFactory(category=road, code="pothole")
    bump = CriterionFactory(category=road, code="bump", version__measure_en="Bump", version__measure_zh="拥包")
    rust = CriterionFactory(
        category=seat, code="rust", version__measure_en="Rusted area", version__measure_zh="锈蚀面积"
    )

    def defect(asset: Asset, criterion: Criterion, found: dt.datetime, **fields: object) -> None:
        DefectFactory(
            asset=asset,
            criterion=criterion,
            found_at=found,
            contractor=asset.contractor,
            origin_project=asset.origin_project,
            **fields,
        )

    defect(a1, pothole, ago(20), warranty_claim=True)
    defect(a1, pothole, ago(30), status="resolved", resolved_at=ago(25))
    defect(a2, bump, ago(4))
    defect(a3, rust, ago(2), status="resolved", resolved_at=ago(1), warranty_claim=True)
    defect(a1, pothole, ago(100), status="resolved", resolved_at=ago(90))
    return HandWorked(org, project, s1, s2, road, seat, k1, k2, a1, a2, a3, pothole, bump, rust, orders)
