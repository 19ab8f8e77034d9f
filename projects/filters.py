from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from pmo.forms import DateWindowForm
from pmo.models import Organization, User
from projects.models import Phase, Portfolio, Project

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PortfolioChoiceField(forms.ModelChoiceField):
    """Portfolios with their programmes indented beneath them."""

    def label_from_instance(self, obj: Any) -> str:
        return f"— {obj.name}" if obj.parent_id else str(obj.name)


def portfolios_in_tree_order(organization: Organization) -> QuerySet[Portfolio]:
    """Portfolios by name, each followed by its programmes."""
    return Portfolio.objects.for_organization(organization).order_by(
        Coalesce("parent__name", "name"), F("parent").asc(nulls_first=True), "name"
    )


def organization_users(organization: Organization) -> QuerySet[User]:
    return User.objects.filter(memberships__organization=organization).order_by("display_name", "username")


class ProjectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    phase = django_filters.ChoiceFilter(choices=Phase.choices, label=_("Phase"), empty_label=_("All phases"))
    portfolio = django_filters.ModelChoiceFilter(
        method="in_portfolio",
        label=_("Portfolio or programme"),
        queryset=Portfolio.objects.none(),
        empty_label=_("All portfolios"),
    )
    manager = django_filters.ModelChoiceFilter(
        field_name="manager", label=_("Project manager"), queryset=User.objects.none(), empty_label=_("Anyone")
    )
    date_from = django_filters.DateFilter(method="finishing_after", label=_("Active from"), widget=DATE_INPUT)
    date_to = django_filters.DateFilter(method="starting_before", label=_("Active until"), widget=DATE_INPUT)
    ordering = django_filters.OrderingFilter(
        fields=(
            ("code", "code"),
            ("name", "name"),
            ("phase", "phase"),
            ("planned_start", "planned_start"),
            ("planned_finish", "planned_finish"),
            ("scheduled_finish", "scheduled_finish"),
        ),
        field_labels={
            "code": _("Code"),
            "name": _("Name"),
            "phase": _("Phase"),
            "planned_start": _("Planned start"),
            "planned_finish": _("Planned finish"),
            "scheduled_finish": _("Scheduled finish"),
        },
        label=_("Order by"),
        empty_label=_("Code"),
    )

    class Meta:
        model = Project
        form = DateWindowForm
        fields = ["q", "phase", "portfolio", "manager", "date_from", "date_to"]

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        portfolio = self.filters["portfolio"]
        portfolio.field_class = PortfolioChoiceField
        portfolio.queryset = portfolios_in_tree_order(organization)
        self.filters["manager"].queryset = organization_users(organization)
        self._organization = organization

    def search(self, queryset: QuerySet[Project], name: str, value: str) -> QuerySet[Project]:
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value) | Q(client__icontains=value))

    def in_portfolio(self, queryset: Any, name: str, value: Portfolio) -> Any:
        return queryset.in_portfolio(value.pk)

    def finishing_after(self, queryset: QuerySet[Project], name: str, value: Any) -> QuerySet[Project]:
        """Projects still running on or after the day: a finish (planned or scheduled) not before it."""
        return queryset.filter(
            Q(planned_finish__gte=value)
            | Q(scheduled_finish__gte=value)
            | Q(planned_finish__isnull=True, scheduled_finish__isnull=True)
        )

    def starting_before(self, queryset: QuerySet[Project], name: str, value: Any) -> QuerySet[Project]:
        return queryset.filter(planned_start__lte=value)
