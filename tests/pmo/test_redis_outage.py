"""Without Redis the app keeps working: the cache misses, the rate limit counts per process, and a
task queued by a write waits in the database until the dispatcher sends it (pmo.cache,
pmo.api.throttling, pmo.queueing). The real Redis stopped and started again: tests/workers/test_redis_outage.py."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from kombu.exceptions import OperationalError
from redis.connection import Connection
from rest_framework.test import APIClient

from pmo import outage, queueing
from pmo.api.throttling import PerTokenRateThrottle
from pmo.cache import ResilientRedisCache
from pmo.models import Invitation, Organization, QueuedTask
from pmo.tasks import send_invitation_email

pytestmark = pytest.mark.django_db

#: Nothing listens there: every connection is refused at once.
DEAD_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture(autouse=True)
def _closed_breakers() -> Iterator[None]:
    outage.reset_all()
    yield
    outage.reset_all()


@pytest.fixture
def connects(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per attempt to open a connection to Redis."""
    attempts: list[int] = []
    original = Connection.connect

    def counting(self: Connection) -> None:
        attempts.append(1)
        original(self)

    monkeypatch.setattr(Connection, "connect", counting)
    return attempts


def dead_cache() -> ResilientRedisCache:
    return ResilientRedisCache(DEAD_REDIS, {"KEY_PREFIX": uuid.uuid4().hex})


# --- the cache ----------------------------------------------------------------------------


def test_a_cache_whose_redis_is_down_misses_and_raises_nothing(
    connects: list[int], caplog: pytest.LogCaptureFixture
) -> None:
    cache = dead_cache()
    with caplog.at_level(logging.WARNING, logger="pmo.outage"):
        assert cache.get("schema") is None
        assert cache.get("schema", "default") == "default"
        assert cache.get_many(["a", "b"]) == {}
        assert cache.add("lock", 1) is True
        cache.set("later", "kept in this process")
        cache.delete("nothing")
        assert cache.get("later") == "kept in this process"
    assert not cache.available
    # One attempt, one warning: the calls after it do not ask the dead Redis again.
    assert len(connects) == 1
    warnings = [record.getMessage() for record in caplog.records]
    assert len(warnings) == 1
    assert "127.0.0.1:1" in warnings[0]


def test_the_cache_asks_redis_again_after_the_retry_period(settings: Any, connects: list[int]) -> None:
    settings.PMO_REDIS_RETRY_SECONDS = 0
    cache = dead_cache()
    cache.get("a")
    cache.get("b")
    assert len(connects) == 2


@pytest.mark.redis
def test_what_redis_held_reads_as_a_miss_while_it_is_down_and_again_when_it_is_back(
    settings: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import os

    import redis

    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        from tests.conftest import require_service

        require_service("Redis", f"{url}: {error}")
    settings.PMO_REDIS_RETRY_SECONDS = 0
    cache = ResilientRedisCache(url, {"KEY_PREFIX": f"test-outage-{uuid.uuid4().hex}"})
    cache.set("held", "in redis")
    cache._cache.get_client(write=True).connection_pool.disconnect()  # type: ignore[attr-defined]
    original = Connection.connect

    def refused(self: Connection) -> None:
        raise redis.ConnectionError("Connection refused (test)")

    monkeypatch.setattr(Connection, "connect", refused)
    with caplog.at_level(logging.WARNING, logger="pmo.outage"):
        assert cache.get("held") is None
        cache.set("during", "the outage")
        assert cache.get("during") == "the outage"
        monkeypatch.setattr(Connection, "connect", original)
        assert cache.get("held") == "in redis"
    assert cache.available
    # What the process kept during the outage is forgotten: the next outage starts empty.
    assert cache.local.get("during") is None
    assert [record.getMessage().split(" (")[0].endswith("is unavailable") for record in caplog.records] == [
        True,
        False,
    ]
    cache.delete("held")


# --- the rate limit -----------------------------------------------------------------------


def bearer(api: APIClient, name: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api.post('/api/v1/tokens/', {'name': name}).json()['token']}")
    return client


def test_without_redis_the_api_answers_and_still_limits_each_token_per_process(
    api: APIClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(PerTokenRateThrottle, "THROTTLE_RATES", {"token": "3/minute"})
    monkeypatch.setattr(PerTokenRateThrottle, "cache", dead_cache())
    first, second = bearer(api, "one"), bearer(api, "two")
    assert [first.get("/api/v1/me/").status_code for _ in range(3)] == [200, 200, 200]
    refused = first.get("/api/v1/me/")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert second.get("/api/v1/me/").status_code == 200


# --- tasks queued by a write --------------------------------------------------------------


class Broker:
    """Stands in for the broker: records what is sent, or refuses like a Redis that is down."""

    def __init__(self) -> None:
        self.down = False
        self.sent: list[tuple[str, dict[str, Any], dict[str, Any] | None]] = []

    def publish(self, name: str, kwargs: dict[str, Any], headers: dict[str, Any] | None) -> None:
        if self.down:
            raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        self.sent.append((name, kwargs, headers))

    def take_all(self) -> None:
        """A worker takes every task sent so far."""
        for _name, _kwargs, headers in self.sent:
            task = send_invitation_email
            task.push_request(**(headers or {}))
            try:
                queueing._taken(task=task)
            finally:
                task.pop_request()


@pytest.fixture
def broker(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Broker:
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"
    fake = Broker()
    monkeypatch.setattr(queueing, "_publish", fake.publish)
    return fake


def invite(api: APIClient, email: str, capture: Callable[..., Any]) -> Any:
    with capture(execute=True):
        return api.post("/api/v1/orgs/acme/invitations/", {"email": email, "role": "member"}, format="json")


def test_a_write_whose_task_cannot_be_sent_answers_as_usual_and_the_task_waits(
    api: APIClient, broker: Broker, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    broker.down = True
    response = invite(api, "nia@example.test", django_capture_on_commit_callbacks)
    assert response.status_code == 201, response.content
    invitation = Invitation.objects.unscoped().get(email="nia@example.test")
    row = QueuedTask.objects.get()
    assert (row.task, row.waiting, row.attempts) == ("pmo.tasks.send_invitation_email", True, 0)
    assert row.kwargs == {
        "organization_id": invitation.organization_id,
        "invitation_id": invitation.pk,
        "base_url": "http://testserver/",
    }
    assert broker.sent == []


def test_while_the_broker_is_known_to_be_down_a_write_does_not_try_it(
    api: APIClient,
    broker: Broker,
    django_capture_on_commit_callbacks: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    broker.down = True
    invite(api, "a@example.test", django_capture_on_commit_callbacks)
    tried: list[str] = []
    monkeypatch.setattr(queueing, "_publish", lambda name, *args: tried.append(name))
    assert invite(api, "b@example.test", django_capture_on_commit_callbacks).status_code == 201
    assert tried == []
    assert list(QueuedTask.objects.values_list("waiting", flat=True)) == [True, True]


def test_after_the_retry_period_a_write_tries_the_broker_again(
    api: APIClient, broker: Broker, settings: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    settings.PMO_REDIS_RETRY_SECONDS = 0
    broker.down = True
    invite(api, "a@example.test", django_capture_on_commit_callbacks)
    broker.down = False
    invite(api, "b@example.test", django_capture_on_commit_callbacks)
    assert [kwargs["invitation_id"] for _name, kwargs, _headers in broker.sent] == [
        Invitation.objects.unscoped().get(email="b@example.test").pk
    ]
    assert list(QueuedTask.objects.values_list("waiting", flat=True)) == [True, False]


def test_a_task_sent_after_the_commit_costs_the_request_no_query_and_the_worker_deletes_its_row(
    organization: Organization, broker: Broker, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        queueing.queue_on_commit(send_invitation_email, organization_id=organization.pk, invitation_id=1, base_url="/")
    row = QueuedTask.objects.get()
    assert not row.waiting
    with CaptureQueriesContext(connection) as queries:
        for callback in callbacks:
            callback()
    assert len(queries) == 0
    assert broker.sent == [
        (
            "pmo.tasks.send_invitation_email",
            {"organization_id": organization.pk, "invitation_id": 1, "base_url": "/"},
            {queueing.HEADER: row.pk},
        )
    ]
    broker.take_all()
    assert not QueuedTask.objects.exists()


def test_the_dispatcher_sends_what_waited_once_the_broker_answers_each_task_once(
    api: APIClient, broker: Broker, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    broker.down = True
    emails = [f"p{number}@example.test" for number in range(5)]
    for email in emails:
        assert invite(api, email, django_capture_on_commit_callbacks).status_code == 201
    assert queueing.dispatch_queued_tasks().sent == 0
    assert QueuedTask.objects.filter(waiting=True).count() == 5

    broker.down = False
    result = queueing.dispatch_queued_tasks()

    assert (result.sent, result.waiting) == (5, 0)
    invitations = dict(Invitation.objects.unscoped().values_list("pk", "email"))
    assert sorted(invitations[kwargs["invitation_id"]] for _name, kwargs, _headers in broker.sent) == emails
    rows = list(QueuedTask.objects.all())
    assert sorted(headers[queueing.HEADER] for _n, _k, headers in broker.sent if headers) == [row.pk for row in rows]
    assert {(row.waiting, row.attempts) for row in rows} == {(False, 1)}
    # Sent rows are not sent again before the resend period, and the workers delete them.
    assert queueing.dispatch_queued_tasks().sent == 0
    broker.take_all()
    assert not QueuedTask.objects.exists()
    assert len(broker.sent) == 5


def test_the_dispatcher_stops_at_the_first_refusal_and_leaves_the_rest_waiting(
    organization: Organization,
    broker: Broker,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    broker.down = True
    for number in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            queueing.queue_on_commit(send_invitation_email, organization_id=organization.pk, invitation_id=number)
    assert QueuedTask.objects.filter(waiting=True).count() == 3
    calls: list[int] = []

    def one_then_down(name: str, kwargs: dict[str, Any], headers: dict[str, Any] | None) -> None:
        calls.append(1)
        if len(calls) > 1:
            raise OperationalError("down again")

    monkeypatch.setattr(queueing, "_publish", one_then_down)
    result = queueing.dispatch_queued_tasks()
    assert (result.sent, result.waiting) == (1, 2)
    assert len(calls) == 2
    assert list(QueuedTask.objects.values_list("waiting", flat=True)) == [False, True, True]


def test_a_task_no_worker_took_is_sent_again_after_the_resend_period_a_bounded_number_of_times(
    organization: Organization, broker: Broker, settings: Any, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    settings.PMO_QUEUED_TASK_RESEND_SECONDS = 0
    settings.PMO_QUEUED_TASK_MAX_SENDS = 2
    with django_capture_on_commit_callbacks(execute=True):
        queueing.queue_on_commit(send_invitation_email, organization_id=organization.pk, invitation_id=7)
    assert len(broker.sent) == 1  # after the commit; the broker then loses it
    assert [queueing.dispatch_queued_tasks().sent for _ in range(3)] == [1, 1, 0]
    assert QueuedTask.objects.get().attempts == 2
    assert len(broker.sent) == 3


def test_without_a_broker_the_task_runs_after_the_commit_and_nothing_is_written(
    organization: Organization, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    ran: list[dict[str, Any]] = []
    with django_capture_on_commit_callbacks(execute=True):
        queueing.queue_on_commit(_Recorder(ran), organization_id=organization.pk)  # type: ignore[arg-type]
    assert ran == [{"organization_id": organization.pk}]
    assert not QueuedTask.objects.exists()


class _Recorder:
    name = "tests.recorder"

    def __init__(self, ran: list[dict[str, Any]]) -> None:
        self.ran = ran

    def delay(self, **kwargs: Any) -> None:
        self.ran.append(kwargs)


def test_no_app_queues_a_task_after_a_commit_except_through_pmo_queueing() -> None:
    """``delay_on_commit`` raises into a committed request when the broker is down, and loses the task."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    apps = ("pmo", "projects", "finance", "resources", "risks", "quality", "maintenance", "dashboard")
    offenders = [
        str(path.relative_to(root))
        for app in apps
        for path in (root / app).rglob("*.py")
        if "migrations" not in path.parts
        and path != root / "pmo" / "queueing.py"
        and "delay_on_commit" in path.read_text(encoding="utf-8")
    ]
    assert offenders == [], "use pmo.queueing.queue_on_commit (or nudge_on_commit) instead"
