"""The outbox relay: e-mails and webhook calls sent once, retried with backoff, logged; daily digests."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from pmo.alerts import delivery
from pmo.alerts.delivery import MAX_ATTEMPTS, digests_queue, relay_outbox, retry_delay
from pmo.models import Notification, Organization, OrgRole, OutboxMessage, User, WebhookDelivery, WebhookEvent
from pmo.webhook_transport import PostResult, verify
from tests.factories import AlertFactory, NotificationFactory, OutboxMessageFactory, WebhookFactory, member

pytestmark = pytest.mark.django_db


class FakePost:
    """Stands in for the network: records each call and answers with the next result."""

    def __init__(self, *results: PostResult) -> None:
        self.results = list(results)
        self.calls: list[dict[str, Any]] = []

    def __call__(self, url: str, body: bytes, headers: dict[str, str], **_: Any) -> PostResult:
        self.calls.append({"url": url, "body": body, "headers": dict(headers)})
        return self.results.pop(0) if len(self.results) > 1 else self.results[0]


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
    [logged] = WebhookDelivery.objects.for_organization(organization)
    assert (logged.attempt, logged.status_code, logged.ok) == (1, 204, True)


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
    log = WebhookDelivery.objects.for_organization(organization).order_by("attempt")
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
