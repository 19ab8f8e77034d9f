"""An API request resolves its token, membership, organisation and project role in two queries, once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from pmo.models import Organization, OrgRole, User
from pmo.services import api_token_create
from projects.models import Project, WbsElement
from tests.factories import ProjectFactory, ProjectMemberFactory, WbsElementFactory, member

pytestmark = pytest.mark.django_db
BASE = "/api/v1/orgs/acme"


def _client(user: User) -> APIClient:
    _token, raw = api_token_create(user=user, name="reader")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def _project(organization: Organization) -> Project:
    project = ProjectFactory(organization=organization, planned_start=dt.date(2026, 3, 2))
    summary = WbsElementFactory(project=project, kind=WbsElement.Kind.SUMMARY, code="1")
    for i in range(1, 4):
        WbsElementFactory(project=project, parent=summary, code=f"1.{i}")
    return project


def _read(client: APIClient, url: str) -> list[str]:
    client.get(url)  # the token's first use is recorded; later ones within a minute write nothing
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return [query["sql"] for query in queries.captured_queries]


def _touching(sqls: list[str], table: str) -> list[str]:
    return [sql for sql in sqls if f'"{table}"' in sql]


def test_a_project_route_reads_token_then_membership_project_and_role_in_one_query(
    organization: Organization,
) -> None:
    manager = member(organization, OrgRole.MEMBER).user
    project = _project(organization)
    ProjectMemberFactory(project=project, user=manager, role="manager")
    sqls = _read(_client(manager), f"{BASE}/projects/{project.pk}/tasks/")
    token, access, *rows = sqls
    assert '"pmo_apitoken"' in token
    assert all(f'"{table}"' in access for table in ("pmo_membership", "projects_project", "projects_projectmember"))
    assert '"pmo_user"' not in access  # the user is the request's own: no join for it
    assert len(rows) == 2  # the page's count and rows
    for table in ("pmo_apitoken", "pmo_membership", "pmo_organization", "projects_projectmember"):
        assert len(_touching(sqls, table)) == 1, table


def test_the_project_role_read_with_the_membership_decides_permissions(organization: Organization) -> None:
    outsider = member(organization, OrgRole.MEMBER).user
    manager = member(organization, OrgRole.MEMBER).user
    project = _project(organization)
    ProjectMemberFactory(project=project, user=manager, role="manager")
    url = f"{BASE}/projects/{project.pk}/"
    assert _client(manager).get(url).json()["my_project_role"] == "manager"
    assert _client(outsider).get(url).json()["my_project_role"] is None


def test_an_organisation_route_reads_token_then_membership_with_its_organisation(organization: Organization) -> None:
    user = member(organization, OrgRole.PMO).user
    _project(organization)
    sqls = _read(_client(user), f"{BASE}/projects/")
    token, access, *rows = sqls
    assert '"pmo_apitoken"' in token
    assert '"pmo_membership"' in access
    assert '"pmo_organization"' in access
    assert '"pmo_user"' not in access
    assert len(rows) == 2
    assert len(_touching(sqls, "pmo_membership")) == 1


def test_a_detail_route_resolves_its_scope_once(organization: Organization) -> None:
    user = member(organization, OrgRole.PMO).user
    project = _project(organization)
    task = WbsElement.objects.for_organization(organization).filter(project=project).leaves().first()
    assert task is not None
    sqls = _read(_client(user), f"{BASE}/projects/{project.pk}/tasks/{task.pk}/")
    assert len(_touching(sqls, "pmo_membership")) == 1
    assert len(_touching(sqls, "projects_projectmember")) == 1


def test_a_project_of_another_organisation_or_an_inactive_user_is_not_found(
    organization: Organization, other_organization: Organization
) -> None:
    user = member(organization, OrgRole.PMO).user
    client = _client(user)
    theirs = _project(other_organization)
    assert client.get(f"{BASE}/projects/{theirs.pk}/tasks/").status_code == 404
    assert client.get(f"/api/v1/orgs/rival/projects/{theirs.pk}/tasks/").status_code == 404
    ours = _project(organization)
    assert client.get(f"{BASE}/projects/{ours.pk}/tasks/").status_code == 200
    session = APIClient()
    session.force_authenticate(user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    user.is_active = False
    assert session.get(f"{BASE}/projects/{ours.pk}/tasks/").status_code == 404


def test_a_project_id_beyond_any_key_is_not_found_by_token_or_session(organization: Organization) -> None:
    user = member(organization, OrgRole.PMO).user
    for client in (_client(user), _session(user)):
        for huge in (2**63, 2031934595198895783936):
            assert client.get(f"{BASE}/projects/{huge}/non-conformances/2/").status_code == 404
            assert client.get(f"{BASE}/projects/{huge}/tasks/").status_code == 404


def _session(user: User) -> APIClient:
    client = APIClient()
    client.force_login(user)  # a stored session, read as a browser's would be
    return client


def test_a_session_reads_the_session_then_user_membership_project_and_role_in_one_query(
    organization: Organization,
) -> None:
    manager = member(organization, OrgRole.MEMBER).user
    project = _project(organization)
    ProjectMemberFactory(project=project, user=manager, role="manager")
    sqls = _read(_session(manager), f"{BASE}/projects/{project.pk}/tasks/")
    session, access, *rows = sqls
    assert '"django_session"' in session
    assert all(
        f'"{table}"' in access for table in ("pmo_user", "pmo_membership", "projects_project", "projects_projectmember")
    )
    assert len(rows) == 2  # the page's count and rows
    for table in ("django_session", "pmo_user", "pmo_membership", "projects_projectmember"):
        assert len(_touching(sqls, table)) == 1, table


def test_a_session_on_an_organisation_route_reads_the_user_with_the_membership(organization: Organization) -> None:
    user = member(organization, OrgRole.PMO).user
    _project(organization)
    sqls = _read(_session(user), f"{BASE}/projects/")
    session, access, *rows = sqls
    assert '"django_session"' in session
    assert all(f'"{table}"' in access for table in ("pmo_user", "pmo_membership", "pmo_organization"))
    assert len(rows) == 2


def test_a_session_is_refused_as_django_refuses_it(
    organization: Organization, other_organization: Organization
) -> None:
    user = member(organization, OrgRole.PMO, language="en").user
    project = _project(organization)
    client = _session(user)
    url = f"{BASE}/projects/{project.pk}/tasks/"
    assert client.get(url).status_code == 200
    assert client.get(f"/api/v1/orgs/rival/projects/{project.pk}/tasks/").status_code == 404
    assert client.get(f"{BASE}/projects/{_project(other_organization).pk}/tasks/").status_code == 404
    # The saved language over the browser's, for an answer of the view and for a path no view answers.
    for path in (f"{BASE}/projects/999999/tasks/", f"{BASE}/no-such-list/"):
        assert client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans").json()["error"]["message"] == "Not found."
    # A changed password ends the session's sign-in; so does deactivation.
    user.set_password("another secret 123")
    user.save()
    assert client.get(url).status_code in (401, 403)
    other = member(organization, OrgRole.PMO).user
    client = _session(other)
    User.objects.filter(pk=other.pk).update(is_active=False)
    assert client.get(url).status_code in (401, 403)
    assert client.get(f"{BASE}/projects/").status_code in (401, 403)


def test_a_session_of_a_user_not_a_member_reads_no_more(
    organization: Organization, other_organization: Organization
) -> None:
    outsider = member(other_organization, OrgRole.PMO).user
    project = _project(organization)
    client = _session(outsider)
    client.get(f"{BASE}/projects/{project.pk}/tasks/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{BASE}/projects/{project.pk}/tasks/")
    assert response.status_code == 404
    assert len(queries) == 2
