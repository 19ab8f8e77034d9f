"""Runs of recorded batches (pmo.runs): a run finishes only when every batch has reported, the
sweeper sends again what the broker lost, attempts are bounded and a batch sent twice runs once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from finance.runs import CLOSED_PROJECTS, VARIANCE, variance_start
from pmo import outage
from pmo.models import (
    Alert,
    AuditEvent,
    BatchStatus,
    Membership,
    Notification,
    Organization,
    OrgRole,
    OutboxMessage,
    Run,
    RunBatch,
    RunStatus,
)
from pmo.runs.registry import RunKind, run_kinds
from pmo.runs.services import BatchPlan, batch_run, run_start, run_start_per_organization, runs_sweep
from pmo.tasks import run_batch
from tests.factories import OrganizationFactory, ProjectFactory, member
from tests.finance.test_earned_value_support import build_textbook

pytestmark = pytest.mark.django_db

KIND = "tests.counting"
ATOMIC_KIND = "tests.counting_atomic"


class Handler:
    """A batch's work that counts its calls per key, and can be told to fail."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.failing: set[str] = set()

    def __call__(self, organization: Organization, payload: Mapping[str, Any]) -> None:
        self.calls.append(payload["name"])
        # A write of the batch's own, so that an atomic kind's failure is seen to roll it back.
        member(organization, OrgRole.VIEWER, username=f"{payload['name']}-{len(self.calls)}")
        if payload["name"] in self.failing:
            raise RuntimeError(f"{payload['name']} broke")


@pytest.fixture
def handler() -> Iterator[Handler]:
    work = Handler()
    run_kinds.register(RunKind(KIND, "Counting", work))
    run_kinds.register(RunKind(ATOMIC_KIND, "Counting at once", work, atomic=True))
    yield work
    run_kinds.unregister(KIND)
    run_kinds.unregister(ATOMIC_KIND)


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The batch ids handed to the broker (nothing runs: the test runs batches itself)."""
    ids: list[int] = []

    def apply_async(args: Any = None, kwargs: dict[str, Any] | None = None, **options: Any) -> None:
        assert kwargs is not None
        ids.append(kwargs["batch_id"])

    monkeypatch.setattr(run_batch, "apply_async", apply_async)
    return ids


def start(
    organization: Organization, names: list[str], capture: Callable[..., Any], kind: str = KIND, **options: Any
) -> Run:
    with capture(execute=True):
        return run_start(
            kind=kind,
            organization=organization,
            batches=[BatchPlan(organization.pk, name, {"name": name}) for name in names],
            **options,
        )


def start_everywhere(organizations: list[Organization], capture: Callable[..., Any]) -> Run:
    """A run over these organisations, one batch each, as the beat starts them."""
    with capture(execute=True):
        return run_start(
            kind=KIND, batches=[BatchPlan(org.pk, "organisation", {"name": org.slug}) for org in organizations]
        )


def batches(run: Run) -> list[RunBatch]:
    return list(RunBatch.objects.unscoped().filter(run=run).order_by("pk"))


def fresh(run: Run) -> Run:
    return Run.objects.get(pk=run.pk)


def later(seconds: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=seconds)


# --- starting ------------------------------------------------------------------------------


def test_a_run_and_its_batches_are_written_together_and_queued_once_committed(
    organization: Organization, handler: Handler, sent: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    pmo = member(organization, OrgRole.PMO).user
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = run_start(
            kind=KIND,
            organization=organization,
            started_by=pmo,
            batches=[BatchPlan(organization.pk, name, {"name": name}) for name in ("a", "b", "c")],
        )
        assert sent == []

    assert (run.status, run.batch_count, run.started_by) == (RunStatus.RUNNING, 3, pmo)
    assert [(batch.key, batch.status, batch.attempts) for batch in batches(run)] == [
        ("a", BatchStatus.QUEUED, 0),
        ("b", BatchStatus.QUEUED, 0),
        ("c", BatchStatus.QUEUED, 0),
    ]
    callbacks[0]()
    assert sent == [batch.pk for batch in batches(run)]
    event = AuditEvent.objects.for_organization(organization).get(action="run.start")
    assert (event.actor, event.target_id, event.changes) == (pmo, str(run.pk), {"kind": KIND, "batches": 3})


def test_a_run_started_in_a_transaction_that_rolls_back_leaves_nothing_and_sends_nothing(
    organization: Organization, handler: Handler, sent: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        run_start(kind=KIND, organization=organization, batches=[BatchPlan(organization.pk, "a", {"name": "a"})])
        transaction.set_rollback(True)

    assert not Run.objects.exists()
    assert (callbacks, sent) == ([], [])


def test_a_run_of_one_organisation_refuses_another_organisations_batch(
    organization: Organization, other_organization: Organization, handler: Handler
) -> None:
    with pytest.raises(ValueError, match="belong to that organisation"):
        run_start(kind=KIND, organization=organization, batches=[BatchPlan(other_organization.pk, "x")])
    with pytest.raises(ValueError, match="No app registers"):
        run_start(kind="nobody.knows", batches=[])
    assert not Run.objects.exists()


def test_a_run_with_nothing_to_do_is_complete_at_once(handler: Handler, sent: list[int]) -> None:
    run = run_start(kind=KIND, batches=[])
    assert (run.status, run.batch_count) == (RunStatus.COMPLETE, 0)
    assert run.finished_at is not None


@pytest.fixture
def broker_down(settings: Any) -> Iterator[None]:
    """Celery on a broker that refuses connections (nothing listens on port 1), as a web process sees Redis down."""
    from pmo.celery import app

    saved = app.conf.broker_url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.broker_url = "redis://127.0.0.1:1/0"
    outage.reset_all()
    try:
        yield
    finally:
        app.conf.broker_url = saved
        outage.reset_all()


def test_a_broker_that_is_down_raises_nothing_and_the_sweeper_sends_the_batches_later(
    organization: Organization,
    handler: Handler,
    broker_down: None,
    django_capture_on_commit_callbacks: Any,
    settings: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    first = start(organization, ["a", "b"], django_capture_on_commit_callbacks)
    # The breaker knows the broker is down: the next run does not even ask it.
    second = start(organization, ["c"], django_capture_on_commit_callbacks)

    assert {batch.status for batch in batches(first) + batches(second)} == {BatchStatus.QUEUED}
    assert "the rest wait for the sweeper" in caplog.text
    assert handler.calls == []

    settings.CELERY_TASK_ALWAYS_EAGER = True  # the broker is back (the tests run tasks in the process)
    with django_capture_on_commit_callbacks(execute=True):
        result = runs_sweep(now=later(settings.PMO_RUN_STALE_SECONDS + 1))

    assert result.sent == 3
    assert handler.calls == ["a", "b", "c"]
    assert (fresh(first).status, fresh(second).status) == (RunStatus.COMPLETE, RunStatus.COMPLETE)


# --- reporting -----------------------------------------------------------------------------


def test_a_run_is_complete_only_when_every_batch_has_reported_done(
    organization: Organization, handler: Handler, sent: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    run = start(organization, ["a", "b", "c"], django_capture_on_commit_callbacks)
    first, second, third = batches(run)

    for batch in (first, third):
        assert batch_run(organization_id=organization.pk, batch_id=batch.pk)
        assert fresh(run).status == RunStatus.RUNNING
    assert batch_run(organization_id=organization.pk, batch_id=second.pk)

    finished = fresh(run)
    assert (finished.status, finished.done_count, finished.failed_count) == (RunStatus.COMPLETE, 3, 0)
    assert finished.finished_at is not None
    assert [(batch.status, batch.attempts) for batch in batches(run)] == [(BatchStatus.DONE, 1)] * 3
    assert all(batch.reported_at is not None and batch.started_at is not None for batch in batches(run))


def test_a_batch_done_in_its_organisations_scope_does_not_finish_a_run_still_waiting_for_others(
    handler: Handler, sent: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    first, second = OrganizationFactory(), OrganizationFactory()
    run = start_everywhere([first, second], django_capture_on_commit_callbacks)

    for organization, status in ((first, RunStatus.RUNNING), (second, RunStatus.COMPLETE)):
        batch = RunBatch.objects.for_organization(organization).get(run=run)
        # As a worker runs it: the task enters the batch's organisation.
        assert run_batch.apply(kwargs={"organization_id": organization.pk, "batch_id": batch.pk}).get()
        assert fresh(run).status == status


@pytest.mark.parametrize("kind", [KIND, ATOMIC_KIND])
def test_a_batch_sent_again_after_it_was_done_changes_nothing(
    organization: Organization,
    handler: Handler,
    sent: list[int],
    django_capture_on_commit_callbacks: Any,
    kind: str,
) -> None:
    run = start(organization, ["a"], django_capture_on_commit_callbacks, kind=kind)
    [batch] = batches(run)

    assert batch_run(organization_id=organization.pk, batch_id=batch.pk)
    # A redelivery of the same message, or the sweeper's copy arriving late.
    assert not batch_run(organization_id=organization.pk, batch_id=batch.pk)

    assert handler.calls == ["a"]
    [batch] = batches(run)
    assert (batch.status, batch.attempts) == (BatchStatus.DONE, 1)


def test_a_batch_of_another_organisation_is_not_run(
    organization: Organization,
    other_organization: Organization,
    handler: Handler,
    sent: list[int],
    django_capture_on_commit_callbacks: Any,
) -> None:
    run = start(organization, ["a"], django_capture_on_commit_callbacks)
    [batch] = batches(run)

    assert not batch_run(organization_id=other_organization.pk, batch_id=batch.pk)
    assert handler.calls == []


def test_an_atomic_batch_that_fails_rolls_its_work_back_keeps_the_error_and_fails_after_its_last_attempt(
    organization: Organization,
    handler: Handler,
    sent: list[int],
    django_capture_on_commit_callbacks: Any,
    settings: Any,
) -> None:
    settings.PMO_RUN_MAX_ATTEMPTS = 2
    run = start(organization, ["good", "bad"], django_capture_on_commit_callbacks, kind=ATOMIC_KIND)
    good, bad = batches(run)
    handler.failing.add("bad")
    viewers = organization_viewers(organization)

    assert batch_run(organization_id=organization.pk, batch_id=good.pk)
    with pytest.raises(RuntimeError, match="bad broke"):
        batch_run(organization_id=organization.pk, batch_id=bad.pk)
    assert organization_viewers(organization) == viewers + 1, "The failed batch's write is rolled back."
    bad.refresh_from_db()
    assert (bad.status, bad.attempts, bad.error) == (BatchStatus.RUNNING, 1, "RuntimeError: bad broke")
    assert fresh(run).status == RunStatus.RUNNING

    with pytest.raises(RuntimeError):
        batch_run(organization_id=organization.pk, batch_id=bad.pk)

    bad.refresh_from_db()
    assert (bad.status, bad.attempts) == (BatchStatus.FAILED, 2)
    finished = fresh(run)
    assert (finished.status, finished.done_count, finished.failed_count) == (RunStatus.FAILED, 1, 1)
    # Given up: neither a redelivery nor the sweeper runs it again.
    assert not batch_run(organization_id=organization.pk, batch_id=bad.pk)
    assert runs_sweep(now=later(settings.PMO_RUN_STALE_SECONDS + 1)).sent == 0
    assert handler.calls == ["good", "bad", "bad"]


def organization_viewers(organization: Organization) -> int:
    return Membership.objects.for_organization(organization).filter(role=OrgRole.VIEWER).count()


def test_a_batch_of_a_kind_no_app_registers_any_more_fails(
    organization: Organization, handler: Handler, sent: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    run = start(organization, ["a"], django_capture_on_commit_callbacks)
    run_kinds.unregister(KIND)

    assert not batch_run(organization_id=organization.pk, batch_id=batches(run)[0].pk)

    assert fresh(run).status == RunStatus.FAILED
    assert "No app registers the run kind" in batches(run)[0].error


# --- the sweeper ---------------------------------------------------------------------------


def test_the_sweeper_sends_again_the_batches_lost_in_time_and_not_the_fresh_ones(
    organization: Organization,
    handler: Handler,
    sent: list[int],
    django_capture_on_commit_callbacks: Any,
    settings: Any,
) -> None:
    run = start(organization, ["lost", "started", "done"], django_capture_on_commit_callbacks)
    lost, started, done = batches(run)
    batch_run(organization_id=organization.pk, batch_id=done.pk)
    # A worker took "started" and died before reporting.
    RunBatch.objects.unscoped().filter(pk=started.pk).update(
        status=BatchStatus.RUNNING, attempts=1, started_at=timezone.now(), reported_at=timezone.now()
    )
    sent.clear()
    bound = settings.PMO_RUN_STALE_SECONDS

    with django_capture_on_commit_callbacks(execute=True):
        assert runs_sweep(now=later(bound - 5)).sent == 0
    assert sent == []

    with django_capture_on_commit_callbacks(execute=True):
        result = runs_sweep(now=later(bound + 5))

    assert (result.sent, result.given_up) == (2, 0)
    assert sorted(sent) == sorted([lost.pk, started.pk])
    assert {batch.key: batch.status for batch in batches(run)} == {
        "lost": BatchStatus.QUEUED,
        "started": BatchStatus.QUEUED,
        "done": BatchStatus.DONE,
    }
    # Sent again just now: fresh until the bound has passed once more.
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert runs_sweep(now=later(bound + 5)).sent == 0
    assert sent == []


def test_the_sweeper_gives_up_a_batch_started_too_often_and_the_run_fails_visibly(
    organization: Organization,
    handler: Handler,
    sent: list[int],
    django_capture_on_commit_callbacks: Any,
    settings: Any,
) -> None:
    run = start(organization, ["poison", "fine"], django_capture_on_commit_callbacks)
    poison, fine = batches(run)
    batch_run(organization_id=organization.pk, batch_id=fine.pk)
    RunBatch.objects.unscoped().filter(pk=poison.pk).update(
        status=BatchStatus.RUNNING, attempts=settings.PMO_RUN_MAX_ATTEMPTS, reported_at=timezone.now()
    )
    sent.clear()

    with django_capture_on_commit_callbacks(execute=True):
        result = runs_sweep(now=later(settings.PMO_RUN_STALE_SECONDS + 1))

    assert (result.sent, result.given_up, result.settled) == (0, 1, 1)
    assert sent == []
    poison.refresh_from_db()
    assert poison.status == BatchStatus.FAILED
    assert poison.error == f"Given up after {settings.PMO_RUN_MAX_ATTEMPTS} attempts without a report."
    finished = fresh(run)
    assert (finished.status, finished.done_count, finished.failed_count) == (RunStatus.FAILED, 1, 1)


def test_the_sweeper_finishes_a_run_whose_unfinished_batches_went_with_their_organisation(
    handler: Handler, sent: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    staying, leaving = OrganizationFactory(), OrganizationFactory()
    run = start_everywhere([staying, leaving], django_capture_on_commit_callbacks)
    batch_run(organization_id=staying.pk, batch_id=batches(run)[0].pk)
    assert fresh(run).status == RunStatus.RUNNING

    leaving.delete()
    assert runs_sweep().settled == 1

    assert (fresh(run).status, fresh(run).done_count) == (RunStatus.COMPLETE, 1)


def test_the_sweeper_deletes_runs_finished_long_ago_with_their_batches(
    organization: Organization,
    handler: Handler,
    sent: list[int],
    django_capture_on_commit_callbacks: Any,
    settings: Any,
) -> None:
    old = start(organization, ["a"], django_capture_on_commit_callbacks)
    batch_run(organization_id=organization.pk, batch_id=batches(old)[0].pk)
    Run.objects.filter(pk=old.pk).update(finished_at=timezone.now() - dt.timedelta(days=settings.PMO_RUN_KEEP_DAYS + 1))
    recent = start(organization, ["b"], django_capture_on_commit_callbacks)
    batch_run(organization_id=organization.pk, batch_id=batches(recent)[0].pk)
    unfinished = start(organization, ["c"], django_capture_on_commit_callbacks)

    assert runs_sweep().deleted == 1

    assert set(Run.objects.values_list("pk", flat=True)) == {recent.pk, unfinished.pk}
    assert not RunBatch.objects.unscoped().filter(run_id=old.pk).exists()


# --- the variance run and the scheduled work --------------------------------------------------


def test_the_nightly_variance_run_records_every_organisations_batches_and_raises_the_same_alerts_once(
    django_capture_on_commit_callbacks: Any,
) -> None:
    first, second = OrganizationFactory(), OrganizationFactory()
    for organization in (first, second):
        build_textbook(organization, "P-1")
        build_textbook(organization, "P-2")
        ProjectFactory(organization=organization, code="P-3")
        Alert.objects.for_organization(organization).delete()

    with django_capture_on_commit_callbacks(execute=True):
        run = variance_start(organization=None, as_of="2026-03-09", batch_size=2)

    run = fresh(run)
    assert (run.kind, run.organization, run.status, run.batch_count, run.done_count) == (
        VARIANCE,
        None,
        RunStatus.COMPLETE,
        6,
        6,
    )
    for organization in (first, second):
        keys = [batch.key for batch in RunBatch.objects.for_organization(organization).filter(run=run)]
        assert keys == ["projects-00001", "projects-00002", CLOSED_PROJECTS]
        assert Alert.objects.for_organization(organization).count() == 6  # three a textbook project

    alerts, notifications, messages = counts(first)
    # The first batch sent again (a redelivery, the sweeper's copy) finds itself done.
    batch = RunBatch.objects.for_organization(first).filter(run=run).first()
    assert batch is not None
    assert not batch_run(organization_id=first.pk, batch_id=batch.pk)
    # Even evaluated again on purpose, a batch raises nothing twice.
    RunBatch.objects.for_organization(first).filter(pk=batch.pk).update(status=BatchStatus.QUEUED)
    with django_capture_on_commit_callbacks(execute=True):
        assert batch_run(organization_id=first.pk, batch_id=batch.pk)
    assert counts(first) == (alerts, notifications, messages)


def counts(organization: Organization) -> tuple[int, int, int]:
    return (
        Alert.objects.for_organization(organization).count(),
        Notification.objects.for_organization(organization).count(),
        OutboxMessage.objects.for_organization(organization).count(),
    )


def test_run_variance_now_records_who_started_it(
    organization: Organization, django_capture_on_commit_callbacks: Any
) -> None:
    from pmo.alerts.kinds import alert_kinds

    build_textbook(organization)
    pmo = member(organization, OrgRole.PMO).user
    with django_capture_on_commit_callbacks(execute=True):
        alert_kinds.run_now(organization_id=organization.pk, as_of="2026-03-09", started_by=pmo)

    run = Run.objects.get(kind=VARIANCE)
    assert (run.kind, run.organization, run.started_by, run.status) == (
        VARIANCE,
        organization,
        pmo,
        RunStatus.COMPLETE,
    )


@pytest.mark.parametrize(
    ("task", "kind"),
    [
        ("maintenance.tasks.generate_rounds", "maintenance.rounds"),
        ("maintenance.tasks.generate_preventive", "maintenance.preventive"),
        ("maintenance.tasks.sync_alerts", "maintenance.alerts"),
        ("resources.tasks.timesheet_reminders", "resources.timesheet_reminders"),
        ("projects.tasks.reschedule_stale_all", "projects.reschedule_stale"),
        ("pmo.tasks.send_digests", "pmo.digests"),
        ("finance.tasks.run_variance_all", VARIANCE),
    ],
)
def test_every_scheduled_fan_out_is_a_recorded_run_over_every_organisation(
    task: str, kind: str, django_capture_on_commit_callbacks: Any
) -> None:
    from django.utils.module_loading import import_string

    organizations = [OrganizationFactory(), OrganizationFactory()]
    with django_capture_on_commit_callbacks(execute=True):
        run_id = import_string(task).delay().get()

    run = Run.objects.get(pk=run_id)
    assert (run.kind, run.organization, run.status) == (kind, None, RunStatus.COMPLETE)
    assert run_kinds.label(kind) != kind
    for organization in organizations:
        assert RunBatch.objects.for_organization(organization).filter(run=run, status=BatchStatus.DONE).exists()


def test_a_run_per_organisation_has_one_batch_for_each(handler: Handler, sent: list[int]) -> None:
    organizations = [OrganizationFactory(), OrganizationFactory(), OrganizationFactory()]
    run = run_start_per_organization(kind=KIND)
    assert sorted(RunBatch.objects.unscoped().filter(run=run).values_list("organization_id", "key")) == sorted(
        (organization.pk, "organisation") for organization in organizations
    )
