"""The MS Project XML API: export a project, import into an empty plan, create a project from a file;
who may, rates only for those who see them, refusals as JSON with nothing written, 404 across
organisations."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.test import override_settings

from pmo.models import Organization, OrgRole
from projects.models import Project, WbsElement
from tests.conftest import api_client_for
from tests.factories import ProjectFactory, ProjectMemberFactory, member
from tests.resources.assignments_support import Site, make_site
from tests.resources.test_mspdi_services import mspdi, rich_plan, task

pytestmark = pytest.mark.django_db
BASE = "/api/v1/orgs/acme"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def site(organization: Organization) -> Site:
    made = make_site(organization)
    rich_plan(made)
    return made


def export_url(project: Project) -> str:
    return f"{BASE}/projects/{project.pk}/mspdi/"


def empty_project(site: Site) -> Project:
    project = ProjectFactory(organization=site.org, code="NEW", planned_start=site.project.planned_start)
    ProjectMemberFactory(project=project, user=site.manager, role="manager")
    return project


def test_the_export_is_an_xml_file_with_rates_only_for_those_who_see_them(site: Site) -> None:
    manager = api_client_for(site.manager).get(export_url(site.project), HTTP_ACCEPT="application/xml")
    office = api_client_for(site.office).get(export_url(site.project))

    assert manager.status_code == 200
    assert manager["Content-Type"].startswith("application/xml")
    assert manager["Content-Disposition"] == 'attachment; filename="RIV.xml"'
    assert b"<Name>Excavation</Name>" in manager.content
    assert b"<StandardRate>" not in manager.content
    assert b"<StandardRate>100</StandardRate>" in office.content


def test_a_manager_imports_a_file_into_an_empty_project(site: Site) -> None:
    content = api_client_for(site.manager).get(export_url(site.project)).content
    project = empty_project(site)

    response = api_client_for(site.manager).post(
        export_url(project), {"file": _upload(content)}, format="multipart", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["project"]["code"], body["tasks"], body["links"], body["assignments"]) == ("NEW", 8, 6, 3)
    assert body["report"] == []
    assert body["baseline"] == "MS Project Baseline 0"


def test_the_file_may_be_the_request_body(site: Site) -> None:
    project = empty_project(site)

    response = api_client_for(site.manager).post(
        export_url(project), data=mspdi(task(1, "Only")), content_type="application/xml"
    )

    assert response.status_code == 201, response.content
    assert WbsElement.objects.for_organization(site.org).filter(project=project).count() == 1


def test_a_plan_that_is_not_empty_is_refused(site: Site) -> None:
    response = api_client_for(site.manager).post(
        export_url(site.project), data=mspdi(task(1)), content_type="application/xml"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "plan_not_empty"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"not xml at all", "not_xml"),
        (b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaa">]><Project><Tasks/></Project>', "xml_forbidden"),
        (mspdi(task(1), task(1)), "duplicate_uid"),
    ],
)
def test_a_bad_file_is_refused_as_json_and_nothing_is_written(site: Site, content: bytes, code: str) -> None:
    project = empty_project(site)

    response = api_client_for(site.manager).post(export_url(project), {"file": _upload(content)}, format="multipart")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["fields"]
    assert not WbsElement.objects.for_organization(site.org).filter(project=project).exists()


@override_settings(PMO_EXCHANGE_MAX_BYTES=500)
def test_a_file_over_the_limit_is_refused_with_413(site: Site) -> None:
    project = empty_project(site)
    big = mspdi(*(task(n) for n in range(1, 30)))

    as_body = api_client_for(site.manager).post(export_url(project), data=big, content_type="application/xml")
    as_form = api_client_for(site.manager).post(export_url(project), {"file": _upload(big)}, format="multipart")

    assert (as_body.status_code, as_form.status_code) == (413, 413)
    assert not WbsElement.objects.for_organization(site.org).filter(project=project).exists()


def test_a_viewer_may_export_but_not_import(site: Site) -> None:
    project = empty_project(site)
    client = api_client_for(site.viewer)

    assert client.get(export_url(site.project)).status_code == 200
    assert client.post(export_url(project), data=mspdi(task(1)), content_type="application/xml").status_code == 403


def test_a_project_manager_creates_a_project_from_a_file(site: Site) -> None:
    content = (FIXTURES / "ms_project_2019.xml").read_bytes()

    response = api_client_for(site.manager).post(
        f"{BASE}/projects/mspdi/",
        {"file": _upload(content), "code": "CLN"},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["project"]["code"], body["project"]["name"], body["tasks"]) == ("CLN", "Clinic extension", 8)
    assert any("Fixed Work" in line for line in body["report"])
    # A project manager may not add to the pool: the file's people are reported, not added.
    assert body["resources_created"] == 0
    assert any("only the resource office" in line for line in body["report"])


def test_a_new_project_needs_a_code_and_the_right_to_create(site: Site) -> None:
    body = mspdi(task(1))

    no_code = api_client_for(site.manager).post(f"{BASE}/projects/mspdi/", data=body, content_type="application/xml")
    viewer = api_client_for(site.viewer).post(
        f"{BASE}/projects/mspdi/?code=V", data=body, content_type="application/xml"
    )
    as_body = api_client_for(site.manager).post(
        f"{BASE}/projects/mspdi/?code=RAW&name=Raw", data=body, content_type="application/xml"
    )

    assert no_code.status_code == 400
    assert viewer.status_code == 403
    assert as_body.status_code == 201
    assert as_body.json()["project"]["name"] == "Raw"


def test_another_organisations_project_is_not_found(site: Site, other_organization: Organization) -> None:
    stranger = member(other_organization, OrgRole.ADMIN).user
    client = api_client_for(stranger)

    assert client.get(export_url(site.project)).status_code == 404
    assert client.post(export_url(site.project), data=mspdi(task(1)), content_type="application/xml").status_code == 404
    rival_project = ProjectFactory(organization=other_organization, code="RIVAL")
    own = api_client_for(site.admin).get(f"/api/v1/orgs/acme/projects/{rival_project.pk}/mspdi/")
    assert own.status_code == 404


def _upload(content: bytes):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("plan.xml", content, content_type="application/xml")


def test_a_new_project_code_with_a_null_character_is_refused_and_creates_nothing(site: Site) -> None:
    projects = Project.objects.for_organization(site.org).count()

    refused = api_client_for(site.manager).post(
        f"{BASE}/projects/mspdi/", {"file": io.BytesIO(mspdi(task(1))), "code": "A\x00B"}, format="multipart"
    )

    assert refused.status_code == 400
    assert list(refused.json()["error"]["fields"]) == ["code"]
    assert Project.objects.for_organization(site.org).count() == projects
