"""Django's PostgreSQL backend with a health check that asks the socket before the server.

``CONN_HEALTH_CHECKS`` makes Django send ``SELECT 1`` at the first query of every request that
reuses a connection: a round trip to the server per request, which the API's lists (about 5 ms)
feel. A connection the server has closed (a restart, ``pg_terminate_backend``, an idle timeout)
first sends its goodbye and end of stream, so its socket reads as ready while it should be silent.
Here a connection that is open, idle outside any transaction and whose socket has nothing to read
passes without the round trip; any other goes through Django's ``SELECT 1`` as before, and a
dropped one is closed and opened again for the request. A peer that vanished without a word (a
cut cable) is not seen by either check before a query's own timeout.
"""

from __future__ import annotations

import select
from typing import Any

from django.db.backends.postgresql.base import DatabaseWrapper as PostgreSQLDatabaseWrapper

IDLE = 0  # the transaction status of an idle connection, in psycopg2 and psycopg alike


class DatabaseWrapper(PostgreSQLDatabaseWrapper):
    def close_if_health_check_failed(self) -> None:
        wrapper: Any = self  # django-stubs lack the health check's and the pool's attributes
        if (
            wrapper.connection is not None
            and wrapper.health_check_enabled
            and not wrapper.health_check_done
            and not wrapper.pool
            and _quiet(wrapper.connection)
        ):
            wrapper.health_check_done = True
            return
        super().close_if_health_check_failed()


def _quiet(connection: Any) -> bool:
    """Open, idle, and nothing from the server waiting on its socket."""
    try:
        if connection.closed or connection.info.transaction_status != IDLE:
            return False
        readable, _, _ = select.select([connection.fileno()], [], [], 0)
    except (OSError, ValueError, AttributeError):
        return False
    return not readable
