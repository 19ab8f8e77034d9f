"""The risk analysis pages: run an analysis, read its results, edit three-point estimates; both languages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from pmo.models import Organization, OrgRole
from projects.models import Project, WbsElement
from risks.models import MonteCarloRun, RunStatus, TaskEstimate
from tests.conftest import page_client_for
from tests.factories import MonteCarloRunFactory, ProjectFactory, member
from tests.risks.test_analysis_services import build_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(organization: Organization) -> tuple[Project, dict[str, WbsElement]]:
    return build_plan(organization, member(organization, OrgRole.PROJECT_MANAGER, username="pam"))


def client_with(organization: Organization, role: str, language: str = "en") -> Client:
    client = page_client_for(member(organization, role, language=language).user)
    return client


def page(project: Project, suffix: str = "") -> str:
    return f"/o/acme/projects/{project.pk}/risk-analysis/{suffix}"


def test_a_risk_manager_runs_an_analysis_and_reads_p80_with_charts(
    organization: Organization,
    plan: tuple[Project, dict[str, WbsElement]],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    project, _tasks = plan
    client = client_with(organization, OrgRole.RISK)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page(project), {"iterations": 500, "seed": 3})

    assert response.status_code == 302
    run = MonteCarloRun.objects.for_organization(organization).get()
    assert run.status == RunStatus.DONE
    html = client.get(page(project)).content.decode()
    assert "P80 (confidence level)" in html
    assert run.confident_finish is not None
    assert run.confident_finish.isoformat() in html
    assert html.count('class="mc-chart"') == 3  # finish, cost, tornado
    assert "Criticality index" in html
    assert 'http-equiv="refresh"' not in html


def test_the_page_refreshes_itself_while_a_run_is_queued_and_shows_its_progress(
    organization: Organization, plan: tuple[Project, dict[str, WbsElement]]
) -> None:
    project, _tasks = plan
    MonteCarloRunFactory(project=project, status=RunStatus.RUNNING, progress=40, results={})
    client = client_with(organization, OrgRole.VIEWER)

    html = client.get(page(project)).content.decode()

    assert 'http-equiv="refresh"' in html
    assert '<progress max="100" value="40"' in html
    assert "Run an analysis" not in html


def test_the_page_reads_in_chinese(
    organization: Organization,
    plan: tuple[Project, dict[str, WbsElement]],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    project, _tasks = plan
    client = client_with(organization, OrgRole.RISK, language="zh-hans")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(page(project), {"iterations": 200, "seed": 1})

    html = client.get(page(project)).content.decode()

    assert "风险分析" in html
    assert "关键性指数" in html


def test_a_viewer_sees_results_but_no_run_form_and_cannot_post(
    organization: Organization, plan: tuple[Project, dict[str, WbsElement]]
) -> None:
    project, _tasks = plan
    client = client_with(organization, OrgRole.VIEWER)

    html = client.get(page(project)).content.decode()

    assert "No analysis has been run for this project yet." in html
    assert "Run an analysis" not in html
    assert client.post(page(project), {"iterations": 500}).status_code == 403
    assert not MonteCarloRun.objects.for_organization(organization).exists()


def test_bad_iterations_are_refused_beside_the_field(
    organization: Organization, plan: tuple[Project, dict[str, WbsElement]]
) -> None:
    project, _tasks = plan
    client = client_with(organization, OrgRole.RISK)

    response = client.post(page(project), {"iterations": 5})

    assert response.status_code == 400
    assert "field-error" in response.content.decode()
    assert not MonteCarloRun.objects.for_organization(organization).exists()


def test_another_organisations_project_answers_404(
    organization: Organization, other_organization: Organization
) -> None:
    theirs = ProjectFactory(organization=other_organization)
    client = client_with(organization, OrgRole.RISK)

    assert client.get(page(theirs)).status_code == 404
    assert client.get(page(theirs, "estimates/")).status_code == 404


def test_the_analysis_page_reads_in_a_fixed_number_of_queries(
    organization: Organization,
    plan: tuple[Project, dict[str, WbsElement]],
    django_assert_max_num_queries: Callable[..., Any],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    project, _tasks = plan
    client = client_with(organization, OrgRole.RISK)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(page(project), {"iterations": 200, "seed": 1})
    client.get(page(project))

    with django_assert_max_num_queries(20) as few:
        client.get(page(project))
    MonteCarloRunFactory.create_batch(6, project=project, status=RunStatus.FAILED, results={})
    with django_assert_max_num_queries(20) as many:
        client.get(page(project))

    assert len(many.captured_queries) == len(few.captured_queries)


def test_estimates_page_lists_every_task_with_its_points_and_sets_a_branch(
    organization: Organization, plan: tuple[Project, dict[str, WbsElement]]
) -> None:
    project, tasks = plan
    client = client_with(organization, OrgRole.RISK)

    html = client.get(page(project, "estimates/")).content.decode()
    assert "9 / 10 / 12.5" in html  # Clear: the defaults, -10 % / +25 %
    response = client.post(
        page(project, "estimates/"),
        {"op": "bulk", "branch": str(tasks["site"].pk), "optimistic_percent": 10, "pessimistic_percent": 25},
    )

    assert response.status_code == 302
    assert TaskEstimate.objects.for_organization(organization).count() == 2
    html = client.get(page(project, "estimates/")).content.decode()
    assert "9 / 10 / 13" in html
    client.post(
        page(project, "estimates/"), {"op": "clear", "branch": "", "optimistic_percent": 0, "pessimistic_percent": 0}
    )
    assert not TaskEstimate.objects.for_organization(organization).exists()


def test_the_estimates_page_reads_in_a_fixed_number_of_queries(
    organization: Organization,
    plan: tuple[Project, dict[str, WbsElement]],
    django_assert_max_num_queries: Callable[..., Any],
) -> None:
    project, _tasks = plan
    client = client_with(organization, OrgRole.RISK)
    client.get(page(project, "estimates/"))
    with django_assert_max_num_queries(20) as few:
        client.get(page(project, "estimates/"))
    pm = member(organization, OrgRole.PROJECT_MANAGER)
    from tests.projects.helpers import add_task

    for number in range(5):
        add_task(project, f"Extra {number}", actor=pm)
    with django_assert_max_num_queries(20) as many:
        client.get(page(project, "estimates/"))

    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_task_estimate_is_edited_refused_when_out_of_order_and_cleared(
    organization: Organization, plan: tuple[Project, dict[str, WbsElement]]
) -> None:
    project, tasks = plan
    client = client_with(organization, OrgRole.RISK)
    url = page(project, f"estimates/{tasks['clear'].pk}/")
    body = {
        "optimistic_days": 8,
        "likely_days": 10,
        "pessimistic_days": 16,
        "optimistic_cost": "8000",
        "likely_cost": "10000",
        "pessimistic_cost": "16000",
    }

    assert 'value="9"' in client.get(url).content.decode()  # the default, rounded half up
    bad = client.post(url, {**body, "optimistic_days": 12})
    assert bad.status_code == 400
    assert "Optimistic ≤ most likely ≤ pessimistic duration." in bad.content.decode()
    assert not TaskEstimate.objects.for_organization(organization).exists()
    assert client.post(url, body).status_code == 302
    assert TaskEstimate.objects.for_organization(organization).get().pessimistic_days == 16
    assert client.post(url, {"op": "clear"}).status_code == 302
    assert not TaskEstimate.objects.for_organization(organization).exists()
    # A summary has no points of its own: its page leads to the list (set by branch there); writes find nothing.
    summary = page(project, f"estimates/{tasks['site'].pk}/")
    assert client.get(summary).url == page(project, "estimates/")
    assert client.post(summary, {"optimistic_days": 1, "likely_days": 2, "pessimistic_days": 3}).status_code == 404
