"""Attachments over the API: multipart upload, list, show, download, delete; on both storages."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from pmo.models import Attachment, AuditEvent, OrgRole
from projects.models import ChangeRequest
from tests.conftest import api_client_for
from tests.factories import ChangeRequestFactory, ProjectMemberFactory, member
from tests.pmo.attachments.conftest import stored_names
from tests.pmo.attachments.samples import EXE, PDF, pdf, png, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def change_request(organization: Any) -> ChangeRequest:
    return ChangeRequestFactory(project__organization=organization, organization=organization)


@pytest.fixture
def client(organization: Any) -> Any:
    return api_client_for(member(organization, OrgRole.PMO).user)


def _list_url(organization: Any) -> str:
    return reverse("api-attachment-list", kwargs={"org_slug": organization.slug})


def _detail(name: str, organization: Any, pk: int) -> str:
    return reverse(name, kwargs={"org_slug": organization.slug, "pk": pk})


def _post(client: Any, change_request: ChangeRequest, files: list[Any], **extra: Any) -> Any:
    data = {"parent_type": "projects.changerequest", "parent_id": change_request.pk, "files": files, **extra}
    return client.post(_list_url(change_request.organization), data, format="multipart")


def test_upload_list_download_and_delete(
    any_storage: str,
    organization: Any,
    change_request: ChangeRequest,
    client: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    created = _post(client, change_request, [pdf(), png()])
    assert created.status_code == 201, created.json()
    body = created.json()
    assert [(item["name"], item["media_type"]) for item in body] == [
        ("signed.pdf", "application/pdf"),
        ("site.png", "image/png"),
    ]
    assert body[0]["parent_type"] == "projects.changerequest"
    assert body[0]["parent_id"] == change_request.pk
    assert body[0]["thumbnail_url"] is None
    assert body[1]["thumbnail_url"].endswith(f"/attachments/{body[1]['id']}/thumbnail/")

    listed = client.get(
        _list_url(organization), {"parent_type": "projects.changerequest", "parent_id": change_request.pk}
    )
    assert listed.status_code == 200
    assert [item["id"] for item in listed.json()["results"]] == [item["id"] for item in body]

    download = client.get(body[0]["download_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="signed.pdf"'

    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(_detail("api-attachment-detail", organization, body[0]["id"])).status_code == 204
    assert list(Attachment.objects.for_organization(organization).values_list("name", flat=True)) == ["site.png"]
    photo = Attachment.objects.for_organization(organization).get()
    assert stored_names() == {photo.storage_key, photo.thumbnail_key}
    actions = AuditEvent.objects.for_organization(organization).filter(target_type="pmo.attachment")
    assert sorted(actions.values_list("action", flat=True)) == ["attachment.add", "attachment.add", "attachment.delete"]


def test_a_disguised_program_is_refused_with_the_error_body_and_nothing_is_stored(
    any_storage: str, organization: Any, change_request: ChangeRequest, client: Any
) -> None:
    response = _post(client, change_request, [pdf(), upload("invoice.pdf", EXE, "application/pdf")])
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "attachment_type_not_allowed"
    assert error["fields"]["files"][0].startswith("invoice.pdf: ")
    assert not Attachment.objects.for_organization(organization).exists()
    assert stored_names() == set()


def test_an_oversized_file_is_refused(
    local_storage: Any, organization: Any, change_request: ChangeRequest, client: Any, settings: Any
) -> None:
    settings.PMO_ATTACHMENT_MAX_BYTES = len(PDF) - 1
    response = _post(client, change_request, [pdf()])
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "attachment_too_large"
    assert stored_names() == set()


def test_too_many_files_are_refused(
    local_storage: Any, organization: Any, change_request: ChangeRequest, client: Any, settings: Any
) -> None:
    settings.PMO_ATTACHMENT_MAX_FILES = 2
    response = _post(client, change_request, [pdf("a.pdf"), pdf("b.pdf"), pdf("c.pdf")])
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "attachment_too_many"
    assert not Attachment.objects.for_organization(organization).exists()


def test_a_request_over_the_total_limit_is_refused(
    local_storage: Any, organization: Any, change_request: ChangeRequest, client: Any, settings: Any
) -> None:
    settings.PMO_ATTACHMENT_MAX_REQUEST_BYTES = len(PDF) * 2
    response = _post(client, change_request, [pdf("a.pdf"), pdf("b.pdf"), pdf("c.pdf")])
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "attachment_request_too_large"


def test_an_announced_body_far_over_the_limit_is_refused_before_it_is_read(
    organization: Any, change_request: ChangeRequest, client: Any, settings: Any
) -> None:
    settings.PMO_ATTACHMENT_MAX_REQUEST_BYTES = 1000
    response = _post(client, change_request, [upload("big.txt", b"x" * 400_000)])
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_inputs_are_strict(organization: Any, change_request: ChangeRequest, client: Any) -> None:
    unknown = _post(client, change_request, [pdf()], colour="red")
    assert unknown.status_code == 400
    assert "colour" in unknown.json()["error"]["fields"]
    bad_type = client.post(
        _list_url(organization), {"parent_type": "pmo.user", "parent_id": 1, "files": [pdf()]}, format="multipart"
    )
    assert bad_type.status_code == 400
    assert "parent_type" in bad_type.json()["error"]["fields"]
    missing = client.get(_list_url(organization))
    assert missing.status_code == 400
    assert set(missing.json()["error"]["fields"]) == {"parent_type", "parent_id"}
    no_files = _post(client, change_request, [])
    assert no_files.status_code == 400
    assert no_files.json()["error"]["code"] == "attachment_missing"


def test_another_organisations_records_and_files_are_not_found(
    local_storage: Any, organization: Any, other_organization: Any, change_request: ChangeRequest, client: Any
) -> None:
    (created,) = _post(client, change_request, [pdf()]).json()
    outsider = api_client_for(member(other_organization, OrgRole.ADMIN).user)
    for name in ("api-attachment-detail", "api-attachment-download", "api-attachment-thumbnail"):
        for org in (organization, other_organization):
            assert outsider.get(_detail(name, org, created["id"])).status_code == 404
    # Naming the other organisation's record from one's own organisation: not found either.
    own = reverse("api-attachment-list", kwargs={"org_slug": other_organization.slug})
    query = {"parent_type": "projects.changerequest", "parent_id": change_request.pk}
    assert outsider.get(own, query).status_code == 404
    assert outsider.post(own, {**query, "files": [pdf()]}, format="multipart").status_code == 404


def test_a_member_outside_the_project_team_reads_but_may_not_attach_or_delete(
    local_storage: Any, organization: Any, change_request: ChangeRequest, client: Any
) -> None:
    (created,) = _post(client, change_request, [pdf()]).json()
    reader = api_client_for(member(organization, OrgRole.MEMBER).user)
    assert reader.get(created["download_url"]).status_code == 200
    assert _post(reader, change_request, [pdf()]).status_code == 403
    assert reader.delete(_detail("api-attachment-detail", organization, created["id"])).status_code == 403


def test_a_team_member_deletes_their_own_files_and_only_the_deciders_delete_anybodys(
    local_storage: Any, organization: Any, change_request: ChangeRequest, client: Any
) -> None:
    def on_team(role: str) -> Any:
        membership = member(organization, OrgRole.MEMBER)
        ProjectMemberFactory(project=change_request.project, user=membership.user, role=role)
        return api_client_for(membership.user)

    team_member, manager = on_team("member"), on_team("manager")
    (evidence,) = _post(client, change_request, [pdf("signed-approval.pdf")]).json()
    (own,) = _post(team_member, change_request, [png()]).json()
    (second,) = _post(team_member, change_request, [pdf("notes.pdf")]).json()

    refused = team_member.delete(_detail("api-attachment-detail", organization, evidence["id"]))

    assert refused.status_code == 403
    assert Attachment.objects.for_organization(organization).filter(pk=evidence["id"]).exists()
    assert team_member.delete(_detail("api-attachment-detail", organization, own["id"])).status_code == 204
    # The project's manager decides its change requests: they may remove anybody's file on them.
    assert manager.delete(_detail("api-attachment-detail", organization, second["id"])).status_code == 204
    assert manager.delete(_detail("api-attachment-detail", organization, evidence["id"])).status_code == 204
    assert (
        not Attachment.objects.for_organization(organization)
        .filter(pk__in=[evidence["id"], own["id"], second["id"]])
        .exists()
    )


def test_listing_a_records_files_takes_a_fixed_number_of_queries(
    local_storage: Any,
    organization: Any,
    change_request: ChangeRequest,
    client: Any,
    django_assert_num_queries: Any,
) -> None:
    _post(client, change_request, [pdf("a.pdf"), png(), pdf("b.pdf"), png("d.png")])
    query = {"parent_type": "projects.changerequest", "parent_id": change_request.pk}
    # Membership, the record, its project, the project role, the count and the page of files (with uploaders).
    with django_assert_num_queries(6):
        response = client.get(_list_url(organization), query)
    assert len(response.json()["results"]) == 4
