"""The register's filters and orderings, shared by the project and the organisation register pages."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import django_filters
from django import forms
from django.db.models import F, OrderBy, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pmo.models import Organization, User
from projects.filters import PortfolioChoiceField, organization_users, portfolios_in_tree_order
from projects.models import Portfolio, Project, WbsElement
from risks.heatmap import BASIS_FIELDS, CURRENT, INHERENT, basis_of
from risks.models import OPEN_STATUSES, Level, Risk, RiskCategory, RiskKind, RiskStatus

OPEN = "open"
STATUS_CHOICES = [(OPEN, _("Open (any open status)")), *RiskStatus.choices]
SCALE_CHOICES = [(str(value), str(value)) for value in range(1, 6)]
BASIS_CHOICES = [(CURRENT, _("Current")), (INHERENT, _("Inherent"))]
CODE = re.compile(r"^\s*R-?0*(\d{1,9})\s*$", re.IGNORECASE)


def _desc(name: str) -> OrderBy:
    return F(name).desc(nulls_last=True)


def _asc(name: str) -> OrderBy:
    return F(name).asc(nulls_last=True)


#: Ordering keys of the register → the columns they sort by (ties by project and number).
ORDERINGS: dict[str, tuple[Any, ...]] = {
    "code": ("project__code", "number"),
    "-code": (F("project__code").desc(nulls_last=True), "-number"),
    "title": ("title", "pk"),
    "-title": ("-title", "-pk"),
    "score": (_asc("score"), "project__code", "number"),
    "-score": (_desc("score"), _desc("emv"), "project__code", "number"),
    "emv": (_asc("emv"), "project__code", "number"),
    "-emv": (_desc("emv"), "project__code", "number"),
    "next_review": (_asc("next_review"), "project__code", "number"),
    "-next_review": (_desc("next_review"), "project__code", "number"),
    "proximity": (_asc("proximity"), "project__code", "number"),
    "-proximity": (_desc("proximity"), "project__code", "number"),
    "status": ("status", "project__code", "number"),
    "-status": ("-status", "project__code", "number"),
}
DEFAULT_ORDERING = "-score"
SORTABLE = ("code", "title", "score", "emv", "next_review", "proximity", "status")


def ordering_of(value: str | None) -> str:
    return value if value in ORDERINGS else DEFAULT_ORDERING


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.label if obj.is_active else f"{obj.label} ({_('switched off')})"


class ElementChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.name}"


class ProjectChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} {obj.name}"


class RiskFilter(django_filters.FilterSet):
    """Filters of a register; ``project`` given, the project's (with its WBS), else the organisation's."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.ChoiceFilter(
        method="in_status", choices=STATUS_CHOICES, label=_("Status"), empty_label=_("Any status")
    )
    level = django_filters.ChoiceFilter(choices=Level.choices, label=_("Level"), empty_label=_("Any level"))
    kind = django_filters.ChoiceFilter(
        choices=RiskKind.choices, label=_("Threat or opportunity"), empty_label=_("Both")
    )
    category = django_filters.ModelChoiceFilter(
        queryset=RiskCategory.objects.none(), label=pgettext_lazy("risk", "Category"), empty_label=_("Any category")
    )
    owner = django_filters.ModelChoiceFilter(queryset=User.objects.none(), label=_("Owner"), empty_label=_("Anyone"))
    wbs = django_filters.ModelChoiceFilter(
        method="on_element", queryset=WbsElement.objects.none(), label=_("WBS element"), empty_label=_("Any element")
    )
    project = django_filters.ModelChoiceFilter(
        queryset=Project.objects.none(), label=_("Project"), empty_label=_("Any project")
    )
    portfolio = django_filters.ModelChoiceFilter(
        method="in_portfolio",
        queryset=Portfolio.objects.none(),
        label=_("Portfolio or programme"),
        empty_label=_("All portfolios"),
    )
    scope = django_filters.ChoiceFilter(
        method="in_scope",
        choices=[("projects", _("Projects' risks")), ("organisation", _("Organisation-level risks"))],
        label=_("Risks of"),
        empty_label=_("Projects and organisation"),
    )
    overdue = django_filters.BooleanFilter(
        method="review_overdue", label=_("Review overdue"), widget=forms.CheckboxInput
    )
    probability = django_filters.ChoiceFilter(
        method="in_cell", choices=SCALE_CHOICES, label=_("Probability"), empty_label=pgettext_lazy("scale", "Any")
    )
    impact = django_filters.ChoiceFilter(
        method="in_cell", choices=SCALE_CHOICES, label=_("Impact"), empty_label=pgettext_lazy("scale", "Any")
    )
    basis = django_filters.ChoiceFilter(
        method="on_basis", choices=BASIS_CHOICES, label=_("Probability and impact of"), empty_label=None
    )

    class Meta:
        model = Risk
        fields: list[str] = []

    def __init__(
        self,
        *args: Any,
        organization: Organization,
        project: Project | None = None,
        today: dt.date,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.filters["category"].queryset = RiskCategory.objects.for_organization(organization).order_by(
            "-is_active", "order", "code"
        )
        self.filters["category"].field_class = CategoryChoiceField
        self.filters["owner"].queryset = organization_users(organization)
        if project is not None:
            for name in ("project", "portfolio", "scope"):
                del self.filters[name]
            self.filters["wbs"].queryset = (
                WbsElement.objects.for_organization(organization).filter(project=project).order_by("sort_key")
            )
            self.filters["wbs"].field_class = ElementChoiceField
        else:
            del self.filters["wbs"]
            self.filters["project"].queryset = Project.objects.for_organization(organization).order_by("code")
            self.filters["project"].field_class = ProjectChoiceField
            self.filters["portfolio"].queryset = portfolios_in_tree_order(organization)
            self.filters["portfolio"].field_class = PortfolioChoiceField

    @property
    def cell_basis(self) -> str:
        return basis_of(self.data.get("basis"))

    def search(self, queryset: QuerySet[Risk], name: str, value: str) -> QuerySet[Risk]:
        code = CODE.match(value)
        condition = Q(title__icontains=value) | Q(event__icontains=value)
        if code:
            condition |= Q(number=int(code.group(1)))
        return queryset.filter(condition)

    def in_status(self, queryset: QuerySet[Risk], name: str, value: str) -> QuerySet[Risk]:
        if value == OPEN:
            return queryset.filter(status__in=OPEN_STATUSES)
        return queryset.filter(status=value)

    def on_element(self, queryset: QuerySet[Risk], name: str, value: WbsElement) -> QuerySet[Risk]:
        return queryset.filter(wbs_links__element=value)

    def in_portfolio(self, queryset: QuerySet[Risk], name: str, value: Portfolio) -> QuerySet[Risk]:
        return queryset.filter(Q(project__portfolio_id=value.pk) | Q(project__portfolio__parent_id=value.pk))

    def in_scope(self, queryset: QuerySet[Risk], name: str, value: str) -> QuerySet[Risk]:
        return queryset.filter(project__isnull=value == "organisation")

    def review_overdue(self, queryset: QuerySet[Risk], name: str, value: bool | None) -> QuerySet[Risk]:
        if not value:
            return queryset
        return queryset.filter(status__in=OPEN_STATUSES, next_review__lt=self.today)

    def in_cell(self, queryset: QuerySet[Risk], name: str, value: str) -> QuerySet[Risk]:
        probability, impact = BASIS_FIELDS[self.cell_basis]
        column = probability if name == "probability" else impact
        return queryset.filter(**{column: int(value)})

    def on_basis(self, queryset: QuerySet[Risk], name: str, value: str) -> QuerySet[Risk]:
        """The basis only says which columns ``probability`` and ``impact`` read."""
        return queryset
