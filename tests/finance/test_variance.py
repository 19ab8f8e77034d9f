"""The variance run in one process: snapshots, alerts raised, updated and cleared, and who hears.

The textbook project (see ``test_earned_value_support``) on Monday 9 March 2026 has SPI 0.8000,
CPI 0.8889 and VAC -1,250.00: with the default rules, SPI and CPI are red (below 0.90) and VAC
is amber (below 0).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from finance.models import BudgetVersion, EvmSnapshot
from finance.variance import variance_run, variance_run_batch
from pmo.alerts.services import alert_acknowledge, alert_resolve, alert_rule_update, alert_rules_ensure
from pmo.errors import ApplicationError
from pmo.models import (
    Alert,
    AlertStatus,
    AuditEvent,
    Notification,
    Organization,
    OrgRole,
    OutboxMessage,
    Run,
    RunStatus,
    Severity,
    User,
    WebhookEvent,
)
from projects.models import ChangeRequest, Phase, Project
from tests.alert_kinds import AlertKind, SubjectType
from tests.factories import (
    BudgetLineFactory,
    BudgetVersionFactory,
    ChangeRequestFactory,
    ProjectMemberFactory,
    WebhookFactory,
    member,
)
from tests.finance.test_earned_value_support import build_sized, build_textbook, cost, march, progress

pytestmark = pytest.mark.django_db


def run(project: Project, day: dt.date) -> None:
    variance_run_batch(organization=project.organization, project_ids=[project.pk], as_of=day)


def active(organization: Organization, kind: str | None = None) -> list[Alert]:
    alerts = Alert.objects.for_organization(organization).exclude(status=AlertStatus.RESOLVED)
    if kind is not None:
        alerts = alerts.filter(kind=kind)
    return list(alerts.order_by("kind"))


def notifications_of(alert: Alert) -> list[Notification]:
    return list(Notification.objects.for_organization(alert.organization_id).filter(alert=alert))


def test_a_run_writes_the_snapshot_of_the_day_with_the_engines_figures(organization: Organization) -> None:
    built = build_textbook(organization)

    run(built.project, march(9))

    snapshot = EvmSnapshot.objects.for_organization(organization).get(project=built.project)
    assert snapshot.date == march(9)
    assert (snapshot.bac, snapshot.pv, snapshot.ev, snapshot.ac) == (
        Decimal("10000.00"),
        Decimal("5000.00"),
        Decimal("4000.00"),
        Decimal("4500.00"),
    )
    assert (snapshot.spi, snapshot.cpi, snapshot.vac) == (Decimal("0.8000"), Decimal("0.8889"), Decimal("-1250.00"))
    assert snapshot.approved_budget is None


def test_running_again_the_same_day_replaces_the_snapshot_instead_of_adding_one(organization: Organization) -> None:
    built = build_textbook(organization)
    run(built.project, march(9))
    cost(built.project, march(9), "500.00")

    run(built.project, march(9))
    run(built.project, march(10))

    snapshots = EvmSnapshot.objects.for_organization(organization).filter(project=built.project).order_by("date")
    assert [(item.date, item.ac) for item in snapshots] == [
        (march(9), Decimal("5000.00")),
        (march(10), Decimal("5700.00")),
    ]


def test_the_default_rules_raise_red_spi_and_cpi_and_amber_vac_once_each(organization: Organization) -> None:
    built = build_textbook(organization)

    run(built.project, march(9))

    alerts = active(organization)
    assert [(alert.kind, alert.severity, alert.subject_type, alert.subject_id) for alert in alerts] == [
        (AlertKind.CPI_LOW, Severity.RED, SubjectType.PROJECT, built.project.pk),
        (AlertKind.SPI_LOW, Severity.RED, SubjectType.PROJECT, built.project.pk),
        (AlertKind.VAC_NEGATIVE, Severity.AMBER, SubjectType.PROJECT, built.project.pk),
    ]
    cpi = alerts[0]
    assert cpi.status == AlertStatus.OPEN
    assert cpi.figures["value"] == "0.8889"
    assert cpi.figures["threshold"] == "0.9"  # the red threshold it crossed
    assert cpi.figures["as_of"] == "2026-03-09"


def test_a_recurring_condition_updates_its_alert_and_tells_nobody_again(organization: Organization) -> None:
    built = build_textbook(organization)
    run(built.project, march(9))
    first = active(organization, AlertKind.CPI_LOW)[0]
    told = len(notifications_of(first))
    messages = OutboxMessage.objects.for_organization(organization).count()

    run(built.project, march(9))
    run(built.project, march(10))

    again = active(organization, AlertKind.CPI_LOW)
    assert [alert.pk for alert in again] == [first.pk]
    assert again[0].last_seen_at > first.last_seen_at
    assert again[0].figures["as_of"] == "2026-03-10"
    assert len(notifications_of(first)) == told
    assert OutboxMessage.objects.for_organization(organization).count() == messages


def test_a_cleared_condition_resolves_its_alert_automatically(organization: Organization) -> None:
    built = build_textbook(organization)
    run(built.project, march(9))
    cpi = active(organization, AlertKind.CPI_LOW)[0]

    progress(built.admin.user, built.tasks["B"], march(9), percent_complete="100", actual_start=march(9))
    run(built.project, march(9))

    cpi.refresh_from_db()
    assert cpi.status == AlertStatus.RESOLVED
    assert cpi.resolved_at is not None
    assert cpi.resolved_by is None  # by the run, not by a person
    assert active(organization, AlertKind.CPI_LOW) == []
    resolved_messages = OutboxMessage.objects.for_organization(organization).filter(event=WebhookEvent.ALERT_RESOLVED)
    assert resolved_messages.count() == 0  # no webhook registered, and people are not e-mailed about it


def test_people_are_told_by_their_organisation_role_and_their_project_role(organization: Organization) -> None:
    built = build_textbook(organization)
    pmo = member(organization, OrgRole.PMO).user
    finance = member(organization, OrgRole.FINANCE).user
    manager = member(organization, OrgRole.MEMBER).user
    bystander = member(organization, OrgRole.MEMBER).user
    ProjectMemberFactory(organization=organization, project=built.project, user=manager, role="manager")

    run(built.project, march(9))

    spi = active(organization, AlertKind.SPI_LOW)[0]
    cpi = active(organization, AlertKind.CPI_LOW)[0]
    spi_people = {item.user_id for item in notifications_of(spi)}
    cpi_people = {item.user_id for item in notifications_of(cpi)}
    assert {pmo.pk, manager.pk} <= spi_people
    assert finance.pk not in spi_people  # SPI goes to the PMO office and the manager
    assert {pmo.pk, finance.pk, manager.pk} <= cpi_people
    assert bystander.pk not in spi_people | cpi_people


def test_immediate_recipients_get_one_email_each_and_digest_readers_none_yet(organization: Organization) -> None:
    built = build_textbook(organization)
    digest_reader = member(organization, OrgRole.PMO, alert_email=User.AlertEmail.DIGEST).user
    silent = member(organization, OrgRole.PMO, alert_email=User.AlertEmail.OFF).user
    immediate = member(organization, OrgRole.PMO).user

    run(built.project, march(9))

    emails = OutboxMessage.objects.for_organization(organization).filter(channel=OutboxMessage.Channel.EMAIL)
    recipients = list(emails.values_list("user_id", flat=True))
    assert recipients.count(immediate.pk) == 3  # SPI, CPI and VAC: the PMO hears of all three
    assert digest_reader.pk not in recipients
    assert silent.pk not in recipients
    assert Notification.objects.for_organization(organization).filter(user=digest_reader).count() == 3


def test_webhooks_get_the_events_they_chose(organization: Organization) -> None:
    built = build_textbook(organization)
    everything = WebhookFactory(organization=organization)
    resolved_only = WebhookFactory(organization=organization, events=[WebhookEvent.ALERT_RESOLVED])
    WebhookFactory(organization=organization, is_active=False)

    run(built.project, march(9))

    webhook_messages = OutboxMessage.objects.for_organization(organization).filter(
        channel=OutboxMessage.Channel.WEBHOOK
    )
    assert sorted(webhook_messages.values_list("webhook_id", "event")) == [
        (everything.pk, WebhookEvent.ALERT_OPENED),
        (everything.pk, WebhookEvent.ALERT_OPENED),
        (everything.pk, WebhookEvent.ALERT_OPENED),
    ]
    keys = set(webhook_messages.values_list("key", flat=True))
    assert len(keys) == 3
    assert resolved_only.pk not in set(webhook_messages.values_list("webhook_id", flat=True))


def test_a_rise_from_amber_to_red_tells_people_again(organization: Organization) -> None:
    built = build_textbook(organization)
    rules = alert_rules_ensure(organization)
    # CPI 0.8889: amber below 0.95 with a red threshold at 0.80.
    alert_rule_update(actor=built.admin.user, rule=rules[AlertKind.CPI_LOW], red_threshold=Decimal("0.80"))
    run(built.project, march(9))
    cpi = active(organization, AlertKind.CPI_LOW)[0]
    assert cpi.severity == Severity.AMBER

    alert_rule_update(actor=built.admin.user, rule=rules[AlertKind.CPI_LOW], red_threshold=Decimal("0.90"))
    run(built.project, march(9))

    cpi.refresh_from_db()
    assert cpi.severity == Severity.RED
    assert cpi.revision == 2
    events = sorted(item.event for item in notifications_of(cpi) if item.user_id == built.admin.user_id)
    assert events == [WebhookEvent.ALERT_ESCALATED, WebhookEvent.ALERT_OPENED]


def test_a_lowered_threshold_stops_the_alert_and_a_switched_off_rule_resolves_its_alerts(
    organization: Organization,
) -> None:
    built = build_textbook(organization)
    rules = alert_rules_ensure(organization)
    run(built.project, march(9))

    alert_rule_update(
        actor=built.admin.user, rule=rules[AlertKind.CPI_LOW], threshold=Decimal("0.85"), red_threshold=None
    )
    alert_rule_update(actor=built.admin.user, rule=rules[AlertKind.SPI_LOW], enabled=False)
    run(built.project, march(9))

    assert [alert.kind for alert in active(organization)] == [AlertKind.VAC_NEGATIVE]


def test_a_red_threshold_on_the_wrong_side_is_refused_and_changes_nothing(organization: Organization) -> None:
    admin = member(organization, OrgRole.ADMIN).user
    rule = alert_rules_ensure(organization)[AlertKind.SPI_LOW]

    with pytest.raises(ApplicationError) as raised:
        alert_rule_update(actor=admin, rule=rule, threshold=Decimal("0.80"), red_threshold=Decimal("0.90"))

    assert "red_threshold" in raised.value.fields
    rule.refresh_from_db()
    assert (rule.threshold, rule.red_threshold) == (Decimal("0.9500"), Decimal("0.9000"))
    assert not AuditEvent.objects.for_organization(organization).filter(action="alert_rule.updated").exists()


def test_unknown_roles_in_the_recipients_are_refused(organization: Organization) -> None:
    admin = member(organization, OrgRole.ADMIN).user
    rule = alert_rules_ensure(organization)[AlertKind.SPI_LOW]

    with pytest.raises(ApplicationError) as raised:
        alert_rule_update(actor=admin, rule=rule, notify_org_roles=["admin", "janitor"])

    assert "notify_org_roles" in raised.value.fields


def test_acknowledging_then_resolving_by_hand_is_audited_and_a_persisting_condition_opens_a_new_alert(
    organization: Organization,
) -> None:
    built = build_textbook(organization)
    WebhookFactory(organization=organization)
    run(built.project, march(9))
    cpi = active(organization, AlertKind.CPI_LOW)[0]
    actor = built.admin.user

    alert_acknowledge(actor=actor, alert=cpi)
    with pytest.raises(ApplicationError) as twice:
        alert_acknowledge(actor=actor, alert=cpi)
    assert twice.value.code == "alert_not_open"
    run(built.project, march(9))  # still acknowledged: the run updates it, it does not reopen it
    assert [alert.status for alert in active(organization, AlertKind.CPI_LOW)] == [AlertStatus.ACKNOWLEDGED]

    alert_resolve(actor=actor, alert=cpi)
    cpi.refresh_from_db()
    assert (cpi.status, cpi.resolved_by) == (AlertStatus.RESOLVED, actor)
    actions = set(AuditEvent.objects.for_organization(organization).values_list("action", flat=True))
    assert {"alert.acknowledged", "alert.resolved"} <= actions
    events = set(
        OutboxMessage.objects.for_organization(organization)
        .filter(channel=OutboxMessage.Channel.WEBHOOK)
        .values_list("event", flat=True)
    )
    assert {WebhookEvent.ALERT_ACKNOWLEDGED, WebhookEvent.ALERT_RESOLVED} <= events

    run(built.project, march(9))
    reopened = active(organization, AlertKind.CPI_LOW)
    assert len(reopened) == 1
    assert reopened[0].pk != cpi.pk


def test_cost_over_the_approved_budget_and_spending_ahead_of_progress(organization: Organization) -> None:
    built = build_textbook(organization)
    version = BudgetVersionFactory(
        organization=organization, project=built.project, status=BudgetVersion.Status.APPROVED, is_current=True
    )
    BudgetLineFactory(organization=organization, version=version, amount=Decimal("4000.00"))

    run(built.project, march(9))

    over = active(organization, AlertKind.COST_OVER_BUDGET)[0]
    # 4,500 spent of 4,000 approved: 112.5 % > 100 %.
    assert (over.severity, over.figures["value"], over.figures["budget"]) == (Severity.RED, "112.5", "4000.00")
    ahead = active(organization, AlertKind.SPEND_AHEAD_OF_PROGRESS)[0]
    # 112.5 % spent, 40.0 % done (EV 4,000 of BAC 10,000): 72.5 points.
    assert (ahead.figures["spent"], ahead.figures["done"], ahead.figures["value"]) == ("112.5", "40.0", "72.5")
    snapshot = EvmSnapshot.objects.for_organization(organization).get(project=built.project)
    assert snapshot.approved_budget == Decimal("4000.00")


def test_a_milestone_past_its_baseline_date_and_a_slipped_task_raise_task_alerts(organization: Organization) -> None:
    from projects.services.plan import baseline_create, dependency_create, wbs_element_create, wbs_element_update

    built = build_textbook(organization)
    actor = built.admin.user
    handover = wbs_element_create(actor=actor, project=built.project, name="Handover", kind="milestone", duration=0)
    dependency_create(actor=actor, project=built.project, predecessor=built.tasks["B"], successor=handover)
    baseline_create(actor=actor, project=built.project, name="With handover", make_current=True)
    # B grows from 6 to 14 working days: its forecast finish moves 8 working days past the baseline.
    wbs_element_update(actor=actor, element=built.tasks["B"], duration=14)

    run(built.project, march(20))

    milestone = active(organization, AlertKind.MILESTONE_OVERDUE)
    assert [(alert.subject_type, alert.subject_id) for alert in milestone] == [(SubjectType.TASK, handover.pk)]
    assert milestone[0].figures["due"] == "2026-03-17"
    assert milestone[0].figures["value"] == "3"  # 17 to 20 March
    slipped = active(organization, AlertKind.TASK_SLIPPED)
    assert [(alert.subject_id, alert.figures["value"], alert.severity) for alert in slipped] == [
        (built.tasks["B"].pk, "8", Severity.AMBER)  # over 5, not over 10
    ]


def test_change_requests_and_budget_versions_waiting_too_long(organization: Organization) -> None:
    built = build_textbook(organization)
    week_ago = timezone.now() - dt.timedelta(days=7)
    waiting = ChangeRequestFactory(
        organization=organization,
        project=built.project,
        status=ChangeRequest.Status.SUBMITTED,
        submitted_at=week_ago,
    )
    ChangeRequestFactory(
        organization=organization,
        project=built.project,
        status=ChangeRequest.Status.SUBMITTED,
        submitted_at=timezone.now() - dt.timedelta(days=2),
    )
    version = BudgetVersionFactory(
        organization=organization, project=built.project, status=BudgetVersion.Status.SUBMITTED, submitted_at=week_ago
    )

    run(built.project, march(9))

    assert [
        (alert.subject_type, alert.subject_id, alert.figures["value"])
        for alert in active(organization, AlertKind.CHANGE_REQUEST_WAITING)
    ] == [(SubjectType.CHANGE_REQUEST, waiting.pk, "7")]
    assert [alert.subject_id for alert in active(organization, AlertKind.BUDGET_WAITING)] == [version.pk]


def test_the_alerts_of_a_closed_project_are_resolved_by_the_next_run(organization: Organization) -> None:
    built = build_textbook(organization)
    variance_run(organization=organization, as_of=march(9))
    assert active(organization)

    Project.objects.for_organization(organization).filter(pk=built.project.pk).update(phase=Phase.CANCELLED)
    report = variance_run(organization=organization, as_of=march(9))

    assert active(organization) == []
    assert report.alerts.resolved == 3


def test_a_batch_costs_the_same_number_of_queries_for_5_or_50_tasks(organization: Organization) -> None:
    small = build_sized(organization, 5, code="S")
    large = build_sized(organization, 50, code="L")
    counts = []
    for project in (small, large):
        run(project, march(9))  # the first run creates the rules; count the second
        with CaptureQueriesContext(connection) as queries:
            run(project, march(9))
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_a_batch_of_many_projects_costs_the_same_as_a_batch_of_one(organization: Organization) -> None:
    projects = [build_sized(organization, 3, code=f"B{number}") for number in range(6)]
    variance_run_batch(organization=organization, project_ids=[item.pk for item in projects], as_of=march(9))

    with CaptureQueriesContext(connection) as one:
        variance_run_batch(organization=organization, project_ids=[projects[0].pk], as_of=march(9))
    with CaptureQueriesContext(connection) as six:
        variance_run_batch(organization=organization, project_ids=[item.pk for item in projects], as_of=march(9))

    assert len(one) == len(six)


def test_the_command_runs_and_reports_with_wait(organization: Organization, capsys: pytest.CaptureFixture[str]) -> None:
    build_textbook(organization)

    call_command("run_variance", "--org", organization.slug, "--as-of", "2026-03-09", "--wait")

    output = capsys.readouterr().out
    assert f"{organization.slug} as of 2026-03-09: 1 projects, 1 snapshots; alerts opened 3" in output
    assert len(active(organization)) == 3
    assert len(mail.outbox) >= 3  # the relay ran: e-mails to the admin


def test_the_command_queues_without_wait(
    organization: Organization, capsys: pytest.CaptureFixture[str], django_capture_on_commit_callbacks: Any
) -> None:
    build_textbook(organization)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_variance", "--org", organization.slug, "--as-of", "2026-03-09")

    run = Run.objects.get()
    assert f"{organization.slug}: variance run queued (run {run.pk}, 2 batches)." in capsys.readouterr().out
    # Celery is eager in the tests: queued means done.
    assert len(active(organization)) == 3
    assert (run.organization, Run.objects.get().status) == (organization, RunStatus.COMPLETE)


def test_the_command_without_an_organisation_starts_one_run_over_every_organisation(
    organization: Organization,
    other_organization: Organization,
    capsys: pytest.CaptureFixture[str],
    django_capture_on_commit_callbacks: Any,
) -> None:
    build_textbook(organization)
    build_textbook(other_organization)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_variance", "--as-of", "2026-03-09")

    run = Run.objects.get()
    assert f"Every organisation: variance run queued (run {run.pk}, 4 batches)." in capsys.readouterr().out
    assert (run.organization, Run.objects.get().status) == (None, RunStatus.COMPLETE)
    assert len(active(organization)) == len(active(other_organization)) == 3


@pytest.mark.parametrize(
    ("arguments", "complaint"),
    [
        (["--as-of", "9 March"], "--as-of must be a date"),
        (["--org", "nobody"], "No organisation"),
        (["--batch-size", "0"], "--batch-size must be at least 1"),
    ],
)
def test_the_command_refuses_bad_arguments(organization: Organization, arguments: list[str], complaint: str) -> None:
    with pytest.raises(CommandError, match=complaint):
        call_command("run_variance", *arguments)


def test_a_progress_update_evaluates_its_project_again_once_committed(
    organization: Organization, django_capture_on_commit_callbacks: pytest.FixtureRequest
) -> None:
    built = build_textbook(organization)
    today = organization.today()

    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        progress(built.admin.user, built.tasks["B"], today, percent_complete="50", actual_start=march(9))

    assert EvmSnapshot.objects.for_organization(organization).filter(project=built.project, date=today).exists()
    # Long after the finish: PV = BAC 10,000, EV = 4,000 + 3,000: SPI 0.70, red.
    [spi] = active(organization, AlertKind.SPI_LOW)
    assert (spi.severity, spi.figures["value"]) == (Severity.RED, "0.7000")


def test_a_notification_is_written_with_its_time_and_whether_a_digest_still_owes_it(organization: Organization) -> None:
    built = build_textbook(organization)
    immediate = member(organization, OrgRole.PMO).user
    digest = member(organization, OrgRole.PMO).user
    digest.alert_email = User.AlertEmail.DIGEST
    digest.save(update_fields=["alert_email"])
    before = timezone.now()

    run(built.project, march(9))

    cpi = active(organization, AlertKind.CPI_LOW)[0]
    told = {notification.user_id: notification for notification in notifications_of(cpi)}
    for notification in (told[immediate.pk], told[digest.pk]):
        assert before <= notification.created_at <= timezone.now()
        assert (notification.revision, notification.event, notification.read_at) == (1, WebhookEvent.ALERT_OPENED, None)
    assert told[immediate.pk].digested_at == told[immediate.pk].created_at
    assert told[digest.pk].digested_at is None
    # Their times compare in the database like those written through the ORM.
    inbox = Notification.objects.for_organization(organization).filter(user=digest)
    assert inbox.filter(created_at__gte=before).count() == inbox.count() > 0
