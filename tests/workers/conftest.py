"""Real Celery worker processes on the real Redis, sharing the test database with the test.

The tests need PostgreSQL (a worker is another process: it cannot see an in-memory SQLite
database) and Redis; outside CI they skip without them, in CI they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from typing import Any

import pytest
from django.db import connection

from tests.conftest import require_service

ROOT = Path(__file__).resolve().parents[2]
WORKERS_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist (make test) the worker tests run one after another in one test process:
    they share the broker's bookkeeping of unacknowledged messages."""
    for item in items:
        if WORKERS_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.xdist_group("workers"))


@dataclass
class Workers:
    """Start, kill and stop worker processes; queue tasks as a web process would."""

    env: dict[str, str]
    logs: Path
    mail_dir: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self) -> subprocess.Popen[bytes]:
        number = len(self.processes)
        log = self.logs / f"worker-{number}.log"
        process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "pmo.celery",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
                f"--hostname=test-{number}-{uuid.uuid4().hex[:6]}@%h",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if " ready." in log.read_text(errors="replace"):
                return process
            if process.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(f"The worker did not start:\n{log.read_text(errors='replace')[-3000:]}")

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        """SIGKILL the worker and its pool processes at once, as a crashed machine would."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=10)

    def manage(self, *arguments: str) -> str:
        """Run a management command with the workers' settings (it queues to the real broker)."""
        return self._run(["manage.py", *arguments])

    def python(self, code: str) -> str:
        """Run Python with Django set up and the workers' settings, as a web process would."""
        return self._run(["-c", "import django\ndjango.setup()\n" + code])

    def _run(self, arguments: list[str]) -> str:
        completed = subprocess.run(  # noqa: S603
            [sys.executable, *arguments],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert completed.returncode == 0, completed.stderr[-3000:]
        return completed.stdout

    def emails(self) -> list[str]:
        """The idempotency key of every e-mail the workers sent, repeats included."""
        keys: list[str] = []
        for path in sorted(self.mail_dir.glob("*")):
            for line in path.read_text(errors="replace").splitlines():
                if line.startswith("X-PMO-Idempotency-Key:"):
                    keys.append(line.split(":", 1)[1].strip())
        return keys

    def log_tail(self) -> str:
        paths = sorted(self.logs.glob("worker-*.log"))
        return "\n".join(f"--- {path.name}\n" + path.read_text(errors="replace")[-4000:] for path in paths)

    def broker_state(self) -> str:
        """What the broker holds for these workers, for the message of a failed wait."""
        import redis

        client = redis.Redis.from_url(self.env["REDIS_URL"])
        queue = self.env["PMO_TEST_QUEUE"]
        return (
            f"queue {queue}: {client.llen(queue)} waiting; unacked: {client.hlen('unacked')} "
            f"(index {client.zcard('unacked_index')}); restore lock ttl: {client.ttl('unacked_mutex')}"
        )


def _redis_url() -> str:
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        require_service("Redis", f"{url}: {error}")
    return url


def workers_on(url: str, tmp_path: Path, queue: str | None = None) -> Workers:
    """Workers (none started yet) on the Redis at ``url``, taking tasks from ``queue`` (a fresh one by default)."""
    if connection.vendor != "postgresql":
        require_service("PostgreSQL", "worker processes share the test database with the test")
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.workers.settings",
        "REDIS_URL": url,
        "PMO_TEST_QUEUE": queue or f"pmo-test-{uuid.uuid4().hex[:10]}",
        "PMO_TEST_DATABASE_NAME": str(connection.settings_dict["NAME"]),
        "PMO_TEST_MAIL_DIR": str(mail_dir),
        "PYTHONPATH": str(ROOT),
    }
    return Workers(env=env, logs=tmp_path, mail_dir=mail_dir)


@pytest.fixture
def workers(transactional_db: None, tmp_path: Path) -> Iterator[Workers]:
    url = _redis_url()
    running = workers_on(url, tmp_path)
    queue = running.env["PMO_TEST_QUEUE"]
    try:
        yield running
    finally:
        running.stop_all()
        import redis

        client = redis.Redis.from_url(url)
        for key in client.scan_iter(f"{queue}*"):
            client.delete(key)
        # Close this process's connections so that the database can be flushed after the test.
        connection.close()


class RedisServer:
    """A redis-server of the test's own on a free loopback port, without persistence.

    For tests that stop, start or flush the broker: never the shared Redis.
    """

    def __init__(self, logs: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            require_service("redis-server", "tests that stop or flush the broker start a Redis of their own")
        self.binary = str(binary)
        self.logs = logs
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=(self.logs / f"redis-{self.port}.log").open("ab"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.answers():
                return
            assert self.process.poll() is None, (self.logs / f"redis-{self.port}.log").read_text()
            time.sleep(0.1)
        raise AssertionError(f"redis-server on port {self.port} did not answer")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        self.process = None

    def client(self) -> Any:
        import redis

        return redis.Redis.from_url(self.url, socket_connect_timeout=1)

    def flushall(self) -> None:
        """Forget everything, as a restart without persistence does, the clients staying connected."""
        self.client().flushall()

    def answers(self) -> bool:
        import redis

        try:
            return bool(redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping())
        except redis.RedisError:
            return False


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@dataclass
class Received:
    body: bytes
    headers: dict[str, str]


class Receiver:
    """A webhook receiver on loopback that records every request."""

    def __init__(self) -> None:
        received: list[Received] = []
        self.received = received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                received.append(Received(self.rfile.read(length), {k.lower(): v for k, v in self.headers.items()}))
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/pmo-hook"
        self.thread = Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def documents(self) -> list[dict[str, Any]]:
        return [json.loads(item.body) for item in self.received]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    yield running
    running.close()


def wait_for(condition: Callable[[], bool], what: str, workers: Workers, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    raise AssertionError(f"Timed out waiting for {what}.\n{workers.broker_state()}\n{workers.log_tail()}")
