"""The API's read path against its floor: the same list served by a minimal WSGI app.

Run with ``.venv/bin/python bench/api_floor.py`` (about two minutes). It needs ``wrk`` on the PATH
and an organisation seeded by ``manage.py seed_bench`` whose projects have at least 100 tasks
(``--org``, default ``bench-20x120``: ``seed_bench --projects 20 --tasks-per-project 120``) in the
database ``--database-url`` (default the scratch ``pmo_bench``). It:

1. creates an API token for the organisation's administrator and picks its first project with at
   least 100 tasks (a child process under the production profile, like the web server);
2. serves the app with ``gunicorn pmo.wsgi:application -w 2`` under the production profile (as
   ``bench/run.py`` does; the Redis cache on db 11, the rate limit raised out of the way with
   ``PMO_API_RATE`` so that it is paid for but never answers 429), and the floor,
   ``gunicorn bench.api_floor:floor_app -w 2``: the same URLs, the same rule (a usable token of
   an active user who is a member of the organisation; on a project URL the project is the
   organisation's), one ``COUNT`` and one ``SELECT`` for the rows through psycopg2, the body built
   with plain dicts and ``json.dumps`` as DRF renders it, gzip as Django's middleware does;
3. asserts that each floor body equals ours (after gunzip), byte for byte;
4. measures, in ``--rounds`` interleaved rounds (ours and the floor alternate first), p50 latency
   with one connection and requests per second with four (``wrk``, ``--seconds`` each), and prints
   the medians over the rounds and the ratios ours / floor.

The three lists: a project's task list, page of 100 (``?page_size=100``), the project list, and a
project's whole WBS (one unpaginated list of every element). Nothing is asserted on the figures.
"""

# The floor's SQL is constant text (no password, no input in it); values go to psycopg2 as parameters.
# ruff: noqa: S105, S608

from __future__ import annotations

import argparse
import datetime as dt
import decimal
import gzip
import hashlib
import hmac
import json
import os
import re
import statistics
import subprocess
import sys
import time
import zoneinfo
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib import parse

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.run import (  # noqa: E402  (the path above first)
    GUNICORN,
    PYTHON,
    VAR,
    free_port,
    request,
    web_environment,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/pmo_bench"
DEFAULT_ORG = "bench-20x120"
REDIS_URL = os.environ.get("PMO_BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
PREPARED_PREFIX = "PREPARED "
TASK_PAGE = 100
WRK = "wrk"

# --- the floor: a minimal WSGI app -------------------------------------------------------

TOKEN_SQL = """
SELECT t.secret_hash, t.user_id FROM pmo_apitoken t JOIN pmo_user u ON u.id = t.user_id
WHERE t.prefix = %s AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now()) AND u.is_active
"""
MEMBER_SQL = """
SELECT o.id FROM pmo_membership m JOIN pmo_organization o ON o.id = m.organization_id
WHERE o.slug = %s AND m.user_id = %s
"""
PROJECT_MEMBER_SQL = (
    MEMBER_SQL + " AND EXISTS (SELECT 1 FROM projects_project p WHERE p.id = %s AND p.organization_id = o.id)"
)
TASK_COLUMNS = (
    "id, code, name, kind, parent_id, position, duration, budgeted_cost, percent_complete_method, percent_complete,"
    " actual_start, actual_finish, notes, planned_start, planned_finish, late_start, late_finish, total_float,"
    " free_float, is_critical"
)
TASK_COUNT_SQL = (
    "SELECT count(*) FROM projects_wbselement WHERE organization_id = %s AND project_id = %s AND kind <> 'summary'"
)
TASK_SQL = f"""
SELECT {TASK_COLUMNS} FROM projects_wbselement WHERE organization_id = %s AND project_id = %s AND kind <> 'summary'
ORDER BY project_id, sort_key LIMIT %s OFFSET %s
"""
WBS_SQL = (
    f"SELECT {TASK_COLUMNS} FROM projects_wbselement WHERE organization_id = %s AND project_id = %s ORDER BY sort_key"
)
PROJECT_COUNT_SQL = "SELECT count(*) FROM projects_project WHERE organization_id = %s"
PROJECT_SQL = """
SELECT p.id, p.code, p.name, p.description, p.objectives, p.portfolio_id, f.name,
       s.id, s.username, s.display_name, s.email, m.id, m.username, m.display_name, m.email,
       p.client, p.priority, p.currency, p.tags, p.planned_start, p.planned_finish, p.calendar_id, p.phase,
       p.scheduled_start, p.scheduled_finish,
       COALESCE((SELECT CASE WHEN sum(w.budgeted_cost) > 0
                             THEN sum(w.budgeted_cost * w.percent_complete)::float / sum(w.budgeted_cost)::float
                             WHEN sum(w.duration) > 0
                             THEN sum(w.duration * w.percent_complete)::float / sum(w.duration)::float
                             ELSE 0.0 END
                 FROM projects_wbselement w
                 WHERE w.organization_id = p.organization_id AND w.project_id = p.id AND w.kind <> 'summary'), 0.0),
       p.created_at, p.updated_at
FROM projects_project p
LEFT JOIN projects_portfolio f ON f.id = p.portfolio_id
LEFT JOIN pmo_user s ON s.id = p.sponsor_id
LEFT JOIN pmo_user m ON m.id = p.manager_id
WHERE p.organization_id = %s ORDER BY p.code LIMIT %s OFFSET %s
"""
USER_KEYS = ("id", "username", "display_name", "email")
ROUTE = re.compile(r"^/api/v1/orgs/(?P<org>[-\w]+)/projects/(?:(?P<project>\d+)/(?P<what>tasks|wbs)/)?$")
CENTS = decimal.Decimal("0.01")
PERCENT_CONTEXT = decimal.Context(prec=5)

_connection: Any = None


def _cursor() -> Any:
    global _connection  # one connection per worker process, as CONN_MAX_AGE keeps
    import psycopg2

    if _connection is None or _connection.closed:
        _connection = psycopg2.connect(os.environ["DATABASE_URL"])
        _connection.autocommit = True
    return _connection.cursor()


def _iso(value: Any) -> Any:
    return None if value is None else value.isoformat()


def _money(value: decimal.Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"


def _task(row: tuple[Any, ...]) -> dict[str, Any]:
    (pk, code, name, kind, parent, position, duration, cost, method, percent, a_start, a_finish, notes,
     p_start, p_finish, l_start, l_finish, total, free, critical) = row  # fmt: skip
    if a_finish is not None or percent >= 100:
        status = "done"
    elif a_start is not None or percent > 0:
        status = "in_progress"
    else:
        status = "not_started"
    return {
        "id": pk, "code": code, "name": name, "kind": kind, "parent": parent, "position": position,
        "duration": duration, "budgeted_cost": _money(cost), "percent_complete_method": method,
        "percent_complete": _money(percent), "status": status, "actual_start": _iso(a_start),
        "actual_finish": _iso(a_finish), "notes": notes, "planned_start": _iso(p_start),
        "planned_finish": _iso(p_finish), "late_start": _iso(l_start), "late_finish": _iso(l_finish),
        "total_float": total, "free_float": free, "is_critical": critical,
    }  # fmt: skip


def _user(values: tuple[Any, ...]) -> dict[str, Any] | None:
    return None if values[0] is None else dict(zip(USER_KEYS, values, strict=True))


def _stamp(value: dt.datetime, zone: zoneinfo.ZoneInfo) -> str:
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _project(row: tuple[Any, ...], zone: zoneinfo.ZoneInfo) -> dict[str, Any]:
    percent = decimal.Decimal(str(row[25])).quantize(CENTS, context=PERCENT_CONTEXT)
    return {
        "id": row[0], "code": row[1], "name": row[2], "description": row[3], "objectives": row[4],
        "portfolio": row[5], "portfolio_name": row[6], "sponsor": _user(row[7:11]), "manager": _user(row[11:15]),
        "client": row[15], "priority": row[16], "currency": row[17], "tags": row[18],
        "planned_start": _iso(row[19]), "planned_finish": _iso(row[20]), "calendar": row[21], "phase": row[22],
        "scheduled_start": _iso(row[23]), "scheduled_finish": _iso(row[24]), "percent_complete": f"{percent:f}",
        "created_at": _stamp(row[26], zone), "updated_at": _stamp(row[27], zone),
    }  # fmt: skip


def _page_link(environ: dict[str, Any], page: int | None) -> str | None:
    """DRF's ``replace_query_param`` (or ``remove_query_param`` for page 1) on the absolute URL."""
    if page is None:
        return None
    query = parse.parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    if page == 1:
        query.pop("page", None)
    else:
        query["page"] = [str(page)]
    encoded = parse.urlencode(sorted(query.items()), doseq=True)
    return parse.urlunsplit(("http", environ["HTTP_HOST"], environ["PATH_INFO"], encoded, ""))


def _paginated(
    environ: dict[str, Any], count: int, size: int, number: int, rows: Iterable[dict[str, Any]]
) -> dict[str, Any]:
    last = max(1, -(-count // size))
    return {
        "count": count,
        "next": _page_link(environ, number + 1 if number < last else None),
        "previous": _page_link(environ, number - 1 if number > 1 else None),
        "results": list(rows),
    }


def _answer(start_response: Callable[..., Any], status: str, body: bytes, environ: dict[str, Any]) -> list[bytes]:
    headers = [("Content-Type", "application/json"), ("Vary", "Accept-Encoding")]
    if len(body) >= 200 and "gzip" in environ.get("HTTP_ACCEPT_ENCODING", ""):
        body = gzip.compress(body, compresslevel=6, mtime=0)
        headers.append(("Content-Encoding", "gzip"))
    headers.append(("Content-Length", str(len(body))))
    start_response(status, headers)
    return [body]


def floor_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    """The three lists with the app's authentication rule, one COUNT and one SELECT, and nothing else."""
    route = ROUTE.match(environ["PATH_INFO"])
    if route is None or environ["REQUEST_METHOD"] != "GET":
        return _answer(start_response, "404 Not Found", b'{"error":"not found"}', environ)
    header = environ.get("HTTP_AUTHORIZATION", "").split()
    parts = header[1].split("_", 2) if len(header) == 2 and header[0].lower() == "bearer" else []
    cursor = _cursor()
    token = None
    if len(parts) == 3 and parts[0] == "pmo":
        cursor.execute(TOKEN_SQL, (parts[1],))
        token = cursor.fetchone()
    if token is None or not hmac.compare_digest(token[0], hashlib.sha256(parts[2].encode()).hexdigest()):
        return _answer(start_response, "401 Unauthorized", b'{"error":"unauthorized"}', environ)
    project = route["project"]
    if project is None:
        cursor.execute(MEMBER_SQL, (route["org"], token[1]))
    else:
        cursor.execute(PROJECT_MEMBER_SQL, (route["org"], token[1], int(project)))
    member = cursor.fetchone()
    if member is None:
        return _answer(start_response, "404 Not Found", b'{"error":"not found"}', environ)
    organization_id = member[0]
    query = parse.parse_qs(environ.get("QUERY_STRING", ""))
    number = int(query.get("page", ["1"])[0])
    size = min(int(query.get("page_size", ["50"])[0]), 200)
    data: Any
    if route["what"] == "wbs":
        cursor.execute(WBS_SQL, (organization_id, int(project)))
        data = [_task(row) for row in cursor.fetchall()]
    elif route["what"] == "tasks":
        cursor.execute(TASK_COUNT_SQL, (organization_id, int(project)))
        count = cursor.fetchone()[0]
        cursor.execute(TASK_SQL, (organization_id, int(project), size, (number - 1) * size))
        data = _paginated(environ, count, size, number, (_task(row) for row in cursor.fetchall()))
    else:
        zone = zoneinfo.ZoneInfo(os.environ.get("TIME_ZONE", "Asia/Shanghai"))
        cursor.execute(PROJECT_COUNT_SQL, (organization_id,))
        count = cursor.fetchone()[0]
        cursor.execute(PROJECT_SQL, (organization_id, size, (number - 1) * size))
        data = _paginated(environ, count, size, number, (_project(row, zone) for row in cursor.fetchall()))
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return _answer(start_response, "200 OK", body, environ)


# --- preparing, serving, measuring -------------------------------------------------------


def prepare(slug: str) -> None:
    """In a child under the web profile: a fresh token for the administrator and the project to read."""
    import django

    django.setup()
    from django.db.models import Count, Q

    from pmo.models import Organization, User
    from pmo.services import api_token_create
    from projects.models import Project

    organization = Organization.objects.get(slug=slug)
    user = User.objects.get(username=f"{slug}-admin")
    _token, plain = api_token_create(user=user, name="api_floor bench")
    project = (
        Project.objects.for_organization(organization)
        .annotate(leaves=Count("wbs", filter=~Q(wbs__kind="summary")))
        .filter(leaves__gte=TASK_PAGE)
        .order_by("code")
        .first()
    )
    if project is None:
        raise SystemExit(f"{slug} has no project of {TASK_PAGE} tasks or more; seed it with --tasks-per-project=120.")
    print(PREPARED_PREFIX + json.dumps({"token": plain, "project": project.pk}))


def serve(app: str, port: int, environment: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with open(log, "w") as log_file:
        return subprocess.Popen(
            [GUNICORN, app, "-b", f"127.0.0.1:{port}", "-w", "2", "--timeout", "120", "--no-control-socket"],
            env=environment,
            cwd=ROOT,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )


def fetch(port: int, path: str, token: str) -> tuple[int, bytes]:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers={"Authorization": f"Bearer {token}", "Accept-Encoding": "gzip"})
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    if response.getheader("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return response.status, body


def wait_for(port: int, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped; see {log}.")
        try:
            request(port, "GET", "/api/v1/", {})
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer within 90 s; see {log}.")


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(port: int, path: str, token: str, connections: int, seconds: int) -> tuple[float, float]:
    """p50 in ms and requests per second, from wrk."""
    completed = subprocess.run(
        [
            WRK, f"-t{min(connections, 2)}", f"-c{connections}", f"-d{seconds}s", "--latency",
            "-H", f"Authorization: Bearer {token}", "-H", "Accept-Encoding: gzip",
            f"http://127.0.0.1:{port}{path}",
        ],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    output = completed.stdout
    if "Non-2xx" in output or ("Socket errors" in output and "timeout" in output):
        raise SystemExit(f"wrk saw errors on {path}:\n{output}")
    p50 = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    if p50 is None or rate is None:
        raise SystemExit(f"Unexpected wrk output:\n{output}")
    return float(p50.group(1)) * UNITS[p50.group(2)], float(rate.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help="The seeded PostgreSQL database.")
    parser.add_argument("--org", default=DEFAULT_ORG, help=f"The seeded bench organisation (default {DEFAULT_ORG}).")
    parser.add_argument("--rounds", type=int, default=3, help="Interleaved rounds (default 3).")
    parser.add_argument("--seconds", type=int, default=3, help="Seconds of each wrk run (default 3).")
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.prepare:
        prepare(options.org)
        return

    VAR.mkdir(parents=True, exist_ok=True)
    environment = web_environment(options.database_url, "api-floor-" + os.urandom(24).hex())
    environment.update(REDIS_URL=REDIS_URL, PMO_API_RATE="100000000/minute")
    completed = subprocess.run(
        [PYTHON, str(Path(__file__).resolve()), "--prepare", "--org", options.org],
        env=environment, cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if completed.returncode:
        sys.stderr.write(completed.stdout + completed.stderr)
        raise SystemExit("Preparing the token failed.")
    prepared = json.loads(
        next(line for line in completed.stdout.splitlines() if line.startswith(PREPARED_PREFIX)).removeprefix(
            PREPARED_PREFIX
        )
    )
    token, project = prepared["token"], prepared["project"]
    base = f"/api/v1/orgs/{options.org}/projects/"
    lists = [
        ("task list, page of 100", f"{base}{project}/tasks/?page_size={TASK_PAGE}"),
        ("project list", base),
        ("WBS, whole plan", f"{base}{project}/wbs/"),
    ]
    ports = {"ours": free_port(), "floor": free_port()}
    servers = {
        "ours": serve("pmo.wsgi:application", ports["ours"], environment, VAR / "api_floor_ours.log"),
        "floor": serve("bench.api_floor:floor_app", ports["floor"], environment, VAR / "api_floor_floor.log"),
    }
    try:
        for name, server in servers.items():
            wait_for(ports[name], server, VAR / f"api_floor_{name}.log")
        for label, path in lists:
            answers = {name: fetch(port, path, token) for name, port in ports.items()}
            # The two servers differ only in their port, which the pagination links carry.
            status, body = answers["floor"]
            answers["floor"] = (
                status,
                body.replace(f"127.0.0.1:{ports['floor']}".encode(), f"127.0.0.1:{ports['ours']}".encode()),
            )
            if answers["ours"][0] != 200:
                raise SystemExit(f"{label}: the app answered {answers['ours'][0]}: {answers['ours'][1][:300]!r}")
            if answers["ours"] != answers["floor"]:
                diff = next(
                    i for i, (a, b) in enumerate(zip(answers["ours"][1], answers["floor"][1], strict=False)) if a != b
                )
                raise SystemExit(
                    f"{label}: the floor's body differs from ours at byte {diff}:\n"
                    f"ours:  {answers['ours'][1][max(0, diff - 120) : diff + 120]!r}\n"
                    f"floor: {answers['floor'][1][max(0, diff - 120) : diff + 120]!r}"
                )
        print(f"Bodies equal on all {len(lists)} lists. {options.rounds} rounds of wrk, {options.seconds} s each.")
        samples: dict[tuple[str, str], list[tuple[float, float]]] = {}
        for round_number in range(options.rounds):
            order = ["ours", "floor"] if round_number % 2 == 0 else ["floor", "ours"]
            for label, path in lists:
                for name in order:
                    p50, _rate = wrk(ports[name], path, token, 1, options.seconds)
                    _p50, rate = wrk(ports[name], path, token, 4, options.seconds)
                    samples.setdefault((label, name), []).append((p50, rate))
            print(f"round {round_number + 1} done", flush=True)
    finally:
        for server in servers.values():
            server.terminate()
            server.wait(timeout=60)

    print()
    print(f"{'list':<24} {'ours p50':>9} {'floor p50':>9} {'ratio':>6} {'ours r/s':>9} {'floor r/s':>9} {'ratio':>6}")
    for label, _path in lists:
        ours, floor = samples[(label, "ours")], samples[(label, "floor")]
        ours_p50, floor_p50 = (statistics.median(s[0] for s in x) for x in (ours, floor))
        ours_rate, floor_rate = (statistics.median(s[1] for s in x) for x in (ours, floor))
        print(
            f"{label:<24} {ours_p50:>7.2f}ms {floor_p50:>7.2f}ms {ours_p50 / floor_p50:>5.1f}x "
            f"{ours_rate:>9.0f} {floor_rate:>9.0f} {floor_rate / ours_rate:>5.1f}x"
        )
    print("p50 at 1 connection (ratio ours / floor); req/s at 4 connections (ratio floor / ours).")


if __name__ == "__main__":
    main()
