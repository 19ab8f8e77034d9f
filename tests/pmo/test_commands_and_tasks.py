from __future__ import annotations

import io
import logging
import os

import pytest
from django.core.management import CommandError, call_command
from rest_framework import serializers

from pmo.api.base import OrganizationRelatedField
from pmo.authentication import find_token
from pmo.celery import app
from pmo.models import AuditEvent, CalendarException, Membership, Organization, OrgRole, User, WorkingCalendar
from pmo.tasks import MissingOrganizationError
from pmo.tenancy import active_organization_id
from tests.conftest import require_service
from tests.factories import OrganizationFactory, UserFactory, member

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_one_user_per_role_and_prints_the_logins() -> None:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    organization = Organization.objects.get(slug="demo")
    roles = set(Membership.objects.for_organization(organization).values_list("role", flat=True))
    assert roles == set(OrgRole.values)
    assert "pmo-demo-2026" in out.getvalue()
    assert User.objects.get(username="pm").check_password("pmo-demo-2026")
    holidays = CalendarException.objects.for_organization(organization)
    assert holidays.filter(is_working=False).exists()
    assert holidays.filter(is_working=True).exists()


def test_seed_demo_is_idempotent() -> None:
    call_command("seed_demo", quiet_logins=True)
    counts = (
        User.objects.count(),
        Membership.objects.unscoped().count(),
        CalendarException.objects.unscoped().count(),
        AuditEvent.objects.unscoped().count(),
        WorkingCalendar.objects.unscoped().count(),
    )
    call_command("seed_demo", quiet_logins=True)
    assert (
        User.objects.count(),
        Membership.objects.unscoped().count(),
        CalendarException.objects.unscoped().count(),
        AuditEvent.objects.unscoped().count(),
        WorkingCalendar.objects.unscoped().count(),
    ) == counts


def test_create_api_token_prints_a_token_that_authenticates_once_shown() -> None:
    user = UserFactory(username="integrator")
    out = io.StringIO()
    call_command("create_api_token", user="integrator", name="ERP", stdout=out)
    raw = out.getvalue().strip()
    token = find_token(raw)
    assert token is not None
    assert token.user == user
    assert token.name == "ERP"


def test_create_api_token_refuses_an_unknown_user() -> None:
    with pytest.raises(CommandError, match="No user"):
        call_command("create_api_token", user="ghost")


def test_create_organization_makes_the_tenant_its_calendar_and_its_admin() -> None:
    UserFactory(username="boss")
    call_command("create_organization", name="Harbour Works", slug="harbour", admin="boss", stdout=io.StringIO())
    organization = Organization.objects.get(slug="harbour")
    assert Membership.objects.for_organization(organization).get().role == OrgRole.ADMIN
    assert WorkingCalendar.objects.for_organization(organization).get().is_default
    with pytest.raises(CommandError):
        call_command("create_organization", name="Again", slug="harbour", admin="boss")
    assert Organization.objects.filter(slug="harbour").get().name == "Harbour Works"


def test_a_related_id_of_another_organisation_is_treated_as_nonexistent(
    organization: Organization, other_organization: Organization
) -> None:
    class Payload(serializers.Serializer):
        membership = OrganizationRelatedField(queryset=Membership.objects.all())

    theirs = member(other_organization)
    mine = member(organization)
    rejected = Payload(data={"membership": theirs.pk}, context={"organization": organization})
    assert not rejected.is_valid()
    assert rejected.errors["membership"][0].code == "does_not_exist"
    accepted = Payload(data={"membership": mine.pk}, context={"organization": organization})
    assert accepted.is_valid(), accepted.errors


@app.task(name="tests.scope_probe")
def scope_probe(*, organization_id: int) -> int | None:
    return active_organization_id()


def test_a_task_runs_inside_the_organisation_it_carries() -> None:
    organization = OrganizationFactory()
    assert scope_probe.apply(kwargs={"organization_id": organization.pk}).get() == organization.pk
    assert active_organization_id() is None


def test_a_task_without_an_organisation_fails_clearly_and_touches_nothing() -> None:
    with pytest.raises(MissingOrganizationError, match="organization_id"):
        scope_probe.apply(kwargs={}).get()


def test_eager_tasks_without_a_broker_describe_no_network_connection(caplog: pytest.LogCaptureFixture) -> None:
    """seed_demo and every eager task pass through a producer; it must not warn of a missing host."""
    organization = OrganizationFactory()
    with caplog.at_level(logging.WARNING):
        app.connection_for_write().clone()
        result = app.signature("tests.scope_probe", kwargs={"organization_id": organization.pk}).apply_async()
    assert result.get() == organization.pk
    assert [record.getMessage() for record in caplog.records if record.name.startswith("kombu")] == []


@pytest.mark.redis
def test_readyz_reaches_the_real_redis(client, settings) -> None:  # type: ignore[no-untyped-def]
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        require_service("Redis", f"{url}: {error}")
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = url
    settings.CACHES = {"default": {"BACKEND": "pmo.cache.ResilientRedisCache", "LOCATION": url}}
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "broker": "ok", "cache": "ok"}


def test_seed_demo_brings_a_project_under_way_with_a_plan_and_a_baseline() -> None:
    from projects.models import Baseline, Phase, Project, WbsElement

    call_command("seed_demo", quiet_logins=True)
    organization = Organization.objects.get(slug="demo")
    park = Project.objects.for_organization(organization).get(code="GW-2026-01")
    assert park.phase == Phase.EXECUTION
    assert WbsElement.objects.for_organization(organization).filter(project=park).count() == 22
    assert Baseline.objects.for_organization(organization).filter(project=park, is_current=True).exists()
    assert Project.objects.for_organization(organization).count() == 16  # issue 10: a portfolio, not two


def test_seed_demo_gives_the_park_an_approved_budget_that_matches_its_baseline_and_some_costs() -> None:
    from finance.models import ActualCost, BudgetVersion
    from finance.selectors import budget_reconciliation
    from projects.models import Project

    call_command("seed_demo", quiet_logins=True)
    call_command("seed_demo", quiet_logins=True)
    organization = Organization.objects.get(slug="demo")
    park = Project.objects.for_organization(organization).get(code="GW-2026-01")
    versions = BudgetVersion.objects.for_organization(organization).filter(project=park)
    assert [(v.status, v.is_current) for v in versions] == [("approved", True)]
    assert budget_reconciliation(park).is_equal
    # Finance's five costs; the quality demo adds a rework cost of its own (category "rework").
    assert (
        ActualCost.objects.for_organization(organization).filter(project=park).exclude(category__code="rework").count()
        == 5
    )


@pytest.fixture
def runserver_started(monkeypatch: pytest.MonkeyPatch) -> None:
    """runserver parses its address and configures the app, but serves nothing."""
    from django.contrib.staticfiles.management.commands.runserver import Command as StaticFilesRunserver

    monkeypatch.setattr(StaticFilesRunserver, "run", lambda self, **options: None)


@pytest.mark.usefixtures("runserver_started")
def test_alert_links_point_to_the_address_the_development_server_listens_on(
    settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PMO_BASE_URL", raising=False)
    call_command("runserver", "127.0.0.1:8765", "--noreload")
    assert settings.PMO_BASE_URL == "http://127.0.0.1:8765"

    call_command("runserver", "0.0.0.0:9001", "--noreload")
    assert settings.PMO_BASE_URL == "http://127.0.0.1:9001"
    call_command("runserver", "[::]:9002", "--noreload")
    assert settings.PMO_BASE_URL == "http://[::1]:9002"


@pytest.mark.usefixtures("runserver_started")
def test_a_base_url_set_in_the_environment_wins_over_the_development_servers_address(
    settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PMO_BASE_URL", "https://pmo.example.com")
    settings.PMO_BASE_URL = "https://pmo.example.com"
    call_command("runserver", "127.0.0.1:8765", "--noreload")
    assert settings.PMO_BASE_URL == "https://pmo.example.com"
