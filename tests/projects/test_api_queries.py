"""Every list endpoint of the projects API runs the same number of queries for 3 rows as for 30."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from pmo.models import Organization, OrgRole
from projects.models import Phase, Project, WbsElement
from tests.factories import (
    BaselineFactory,
    BaselineTaskFactory,
    DependencyFactory,
    GateCriterionFactory,
    PortfolioFactory,
    ProgressUpdateFactory,
    ProjectFactory,
    ProjectMemberFactory,
    StageGateFactory,
    WbsElementFactory,
    member,
)

pytestmark = pytest.mark.django_db
BASE = "/api/v1/orgs/acme"

Builder = Callable[[Organization, Project, int], str]


def _portfolios(org: Organization, project: Project, n: int) -> str:
    parent = PortfolioFactory(organization=org)
    for _ in range(n - 1):
        programme = PortfolioFactory(organization=org, parent=parent, kind="programme", owner=member(org).user)
        ProjectFactory(organization=org, portfolio=programme)
    return f"{BASE}/portfolios/"


def _projects(org: Organization, project: Project, n: int) -> str:
    portfolio = PortfolioFactory(organization=org)
    for _ in range(n - 1):
        manager = member(org, OrgRole.PROJECT_MANAGER).user
        other = ProjectFactory(organization=org, portfolio=portfolio, manager=manager, sponsor=manager)
        WbsElementFactory(project=other, budgeted_cost=100, percent_complete=50)
    return f"{BASE}/projects/"


def _members(org: Organization, project: Project, n: int) -> str:
    ProjectMemberFactory.create_batch(n, project=project)
    return f"{BASE}/projects/{project.pk}/members/"


def _gates(org: Organization, project: Project, n: int) -> str:
    StageGateFactory.create_batch(n, project=project)
    return f"{BASE}/projects/{project.pk}/gates/"


def _checklist(org: Organization, project: Project, n: int) -> str:
    GateCriterionFactory.create_batch(n, organization=org, from_phase=Phase.INITIATION)
    return f"{BASE}/projects/{project.pk}/gates/checklist/"


def _gate_criteria(org: Organization, project: Project, n: int) -> str:
    GateCriterionFactory.create_batch(n, organization=org, from_phase=Phase.PLANNING)
    return f"{BASE}/gate-criteria/"


def _plan(project: Project, n: int) -> list[WbsElement]:
    summary = WbsElementFactory(project=project, kind=WbsElement.Kind.SUMMARY, code="1")
    return [
        WbsElementFactory(project=project, parent=summary, code=f"1.{i}", is_critical=i % 2 == 0)
        for i in range(1, n + 1)
    ]


def _wbs(org: Organization, project: Project, n: int) -> str:
    _plan(project, n)
    return f"{BASE}/projects/{project.pk}/wbs/"


def _wbs_tree(org: Organization, project: Project, n: int) -> str:
    return _wbs(org, project, n) + "?tree=1"


def _tasks(org: Organization, project: Project, n: int) -> str:
    _plan(project, n)
    return f"{BASE}/projects/{project.pk}/tasks/?status=not_started"


def _progress(org: Organization, project: Project, n: int) -> str:
    task = WbsElementFactory(project=project)
    ProgressUpdateFactory.create_batch(n, task=task)
    return f"{BASE}/projects/{project.pk}/tasks/{task.pk}/progress/"


def _dependencies(org: Organization, project: Project, n: int) -> str:
    DependencyFactory.create_batch(n, project=project)
    return f"{BASE}/projects/{project.pk}/dependencies/"


def _schedule(org: Organization, project: Project, n: int) -> str:
    _plan(project, n)
    return f"{BASE}/projects/{project.pk}/schedule/"


def _baselines(org: Organization, project: Project, n: int) -> str:
    for baseline in BaselineFactory.create_batch(n, project=project):
        BaselineTaskFactory(baseline=baseline)
    return f"{BASE}/projects/{project.pk}/baselines/"


def _baseline_detail(org: Organization, project: Project, n: int) -> str:
    baseline = BaselineFactory(project=project)
    for task in _plan(project, n):
        BaselineTaskFactory(baseline=baseline, task=task, code=task.code)
    return f"{BASE}/projects/{project.pk}/baselines/{baseline.pk}/"


def _comparison(org: Organization, project: Project, n: int) -> str:
    return _baseline_detail(org, project, n) + "comparison/"


def _export(org: Organization, project: Project, n: int) -> str:
    tasks = _plan(project, n)
    for predecessor, successor in itertools.pairwise(tasks):
        DependencyFactory(project=project, predecessor=predecessor, successor=successor)
    return f"{BASE}/projects/{project.pk}/tasks/export/"


# Endpoint -> (builder, queries). Every request reads the membership, on a project's routes with
# the project and the user's role on it in the same query; then a paginated list counts and reads one page, and
# the rest read their rows. The checklists first check that the organisation has its defaults;
# a baseline's tasks are prefetched; the comparison also reads the working calendar and its
# exceptions, the plan and the baseline's tasks.
ENDPOINTS: dict[str, tuple[Builder, int]] = {
    "portfolios": (_portfolios, 3),
    "projects": (_projects, 3),
    "members": (_members, 3),
    "gates": (_gates, 3),
    # 3, and the computed checks of leaving initiation: the organisation's choices and quality's safety veto.
    "gate checklist": (_checklist, 5),
    "gate criteria": (_gate_criteria, 4),
    "wbs": (_wbs, 2),
    "wbs tree": (_wbs_tree, 2),
    "tasks": (_tasks, 3),
    "task progress": (_progress, 4),
    "dependencies": (_dependencies, 3),
    "schedule": (_schedule, 2),
    "baselines": (_baselines, 3),
    "baseline with tasks": (_baseline_detail, 3),
    "baseline comparison": (_comparison, 6),
    "plan export": (_export, 3),
}


@pytest.mark.parametrize("size", [3, 30])
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_list_endpoints_run_a_fixed_number_of_queries(
    endpoint: str, size: int, organization: Organization, api: APIClient, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    build, queries = ENDPOINTS[endpoint]
    project = ProjectFactory(organization=organization, planned_start=dt.date(2026, 3, 2))
    url = build(organization, project, size)
    with django_assert_num_queries(queries):
        response = api.get(url)
    assert response.status_code == 200
