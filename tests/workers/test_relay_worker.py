"""The outbox relay through real Celery workers on the real PostgreSQL and Redis: a relay killed after
the receiver took a call sends it again once, with the same key, and the attempt is in the log; a
backlog drains through the relay's chain of tasks, in order per receiver, once each."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Lock, Thread
from typing import Any

import pytest
from django.utils import timezone

from pmo.models import DeliveryAttempt, Organization, OutboxMessage, Webhook
from pmo.webhook_transport import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from tests.factories import OrganizationFactory, OutboxMessageFactory, WebhookFactory
from tests.workers.conftest import Workers, wait_for

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


@dataclass
class Call:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def key(self) -> str:
        return self.headers["idempotency-key"]


class Receiver:
    """A webhook receiver on loopback that records every call and recognises a repeated key.

    ``before_answer`` runs once, on the first call, before the answer goes back.
    """

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.seen: set[str] = set()
        self.repeats: list[str] = []
        self.before_answer: Callable[[], None] | None = None
        lock = Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                call = Call(
                    self.path,
                    {name.lower(): value for name, value in self.headers.items()},
                    self.rfile.read(int(self.headers.get("Content-Length", "0"))),
                )
                with lock:
                    receiver.calls.append(call)
                    if call.key in receiver.seen:
                        receiver.repeats.append(call.key)  # acknowledged, not acted on again
                    receiver.seen.add(call.key)
                    hook, receiver.before_answer = receiver.before_answer, None
                if hook is not None:
                    hook()
                try:
                    self.send_response(200)
                    self.end_headers()
                except OSError:
                    pass  # the relay that called is gone

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.close()


def outbox(organization: Organization) -> Any:
    return OutboxMessage.objects.for_organization(organization)


def relay(workers: Workers) -> None:
    """Queue the relay as the beat does."""
    workers.python("from pmo.celery import app\napp.send_task('pmo.relay_outbox')")


def test_a_relay_killed_after_the_receiver_took_the_call_sends_it_again_once_with_the_same_key(
    workers: Workers, receiver: Receiver
) -> None:
    organization = OrganizationFactory()
    webhook = WebhookFactory(organization=organization, url=f"{receiver.url}/hook")
    message = OutboxMessageFactory(organization=organization, webhook=webhook, payload={"event": "alert.opened"})
    first = workers.start()
    # The receiver has the call; the relay dies before it hears the answer and records the result.
    receiver.before_answer = lambda: workers.kill(first)

    relay(workers)
    wait_for(lambda: first.poll() is not None, "the receiver to kill the relay's worker", workers)

    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxMessage.Status.CLAIMED, 1)
    [started] = DeliveryAttempt.objects.for_organization(organization)
    assert (started.attempt, started.outcome, started.claim_token) == (
        1,
        DeliveryAttempt.Outcome.STARTED,
        message.claim_token,
    )

    workers.start()
    lease_until = message.lease_until
    assert lease_until is not None
    wait_for(lambda: timezone.now() > lease_until, "the killed relay's lease to end", workers)
    relay(workers)
    wait_for(lambda: outbox(organization).get().status == OutboxMessage.Status.SENT, "the message to be sent", workers)

    assert [call.key for call in receiver.calls] == [message.key, message.key]
    assert receiver.repeats == [message.key]  # one extra delivery, recognised by its key
    for call in receiver.calls:
        assert call.headers["x-pmo-delivery"] == message.key
        assert json.loads(call.body)["id"] == message.key
        assert verify(
            webhook.secret, call.headers[SIGNATURE_HEADER.lower()], call.headers[TIMESTAMP_HEADER.lower()], call.body
        )
    message.refresh_from_db()
    assert (message.attempts, message.claim_token, message.lease_until) == (2, None, None)
    log = DeliveryAttempt.objects.for_organization(organization).order_by("attempt")
    assert [(item.attempt, item.outcome, item.status_code) for item in log] == [
        (1, DeliveryAttempt.Outcome.STARTED, None),
        (2, DeliveryAttempt.Outcome.DELIVERED, 200),
    ]


def test_a_backlog_drains_through_the_relays_chain_once_each_and_in_order_per_receiver(
    workers: Workers, receiver: Receiver
) -> None:
    organization = OrganizationFactory()
    webhooks: list[Webhook] = [
        WebhookFactory(organization=organization, url=f"{receiver.url}/hook-{number}") for number in range(6)
    ]
    count = 600
    messages = OutboxMessage.objects.bulk_create(
        OutboxMessage(
            organization=organization,
            channel=OutboxMessage.Channel.WEBHOOK,
            webhook=webhooks[number % len(webhooks)],
            event="alert.opened",
            payload={"event": "alert.opened", "number": number},
            key=f"backlog:{number}",
        )
        for number in range(count)
    )
    workers.start()
    workers.start()

    relay(workers)  # one kick: the chain carries on while messages are due
    wait_for(
        lambda: not outbox(organization).exclude(status=OutboxMessage.Status.SENT).exists(),
        "the backlog to drain",
        workers,
        timeout=180,
    )

    assert Counter(call.key for call in receiver.calls) == Counter(message.key for message in messages)
    for webhook in webhooks:
        path = webhook.url.removeprefix(receiver.url)
        arrived = [json.loads(call.body)["number"] for call in receiver.calls if call.path == path]
        assert arrived == sorted(arrived)
    assert (
        DeliveryAttempt.objects.for_organization(organization).filter(outcome=DeliveryAttempt.Outcome.DELIVERED).count()
        == count
    )
