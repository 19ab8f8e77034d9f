"""Redis stopped: the pages and the API keep working, and what they queued runs once Redis is back.

The test starts a Redis server of its own on a free port (it stops it: never the shared one), points
this process's cache and broker at it, and plays the web process itself (Django's test client).
Redis stops; a page write and an API write succeed and /readyz says the broker is down; Redis
starts again, a worker starts, and the tasks that waited in the database run.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from pmo import outage, queueing
from pmo.celery import app
from pmo.models import Alert, AlertStatus, Organization, OrgRole, OutboxMessage, QueuedTask, WebhookEvent
from tests.conftest import api_client_for, page_client_for
from tests.factories import AlertFactory, OrganizationFactory, WebhookFactory, member
from tests.workers.conftest import Receiver, RedisServer, Workers, wait_for, workers_on

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


@contextmanager
def web_process_on(server: RedisServer, settings: Any) -> Iterator[None]:
    """This process's cache and broker on ``server``, as a web process configured with REDIS_URL."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = server.url
    settings.CACHES = {"default": {"BACKEND": "pmo.cache.ResilientRedisCache", "LOCATION": server.url}}
    names = ("broker_url", "task_always_eager", "broker_transport_options")
    saved = {name: app.conf[name] for name in names}
    app.conf.update(
        broker_url=server.url, task_always_eager=False, broker_transport_options={"socket_connect_timeout": 0.5}
    )
    _drop_broker_connections()
    outage.reset_all()
    try:
        yield
    finally:
        app.conf.update(saved)
        _drop_broker_connections()
        outage.reset_all()


def _drop_broker_connections() -> None:
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None


def invitation_mails(workers: Workers, address: str) -> int:
    return sum(address in path.read_text(errors="replace") for path in workers.mail_dir.glob("*"))


def test_with_redis_stopped_a_page_write_and_an_api_write_succeed_and_their_tasks_run_when_it_is_back(
    redis_server: RedisServer, transactional_db: None, tmp_path: Path, settings: Any, receiver: Receiver
) -> None:
    organization: Organization = OrganizationFactory(slug="acme")
    pmo = member(organization, OrgRole.PMO).user
    admin = member(organization, OrgRole.ADMIN).user
    alert = AlertFactory(project__organization=organization)
    WebhookFactory(organization=organization, url=receiver.url, events=[WebhookEvent.ALERT_ACKNOWLEDGED])
    page, api = page_client_for(pmo), api_client_for(admin)
    workers = workers_on(redis_server.url, tmp_path, queue="celery")
    try:
        with web_process_on(redis_server, settings):
            assert page.get("/o/acme/alerts/").status_code == 200
            redis_server.stop()

            acknowledged = page.post(f"/o/acme/alerts/{alert.pk}/", {"op": "acknowledge", "next": "/o/acme/alerts/"})
            invited = api.post(
                "/api/v1/orgs/acme/invitations/", {"email": "nia@example.test", "role": "member"}, format="json"
            )
            listed = api.get("/api/v1/orgs/acme/alerts/")
            ready = page.get("/readyz")

            assert acknowledged.status_code == 302
            assert Alert.objects.for_organization(organization).get(pk=alert.pk).status == AlertStatus.ACKNOWLEDGED
            assert invited.status_code == 201, invited.content
            assert listed.status_code == 200
            assert ready.status_code == 503
            body = ready.json()
            assert body["status"] == "unavailable"
            assert body["checks"]["database"] == "ok"
            assert body["checks"]["broker"].startswith("error:")
            assert body["checks"]["cache"].startswith("error:")
            assert body["waiting_tasks"] == 1
            # The acknowledgement's webhook waits in the outbox, the invitation's e-mail in the queue.
            assert OutboxMessage.objects.for_organization(organization).filter(status="pending").count() == 1
            waiting = list(QueuedTask.objects.values_list("task", "waiting"))
            assert waiting == [("pmo.tasks.send_invitation_email", True)]

            redis_server.start()
            assert page.get("/readyz").json()["checks"] == {"database": "ok", "broker": "ok", "cache": "ok"}
            workers.start()
            queueing.dispatch_queued_tasks()
            app.send_task("pmo.relay_outbox")  # as beat does every 30 seconds

            wait_for(lambda: invitation_mails(workers, "nia@example.test") == 1, "the invitation e-mail", workers)
            wait_for(lambda: len(receiver.received) == 1, "the acknowledgement's webhook", workers)
            wait_for(lambda: not QueuedTask.objects.exists(), "the worker to take the queued task", workers)
            assert [document["event"] for document in receiver.documents()] == [WebhookEvent.ALERT_ACKNOWLEDGED]
            assert invitation_mails(workers, "nia@example.test") == 1
            assert page.get("/readyz").json()["waiting_tasks"] == 0
    finally:
        workers.stop_all()
        # Close this process's connections so that the database can be flushed after the test.
        connection.close()
