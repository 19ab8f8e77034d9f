from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from pmo.models import Membership, Organization, OrgRole, User
from tests.factories import OrganizationFactory, member

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_service(name: str, reason: str) -> None:
    """Skip a test that needs a service that is not here, except in CI, where it fails."""
    if IN_CI:
        pytest.fail(f"{name} is required in CI: {reason}")
    pytest.skip(f"{name} not available: {reason}")


def pytest_sessionstart(session: pytest.Session) -> None:
    if IN_CI:
        from django.conf import settings

        engine = settings.DATABASES["default"]["ENGINE"]
        if "postgresql" not in engine:
            raise pytest.UsageError(f"CI must run against PostgreSQL (DATABASE_URL); got {engine}.")


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the default language; a request of an earlier test leaves none behind."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def organization(db: None) -> Organization:
    return OrganizationFactory(name="Acme Build", slug="acme")


@pytest.fixture
def other_organization(db: None) -> Organization:
    return OrganizationFactory(name="Rival Works", slug="rival")


@pytest.fixture
def make_member(organization: Organization) -> Callable[..., Membership]:
    def make(role: str = OrgRole.MEMBER, org: Organization | None = None, **user_fields: Any) -> Membership:
        return member(org or organization, role, **user_fields)

    return make


@pytest.fixture
def admin_member(make_member: Callable[..., Membership]) -> Membership:
    return make_member(OrgRole.ADMIN, username="ada")


@pytest.fixture
def admin_user(admin_member: Membership) -> User:
    return admin_member.user


@pytest.fixture
def api(admin_user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(admin_user)
    return client


def api_client_for(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def page_client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client
