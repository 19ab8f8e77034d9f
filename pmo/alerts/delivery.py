"""The outbox relay: sends pending e-mails and webhook calls, and the daily digests.

Each message is taken under a row lock that other relays skip, sent, and marked sent in the
same transaction. A relay that dies after sending but before committing leaves the message
pending, so it is sent again with the same idempotency key: receivers recognise the repeat
(``X-PMO-Delivery`` / ``Idempotency-Key`` headers, the e-mail's Message-ID). A failed attempt
is retried with exponential backoff up to ``MAX_ATTEMPTS`` times, then marked failed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import smtplib
import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pmo.alerts.services import alert_document
from pmo.models import Notification, Organization, OutboxMessage, Severity, User, WebhookDelivery
from pmo.queueing import nudge_on_commit
from pmo.tenancy import tenant_scope
from pmo.webhook_transport import SIGNATURE_HEADER, TIMESTAMP_HEADER, post, sign

MAX_ATTEMPTS = 8
FIRST_RETRY_SECONDS = 30
LONGEST_RETRY_SECONDS = 3600


def retry_delay(attempts: int) -> dt.timedelta:
    """30 s after the first failure, doubling, at most an hour."""
    return dt.timedelta(seconds=min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), LONGEST_RETRY_SECONDS))


@dataclass
class RelayResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


@dataclass(frozen=True)
class _Outcome:
    ok: bool
    error: str = ""


def _alert_link(organization_slug: str, alert_id: int) -> str:
    return f"{settings.PMO_BASE_URL.rstrip('/')}/o/{organization_slug}/alerts/{alert_id}/"


def render_email(message: OutboxMessage, user: User) -> tuple[str, str]:
    """Subject and body of an alert e-mail, in the recipient's language."""
    alerts: list[dict[str, Any]] = message.payload.get("alerts", [])
    language = user.language or settings.LANGUAGE_CODE
    with translation.override(language):
        lines = [
            {
                "severity": _("Red") if alert["severity"] == Severity.RED else _("Amber"),
                "message": alert["message"].get(language) or alert["message"].get("en", ""),
                "link": _alert_link(alert["organization"], alert["id"]),
            }
            for alert in alerts
        ]
        if message.payload.get("digest"):
            subject = ngettext("[PMO] %(count)d alert today", "[PMO] %(count)d alerts today", len(lines)) % {
                "count": len(lines)
            }
        else:
            first = lines[0] if lines else {"severity": "", "message": ""}
            subject = f"[PMO] {first['severity']}: {first['message']}"[:200]
        body = render_to_string(
            "pmo/email/alerts.txt", {"user": user, "lines": lines, "digest": bool(message.payload.get("digest"))}
        )
    return subject, body


def _send_email(message: OutboxMessage) -> _Outcome:
    user = message.user
    if user is None or not user.email or not user.is_active:
        return _Outcome(False, "The recipient has no e-mail address or is inactive.")
    subject, body = render_email(message, user)
    digest = hashlib.sha256(message.key.encode()).hexdigest()[:32]
    email = EmailMessage(
        subject,
        body,
        to=[user.email],
        headers={"Message-ID": f"<{digest}@pmo.alerts>", "X-PMO-Idempotency-Key": message.key},
    )
    try:
        email.send()
    except (smtplib.SMTPException, OSError) as error:
        return _Outcome(False, f"{type(error).__name__}: {error}"[:500])
    return _Outcome(True)


def webhook_body(message: OutboxMessage) -> bytes:
    document = {"id": message.key, "created_at": message.created_at.isoformat(), **message.payload}
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _send_webhook(message: OutboxMessage) -> _Outcome:
    webhook = message.webhook
    if webhook is None or not webhook.is_active:
        return _Outcome(False, "The webhook is switched off.")
    body = webhook_body(message)
    timestamp = int(time.time())
    headers = {
        "X-PMO-Event": message.event,
        "X-PMO-Delivery": message.key,
        "Idempotency-Key": message.key,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(webhook.secret, timestamp, body),
    }
    result = post(webhook.url, body, headers)
    WebhookDelivery.objects.create(
        organization_id=message.organization_id,
        webhook=webhook,
        message=message,
        event=message.event,
        attempt=message.attempts + 1,
        status_code=result.status_code,
        error=result.error[:500],
        response_excerpt=result.response_excerpt[:500],
        duration_ms=result.duration_ms,
    )
    if result.ok:
        return _Outcome(True)
    return _Outcome(False, result.error or f"HTTP {result.status_code}")


def _next_due() -> OutboxMessage | None:
    return (
        OutboxMessage.objects.unscoped()
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("user", "webhook")
        .filter(status=OutboxMessage.Status.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at", "id")
        .first()
    )


def relay_outbox(*, limit: int = 200) -> RelayResult:
    """Send up to ``limit`` due messages, one transaction each."""
    result = RelayResult()
    for _attempt in range(limit):
        with transaction.atomic():
            message = _next_due()
            if message is None:
                break
            with tenant_scope(message.organization_id):
                if message.channel == OutboxMessage.Channel.EMAIL:
                    outcome = _send_email(message)
                else:
                    outcome = _send_webhook(message)
            message.attempts += 1
            if outcome.ok:
                message.status = OutboxMessage.Status.SENT
                message.sent_at = timezone.now()
                message.last_error = ""
                result.sent += 1
            elif message.attempts >= MAX_ATTEMPTS:
                message.status = OutboxMessage.Status.FAILED
                message.last_error = outcome.error
                result.failed += 1
            else:
                message.next_attempt_at = timezone.now() + retry_delay(message.attempts)
                message.last_error = outcome.error
                result.retrying += 1
            message.save(update_fields=["attempts", "status", "sent_at", "last_error", "next_attempt_at"])
    return result


@transaction.atomic
def digests_queue(*, organization: Organization) -> int:
    """One digest e-mail per person who chose the daily digest and has undigested notifications."""
    pending = list(
        Notification.objects.for_organization(organization)
        .select_for_update(of=("self",))
        .filter(digested_at__isnull=True, user__alert_email=User.AlertEmail.DIGEST, user__is_active=True)
        .exclude(user__email="")
        .select_related("alert", "user")
        .order_by("user_id", "id")
    )
    by_user: dict[int, list[Notification]] = defaultdict(list)
    for notification in pending:
        by_user[notification.user_id].append(notification)
    messages = [
        OutboxMessage(
            organization=organization,
            channel=OutboxMessage.Channel.EMAIL,
            user=notifications[0].user,
            event="digest",
            payload={"digest": True, "alerts": [alert_document(item.alert, organization) for item in notifications]},
            key=f"digest:{user_id}:{notifications[-1].pk}",
        )
        for user_id, notifications in by_user.items()
    ]
    OutboxMessage.objects.bulk_create(messages)
    Notification.objects.for_organization(organization).filter(pk__in=[item.pk for item in pending]).update(
        digested_at=timezone.now()
    )
    if messages:
        from pmo.tasks import relay_outbox as relay_task

        nudge_on_commit(relay_task)
    return len(messages)
