"""The production profile refuses quick-start settings; the quick start runs without any."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.checks import Error

from pmo.checks import production_profile_check, relay_timing_check

ROOT = Path(__file__).resolve().parents[2]
GOOD_PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "pmo.settings.production",
    "SECRET_KEY": "k" * 20 + "a-long-random-production-secret-value-0123456789",
    "DATABASE_URL": "postgres://pmo:pmo@127.0.0.1:5432/pmo",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "PMO_BASE_URL": "https://pmo.example.com",
}


@pytest.fixture(autouse=True)
def _public_base_url(settings: Any) -> None:
    """Production is deployed at an address people open (pmo.W001 is tested on its own)."""
    settings.PMO_BASE_URL = "https://pmo.example.com"


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL", "DEBUG"}}
    return subprocess.run(  # noqa: S603  (our own manage.py with fixed arguments)
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def ids(errors: list[Error]) -> set[str]:
    return {error.id for error in errors if error.id}


def test_production_refuses_sqlite_eager_celery_and_debug(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.PMO_PROFILE, settings.DEBUG, settings.CELERY_TASK_ALWAYS_EAGER = "production", True, True
    monkeypatch.setitem(settings.DATABASES["default"], "ENGINE", "django.db.backends.sqlite3")
    assert ids(production_profile_check()) == {"pmo.E001", "pmo.E002", "pmo.E003"}


def test_production_refuses_webhooks_to_private_addresses(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.PMO_PROFILE, settings.DEBUG, settings.CELERY_TASK_ALWAYS_EAGER = "production", False, False
    settings.CELERY_BROKER_URL = "redis://redis:6379/0"
    settings.PMO_WEBHOOK_ALLOW_PRIVATE = True
    monkeypatch.setitem(settings.DATABASES["default"], "ENGINE", "django.db.backends.postgresql")
    assert ids(production_profile_check()) == {"pmo.E004"}


def test_the_beat_runs_the_variance_the_relay_the_digest_and_the_reminders(settings: Any) -> None:
    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert set(schedule) == {
        "finance.run_variance_all",
        "pmo.relay_outbox",
        "pmo.send_digests",
        "projects.reschedule_stale_all",
        "resources.timesheet_reminders",
        "maintenance.generate_rounds",
        "maintenance.generate_preventive",
        "maintenance.sync_alerts",
        "pmo.dispatch_queued_tasks",
        "pmo.sweep_runs",
        "pmo.sweep_jobs",
    }
    # The relay wakes within seconds for a retry falling due; a tick left waiting in the queue is dropped.
    assert schedule["pmo.relay_outbox"] == settings.PMO_RELAY_BEAT_SECONDS == 5.0
    assert settings.CELERY_BEAT_SCHEDULE["outbox-relay"]["options"] == {"expires": 5.0}
    assert schedule["pmo.dispatch_queued_tasks"] == 30.0
    # Batches the broker lost are sent again: the sweeper looks every minute.
    assert schedule["pmo.sweep_runs"] == 60.0
    assert settings.PMO_RUN_STALE_SECONDS > settings.CELERY_TASK_TIME_LIMIT
    # Each organisation's deadline is its own weekday and hour: the reminders look every hour.
    assert schedule["resources.timesheet_reminders"].minute == {5}
    assert schedule["maintenance.generate_rounds"].minute == {15}
    assert schedule["maintenance.generate_preventive"].minute == {20}
    assert schedule["maintenance.sync_alerts"].minute == {0, 15, 30, 45}
    assert (schedule["finance.run_variance_all"].hour, schedule["finance.run_variance_all"].minute) == ({2}, {0})
    # Stale schedules move to today before the variance run reads them.
    assert (schedule["projects.reschedule_stale_all"].hour, schedule["projects.reschedule_stale_all"].minute) == (
        {1},
        {0},
    )
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > settings.CELERY_TASK_TIME_LIMIT


def test_the_relays_lease_outlives_an_attempt_and_its_task_ends_inside_the_soft_time_limit(settings: Any) -> None:
    assert relay_timing_check() == []

    settings.PMO_RELAY_LEASE_SECONDS = settings.PMO_WEBHOOK_TIMEOUT_SECONDS
    settings.PMO_RELAY_TIME_BUDGET_SECONDS = settings.CELERY_TASK_SOFT_TIME_LIMIT
    assert ids(relay_timing_check()) == {"pmo.E011", "pmo.E012"}


def test_production_accepts_postgres_redis_and_no_debug(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.PMO_PROFILE, settings.DEBUG, settings.CELERY_TASK_ALWAYS_EAGER = "production", False, False
    settings.CELERY_BROKER_URL = "redis://redis:6379/0"
    monkeypatch.setitem(settings.DATABASES["default"], "ENGINE", "django.db.backends.postgresql")
    assert production_profile_check() == []


def test_production_warns_when_e_mail_links_would_point_at_the_server_itself(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.PMO_PROFILE, settings.DEBUG, settings.CELERY_TASK_ALWAYS_EAGER = "production", False, False
    settings.CELERY_BROKER_URL = "redis://redis:6379/0"
    monkeypatch.setitem(settings.DATABASES["default"], "ENGINE", "django.db.backends.postgresql")
    for loopback in ("http://127.0.0.1:8000", "http://localhost:8000/", "http://[::1]:8000"):
        settings.PMO_BASE_URL = loopback
        found = production_profile_check()
        assert ids(found) == {"pmo.W001"}
        assert not found[0].is_serious()  # a trial stack on localhost still starts


def test_other_profiles_are_not_held_to_production_rules() -> None:
    assert production_profile_check() == []


def test_check_deploy_on_the_production_profile_reports_nothing() -> None:
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=GOOD_PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_production_profile_will_not_start_on_sqlite() -> None:
    env = {**GOOD_PRODUCTION_ENV, "DATABASE_URL": "sqlite:////tmp/pmo-should-not-be-used.sqlite3"}
    result = run_manage("check", "--deploy", env=env)
    assert result.returncode != 0
    assert "pmo.E001" in result.stderr


def test_the_production_profile_will_not_start_without_a_broker() -> None:
    env = {key: value for key, value in GOOD_PRODUCTION_ENV.items() if key != "REDIS_URL"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "pmo.E002" in result.stderr


def test_the_production_profile_will_not_start_with_debug_on() -> None:
    result = run_manage("check", env={**GOOD_PRODUCTION_ENV, "DEBUG": "1"})
    assert result.returncode != 0
    assert "pmo.E003" in result.stderr


def test_the_production_profile_will_not_start_without_a_secret_key() -> None:
    env = {key: value for key, value in GOOD_PRODUCTION_ENV.items() if key != "SECRET_KEY"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_the_wsgi_application_refuses_to_load_when_misconfigured() -> None:
    env = {**GOOD_PRODUCTION_ENV, "DEBUG": "1"}
    clean = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
    result = subprocess.run(
        [sys.executable, "-c", "import pmo.wsgi"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "pmo.E003" in result.stderr


def test_the_quick_start_generates_and_keeps_a_secret_key(tmp_path: Path) -> None:
    env = {"DJANGO_SETTINGS_MODULE": "pmo.settings.dev", "PMO_VAR_DIR": str(tmp_path)}
    show = "from django.conf import settings; print(settings.SECRET_KEY)"
    first = run_manage("shell", "--no-imports", "-c", show, env=env)
    second = run_manage("shell", "--no-imports", "-c", show, env=env)
    assert first.returncode == 0, first.stderr
    key = first.stdout.strip()
    assert len(key) >= 50
    assert second.stdout.strip() == key
    assert (tmp_path / "secret_key").read_text().strip() == key


def test_the_quick_start_runs_tasks_eagerly_only_without_a_broker(tmp_path: Path) -> None:
    code = "from django.conf import settings; print(settings.CELERY_TASK_ALWAYS_EAGER, settings.LANGUAGE_CODE)"
    env = {"DJANGO_SETTINGS_MODULE": "pmo.settings.dev", "PMO_VAR_DIR": str(tmp_path)}
    assert run_manage("shell", "--no-imports", "-c", code, env=env).stdout.split() == ["True", "zh-hans"]
    with_broker = run_manage("shell", "--no-imports", "-c", code, env={**env, "REDIS_URL": "redis://127.0.0.1:6379/0"})
    assert with_broker.stdout.split()[0] == "False"
