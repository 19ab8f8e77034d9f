"""Time the asset register's Excel export and import at 10,000 and 100,000 rows, and their peak memory.

Run with ``python -m bench.register_xlsx_bench`` (SQLite in a temporary folder) or against PostgreSQL
with a scratch database of its own, e.g. ``createdb pmo_bench`` then
``DATABASE_URL=postgres://postgres@127.0.0.1:5432/pmo_bench python -m bench.register_xlsx_bench``
(it migrates that database, adds its organisations, ``bench-regxlsx-<pid>-…``, and drops them at the
end). ``--rows 20000`` measures a smaller register (the 10,000-row steps stay).

The register is the same on every run (``random.Random(42)``), bulk-inserted: the built-in
categories, ten sites of ``AREAS_PER_SITE`` areas, ``CONTRACTORS`` contractors and 100,000
assets, 10,000 a site, with every column of the workbook filled in most rows (coordinates on half,
a surface on the ones in m², a contractor on a third, names partly in Chinese). The steps, each in a
child process of its own (``bench.child``: wall time, CPU time, peak resident memory):

- the export of one site's 10,000 assets and of all 100,000 (``assets_export_xlsx`` of the
  register's list as the export job filters it, with a progress callback as the job passes);
- the import of each of those workbooks into a fresh organisation with the same sites, categories
  and contractors (``assets_import_xlsx``: read, check, write with an audit event an asset; the
  areas are added by the import).

It prints rows, wall, CPU, peak RSS (and the peak before the call: the interpreter, Django and the
workbook read), the file's size and the ratio of the peaks at 100,000 and 10,000 rows: near 1 when
memory stays flat. Nothing here asserts on them.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.child import CHILD, measure, report, run_child, setup

ROWS = 100_000
SMALL = 10_000
AREAS_PER_SITE = 5
CONTRACTORS = 12
MODULE = "bench.register_xlsx_bench"


def prerequisites(organization: Any, rows: int) -> tuple[list[Any], list[Any]]:
    """What the register's rows name: the built-in categories, a site for each 10,000 rows, the contractors."""
    from maintenance.models import Contractor, Site
    from maintenance.standards import ensure_catalogue

    ensure_catalogue(organization)
    sites = Site.objects.bulk_create(
        [
            Site(organization=organization, code=f"S{number:02d}", name=f"Site {number}")
            for number in range(-(-rows // SMALL))
        ]
    )
    contractors = Contractor.objects.bulk_create(
        [Contractor(organization=organization, name=f"Contractor {number} 承包商") for number in range(CONTRACTORS)]
    )
    return sites, contractors


def organization_new(user: Any, suffix: str) -> Any:
    from pmo.models import Membership, OrgRole
    from pmo.services import organization_create

    organization = organization_create(
        actor=None, name=f"Bench register {suffix}", slug=f"bench-regxlsx-{os.getpid()}-{suffix}", admin=user
    )
    Membership.objects.for_organization(organization).filter(user=user).update(role=OrgRole.ADMIN)
    return organization


def seed(user: Any, rows: int) -> Any:
    """The organisation whose register is exported: ``rows`` assets, 10,000 a site."""
    from maintenance.models import Area, Asset, AssetCategory, Unit

    rng = random.Random(42)
    organization = organization_new(user, "source")
    sites, contractors = prerequisites(organization, rows)
    categories = list(AssetCategory.objects.for_organization(organization).filter(is_active=True).order_by("code"))
    areas = Area.objects.bulk_create(
        [
            Area(organization=organization, site=site, name=f"Area {number} 区", position=number)
            for site in sites
            for number in range(AREAS_PER_SITE)
        ]
    )
    units = [Unit.SQUARE_METRE, Unit.METRE, Unit.COUNT, Unit.SET]
    batch: list[Asset] = []
    for index in range(rows):
        site_index, number = divmod(index, SMALL)
        unit = rng.choice(units)
        installed = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(2400))
        located = rng.random() < 0.5
        batch.append(
            Asset(
                organization=organization,
                code=f"A{site_index:02d}-{number:05d}",
                name=f"Asset {index} 资产" if index % 3 == 0 else f"Greenway segment {index}",
                category=categories[index % len(categories)],
                site=sites[site_index],
                area=areas[site_index * AREAS_PER_SITE + number % AREAS_PER_SITE],
                location_text=f"K{number // 4}+{(number % 4) * 250:03d}" if index % 2 == 0 else "",
                latitude=Decimal(rng.randint(30_000_000, 32_000_000)) / 1_000_000 if located else None,
                longitude=Decimal(rng.randint(120_000_000, 122_000_000)) / 1_000_000 if located else None,
                quantity=Decimal(rng.randint(1, 200_000)) / 100,
                unit=unit,
                surface_area=Decimal(rng.randint(100, 100_000)) / 100 if unit == Unit.SQUARE_METRE else None,
                install_date=installed,
                warranty_end=installed + dt.timedelta(days=730),
                contractor=contractors[index % CONTRACTORS] if index % 3 == 0 else None,
                route_order=number,
            )
        )
        if len(batch) == 10_000:
            Asset.objects.bulk_create(batch, batch_size=5000)
            batch = []
    Asset.objects.bulk_create(batch, batch_size=5000)
    return organization


def child(step: str, organization_id: int, user_id: int, rows: int, path: str) -> None:
    """One measured step: ``export`` writes ``rows`` assets of the organisation to ``path``, ``import`` reads it."""
    setup()
    from maintenance.jobs import filtered
    from maintenance.models import Site
    from maintenance.services.assets_xlsx import assets_export_xlsx, assets_import_xlsx
    from pmo.models import Organization, User
    from pmo.tenancy import activate

    organization = Organization.objects.get(pk=organization_id)
    activate(organization)
    user = User.objects.get(pk=user_id)
    content = Path(path).read_bytes() if step == "import" else b""
    assets = filtered(organization, "")
    if step == "export" and rows < assets.count():
        first = Site.objects.for_organization(organization).order_by("code").first()
        assets = assets.filter(site=first)

    def progress(done: int, total: int) -> None:
        pass

    def call() -> dict[str, object]:
        if step == "export":
            workbook = assets_export_xlsx(assets, progress=progress)
            Path(path).write_bytes(workbook)
            return {"rows": rows, "size": len(workbook)}
        created = assets_import_xlsx(actor=user, organization=organization, content=content, progress=progress)
        return {"rows": len(created), "size": len(content)}

    report(measure(call))


def main() -> None:
    if len(sys.argv) == 7 and sys.argv[1] == CHILD:
        child(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6])
        return
    rows = int(sys.argv[sys.argv.index("--rows") + 1]) if "--rows" in sys.argv else ROWS
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    setup()
    from django.core.management import call_command
    from django.db import connection

    from dashboard.management.commands.seed_bench import drop_bench_organization
    from pmo.models import User

    call_command("migrate", verbosity=0)
    user = User.objects.create(username=f"bench-regxlsx-{os.getpid()}", language="en")
    started = time.perf_counter()
    source = seed(user, rows)
    print(f"database: {connection.vendor}; seeded {rows:,} assets in {time.perf_counter() - started:.1f} s")
    folder = Path(tempfile.mkdtemp())
    # The small register beside the large one shows whether memory grows with the rows.
    sizes = (SMALL, rows) if rows > SMALL else (rows,)
    organizations = [source]
    results: list[tuple[str, dict[str, Any]]] = []
    try:
        for size in sizes:
            path = folder / f"assets-{size}.xlsx"
            results.append(("export", run_child(MODULE, "export", source.pk, user.pk, size, path)))
            target = organization_new(user, f"import-{size}")
            organizations.append(target)
            prerequisites(target, size)
            connection.close()
            results.append(("import", run_child(MODULE, "import", target.pk, user.pk, size, path)))
    finally:
        for organization in organizations:
            drop_bench_organization(organization)
    print(f"{'step':<7} {'rows':>8} {'wall':>9} {'CPU':>9} {'peak RSS':>10} {'before':>9} {'file':>9}")
    for step, figures in results:
        print(
            f"{step:<7} {figures['rows']:>8,} {figures['seconds']:7.2f} s {figures['cpu_seconds']:7.2f} s "
            f"{figures['maxrss_mb']:7.1f} MB {figures['before_mb']:6.1f} MB {figures['size'] / 1024:6.0f} KB"
        )
    for step in ("export", "import") if len(sizes) == 2 else ():
        small, large = (figures for name, figures in results if name == step)
        print(
            f"{step}: peak RSS at {large['rows']:,} rows / at {small['rows']:,} rows = "
            f"{large['maxrss_mb'] / small['maxrss_mb']:.2f}; "
            f"growth during the call {large['maxrss_mb'] - large['before_mb']:.0f} MB / "
            f"{small['maxrss_mb'] - small['before_mb']:.0f} MB; "
            f"wall {large['seconds'] / small['seconds']:.1f}x"
        )


if __name__ == "__main__":
    main()
