"""Walk the permission policy: every role against every organisation URL and method."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client
from rest_framework.test import APIClient

from pmo.models import Membership, Organization, OrgRole
from pmo.policy import POLICY, Action, can
from tests.factories import member
from tests.tenancy.discovery import OrgRoute, organization_routes, url_for

ROUTES = organization_routes()


class _Rollback(Exception):
    pass


def test_every_action_has_a_policy_entry() -> None:
    assert set(POLICY) == set(Action)


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
        url = url_for(route, organization)
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
        allowed = action is None or can(Membership(role=role), action)
        if allowed:
            assert status not in (403, 404), f"{role} {method.upper()} {url}: {status}, policy allows {action}"
        else:
            assert status == 403, f"{role} {method.upper()} {url}: {status}, policy denies {action}"
