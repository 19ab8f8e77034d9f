"""Leveling as a job: the engine reports its progress without changing its result; over more than
PMO_LEVELING_JOB_ABOVE tasks the page and the API start the job ``resources.leveling_compute`` (the page
goes to the job's page, the API answers 202 with the job), at or below it they compute in the request as
before; the job computes as its requester, checked again, and ends with the proposal or the error."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from pmo.jobs import job_kinds, job_start
from pmo.jobs.services import job_execute
from pmo.models import Job, JobStatus, Membership, Organization, OrgRole
from projects.models import ProjectMember
from resources import leveling_jobs
from resources.leveling import level, result_as_json
from resources.models import LevelingRun
from resources.services.leveling import leveling_compute
from tests.conftest import api_client_for, page_client_for
from tests.factories import OrganizationFactory, member
from tests.resources.leveling_support import Plan, day, person, planner, within_float_plan
from tests.resources.test_leveling_engine import random_problem

pytestmark = pytest.mark.django_db
CaptureCommits = Callable[..., Any]
PERIOD = {"start": "2026-03-02", "finish": "2026-06-30"}


@pytest.fixture
def pm(organization: Organization) -> Membership:
    return planner(organization)


@pytest.fixture
def built(organization: Organization, pm: Membership) -> Plan:
    """Three tasks, A with float: leveling delays A by five days."""
    return within_float_plan(organization, pm, person(organization))


def api_url(organization: Organization) -> str:
    return f"/api/v1/orgs/{organization.slug}/leveling-runs/"


def jobs_of(organization: Organization) -> list[Job]:
    return list(Job.objects.for_organization(organization).filter(kind=leveling_jobs.COMPUTE).order_by("pk"))


def queued_job(organization: Organization, pm: Membership, built: Plan, capture: CaptureCommits) -> Job:
    """A leveling job started from the API and not run yet (its worker has not taken it)."""
    with override_settings(PMO_LEVELING_JOB_ABOVE=2), capture(execute=False):
        response = api_client_for(pm.user).post(
            api_url(organization), {"projects": [built.project.pk], **PERIOD}, format="json", HTTP_ACCEPT_LANGUAGE="en"
        )
    assert response.status_code == 202, response.content
    (job,) = jobs_of(organization)
    return job


def run_job(job: Job) -> Job:
    job_execute(organization_id=job.organization_id, job_id=job.pk, retry=False)
    job.refresh_from_db()
    return job


# --- the engine's progress ---


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("beyond", [False, True])
def test_the_engine_reports_its_progress_up_to_the_end_and_levels_the_same(seed: int, beyond: bool) -> None:
    problem = replace(random_problem(seed), allow_beyond_float=beyond)
    calls: list[tuple[int, int]] = []

    followed = level(problem, lambda done, total: calls.append((done, total)))

    assert result_as_json(followed) == result_as_json(level(problem))
    (total,) = {total for _done, total in calls}
    done = [done for done, _total in calls]
    assert done == sorted(set(done))  # forward only, never the same twice
    assert done[-1] == total
    assert len(calls) <= 101  # a step is at least 1 %
    assert calls[0][0] <= total // 2  # it says something before the end


def test_the_service_passes_the_progress_on_and_keeps_the_same_proposal(
    organization: Organization, pm: Membership, built: Plan
) -> None:
    calls: list[tuple[int, int]] = []
    kwargs: dict[str, Any] = {
        "actor": pm.user,
        "organization": organization,
        "projects": [built.project],
        "start": day(0),
        "finish": day(60),
    }

    followed = leveling_compute(**kwargs, progress=lambda done, total: calls.append((done, total)))

    assert followed.result == leveling_compute(**kwargs).result
    assert calls
    assert calls[-1][0] == calls[-1][1]


# --- the threshold ---


@override_settings(PMO_LEVELING_JOB_ABOVE=3)
def test_the_api_computes_in_the_request_up_to_the_threshold(
    organization: Organization, pm: Membership, built: Plan
) -> None:
    response = api_client_for(pm.user).post(
        api_url(organization), {"projects": [built.project.pk], **PERIOD}, format="json"
    )

    assert response.status_code == 201, response.content
    assert response.json()["delayed_count"] == 1
    assert not jobs_of(organization)


@override_settings(PMO_LEVELING_JOB_ABOVE=2)
def test_above_the_threshold_the_api_answers_202_with_the_job_which_ends_with_the_proposal(
    organization: Organization, pm: Membership, built: Plan, django_capture_on_commit_callbacks: CaptureCommits
) -> None:
    client = api_client_for(pm.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            api_url(organization),
            {"projects": [built.project.pk], "allow_beyond_float": True, **PERIOD},
            format="json",
            HTTP_ACCEPT_LANGUAGE="en",
        )

    assert response.status_code == 202, response.content
    (job,) = jobs_of(organization)
    assert (response.json()["kind"], response.json()["status"], response.json()["percent"]) == (
        leveling_jobs.COMPUTE,
        "queued",
        0,
    )
    assert response["Location"] == f"/api/v1/orgs/{organization.slug}/jobs/{job.pk}/"
    assert job.payload == {
        "projects": [built.project.pk],
        "start": "2026-03-02",
        "finish": "2026-06-30",
        "allow_beyond_float": True,
        "in_project": None,
    }
    followed = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").json()
    run = LevelingRun.objects.for_organization(organization).get()
    assert (followed["status"], followed["percent"]) == ("done", 100)
    assert followed["report"]["run"] == {
        "id": run.pk,
        "url": f"{api_url(organization)}{run.pk}/",
        "delayed_count": 1,
        "before_count": 3,
        "after_count": 0,
    }
    assert followed["report"]["counts"] == {
        "Tasks delayed": 1,
        "Tasks with new dates": 1,
        "Over-allocated days, before → after": "3 → 0",
    }
    assert followed["link"] == reverse("org-resource-leveling-run", args=[organization.slug, run.pk])
    assert (run.created_by, run.allow_beyond_float, run.projects) == (pm.user, True, [built.project.pk])
    assert client.get(followed["report"]["run"]["url"]).json()["result"]["moves"][0]["name"] == "A"


@override_settings(PMO_LEVELING_JOB_ABOVE=2)
def test_above_the_threshold_what_the_job_would_refuse_is_refused_at_once(
    organization: Organization, pm: Membership, built: Plan
) -> None:
    office_only = within_float_plan(
        organization, planner(organization, "other-pm"), person(organization, "R2"), code="P-2"
    )
    client = api_client_for(pm.user)

    bad_period = client.post(
        api_url(organization),
        {"projects": [built.project.pk], "start": "2026-03-02", "finish": "2032-03-02"},
        format="json",
    )
    not_theirs = client.post(
        api_url(organization), {"projects": [built.project.pk, office_only.project.pk], **PERIOD}, format="json"
    )

    assert (bad_period.status_code, bad_period.json()["error"]["fields"].keys()) == (400, {"finish"})
    assert (not_theirs.status_code, not_theirs.json()["error"]["code"]) == (403, "permission_denied")
    assert not jobs_of(organization)


@override_settings(PMO_LEVELING_JOB_ABOVE=3)
def test_the_page_computes_in_the_request_up_to_the_threshold(
    organization: Organization, pm: Membership, built: Plan
) -> None:
    response = page_client_for(pm.user).post(
        reverse("org-resource-leveling", args=[organization.slug]), {"projects": [str(built.project.pk)], **PERIOD}
    )

    run = LevelingRun.objects.for_organization(organization).get()
    assert response["Location"] == reverse("org-resource-leveling-run", args=[organization.slug, run.pk])
    assert not jobs_of(organization)


@override_settings(PMO_LEVELING_JOB_ABOVE=2)
def test_above_the_threshold_the_page_goes_to_the_jobs_page_which_links_to_the_proposal(
    organization: Organization, pm: Membership, built: Plan, django_capture_on_commit_callbacks: CaptureCommits
) -> None:
    client = page_client_for(pm.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("org-resource-leveling", args=[organization.slug]),
            {"projects": [str(built.project.pk)], **PERIOD},
        )

    (job,) = jobs_of(organization)
    assert response.status_code == 302
    assert response["Location"] == reverse("org-job", args=[organization.slug, job.pk])
    body = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    run = LevelingRun.objects.for_organization(organization).get()
    run_url = reverse("org-resource-leveling-run", args=[organization.slug, run.pk])
    assert f'id="job-link" href="{run_url}"' in body
    assert "Resource leveling proposal" in body
    assert "Tasks delayed" in body
    assert "{&#x27;" not in body  # the run's id and URL are for the API, not shown as a fact
    assert client.get(run_url).status_code == 200


@override_settings(PMO_LEVELING_JOB_ABOVE=2)
def test_a_job_from_a_projects_page_links_to_the_proposal_on_that_page(
    organization: Organization, pm: Membership, built: Plan, django_capture_on_commit_callbacks: CaptureCommits
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        page_client_for(pm.user).post(
            reverse("project-resource-leveling", args=[organization.slug, built.project.pk]), PERIOD
        )

    (job,) = jobs_of(organization)
    job.refresh_from_db()
    run = LevelingRun.objects.for_organization(organization).get()
    assert (job.status, job.link) == (
        JobStatus.DONE,
        reverse("project-resource-leveling-run", args=[organization.slug, built.project.pk, run.pk]),
    )


@override_settings(PMO_LEVELING_JOB_ABOVE=2)
def test_a_job_that_already_ran_sends_the_page_to_the_proposal(
    organization: Organization, pm: Membership, built: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Eager Celery outside a transaction (the quick start): the job has run when job_start returns.
    import pmo.jobs.services as job_services

    monkeypatch.setattr(
        job_services,
        "queue_on_commit",
        lambda task, **kwargs: job_services.job_execute(retry=False, **kwargs),
    )

    response = page_client_for(pm.user).post(
        reverse("org-resource-leveling", args=[organization.slug]), {"projects": [str(built.project.pk)], **PERIOD}
    )

    run = LevelingRun.objects.for_organization(organization).get()
    assert response["Location"] == reverse("org-resource-leveling-run", args=[organization.slug, run.pk])


# --- the job ---


def test_the_job_checks_its_requester_again_and_fails_with_the_services_message(
    organization: Organization, pm: Membership, built: Plan, django_capture_on_commit_callbacks: CaptureCommits
) -> None:
    job = queued_job(organization, pm, built, django_capture_on_commit_callbacks)
    # Taken off the project before a worker took the job.
    ProjectMember.objects.for_organization(organization).filter(user=pm.user).delete()

    job = run_job(job)

    assert job.status == JobStatus.FAILED
    assert job.error["code"] == "permission_denied"
    assert job.error["message"].startswith("Leveling needs the resource office")
    assert not LevelingRun.objects.for_organization(organization).exists()
    answer = api_client_for(pm.user).get(f"/api/v1/orgs/{organization.slug}/jobs/{job.pk}/").json()
    assert (answer["status"], answer["error"]["code"]) == ("failed", "permission_denied")


def test_a_project_gone_before_the_job_ran_fails_it_with_not_found(
    organization: Organization, pm: Membership, built: Plan, django_capture_on_commit_callbacks: CaptureCommits
) -> None:
    job = queued_job(organization, pm, built, django_capture_on_commit_callbacks)
    built.project.delete()

    job = run_job(job)

    assert (job.status, job.error["code"]) == (JobStatus.FAILED, "not_found")
    assert job.error["fields"] == {"projects": ["Some of these projects were not found."]}


def test_a_bad_period_fails_the_job_with_the_message(organization: Organization, pm: Membership, built: Plan) -> None:
    with translation.override("en"):
        job = job_start(
            kind=leveling_jobs.COMPUTE,
            organization=organization,
            requested_by=pm.user,
            payload={"projects": [built.project.pk], "start": "2026-06-30", "finish": "2026-03-02"},
            inline=True,
        )

    assert (job.status, job.error["code"]) == (JobStatus.FAILED, "invalid")
    assert job.error["message"] == "The period ends before it starts."


@override_settings(PMO_LEVELING_JOB_ABOVE=2)
def test_a_job_that_failed_at_once_shows_its_error_on_the_form(
    organization: Organization, pm: Membership, built: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pmo.jobs.services as job_services

    def lose_the_role_then_run(task: Any, **kwargs: Any) -> None:
        ProjectMember.objects.for_organization(organization).filter(user=pm.user).delete()
        job_services.job_execute(retry=False, **kwargs)

    monkeypatch.setattr(job_services, "queue_on_commit", lose_the_role_then_run)

    response = page_client_for(pm.user).post(
        reverse("org-resource-leveling", args=[organization.slug]),
        {"projects": [str(built.project.pk)], **PERIOD},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert "Leveling needs the resource office" in response.content.decode()


def test_another_organisations_member_gets_404_for_the_job(
    organization: Organization, pm: Membership, built: Plan, django_capture_on_commit_callbacks: CaptureCommits
) -> None:
    job = queued_job(organization, pm, built, django_capture_on_commit_callbacks)
    other = OrganizationFactory(slug="other")
    stranger = member(other, OrgRole.ADMIN, username="stranger").user

    assert api_client_for(stranger).get(f"/api/v1/orgs/other/jobs/{job.pk}/").status_code == 404
    assert page_client_for(stranger).get(reverse("org-job", args=["other", job.pk])).status_code == 404
    colleague = member(organization, OrgRole.PROJECT_MANAGER, username="colleague").user
    assert api_client_for(colleague).get(f"/api/v1/orgs/{organization.slug}/jobs/{job.pk}/").status_code == 404


def test_the_leveling_kind_is_registered_with_a_label_in_both_languages() -> None:
    with translation.override("en"):
        assert job_kinds.label(leveling_jobs.COMPUTE) == "Resource leveling proposal"
    with translation.override("zh-hans"):
        assert job_kinds.label(leveling_jobs.COMPUTE) == "资源平衡方案"
