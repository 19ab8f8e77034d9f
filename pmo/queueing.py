"""Follow-up work of a write: queued so that a broker outage neither loses it nor fails the write.

``queue_on_commit(task, **kwargs)`` is what services call instead of ``task.delay_on_commit``:

- it records the task (a ``QueuedTask`` row) in the write's own transaction, so that the task
  exists exactly when the write does;
- once the transaction commits it hands the task to the broker, with the row's id in a message
  header; the worker that takes the task deletes the row (``task_prerun``), so that a successful
  send costs the request no query;
- when the broker does not answer, the request goes on (the write is committed: it answers as it
  would have), the row is marked waiting, and the process's breaker (pmo.outage) keeps further
  requests from trying for a few seconds: their rows are written waiting at once;
- ``dispatch_queued_tasks`` (beat, every 30 seconds, and each worker as it starts) sends the
  waiting rows once the broker answers again, and sends again a row no worker took within
  ``PMO_QUEUED_TASK_RESEND_SECONDS`` (a broker that lost its messages).

A task so runs at least once, and may run twice (a row sent again while its first message was
still queued): every task queued here checks its state first so that a repeat changes nothing.

``nudge_on_commit(task)`` is for a task whose work is recorded already and that beat runs
anyway (the outbox relay): a broker outage only delays it, so nothing is written. ``send_now(task)``
sends at once, for work recorded elsewhere whose owner sends it again if lost (a run's batches).

Without a broker (``CELERY_TASK_ALWAYS_EAGER``: the quick start and the tests) nothing can wait:
the task runs in the process after the commit, as ``delay_on_commit`` would run it, and no row
is written.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from dataclasses import dataclass
from typing import Any

import redis
from celery import Task
from celery.signals import task_prerun, worker_ready
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerOperationalError

from pmo.outage import CircuitBreaker, breaker, redacted

logger = logging.getLogger(__name__)

#: The message header that carries the ``QueuedTask`` row's id to the worker.
HEADER = "pmo_queued_task"
#: What a broker that is down raises when a message is sent to it.
BROKER_ERRORS: tuple[type[BaseException], ...] = (BrokerOperationalError, redis.RedisError, OSError)


def broker_breaker() -> CircuitBreaker:
    return breaker(f"The broker at {redacted(settings.CELERY_BROKER_URL)}")


def _eager() -> bool:
    return bool(settings.CELERY_TASK_ALWAYS_EAGER)


def queue_on_commit(task: Task, /, **kwargs: Any) -> None:
    """Queue ``task(**kwargs)`` once the current transaction commits; it waits in the database if the broker is down."""
    if _eager():
        transaction.on_commit(lambda: task.delay(**kwargs), robust=True)
        return
    from pmo.models import QueuedTask

    known_down = broker_breaker().skipping
    row = QueuedTask.objects.create(task=task.name, kwargs=kwargs, waiting=known_down)
    if not known_down:
        transaction.on_commit(lambda: _send_after_commit(row), robust=True)


def nudge_on_commit(task: Task, /, **kwargs: Any) -> None:
    """Queue ``task`` after the commit if the broker answers; for work recorded already that beat runs anyway."""
    if _eager():
        transaction.on_commit(lambda: task.delay(**kwargs), robust=True)
        return
    transaction.on_commit(lambda: _send(task.name, kwargs, headers=None), robust=True)


def send_now(task: Task, /, **kwargs: Any) -> bool:
    """Hand ``task(**kwargs)`` to the broker now; False at once if it is down (or known to be). Nothing is written.

    For work recorded elsewhere that is sent again when it is lost: the batches of a run
    (``pmo.runs``), which its sweeper sends again until they report. Without a broker the task runs here.
    """
    if _eager():
        task.delay(**kwargs)
        return True
    return _send(task.name, kwargs, headers=None)


def declare_queue(task: Task) -> bool:
    """Declare ``task``'s queue and its binding anew, not from the connection's cache; False if the broker is down.

    A broker that lost its memory while its clients stayed connected (a flush, a fail-over to an empty
    replica) lost the binding too; a declaration cached by a long-lived process would not make it
    again, and what that process sends would land nowhere.
    """
    if _eager():
        return True
    breaker = broker_breaker()
    if not breaker.allows():
        return False
    from pmo.celery import app

    queue = app.amqp.router.route({}, task.name)["queue"]
    try:
        with _connections(app).acquire(block=True) as connection:
            queue.bind(connection.default_channel).declare()
    except BROKER_ERRORS as error:
        breaker.failed(error)
        return False
    breaker.succeeded()
    return True


def _send(name: str, kwargs: dict[str, Any], headers: dict[str, Any] | None) -> bool:
    """Hand the task to the broker; False (and the breaker open) if it does not answer or is known to be down."""
    breaker = broker_breaker()
    if not breaker.allows():
        return False
    try:
        _publish(name, kwargs, headers)
    except BROKER_ERRORS as error:
        breaker.failed(error)
        return False
    breaker.succeeded()
    return True


def _publish(name: str, kwargs: dict[str, Any], headers: dict[str, Any] | None) -> None:
    from pmo.celery import app

    with _connections(app).acquire(block=True) as connection:
        # One reconnection at once (a connection Redis closed on restart), none after: a broker that is
        # down must not hold the request; the dispatcher tries again later.
        app.signature(name, kwargs=kwargs).apply_async(
            headers=headers, connection=connection, retry=True, retry_policy=_ONE_RECONNECTION
        )


_ONE_RECONNECTION = {"max_retries": 1, "interval_start": 0, "interval_step": 0, "interval_max": 0}
_pools: dict[tuple[int, str], Any] = {}
_pools_lock = threading.Lock()


def _connections(app: Any) -> Any:
    """The process's pool of broker connections that give up at the first failed connect.

    Celery's own pool keeps trying to connect for ``broker_connection_timeout`` (about six seconds
    with its pauses) before a send fails; a request must not wait that long for a broker that is down.
    """
    url = str(app.conf.broker_write_url or app.conf.broker_url)
    key = (os.getpid(), url)  # a forked process makes its own connections
    pool = _pools.get(key)
    if pool is None:
        with _pools_lock:
            pool = _pools.get(key)
            if pool is None:
                # These connections only publish: a read timeout cannot cut a worker's wait for tasks.
                options = {
                    "socket_timeout": settings.PMO_REDIS_TIMEOUT,
                    **(app.conf.broker_transport_options or {}),
                    "max_retries": 0,
                }
                pool = app.connection_for_write(url, transport_options=options).Pool(limit=app.conf.broker_pool_limit)
                _pools[key] = pool
    return pool


def _send_after_commit(row: Any) -> None:
    if not _send(row.task, row.kwargs, headers={HEADER: row.pk}):
        type(row).objects.filter(pk=row.pk).update(waiting=True)


@dataclass
class DispatchResult:
    sent: int = 0
    #: Rows still waiting: the broker stopped answering.
    waiting: int = 0


def dispatch_queued_tasks(*, batch_size: int = 500) -> DispatchResult:
    """Send the waiting rows, and those no worker took in time; stop at the first refusal of the broker.

    Rows are taken with ``FOR UPDATE SKIP LOCKED``, so two dispatchers send each row once.
    """
    from pmo.models import QueuedTask

    result = DispatchResult()
    resend_after = dt.timedelta(seconds=settings.PMO_QUEUED_TASK_RESEND_SECONDS)
    max_sends = settings.PMO_QUEUED_TASK_MAX_SENDS
    broker = broker_breaker()
    # The dispatcher runs in a worker or beat: the broker is worth asking even if a send failed a moment ago.
    broker.reset()
    last_pk = 0
    while True:
        cutoff = timezone.now() - resend_after
        due = (
            Q(waiting=True)
            | Q(sent_at__isnull=True, created_at__lt=cutoff)
            | Q(sent_at__lt=cutoff, attempts__lt=max_sends)
        )
        with transaction.atomic():
            rows = list(
                QueuedTask.objects.select_for_update(skip_locked=True)
                .filter(due, pk__gt=last_pk)
                .order_by("pk")[:batch_size]
            )
            sent: list[int] = []
            for row in rows:
                if not _send(row.task, row.kwargs, headers={HEADER: row.pk}):
                    break
                sent.append(row.pk)
                if not row.waiting and row.attempts + 1 >= max_sends:
                    logger.error("Queued task %s sent %s times and never taken; not sent again.", row, max_sends)
            if sent:
                QueuedTask.objects.filter(pk__in=sent).update(
                    waiting=False, sent_at=timezone.now(), attempts=F("attempts") + 1
                )
        result.sent += len(sent)
        if len(sent) < len(rows):
            result.waiting = QueuedTask.objects.filter(waiting=True).count()
            break
        if len(rows) < batch_size:
            break
        last_pk = rows[-1].pk
    if result.sent:
        logger.info("Sent %s queued task(s) to the broker.", result.sent)
    return result


def waiting_count() -> int:
    """How many queued tasks wait for the broker."""
    from pmo.models import QueuedTask

    return QueuedTask.objects.filter(waiting=True).count()


@task_prerun.connect
def _taken(task: Task | None = None, **kwargs: Any) -> None:
    """A worker took a queued task: its row has done its work."""
    row_id = getattr(task.request, HEADER, None) if task is not None else None
    if isinstance(row_id, int):
        from pmo.models import QueuedTask

        QueuedTask.objects.filter(pk=row_id).delete()


@worker_ready.connect
def _dispatch_on_start(**kwargs: Any) -> None:
    """A worker that starts (often: the broker is back) sends what waited, without waiting for beat."""
    from django.db import connections

    try:
        dispatch_queued_tasks()
    except Exception:  # a worker must start even if the database is not there yet; beat tries again
        logger.exception("Could not send the queued tasks at start-up; beat will.")
    finally:
        # The pool forks from this process: it keeps no database connection of its own.
        connections.close_all()
