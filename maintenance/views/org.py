"""The O&M home: the organisation's maintenance figures, filtered by site, category, contractor and
origin project over a window, each count linking to the list filtered to exactly what it counted.

A fixed number of queries: the filter's choices (four), ``maintenance_figures`` and the per-site and
per-contractor tables (``breakdown`` and its labels), whatever the number of assets or work orders.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from maintenance.forms_work_orders import AGE_LABELS
from maintenance.models import AssetCategory, Contractor, Priority, Site
from maintenance.selectors import (
    AGE_BUCKETS,
    BreakdownRow,
    MaintenanceFigures,
    Scope,
    breakdown,
    label_breakdown,
    maintenance_figures,
)
from maintenance.views.base import MaintenancePage
from maintenance.visibility import sees_only_firm
from pmo.forms import DateWindowFormMixin, QuickSelect
from pmo.models import Organization
from projects.models import Project

#: The work-order list's value of ``status`` for every open one (``forms_work_orders.ANY_OPEN``).
ANY_OPEN = "any_open"
#: Rows of the per-site and per-contractor tables shown on the page.
TABLE_ROWS = 50


def _reverse(name: str, slug: str) -> str | None:
    try:
        return reverse(name, kwargs={"org_slug": slug})
    except NoReverseMatch:
        return None


class FigureLinks:
    """The lists a figure drills down to, with the scope's filters (site, category, contractor, origin
    project: the lists' own query names)."""

    def __init__(self, organization: Organization, scope: Scope) -> None:
        self.slug = organization.slug
        self.scope = scope
        self.work_order_list = _reverse("org-maintenance-work-orders", self.slug)
        self.round_list = _reverse("org-maintenance-rounds", self.slug)
        self.home = _reverse("org-maintenance", self.slug)
        self.asset_list = _reverse("org-maintenance-assets", self.slug)

    def assets(self, **filters: Any) -> str | None:
        """The assets in service within the scope (the asset list reads the same filter names)."""
        if self.asset_list is None:
            return None
        return f"{self.asset_list}?{urlencode({**self.scope.filters, 'status': 'active', **filters})}"

    def work_orders(self, **filters: Any) -> str | None:
        """The work-order list filtered by the scope and ``filters``."""
        if self.work_order_list is None:
            return None
        query = {**self.scope.filters, **{key: value for key, value in filters.items() if value is not None}}
        return f"{self.work_order_list}?{urlencode(query)}"

    def open_work_orders(self, **filters: Any) -> str | None:
        return self.work_orders(status=ANY_OPEN, **filters)

    def overdue_rounds(self) -> str | None:
        """Everyone's overdue rounds; None under an asset filter, which the round list does not have."""
        if self.round_list is None or self.scope.filters:
            return None
        return f"{self.round_list}?{urlencode({'whose': 'all', 'status': 'open', 'overdue': 'on'})}"

    def home_with(self, **filters: Any) -> str | None:
        """This page narrowed further."""
        if self.home is None:
            return None
        query = {**self.scope.filters, **filters}
        if self.scope.since:
            query["since"] = self.scope.since.isoformat()
        if self.scope.until:
            query["until"] = self.scope.until.isoformat()
        return f"{self.home}?{urlencode(query)}"

    def figure_links(self, figures: MaintenanceFigures) -> dict[str, Any]:
        return {
            "open": self.open_work_orders(),
            "overdue": self.work_orders(overdue="true"),
            "breached": self.open_work_orders(breached="true"),
            "priorities": {priority: self.open_work_orders(priority=priority) for priority in Priority.values},
            "rounds_overdue": self.overdue_rounds(),
            "assets": self.assets(),
        }


class ScopeForm(DateWindowFormMixin, forms.Form):
    """The home's filters: GET, every one optional."""

    site = forms.ModelChoiceField(
        queryset=Site.objects.none(), required=False, label=_("Site"), empty_label=_("Any site")
    )
    category = forms.ModelChoiceField(
        queryset=AssetCategory.objects.none(),
        required=False,
        label=pgettext_lazy("asset category", "Category"),
        empty_label=_("Any category"),
    )
    contractor = forms.ModelChoiceField(
        queryset=Contractor.objects.none(), required=False, label=_("Contractor"), empty_label=_("Any contractor")
    )
    origin_project: forms.ModelChoiceField[Project] = forms.ModelChoiceField(
        queryset=Project.objects.none(),
        required=False,
        label=_("Origin project"),
        empty_label=_("Any project"),
        widget=QuickSelect,
    )
    since = forms.DateField(required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = self.fields
        fields["site"].queryset = Site.objects.for_organization(organization).order_by("code")  # type: ignore[attr-defined]
        fields["category"].queryset = AssetCategory.objects.for_organization(organization).order_by("position", "code")  # type: ignore[attr-defined]
        fields["contractor"].queryset = Contractor.objects.for_organization(organization).order_by("name")  # type: ignore[attr-defined]
        fields["origin_project"].queryset = Project.objects.for_organization(organization).order_by("code")  # type: ignore[attr-defined]
        fields["site"].label_from_instance = lambda site: f"{site.code} {site.name}"  # type: ignore[attr-defined]
        fields["origin_project"].label_from_instance = lambda project: f"{project.code} {project.name}"  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end of the window comes before its start."))
        return cleaned

    def scope(self) -> Scope:
        if not self.is_valid():
            return Scope()
        values = self.cleaned_data

        def pk(name: str) -> int | None:
            row = values.get(name)
            return None if row is None else int(row.pk)

        return Scope(
            site=pk("site"),
            category=pk("category"),
            contractor=pk("contractor"),
            origin_project=pk("origin_project"),
            since=values.get("since"),
            until=values.get("until"),
        )


def table_rows(rows: list[BreakdownRow], links: FigureLinks, name: str) -> list[dict[str, Any]]:
    """A breakdown's rows with their links: the home narrowed to the row, and its open and overdue work orders."""
    shown = []
    for row in rows[:TABLE_ROWS]:
        narrowed = {name: row.key} if row.key is not None else None
        shown.append(
            {
                "row": row,
                "home": links.home_with(**narrowed) if narrowed else None,
                "open": links.open_work_orders(**narrowed) if narrowed else None,
                "overdue": links.work_orders(overdue="true", **narrowed) if narrowed else None,
            }
        )
    return shown


class MaintenanceHomeView(MaintenancePage):
    """The O&M home: headline figures, SLA compliance, open work orders by priority and age, overdue
    rounds, defects by category, cost, and the per-site and per-contractor tables."""

    template_name = "maintenance/home.html"
    section = "overview"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        organization = self.organization
        form = ScopeForm(self.request.GET or None, organization=organization)
        scope = form.scope()
        firms = sees_only_firm(self.membership)
        if firms:
            # A contractor's login sees its own firm's work only.
            scope = Scope(**{**scope.__dict__, "contractor": firms[0]})
        figures = maintenance_figures(organization, scope)
        links = FigureLinks(organization, figures.scope)
        sites = label_breakdown(organization, "site", breakdown(organization, "site", figures.scope, now=figures.now))
        contractors = label_breakdown(
            organization, "contractor", breakdown(organization, "contractor", figures.scope, now=figures.now)
        )
        total_open = figures.open_work_orders
        context.update(
            form=form,
            figures=figures,
            links=links.figure_links(figures),
            filtered=bool(scope.filters),
            priorities=[
                {
                    "priority": priority,
                    "label": label,
                    "count": figures.open_by_priority.get(priority, 0),
                    "url": links.open_work_orders(priority=priority),
                    "share": 0
                    if not total_open
                    else round(figures.open_by_priority.get(priority, 0) * 100 / total_open),
                }
                for priority, label in Priority.choices
            ],
            ages=[
                {
                    "key": key,
                    "label": AGE_LABELS[key],
                    "count": figures.open_by_age.get(key, 0),
                    "url": links.open_work_orders(age=key),
                    "share": 0 if not total_open else round(figures.open_by_age.get(key, 0) * 100 / total_open),
                }
                for key, _start, _end in AGE_BUCKETS
            ],
            site_rows=table_rows(sites, links, "site"),
            contractor_rows=table_rows(contractors, links, "contractor"),
            more_sites=max(len(sites) - TABLE_ROWS, 0),
            more_contractors=max(len(contractors) - TABLE_ROWS, 0),
            assets_url=links.asset_list,
            window_days=(figures.scope.until - figures.scope.since).days + 1
            if figures.scope.since and figures.scope.until
            else 0,
            today=figures.today,
        )
        return context
