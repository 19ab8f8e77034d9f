"""Jobs (pmo.jobs): started inline or queued, run once, ended with a result, a report or an error; progress
written sparingly and outside the handler's transaction; lost workers swept; results kept their days."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import OperationalError, connection, transaction
from django.test import override_settings
from django.utils import timezone

from pmo.errors import ApplicationError
from pmo.jobs import JobContext, JobKind, JobOutcome, job_kinds, job_start
from pmo.jobs import storage as job_storage
from pmo.jobs.context import HEARTBEAT_INTERVAL, percent_of
from pmo.jobs.services import job_execute, jobs_sweep
from pmo.models import AuditEvent, Job, JobStatus, Organization, OrgRole
from pmo.tasks import MissingOrganizationError, run_job
from tests.conftest import require_service
from tests.factories import JobFactory, member

pytestmark = pytest.mark.django_db

KIND = "tests.echo"


class Echo:
    """A handler that returns its upload reversed as a file, or what it is told to raise."""

    def __init__(self) -> None:
        self.seen: list[JobContext] = []
        self.raises: BaseException | None = None
        self.file = True

    def __call__(self, context: JobContext) -> JobOutcome:
        self.seen.append(context)
        if self.raises is not None:
            raise self.raises
        data = context.upload() if context.job.upload_key else b""
        report = {"counts": {"rows": len(data)}, "messages": ["checked"]}
        if not self.file:
            return JobOutcome(report=report, link="/o/acme/")
        return JobOutcome(content=data[::-1], filename="echo.txt", content_type="text/plain", report=report)


@pytest.fixture
def echo() -> Iterator[Echo]:
    handler = Echo()
    job_kinds.register(JobKind(KIND, "Echo", handler))
    yield handler
    job_kinds.unregister(KIND)


@pytest.fixture
def requester(organization: Organization) -> Any:
    return member(organization, OrgRole.MEMBER, username="mei").user


def start(organization: Organization, user: Any, **kwargs: Any) -> Job:
    return job_start(kind=KIND, organization=organization, requested_by=user, **kwargs)


# --- lifecycle ---


def test_an_inline_job_runs_in_the_call_and_keeps_its_result_report_and_end(
    echo: Echo, organization: Organization, requester: Any
) -> None:
    job = start(organization, requester, payload={"project": 7}, upload=b"abc", upload_name="plan.xlsx", inline=True)

    assert job.status == JobStatus.DONE
    assert job.percent == 100
    assert job.attempts == 1
    assert job_storage.read(job.result_key) == b"cba"
    assert (job.result_name, job.result_type, job.result_size) == ("echo.txt", "text/plain", 3)
    assert job.report == {"counts": {"rows": 3}, "messages": ["checked"]}
    assert job.finished_at is not None
    assert job.expires_at == job.finished_at + dt.timedelta(days=7)
    context = echo.seen[0]
    assert (context.organization, context.user, context.payload) == (organization, requester, {"project": 7})
    assert (job.upload_name, job.upload_size) == ("plan.xlsx", 3)


def test_starting_a_job_is_in_the_audit_trail(echo: Echo, organization: Organization, requester: Any) -> None:
    job = start(organization, requester, upload=b"abc", upload_name="plan.xlsx", inline=True)

    event = AuditEvent.objects.for_organization(organization).get(action="job.start")
    assert event.actor == requester
    assert (event.target_type, event.target_id) == ("pmo.job", str(job.pk))
    assert event.changes == {"kind": KIND, "inline": True, "upload": "plan.xlsx", "size": 3}


def test_a_queued_job_completes_in_the_request_with_eager_celery(
    echo: Echo, organization: Organization, requester: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        job = start(organization, requester, upload=b"xyz")

    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job_storage.read(job.result_key) == b"zyx"


def test_a_queued_job_waits_for_the_commit_of_the_transaction_that_started_it(
    echo: Echo, organization: Organization, requester: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = start(organization, requester)

    assert job.status == JobStatus.QUEUED
    assert echo.seen == []
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE


def test_an_unknown_kind_is_refused_before_anything_is_recorded(organization: Organization, requester: Any) -> None:
    with pytest.raises(ValueError, match=r"tests\.nobody"):
        job_start(kind="tests.nobody", organization=organization, requested_by=requester)
    assert not Job.objects.for_organization(organization).exists()


def test_a_job_without_a_file_ends_with_its_report_and_link(
    echo: Echo, organization: Organization, requester: Any
) -> None:
    echo.file = False
    job = start(organization, requester, inline=True)

    assert job.status == JobStatus.DONE
    assert (job.result_key, job.result_name, job.link) == ("", "", "/o/acme/")


def test_a_copy_of_a_job_already_started_does_nothing(echo: Echo, organization: Organization, requester: Any) -> None:
    job = start(organization, requester, inline=True)

    assert job_execute(organization_id=organization.pk, job_id=job.pk) is False
    assert len(echo.seen) == 1


def test_a_job_whose_kind_is_no_longer_registered_fails_with_that_said(
    organization: Organization, requester: Any, django_capture_on_commit_callbacks: Any
) -> None:
    job = JobFactory(organization=organization, kind="tests.gone", status=JobStatus.QUEUED, finished_at=None)

    job_execute(organization_id=organization.pk, job_id=job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error["code"] == "job_kind_unknown"


def test_the_job_task_needs_its_organisation() -> None:
    with pytest.raises(MissingOrganizationError):
        run_job(job_id=1)


# --- failures ---


def test_an_application_error_fails_the_job_with_its_error_body_and_no_retry(
    echo: Echo, organization: Organization, requester: Any, django_capture_on_commit_callbacks: Any
) -> None:
    echo.raises = ApplicationError(
        "2 cells are wrong; nothing was imported.",
        code="import_invalid",
        fields={"Tasks!C3": ["Not a date."], "Tasks!D4": ["Unknown code 9.9."]},
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = start(organization, requester, upload=b"bad")

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.attempts == 1
    assert job.error == {
        "code": "import_invalid",
        "message": "2 cells are wrong; nothing was imported.",
        "fields": {"Tasks!C3": ["Not a date."], "Tasks!D4": ["Unknown code 9.9."]},
    }
    assert job.result_key == ""
    assert job.expires_at is not None


def test_a_job_whose_requester_is_gone_fails_with_that_said(organization: Organization, requester: Any) -> None:
    acted_as: list[Any] = []

    def act(context: JobContext) -> JobOutcome:
        acted_as.append(context.requester())
        return JobOutcome()

    job_kinds.register(JobKind("tests.act", "Act", act))
    try:
        done = job_start(kind="tests.act", organization=organization, requested_by=requester, inline=True)
        orphan = job_start(kind="tests.act", organization=organization, requested_by=None, inline=True)
    finally:
        job_kinds.unregister("tests.act")

    assert done.status == JobStatus.DONE
    assert acted_as == [requester]
    assert (orphan.status, orphan.error["code"]) == (JobStatus.FAILED, "job_requester_gone")
    # Nobody's language to speak: the organisation's default, Chinese.
    assert orphan.error["message"] == "发起此任务的人员已不存在。"


def test_any_other_error_fails_the_job_with_a_generic_message_and_is_logged(
    echo: Echo, organization: Organization, requester: Any, caplog: pytest.LogCaptureFixture
) -> None:
    echo.raises = KeyError("secret internals")
    with caplog.at_level(logging.ERROR, logger="pmo.jobs.services"):
        job = start(organization, requester, inline=True)

    assert job.status == JobStatus.FAILED
    assert job.error["code"] == "job_failed"
    assert "secret" not in job.error["message"]
    assert any("secret internals" in (record.exc_text or "") for record in caplog.records)


def test_a_transient_error_on_a_worker_queues_the_job_again_for_the_task_to_retry(
    echo: Echo, organization: Organization, requester: Any
) -> None:
    echo.raises = OperationalError("deadlock detected")
    job = JobFactory(organization=organization, kind=KIND, status=JobStatus.QUEUED, finished_at=None)

    with pytest.raises(OperationalError):
        job_execute(organization_id=organization.pk, job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.QUEUED, 1)
    echo.raises = None
    assert job_execute(organization_id=organization.pk, job_id=job.pk) is True
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.DONE, 2)


def test_a_transient_error_fails_an_inline_job_and_on_its_last_attempt(
    echo: Echo, organization: Organization, requester: Any
) -> None:
    echo.raises = OperationalError("deadlock detected")
    job = start(organization, requester, inline=True)
    assert (job.status, job.error["code"]) == (JobStatus.FAILED, "job_failed")

    last = JobFactory(organization=organization, kind=KIND, status=JobStatus.QUEUED, finished_at=None, attempts=1)
    job_execute(organization_id=organization.pk, job_id=last.pk)
    last.refresh_from_db()
    assert (last.status, last.attempts) == (JobStatus.FAILED, 2)


def test_a_failed_job_reports_in_the_language_of_its_requester(organization: Organization, requester: Any) -> None:
    from django.utils import translation

    with translation.override("en"):
        job = JobFactory(organization=organization, kind="tests.gone", status=JobStatus.QUEUED, finished_at=None)
        job.language = "zh-hans"
        job.save(update_fields=["language"])
        job_execute(organization_id=organization.pk, job_id=job.pk)

    job.refresh_from_db()
    assert job.error["message"] == "应用中已没有处理此类任务的部分。"


# --- progress ---


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def meter(organization: Organization, monkeypatch: pytest.MonkeyPatch) -> tuple[JobContext, Clock, list[int]]:
    job = JobFactory(organization=organization, kind=KIND, status=JobStatus.RUNNING, finished_at=None, percent=0)
    clock = Clock()
    context = JobContext(job, clock=clock)
    written: list[int] = []
    monkeypatch.setattr(context, "_write", lambda values: written.append(values["percent"]))
    monkeypatch.setattr(context, "_in_transaction", lambda: False)
    return context, clock, written


def test_progress_called_for_every_row_writes_at_most_twice_a_second(
    meter: tuple[JobContext, Clock, list[int]],
) -> None:
    context, clock, written = meter
    for row in range(1, 10_001):
        clock.now += 0.0005  # 10,000 rows in 5 seconds
        context.progress(row, 10_000)
    clock.now += 1
    context.progress(10_000, 10_000)

    assert 9 <= len(written) <= 11
    assert written == sorted(written)
    assert written[-1] == 99


def test_progress_that_did_not_move_is_not_written_until_the_heartbeat(
    meter: tuple[JobContext, Clock, list[int]],
) -> None:
    context, clock, written = meter
    clock.now += 1
    context.progress(10, 100)
    clock.now += 5
    context.progress(10, 100)
    assert written == [10]
    clock.now += HEARTBEAT_INTERVAL
    context.progress(10, 100)
    assert written == [10, 10]


def test_a_coarse_step_is_written_at_once_however_soon_it_comes(
    meter: tuple[JobContext, Clock, list[int]],
) -> None:
    context, clock, written = meter
    clock.now += 0.1
    context.progress(5, 100)
    context.progress(30, 100)
    clock.now += 0.1
    context.progress(35, 100)
    context.progress(80, 100)

    assert written == [30, 80]


def test_percent_is_whole_and_stops_at_99_until_the_job_is_done() -> None:
    assert [percent_of(0, 0), percent_of(1, 3), percent_of(2, 3), percent_of(3, 3), percent_of(5, 3)] == [
        0,
        33,
        66,
        99,
        99,
    ]


def test_progress_is_written_on_the_job_outside_a_transaction(
    organization: Organization, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = JobFactory(
        organization=organization, kind=KIND, status=JobStatus.RUNNING, finished_at=None, attempts=1, percent=0
    )
    clock = Clock()
    context = JobContext(job, clock=clock)
    monkeypatch.setattr(context, "_in_transaction", lambda: False)
    clock.now += 1
    context.progress(42, 100)

    job.refresh_from_db()
    assert job.percent == 42
    assert context.writes == 1


@pytest.mark.django_db(transaction=True)
def test_progress_inside_the_handlers_transaction_is_seen_by_a_poller_before_it_commits() -> None:
    if connection.vendor != "postgresql":
        require_service("PostgreSQL", "SQLite lets one connection write at a time")
    from tests.factories import OrganizationFactory

    organization = OrganizationFactory(slug="acme-progress")
    job = JobFactory(
        organization=organization, kind=KIND, status=JobStatus.RUNNING, finished_at=None, attempts=1, percent=0
    )
    clock = Clock()
    context = JobContext(job, clock=clock)
    seen: list[int] = []

    def poll() -> None:
        seen.append(Job.objects.for_organization(organization).get(pk=job.pk).percent)
        connection.close()

    with transaction.atomic():
        member(organization, OrgRole.VIEWER, username="imported")  # the import's own uncommitted write
        clock.now += 1
        context.progress(37, 100)
        context.close()
        poller = threading.Thread(target=poll)
        poller.start()
        poller.join()
    assert seen == [37]


# --- the sweeper ---


def test_a_job_whose_worker_was_lost_is_queued_again_then_given_up(
    echo: Echo, organization: Organization, django_capture_on_commit_callbacks: Any
) -> None:
    long_ago = timezone.now() - dt.timedelta(hours=1)
    lost = JobFactory(
        organization=organization,
        kind=KIND,
        status=JobStatus.RUNNING,
        finished_at=None,
        attempts=1,
        reported_at=long_ago,
    )
    hopeless = JobFactory(
        organization=organization,
        kind=KIND,
        status=JobStatus.RUNNING,
        finished_at=None,
        attempts=2,
        reported_at=long_ago,
    )
    alive = JobFactory(
        organization=organization,
        kind=KIND,
        status=JobStatus.RUNNING,
        finished_at=None,
        attempts=1,
        reported_at=timezone.now(),
    )

    with django_capture_on_commit_callbacks(execute=True):
        result = jobs_sweep()

    assert (result.queued_again, result.given_up) == (1, 1)
    lost.refresh_from_db()
    assert (lost.status, lost.attempts) == (JobStatus.DONE, 2)  # eager: the queued copy ran
    hopeless.refresh_from_db()
    assert hopeless.status == JobStatus.FAILED
    assert hopeless.error["code"] == "job_worker_lost"
    alive.refresh_from_db()
    assert alive.status == JobStatus.RUNNING


def test_expired_jobs_are_deleted_with_their_files_and_others_kept(
    organization: Organization, django_capture_on_commit_callbacks: Any
) -> None:
    expired = JobFactory(organization=organization, expires_at=timezone.now() - dt.timedelta(minutes=1))
    upload_key = job_storage.store_bytes(job_storage.new_key(organization.pk, "upload"), b"in")
    Job.objects.for_organization(organization).filter(pk=expired.pk).update(upload_key=upload_key)
    kept = JobFactory(organization=organization)

    with django_capture_on_commit_callbacks(execute=True):
        result = jobs_sweep()

    assert result.deleted == 1
    assert list(Job.objects.for_organization(organization).values_list("pk", flat=True)) == [kept.pk]
    assert not job_storage.job_storage().exists(expired.result_key)
    assert not job_storage.job_storage().exists(upload_key)
    assert job_storage.job_storage().exists(kept.result_key)


@override_settings(PMO_JOB_RESULT_DAYS=2)
def test_the_days_a_result_is_kept_are_a_setting(echo: Echo, organization: Organization, requester: Any) -> None:
    job = start(organization, requester, inline=True)
    assert job.expires_at == job.finished_at + dt.timedelta(days=2)


def test_the_beat_sweeps_jobs_every_minute() -> None:
    from django.conf import settings

    assert settings.CELERY_BEAT_SCHEDULE["jobs-sweep"] == {"task": "pmo.sweep_jobs", "schedule": 60.0}
