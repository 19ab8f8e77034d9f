"""Monte Carlo runs and three-point estimates over the API: request, join, results, estimates, access, queries."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import QuerySet
from rest_framework.test import APIClient

from pmo.models import Organization, OrgRole
from projects.models import Project, WbsElement
from risks.api.analysis import MonteCarloRunSerializer, TaskEstimateSerializer
from risks.models import MonteCarloRun, RunStatus, TaskEstimate
from tests.conftest import api_client_for
from tests.factories import (
    MonteCarloRunFactory,
    ProjectFactory,
    ProjectMemberFactory,
    TaskEstimateFactory,
    WbsElementFactory,
    member,
)
from tests.risks.test_analysis_services import build_plan

pytestmark = pytest.mark.django_db
BASE = "/api/v1/orgs/acme"


@pytest.fixture
def risk_client(organization: Organization) -> APIClient:
    return api_client_for(member(organization, OrgRole.RISK, username="rita").user)


@pytest.fixture
def viewer_client(organization: Organization) -> APIClient:
    return api_client_for(member(organization, OrgRole.VIEWER, username="vera").user)


@pytest.fixture
def plan(organization: Organization) -> tuple[Project, dict[str, WbsElement]]:
    return build_plan(organization, member(organization, OrgRole.PROJECT_MANAGER, username="pam"))


def runs_url(project: Project, suffix: str = "") -> str:
    return f"{BASE}/projects/{project.pk}/risk-analyses/{suffix}"


def estimates_url(project: Project, suffix: str = "") -> str:
    return f"{BASE}/projects/{project.pk}/task-estimates/{suffix}"


def test_a_risk_manager_runs_an_analysis_and_reads_p80(
    risk_client: APIClient,
    plan: tuple[Project, dict[str, WbsElement]],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    project, _tasks = plan

    with django_capture_on_commit_callbacks(execute=True):
        response = risk_client.post(runs_url(project), {"iterations": 1000, "seed": 12}, format="json")

    assert response.status_code == 202, response.json()
    queued = response.json()
    assert (queued["status"], queued["iterations"], queued["seed"], queued["confidence"]) == ("queued", 1000, 12, 80)
    run = risk_client.get(runs_url(project, f"{queued['id']}/")).json()
    assert run["status"] == "done"
    assert run["progress"] == 100
    results = run["results"]
    assert run["confident_finish"] == results["finish"]["percentiles"]["80"] == results["confident_finish"]
    assert run["p50_finish"] == results["finish"]["percentiles"]["50"]
    assert results["iterations"] == 1000
    assert {bar["kind"] for bar in results["tornado"]} == {"task"}
    assert len(results["criticality"]) == 4
    inputs = risk_client.get(runs_url(project, f"{queued['id']}/inputs/")).json()
    assert [task["name"] for task in inputs["tasks"]] == ["Survey", "Clear", "Permits", "Build"]


def test_a_second_request_while_a_run_is_queued_answers_that_run(
    risk_client: APIClient, plan: tuple[Project, dict[str, WbsElement]]
) -> None:
    project, _tasks = plan
    first = risk_client.post(runs_url(project), {}, format="json")

    second = risk_client.post(runs_url(project), {"iterations": 2000}, format="json")

    assert (first.status_code, second.status_code) == (202, 202)
    assert second.json()["id"] == first.json()["id"]
    assert second.json()["iterations"] == 5000
    assert MonteCarloRun.objects.for_organization(project.organization_id).count() == 1


@pytest.mark.parametrize(
    "body",
    [{"iterations": 10}, {"iterations": 200_000}, {"seed": -4}, {"iterations": "many"}, {"colour": "red"}],
)
def test_a_bad_request_gets_a_clear_error_and_queues_nothing(
    risk_client: APIClient, plan: tuple[Project, dict[str, WbsElement]], body: dict[str, Any]
) -> None:
    project, _tasks = plan

    response = risk_client.post(runs_url(project), body, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"]
    assert not MonteCarloRun.objects.for_organization(project.organization_id).exists()


def test_a_viewer_reads_runs_but_cannot_run_or_estimate(
    viewer_client: APIClient, plan: tuple[Project, dict[str, WbsElement]]
) -> None:
    project, tasks = plan
    run = MonteCarloRunFactory(project=project, results={})

    assert viewer_client.get(runs_url(project)).status_code == 200
    assert viewer_client.get(runs_url(project, f"{run.pk}/")).json()["results"] is None
    assert viewer_client.post(runs_url(project), {}, format="json").status_code == 403
    assert viewer_client.get(estimates_url(project)).status_code == 200
    body = {"element": tasks["clear"].pk, **points(8, 10, 14)}
    assert viewer_client.post(estimates_url(project), body, format="json").status_code == 403
    assert not TaskEstimate.objects.for_organization(project.organization_id).exists()


def test_a_project_manager_of_the_project_may_run_it(
    organization: Organization, plan: tuple[Project, dict[str, WbsElement]]
) -> None:
    project, _tasks = plan
    manager = member(organization, OrgRole.MEMBER, username="mo")
    ProjectMemberFactory(project=project, user=manager.user, role="manager")

    response = api_client_for(manager.user).post(runs_url(project), {"iterations": 100}, format="json")

    assert response.status_code == 202


def test_another_organisations_runs_and_estimates_answer_404(
    organization: Organization, other_organization: Organization, risk_client: APIClient
) -> None:
    theirs = ProjectFactory(organization=other_organization)
    run = MonteCarloRunFactory(project=theirs)
    estimate = TaskEstimateFactory(element=WbsElementFactory(project=theirs))

    assert risk_client.get(runs_url(theirs)).status_code == 404
    assert risk_client.get(runs_url(theirs, f"{run.pk}/")).status_code == 404
    assert risk_client.post(runs_url(theirs), {}, format="json").status_code == 404
    assert risk_client.get(estimates_url(theirs, f"{estimate.pk}/")).status_code == 404
    assert risk_client.delete(estimates_url(theirs, f"{estimate.pk}/")).status_code == 404
    assert MonteCarloRun.objects.for_organization(other_organization).count() == 1


def test_a_run_of_another_project_of_the_organisation_answers_404(
    risk_client: APIClient, plan: tuple[Project, dict[str, WbsElement]]
) -> None:
    project, _tasks = plan
    elsewhere = MonteCarloRunFactory(project=ProjectFactory(organization=project.organization))

    assert risk_client.get(runs_url(project, f"{elsewhere.pk}/")).status_code == 404


def test_the_run_list_answers_what_the_serializer_declares_in_a_fixed_number_of_queries(
    risk_client: APIClient,
    plan: tuple[Project, dict[str, WbsElement]],
    django_assert_num_queries: Callable[..., Any],
) -> None:
    project, _tasks = plan
    MonteCarloRunFactory(project=project, status=RunStatus.DONE, confident_cost=Decimal("12.50"))
    url = runs_url(project)
    risk_client.get(url)

    with django_assert_num_queries(3):
        first = risk_client.get(url).json()
    MonteCarloRunFactory.create_batch(5, project=project, status=RunStatus.FAILED)
    with django_assert_num_queries(3):
        many = risk_client.get(url).json()

    assert first["count"] == 1
    assert many["count"] == 6
    runs: QuerySet[MonteCarloRun] = (
        MonteCarloRun.objects.for_organization(project.organization_id)
        .filter(project=project)
        .select_related("requested_by")
        .order_by("-requested_at", "-id")
    )
    assert many["results"] == MonteCarloRunSerializer(runs, many=True).data


def points(low: int, likely: int, high: int) -> dict[str, Any]:
    return {
        "optimistic_days": low,
        "likely_days": likely,
        "pessimistic_days": high,
        "optimistic_cost": f"{low * 1000}.00",
        "likely_cost": f"{likely * 1000}.00",
        "pessimistic_cost": f"{high * 1000}.00",
    }


def test_estimates_are_set_replaced_listed_and_cleared(
    risk_client: APIClient, plan: tuple[Project, dict[str, WbsElement]]
) -> None:
    project, tasks = plan

    created = risk_client.post(
        estimates_url(project), {"element": tasks["clear"].pk, **points(8, 10, 14)}, format="json"
    )
    assert created.status_code == 200, created.json()
    estimate = created.json()
    assert (estimate["element"], estimate["element_code"], estimate["pessimistic_days"]) == (
        tasks["clear"].pk,
        tasks["clear"].code,
        14,
    )
    replaced = risk_client.put(estimates_url(project, f"{estimate['id']}/"), points(9, 10, 20), format="json")
    assert replaced.json()["pessimistic_cost"] == "20000.00"
    listed = risk_client.get(estimates_url(project)).json()
    assert [row["element"] for row in listed["results"]] == [tasks["clear"].pk]

    assert risk_client.delete(estimates_url(project, f"{estimate['id']}/")).status_code == 204
    assert risk_client.get(estimates_url(project)).json()["count"] == 0


@pytest.mark.parametrize(
    "change",
    [{"optimistic_days": 11}, {"likely_cost": "1.005"}, {"pessimistic_days": -1}, {"element": None}, {"extra": 1}],
)
def test_bad_estimates_get_a_clear_error_and_change_nothing(
    risk_client: APIClient, plan: tuple[Project, dict[str, WbsElement]], change: dict[str, Any]
) -> None:
    project, tasks = plan

    response = risk_client.post(
        estimates_url(project), {"element": tasks["clear"].pk, **points(8, 10, 14), **change}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["message"]
    assert not TaskEstimate.objects.for_organization(project.organization_id).exists()


def test_a_task_of_another_project_cannot_be_estimated_here(
    risk_client: APIClient, plan: tuple[Project, dict[str, WbsElement]]
) -> None:
    project, _tasks = plan
    stranger = WbsElementFactory(project=ProjectFactory(organization=project.organization))

    response = risk_client.post(estimates_url(project), {"element": stranger.pk, **points(1, 1, 1)}, format="json")

    assert response.status_code == 400
    assert "element" in response.json()["error"]["fields"]


def test_estimates_are_set_and_cleared_in_bulk_by_branch(
    risk_client: APIClient, plan: tuple[Project, dict[str, WbsElement]]
) -> None:
    project, tasks = plan

    response = risk_client.post(
        estimates_url(project, "bulk/"),
        {"branch": tasks["site"].pk, "optimistic_percent": 10, "pessimistic_percent": 25},
        format="json",
    )

    assert response.json() == {"count": 2}
    rows = risk_client.get(estimates_url(project)).json()["results"]
    assert [(row["element_name"], row["optimistic_days"], row["pessimistic_days"]) for row in rows] == [
        ("Survey", 3, 4),
        ("Clear", 9, 13),
    ]
    everything = risk_client.post(
        estimates_url(project, "bulk/"), {"optimistic_percent": 0, "pessimistic_percent": 100}, format="json"
    )
    assert everything.json() == {"count": 4}
    bad = risk_client.post(
        estimates_url(project, "bulk/"), {"optimistic_percent": 100, "pessimistic_percent": 25}, format="json"
    )
    assert bad.status_code == 400
    cleared = risk_client.post(estimates_url(project, "clear/"), {"branch": tasks["site"].pk}, format="json")
    assert cleared.json() == {"count": 2}
    assert risk_client.get(estimates_url(project)).json()["count"] == 2


def test_the_estimate_list_answers_what_the_serializer_declares_in_a_fixed_number_of_queries(
    risk_client: APIClient,
    plan: tuple[Project, dict[str, WbsElement]],
    django_assert_num_queries: Callable[..., Any],
) -> None:
    project, tasks = plan
    TaskEstimateFactory(element=tasks["survey"])
    url = estimates_url(project)
    risk_client.get(url)

    with django_assert_num_queries(3):
        risk_client.get(url)
    for name in ("clear", "permits", "build"):
        TaskEstimateFactory(element=tasks[name])
    with django_assert_num_queries(3):
        rows = risk_client.get(url).json()["results"]

    estimates = (
        TaskEstimate.objects.for_organization(project.organization_id)
        .filter(project=project)
        .select_related("element")
        .order_by("element__sort_key")
    )
    assert rows == TaskEstimateSerializer(estimates, many=True).data
    assert len(rows) == 4


def test_the_schema_documents_the_analysis_endpoints(risk_client: APIClient) -> None:
    schema = risk_client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    paths = schema["paths"]
    base = "/api/v1/orgs/{org_slug}/projects/{project_id}"
    assert {"get", "post"} <= set(paths[f"{base}/risk-analyses/"])
    assert "get" in paths[f"{base}/risk-analyses/{{id}}/inputs/"]
    assert "post" in paths[f"{base}/task-estimates/bulk/"]
    results = schema["components"]["schemas"]["MonteCarloResults"]["properties"]
    assert {"finish", "cost", "criticality", "tornado", "finish_probability", "budget_probability"} <= set(results)


def test_the_inputs_of_a_run_not_yet_started_answer_409(
    risk_client: APIClient, plan: tuple[Project, dict[str, WbsElement]]
) -> None:
    project, _tasks = plan
    run = MonteCarloRunFactory(project=project, status=RunStatus.QUEUED, inputs={})

    response = risk_client.get(runs_url(project, f"{run.pk}/inputs/"))

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_started"
