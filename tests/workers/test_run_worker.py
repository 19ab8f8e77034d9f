"""A variance run survives a broker that forgets everything in its middle (a Redis restart without
persistence): the sweeper sends the lost batches again, and the run completes with the very alerts
of an undisturbed run, none of them twice.

The broker here is a redis-server of the test's own (``redis_server``), flushed with FLUSHALL: never
the shared one.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection, transaction

from pmo.models import Alert, AlertStatus, BatchStatus, Notification, Organization, OrgRole, Run, RunBatch, RunStatus
from projects.models import Project
from tests.factories import OrganizationFactory, member
from tests.finance.test_earned_value_support import build_sized
from tests.workers.conftest import RedisServer, Workers, wait_for, workers_on
from tests.workers.test_variance_worker import forget_evaluations, waiting_for_a_lock

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

PROJECTS = 12
AS_OF = "2026-03-09"
# Batches that have not reported within this many seconds are sent again by the sweeper.
STALE_SECONDS = "2"


@pytest.fixture
def workers_on_own_redis(redis_server: RedisServer, transactional_db: None, tmp_path: Path) -> Iterator[Workers]:
    running = workers_on(redis_server.url, tmp_path)
    try:
        yield running
    finally:
        running.stop_all()
        # Close this process's connections so that the database can be flushed after the test.
        connection.close()


def the_run(organization: Organization) -> Run | None:
    return Run.objects.filter(organization=organization).order_by("-pk").first()


def run_status(organization: Organization) -> str | None:
    run = the_run(organization)
    return None if run is None else run.status


def batch_statuses(organization: Organization) -> Counter[str]:
    return Counter(RunBatch.objects.for_organization(organization).values_list("status", flat=True))


def alerts_found(organization: Organization) -> Counter[tuple[str, str, str, str]]:
    """The active alerts by kind, project code, severity and measure: what a run raised."""
    return Counter(
        (alert.kind, alert.project.code, alert.severity, str(alert.figures.get("value")))
        for alert in Alert.objects.for_organization(organization)
        .exclude(status=AlertStatus.RESOLVED)
        .select_related("project")
    )


def portfolio(organization: Organization) -> list[Project]:
    """``PROJECTS`` projects, each with SPI 0.9167 on 9 March (see ``build_sized``), and a PMO analyst told."""
    member(organization, OrgRole.PMO)
    projects = [build_sized(organization, 3, code=f"K{number:03d}") for number in range(PROJECTS)]
    forget_evaluations(organization)
    return projects


def start_variance(workers: Workers, organization: Organization) -> None:
    workers.manage("run_variance", "--org", organization.slug, "--as-of", AS_OF, "--batch-size", "1")


def test_a_variance_run_whose_queued_batches_the_broker_forgot_completes_with_the_same_alerts(
    redis_server: RedisServer, workers_on_own_redis: Workers
) -> None:
    workers = workers_on_own_redis
    workers.env["PMO_RUN_STALE_SECONDS"] = STALE_SECONDS
    undisturbed, disturbed = OrganizationFactory(), OrganizationFactory()
    portfolio(undisturbed)
    projects = portfolio(disturbed)
    workers.start()

    start_variance(workers, undisturbed)
    wait_for(lambda: run_status(undisturbed) == RunStatus.COMPLETE, "the undisturbed run", workers)
    expected = alerts_found(undisturbed)
    assert sum(expected.values()) == PROJECTS

    held = 4
    with transaction.atomic():
        # The test holds the lock of the fifth project, so the one worker stops in the middle of the
        # run: four batches done, the fifth waiting for the lock, the rest queued in the broker.
        Project.objects.for_organization(disturbed).select_for_update().get(pk=projects[held].pk)
        start_variance(workers, disturbed)
        wait_for(lambda: waiting_for_a_lock() > 0, "a batch to wait for the held project", workers)
        assert batch_statuses(disturbed) == {
            BatchStatus.DONE: held,
            BatchStatus.RUNNING: 1,
            BatchStatus.QUEUED: PROJECTS - held - 1 + 1,  # and the batch of the closed projects
        }
        assert redis_server.client().llen(workers.env["PMO_TEST_QUEUE"]) > 0
        redis_server.flushall()
    # The held batch finishes; the batches the broker held are gone with its memory.
    wait_for(lambda: batch_statuses(disturbed)[BatchStatus.RUNNING] == 0, "the held batch", workers)
    assert redis_server.client().llen(workers.env["PMO_TEST_QUEUE"]) == 0
    assert batch_statuses(disturbed) == {BatchStatus.DONE: held + 1, BatchStatus.QUEUED: PROJECTS - held - 1 + 1}
    assert run_status(disturbed) == RunStatus.RUNNING

    def swept_and_complete() -> bool:
        # What the beat does every minute: the sweeper's task, run by a worker.
        workers.python("from pmo.celery import app\napp.send_task('pmo.sweep_runs')")
        try:
            wait_for(lambda: run_status(disturbed) == RunStatus.COMPLETE, "the run", workers, timeout=10)
        except AssertionError:
            return False
        return True

    wait_for(swept_and_complete, "the sweeper to send the lost batches and the run to complete", workers)

    run = the_run(disturbed)
    assert run is not None
    assert (run.batch_count, run.done_count, run.failed_count) == (PROJECTS + 1, PROJECTS + 1, 0)
    # Every batch ran once: the lost ones after the sweeper sent them again.
    assert set(RunBatch.objects.for_organization(disturbed).values_list("attempts", flat=True)) == {1}
    assert alerts_found(disturbed) == expected
    assert Alert.objects.for_organization(disturbed).count() == PROJECTS
    assert Notification.objects.for_organization(disturbed).count() == (
        Notification.objects.for_organization(undisturbed).count()
    )
