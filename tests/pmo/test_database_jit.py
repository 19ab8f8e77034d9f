"""PostgreSQL's JIT is off for the app's connections (DATABASE_JIT=on leaves the server's setting)."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.conftest import require_service


@pytest.mark.django_db
def test_the_apps_postgresql_connections_do_not_compile_queries() -> None:
    if connection.vendor != "postgresql":
        require_service("PostgreSQL", "the test reads the connection's jit setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
