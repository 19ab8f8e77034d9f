"""The jobs' API: one's own jobs (all of them for administrators), a job's resource, its result for its
requester and the administrators only, and the uniform answer of views that start a job."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.decorators import api_view
from rest_framework.test import APIRequestFactory

from pmo.api.jobs import JobSerializer
from pmo.jobs import JobKind, JobOutcome, job_api_response, job_kinds
from pmo.models import Job, JobStatus, Organization, OrgRole
from tests.conftest import api_client_for
from tests.factories import JobFactory, OrganizationFactory, member

pytestmark = pytest.mark.django_db

KIND = "tests.job"


@pytest.fixture(autouse=True)
def kind() -> Iterator[None]:
    job_kinds.register(JobKind(KIND, "Test export", lambda context: JobOutcome()))
    yield
    job_kinds.unregister(KIND)


@pytest.fixture
def mei(organization: Organization) -> Any:
    return member(organization, OrgRole.PROJECT_MANAGER, username="mei").user


def url(job: Job, suffix: str = "") -> str:
    return f"/api/v1/orgs/{job.organization.slug}/jobs/{job.pk}/{suffix}"


def test_a_job_resource_says_its_status_progress_and_where_its_result_is(organization: Organization, mei: Any) -> None:
    job = JobFactory(organization=organization, requested_by=mei, report={"counts": {"tasks": 12}})

    body = api_client_for(mei).get(url(job)).json()

    assert body["id"] == job.pk
    assert (body["kind"], body["kind_label"], body["status"], body["percent"]) == (KIND, "Test export", "done", 100)
    assert body["report"] == {"counts": {"tasks": 12}}
    assert body["error"] is None
    assert body["result_url"] == f"/api/v1/orgs/acme/jobs/{job.pk}/result/"
    assert body["requested_by"]["username"] == "mei"
    for key in ("created_at", "started_at", "finished_at", "expires_at", "link", "result_name"):
        assert key in body


def test_the_requester_fetches_the_result_file(organization: Organization, mei: Any) -> None:
    job = JobFactory(organization=organization, requested_by=mei)

    response = api_client_for(mei).get(url(job, "result/"))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"result"  # type: ignore[attr-defined]
    assert response["Content-Type"] == "text/plain"
    assert 'attachment; filename="result.txt"' in response["Content-Disposition"]


def test_another_member_gets_404_for_the_job_and_its_result(organization: Organization, mei: Any) -> None:
    job = JobFactory(organization=organization, requested_by=mei)
    pmo = member(organization, OrgRole.PMO, username="pat").user
    client = api_client_for(pmo)

    assert client.get(url(job)).status_code == 404
    assert client.get(url(job, "result/")).status_code == 404


def test_an_administrator_sees_and_fetches_every_members_job(organization: Organization, mei: Any) -> None:
    job = JobFactory(organization=organization, requested_by=mei)
    admin = member(organization, OrgRole.ADMIN, username="ada").user
    client = api_client_for(admin)

    assert client.get(url(job)).status_code == 200
    assert client.get(url(job, "result/")).status_code == 200


def test_a_member_of_another_organisation_gets_404(organization: Organization, mei: Any) -> None:
    job = JobFactory(organization=organization, requested_by=mei)
    rival = OrganizationFactory(slug="rival")
    outsider = member(rival, OrgRole.ADMIN, username="rex").user
    client = api_client_for(outsider)

    assert client.get(url(job)).status_code == 404
    assert client.get(f"/api/v1/orgs/rival/jobs/{job.pk}/result/").status_code == 404


def test_an_expired_result_is_gone_and_a_pruned_one_not_found(organization: Organization, mei: Any) -> None:
    job = JobFactory(organization=organization, requested_by=mei, expires_at=timezone.now() - dt.timedelta(seconds=1))
    client = api_client_for(mei)

    response = client.get(url(job, "result/"))
    assert response.status_code == 410
    assert response.json()["error"]["code"] == "job_expired"
    job.delete()
    assert client.get(url(job, "result/")).status_code == 404


def test_a_job_without_a_result_file_has_none_to_fetch(organization: Organization, mei: Any) -> None:
    job = JobFactory(organization=organization, requested_by=mei, result_key="", result_name="")
    client = api_client_for(mei)

    assert client.get(url(job)).json()["result_url"] is None
    assert client.get(url(job, "result/")).status_code == 404


def test_the_list_shows_a_member_their_own_jobs_newest_first(organization: Organization, mei: Any) -> None:
    older = JobFactory(organization=organization, requested_by=mei, created_at=timezone.now() - dt.timedelta(hours=1))
    newer = JobFactory(organization=organization, requested_by=mei)
    JobFactory(organization=organization)  # someone else's

    body = api_client_for(mei).get("/api/v1/orgs/acme/jobs/").json()

    assert [row["id"] for row in body["results"]] == [newer.pk, older.pk]


def test_the_list_shows_an_administrator_every_job(organization: Organization, mei: Any) -> None:
    JobFactory.create_batch(2, organization=organization, requested_by=mei)
    JobFactory(organization=organization)
    JobFactory(organization=OrganizationFactory(slug="rival"))
    admin = member(organization, OrgRole.ADMIN, username="ada").user

    assert api_client_for(admin).get("/api/v1/orgs/acme/jobs/").json()["count"] == 3


def test_the_list_answers_what_the_serializer_declares(organization: Organization, mei: Any) -> None:
    JobFactory(organization=organization, requested_by=mei, report={"messages": ["ok"]})
    JobFactory(
        organization=organization,
        requested_by=mei,
        status=JobStatus.FAILED,
        result_key="",
        error={"code": "import_invalid", "message": "Bad", "fields": {"Tasks!A2": ["Duplicate code."]}},
    )
    JobFactory(organization=organization, requested_by=mei, status=JobStatus.RUNNING, finished_at=None, percent=40)
    rows = Job.objects.for_organization(organization).select_related("organization", "requested_by")
    rows = rows.order_by("-created_at", "-id")

    body = api_client_for(mei).get("/api/v1/orgs/acme/jobs/").json()

    assert body["results"] == JobSerializer(rows, many=True).data


def test_the_list_reads_in_a_fixed_number_of_queries(
    organization: Organization, mei: Any, django_assert_num_queries: Any
) -> None:
    client = api_client_for(mei)
    JobFactory(organization=organization, requested_by=mei)
    client.get("/api/v1/orgs/acme/jobs/")  # warm the caches
    JobFactory.create_batch(5, organization=organization, requested_by=mei)

    # The membership, the page's count and the page's rows.
    with django_assert_num_queries(3):
        response = client.get("/api/v1/orgs/acme/jobs/")
    assert response.json()["count"] == 6


# --- job_api_response ---


def answer(job: Job, user: Any) -> Any:
    @api_view(["POST"])
    def view(request: Any) -> Any:
        return job_api_response(request, job)

    request = APIRequestFactory().post("/api/v1/orgs/acme/whatever/")
    request.user = user
    from rest_framework.test import force_authenticate

    force_authenticate(request, user=user)
    return view(request)


def test_a_view_answers_a_done_job_with_its_file(organization: Organization, mei: Any) -> None:
    response = answer(JobFactory(organization=organization, requested_by=mei), mei)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"result"


def test_a_view_answers_a_done_job_without_file_with_the_job(organization: Organization, mei: Any) -> None:
    job = JobFactory(organization=organization, requested_by=mei, result_key="", report={"counts": {"rows": 2}})
    response = answer(job, mei)

    assert response.status_code == 200
    assert response.data["report"] == {"counts": {"rows": 2}}


def test_a_view_answers_a_pending_job_with_202_and_where_to_follow_it(organization: Organization, mei: Any) -> None:
    job = JobFactory(organization=organization, requested_by=mei, status=JobStatus.QUEUED, finished_at=None)
    response = answer(job, mei)

    assert response.status_code == 202
    assert response["Location"] == f"/api/v1/orgs/acme/jobs/{job.pk}/"
    assert response.data["status"] == "queued"


def test_a_view_answers_a_failed_job_with_400_and_its_error(organization: Organization, mei: Any) -> None:
    error = {"code": "import_invalid", "message": "1 bad cell.", "fields": {"Tasks!C3": ["Not a date."]}}
    job = JobFactory(organization=organization, requested_by=mei, status=JobStatus.FAILED, result_key="", error=error)
    response = answer(job, mei)
    response.render()

    assert response.status_code == 400
    assert response.data == {"error": error}
