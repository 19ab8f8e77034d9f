"""Relays at once on the real PostgreSQL, in this process (threads, committed data): at most
PMO_RELAY_CHAINS of them run, and however many run, a receiver gets one call at a time, oldest
message first, each message once, while several receivers are served at once."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Lock, Thread
from typing import Any

import pytest
from django.db import connection

from pmo.alerts.delivery import RELAY_LOCK_CLASS, RelayResult, relay_link, relay_outbox
from pmo.models import OutboxMessage
from tests.conftest import require_service
from tests.factories import OrganizationFactory, OutboxMessageFactory, WebhookFactory

pytestmark = [pytest.mark.postgres]


class OverlapReceiver:
    """Answers 200 after a short pause, counting the calls under way, per path and in all."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int]] = []
        self.most_at_once = 0
        self.most_at_once_per_path: Counter[str] = Counter()
        lock = Lock()
        under_way: Counter[str] = Counter()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with lock:
                    under_way[self.path] += 1
                    receiver.calls.append((self.path, json.loads(body)["number"]))
                    receiver.most_at_once = max(receiver.most_at_once, sum(under_way.values()))
                    receiver.most_at_once_per_path[self.path] = max(
                        receiver.most_at_once_per_path[self.path], under_way[self.path]
                    )
                time.sleep(0.02)  # a receiver that takes a moment: calls to others overlap with it
                with lock:
                    under_way[self.path] -= 1
                self.send_response(200)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(transactional_db: None, settings: Any) -> Iterator[OverlapReceiver]:
    if connection.vendor != "postgresql":
        require_service("PostgreSQL", "the relays' threads and locks need the real database")
    settings.PMO_WEBHOOK_ALLOW_PRIVATE = True
    running = OverlapReceiver()
    yield running
    running.close()
    connection.close()


@contextmanager
def other_session() -> Iterator[Any]:
    """A second database session (a DB-API cursor), as another worker process would have."""
    session = connection.get_new_connection(connection.get_connection_params())
    session.autocommit = True
    try:
        yield session
    finally:
        session.close()


def test_at_most_the_configured_number_of_relays_run_at_once(receiver: OverlapReceiver, settings: Any) -> None:
    organization = OrganizationFactory()
    webhook = WebhookFactory(organization=organization, url=f"{receiver.url}/hook")
    message = OutboxMessageFactory(organization=organization, webhook=webhook, payload={"number": 1})
    settings.PMO_RELAY_CHAINS = 2
    with other_session() as first, other_session() as second:
        for slot, session in enumerate([first, second]):
            session.cursor().execute("SELECT pg_advisory_lock(%s, %s)", [RELAY_LOCK_CLASS, slot])

        assert relay_link(link=0) == (RelayResult(), False)
        message.refresh_from_db()
        assert message.status == OutboxMessage.Status.PENDING

        second.cursor().execute("SELECT pg_advisory_unlock(%s, %s)", [RELAY_LOCK_CLASS, 1])  # a relay ends
        result, again = relay_link(link=0)

    assert (result.sent, again) == (1, False)
    assert receiver.calls == [("/hook", 1)]


def test_two_relays_with_threads_send_to_each_receiver_one_call_at_a_time_oldest_first_each_once(
    receiver: OverlapReceiver,
) -> None:
    organization = OrganizationFactory()
    paths = [f"/hook-{number}" for number in range(4)]
    webhooks = [WebhookFactory(organization=organization, url=f"{receiver.url}{path}") for path in paths]
    count = 160
    for number in range(count):
        OutboxMessageFactory(
            organization=organization, webhook=webhooks[number % len(webhooks)], payload={"number": number}
        )
    results: list[RelayResult] = []

    def run_relay() -> None:
        try:
            results.append(relay_outbox(threads=3))
        finally:
            connection.close()

    relays = [Thread(target=run_relay) for _ in range(2)]
    for thread in relays:
        thread.start()
    for thread in relays:
        thread.join(timeout=120)

    assert sum(result.sent for result in results) == count
    assert sorted(number for _path, number in receiver.calls) == list(range(count))
    for path in paths:
        arrived = [number for called, number in receiver.calls if called == path]
        assert arrived == sorted(arrived)
        assert receiver.most_at_once_per_path[path] == 1
    assert receiver.most_at_once > 1  # several receivers at once
