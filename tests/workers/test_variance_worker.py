"""Variance runs through real Celery workers on the real Redis: alerts are raised once and reach
people at least once (a repeat carries the same key).

Each test starts its own worker processes (see ``conftest``), queues work the way the web
processes and the beat do, and reads the outcome from the shared test database.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.db import connection, transaction

from finance.models import EvmSnapshot
from pmo.alerts.services import alert_rule_update, alert_rules_ensure
from pmo.models import (
    Alert,
    AlertStatus,
    Notification,
    Organization,
    OrgRole,
    OutboxMessage,
    Severity,
    WebhookEvent,
)
from pmo.webhook_transport import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from projects.models import Project
from tests.alert_kinds import AlertKind
from tests.factories import OrganizationFactory, ProgressUpdateFactory, WebhookFactory, member
from tests.finance.test_earned_value_support import build_sized, build_textbook, march
from tests.workers.conftest import Receiver, Workers, wait_for

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


def snapshots(organization: Organization) -> int:
    return EvmSnapshot.objects.for_organization(organization).count()


def pending_messages(organization: Organization) -> int:
    return OutboxMessage.objects.for_organization(organization).exclude(status=OutboxMessage.Status.SENT).count()


def forget_evaluations(organization: Organization) -> None:
    """Drop what the services' re-evaluations wrote while the test built its data (eager, in this process).

    The tests want to see what the worker does, from a clean slate.
    """
    OutboxMessage.objects.for_organization(organization).delete()
    Alert.objects.for_organization(organization).delete()  # and their notifications
    EvmSnapshot.objects.for_organization(organization).delete()


def waiting_for_a_lock() -> int:
    """Other sessions of the test database waiting for a row lock: a worker in the middle of a batch."""
    with connection.cursor() as cursor:
        # Inside a transaction PostgreSQL keeps showing its first reading of the activity.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
        )
        return int(cursor.fetchone()[0])


def active_alerts(organization: Organization) -> list[Alert]:
    return list(Alert.objects.for_organization(organization).exclude(status=AlertStatus.RESOLVED).order_by("pk"))


def test_a_low_cpi_gets_one_alert_and_one_signed_webhook_and_clears_when_fixed(
    workers: Workers, receiver: Receiver
) -> None:
    organization = OrganizationFactory()
    built = build_textbook(organization)
    rules = alert_rules_ensure(organization)
    for kind in (AlertKind.SPI_LOW, AlertKind.VAC_NEGATIVE):
        alert_rule_update(actor=built.admin.user, rule=rules[kind], enabled=False)
    webhook = WebhookFactory(organization=organization, url=receiver.url, events=[WebhookEvent.ALERT_OPENED])
    forget_evaluations(organization)
    workers.start()

    workers.manage("run_variance", "--org", organization.slug, "--as-of", "2026-03-09")
    wait_for(
        lambda: snapshots(organization) == 1 and pending_messages(organization) == 0 and len(receiver.received) == 1,
        "the first run, its e-mail and its webhook",
        workers,
    )

    [alert] = active_alerts(organization)
    assert (alert.kind, alert.severity, alert.subject_id) == (AlertKind.CPI_LOW, Severity.RED, built.project.pk)
    [delivery] = receiver.received
    assert verify(
        webhook.secret,
        delivery.headers[SIGNATURE_HEADER.lower()],
        delivery.headers[TIMESTAMP_HEADER.lower()],
        delivery.body,
    )
    assert not verify(
        "another secret",
        delivery.headers[SIGNATURE_HEADER.lower()],
        delivery.headers[TIMESTAMP_HEADER.lower()],
        delivery.body,
    )
    document = receiver.documents()[0]
    assert (document["event"], document["alert"]["id"], document["alert"]["figures"]["value"]) == (
        WebhookEvent.ALERT_OPENED,
        alert.pk,
        "0.8889",
    )
    assert delivery.headers["x-pmo-delivery"] == document["id"]
    admin_key = f"alert:{alert.pk}:1:email:{built.admin.user_id}"
    assert workers.emails() == [admin_key]
    notified = Notification.objects.for_organization(organization).count()

    computed = EvmSnapshot.objects.for_organization(organization).get().computed_at
    workers.manage("run_variance", "--org", organization.slug, "--as-of", "2026-03-09")
    wait_for(
        lambda: EvmSnapshot.objects.for_organization(organization).get().computed_at > computed,
        "the second run",
        workers,
    )

    assert [item.pk for item in active_alerts(organization)] == [alert.pk]
    assert Notification.objects.for_organization(organization).count() == notified
    assert len(receiver.received) == 1
    assert workers.emails() == [admin_key]

    # Recorded without the service, which would re-evaluate the project here rather than on the worker.
    ProgressUpdateFactory(
        organization=organization,
        project=built.project,
        task=built.tasks["B"],
        effective_date=march(9),
        percent_complete=100,
        actual_start=march(9),
        updated_by=built.admin.user,
    )
    workers.manage("run_variance", "--org", organization.slug, "--as-of", "2026-03-09")
    wait_for(lambda: not active_alerts(organization), "the fixed project's alert to resolve", workers)

    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED
    assert alert.resolved_by is None
    assert len(receiver.received) == 1  # the receiver chose alert.opened only


def test_a_worker_killed_in_the_middle_of_a_run_loses_nothing_and_repeats_nothing(workers: Workers) -> None:
    organization = OrganizationFactory()
    watcher = member(organization, OrgRole.PMO).user
    count = 60
    # Each project (three tasks, see build_sized) has SPI 0.9167 on 9 March: one amber alert.
    projects = [build_sized(organization, 3, code=f"K{number:03d}") for number in range(count)]
    held = 29
    with transaction.atomic():
        # The test holds the lock of project 30, so the worker is killed in the middle of that
        # batch, with its transaction open and its message taken but not acknowledged.
        Project.objects.for_organization(organization).select_for_update().get(pk=projects[held].pk)
        first = workers.start()
        workers.manage("run_variance", "--org", organization.slug, "--as-of", "2026-03-09", "--batch-size", "1")
        wait_for(lambda: waiting_for_a_lock() > 0, "a batch to wait for the held project", workers)
        workers.kill(first)
        done_when_killed = snapshots(organization)
    assert done_when_killed == held, "The batches run one after the other, in the order of the projects."

    workers.start()
    wait_for(
        lambda: snapshots(organization) == count and len(active_alerts(organization)) == count,
        "the new worker to finish the run",
        workers,
    )
    # The beat's relay would pick up anything the killed worker left unsent; run it once now.
    workers.python("from pmo.celery import app\napp.send_task('pmo.relay_outbox')")
    wait_for(lambda: pending_messages(organization) == 0, "the outbox to drain", workers)

    alerts = active_alerts(organization)
    assert Counter((alert.kind, alert.subject_id) for alert in alerts) == Counter(
        (AlertKind.SPI_LOW, pk) for pk in Project.objects.for_organization(organization).values_list("pk", flat=True)
    )
    assert Alert.objects.for_organization(organization).count() == count
    notifications = Notification.objects.for_organization(organization).filter(user=watcher)
    assert sorted(notifications.values_list("alert_id", flat=True)) == [alert.pk for alert in alerts]
    expected_keys = {f"alert:{alert.pk}:1:email:{watcher.pk}" for alert in alerts}
    sent = OutboxMessage.objects.for_organization(organization).filter(user=watcher)
    assert set(sent.values_list("key", flat=True)) == expected_keys
    emails = [key for key in workers.emails() if key.endswith(f":email:{watcher.pk}")]
    assert set(emails) == expected_keys
    # Only a kill between handing an e-mail to the mail server and committing "sent" repeats
    # one, with the same idempotency key; the kill above lands in a variance batch or a relay.
    assert len(emails) - len(expected_keys) <= 1


def test_a_task_queued_in_a_rolled_back_transaction_never_runs_and_one_without_organisation_touches_nothing(
    workers: Workers,
) -> None:
    organization = OrganizationFactory()
    rolled_back = build_textbook(organization, "RB-1").project
    committed = build_textbook(organization, "RB-2").project
    forget_evaluations(organization)
    workers.start()

    workers.python(
        "from django.db import transaction\n"
        "from finance.tasks import run_variance_batch\n"
        "try:\n"
        "    with transaction.atomic():\n"
        f"        run_variance_batch.delay_on_commit(organization_id={organization.pk}, "
        f"project_ids=[{rolled_back.pk}], as_of='2026-03-09')\n"
        "        raise RuntimeError('roll back')\n"
        "except RuntimeError:\n"
        "    pass\n"
        f"run_variance_batch.delay_on_commit(organization_id={organization.pk}, "
        f"project_ids=[{committed.pk}], as_of='2026-03-09')\n"
        # Sent by name without its organisation: refused by the worker before it touches anything.
        "from pmo.celery import app\n"
        "app.send_task('finance.run_variance_batch', "
        f"kwargs={{'project_ids': [{rolled_back.pk}], 'as_of': '2026-03-09'}})\n"
    )
    wait_for(
        lambda: (
            "MissingOrganizationError" in workers.log_tail()
            and EvmSnapshot.objects.for_organization(organization).filter(project=committed).exists()
        ),
        "the committed task and the refused one",
        workers,
    )

    assert not EvmSnapshot.objects.for_organization(organization).filter(project=rolled_back).exists()
    assert not Alert.objects.for_organization(organization).filter(project=rolled_back).exists()
    assert dt.date(2026, 3, 9) == EvmSnapshot.objects.for_organization(organization).get(project=committed).date
