"""Query-string filters and orderings of the projects API."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import django_filters
from django.db import connection
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request

from pmo.forms import DateWindowForm
from projects.models import OPEN_PHASES, GateCriterion, Phase, Portfolio, Priority, Project, TaskStatus, WbsElement

HUNDRED = 100

# Derived task status as queryset conditions; the same rules as ``WbsElement.status``.
TASK_STATUS_CONDITIONS: dict[str, Q] = {
    TaskStatus.DONE: Q(actual_finish__isnull=False) | Q(percent_complete__gte=HUNDRED),
    TaskStatus.IN_PROGRESS: Q(actual_finish__isnull=True, percent_complete__lt=HUNDRED)
    & (Q(actual_start__isnull=False) | Q(percent_complete__gt=0)),
    TaskStatus.NOT_STARTED: Q(actual_finish__isnull=True, actual_start__isnull=True, percent_complete=0),
}


class ChoiceOrderingFilter(OrderingFilter):
    """``?ordering=`` that sorts choice fields in their declared order (low < high), not alphabetically.

    The view names them in ``ordering_by_choice_order = {"priority": Priority}``.
    """

    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> QuerySet[Any]:
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        ranked: dict[str, Any] = getattr(view, "ordering_by_choice_order", {})
        aliases: dict[str, Case] = {}
        terms: list[str] = []
        for term in ordering:
            name = term.lstrip("-")
            if name in ranked:
                alias = f"{name}_rank"
                aliases[alias] = Case(
                    *(When(**{name: value}, then=Value(rank)) for rank, value in enumerate(ranked[name].values)),
                    output_field=IntegerField(),
                )
                term = term.replace(name, alias)
            terms.append(term)
        return queryset.alias(**aliases).order_by(*terms)


class PortfolioFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Portfolio.Kind.choices, label=_("Kind"))
    parent = django_filters.NumberFilter(field_name="parent_id", label=_("Portfolio of the programme (id)"))

    class Meta:
        model = Portfolio
        fields = ["kind", "parent"]


class ProjectFilter(django_filters.FilterSet):
    phase = django_filters.MultipleChoiceFilter(choices=Phase.choices, label=_("Phase"))
    open = django_filters.BooleanFilter(method="filter_open", label=_("Open (not closed or cancelled)"))
    portfolio = django_filters.NumberFilter(
        method="filter_portfolio", label=_("Portfolio (id), with the projects of its programmes")
    )
    manager = django_filters.NumberFilter(field_name="manager_id", label=_("Project manager (user id)"))
    priority = django_filters.MultipleChoiceFilter(choices=Priority.choices, label=_("Priority"))
    tag = django_filters.CharFilter(method="filter_tag", label=_("Tag"))
    planned_start_after = django_filters.DateFilter(
        field_name="planned_start", lookup_expr="gte", label=_("Planned start on or after")
    )
    planned_start_before = django_filters.DateFilter(
        field_name="planned_start", lookup_expr="lte", label=_("Planned start on or before")
    )
    planned_finish_after = django_filters.DateFilter(
        field_name="planned_finish", lookup_expr="gte", label=_("Planned finish on or after")
    )
    planned_finish_before = django_filters.DateFilter(
        field_name="planned_finish", lookup_expr="lte", label=_("Planned finish on or before")
    )
    q = django_filters.CharFilter(method="search", label=_("Search code, name and client"))

    class Meta:
        model = Project
        form = DateWindowForm
        fields = [
            "phase",
            "open",
            "portfolio",
            "manager",
            "priority",
            "tag",
            "planned_start_after",
            "planned_start_before",
            "planned_finish_after",
            "planned_finish_before",
            "q",
        ]

    def filter_open(self, queryset: QuerySet[Project], name: str, value: bool | None) -> QuerySet[Project]:
        if value is None:
            return queryset
        return queryset.filter(phase__in=OPEN_PHASES) if value else queryset.exclude(phase__in=OPEN_PHASES)

    def filter_portfolio(self, queryset: QuerySet[Project], name: str, value: int) -> QuerySet[Project]:
        return queryset.in_portfolio(value)  # type: ignore[attr-defined]

    def filter_tag(self, queryset: QuerySet[Project], name: str, value: str) -> QuerySet[Project]:
        value = value.strip()
        if connection.features.supports_json_field_contains:
            return queryset.filter(tags__contains=[value])
        # SQLite has no JSON containment: match the tag as the quoted string the stored JSON text holds.
        return queryset.filter(tags__icontains=json.dumps(value))

    def search(self, queryset: QuerySet[Project], name: str, value: str) -> QuerySet[Project]:
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value) | Q(client__icontains=value))


class GateCriterionFilter(django_filters.FilterSet):
    from_phase = django_filters.ChoiceFilter(choices=Phase.choices, label=_("Leaving phase"))
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = GateCriterion
        fields = ["from_phase", "is_active"]


class TaskFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=TaskStatus.choices, method="filter_status", label=_("Status"))
    critical = django_filters.BooleanFilter(field_name="is_critical", label=_("On the critical path"))
    kind = django_filters.ChoiceFilter(
        choices=[
            (WbsElement.Kind.TASK, WbsElement.Kind.TASK.label),
            (WbsElement.Kind.MILESTONE, WbsElement.Kind.MILESTONE.label),
        ],
        label=_("Kind"),
    )
    q = django_filters.CharFilter(method="search", label=_("Search code, name and notes"))

    class Meta:
        model = WbsElement
        fields = ["status", "critical", "kind", "q"]

    def filter_status(self, queryset: QuerySet[WbsElement], name: str, value: str) -> QuerySet[WbsElement]:
        return queryset.filter(TASK_STATUS_CONDITIONS[value])

    def search(self, queryset: QuerySet[WbsElement], name: str, value: str) -> QuerySet[WbsElement]:
        return queryset.filter(Q(code__startswith=value) | Q(name__icontains=value) | Q(notes__icontains=value))


class WbsOrderingFilter(OrderingFilter):
    """``?ordering=code`` sorts WBS codes in tree order (1.2 before 1.10) through their sort key."""

    def get_ordering(self, request: Any, queryset: Any, view: Any) -> Sequence[str] | None:
        ordering = super().get_ordering(request, queryset, view)
        if not ordering:
            return ordering
        return [{"code": "sort_key", "-code": "-sort_key"}.get(field, field) for field in ordering]
