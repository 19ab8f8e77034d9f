"""The connection's health check asks the socket first: no SELECT 1 per request, a dropped one still recovered."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.db import connection
from django.db.backends.postgresql.base import DatabaseWrapper as PostgreSQLDatabaseWrapper

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def round_trips(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    if connection.vendor != "postgresql":
        pytest.skip("the health check is PostgreSQL's backend's")
    calls: list[int] = []
    usable = PostgreSQLDatabaseWrapper.is_usable

    def counted(self: Any) -> bool:
        calls.append(1)
        return usable(self)

    monkeypatch.setattr(PostgreSQLDatabaseWrapper, "is_usable", counted)
    connection.ensure_connection()
    monkeypatch.setattr(connection, "close_at", None)  # a persistent connection (CONN_MAX_AGE), as served
    return calls


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid: int = cursor.fetchone()[0]
    return pid


def test_a_quiet_connection_is_reused_without_a_round_trip(round_trips: list[int]) -> None:
    assert connection.settings_dict["ENGINE"] == "pmo.db.postgresql"
    first = _backend_pid()
    connection.close_if_unusable_or_obsolete()  # a request starts
    assert _backend_pid() == first
    assert round_trips == []


def test_a_connection_the_server_dropped_is_opened_again(round_trips: list[int]) -> None:
    dropped = _backend_pid()
    other = connection.copy()
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [dropped])
    finally:
        other.close()
    time.sleep(0.2)  # the server's goodbye reaches the socket
    connection.close_if_unusable_or_obsolete()  # the next request starts
    assert _backend_pid() != dropped
    assert round_trips == [1]  # the readable socket sent it to SELECT 1, which failed
