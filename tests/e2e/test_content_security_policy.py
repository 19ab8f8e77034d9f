"""Every page of the seeded demo runs in Chromium under the Content-Security-Policy with no violation.

A violation is a console error, which the page watch of tests/e2e/conftest.py reports; the
pages are found from the URL configuration, as tests/tenancy does.
"""

from __future__ import annotations

from typing import Any, cast

import pytest
from django.core.management import call_command
from django.db import models
from django.urls import reverse
from playwright.sync_api import Page

from pmo.invitations import link_token
from pmo.models import Invitation, Organization, User
from tests.e2e.conftest import PageWatch, login
from tests.factories import InvitationFactory
from tests.tenancy.discovery import OrgRoute, build_object, model_for_kwarg, organization_routes

DEMO_PASSWORD = "pmo-demo-2026"
# Downloads (a CSV export) are files, not pages: a browser saves them instead of loading them.
PAGE_ROUTES = [
    route
    for route in organization_routes()
    if not route.is_api and "get" in route.implemented_methods() and not getattr(route.view_class, "is_download", False)
]


def existing_or_built(model: type[models.Model], organization: Organization, chosen: list[models.Model]) -> Any:
    """A demo object of ``model`` under the objects already chosen, or a new one when the demo has none."""
    links = {
        field.name: parent
        for field in model._meta.get_fields()
        if isinstance(field, models.ForeignKey) and isinstance(field.related_model, type)
        for parent in chosen
        if isinstance(parent, field.related_model)
    }
    manager: Any = model._default_manager
    queryset = manager.for_organization(organization) if hasattr(manager, "for_organization") else manager.all()
    return queryset.filter(**links).order_by("pk").first() or build_object(model, organization, chosen)


def demo_url(route: OrgRoute, organization: Organization) -> str:
    values: dict[str, Any] = {"org_slug": organization.slug}
    chosen: list[models.Model] = []
    for kwarg in route.kwargs:
        if kwarg == "org_slug":
            continue
        obj = existing_or_built(model_for_kwarg(route, kwarg), organization, chosen)
        chosen.append(obj)
        values[kwarg] = obj.pk
    return reverse(route.name, kwargs=values)


@pytest.mark.django_db(transaction=True)
def test_every_demo_page_and_the_api_documentation_run_without_a_policy_violation(
    page: Page, page_watch: PageWatch
) -> None:
    call_command("seed_demo", quiet_logins=True)
    demo = Organization.objects.get(slug="demo")
    urls = [demo_url(route, demo) for route in PAGE_ROUTES]
    invitation = cast(Invitation, InvitationFactory(organization=demo))
    urls += [
        "/",
        reverse("invitation", kwargs={"token": link_token(invitation)}),
        "/accounts/tokens/",
        "/accounts/password/change/",
        "/admin/",
        "/admin/pmo/user/",
        "/admin/pmo/user/add/",
        f"/admin/pmo/organization/{demo.pk}/change/",
        "/api/v1/docs/",
        "/api/v1/redoc/",
    ]
    User.objects.filter(username="admin").update(is_staff=True, is_superuser=True)  # the operator's pages too
    for url in urls:
        page_watch.expect_status(url, 405)  # a write-only route answers a GET with 405
    login(page, "admin", DEMO_PASSWORD)
    for url in urls:
        response = page.goto(url, wait_until="load")
        assert response is not None
        assert response.status in {200, 405}, f"{url} answered {response.status}"
        assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_timeout(3000)  # ReDoc, the last page, draws after loading its schema
    page.goto("/accounts/login/")
