"""The import page: upload, every bad row in a table, a dry run's result; export and template downloads."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from pmo.models import Organization, OrgRole
from projects.models import Project
from risks.models import Risk
from tests.conftest import page_client_for
from tests.factories import ProjectFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(organization: Organization) -> Project:
    return ProjectFactory(organization=organization, code="P-1")


@pytest.fixture
def browser(organization: Organization) -> Client:
    client = page_client_for(member(organization, OrgRole.RISK, username="rita", language="en").user)
    return client


def page(project: Project, suffix: str = "import/") -> str:
    return f"/o/{project.organization.slug}/projects/{project.pk}/risks/{suffix}"


def upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("risks.csv", text.encode("utf-8"), content_type="text/csv")


def risks_of(project: Project) -> int:
    return Risk.objects.for_organization(project.organization_id).filter(project=project).count()


def test_the_page_offers_the_form_the_columns_and_the_downloads(browser, project) -> None:
    response = browser.get(page(project))

    assert response.status_code == 200
    body = response.content.decode()
    assert 'type="file"' in body
    assert page(project, "import/template/") in body
    assert page(project, "export/") in body
    assert "<strong>category</strong>" in body


def test_a_valid_file_is_imported_and_the_register_says_so(browser, project) -> None:
    response = browser.post(
        page(project), {"file": upload("title,category,probability,impact_cost\nA,cost,3,5\nB,cost,,\n")}
    )

    assert response.status_code == 302
    assert response["Location"] == page(project, "")
    assert risks_of(project) == 2
    follow = browser.get(response["Location"])
    assert "2 risks imported (R-001 to R-002)." in follow.content.decode()


def test_bad_rows_are_listed_in_a_table_by_line_and_column_and_nothing_is_written(browser, project) -> None:
    response = browser.post(page(project), {"file": upload("title,category,probability\n,cost,\nB,weather,9\n")})

    assert response.status_code == 400
    body = response.content.decode()
    assert "Nothing was imported." in body
    assert body.count('class="num line-no"') == 3
    for column in ("title", "category", "probability"):
        assert f"<code>{column}</code>" in body
    assert risks_of(project) == 0


def test_a_dry_run_shows_what_would_be_added_and_writes_nothing(browser, project) -> None:
    response = browser.post(
        page(project), {"file": upload("title,category,probability,impact_cost\nA,cost,3,5\n"), "dry_run": "on"}
    )

    assert response.status_code == 200
    assert "The file is valid: 1 risk would be added." in response.content.decode()
    assert risks_of(project) == 0


def test_the_export_and_the_template_download_as_csv(browser, project) -> None:
    browser.post(page(project), {"file": upload("title,category\nA,cost\n")})

    export = browser.get(page(project, "export/"))
    template = browser.get(page(project, "import/template/"))

    assert export["Content-Type"] == "text/csv; charset=utf-8"
    assert export.content.decode("utf-8-sig").splitlines()[1].startswith("R-001,A,cost,threat")
    assert template.content.decode("utf-8-sig").startswith("code,title,category")


def test_a_viewer_cannot_open_the_import_page_but_may_export(organization, project) -> None:
    viewer = page_client_for(member(organization, OrgRole.VIEWER).user)

    assert viewer.get(page(project)).status_code == 403
    assert viewer.post(page(project), {"file": upload("title,category\nA,cost\n")}).status_code == 403
    assert viewer.get(page(project, "export/")).status_code == 200
    assert risks_of(project) == 0


def test_another_organisations_project_is_not_found(browser, other_organization) -> None:
    theirs = ProjectFactory(organization=other_organization)

    assert browser.get(page(theirs)).status_code == 404
    assert browser.get(page(theirs, "export/")).status_code == 404
