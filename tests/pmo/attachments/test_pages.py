"""The attachment pages: upload from a record's page, thumbnails in its list, download, delete."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pmo.models import Attachment, AuditEvent, OrgRole
from projects.models import ChangeRequest
from tests.conftest import page_client_for
from tests.factories import (
    ActualCostFactory,
    ChangeRequestFactory,
    ProjectMemberFactory,
    StageGateFactory,
    StatusReportFactory,
    member,
)
from tests.pmo.attachments.conftest import stored_names
from tests.pmo.attachments.samples import EXE, PDF, pdf, png, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def change_request(organization: Any) -> ChangeRequest:
    return ChangeRequestFactory(project__organization=organization, organization=organization)


def _page(change_request: ChangeRequest) -> str:
    return reverse(
        "project-change-request",
        kwargs={
            "org_slug": change_request.organization.slug,
            "project_id": change_request.project_id,
            "pk": change_request.pk,
        },
    )


def _upload(client: Any, parent: Any, parent_type: str, next_url: str, **files: Any) -> Any:
    url = reverse("org-attachments", kwargs={"org_slug": parent.organization.slug})
    return client.post(url, {"parent_type": parent_type, "parent_id": parent.pk, "next": next_url, **files})


def test_several_files_and_a_camera_photo_are_attached_from_the_change_request_page(
    local_storage: Any, organization: Any, change_request: ChangeRequest
) -> None:
    client = page_client_for(member(organization, OrgRole.PMO).user)
    page = _page(change_request)
    response = _upload(
        client,
        change_request,
        "projects.changerequest",
        page,
        files=[pdf(), png("plan.png")],
        photos=[png("camera.png")],
    )
    assert response.status_code == 302
    assert response["Location"] == page
    names = sorted(Attachment.objects.for_organization(organization).values_list("name", flat=True))
    assert names == ["camera.png", "plan.png", "signed.pdf"]

    shown = client.get(page)
    html = shown.content.decode()
    assert "3 files attached." in html
    photo = Attachment.objects.for_organization(organization).get(name="camera.png")
    assert reverse("org-attachment-thumbnail", kwargs={"org_slug": organization.slug, "pk": photo.pk}) in html
    assert 'capture="environment"' in html
    assert "signed.pdf" in html


def test_a_refused_upload_says_why_on_the_page_and_stores_nothing(
    local_storage: Any, organization: Any, change_request: ChangeRequest
) -> None:
    client = page_client_for(member(organization, OrgRole.PMO).user)
    page = _page(change_request)
    response = _upload(client, change_request, "projects.changerequest", page, files=[pdf(), upload("x.pdf", EXE)])
    assert response.status_code == 302
    shown = client.get(page)
    assert "x.pdf: this kind of file is not accepted" in shown.content.decode()
    assert not Attachment.objects.for_organization(organization).exists()
    assert stored_names() == set()


def test_download_thumbnail_and_delete_from_the_page(
    local_storage: Any, organization: Any, change_request: ChangeRequest, django_capture_on_commit_callbacks: Any
) -> None:
    client = page_client_for(member(organization, OrgRole.PMO).user)
    page = _page(change_request)
    _upload(client, change_request, "projects.changerequest", page, files=[pdf(), png()])
    document = Attachment.objects.for_organization(organization).get(name="signed.pdf")
    photo = Attachment.objects.for_organization(organization).get(name="site.png")

    download = client.get(reverse("org-attachment-download", kwargs={"org_slug": organization.slug, "pk": document.pk}))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    # On the pages a PDF or a photo opens in the browser; the API always sends it to be saved.
    assert download["Content-Disposition"] == 'inline; filename="signed.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"
    thumbnail = client.get(reverse("org-attachment-thumbnail", kwargs={"org_slug": organization.slug, "pk": photo.pk}))
    assert thumbnail["Content-Type"] == "image/jpeg"

    with django_capture_on_commit_callbacks(execute=True):
        deleted = client.post(
            reverse("org-attachment-delete", kwargs={"org_slug": organization.slug, "pk": document.pk}), {"next": page}
        )
    assert deleted["Location"] == page
    assert list(Attachment.objects.for_organization(organization)) == [photo]
    assert stored_names() == {photo.storage_key, photo.thumbnail_key}
    assert AuditEvent.objects.for_organization(organization).filter(action="attachment.delete").count() == 1


def test_a_team_member_sees_a_delete_button_only_on_their_own_files(
    local_storage: Any, organization: Any, change_request: ChangeRequest
) -> None:
    page = _page(change_request)
    _upload(
        page_client_for(member(organization, OrgRole.PMO).user),
        change_request,
        "projects.changerequest",
        page,
        files=[pdf()],
    )
    team_member = member(organization, OrgRole.MEMBER)
    ProjectMemberFactory(project=change_request.project, user=team_member.user, role="member")
    client = page_client_for(team_member.user)
    _upload(client, change_request, "projects.changerequest", page, files=[png()])
    evidence = Attachment.objects.for_organization(organization).get(name="signed.pdf")
    own = Attachment.objects.for_organization(organization).get(name="site.png")

    shown = client.get(page).content.decode()

    delete_url = "org-attachment-delete"
    assert reverse(delete_url, kwargs={"org_slug": organization.slug, "pk": own.pk}) in shown
    assert reverse(delete_url, kwargs={"org_slug": organization.slug, "pk": evidence.pk}) not in shown
    refused = client.post(
        reverse(delete_url, kwargs={"org_slug": organization.slug, "pk": evidence.pk}), {"next": page}
    )
    assert refused.status_code == 403
    assert Attachment.objects.for_organization(organization).filter(pk=evidence.pk).exists()


def test_another_organisations_member_gets_404_for_the_download(
    local_storage: Any, organization: Any, other_organization: Any, change_request: ChangeRequest
) -> None:
    owner = page_client_for(member(organization, OrgRole.PMO).user)
    _upload(owner, change_request, "projects.changerequest", _page(change_request), files=[pdf()])
    document = Attachment.objects.for_organization(organization).get()
    outsider = page_client_for(member(other_organization, OrgRole.ADMIN).user)
    for org in (organization, other_organization):
        url = reverse("org-attachment-download", kwargs={"org_slug": org.slug, "pk": document.pk})
        assert outsider.get(url).status_code == 404


def test_a_member_sees_the_files_but_only_the_project_team_attaches(
    local_storage: Any, organization: Any, change_request: ChangeRequest
) -> None:
    plain = member(organization, OrgRole.MEMBER).user
    client = page_client_for(plain)
    page = _page(change_request)
    html = client.get(page).content.decode()
    assert "Files" in html
    assert 'name="files"' not in html
    assert _upload(client, change_request, "projects.changerequest", page, files=[pdf()]).status_code == 403

    ProjectMemberFactory(project=change_request.project, user=plain, role="member")
    assert 'name="files"' in client.get(page).content.decode()
    assert _upload(client, change_request, "projects.changerequest", page, files=[pdf()]).status_code == 302
    assert Attachment.objects.for_organization(organization).count() == 1


def test_only_safe_return_addresses_are_followed(
    local_storage: Any, organization: Any, change_request: ChangeRequest
) -> None:
    client = page_client_for(member(organization, OrgRole.PMO).user)
    response = _upload(client, change_request, "projects.changerequest", "https://evil.example/", files=[pdf()])
    assert response["Location"] == _page(change_request)


@pytest.mark.parametrize(
    ("factory", "parent_type", "page_name"),
    [
        (StatusReportFactory, "projects.statusreport", "project-status-report"),
        (StageGateFactory, "projects.stagegate", None),
        (ActualCostFactory, "finance.actualcost", None),
    ],
)
def test_status_reports_gates_and_costs_carry_files(
    local_storage: Any, organization: Any, factory: Any, parent_type: str, page_name: str | None
) -> None:
    record = factory(project__organization=organization, organization=organization)
    client = page_client_for(member(organization, OrgRole.ADMIN).user)
    files_page = reverse("org-attachments", kwargs={"org_slug": organization.slug})
    files_page += f"?parent_type={parent_type}&parent_id={record.pk}"
    assert _upload(client, record, parent_type, files_page, files=[pdf()]).status_code == 302
    shown = client.get(files_page)
    assert shown.status_code == 200
    assert "signed.pdf" in shown.content.decode()
    if page_name is not None:
        url = reverse(
            page_name, kwargs={"org_slug": organization.slug, "project_id": record.project_id, "pk": record.pk}
        )
        assert "signed.pdf" in client.get(url).content.decode()


def test_the_costs_and_gate_pages_link_each_record_to_its_files(organization: Any) -> None:
    cost = ActualCostFactory(project__organization=organization, organization=organization)
    gate = StageGateFactory(project=cost.project, organization=organization)
    client = page_client_for(member(organization, OrgRole.ADMIN).user)
    costs = client.get(
        reverse("project-actual-costs", kwargs={"org_slug": organization.slug, "project_id": cost.project_id})
    )
    assert f"parent_type=finance.actualcost&amp;parent_id={cost.pk}" in costs.content.decode()
    gates = client.get(reverse("project-gate", kwargs={"org_slug": organization.slug, "project_id": cost.project_id}))
    assert f"parent_type=projects.stagegate&amp;parent_id={gate.pk}" in gates.content.decode()


def test_the_files_panel_costs_the_same_queries_for_one_file_or_many(
    local_storage: Any, organization: Any, change_request: ChangeRequest
) -> None:
    client = page_client_for(member(organization, OrgRole.PMO).user)
    page = _page(change_request)
    _upload(client, change_request, "projects.changerequest", page, files=[pdf()])
    with CaptureQueriesContext(connection) as one:
        client.get(page)
    _upload(client, change_request, "projects.changerequest", page, files=[pdf("b.pdf"), png(), png("c.png")])
    with CaptureQueriesContext(connection) as four:
        client.get(page)
    assert len(four.captured_queries) == len(one.captured_queries)
    attachment_queries = [q for q in four.captured_queries if "pmo_attachment" in q["sql"]]
    assert len(attachment_queries) == 1
