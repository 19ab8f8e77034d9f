"""The finance lists build from values exactly what their serializers declare, in the same order."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from finance.api import serializers as s
from finance.api.views import ActualCostViewSet, BudgetVersionViewSet, CommitmentViewSet
from finance.models import ActualCost, BudgetVersion, Commitment
from pmo.models import Organization, OrgRole
from projects.models import Project, WbsElement
from tests.factories import (
    ActualCostFactory,
    BudgetLineFactory,
    BudgetVersionFactory,
    CommitmentFactory,
    CostCategoryFactory,
    ProjectFactory,
    WbsElementFactory,
    member,
)

pytestmark = pytest.mark.django_db
BASE = "/api/v1/orgs/acme"


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _view_queryset(view_class: type[Any], organization: Organization, project: Project) -> Any:
    view = view_class()
    view.organization, view.project, view.action = organization, project, "list"
    return view.get_queryset()


def _finances(organization: Organization) -> Project:
    project = ProjectFactory(organization=organization)
    task = WbsElementFactory(project=project, code="1", kind=WbsElement.Kind.TASK)
    approver = member(organization, OrgRole.FINANCE, display_name="财务 Finance").user
    labour = CostCategoryFactory(organization=organization, code="LAB", name="人工 Labour")
    draft = BudgetVersionFactory(project=project, note="first\u2028draft")
    BudgetLineFactory(version=draft, category=labour, amount=Decimal("1234567.89"))
    BudgetLineFactory(version=draft, amount=Decimal("0.10"))
    BudgetVersionFactory(
        project=project,
        status=BudgetVersion.Status.APPROVED,
        is_current=True,
        contingency_reserve=Decimal("10.50"),
        submitted_by=approver,
        submitted_at=timezone.now(),
        decided_by=approver,
        decided_at=timezone.now().replace(microsecond=0),
    )
    CommitmentFactory(project=project, category=labour, wbs_element=task, amount=Decimal("99.99"))
    CommitmentFactory(project=project, date=dt.date(2026, 4, 1), over_budget=True, status=Commitment.Status.CLOSED)
    cost = ActualCostFactory(project=project, category=labour, wbs_element=task, supplier="供应商")
    ActualCostFactory(project=project, date=dt.date(2026, 2, 1), amount=Decimal("-5.00"))
    ActualCostFactory(project=project, reverses=cost, amount=-cost.amount, reversal_reason="wrong")
    return project


@pytest.mark.parametrize("time_zone", ["Asia/Shanghai", "UTC"])
def test_budget_commitment_and_cost_lists_answer_what_their_serializers_declare(
    organization: Organization, api: APIClient, time_zone: str
) -> None:
    project = _finances(organization)
    # The API writes date-times in the caller's own time zone, else the organisation's.
    Organization.objects.filter(pk=organization.pk).update(time_zone=time_zone)
    lists = (
        ("budgets", BudgetVersionViewSet, s.BudgetVersionSerializer, ("?ordering=created_at", "?status=approved")),
        ("commitments", CommitmentViewSet, s.CommitmentSerializer, ("?ordering=amount", "?over_budget=true")),
        ("costs", ActualCostViewSet, s.ActualCostSerializer, ("?ordering=-amount", "?category=0")),
    )
    orderings = {"budgets": ("-number",), "commitments": ("-date", "-id"), "costs": ("-date", "-id")}
    for path, view_class, serializer_class, queries in lists:
        queryset = _view_queryset(view_class, organization, project).order_by(*orderings[path])
        with timezone.override(time_zone):
            expected = serializer_class(queryset, many=True).data
            body = api.get(f"{BASE}/projects/{project.pk}/{path}/").json()
        assert body["count"] == len(expected) >= 2, path
        assert _json(body["results"]) == _json(expected), path
        by_id = {row["id"]: row for row in expected}
        for query in queries:
            with timezone.override(time_zone):
                results = api.get(f"{BASE}/projects/{project.pk}/{path}/{query}").json()["results"]
            assert _json(results) == _json([by_id[row["id"]] for row in results]), (path, query)


def test_the_built_rows_equal_the_serializers_on_the_same_rows(organization: Organization) -> None:
    project = _finances(organization)
    for view_class, builder, serializer_class in (
        (BudgetVersionViewSet, s.BUDGET_VERSION_ROWS, s.BudgetVersionSerializer),
        (CommitmentViewSet, s.COMMITMENT_ROWS, s.CommitmentSerializer),
        (ActualCostViewSet, s.ACTUAL_COST_ROWS, s.ActualCostSerializer),
    ):
        queryset = _view_queryset(view_class, organization, project).order_by("id")
        built = builder.build(queryset.values(*builder.columns))
        assert _json(built) == _json(serializer_class(queryset, many=True).data), view_class.__name__
        assert [step.key for step in builder.steps] == list(serializer_class().fields)
    assert ActualCost.objects.for_organization(organization).filter(reverses__isnull=False).count() == 1
