"""The printed project summary: plan, Gantt, earned value with the S-curve, the risks' heat map and the
quality figures, from the project's page and the API."""

from __future__ import annotations

import pytest

from pmo.models import Organization, OrgRole
from tests.conftest import api_client_for, page_client_for
from tests.factories import member
from tests.pdf_support import pdf_text
from tests.projects.test_control_support import Plan, build_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(organization: Organization) -> Plan:
    return build_plan(organization)


def test_the_overview_links_the_summary_whose_pdf_has_every_part(plan: Plan) -> None:
    client = page_client_for(plan.manager.user)
    overview = client.get(f"/o/acme/projects/{plan.project.pk}/").content.decode()
    url = f"/o/acme/projects/{plan.project.pk}/summary-pdf/"
    assert f'href="{url}"' in overview
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Project summary PRJ-1" in text
    for part in ("Plan", "Milestones", "Gantt chart", "Earned value", "Risks", "Quality"):
        assert part in text
    assert "Foundations" in text  # a WBS row (and a Gantt label)
    assert "Budget at completion (BAC)" in text
    assert "4,000.00" in text  # the baseline's budget at completion


def test_the_api_gives_the_summary_and_another_organisation_gets_404(
    plan: Plan, other_organization: Organization
) -> None:
    url = f"/api/v1/orgs/acme/projects/{plan.project.pk}/summary-pdf/"
    response = api_client_for(plan.admin.user).get(url, HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    stranger = member(other_organization, OrgRole.ADMIN).user
    assert api_client_for(stranger).get(url).status_code == 404
    assert page_client_for(stranger).get(f"/o/acme/projects/{plan.project.pk}/summary-pdf/").status_code == 404


def test_a_large_projects_summary_prints_in_a_job_that_its_requester_downloads(
    plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dashboard import project_summary
    from pmo.jobs.services import job_execute
    from pmo.jobs.storage import read
    from pmo.models import Job

    monkeypatch.setattr(project_summary, "JOB_ABOVE_ELEMENTS", 2)
    response = api_client_for(plan.manager.user).get(
        f"/api/v1/orgs/acme/projects/{plan.project.pk}/summary-pdf/", HTTP_ACCEPT="application/pdf"
    )
    # The test's transaction is open, so the queued job waits for a worker: run it as one would.
    assert response.status_code == 202
    job = Job.objects.for_organization(plan.organization).get()
    assert response["Location"].endswith(f"/jobs/{job.pk}/")
    assert job.kind == "dashboard.project_summary_pdf"
    job_execute(organization_id=plan.organization.pk, job_id=job.pk, retry=False)
    job.refresh_from_db()
    assert job.status == "done"
    # In the requester's language (the manager's profile: Chinese), which the job kept.
    assert "项目摘要 PRJ-1" in pdf_text(read(job.result_key))
