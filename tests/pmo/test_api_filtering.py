"""A list skips its filter set when the query string names none of its filters, and only then."""

from __future__ import annotations

from typing import Any
from unittest import mock

import django_filters
import pytest
from django.db.models import QuerySet
from django_filters.filterset import BaseFilterSet
from rest_framework.test import APIClient

from pmo.api import filtering
from pmo.api.alerts import AlertFilter, NotificationFilter
from pmo.filters import AuditEventFilter, MembershipFilter
from pmo.models import Organization
from projects.api.filters import PortfolioFilter, ProjectFilter, TaskFilter
from projects.models import WbsElement
from tests.factories import ProjectFactory, WbsElementFactory

pytestmark = pytest.mark.django_db
BASE = "/api/v1/orgs/acme"


@pytest.mark.parametrize(
    "filterset_class",
    [TaskFilter, ProjectFilter, PortfolioFilter, AlertFilter, NotificationFilter, AuditEventFilter, MembershipFilter],
)
def test_the_apps_filter_sets_are_shown_inert_without_their_names(filterset_class: type[BaseFilterSet]) -> None:
    names = filtering._inert_when_unnamed(filterset_class, filterset_class._meta.model)
    assert names == tuple(filterset_class.base_filters)


def _counting_filter_sets() -> Any:
    return mock.patch.object(TaskFilter, "__init__", side_effect=TaskFilter.__init__, autospec=True)


def test_a_task_list_without_filter_names_answers_the_same_without_building_its_filter_set(
    organization: Organization, api: APIClient
) -> None:
    project = ProjectFactory(organization=organization)
    for code in ("1", "2", "3"):
        WbsElementFactory(project=project, code=code, is_critical=code == "2")
    url = f"{BASE}/projects/{project.pk}/tasks/"
    filtering._inert_when_unnamed(TaskFilter, WbsElement)  # worked out once per process, by building one
    with _counting_filter_sets() as built:
        plain = api.get(url, {"page_size": 2})
        assert built.call_count == 0
        filtered = api.get(url, {"page_size": 2, "critical": "true"})
        assert built.call_count == 1
        ordered = api.get(url, {"ordering": "-code"})
        assert built.call_count == 1
    assert plain.status_code == filtered.status_code == ordered.status_code == 200
    assert plain.json()["count"] == 3
    assert [row["code"] for row in plain.json()["results"]] == ["1", "2"]
    assert [row["code"] for row in filtered.json()["results"]] == ["2"]
    assert [row["code"] for row in ordered.json()["results"]] == ["3", "2", "1"]


def test_a_bad_filter_value_is_still_refused(organization: Organization, api: APIClient) -> None:
    project = ProjectFactory(organization=organization)
    response = api.get(f"{BASE}/projects/{project.pk}/tasks/", {"status": "nonsense"})
    assert response.status_code == 400
    assert "status" in response.json()["error"]["fields"]


def test_a_name_a_filters_widget_may_read_counts_as_naming_it(organization: Organization, api: APIClient) -> None:
    ProjectFactory(organization=organization, code="P-1")
    with mock.patch.object(ProjectFilter, "__init__", side_effect=ProjectFilter.__init__, autospec=True) as built:
        assert api.get(f"{BASE}/projects/", {"q_extra": "x"}).status_code == 200
        assert built.call_count == 1


class _Required(django_filters.FilterSet):
    kind = django_filters.CharFilter(required=True)

    class Meta:
        model = WbsElement
        fields = ["kind"]


class _EmptyMeansNull(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=WbsElement.Kind.choices, null_value="")

    class Meta:
        model = WbsElement
        fields = ["kind"]


class _OwnQueryset(django_filters.FilterSet):
    class Meta:
        model = WbsElement
        fields = ["kind"]

    @property
    def qs(self) -> QuerySet[WbsElement]:
        return super().qs.filter(kind=WbsElement.Kind.TASK)


class _OwnWidget(django_filters.FilterSet):
    class _Widget(django_filters.widgets.forms.TextInput):
        def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
            return data.get("other")

    kind = django_filters.CharFilter(widget=_Widget)

    class Meta:
        model = WbsElement
        fields = ["kind"]


@pytest.mark.parametrize("filterset_class", [_Required, _EmptyMeansNull, _OwnQueryset, _OwnWidget])
def test_a_filter_set_that_acts_without_its_names_always_runs(filterset_class: type[BaseFilterSet]) -> None:
    assert filtering._inert_when_unnamed(filterset_class, WbsElement) is None


def test_filterset_fields_are_skipped_by_the_same_rule(organization: Organization) -> None:
    from django.http import QueryDict
    from django_filters.rest_framework import DjangoFilterBackend

    from projects.models import Dependency

    view = mock.Mock(filterset_class=None, filterset_fields=["type", "predecessor"])
    queryset = Dependency.objects.none()
    assert filtering._skippable(DjangoFilterBackend, view, queryset, QueryDict("page=2"))
    assert not filtering._skippable(DjangoFilterBackend, view, queryset, QueryDict("type=FS"))
