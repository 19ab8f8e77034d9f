"""The jobs pages: one's jobs, a job's page that follows it with a script of the app's own, its outcome
(the result, the report, the bad cells), the result for its requester only, and job_page_response."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import RequestFactory
from django.utils import timezone

from pmo.jobs import JobKind, JobOutcome, job_kinds, job_page_response
from pmo.models import Job, JobStatus, Organization, OrgRole
from tests.conftest import page_client_for
from tests.factories import JobFactory, OrganizationFactory, member

pytestmark = pytest.mark.django_db

KIND = "tests.job"


@pytest.fixture(autouse=True)
def kind() -> Iterator[None]:
    job_kinds.register(JobKind(KIND, "Plan export", lambda context: JobOutcome()))
    yield
    job_kinds.unregister(KIND)


@pytest.fixture
def mei(organization: Organization) -> Any:
    return member(organization, OrgRole.PROJECT_MANAGER, username="mei", language="en").user


def page(job: Job, suffix: str = "") -> str:
    return f"/o/{job.organization.slug}/jobs/{job.pk}/{suffix}"


def test_a_running_jobs_page_shows_its_bar_and_follows_it_with_the_apps_script(
    organization: Organization, mei: Any
) -> None:
    job = JobFactory(
        organization=organization, requested_by=mei, status=JobStatus.RUNNING, finished_at=None, percent=40
    )

    html = page_client_for(mei).get(page(job)).content.decode()

    assert '<progress id="job-progress" max="100" value="40"' in html
    assert f'data-job-url="/api/v1/orgs/acme/jobs/{job.pk}/"' in html
    assert "/static/pmo/js/jobs.js" in html
    assert "<script>" not in html


def test_a_done_jobs_page_offers_its_result_and_report_without_polling(organization: Organization, mei: Any) -> None:
    job = JobFactory(
        organization=organization, requested_by=mei, report={"counts": {"Tasks": 12}, "messages": ["2 lags rounded."]}
    )

    html = page_client_for(mei).get(page(job)).content.decode()

    assert f'href="/o/acme/jobs/{job.pk}/result/"' in html
    assert "Download result.txt" in html
    assert "2 lags rounded." in html
    assert "<dt>Tasks</dt><dd>12</dd>" in html
    assert "jobs.js" not in html


def test_a_failed_jobs_page_lists_every_bad_cell(organization: Organization, mei: Any) -> None:
    error = {
        "code": "import_invalid",
        "message": "2 cells are wrong; nothing was imported.",
        "fields": {"Tasks!C3": ["Not a date."], "Tasks!D4": ["Unknown code 9.9."]},
    }
    job = JobFactory(organization=organization, requested_by=mei, status=JobStatus.FAILED, result_key="", error=error)

    html = page_client_for(mei).get(page(job)).content.decode()

    assert "2 cells are wrong; nothing was imported." in html
    assert '<code>Tasks!C3</code></td><td class="user-text">Not a date.</td>' in html
    assert "Unknown code 9.9." in html


def test_the_result_page_gives_the_file_to_its_requester_only(organization: Organization, mei: Any) -> None:
    job = JobFactory(organization=organization, requested_by=mei)
    other = member(organization, OrgRole.PMO, username="pat").user
    admin = member(organization, OrgRole.ADMIN, username="ada").user

    response = page_client_for(mei).get(page(job, "result/"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"result"  # type: ignore[attr-defined]
    assert page_client_for(other).get(page(job, "result/")).status_code == 404
    assert page_client_for(other).get(page(job)).status_code == 404
    assert page_client_for(admin).get(page(job, "result/")).status_code == 200


def test_an_expired_result_is_not_offered_any_more(organization: Organization, mei: Any) -> None:
    job = JobFactory(organization=organization, requested_by=mei, expires_at=timezone.now() - dt.timedelta(seconds=1))
    client = page_client_for(mei)

    assert client.get(page(job, "result/")).status_code == 404
    html = client.get(page(job)).content.decode()
    assert "The result has expired and was deleted." in html
    assert "/result/" not in html


def test_the_jobs_page_lists_a_members_own_jobs_and_an_administrators_all(organization: Organization, mei: Any) -> None:
    mine = JobFactory(organization=organization, requested_by=mei)
    theirs = JobFactory(organization=organization)
    JobFactory(organization=OrganizationFactory(slug="rival"))
    admin = member(organization, OrgRole.ADMIN, username="ada", language="en").user

    html = page_client_for(mei).get("/o/acme/jobs/").content.decode()
    assert f'id="job-{mine.pk}"' in html
    assert f'id="job-{theirs.pk}"' not in html
    assert "My jobs" in html
    html = page_client_for(admin).get("/o/acme/jobs/").content.decode()
    assert f'id="job-{mine.pk}"' in html
    assert f'id="job-{theirs.pk}"' in html


def test_the_jobs_pages_speak_chinese(organization: Organization) -> None:
    zh = member(organization, OrgRole.MEMBER, username="li", language="zh-hans").user
    job = JobFactory(organization=organization, requested_by=zh, status=JobStatus.QUEUED, finished_at=None)

    assert "我的任务" in page_client_for(zh).get("/o/acme/jobs/").content.decode()
    assert "排队中" in page_client_for(zh).get(page(job)).content.decode()


# --- job_page_response ---


def respond(job: Job) -> Any:
    return job_page_response(RequestFactory().post("/"), job)


def test_a_page_answers_a_done_job_with_its_file(organization: Organization) -> None:
    job = JobFactory(organization=organization)
    assert respond(job).url == f"/o/acme/jobs/{job.pk}/result/"


def test_a_page_answers_a_done_job_with_a_link_by_going_there(organization: Organization) -> None:
    job = JobFactory(organization=organization, result_key="", link="/o/acme/projects/7/")
    assert respond(job).url == "/o/acme/projects/7/"


def test_a_page_answers_a_pending_job_with_its_page(organization: Organization) -> None:
    job = JobFactory(organization=organization, status=JobStatus.RUNNING, finished_at=None)
    assert respond(job).url == f"/o/acme/jobs/{job.pk}/"


def test_a_page_leaves_a_failed_job_to_the_view(organization: Organization) -> None:
    job = JobFactory(organization=organization, status=JobStatus.FAILED, result_key="", error={"message": "x"})
    assert respond(job) is None
