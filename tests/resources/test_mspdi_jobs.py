"""MS Project XML exchange as jobs: a small file or plan is done in the request (the API's answers as
before), a bigger one is queued (202 and the job; the page goes to the job's page); the job's result
is its requester's and the administrators'; a refused file fails the job with every problem and
writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse

from pmo.models import Job, JobStatus, Organization
from projects.models import Project, WbsElement
from resources import mspdi_jobs
from tests.conftest import api_client_for, page_client_for
from tests.resources.assignments_support import Site, make_site
from tests.resources.test_mspdi_api import _upload, empty_project
from tests.resources.test_mspdi_services import link, mspdi, rich_plan, task

pytestmark = pytest.mark.django_db
BASE = "/api/v1/orgs/acme"
CaptureCommits = Callable[..., Any]


@pytest.fixture
def site(organization: Organization) -> Site:
    made = make_site(organization)
    rich_plan(made)
    return made


def export_url(project: Project) -> str:
    return f"{BASE}/projects/{project.pk}/mspdi/"


def jobs_of(site: Site, kind: str) -> list[Job]:
    return list(Job.objects.for_organization(site.org).filter(kind=kind).order_by("pk"))


def test_a_small_import_is_a_job_done_in_the_request_with_the_figures_as_before(site: Site) -> None:
    project = empty_project(site)

    response = api_client_for(site.manager).post(
        export_url(project),
        {"file": _upload(mspdi(task(1, "Dig"), task(2, "Pour", extra=link(1))))},
        format="multipart",
    )

    assert response.status_code == 201, response.content
    assert (response.json()["tasks"], response.json()["links"]) == (2, 1)
    (job,) = jobs_of(site, mspdi_jobs.IMPORT)
    assert (job.status, job.requested_by, job.link) == (
        JobStatus.DONE,
        site.manager,
        reverse("project-wbs", args=["acme", project.pk]),
    )


@override_settings(PMO_JOB_INLINE_BYTES=100)
def test_a_big_import_is_queued_and_its_job_reports_the_figures(
    site: Site, django_capture_on_commit_callbacks: CaptureCommits
) -> None:
    project = empty_project(site)
    client = api_client_for(site.manager)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            export_url(project),
            data=mspdi(task(1, "Dig"), task(2, "Pour")),
            content_type="application/xml",
            HTTP_ACCEPT_LANGUAGE="en",
        )

    assert response.status_code == 202, response.content
    assert response.json()["status"] == "queued"
    followed = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert followed.json()["status"] == "done"
    report = followed.json()["report"]
    assert report["result"]["tasks"] == 2
    assert report["counts"]["WBS elements"] == 2
    assert WbsElement.objects.for_organization(site.org).filter(project=project).count() == 2


@override_settings(PMO_JOB_INLINE_BYTES=100)
def test_a_refused_file_fails_the_job_with_every_problem_and_writes_nothing(
    site: Site, django_capture_on_commit_callbacks: CaptureCommits
) -> None:
    project = empty_project(site)
    cycle = mspdi(task(1, "Dig", extra=link(2)), task(2, "Pour", extra=link(1)), task(2, "Again"))

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client_for(site.manager).post(export_url(project), data=cycle, content_type="application/xml")

    (job,) = jobs_of(site, mspdi_jobs.IMPORT)
    assert response.status_code == 202
    assert job.status == JobStatus.FAILED
    assert job.error["code"] == "duplicate_uid"
    assert job.error["fields"]
    answer = api_client_for(site.manager).get(response["Location"]).json()
    assert answer["error"]["fields"] == job.error["fields"]
    assert not WbsElement.objects.for_organization(site.org).filter(project=project).exists()


@override_settings(PMO_JOB_INLINE_BYTES=100)
def test_a_new_project_from_a_big_file_is_not_created_when_the_file_is_refused(
    site: Site, django_capture_on_commit_callbacks: CaptureCommits
) -> None:
    before = Project.objects.for_organization(site.org).count()

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client_for(site.manager).post(
            f"{BASE}/projects/mspdi/?code=BAD", data=mspdi(task(1), task(1)), content_type="application/xml"
        )

    (job,) = jobs_of(site, mspdi_jobs.CREATE)
    assert response.status_code == 202
    assert (job.status, job.error["code"]) == (JobStatus.FAILED, "duplicate_uid")
    assert Project.objects.for_organization(site.org).count() == before


def test_a_small_plan_is_exported_in_the_request(site: Site) -> None:
    response = api_client_for(site.viewer).get(export_url(site.project))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="RIV.xml"'
    (job,) = jobs_of(site, mspdi_jobs.EXPORT)
    assert (job.status, job.requested_by, job.result_name) == (JobStatus.DONE, site.viewer, "RIV.xml")


@override_settings(PMO_JOB_INLINE_TASKS=2)
def test_a_big_plans_export_is_queued_and_its_file_is_only_the_requesters_and_the_admins(
    site: Site, django_capture_on_commit_callbacks: CaptureCommits
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client_for(site.viewer).get(export_url(site.project))

    assert response.status_code == 202, response.content
    result = response["Location"] + "result/"
    requester = api_client_for(site.viewer).get(result)
    assert requester.status_code == 200
    assert requester["Content-Type"].startswith("application/xml")
    assert b"<Name>Excavation</Name>" in b"".join(requester.streaming_content)  # type: ignore[attr-defined]
    assert api_client_for(site.admin).get(result).status_code == 200
    assert api_client_for(site.manager).get(result).status_code == 404
    assert api_client_for(site.manager).get(response["Location"]).status_code == 404


@override_settings(PMO_JOB_INLINE_BYTES=100)
def test_the_page_sends_a_big_import_to_its_job_page_which_links_to_the_plan(
    site: Site, django_capture_on_commit_callbacks: CaptureCommits
) -> None:
    project = empty_project(site)
    client = page_client_for(site.manager)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("project-mspdi", args=["acme", project.pk]),
            {"file": _upload(mspdi(task(1, "Dig"), task(2, "Pour")))},
            HTTP_ACCEPT_LANGUAGE="en",
        )

    (job,) = jobs_of(site, mspdi_jobs.IMPORT)
    assert response.status_code == 302
    assert response["Location"] == reverse("org-job", args=["acme", job.pk])
    body = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert reverse("project-wbs", args=["acme", project.pk]) in body
    assert "Resources found in the pool" in body
    assert "{&#x27;" not in body  # the figures kept for the API are not shown as a fact


@override_settings(PMO_JOB_INLINE_BYTES=100)
def test_the_page_shows_the_problems_of_a_refused_file_on_the_job_page(
    site: Site, django_capture_on_commit_callbacks: CaptureCommits
) -> None:
    project = empty_project(site)
    client = page_client_for(site.manager)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("project-mspdi", args=["acme", project.pk]), {"file": _upload(mspdi(task(1), task(1)))}
        )

    body = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="job-error"' in body
    assert not WbsElement.objects.for_organization(site.org).filter(project=project).exists()


def test_a_small_refused_file_shows_its_problems_on_the_import_page(site: Site) -> None:
    project = empty_project(site)

    response = page_client_for(site.manager).post(
        reverse("project-mspdi", args=["acme", project.pk]),
        {"file": _upload(mspdi(task(1), task(1)))},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert "Nothing was imported" in response.content.decode()
    (job,) = jobs_of(site, mspdi_jobs.IMPORT)
    assert job.status == JobStatus.FAILED


def test_every_exchange_kind_is_registered() -> None:
    from pmo.jobs import job_kinds

    assert {mspdi_jobs.EXPORT, mspdi_jobs.IMPORT, mspdi_jobs.CREATE} <= {kind.code for kind in job_kinds}
