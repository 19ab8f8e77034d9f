from __future__ import annotations

import pytest
from django.test import Client, override_settings


def test_healthz_answers_without_database_or_login(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_reports_database_eager_broker_and_local_cache(client: Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "eager", "cache": "local"},
        "waiting_tasks": 0,
    }


@pytest.mark.django_db
@override_settings(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL="redis://127.0.0.1:1/0")
def test_readyz_is_unavailable_when_the_broker_does_not_answer(client: Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"].startswith("error:")


@pytest.mark.django_db
@override_settings(
    CACHES={"default": {"BACKEND": "pmo.cache.ResilientRedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}
)
def test_readyz_is_unavailable_when_the_cache_does_not_answer(client: Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["cache"] == "error: ConnectionError"
    assert body["checks"]["database"] == "ok"


def test_favicon_ico_points_at_the_apps_own_icon(client: Client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].endswith("pmo/img/favicon.svg")
