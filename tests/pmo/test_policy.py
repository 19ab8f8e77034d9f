"""Walk the permission policy: every role against every organisation URL and method."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.test import Client
from django.urls import resolve
from rest_framework.test import APIClient

from pmo.checks import permission_policy_check
from pmo.models import Membership, Organization, OrgRole
from pmo.policy import PMO_OFFICE, Action, Grant, UnknownActionError, allowed_actions, can, permissions
from tests.factories import member
from tests.tenancy.discovery import OrgRoute, organization_routes, url_for

ROUTES = organization_routes()


class _Rollback(Exception):
    pass


class ScratchAction(models.TextChoices):
    """An action a throwaway app might register, the way every app registers its own."""

    POLISH = "scratch.polish", "Polish the scratch records"


@pytest.fixture
def scratch_registered() -> Iterator[None]:
    permissions.register(ScratchAction, {ScratchAction.POLISH: Grant({OrgRole.QUALITY}, {"client"})})
    try:
        yield
    finally:
        permissions.unregister(ScratchAction)


def test_every_registered_action_is_granted_to_someone_and_only_to_known_roles() -> None:
    project_roles = sorted(permissions.project_roles)
    assert {"manager", "coordinator", "controller", "member", "client"} <= set(project_roles)
    registered = [permission.action for permission in permissions]
    assert {"org.view", "project.view", "budget.edit"} <= set(registered)
    for permission in permissions:
        grant = permission.grant
        assert grant.org_roles <= set(OrgRole), permission.action
        assert grant.project_roles <= set(project_roles), f"{permission.action} names an unknown project role"
        takers = set()
        for role in OrgRole:
            for project_role in [None, *project_roles]:
                allowed = can(Membership(role=role), permission.action, project_role)
                assert allowed is (role in grant.org_roles or project_role in grant.project_roles)
                if allowed:
                    takers.add((role, project_role))
        assert takers, f"nobody may take {permission.action}"
    assert permission_policy_check() == []


def test_an_unknown_action_is_an_error_not_a_refusal() -> None:
    with pytest.raises(UnknownActionError):
        can(Membership(role=OrgRole.ADMIN), "scratch.polish")


def test_an_action_an_app_registers_is_honoured_and_listed(scratch_registered: None) -> None:
    assert can(Membership(role=OrgRole.QUALITY), ScratchAction.POLISH) is True
    assert can(Membership(role=OrgRole.ADMIN), "scratch.polish") is False
    assert can(Membership(role=OrgRole.MEMBER), "scratch.polish", "client") is True
    assert can(Membership(role=OrgRole.MEMBER), "scratch.polish", "manager") is False
    assert "scratch.polish" in allowed_actions(Membership(role=OrgRole.QUALITY))
    assert "scratch.polish" not in allowed_actions(Membership(role=OrgRole.FINANCE))


@pytest.mark.django_db
def test_the_api_lists_an_action_an_app_registers(scratch_registered: None, organization: Organization) -> None:
    client = APIClient()
    client.force_authenticate(member(organization, OrgRole.QUALITY).user)
    body = client.get(f"/api/v1/orgs/{organization.slug}/").json()
    assert "scratch.polish" in body["my_permissions"]


def test_an_unregistered_action_is_unknown_again(scratch_registered: None) -> None:
    permissions.unregister(ScratchAction)
    with pytest.raises(UnknownActionError):
        can(Membership(role=OrgRole.QUALITY), ScratchAction.POLISH)


def test_a_code_registered_twice_with_other_roles_is_refused_and_changes_nothing() -> None:
    class Clash(models.TextChoices):
        POLISH = "scratch.polish", "Polish"
        BUDGET = "budget.edit", "Budget"

    with pytest.raises(ImproperlyConfigured, match=r"budget\.edit"):
        permissions.register(Clash, {Clash.POLISH: Grant(PMO_OFFICE), Clash.BUDGET: Grant({OrgRole.VIEWER})})
    with pytest.raises(UnknownActionError):
        can(Membership(role=OrgRole.ADMIN), "scratch.polish")
    assert can(Membership(role=OrgRole.VIEWER), "budget.edit") is False


def test_a_registration_must_grant_every_action_it_declares() -> None:
    class Partial(models.TextChoices):
        POLISH = "scratch.polish", "Polish"
        SAND = "scratch.sand", "Sand"

    with pytest.raises(ImproperlyConfigured, match=r"scratch\.sand"):
        permissions.register(Partial, {Partial.POLISH: Grant(PMO_OFFICE)})


def test_an_action_nobody_may_take_or_granted_to_an_unknown_project_role_fails_the_check() -> None:
    class Broken(models.TextChoices):
        NOBODY = "scratch.nobody", "Nobody"
        GHOST = "scratch.ghost", "Ghost"

    permissions.register(Broken, {Broken.NOBODY: Grant(()), Broken.GHOST: Grant(PMO_OFFICE, {"ghost"})})
    try:
        problems = [message.msg for message in permission_policy_check()]
    finally:
        permissions.unregister(Broken)
    assert len(problems) == 2
    assert "scratch.nobody" in problems[0]
    assert "ghost" in problems[1]


def test_only_administrators_manage_members_and_read_the_audit_trail() -> None:
    for role in OrgRole:
        membership = Membership(role=role)
        assert can(membership, Action.MEMBERS_MANAGE) is (role == OrgRole.ADMIN)
        assert can(membership, Action.AUDIT_VIEW) is (role == OrgRole.ADMIN)
        assert can(membership, Action.ORG_VIEW) is True


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(OrgRole), ids=str)
@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_each_role_is_refused_exactly_what_the_policy_denies(
    route: OrgRoute, role: OrgRole, organization: Organization
) -> None:
    actor = member(organization, role).user
    methods = route.implemented_methods()
    assert methods, f"{route} serves no method"
    for method, viewset_action in methods.items():
        url = url_for(route, organization, owner=actor)
        client: Client | APIClient
        if route.is_api:
            client = APIClient()
            client.force_authenticate(actor)
            options = {"format": "json"}
        else:
            client = Client()
            client.force_login(actor)
            options = {"content_type": "application/x-www-form-urlencoded"}
        try:
            with transaction.atomic():
                status = getattr(client, method)(url, data={}, **options).status_code
                raise _Rollback
        except _Rollback:
            pass
        action = route.view_class.required_action(method, viewset_action)
        unowned_action = getattr(route.view_class, "unowned_action", None)
        if unowned_action is not None:
            # Owners act on their own records with a lesser action; this member owns nothing.
            action = unowned_action(method, viewset_action)
        record_action = getattr(route.view_class, "record_action", None)
        if record_action is not None and "pk" in route.kwargs:
            # The view lets every member in and then needs its record's action (attachments).
            records = route.view_model()._default_manager.for_organization(organization)
            action = record_action(method, records.get(pk=resolve(url).kwargs["pk"]))
        allowed = action is None or can(Membership(role=role), action)
        if allowed:
            assert status not in (403, 404), f"{role} {method.upper()} {url}: {status}, policy allows {action}"
        else:
            assert status == 403, f"{role} {method.upper()} {url}: {status}, policy denies {action}"
