"""A round ready to be walked: a plan over a site's assets, its criteria and one generated round."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from maintenance.generation import generate_rounds
from maintenance.models import CriterionKind, Frequency, InspectionPlan, Round, RoundStop
from pmo.models import Organization, OrgRole, User
from tests.factories import (
    AssetCategoryFactory,
    AssetFactory,
    CriterionFactory,
    InspectionPlanFactory,
    MaintenanceSettingsFactory,
    SiteFactory,
    member,
)

MONDAY = dt.date(2026, 3, 2)


@dataclass
class Walk:
    organization: Organization
    plan: InspectionPlan
    round: Round
    stops: list[RoundStop]
    depth: Any
    cover: Any
    user: User


def walk(organization: Organization, assets: int = 2, **asset_fields: Any) -> Walk:
    """A weekly round over ``assets`` assets with two criteria: pothole depth > 20 mm (P2) and the
    share of the surface missing > 5 % (percentage)."""
    MaintenanceSettingsFactory(organization=organization, round_lead_days=0)
    category = AssetCategoryFactory(organization=organization)
    depth = CriterionFactory(
        organization=organization, category=category, code="pothole", position=1, version__priority="P2"
    )
    cover = CriterionFactory(
        organization=organization,
        category=category,
        code="missing",
        position=2,
        version__kind=CriterionKind.PERCENTAGE,
        version__measure_en="Missing surface",
        version__measure_zh="缺损面积",
        version__unit="%",
        version__limit=Decimal("5"),
    )
    site = SiteFactory(organization=organization)
    fields = {"surface_area": Decimal("200"), **asset_fields}
    for number in range(assets):
        AssetFactory(organization=organization, site=site, category=category, route_order=number, **fields)
    user = member(organization, OrgRole.MAINTENANCE).user
    plan = InspectionPlanFactory(organization=organization, frequency=Frequency.WEEKLY, starts_on=MONDAY)
    generate_rounds(organization=organization, today=MONDAY)
    made = Round.objects.for_organization(organization).get(plan=plan)
    stops = list(RoundStop.objects.for_organization(organization).filter(round=made).select_related("asset"))
    return Walk(organization, plan, made, stops, depth, cover, user)
