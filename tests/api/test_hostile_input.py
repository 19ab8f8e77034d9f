"""Hostile or broken input gets a clear 4xx with the one JSON error body, never a 500 or an HTML page."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from finance.models import ActualCost
from pmo.api.parsers import MAX_FILE_BYTES, MAX_JSON_DEPTH
from pmo.models import Membership, Organization, OrgRole
from projects.models import Dependency, Project, WbsElement
from projects.services import wbs as wbs_services
from projects.services.wbs import MAX_WBS_DEPTH
from tests.conftest import api_client_for
from tests.factories import member
from tests.finance.test_services_support import Team, make_team
from tests.projects.helpers import add_task, make_project

pytestmark = pytest.mark.django_db
BASE = "/api/v1/orgs/acme"
PLAN_HEADER = "wbs_code,name,kind,duration,budgeted_cost,percent_complete_method,percent_complete,notes"


@pytest.fixture
def admin(organization: Organization) -> Membership:
    return member(organization, OrgRole.ADMIN, username="adele")


@pytest.fixture
def client(admin: Membership) -> APIClient:
    client = api_client_for(admin.user)
    client.raise_request_exception = False
    return client


@pytest.fixture
def project(organization: Organization, admin: Membership) -> Project:
    return make_project(organization, actor=admin)


def assert_error_body(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json"), response.content[:500]
    error: dict[str, Any] = response.json()["error"]
    assert set(error) == {"code", "message", "fields"}
    assert error["message"]
    if code is not None:
        assert error["code"] == code
    return error


def elements(project: Project) -> int:
    return WbsElement.objects.for_organization(project.organization_id).filter(project=project).count()


# --- NUL characters ---------------------------------------------------------------------


def test_a_nul_byte_in_a_plan_csv_cell_is_refused_with_its_line_and_nothing_is_imported(
    client: APIClient, project: Project
) -> None:
    text = f"{PLAN_HEADER}\n1,Design,,5,,,,\n2,Bu\x00ild,,3,,,,see\x00notes\n"
    upload = SimpleUploadedFile("plan.csv", text.encode(), content_type="text/csv")

    response = client.post(f"{BASE}/projects/{project.pk}/tasks/import/", {"file": upload}, format="multipart")

    error = assert_error_body(response, 400, "invalid_file")
    assert "3" in error["fields"]
    assert elements(project) == 0


def test_a_nul_byte_in_a_cost_csv_supplier_is_refused_and_nothing_is_recorded(organization: Organization) -> None:
    team: Team = make_team(organization)
    project = make_project(organization, code="P-2")
    client = api_client_for(team.editor.user)
    client.raise_request_exception = False
    text = "date,amount,category,supplier\n2026-03-02,10.00,labour,Li\x00Si\n"

    response = client.post(f"{BASE}/projects/{project.pk}/costs/import/", text.encode(), content_type="text/csv")

    error = assert_error_body(response, 400, "invalid_file")
    assert "2" in error["fields"]
    assert not ActualCost.objects.for_organization(organization).exists()


def test_a_nul_character_anywhere_in_a_json_body_is_refused(client: APIClient, project: Project) -> None:
    body = json.dumps({"name": "Design", "no\x00tes": "x"})

    response = client.post(f"{BASE}/projects/{project.pk}/wbs/", body, content_type="application/json")

    assert_error_body(response, 400, "parse_error")
    assert elements(project) == 0


# --- depth ------------------------------------------------------------------------------


def test_json_nested_a_thousand_deep_is_refused_with_400(client: APIClient, project: Project) -> None:
    body = '{"name": ' + "[" * 1000 + "]" * 1000 + "}"

    response = client.post(f"{BASE}/projects/{project.pk}/wbs/", body, content_type="application/json")

    error = assert_error_body(response, 400, "parse_error")
    assert str(MAX_JSON_DEPTH) in error["message"]


def _chain(project: Project, admin: Membership, levels: int) -> list[WbsElement]:
    chain: list[WbsElement] = []
    for level in range(levels):
        parent = chain[-1] if chain else None
        chain.append(add_task(project, f"Level {level + 1}", actor=admin, parent=parent))
    return chain


def test_the_wbs_may_nest_twenty_levels_and_no_deeper(client: APIClient, project: Project, admin: Membership) -> None:
    chain = _chain(project, admin, MAX_WBS_DEPTH)

    response = client.post(
        f"{BASE}/projects/{project.pk}/wbs/", {"name": "Too deep", "parent": chain[-1].pk}, format="json"
    )

    error = assert_error_body(response, 400)
    assert "parent" in error["fields"]
    assert elements(project) == MAX_WBS_DEPTH


def test_moving_a_branch_may_not_take_its_leaves_past_twenty_levels(
    client: APIClient, project: Project, admin: Membership
) -> None:
    chain = _chain(project, admin, MAX_WBS_DEPTH - 1)
    branch = add_task(project, "Branch", actor=admin)
    add_task(project, "Leaf", actor=admin, parent=branch)

    response = client.patch(f"{BASE}/projects/{project.pk}/wbs/{branch.pk}/", {"parent": chain[-1].pk}, format="json")

    error = assert_error_body(response, 400)
    assert "parent" in error["fields"]


def test_a_plan_csv_nested_deeper_than_twenty_levels_is_refused(client: APIClient, project: Project) -> None:
    codes = [".".join(["1"] * level) for level in range(1, MAX_WBS_DEPTH + 2)]
    rows = "\n".join(f"{code},Level {code.count('.') + 1},,1,,,," for code in codes)
    text = f"{PLAN_HEADER}\n{rows}\n"

    response = client.post(f"{BASE}/projects/{project.pk}/tasks/import/", text.encode(), content_type="text/csv")

    error = assert_error_body(response, 400, "invalid_file")
    assert str(MAX_WBS_DEPTH + 2) in error["fields"]  # the line of the 21st level
    assert elements(project) == 0


# --- size -------------------------------------------------------------------------------


def test_a_json_body_over_the_upload_limit_gets_the_json_error_with_413(client: APIClient, project: Project) -> None:
    body = json.dumps({"name": "x" * (3 * 1024 * 1024)})

    response = client.post(f"{BASE}/projects/{project.pk}/wbs/", body, content_type="application/json")

    assert_error_body(response, 413, "too_large")


@pytest.mark.parametrize("resource", ["tasks", "costs"])
def test_a_raw_csv_body_over_five_megabytes_is_refused_with_413_before_the_import_runs(
    client: APIClient, project: Project, resource: str
) -> None:
    text = PLAN_HEADER + "\n" + "1,x,,1,,,,\n" * (MAX_FILE_BYTES // 10 + 1)

    response = client.post(f"{BASE}/projects/{project.pk}/{resource}/import/", text.encode(), content_type="text/csv")

    assert_error_body(response, 413, "too_large")
    assert elements(project) == 0


def test_a_raw_body_announcing_more_than_five_megabytes_is_refused_unread(client: APIClient, project: Project) -> None:
    response = client.post(
        f"{BASE}/projects/{project.pk}/tasks/import/",
        b"wbs_code,name\n",
        content_type="text/csv",
        CONTENT_LENGTH=str(MAX_FILE_BYTES + 1),
    )

    assert_error_body(response, 413, "too_large")


# --- objects gone in between ------------------------------------------------------------


def _deleted_once_locked(monkeypatch: pytest.MonkeyPatch, target: WbsElement | Dependency) -> None:
    """Another request deletes ``target`` while this one waits for the project's lock.

    The deletion happens inside the request's transaction, so the error rolls it back again.
    """
    original = wbs_services.lock_project

    def lock_after_the_other_request(project: Project) -> Project:
        type(target).objects.for_organization(target.organization_id).filter(pk=target.pk).delete()
        return original(project)

    monkeypatch.setattr(wbs_services, "lock_project", lock_after_the_other_request)


def test_patching_a_wbs_element_deleted_at_the_same_moment_answers_404(
    client: APIClient, project: Project, admin: Membership, monkeypatch: pytest.MonkeyPatch
) -> None:
    task = add_task(project, "Design", actor=admin)
    _deleted_once_locked(monkeypatch, task)

    response = client.patch(f"{BASE}/projects/{project.pk}/wbs/{task.pk}/", {"name": "Renamed"}, format="json")

    assert_error_body(response, 404, "not_found")


def test_patching_a_dependency_deleted_at_the_same_moment_answers_404(
    client: APIClient, project: Project, admin: Membership, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = add_task(project, "Design", actor=admin)
    second = add_task(project, "Build", actor=admin)
    link = wbs_services.dependency_create(actor=admin.user, project=project, predecessor=first, successor=second)
    _deleted_once_locked(monkeypatch, link)

    response = client.patch(f"{BASE}/projects/{project.pk}/dependencies/{link.pk}/", {"lag": 2}, format="json")

    assert_error_body(response, 404, "not_found")


# --- what the schema promises -----------------------------------------------------------


def test_an_invalid_list_item_is_reported_under_its_field_as_a_message_naming_the_item(client: APIClient) -> None:
    response = client.post(
        f"{BASE}/webhooks/", {"name": "Hook", "url": "x", "events": ["alert.opened", "nope"]}, format="json"
    )

    error = assert_error_body(response, 400, "invalid")
    assert all(isinstance(messages, list) for messages in error["fields"].values()), error["fields"]
    assert all(isinstance(message, str) for messages in error["fields"].values() for message in messages)
    assert [message.split(":")[0] for message in error["fields"]["events"]] == ["1"]


def test_a_mistyped_api_path_answers_the_json_error_body_even_with_debug_on(client: APIClient, settings: Any) -> None:
    settings.DEBUG = True

    response = client.get("/api/v1/orgs/acme/no-such-thing/")

    assert_error_body(response, 404, "not_found")


def test_an_invalid_page_is_a_404_the_schema_documents_for_every_paginated_list(client: APIClient) -> None:
    response = client.get("/api/v1/tokens/?page=0")
    schema = client.get("/api/v1/schema/?format=json").json()

    assert_error_body(response, 404)
    assert "404" in schema["paths"]["/api/v1/tokens/"]["get"]["responses"]
    paginated = [
        operation["responses"]
        for operation in (item.get("get") for item in schema["paths"].values())
        if operation and any(parameter["name"] == "page" for parameter in operation.get("parameters", []))
    ]
    assert paginated
    assert all("404" in responses for responses in paginated)


def test_the_flat_wbs_list_agrees_with_its_schema_which_requires_children_only_in_the_tree(
    client: APIClient, project: Project, admin: Membership
) -> None:
    add_task(project, "Design", actor=admin)
    schema = client.get("/api/v1/schema/?format=json").json()

    flat = client.get(f"{BASE}/projects/{project.pk}/wbs/").json()
    tree = client.get(f"{BASE}/projects/{project.pk}/wbs/?tree=1").json()

    node = schema["components"]["schemas"]["WbsTreeNode"]
    assert "children" not in node["required"]
    assert set(node["required"]) <= set(flat[0])
    assert tree[0]["children"] == []


@pytest.mark.parametrize("resource", ["tasks", "costs"])
def test_an_uploaded_file_just_over_five_megabytes_gets_the_same_413(
    client: APIClient, project: Project, resource: str
) -> None:
    upload = SimpleUploadedFile("big.csv", b"x" * (MAX_FILE_BYTES + 1), content_type="text/csv")

    response = client.post(f"{BASE}/projects/{project.pk}/{resource}/import/", {"file": upload}, format="multipart")

    error = assert_error_body(response, 413, "too_large")
    assert "file" in error["fields"]


def test_every_operation_with_a_body_documents_the_413_of_a_body_too_large(client: APIClient) -> None:
    schema = client.get("/api/v1/schema/?format=json").json()

    writes = [
        (method, path, operation["responses"])
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in {"post", "put", "patch"}
    ]

    assert writes
    assert [(method, path) for method, path, responses in writes if "413" not in responses] == []
