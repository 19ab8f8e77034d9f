"""The fast list path builds exactly what the serializers declare: same keys, same types, same body."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from pmo.models import Organization, OrgRole
from projects.api import serializers as s
from projects.models import Project, WbsElement
from tests.factories import PortfolioFactory, ProjectFactory, WbsElementFactory, member

pytestmark = pytest.mark.django_db
BASE = "/api/v1/orgs/acme"


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _plan(project: Project) -> None:
    summary = WbsElementFactory(project=project, kind=WbsElement.Kind.SUMMARY, code="1", name="总体 Phase")
    WbsElementFactory(project=project, parent=summary, code="1.1", percent_complete=Decimal("100"))
    WbsElementFactory(
        project=project,
        parent=summary,
        code="1.2",
        percent_complete=Decimal("37.5"),
        budgeted_cost=Decimal("1234567.8"),
        actual_start=dt.date(2026, 3, 4),
        notes="line\u2028break",
    )
    WbsElementFactory(project=project, parent=summary, code="1.10", kind=WbsElement.Kind.MILESTONE, duration=0)
    WbsElementFactory(
        project=project, code="2", actual_start=dt.date(2026, 3, 2), actual_finish=dt.date(2026, 4, 1), is_critical=True
    )


def _projects(organization: Organization) -> list[Project]:
    manager = member(organization, OrgRole.PROJECT_MANAGER).user
    portfolio = PortfolioFactory(organization=organization, name="基础设施")
    first = ProjectFactory(
        organization=organization, portfolio=portfolio, manager=manager, sponsor=None, tags=["a", "b"]
    )
    second = ProjectFactory(organization=organization, portfolio=None, manager=None, sponsor=manager)
    Project.objects.for_organization(organization).filter(pk=second.pk).update(
        created_at=timezone.now().replace(microsecond=0)
    )
    for project in (first, second):
        _plan(project)
    return [first, second]


def test_the_builders_keys_are_the_serializers_fields_in_order() -> None:
    assert [step.key for step in s.WBS_ELEMENT_ROWS.steps] == list(s.WbsElementSerializer().fields)
    assert [step.key for step in s.PROJECT_ROWS.steps] == list(s.ProjectSerializer().fields)
    nested = next(step for step in s.PROJECT_ROWS.steps if step.key == "manager").nested
    assert nested is not None
    assert [step.key for step in nested.steps] == list(s.ProjectSerializer().fields["manager"].fields)


def test_task_and_wbs_rows_equal_the_serializer_output(organization: Organization) -> None:
    project = _projects(organization)[0]
    queryset = WbsElement.objects.for_organization(organization).filter(project=project)
    built = s.WBS_ELEMENT_ROWS.build(queryset.values(*s.WBS_ELEMENT_ROWS.columns))
    assert _json(built) == _json(s.WbsElementSerializer(queryset, many=True).data)
    assert {row["status"] for row in built} == {"done", "in_progress", "not_started"}


def test_project_rows_equal_the_serializer_output(organization: Organization) -> None:
    _projects(organization)
    queryset = (
        Project.objects.for_organization(organization)
        .select_related("manager", "sponsor", "portfolio")
        .with_percent_complete(organization.pk)
    )
    built = s.PROJECT_ROWS.build(queryset.values(*s.PROJECT_ROWS.columns))
    assert _json(built) == _json(s.ProjectSerializer(queryset, many=True).data)
    assert [row["manager"] is None for row in built] == [False, True]


@pytest.mark.parametrize("time_zone", ["Asia/Shanghai", "UTC"])
def test_the_list_endpoints_answer_what_the_serializers_declare(
    organization: Organization, api: APIClient, time_zone: str
) -> None:
    first, _second = _projects(organization)
    # The API writes date-times in the caller's own time zone, else the organisation's.
    Organization.objects.filter(pk=organization.pk).update(time_zone=time_zone)
    elements = WbsElement.objects.for_organization(organization).filter(project=first)
    tasks = elements.leaves()
    projects = (
        Project.objects.for_organization(organization)
        .select_related("manager", "sponsor", "portfolio")
        .with_percent_complete(organization.pk)
    )
    with timezone.override(time_zone):
        expected_projects = s.ProjectSerializer(projects, many=True).data
    with timezone.override(time_zone):
        body = api.get(f"{BASE}/projects/").json()
    assert _json(body["results"]) == _json(expected_projects)
    assert _json(api.get(f"{BASE}/projects/{first.pk}/tasks/").json()["results"]) == _json(
        s.WbsElementSerializer(tasks, many=True).data
    )
    wbs = api.get(f"{BASE}/projects/{first.pk}/wbs/").json()
    assert [row["code"] for row in wbs] == ["1", "1.1", "1.2", "1.10", "2"]
    by_id = {row["id"]: row for row in s.WbsElementSerializer(elements, many=True).data}
    assert _json(wbs) == _json([by_id[row["id"]] for row in wbs])
    tree = api.get(f"{BASE}/projects/{first.pk}/wbs/?tree=1").json()
    assert [node["code"] for node in tree] == ["1", "2"]
    assert [child["code"] for child in tree[0]["children"]] == ["1.1", "1.2", "1.10"]


def test_a_serializer_field_the_builder_cannot_read_stops_it() -> None:
    from django.core.exceptions import ImproperlyConfigured

    from pmo.api.rows import RowBuilder

    with pytest.raises(ImproperlyConfigured, match="my_project_role"):
        _ = RowBuilder(s.ProjectDetailSerializer).steps
    with pytest.raises(ImproperlyConfigured, match="nowhere"):
        _ = RowBuilder(s.ProjectSerializer, computed={"nowhere": s.WBS_ELEMENT_ROWS.computed["status"]}).steps


def test_portfolio_member_and_dependency_lists_answer_what_their_serializers_declare(
    organization: Organization, api: APIClient
) -> None:
    from django.db.models import Count

    from projects.models import Dependency, Portfolio, ProjectMember
    from tests.factories import DependencyFactory, ProjectMemberFactory

    first, _second = _projects(organization)
    PortfolioFactory(organization=organization, parent=first.portfolio, kind="programme", owner=None)
    ProjectMemberFactory(project=first, role="manager")
    ProjectMemberFactory(project=first, role="member")
    tasks = list(WbsElement.objects.for_organization(organization).filter(project=first).leaves())
    DependencyFactory(project=first, predecessor=tasks[0], successor=tasks[1], lag=2)
    portfolios = (
        Portfolio.objects.for_organization(organization)
        .select_related("parent", "owner")
        .annotate(project_count=Count("projects"))
        .order_by("name")
    )
    members = ProjectMember.objects.for_organization(organization).filter(project=first)
    dependencies = Dependency.objects.for_organization(organization).filter(project=first)
    for url, expected in (
        (f"{BASE}/portfolios/", s.PortfolioSerializer(portfolios, many=True).data),
        (f"{BASE}/projects/{first.pk}/members/", s.ProjectMemberSerializer(members, many=True).data),
        (f"{BASE}/projects/{first.pk}/dependencies/", s.DependencySerializer(dependencies, many=True).data),
    ):
        body = api.get(url).json()
        assert body["count"] == len(expected) > 0, url
        assert _json(body["results"]) == _json(expected), url


def test_the_baseline_list_answers_what_its_serializer_declares(organization: Organization, api: APIClient) -> None:
    from django.db.models import Count

    from projects.models import Baseline
    from tests.factories import BaselineFactory, BaselineTaskFactory, ChangeRequestFactory

    project = _projects(organization)[0]
    first = BaselineFactory(project=project, name="计划 v1", is_current=False)
    BaselineTaskFactory.create_batch(3, baseline=first)
    BaselineFactory(project=project, is_current=True, change_request=ChangeRequestFactory(project=project))
    baselines = (
        Baseline.objects.for_organization(organization)
        .filter(project=project)
        .select_related("created_by")
        .annotate(task_count=Count("tasks"))
        .order_by("-created_at", "-id")
    )
    expected = s.BaselineSerializer(baselines, many=True).data
    for query in ("", "?ordering=name", "?is_current=true"):
        body = api.get(f"{BASE}/projects/{project.pk}/baselines/{query}").json()
        rows = {row["id"]: row for row in expected}
        assert _json(body["results"]) == _json([rows[row["id"]] for row in body["results"]]), query
    assert _json(api.get(f"{BASE}/projects/{project.pk}/baselines/").json()["results"]) == _json(expected)
    assert [row["task_count"] for row in expected] == [0, 3]


def test_the_written_percent_complete_equals_the_orms_in_any_scope(
    organization: Organization, other_organization: Organization
) -> None:
    from pmo.tenancy import tenant_scope
    from projects.querysets import _percent_complete_sql

    _projects(organization)
    _projects(other_organization)
    _percent_complete_sql.cache_clear()  # written first inside one organisation's scope, used in the other's
    for read in (organization, other_organization, organization):
        with tenant_scope(read):
            written = Project.objects.for_organization(read).with_percent_complete_sql(read.pk).order_by("pk")
            orm = Project.objects.for_organization(read).with_percent_complete(read.pk).order_by("pk")
            figures = list(written.values_list("percent_complete", flat=True))
        assert figures == list(orm.values_list("percent_complete", flat=True))
        assert any(figures)
