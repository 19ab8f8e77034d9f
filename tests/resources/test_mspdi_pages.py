"""The MS Project pages: a project's export and import (into an empty plan), a new project from a
file, the refusal's problems and the import report; both languages; who may; other organisations."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pmo.models import Organization, OrgRole
from projects.models import Project, WbsElement
from tests.conftest import page_client_for
from tests.factories import ProjectFactory, ProjectMemberFactory, member
from tests.resources.assignments_support import Site, make_site
from tests.resources.test_mspdi_services import mspdi, task

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def site(organization: Organization) -> Site:
    return make_site(organization)


def page(project: Project) -> str:
    return reverse("project-mspdi", args=[project.organization.slug, project.pk])


def upload(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("plan.xml", content, content_type="application/xml")


def test_the_project_page_offers_the_export_and_downloads_the_file(site: Site) -> None:
    client = page_client_for(site.manager)

    body = client.get(page(site.project)).content.decode()
    download = client.get(reverse("project-mspdi-export", args=["acme", site.project.pk]))

    assert "Export MS Project XML" in body
    assert "The project already has a plan" in body
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/xml")
    assert b"<Name>Backfill</Name>" in download.content


def test_an_empty_project_imports_a_file_and_shows_the_report(site: Site) -> None:
    project = ProjectFactory(organization=site.org, code="CLN", planned_start=site.project.planned_start)
    ProjectMemberFactory(project=project, user=site.manager, role="manager")
    client = page_client_for(site.manager)
    assert 'type="file"' in client.get(page(project)).content.decode()

    response = client.post(page(project), {"file": upload((FIXTURES / "ms_project_2019.xml").read_bytes())})

    body = response.content.decode()
    assert response.status_code == 200
    assert "Imported into CLN." in body
    assert "1 task uses the Fixed Work type: imported as fixed duration." in body
    assert WbsElement.objects.for_organization(site.org).filter(project=project).count() == 8


def test_a_bad_file_shows_its_problems_and_writes_nothing(site: Site) -> None:
    project = ProjectFactory(organization=site.org, code="BAD", planned_start=site.project.planned_start)
    ProjectMemberFactory(project=project, user=site.manager, role="manager")
    content = mspdi(task(1, "Dig", extra=_link(2)), task(2, "Pour", extra=_link(1)))

    response = page_client_for(site.manager).post(page(project), {"file": upload(content)})

    body = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was imported" in body
    assert "The links form a cycle: Dig (UID 1) → Pour (UID 2) → Dig (UID 1)" in body
    assert not WbsElement.objects.for_organization(site.org).filter(project=project).exists()


def test_a_new_project_is_created_from_a_file(site: Site) -> None:
    client = page_client_for(site.manager)
    url = reverse("org-mspdi-import", args=["acme"])

    response = client.post(
        url, {"code": "PL", "name": "", "file": upload((FIXTURES / "projectlibre.xml").read_bytes())}
    )

    assert response.status_code == 200
    project = Project.objects.for_organization(site.org).get(code="PL")
    assert (project.name, project.manager) == ("Pond", site.manager)
    assert "Open the plan" in response.content.decode()


def test_a_viewer_sees_the_export_but_cannot_import_or_create(site: Site) -> None:
    project = ProjectFactory(organization=site.org, code="EMPTY")
    client = page_client_for(site.viewer)

    assert "Only the project's managers" in client.get(page(project)).content.decode()
    assert client.post(page(project), {"file": upload(mspdi(task(1)))}).status_code == 403
    assert client.get(reverse("org-mspdi-import", args=["acme"])).status_code == 403
    assert not WbsElement.objects.for_organization(site.org).filter(project=project).exists()


def test_another_organisations_project_is_not_found(site: Site, other_organization: Organization) -> None:
    stranger = member(other_organization, OrgRole.ADMIN).user
    client = page_client_for(stranger)

    assert client.get(reverse("project-mspdi", args=["acme", site.project.pk])).status_code == 404
    assert client.get(reverse("project-mspdi-export", args=["acme", site.project.pk])).status_code == 404
    rival = ProjectFactory(organization=other_organization, code="RIVAL")
    assert page_client_for(site.admin).get(reverse("project-mspdi", args=["acme", rival.pk])).status_code == 404


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_pages_speak_both_languages(site: Site, language: str) -> None:
    site.manager.language = language
    site.manager.save(update_fields=["language"])
    client = page_client_for(site.manager)
    client.cookies["django_language"] = language
    expected = {
        "en": ("Export MS Project XML", "Import MS Project"),
        "zh-hans": ("导出 MS Project XML", "导入 MS Project"),
    }
    project_page = client.get(page(site.project), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    new_page = client.get(reverse("org-mspdi-import", args=["acme"]), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert expected[language][0] in project_page
    assert expected[language][1] in new_page


def _link(uid: int) -> str:
    return f"<PredecessorLink><PredecessorUID>{uid}</PredecessorUID></PredecessorLink>"
