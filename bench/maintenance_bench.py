"""Time the two heavy writes of maintenance: a day's inspection rounds, and judging a submitted round.

Run with ``python -m bench.maintenance_bench`` (SQLite in a temporary folder) or against PostgreSQL with a
scratch database of its own, e.g. ``createdb -h 127.0.0.1 pmo_mbench`` then
``DATABASE_URL=postgres://127.0.0.1/pmo_mbench python -m bench.maintenance_bench`` (it migrates that
database and adds a fresh organisation each run, ``bench-maintenance-<pid>``, dropped at the end).

The organisation has the built-in catalogue of categories and criteria and ``ASSETS`` assets (50,000)
over 100 sites of five areas, the categories in turn. Then:

1. **A day's rounds for 5,000 assets** (target: under 10 s). ``DAILY_PLANS`` daily plans (every day)
   each cover one area of ``ASSETS_PER_PLAN`` assets; with rounds made for today only (``round_lead_days``
   0), ``maintenance.generation.generate_rounds`` makes one round a plan with a stop per asset. It is
   run twice: the second run makes nothing (exactly once), and shows what a run costs when the rounds
   exist. Then once more with one plan over 5,000 assets (one site's worth of areas, ten sites).
2. **Judging a submitted round** (target: a fixed number of queries). A round of asphalt-road assets,
   each read against every criterion; ``maintenance.services.rounds.round_submit_readings`` takes 20,
   then 200 readings in a round of their own each time, all within the standard, then with one in ten
   breaching (each breach opens a defect and its work order, which costs queries of its own); the query
   count of the readings themselves must not grow with their number.

It prints timings and query counts; nothing here asserts on them.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import tempfile
import time
from decimal import Decimal
from typing import Any

ASSETS = 50_000
SITES = 100
AREAS_PER_SITE = 5
DAILY_PLANS = 50
ASSETS_PER_PLAN = 100
BIG_PLAN_SITES = 10
SUBMISSIONS = (20, 200)
REPETITIONS = 3


def main() -> None:
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmo.settings.test")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from dashboard.management.commands.seed_bench import drop_bench_organization
    from pmo.models import Membership, OrgRole, User
    from pmo.services import organization_create

    user = User.objects.filter(username="bench-maintenance").first() or User.objects.create(
        username="bench-maintenance", display_name="Bench inspector"
    )
    organization = organization_create(
        actor=None,
        name="Bench maintenance",
        slug=f"bench-maintenance-{os.getpid()}",
        admin=user,
        time_zone="Asia/Shanghai",
    )
    Membership.objects.for_organization(organization).filter(user=user).update(role=OrgRole.ADMIN)
    try:
        started = time.perf_counter()
        sites, areas = register(organization)
        print(
            f"{ASSETS:,} assets over {len(sites)} sites and {len(areas)} areas in {time.perf_counter() - started:.1f} s"
        )
        generation(organization, user, areas, sites)
        submission(organization, user, sites)
    finally:
        drop_bench_organization(organization)


def register(organization: Any) -> tuple[list[Any], list[Any]]:
    """The catalogue, settings and the assets, bulk-inserted; the sites and areas."""
    from maintenance.models import Area, Asset, AssetCategory, Site, Unit
    from maintenance.services.settings import maintenance_settings_for
    from maintenance.standards import ensure_catalogue

    ensure_catalogue(organization)
    maintenance_settings_for(organization)
    categories = [
        category
        for category in AssetCategory.objects.for_organization(organization).filter(is_active=True)
        if category.criteria.filter(retired_at__isnull=True).exists()
    ]
    sites = Site.objects.bulk_create(
        [Site(organization=organization, code=f"S{number:03d}", name=f"Site {number}") for number in range(SITES)]
    )
    areas = Area.objects.bulk_create(
        [
            Area(organization=organization, site=site, name=f"Area {number}", position=number)
            for site in sites
            for number in range(AREAS_PER_SITE)
        ]
    )
    per_area = ASSETS // len(areas)
    Asset.objects.bulk_create(
        [
            Asset(
                organization=organization,
                code=f"A{index:03d}-{number:04d}",
                name=f"Asset {index}-{number}",
                category=categories[(index + number) % len(categories)],
                site=area.site,
                area=area,
                quantity=Decimal(100),
                unit=Unit.SQUARE_METRE,
                route_order=number,
            )
            for index, area in enumerate(areas)
            for number in range(per_area)
        ],
        batch_size=5000,
    )
    return sites, areas


def generation(organization: Any, user: Any, areas: list[Any], sites: list[Any]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from maintenance.generation import generate_rounds
    from maintenance.models import DayRule, Frequency, InspectionPlan, MaintenanceSettings, Round

    MaintenanceSettings.objects.for_organization(organization).update(round_lead_days=0)
    today = organization.today()
    plans = InspectionPlan.objects.bulk_create(
        [
            InspectionPlan(
                organization=organization,
                name=f"Daily round {number}",
                frequency=Frequency.DAILY,
                day_rule=DayRule.EVERY_DAY,
                inspector=user,
                starts_on=today - dt.timedelta(days=30),
            )
            for number in range(DAILY_PLANS)
        ]
    )
    # Each plan: one area of 100 assets (the areas of the first ten sites hold 100 each).
    through = InspectionPlan.areas.through
    through.objects.bulk_create(
        [through(inspectionplan_id=plan.pk, area_id=area.pk) for plan, area in zip(plans, areas, strict=False)]
    )
    for label in ("first run", "second run (nothing to make)"):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            result = generate_rounds(organization=organization, today=today)
        seconds = time.perf_counter() - started
        print(
            f"a day's rounds, {DAILY_PLANS} plans x {ASSETS_PER_PLAN} assets, {label}: {result.rounds} rounds, "
            f"{result.stops:,} stops in {seconds:.2f} s, {len(captured)} queries (target: under 10 s)"
        )
    InspectionPlan.objects.for_organization(organization).update(is_active=False)
    big = InspectionPlan.objects.create(
        organization=organization,
        name="Daily round of ten sites",
        frequency=Frequency.DAILY,
        day_rule=DayRule.EVERY_DAY,
        inspector=user,
        starts_on=today - dt.timedelta(days=30),
    )
    big.sites.set(sites[:BIG_PLAN_SITES])
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        result = generate_rounds(organization=organization, today=today)
    seconds = time.perf_counter() - started
    print(
        f"a day's rounds, one plan over {BIG_PLAN_SITES} sites: {result.rounds} round, {result.stops:,} stops "
        f"in {seconds:.2f} s, {len(captured)} queries (target: under 10 s)"
    )
    Round.objects.for_organization(organization).delete()
    InspectionPlan.objects.for_organization(organization).update(is_active=False)


def submission(organization: Any, user: Any, sites: list[Any]) -> None:
    """``round_submit_readings`` with 20 and with 200 readings: time and queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from maintenance.generation import generate_rounds
    from maintenance.models import (
        Asset,
        CriterionVersion,
        DayRule,
        Frequency,
        InspectionPlan,
        Round,
        RoundStop,
    )
    from maintenance.services.rounds import ReadingInput, round_submit_readings
    from maintenance.standards import builtin_category

    today = organization.today()
    road = builtin_category(organization, "asphalt-road")
    versions = list(
        CriterionVersion.objects.for_organization(organization)
        .filter(criterion__category=road, is_current=True, criterion__retired_at__isnull=True)
        .order_by("criterion__position", "criterion__code")
    )
    per_asset = len(versions)
    runs = 0
    for count, breach_every in ((count, every) for count in SUBMISSIONS for every in (0, 10)):
        assets = -(-count // per_asset)
        samples, queries, breaches = [], [], 0
        for _repetition in range(REPETITIONS):
            InspectionPlan.objects.for_organization(organization).update(is_active=False)
            plan = InspectionPlan.objects.create(
                organization=organization,
                name=f"Submission {runs}",
                frequency=Frequency.DAILY,
                day_rule=DayRule.EVERY_DAY,
                inspector=user,
                starts_on=today,
            )
            runs += 1
            plan.categories.set([road])
            chosen = list(
                Asset.objects.for_organization(organization)
                .filter(category=road)
                .order_by("pk")[runs * assets : (runs + 1) * assets]
            )
            plan.areas.set({asset.area_id for asset in chosen})
            generate_rounds(organization=organization, today=today)
            round_ = Round.objects.for_organization(organization).get(plan=plan)
            stops = {
                stop.asset_id: stop
                for stop in RoundStop.objects.for_organization(organization).filter(round=round_, asset__in=chosen)
            }
            inputs = []
            for index in range(count):
                asset = chosen[index // per_asset]
                version = versions[index % per_asset]
                breach = bool(breach_every) and index % breach_every == 0
                inputs.append(
                    ReadingInput(
                        criterion_id=version.criterion_id,
                        stop_id=stops[asset.pk].pk,
                        value=_reading(version.defect_when, version.limit, breach),
                        second_value=(
                            _reading(version.second_defect_when, version.second_limit, breach)
                            if version.second_limit is not None
                            else None
                        ),
                        entered_as="percent" if version.kind == "percentage" else "value",
                    )
                )
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as captured:
                results = round_submit_readings(actor=user, round=round_, readings=inputs)
            samples.append(time.perf_counter() - started)
            queries.append(len(captured))
            breaches = sum(1 for result in results if result.work_order is not None)
        print(
            f"judging a submitted round of {count} readings, {breaches} opening work orders: "
            f"median {statistics.median(samples) * 1000:.0f} ms over {len(samples)} runs, "
            f"queries {', '.join(str(number) for number in queries)}"
        )


def _reading(defect_when: str, limit: Decimal, breach: bool) -> Decimal:
    """A value within the criterion's limit, or breaching it."""
    above = defect_when in ("gt", "gte")
    if above == breach:
        return limit + Decimal(1)
    return max(limit - Decimal(1), Decimal(0)) if limit >= 1 else Decimal(0)


if __name__ == "__main__":
    main()
