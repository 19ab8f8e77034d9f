"""Time the outbox relay draining a backlog of webhook calls through Celery workers, and how late retries go out.

Run with ``REDIS_URL=redis://127.0.0.1:6379/<db> .venv/bin/python -m bench.relay_bench`` (the broker
must be a Redis database of the bench's own: the workers consume its default queue). It:

1. uses the scratch PostgreSQL database ``pmo_relay_bench`` on 127.0.0.1 (created with ``createdb``
   when missing; ``--database-url`` names another; postgres, test and the templates are refused),
   migrates it, and replaces the organisation ``relay-bench`` with a fresh one of ``--webhooks``
   webhooks (20), each a path of one loopback receiver;
2. serves that receiver in this process: a threaded HTTP server that checks every call's signature
   and timestamp (``pmo.webhook_transport.verify`` with the webhook's secret), answers 500 to the
   first call of ``--fail-percent`` (5) % of the messages (chosen by a hash of the key) and 200
   to everything else, and notes when each call came;
3. starts ``--workers`` (2) Celery worker processes (prefork, one pool process each, so two relays at
   once) and one beat, under ``pmo.settings.dev`` with DEBUG off and ``PMO_WEBHOOK_ALLOW_PRIVATE=1``,
   the relay's settings left at their defaults unless ``--threads`` is given;
4. writes ``--messages`` (10,000) webhook messages in one transaction, spread over the webhooks in
   turn, and queues one relay task as the commit would: from then on the relay's chain and the
   beat do the work;
5. waits until every message is sent and prints: the drain time (from the commit until every
   message had its first attempt, which is what the 60 s target is about), the time until all were
   sent (the failed ones are retried 30 s after their failure, so this includes that wait), calls
   per second, the calls received and repeated, bad signatures, and the retry lateness: for each
   message that failed once, when its second attempt started (its log row, written just before the
   call) minus when it was due (its first attempt's end + 30 s), as p50, p95 and max.

Targets: drain under 60 s; retries within 5 s of their due time. Nothing here asserts on them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / "var" / "bench" / "relay"
SLUG = "relay-bench"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/pmo_relay_bench"
DRAIN_TARGET_SECONDS = 60
LATENESS_TARGET_SECONDS = 5


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--webhooks", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--fail-percent", type=float, default=5.0)
    parser.add_argument("--threads", type=int, default=None, help="PMO_RELAY_THREADS of the workers (default 8).")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--timeout", type=float, default=600, help="Give up after this many seconds.")
    return parser.parse_args()


def _environment(options: argparse.Namespace) -> dict[str, str]:
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        sys.exit("Set REDIS_URL to a Redis database of the bench's own, e.g. redis://127.0.0.1:6379/11.")
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pmo.settings.dev",
        "DEBUG": "0",
        "DATABASE_URL": options.database_url,
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "PMO_WEBHOOK_ALLOW_PRIVATE": "1",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "PYTHONPATH": str(ROOT),
    }
    if options.threads is not None:
        environment["PMO_RELAY_THREADS"] = str(options.threads)
    return environment


class Receiver:
    """The webhook receiver: checks signatures, fails the chosen first calls, notes arrival times."""

    def __init__(self, secrets: dict[str, str], fail_percent: float) -> None:
        from pmo.webhook_transport import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify

        self.arrivals: dict[str, list[float]] = {}
        self.bad_signatures = 0
        self.failed = 0
        lock = threading.Lock()
        receiver = self

        def fails_first(key: str) -> bool:
            return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % 10_000 < fail_percent * 100

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                key = self.headers.get("Idempotency-Key", "")
                signed = verify(
                    secrets.get(self.path, ""),
                    self.headers.get(SIGNATURE_HEADER, ""),
                    self.headers.get(TIMESTAMP_HEADER, ""),
                    body,
                )
                with lock:
                    calls = receiver.arrivals.setdefault(key, [])
                    calls.append(time.time())
                    first = len(calls) == 1
                    receiver.bad_signatures += not signed
                    fail = first and fails_first(key)
                    receiver.failed += fail
                self.send_response(500 if fail or not signed else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 256  # many relay threads connect at once

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _start(arguments: list[str], environment: dict[str, str], log: Path, ready: str | None) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "pmo.celery", *arguments],
        cwd=ROOT,
        env=environment,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while ready is not None and ready not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            sys.exit(f"celery {' '.join(arguments)} did not start:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.2)
    return process


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def _seed_webhooks(count: int, receiver_url: str) -> Any:
    from pmo.models import Organization, Webhook

    Organization.objects.filter(slug=SLUG).delete()
    organization = Organization.objects.create(name="Relay bench", slug=SLUG)
    Webhook.objects.bulk_create(
        Webhook(
            organization=organization,
            name=f"Receiver {number}",
            url=f"{receiver_url}/hook-{number}",
            secret=hashlib.sha256(f"{SLUG}-{number}".encode()).hexdigest()[:32],
            events=["alert.opened"],
        )
        for number in range(count)
    )
    return organization


def _write_messages(organization: Any, count: int) -> dt.datetime:
    """The backlog, committed at once; the time of the commit."""
    from django.db import transaction
    from django.utils import timezone

    from pmo.models import OutboxMessage, Webhook

    webhooks = list(Webhook.objects.for_organization(organization).order_by("id"))
    with transaction.atomic():
        now = timezone.now()
        OutboxMessage.objects.bulk_create(
            (
                OutboxMessage(
                    organization=organization,
                    channel=OutboxMessage.Channel.WEBHOOK,
                    webhook=webhooks[number % len(webhooks)],
                    event="alert.opened",
                    payload={"event": "alert.opened", "alert": {"id": number, "severity": "red"}},
                    key=f"bench:{number}",
                    next_attempt_at=now,
                    created_at=now,
                )
                for number in range(count)
            ),
            batch_size=1000,
        )
    return timezone.now()


def _wait_until_sent(organization: Any, count: int, timeout: float) -> None:
    from pmo.models import OutboxMessage

    deadline = time.monotonic() + timeout
    sent = 0
    while time.monotonic() < deadline:
        sent = OutboxMessage.objects.for_organization(organization).filter(status=OutboxMessage.Status.SENT).count()
        if sent == count:
            return
        time.sleep(0.5)
    sys.exit(f"Gave up after {timeout:.0f} s with {sent} of {count} messages sent; see {LOGS}.")


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _figures(organization: Any, committed: dt.datetime) -> dict[str, Any]:
    from django.db.models import Max, Min

    from pmo.alerts.delivery import retry_delay
    from pmo.models import DeliveryAttempt, OutboxMessage

    attempts = DeliveryAttempt.objects.for_organization(organization)
    firsts = attempts.filter(attempt=1).aggregate(last=Max("created_at"))
    sent = OutboxMessage.objects.for_organization(organization).aggregate(last=Max("sent_at"), first=Min("sent_at"))
    first_tries = {
        row["message_id"]: row
        for row in attempts.filter(attempt=1, outcome=DeliveryAttempt.Outcome.FAILED).values(
            "message_id", "finished_at"
        )
    }
    lateness = [
        (row["created_at"] - (first_tries[row["message_id"]]["finished_at"] + retry_delay(1))).total_seconds()
        for row in attempts.filter(attempt=2, message_id__in=list(first_tries)).values("message_id", "created_at")
    ]
    return {
        "drain_seconds": (firsts["last"] - committed).total_seconds(),
        "all_sent_seconds": (sent["last"] - committed).total_seconds(),
        "attempts": attempts.count(),
        "unfinished_attempts": attempts.filter(outcome=DeliveryAttempt.Outcome.STARTED).count(),
        "retried": len(first_tries),
        "lateness": lateness,
    }


def main() -> None:
    options = _options()
    from bench.run import ensure_database

    if urlsplit(options.database_url).path.lstrip("/") in {"pmo", "pmo_bench"}:
        sys.exit("Give the relay bench a scratch database of its own (it replaces its organisation).")
    ensure_database(options.database_url)
    environment = _environment(options)
    os.environ.update(environment)
    LOGS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=environment, check=True
    )
    import django

    django.setup()
    from django.db import connection

    from pmo.models import Webhook
    from pmo.tasks import relay_outbox

    secrets: dict[str, str] = {}  # the receiver's: path -> the webhook's secret
    receiver = Receiver(secrets, options.fail_percent)
    organization = _seed_webhooks(options.webhooks, receiver.url)
    for url, secret in Webhook.objects.for_organization(organization).values_list("url", "secret"):
        secrets[urlsplit(url).path] = secret
    connection.close()

    processes: list[subprocess.Popen[bytes]] = []
    schedule = Path(tempfile.mkdtemp()) / "beat-schedule"
    try:
        for number in range(options.workers):
            processes.append(
                _start(
                    [
                        "worker",
                        "--pool=prefork",
                        "--concurrency=1",
                        "--without-gossip",
                        "--without-mingle",
                        "--without-heartbeat",
                        "--loglevel=INFO",
                        f"--hostname=relay-bench-{number}@%h",
                    ],
                    environment,
                    LOGS / f"worker-{number}.log",
                    " ready.",
                )
            )
        processes.append(
            _start(["beat", "--loglevel=INFO", f"--schedule={schedule}"], environment, LOGS / "beat.log", None)
        )
        committed = _write_messages(organization, options.messages)
        relay_outbox.delay()
        started = time.monotonic()
        _wait_until_sent(organization, options.messages, options.timeout)
        waited = time.monotonic() - started
    finally:
        _stop(processes)
        receiver.close()
    figures = _figures(organization, committed)
    calls = sum(len(times) for times in receiver.arrivals.values())
    repeats = calls - len(receiver.arrivals) - receiver.failed
    lateness = figures["lateness"]
    load = os.getloadavg()
    print(
        f"Relay bench: {options.messages:,} webhook messages to {options.webhooks} receivers on loopback, "
        f"{options.workers} worker processes + beat, {os.cpu_count()} CPUs (load {load[0]:.1f} {load[1]:.1f})."
    )
    print(f"  drain (every message's first attempt made): {figures['drain_seconds']:6.1f} s", end="")
    print(f"  ({options.messages / figures['drain_seconds']:,.0f} messages/s)")
    print(
        f"  all sent (the retries 30 s after their failure): {figures['all_sent_seconds']:6.1f} s (seen {waited:.1f} s)"
    )
    print(
        f"  calls received {calls:,}: failed on purpose {receiver.failed}, repeated deliveries {repeats}, "
        f"bad signatures {receiver.bad_signatures}; log rows {figures['attempts']:,} "
        f"({figures['unfinished_attempts']} without outcome)"
    )
    if lateness:
        print(
            f"  retry lateness over {len(lateness)} retries: p50 {statistics.median(lateness):.2f} s, "
            f"p95 {_percentile(lateness, 0.95):.2f} s, max {max(lateness):.2f} s"
        )
    drain_met = figures["drain_seconds"] < DRAIN_TARGET_SECONDS
    late_met = not lateness or max(lateness) <= LATENESS_TARGET_SECONDS
    print(f"  target drain < {DRAIN_TARGET_SECONDS} s: {'met' if drain_met else 'MISSED'}")
    print(f"  target retries within {LATENESS_TARGET_SECONDS} s of due: {'met' if late_met else 'MISSED'}")


if __name__ == "__main__":
    main()
