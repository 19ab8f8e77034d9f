"""The outbox relay: sends due e-mails and webhook calls, and the daily digests.

Delivery is at least once, with a stable idempotency key. A relay claims due messages in a short
committed transaction (status ``claimed``, a claim token, a lease), then, for each message:
renews the lease and logs the attempt as ``started`` (one committed transaction), sends it, and
records the outcome in the log and the result on the message (one committed transaction; the
message only while the claim token is still its own). A relay that dies between sending and that
last commit leaves the attempt in the log as ``started`` and the message claimed; once the lease
ends the message is due again and is sent again with the same key: the ``Idempotency-Key`` and
``X-PMO-Delivery`` headers and the body's ``id`` of a webhook call, the ``Message-ID`` of an
e-mail. Receivers recognise the repeat by it. A failed attempt is retried with exponential
backoff; after ``MAX_ATTEMPTS`` started attempts the message is marked failed.

Throughput: a relay serves up to ``PMO_RELAY_THREADS`` receivers at once (a receiver is a webhook,
or the person an e-mail goes to), each in a thread of its own, and keeps claiming while messages
are due, for ``PMO_RELAY_TIME_BUDGET_SECONDS``. Per receiver the order holds: a claim takes a
receiver only while none of its messages is claimed by any relay (claims are serialised), takes up
to ``PMO_RELAY_PER_RECEIVER`` of its due messages, oldest first, and sends them one after another
in that order. So a receiver never gets a message while an older one of its due messages is still
waiting or on the way; a retry that is not due yet does not hold back newer messages, so receivers
order events by their own time, not by arrival. A receiver that does not answer (a timeout, a
refused connection) gets the rest of its claimed messages back unsent, due with its retry, so it
holds one thread for one timeout at most while the others go on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import queue
import smtplib
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, connections, transaction
from django.db.models import Min, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from pmo.alerts.services import alert_document
from pmo.models import DeliveryAttempt, Notification, Organization, OutboxMessage, Severity, User
from pmo.queueing import nudge_on_commit
from pmo.tenancy import tenant_scope
from pmo.webhook_transport import SIGNATURE_HEADER, TIMESTAMP_HEADER, post, sign

MAX_ATTEMPTS = 8
FIRST_RETRY_SECONDS = 30
LONGEST_RETRY_SECONDS = 3600
# PostgreSQL advisory locks (class, object): the relay slots are objects 0 .. PMO_RELAY_CHAINS - 1;
# claims are serialised on CLAIMS.
RELAY_LOCK_CLASS = 0x504D4F
CLAIMS = -1
# What identifies a receiver: the webhook of a call, the person of an e-mail.
RECEIVER = ("channel", "webhook_id", "user_id")

Receiver = tuple[str, int | None, int | None]


def retry_delay(attempts: int) -> dt.timedelta:
    """30 s after the first failure, doubling, at most an hour."""
    return dt.timedelta(seconds=min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), LONGEST_RETRY_SECONDS))


@dataclass
class RelayResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    # Claimed and handed back unsent: the time budget ran out, or their receiver did not answer.
    released: int = 0
    # Messages whose claim another relay had taken over (after the lease ended): not touched.
    lost: int = 0
    # Messages were still due when the relay stopped (its time budget ran out), or fall due within its linger.
    more: bool = False

    def add(self, other: RelayResult) -> None:
        self.sent += other.sent
        self.retrying += other.retrying
        self.failed += other.failed
        self.released += other.released
        self.lost += other.lost


@dataclass(frozen=True)
class _Outcome:
    ok: bool
    error: str = ""
    status_code: int | None = None
    response_excerpt: str = ""
    duration_ms: int = 0
    # The receiver did not answer (or cannot be reached at all): its other messages wait.
    unreachable: bool = False


@dataclass
class _Claim:
    """One receiver's claimed messages, oldest first, under one claim token."""

    token: uuid.UUID
    messages: list[OutboxMessage] = field(default_factory=list)


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


def email_message_id(message: OutboxMessage) -> str:
    """The e-mail's Message-ID, the same on every attempt: mail software drops the repeat."""
    digest = hashlib.sha256(message.key.encode()).hexdigest()[:32]
    return f"<{digest}@pmo.alerts>"


def _send_email(message: OutboxMessage) -> _Outcome:
    user = message.user
    if user is None or not user.email or not user.is_active:
        return _Outcome(False, "The recipient has no e-mail address or is inactive.", unreachable=True)
    subject, body = render_email(message, user)
    email = EmailMessage(
        subject,
        body,
        to=[user.email],
        headers={"Message-ID": email_message_id(message), "X-PMO-Idempotency-Key": message.key},
    )
    started = time.monotonic()
    try:
        email.send()
    except (smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected, OSError) as error:
        # The mail server did not take it (settings.EMAIL_TIMEOUT bounds the wait).
        return _Outcome(False, f"{type(error).__name__}: {error}"[:500], duration_ms=_since(started), unreachable=True)
    except smtplib.SMTPException as error:
        return _Outcome(False, f"{type(error).__name__}: {error}"[:500], duration_ms=_since(started))
    return _Outcome(True, duration_ms=_since(started))


def _since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def webhook_body(message: OutboxMessage) -> bytes:
    document = {"id": message.key, "created_at": message.created_at.isoformat(), **message.payload}
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _send_webhook(message: OutboxMessage) -> _Outcome:
    webhook = message.webhook
    if webhook is None or not webhook.is_active:
        return _Outcome(False, "The webhook is switched off.", unreachable=True)
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
    return _Outcome(
        result.ok,
        "" if result.ok else (result.error or f"HTTP {result.status_code}"),
        status_code=result.status_code,
        response_excerpt=result.response_excerpt,
        duration_ms=result.duration_ms,
        unreachable=result.status_code is None,
    )


def _messages() -> QuerySet[OutboxMessage]:
    """The relay works across organisations."""
    return OutboxMessage.objects.unscoped()


def _due(now: dt.datetime) -> QuerySet[OutboxMessage]:
    """Pending messages whose time has come, and claimed ones whose lease ended (their relay stopped)."""
    return _messages().filter(
        status__in=[OutboxMessage.Status.PENDING, OutboxMessage.Status.CLAIMED], next_attempt_at__lte=now
    )


def _lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.PMO_RELAY_LEASE_SECONDS)


def _serialise_claims() -> None:
    """Claims happen one at a time (for the transaction), so that two relays never take one receiver."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [RELAY_LOCK_CLASS, CLAIMS])


def _claim(*, receivers: int, per_receiver: int) -> list[_Claim]:
    """Claim the due messages of up to ``receivers`` receivers that no relay is sending to, in one
    committed transaction: up to ``per_receiver`` each, oldest first; the receivers whose messages
    have waited longest first."""
    now = timezone.now()
    lease_until = now + _lease()
    token = uuid.uuid4()
    with transaction.atomic():
        _serialise_claims()
        busy = set(
            _messages()
            .filter(status=OutboxMessage.Status.CLAIMED, lease_until__gt=now)
            .values_list(*RECEIVER)
            .distinct()
            .order_by()
        )
        waiting = (
            _due(now).values_list(*RECEIVER).annotate(first_due=Min("next_attempt_at")).order_by("first_due", *RECEIVER)
        )
        chosen: list[Receiver] = []
        for channel, webhook_id, user_id, _first_due in waiting[: receivers + len(busy)]:
            if (channel, webhook_id, user_id) not in busy and len(chosen) < receivers:
                chosen.append((channel, webhook_id, user_id))
        ids: list[int] = []
        for receiver in chosen:
            ids += (
                _due(now)
                .filter(**dict(zip(RECEIVER, receiver, strict=True)))
                .order_by("id")
                .select_for_update(skip_locked=True, of=("self",))
                .values_list("pk", flat=True)[:per_receiver]
            )
        if not ids:
            return []
        _messages().filter(pk__in=ids).update(
            status=OutboxMessage.Status.CLAIMED, claim_token=token, lease_until=lease_until, next_attempt_at=lease_until
        )
    claims: dict[Receiver, _Claim] = {receiver: _Claim(token) for receiver in chosen}
    for message in _messages().filter(pk__in=ids).select_related("user", "webhook").order_by("id"):
        claims[(message.channel, message.webhook_id, message.user_id)].messages.append(message)
    return [claim for claim in claims.values() if claim.messages]


def _held(message: OutboxMessage, token: uuid.UUID) -> QuerySet[OutboxMessage]:
    """The message, as long as the claim is still this relay's."""
    return _messages().filter(pk=message.pk, status=OutboxMessage.Status.CLAIMED, claim_token=token)


def _start(message: OutboxMessage, token: uuid.UUID) -> DeliveryAttempt | None:
    """Renew the lease and log the attempt as started, committed before anything leaves; None
    when the claim is no longer ours."""
    now = timezone.now()
    lease_until = now + _lease()
    attempt = message.attempts + 1
    with transaction.atomic():
        if not _held(message, token).update(attempts=attempt, lease_until=lease_until, next_attempt_at=lease_until):
            return None
        log = DeliveryAttempt.objects.create(
            organization_id=message.organization_id,
            message=message,
            channel=message.channel,
            webhook_id=message.webhook_id,
            event=message.event,
            attempt=attempt,
            claim_token=token,
            created_at=now,
        )
    message.attempts = attempt
    return log


def _finish(message: OutboxMessage, token: uuid.UUID, log: DeliveryAttempt, outcome: _Outcome) -> str | None:
    """Complete the attempt's log row and, while the claim is still ours, record the result on the
    message, in one transaction. The message's new status, or None if another relay took it over."""
    now = timezone.now()
    result: dict[str, Any]
    if outcome.ok:
        result = {"status": OutboxMessage.Status.SENT, "sent_at": now, "last_error": ""}
    elif message.attempts >= MAX_ATTEMPTS:
        result = {"status": OutboxMessage.Status.FAILED, "last_error": outcome.error}
    else:
        result = {
            "status": OutboxMessage.Status.PENDING,
            "next_attempt_at": now + retry_delay(message.attempts),
            "last_error": outcome.error,
        }
    with transaction.atomic():
        DeliveryAttempt.objects.unscoped().filter(pk=log.pk).update(
            outcome=DeliveryAttempt.Outcome.DELIVERED if outcome.ok else DeliveryAttempt.Outcome.FAILED,
            status_code=outcome.status_code,
            error=outcome.error[:500],
            response_excerpt=outcome.response_excerpt[:500],
            duration_ms=outcome.duration_ms,
            finished_at=now,
        )
        marked = _held(message, token).update(claim_token=None, lease_until=None, **result)
    if not marked:
        return None
    message.status = result["status"]
    message.next_attempt_at = result.get("next_attempt_at", message.next_attempt_at)
    return str(result["status"])


def _give_up(message: OutboxMessage, token: uuid.UUID) -> bool:
    """A message whose last allowed attempt had no recorded outcome (its relay stopped) is failed."""
    error = f"The relay stopped during attempt {message.attempts}; its outcome is unknown."
    return bool(
        _held(message, token).update(
            status=OutboxMessage.Status.FAILED, claim_token=None, lease_until=None, last_error=error
        )
    )


def _release(messages: list[OutboxMessage], token: uuid.UUID, *, due: dt.datetime) -> int:
    """Hand claimed messages back unsent (no attempt made), due at ``due``."""
    if not messages:
        return 0
    return int(
        _messages()
        .filter(pk__in=[message.pk for message in messages], status=OutboxMessage.Status.CLAIMED, claim_token=token)
        .update(status=OutboxMessage.Status.PENDING, claim_token=None, lease_until=None, next_attempt_at=due)
    )


def _send_claim(claim: _Claim, deadline: float, stop: threading.Event) -> RelayResult:
    """Send one receiver's claimed messages one after another, oldest first."""
    result = RelayResult()
    messages = claim.messages
    for index, message in enumerate(messages):
        if time.monotonic() >= deadline or stop.is_set():
            result.released += _release(messages[index:], claim.token, due=timezone.now())
            break
        if message.attempts >= MAX_ATTEMPTS:
            if _give_up(message, claim.token):
                result.failed += 1
            else:
                result.lost += 1
            continue
        log = _start(message, claim.token)
        if log is None:
            result.lost += 1
            continue
        with tenant_scope(message.organization_id):
            if message.channel == OutboxMessage.Channel.EMAIL:
                outcome = _send_email(message)
            else:
                outcome = _send_webhook(message)
        status = _finish(message, claim.token, log, outcome)
        if status is None:
            result.lost += 1
        elif status == OutboxMessage.Status.SENT:
            result.sent += 1
        elif status == OutboxMessage.Status.FAILED:
            result.failed += 1
        else:
            result.retrying += 1
        if outcome.unreachable:
            # Its later messages wait with it, in order, rather than each waiting out a timeout now.
            due = message.next_attempt_at if status == OutboxMessage.Status.PENDING else timezone.now()
            result.released += _release(messages[index + 1 :], claim.token, due=due)
            break
    return result


class _Senders:
    """Up to ``size`` threads, one receiver's claim each; with ``size`` 1, the caller's thread.

    Each thread has its own database connection, closed when the relay ends.
    """

    def __init__(self, size: int, deadline: float) -> None:
        self.size = max(size, 1)
        self.deadline = deadline
        self.stop = threading.Event()
        self.busy = 0
        self.threads: list[threading.Thread] = []
        self.work: queue.Queue[_Claim | None] = queue.Queue()
        self.done: queue.Queue[RelayResult | BaseException] = queue.Queue()

    @property
    def free(self) -> int:
        return self.size - self.busy

    def submit(self, claim: _Claim) -> None:
        if self.size == 1:
            self.done.put(_send_claim(claim, self.deadline, self.stop))
            return
        self.busy += 1
        if len(self.threads) < self.busy:
            thread = threading.Thread(target=self._serve, name=f"relay-{len(self.threads)}", daemon=True)
            self.threads.append(thread)
            thread.start()
        self.work.put(claim)

    def collect(self, timeout: float) -> RelayResult:
        """What the finished claims did, waiting up to ``timeout`` for one while any is under way."""
        result = RelayResult()
        wait = self.busy > 0
        while True:
            try:
                done = self.done.get(timeout=timeout) if wait else self.done.get_nowait()
            except queue.Empty:
                return result
            wait = False
            if self.size > 1:
                self.busy -= 1
            if isinstance(done, BaseException):
                raise done
            result.add(done)

    def _serve(self) -> None:
        try:
            while (claim := self.work.get()) is not None:
                try:
                    self.done.put(_send_claim(claim, self.deadline, self.stop))
                except Exception as error:  # noqa: BLE001  (raised again in the relay's own thread by collect())
                    self.done.put(error)
        finally:
            connections.close_all()

    def __enter__(self) -> _Senders:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if exc_info[0] is not None:
            self.stop.set()  # the claims under way hand their unsent messages back
        for _thread in self.threads:
            self.work.put(None)
        for thread in self.threads:
            thread.join()


def _threads() -> int:
    """Threads only on PostgreSQL and outside a transaction: another thread would not see what the
    caller has not committed (and SQLite takes one writer at a time)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1
    return int(settings.PMO_RELAY_THREADS)


def _seconds_until_due(within: float) -> float | None:
    """Seconds until the next message falls due, if one does within ``within`` seconds."""
    now = timezone.now()
    soonest = (
        _messages()
        .filter(
            status__in=[OutboxMessage.Status.PENDING, OutboxMessage.Status.CLAIMED],
            next_attempt_at__lte=now + dt.timedelta(seconds=within),
        )
        .aggregate(soonest=Min("next_attempt_at"))["soonest"]
    )
    return None if soonest is None else max((soonest - now).total_seconds(), 0.0)


def relay_outbox(*, budget: float | None = None, linger: float = 0.0, threads: int | None = None) -> RelayResult:
    """Send the due messages of every organisation while there are any, for up to ``budget`` seconds
    (``PMO_RELAY_TIME_BUDGET_SECONDS``); when none is due, wait for one falling due within
    ``linger`` seconds. ``more`` says whether messages were still due at the end (or within ``linger``)."""
    budget = settings.PMO_RELAY_TIME_BUDGET_SECONDS if budget is None else budget
    deadline = time.monotonic() + budget
    result = RelayResult()
    with _Senders(_threads() if threads is None else threads, deadline) as senders:
        while True:
            claimed = 0
            if senders.free and time.monotonic() < deadline:
                for claim in _claim(receivers=senders.free, per_receiver=settings.PMO_RELAY_PER_RECEIVER):
                    senders.submit(claim)
                    claimed += 1
            if senders.busy:
                # Claim again as soon as a receiver is done, or after a moment for messages falling due.
                result.add(senders.collect(timeout=0.5))
                continue
            result.add(senders.collect(timeout=0))
            left = deadline - time.monotonic()
            if claimed and left > 0:
                continue
            wait = _seconds_until_due(min(linger, left)) if left > 0 and linger > 0 else None
            if wait is None:
                break
            # Not less than a moment: a message due now may belong to a receiver another relay is busy with.
            time.sleep(min(max(wait, 0.25), 1.0))
    # A relay that waits for messages falling due soon has more to do if one does within that wait.
    result.more = _due(timezone.now() + dt.timedelta(seconds=linger)).exists()
    return result


@contextmanager
def relay_slot() -> Iterator[int | None]:
    """One of the ``PMO_RELAY_CHAINS`` relay slots (0 first) for as long as the block runs, or None
    when every slot is taken: enough relays are running, and they see new messages too.

    PostgreSQL session advisory locks: a relay that dies (SIGKILL included) frees its slot with its
    connection. Other databases have one slot, never refused (development, eager tasks).
    """
    if connection.vendor != "postgresql":
        yield 0
        return
    slot: int | None = None
    with connection.cursor() as cursor:
        for candidate in range(int(settings.PMO_RELAY_CHAINS)):
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [RELAY_LOCK_CLASS, candidate])
            if cursor.fetchone()[0]:
                slot = candidate
                break
    try:
        yield slot
    finally:
        if slot is not None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [RELAY_LOCK_CLASS, slot])


def relay_link(*, link: int) -> tuple[RelayResult, bool]:
    """One link of a relay chain: the result, and whether to queue the next link.

    A chain goes on while messages are still due when a link's time budget ends, for at most
    ``PMO_RELAY_CHAIN_LINKS`` links; the beat starts a new one every few seconds anyway. At most
    ``PMO_RELAY_CHAINS`` links run at once (a link that finds every slot taken leaves at once), so
    chains never pile up. The first slot's link also waits for messages falling due within
    ``PMO_RELAY_LINGER_SECONDS`` (the beat's interval), and its chain goes on while one does: a
    retry goes out when it falls due, not at the next tick.
    """
    with relay_slot() as slot:
        if slot is None:
            return RelayResult(), False
        # An eager task (no broker) runs in the request that queued it: it does not wait there.
        lingers = slot == 0 and not settings.CELERY_TASK_ALWAYS_EAGER
        result = relay_outbox(linger=settings.PMO_RELAY_LINGER_SECONDS if lingers else 0.0)
    return result, result.more and link + 1 < settings.PMO_RELAY_CHAIN_LINKS


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
