"""Time the variance run over one organisation of many projects, database included.

Run with ``python -m bench.variance_bench`` (SQLite in a temporary folder) or against PostgreSQL
with a scratch database of its own, e.g. ``createdb pmo_bench_variance`` then
``DATABASE_URL=postgres://postgres@127.0.0.1:5432/pmo_bench_variance python -m bench.variance_bench``.
It migrates that database and seeds, with ``manage.py seed_bench --no-variance`` (the data of
``bench/run.py``, without its variance run), the organisation ``bench-variance`` of
``--projects`` x ``--tasks-per-project`` (1,000 x 200 unless given, seed 42) and two of 20
projects of 20 and of 200 tasks; seeding again replaces them. ``--batch-size`` sets the batches
(100).

The runs happen in a fresh child process, so that its peak resident memory is the run's and not
the seeding's: the first run of the status date (it opens the alerts), a second run the same day
(it updates them and opens nothing), then both again under tracemalloc inside a transaction that
is rolled back (tracing slows them down, so their times are not shown). Celery is eager; the
outbox relay the run queues after each batch is counted but not run, since it is the relay's
work, not the run's. Last, one batch of the 20 projects of 20 tasks and one of those of 200
tasks show that a batch's queries do not grow with the tasks.

Settings are ``pmo.settings.test``, as for the other benches: Celery eager whatever REDIS_URL
says, e-mail in memory, DEBUG off (no query log growing in memory). The databases named
postgres, test and the templates are refused. It prints figures; nothing here asserts on them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from pmo.models import Organization
    from projects.models import Project

AS_OF = dt.date(2027, 6, 15)
SLUG = "bench-variance"
# The organisations whose batches show that a batch's queries do not grow with the tasks.
SIZES = (20, 200)
SIZES_PROJECTS = 20
FORBIDDEN_DATABASES = {"postgres", "test", "template0", "template1"}
RESULT_PREFIX = "RESULT "


def _sizes_slug(tasks: int) -> str:
    return f"{SLUG}-{tasks}"


def _options(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--tasks-per-project", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    # The child process that runs the measurements on the seeded database.
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _bootstrap(database_url: str) -> str:
    if not database_url:
        database_url = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    parts = urlsplit(database_url)
    if parts.scheme.startswith("postgres") and parts.path.lstrip("/") in FORBIDDEN_DATABASES:
        sys.exit(f"Refusing to seed {parts.path.lstrip('/')!r}: give the bench a scratch database of its own.")
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmo.settings.test")
    import django

    django.setup()
    return database_url


def _rss_mb() -> tuple[float, float]:
    """Resident memory now (0 where /proc is missing) and the process's peak so far, in MB."""
    try:
        with open("/proc/self/statm") as statm:
            now = int(statm.read().split()[1]) * resource.getpagesize() / 2**20
    except OSError:
        now = 0.0
    # Linux reports the peak in kilobytes.
    return now, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _seed(options: argparse.Namespace) -> tuple[list[str], float]:
    """The organisations, with ``seed_bench`` (without its variance run): its summary lines and the time taken."""
    from io import StringIO

    from django.core.management import call_command

    started = time.perf_counter()
    summaries = []
    for slug, projects, tasks in [
        (SLUG, options.projects, options.tasks_per_project),
        *[(_sizes_slug(tasks), SIZES_PROJECTS, tasks) for tasks in SIZES],
    ]:
        out = StringIO()
        call_command(
            "seed_bench",
            projects=projects,
            tasks_per_project=tasks,
            seed=options.seed,
            org=slug,
            status_date=AS_OF.isoformat(),
            no_variance=True,
            stdout=out,
        )
        summaries.append(out.getvalue().splitlines()[0])
    return summaries, time.perf_counter() - started


# --- measuring --------------------------------------------------------------------------


@dataclass
class QueryCounter:
    """Counts the queries of a connection and the time spent executing them (no SQL kept)."""

    queries: int = 0
    seconds: float = 0.0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.queries += 1


@dataclass
class RunFigures:
    seconds: float
    cpu_seconds: float
    sql_seconds: float
    queries: int
    batch_queries: list[int]
    batch_seconds: list[float]
    relays_queued: int
    report: dict[str, int]


@contextmanager
def _relay_counted() -> Iterator[list[int]]:
    """The outbox relay queued after a batch is counted and not run."""
    from unittest import mock

    queued = [0]

    def count(task: object, **kwargs: object) -> None:
        queued[0] += 1

    with mock.patch("pmo.alerts.services.nudge_on_commit", count):
        yield queued


def _timed_run(organization: Organization, batch_size: int) -> RunFigures:
    from unittest import mock

    from django.db import connection

    from finance import variance

    counter = QueryCounter()
    batch_queries: list[int] = []
    batch_seconds: list[float] = []
    run_batch = variance.variance_run_batch

    def recorded_batch(**kwargs: Any) -> variance.BatchReport:
        before = counter.queries
        started = time.perf_counter()
        result = run_batch(**kwargs)
        batch_seconds.append(time.perf_counter() - started)
        batch_queries.append(counter.queries - before)
        return result

    with (
        _relay_counted() as relays,
        connection.execute_wrapper(counter),
        mock.patch.object(variance, "variance_run_batch", recorded_batch),
    ):
        started, cpu_started = time.perf_counter(), time.process_time()
        report = variance.variance_run(organization=organization, as_of=AS_OF, batch_size=batch_size)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    alerts = report.alerts
    return RunFigures(
        seconds=seconds,
        cpu_seconds=cpu_seconds,
        sql_seconds=counter.seconds,
        queries=counter.queries,
        batch_queries=batch_queries,
        batch_seconds=batch_seconds,
        relays_queued=relays[0],
        report={
            "projects": report.projects,
            "snapshots": report.snapshots,
            "opened": alerts.opened,
            "updated": alerts.updated,
            "escalated": alerts.escalated,
            "resolved": alerts.resolved,
            "notifications": alerts.notifications,
            "messages": alerts.messages,
        },
    )


class _RolledBack(Exception):
    pass


def _traced_peak_mb(organization: Organization, batch_size: int, *, first: bool) -> float:
    """The run's peak of Python allocations, inside a transaction rolled back afterwards.

    ``first`` removes the organisation's alerts first, so that the run opens them again.
    """
    from django.db import transaction

    from finance.variance import variance_run
    from pmo.models import Alert, Notification, OutboxMessage

    peak = 0
    with _relay_counted():
        try:
            with transaction.atomic():
                if first:
                    Notification.objects.for_organization(organization).delete()
                    OutboxMessage.objects.for_organization(organization).delete()
                    Alert.objects.for_organization(organization).delete()
                tracemalloc.start()
                try:
                    variance_run(organization=organization, as_of=AS_OF, batch_size=batch_size)
                    peak = tracemalloc.get_traced_memory()[1]
                finally:
                    tracemalloc.stop()
                raise _RolledBack
        except _RolledBack:
            pass
    return peak / 2**20


def _batch_queries(organization: Organization, projects: list[Project]) -> dict[str, int]:
    """One batch's queries: reads, and the writes (one per kind of change, plus the transaction's own)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from finance.variance import variance_run_batch

    with _relay_counted(), CaptureQueriesContext(connection) as captured:
        variance_run_batch(organization=organization, project_ids=[project.pk for project in projects], as_of=AS_OF)
    reads = sum(1 for query in captured.captured_queries if query["sql"].lstrip().upper().startswith("SELECT"))
    return {"reads": reads, "writes": len(captured.captured_queries) - reads}


def _measure(options: argparse.Namespace) -> dict[str, Any]:
    from pmo.models import Organization
    from projects.models import Project

    rss_start = _rss_mb()
    organization = Organization.objects.get(slug=SLUG)
    first = _timed_run(organization, options.batch_size)
    rss_first = _rss_mb()
    second = _timed_run(organization, options.batch_size)
    rss_second = _rss_mb()
    traced_first = _traced_peak_mb(organization, options.batch_size, first=True)
    traced_second = _traced_peak_mb(organization, options.batch_size, first=False)

    size_queries = []
    for tasks in SIZES:
        sizes = Organization.objects.get(slug=_sizes_slug(tasks))
        batch = list(Project.objects.for_organization(sizes).open().order_by("code"))
        size_queries.append(
            {
                "tasks": tasks,
                "projects": len(batch),
                "first": _batch_queries(sizes, batch),
                "second": _batch_queries(sizes, batch),
            }
        )
    return {
        "runs": [first.__dict__, second.__dict__],
        "rss": [rss_start, rss_first, rss_second],
        "traced": [traced_first, traced_second],
        "sizes": size_queries,
    }


# --- output -----------------------------------------------------------------------------


def _number(value: float) -> str:
    return f"{value:,.0f}"


def _print_table(
    options: argparse.Namespace, vendor: str, seeded: list[str], seed_seconds: float, measured: dict[str, Any]
) -> None:
    first, second = (RunFigures(**run) for run in measured["runs"])
    rss_start, rss_first, rss_second = measured["rss"]
    traced_first, traced_second = measured["traced"]
    tasks = options.projects * options.tasks_per_project
    print()
    print(
        f"variance run on {vendor}: {options.projects:,} projects x {options.tasks_per_project:,} tasks "
        f"= {tasks:,} tasks, batches of {options.batch_size}, seed {options.seed}, as of {AS_OF}"
    )
    print()
    print(f"seeding: {seed_seconds:.1f} s")
    for line in seeded:
        print(f"  {line}")
    print()
    rows: list[tuple[str, str, str]] = [
        ("wall time", f"{first.seconds:.2f} s", f"{second.seconds:.2f} s"),
        ("  of which executing SQL", f"{first.sql_seconds:.2f} s", f"{second.sql_seconds:.2f} s"),
        ("CPU time of the process", f"{first.cpu_seconds:.2f} s", f"{second.cpu_seconds:.2f} s"),
        ("queries, whole run", _number(first.queries), _number(second.queries)),
        ("batches", _number(len(first.batch_queries)), _number(len(second.batch_queries))),
        (
            "queries per batch (min-max)",
            f"{min(first.batch_queries, default=0)}-{max(first.batch_queries, default=0)}",
            f"{min(second.batch_queries, default=0)}-{max(second.batch_queries, default=0)}",
        ),
        (
            "seconds per batch (median, max)",
            f"{statistics.median(first.batch_seconds or [0]):.2f}, {max(first.batch_seconds, default=0):.2f}",
            f"{statistics.median(second.batch_seconds or [0]):.2f}, {max(second.batch_seconds, default=0):.2f}",
        ),
        ("peak memory, tracemalloc", f"{traced_first:.0f} MB", f"{traced_second:.0f} MB"),
        (
            "RSS before -> after",
            f"{rss_start[0]:.0f} -> {rss_first[0]:.0f} MB",
            f"{rss_first[0]:.0f} -> {rss_second[0]:.0f} MB",
        ),
        (
            "max RSS (ru_maxrss) before -> after",
            f"{rss_start[1]:.0f} -> {rss_first[1]:.0f} MB",
            f"{rss_first[1]:.0f} -> {rss_second[1]:.0f} MB",
        ),
    ]
    for name in ("projects", "snapshots", "opened", "updated", "escalated", "resolved", "notifications", "messages"):
        label = {"projects": "open projects", "snapshots": "snapshots (projects with a baseline)"}.get(
            name, name if name in ("notifications", "messages") else f"alerts {name}"
        )
        rows.append((label, _number(first.report[name]), _number(second.report[name])))
    rows.append(("outbox relays queued (not run)", _number(first.relays_queued), _number(second.relays_queued)))
    width = max(len(label) for label, _first, _second in rows)
    print(f"{'':<{width}}  {'first run':>18}  {'same day again':>18}")
    for label, first_value, second_value in rows:
        print(f"{label:<{width}}  {first_value:>18}  {second_value:>18}")
    print()
    print("queries of one batch, reads + writes (the writes: one per kind of change, and the transaction's own)")
    for size in measured["sizes"]:
        first_batch, second_batch = size["first"], size["second"]
        print(
            f"  {size['projects']} projects x {size['tasks']:>3} tasks:"
            f"  first run {first_batch['reads']} + {first_batch['writes']},"
            f"  same day again {second_batch['reads']} + {second_batch['writes']}"
        )


def main(argv: list[str] | None = None) -> None:
    options = _options(argv)
    database_url = _bootstrap(options.database_url)
    if options.measure:
        print(RESULT_PREFIX + json.dumps(_measure(options)))
        return

    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    seeded, seed_seconds = _seed(options)
    print(f"seeded in {seed_seconds:.1f} s; measuring in a fresh process", file=sys.stderr)
    connection.close()
    child = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.variance_bench",
            "--measure",
            f"--projects={options.projects}",
            f"--tasks-per-project={options.tasks_per_project}",
            f"--batch-size={options.batch_size}",
            f"--seed={options.seed}",
            f"--database-url={database_url}",
        ],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    line = next(line for line in child.stdout.splitlines() if line.startswith(RESULT_PREFIX))
    measured = json.loads(line.removeprefix(RESULT_PREFIX))
    _print_table(options, connection.vendor, seeded, seed_seconds, measured)


if __name__ == "__main__":
    main()
