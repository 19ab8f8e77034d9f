"""The outbox relay: e-mails and webhook calls claimed with a lease, logged before each attempt, sent
at least once with a stable key, retried with backoff, in order per receiver; daily digests."""

from __future__ import annotations

import datetime as dt
import json
import smtplib
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.utils import timezone

from pmo.alerts import delivery
from pmo.alerts.delivery import (
    MAX_ATTEMPTS,
    digests_queue,
    email_message_id,
    relay_link,
    relay_outbox,
    retry_delay,
)
from pmo.models import DeliveryAttempt, Notification, Organization, OrgRole, OutboxMessage, User, Webhook, WebhookEvent
from pmo.webhook_transport import PostResult, verify
from tests.factories import (
    AlertFactory,
    DeliveryAttemptFactory,
    NotificationFactory,
    OutboxMessageFactory,
    WebhookFactory,
    member,
)

pytestmark = pytest.mark.django_db


class FakePost:
    """Stands in for the network: records each call and answers with the next result (or the URL's)."""

    def __init__(
        self,
        *results: PostResult,
        by_url: dict[str, PostResult] | None = None,
        during: Callable[[], None] | None = None,
    ) -> None:
        self.results = list(results)
        self.by_url = by_url or {}
        self.during = during
        self.calls: list[dict[str, Any]] = []

    def __call__(self, url: str, body: bytes, headers: dict[str, str], **_: Any) -> PostResult:
        self.calls.append({"url": url, "body": body, "headers": dict(headers)})
        if self.during is not None:
            self.during()
        if url in self.by_url:
            return self.by_url[url]
        return self.results.pop(0) if len(self.results) > 1 else self.results[0]

    def keys(self, webhook: Webhook | None = None) -> list[str]:
        return [
            call["headers"]["Idempotency-Key"] for call in self.calls if webhook is None or call["url"] == webhook.url
        ]


OK = PostResult(status_code=204, error="", response_excerpt="", duration_ms=3)
DOWN = PostResult(status_code=503, error="", response_excerpt="maintenance", duration_ms=5)
REFUSED = PostResult(status_code=None, error="connection refused", response_excerpt="", duration_ms=1)


def email_message(organization: Organization, user: User, **fields: Any) -> OutboxMessage:
    alert = AlertFactory(organization=organization, project__organization=organization)
    document = {
        "id": alert.pk,
        "organization": organization.slug,
        "severity": "red",
        "message": {"en": "P-1: CPI 0.8000 is below 0.9.", "zh-hans": "P-1：CPI 0.8000 低于 0.9。"},
    }
    values: dict[str, Any] = {
        "organization": organization,
        "channel": OutboxMessage.Channel.EMAIL,
        "user": user,
        "webhook": None,
        "event": WebhookEvent.ALERT_OPENED,
        "payload": {"alerts": [document]},
    }
    values.update(fields)
    return OutboxMessageFactory(**values)


def test_an_email_is_sent_once_in_the_recipients_language_with_its_idempotency_key(organization: Organization) -> None:
    reader = member(organization, OrgRole.PMO, language="zh-hans").user
    message = email_message(organization, reader)

    first = relay_outbox()
    second = relay_outbox()

    assert (first.sent, second.sent) == (1, 0)
    [email] = mail.outbox
    assert email.to == [reader.email]
    assert email.extra_headers["X-PMO-Idempotency-Key"] == message.key
    assert "CPI 0.8000 低于 0.9" in email.subject
    assert f"/o/{organization.slug}/alerts/" in email.body
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxMessage.Status.SENT, 1)


def test_a_webhook_call_is_signed_and_logged(organization: Organization, monkeypatch: pytest.MonkeyPatch) -> None:
    webhook = WebhookFactory(organization=organization)
    message = OutboxMessageFactory(organization=organization, webhook=webhook, payload={"event": "alert.opened"})
    fake = FakePost(OK)
    monkeypatch.setattr(delivery, "post", fake)

    relay_outbox()

    [call] = fake.calls
    headers = call["headers"]
    assert verify(webhook.secret, headers["X-PMO-Signature"], headers["X-PMO-Timestamp"], call["body"])
    assert headers["X-PMO-Delivery"] == headers["Idempotency-Key"] == message.key
    assert json.loads(call["body"])["id"] == message.key
    [logged] = DeliveryAttempt.objects.for_organization(organization)
    assert (logged.attempt, logged.status_code, logged.ok) == (1, 204, True)
    assert (logged.outcome, logged.channel, logged.webhook) == (DeliveryAttempt.Outcome.DELIVERED, "webhook", webhook)
    assert logged.finished_at is not None


def test_a_failed_call_is_retried_later_with_a_growing_delay_then_given_up(
    organization: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    message = OutboxMessageFactory(organization=organization, webhook=WebhookFactory(organization=organization))
    monkeypatch.setattr(delivery, "post", FakePost(DOWN, REFUSED))

    relay_outbox()
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (OutboxMessage.Status.PENDING, 1, "HTTP 503")
    assert message.next_attempt_at > timezone.now() + dt.timedelta(seconds=25)
    assert relay_outbox().sent == 0  # not due yet

    for _attempt in range(MAX_ATTEMPTS - 1):
        OutboxMessage.objects.for_organization(organization).filter(pk=message.pk).update(
            next_attempt_at=timezone.now()
        )
        relay_outbox()

    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (
        OutboxMessage.Status.FAILED,
        MAX_ATTEMPTS,
        "connection refused",
    )
    log = DeliveryAttempt.objects.for_organization(organization).order_by("attempt")
    assert [(item.attempt, item.status_code) for item in log][:2] == [(1, 503), (2, None)]
    assert log.count() == MAX_ATTEMPTS


def test_the_retry_delay_doubles_from_30_seconds_up_to_an_hour() -> None:
    assert [retry_delay(attempt).total_seconds() for attempt in (1, 2, 3, 7, 8, 20)] == [
        30,
        60,
        120,
        1920,
        3600,
        3600,
    ]


def test_a_switched_off_webhook_gets_nothing(organization: Organization, monkeypatch: pytest.MonkeyPatch) -> None:
    webhook = WebhookFactory(organization=organization, is_active=False)
    message = OutboxMessageFactory(organization=organization, webhook=webhook)
    fake = FakePost(OK)
    monkeypatch.setattr(delivery, "post", fake)

    relay_outbox()

    assert fake.calls == []
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.PENDING
    assert message.attempts == 1


def test_the_daily_digest_gathers_the_undigested_notifications_once(organization: Organization) -> None:
    reader = member(organization, OrgRole.PMO, alert_email=User.AlertEmail.DIGEST).user
    immediate = member(organization, OrgRole.PMO).user
    for _number in range(3):
        NotificationFactory(organization=organization, user=reader, alert__project__organization=organization)
    NotificationFactory(
        organization=organization,
        user=immediate,
        alert__project__organization=organization,
        digested_at=timezone.now(),
    )

    assert digests_queue(organization=organization) == 1
    assert digests_queue(organization=organization) == 0

    [digest] = OutboxMessage.objects.for_organization(organization)
    assert (digest.user_id, digest.payload["digest"], len(digest.payload["alerts"])) == (reader.pk, True, 3)
    assert not Notification.objects.for_organization(organization).filter(digested_at__isnull=True).exists()
    relay_outbox()
    [email] = mail.outbox
    assert email.to == [reader.email]
    assert email.body.count(f"/o/{organization.slug}/alerts/") == 3


def test_a_webhook_whose_host_no_longer_resolves_can_still_be_switched_off_and_rotated(
    organization: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    from pmo.alerts.services import webhook_update
    from pmo.errors import ApplicationError

    admin = member(organization, OrgRole.ADMIN).user
    webhook = WebhookFactory(organization=organization, url="https://gone.example.com/hook")
    secret = webhook.secret

    def unresolvable(*_args: Any, **_kwargs: Any) -> Any:
        raise socket.gaierror("Name or service not known")

    monkeypatch.setattr("pmo.webhook_transport.socket.getaddrinfo", unresolvable)
    webhook_update(actor=admin, webhook=webhook, rotate_secret=True, is_active=False, name="Old receiver")

    webhook.refresh_from_db()
    assert (webhook.is_active, webhook.name) == (False, "Old receiver")
    assert webhook.secret != secret
    with pytest.raises(ApplicationError) as raised:
        webhook_update(actor=admin, webhook=webhook, url="https://other.example.com/hook")
    assert raised.value.code == "webhook_url_unresolvable"


def _messages(organization: Organization) -> Any:
    return OutboxMessage.objects.for_organization(organization)


def held_by_a_stopped_relay(message: OutboxMessage, *, lease_ended: bool, attempts: int = 1) -> uuid.UUID:
    """The message as a relay that died after starting attempt ``attempts`` left it."""
    token = uuid.uuid4()
    lease_until = timezone.now() + dt.timedelta(seconds=-1 if lease_ended else 60)
    _messages(message.organization).filter(pk=message.pk).update(
        status=OutboxMessage.Status.CLAIMED,
        claim_token=token,
        lease_until=lease_until,
        next_attempt_at=lease_until,
        attempts=attempts,
    )
    DeliveryAttemptFactory(
        message=message,
        attempt=attempts,
        claim_token=token,
        status_code=None,
        outcome=DeliveryAttempt.Outcome.STARTED,
        finished_at=None,
    )
    return token


def test_each_attempt_is_logged_as_started_under_a_claim_and_a_lease_before_the_call(
    organization: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    message = OutboxMessageFactory(organization=organization, webhook=WebhookFactory(organization=organization))
    seen: list[tuple[Any, ...]] = []

    def look() -> None:
        held = _messages(organization).get(pk=message.pk)
        [logged] = DeliveryAttempt.objects.for_organization(organization)
        seen.append((held.status, held.claim_token == logged.claim_token, held.attempts, logged.outcome))
        assert held.lease_until is not None
        assert held.lease_until > timezone.now()
        assert held.next_attempt_at == held.lease_until

    monkeypatch.setattr(delivery, "post", FakePost(OK, during=look))

    relay_outbox()

    assert seen == [(OutboxMessage.Status.CLAIMED, True, 1, DeliveryAttempt.Outcome.STARTED)]
    message.refresh_from_db()
    assert (message.status, message.claim_token, message.lease_until) == (OutboxMessage.Status.SENT, None, None)


def test_a_message_whose_relay_stopped_is_sent_again_with_the_same_key_once_its_lease_ends(
    organization: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    message = OutboxMessageFactory(organization=organization, webhook=WebhookFactory(organization=organization))
    held_by_a_stopped_relay(message, lease_ended=False)
    fake = FakePost(OK)
    monkeypatch.setattr(delivery, "post", fake)

    relay_outbox()
    assert fake.calls == []  # the lease still runs: the relay holding it may be mid-attempt

    held_by_a_stopped_relay(message, lease_ended=True)
    relay_outbox()

    assert fake.keys() == [message.key]
    assert fake.calls[0]["headers"]["X-PMO-Delivery"] == message.key
    assert json.loads(fake.calls[0]["body"])["id"] == message.key
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxMessage.Status.SENT, 2)
    log = DeliveryAttempt.objects.for_organization(organization).filter(message=message).order_by("attempt", "id")
    assert [(item.attempt, item.outcome) for item in log][-2:] == [
        (1, DeliveryAttempt.Outcome.STARTED),
        (2, DeliveryAttempt.Outcome.DELIVERED),
    ]


def test_a_relay_whose_claim_was_taken_over_logs_its_attempt_and_leaves_the_message_alone(
    organization: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    message = OutboxMessageFactory(organization=organization, webhook=WebhookFactory(organization=organization))
    other_relay = uuid.uuid4()

    def taken_over() -> None:
        # The lease ended mid-call (a very slow receiver) and another relay claimed the message.
        _messages(organization).filter(pk=message.pk).update(claim_token=other_relay)

    monkeypatch.setattr(delivery, "post", FakePost(OK, during=taken_over))

    result = relay_outbox()

    assert (result.sent, result.lost) == (0, 1)
    message.refresh_from_db()
    assert (message.status, message.claim_token, message.sent_at) == (OutboxMessage.Status.CLAIMED, other_relay, None)
    [logged] = DeliveryAttempt.objects.for_organization(organization)
    assert (logged.outcome, logged.status_code) == (DeliveryAttempt.Outcome.DELIVERED, 204)


def test_a_receivers_due_messages_go_out_oldest_first_whatever_their_due_times(
    organization: Organization, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.PMO_RELAY_PER_RECEIVER = 2  # a receiver's messages come in several claims
    first = WebhookFactory(organization=organization, url="https://first.example.com/hook")
    second = WebhookFactory(organization=organization, url="https://second.example.com/hook")
    now = timezone.now()
    made = {}
    for name, webhook, due in [
        ("a1", first, now - dt.timedelta(seconds=1)),
        ("b1", second, now),
        ("a2", first, now - dt.timedelta(minutes=5)),  # due longer, written later
        ("a3", first, now - dt.timedelta(minutes=9)),
        ("b2", second, now - dt.timedelta(minutes=9)),
    ]:
        made[name] = OutboxMessageFactory(organization=organization, webhook=webhook, next_attempt_at=due).key
    fake = FakePost(OK)
    monkeypatch.setattr(delivery, "post", fake)

    assert relay_outbox().sent == 5

    assert fake.keys(first) == [made["a1"], made["a2"], made["a3"]]
    assert fake.keys(second) == [made["b1"], made["b2"]]


def test_a_receiver_with_a_message_on_the_way_gets_nothing_more_until_it_is_done(
    organization: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    busy, free = WebhookFactory(organization=organization), WebhookFactory(organization=organization)
    under_way = OutboxMessageFactory(organization=organization, webhook=busy)
    waiting = OutboxMessageFactory(organization=organization, webhook=busy)
    other = OutboxMessageFactory(organization=organization, webhook=free)
    held_by_a_stopped_relay(under_way, lease_ended=False)  # another relay is sending it now
    fake = FakePost(OK)
    monkeypatch.setattr(delivery, "post", fake)

    relay_outbox()

    assert fake.keys() == [other.key]
    waiting.refresh_from_db()
    assert (waiting.status, waiting.attempts) == (OutboxMessage.Status.PENDING, 0)


def test_a_receiver_that_does_not_answer_keeps_its_later_messages_in_order_until_its_retry(
    organization: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    dead = WebhookFactory(organization=organization, url="https://dead.example.com/hook")
    alive = WebhookFactory(organization=organization, url="https://alive.example.com/hook")
    head, *rest = [OutboxMessageFactory(organization=organization, webhook=dead) for _ in range(3)]
    other = OutboxMessageFactory(organization=organization, webhook=alive)
    fake = FakePost(OK, by_url={dead.url: REFUSED})
    monkeypatch.setattr(delivery, "post", fake)

    result = relay_outbox()

    assert (result.sent, result.retrying, result.released) == (1, 1, 2)
    assert fake.keys(dead) == [head.key]  # one call to the dead receiver, not one per message
    assert fake.keys(alive) == [other.key]
    head.refresh_from_db()
    assert (head.status, head.attempts, head.last_error) == (OutboxMessage.Status.PENDING, 1, "connection refused")
    for message in rest:
        message.refresh_from_db()
        assert (message.status, message.attempts, message.next_attempt_at) == (
            OutboxMessage.Status.PENDING,
            0,
            head.next_attempt_at,
        )
    assert DeliveryAttempt.objects.for_organization(organization).filter(webhook=dead).count() == 1

    _messages(organization).filter(webhook=dead).update(next_attempt_at=timezone.now())
    fake.by_url = {}
    relay_outbox()
    assert fake.keys(dead) == [head.key, head.key, *[message.key for message in rest]]


def test_a_message_whose_last_attempt_has_no_outcome_is_failed_without_another_call(
    organization: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    message = OutboxMessageFactory(organization=organization, webhook=WebhookFactory(organization=organization))
    held_by_a_stopped_relay(message, lease_ended=True, attempts=MAX_ATTEMPTS)
    fake = FakePost(OK)
    monkeypatch.setattr(delivery, "post", fake)

    assert relay_outbox().failed == 1

    assert fake.calls == []
    message.refresh_from_db()
    assert (message.status, message.attempts, message.claim_token) == (OutboxMessage.Status.FAILED, MAX_ATTEMPTS, None)
    assert message.last_error == f"The relay stopped during attempt {MAX_ATTEMPTS}; its outcome is unknown."


def test_an_email_keeps_its_message_id_on_every_attempt_and_each_attempt_is_logged(
    organization: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = member(organization, OrgRole.PMO).user
    message = email_message(organization, reader)
    send = EmailMessage.send
    message_ids: list[str] = []

    def refused_once(email: EmailMessage, fail_silently: bool = False) -> int:
        message_ids.append(email.extra_headers["Message-ID"])
        if len(message_ids) == 1:
            raise smtplib.SMTPDataError(451, b"try again later")
        return send(email, fail_silently)

    monkeypatch.setattr(EmailMessage, "send", refused_once)

    relay_outbox()
    _messages(organization).filter(pk=message.pk).update(next_attempt_at=timezone.now())
    relay_outbox()

    [email] = mail.outbox
    assert message_ids == [email_message_id(message)] * 2 == [email.extra_headers["Message-ID"]] * 2
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxMessage.Status.SENT, 2)
    log = DeliveryAttempt.objects.for_organization(organization).order_by("attempt")
    assert [(item.channel, item.attempt, item.outcome, item.webhook) for item in log] == [
        ("email", 1, DeliveryAttempt.Outcome.FAILED, None),
        ("email", 2, DeliveryAttempt.Outcome.DELIVERED, None),
    ]
    assert "SMTPDataError" in log[0].error


def test_a_relay_hands_back_what_it_could_not_send_within_its_time_budget_and_says_more_is_due(
    organization: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    webhook = WebhookFactory(organization=organization)
    _first, *rest = [OutboxMessageFactory(organization=organization, webhook=webhook) for _ in range(3)]

    def slow() -> None:
        time.sleep(0.3)

    monkeypatch.setattr(delivery, "post", FakePost(OK, during=slow))

    result = relay_outbox(budget=0.2)

    assert (result.sent, result.released, result.more) == (1, 2, True)
    for message in rest:
        message.refresh_from_db()
        assert (message.status, message.attempts, message.claim_token) == (OutboxMessage.Status.PENDING, 0, None)
        assert message.next_attempt_at <= timezone.now()


def test_a_relay_chain_goes_on_while_messages_are_due_for_a_bounded_number_of_links(
    organization: Organization, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    OutboxMessageFactory(organization=organization, webhook=WebhookFactory(organization=organization))
    monkeypatch.setattr(delivery, "post", FakePost(OK))
    settings.PMO_RELAY_TIME_BUDGET_SECONDS = 0  # no time to send anything

    assert relay_link(link=0)[1] is True
    assert relay_link(link=settings.PMO_RELAY_CHAIN_LINKS - 1)[1] is False

    settings.PMO_RELAY_TIME_BUDGET_SECONDS = 20
    result, again = relay_link(link=0)
    assert (result.sent, result.more, again) == (1, False, False)


def test_a_relay_waits_for_a_message_falling_due_within_its_linger_only(
    organization: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    webhook = WebhookFactory(organization=organization)
    OutboxMessageFactory(
        organization=organization, webhook=webhook, next_attempt_at=timezone.now() + dt.timedelta(milliseconds=300)
    )
    OutboxMessageFactory(
        organization=organization, webhook=webhook, next_attempt_at=timezone.now() + dt.timedelta(hours=1)
    )
    monkeypatch.setattr(delivery, "post", FakePost(OK))

    assert relay_outbox(linger=0).sent == 0
    assert relay_outbox(linger=5).sent == 1
