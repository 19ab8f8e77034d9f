"""The utilisation pages: the resource x week heat map (the section's home), one resource's days and weeks,
the assignments and absences behind one cell, and demand against capacity by role.

Each page reads a fixed number of queries whatever the pool's size (``resources.selectors``); the heat
map shows a page of resources at a time.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, QueryDict
from django.urls import NoReverseMatch, reverse
from django.utils.functional import cached_property

from pmo.tenancy import BIGINT_LIMIT
from resources import heatmap
from resources.capacity import DayFigures, WeekFigures
from resources.forms_capacity import DemandFilterForm, ResourcePeriodForm, UtilisationFilterForm, WeekForm
from resources.models import TIMED_KINDS, ExceptionKind, Resource
from resources.selectors import (
    WEEK,
    band,
    resource_detail,
    resource_week,
    role_demand,
    utilisation,
)
from resources.views.base import ResourcesPage

#: Resources on one page of the heat map.
PAGE_SIZE = 50
#: No pool has this many pages; a larger number would overflow the database's offset.
MAX_PAGE = 100_000
#: Query parameters a page link keeps from the filters.
FILTER_PARAMETERS = ("start", "weeks", "department", "skill", "kind", "project", "role")


def _query(data: QueryDict, names: tuple[str, ...], **extra: Any) -> str:
    values = {name: data.get(name) for name in names if data.get(name)}
    values.update({key: value for key, value in extra.items() if value})
    return urlencode(values)


def _hours(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.2f}".rstrip("0").rstrip(".") or "0"


class UtilisationView(ResourcesPage):
    """The heat map: a page of resources x 4 to 52 weeks, filtered, each cell a link to the week behind it."""

    template_name = "resources/capacity/heatmap.html"
    section = "overview"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        organization = self.organization
        query = self.request.GET
        form = UtilisationFilterForm(query or None, organization=organization)
        valid = form.is_valid() if form.is_bound else True
        start, weeks = form.first_week(), form.week_count()
        count = 0
        grid = None
        number = 1
        if valid:
            number = max(1, _int(query.get("page"), 1))
            if number > MAX_PAGE:
                raise Http404
            grid = utilisation(
                organization,
                start=start,
                weeks=weeks,
                filters=form.filters(),
                offset=(number - 1) * PAGE_SIZE,
                limit=PAGE_SIZE,
            )
            count = grid.count
            if not grid.rows and count and number > 1:
                raise Http404
        slug = organization.slug
        base = reverse("org-resources", kwargs={"org_slug": slug})
        pages = Paginator(range(count), PAGE_SIZE).get_page(number) if count else None

        def week_href(resource_id: int, monday: dt.date) -> str:
            return f"{base}{resource_id}/utilisation/week/?week={monday.isoformat()}"

        def detail_href(resource_id: int) -> str:
            return f"{base}{resource_id}/utilisation/?{_query(query, ('start', 'weeks'))}".removesuffix("?")

        over = sum(1 for row in grid.rows if any(figure.over_allocated for figure in row.weeks)) if grid else 0
        shift = {
            "previous": (start - WEEK * weeks).isoformat(),
            "next": (start + WEEK * weeks).isoformat(),
            "today": "",
        }
        context.update(
            form=form,
            grid=grid,
            start=start,
            finish=start + WEEK * weeks - dt.timedelta(days=1),
            weeks=weeks,
            count=count,
            over_count=over,
            filtered=any(query.get(name) for name in FILTER_PARAMETERS),
            names_svg=heatmap.render_names(grid, href=detail_href) if grid and grid.rows else None,
            grid_svg=heatmap.render_grid(grid, href=week_href) if grid and grid.rows else None,
            legend=heatmap.legend(),
            page=pages,
            page_query=_query(query, FILTER_PARAMETERS),
            shift_links={
                key: "?" + _query(query, tuple(name for name in FILTER_PARAMETERS if name != "start"), start=value)
                for key, value in shift.items()
            },
            list_url=base,
        )
        return context


def _int(value: str | None, default: int) -> int:
    try:
        return int(value or default)
    except ValueError:
        return default


class ResourceScoped(ResourcesPage):
    """A page of one resource of the organisation (another organisation's, or none: 404)."""

    resource: Resource

    def resolve_scope(self, **url_kwargs: Any) -> None:
        super().resolve_scope(**url_kwargs)
        pk = int(url_kwargs["resource_id"])
        found = (
            Resource.objects.for_organization(self.organization).select_related("role").filter(pk=pk).first()
            if -BIGINT_LIMIT <= pk < BIGINT_LIMIT
            else None
        )
        if found is None:
            raise Http404
        self.resource = found

    @cached_property
    def resource_url(self) -> str | None:
        """The pool's page of the resource, once the pool's pages are mounted."""
        try:
            return reverse("org-resource", args=[self.organization.slug, self.resource.pk])
        except NoReverseMatch:  # the pool's page is not mounted yet
            return None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(resource=self.resource, resource_url=self.resource_url, timed=self.resource.kind in TIMED_KINDS)
        return context


def _day_row(figure: DayFigures) -> dict[str, Any]:
    return {
        "f": figure,
        "band": band(figure),
        "capacity": _hours(figure.capacity),
        "load": _hours(figure.load),
        "absence": _hours(figure.absence),
        "weekend": figure.day.weekday() >= 5,
    }


def _week_row(figure: WeekFigures) -> dict[str, Any]:
    return {"f": figure, "band": band(figure), "capacity": _hours(figure.capacity), "load": _hours(figure.load)}


class ResourceUtilisationView(ResourceScoped):
    """One resource's weeks and days: capacity, load by project, absences, utilisation, over-allocation."""

    template_name = "resources/capacity/resource.html"
    section = "overview"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET
        form = ResourcePeriodForm(query or None, organization=self.organization)
        valid = form.is_valid() if form.is_bound else True
        start, weeks = form.first_week(), form.week_count()
        detail = resource_detail(self.organization, self.resource, start=start, weeks=weeks) if valid else None
        base = reverse("org-resources", kwargs={"org_slug": self.organization.slug})
        if detail is not None:
            projects = detail.projects
            week_rows = []
            for week in detail.weeks:
                row = _week_row(week.figures)
                row.update(
                    absence=_hours(week.absence),
                    projects=[_hours(week.by_project.get(ref.id)) for ref in projects],
                    href=f"{base}{self.resource.pk}/utilisation/week/?week={week.figures.week_start.isoformat()}",
                )
                week_rows.append(row)
            day_rows = []
            for day in detail.days:
                row = _day_row(day.figures)
                row["projects"] = [_hours(day.by_project.get(ref.id)) for ref in projects]
                day_rows.append(row)
            context.update(projects=projects, week_rows=week_rows, day_rows=day_rows)
        shift = {"previous": (start - WEEK * weeks).isoformat(), "next": (start + WEEK * weeks).isoformat()}
        context.update(
            form=form,
            detail=detail,
            start=start,
            weeks=weeks,
            finish=start + WEEK * weeks - dt.timedelta(days=1),
            shift_links={key: "?" + _query(query, ("weeks",), start=value) for key, value in shift.items()},
            heatmap_url=f"{base}?{_query(query, ('start',))}".removesuffix("?"),
        )
        return context


class ResourceWeekView(ResourceScoped):
    """The assignments and absences behind one cell of the heat map: project, task, hours of each day."""

    template_name = "resources/capacity/week.html"
    section = "overview"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = WeekForm(self.request.GET)
        if not form.is_valid():
            raise Http404  # not a date, or one outside the organisation's window
        week = resource_week(self.organization, self.resource, form.cleaned_data["week"] or self.organization.today())
        slug = self.organization.slug
        base = reverse("org-resources", kwargs={"org_slug": slug})
        previous, following = week.week_start - WEEK, week.week_start + WEEK
        kinds = dict(ExceptionKind.choices)
        context.update(
            week=week,
            days=[_day_row(figure) for figure in week.days],
            figures=_week_row(week.figures),
            assignments=[
                {
                    "row": row,
                    "hours": [_hours(value) if value else "" for value in row.hours],
                    "total": _hours(row.total),
                    "project_url": reverse("project-overview", kwargs={"org_slug": slug, "project_id": row.project.id}),
                }
                for row in week.assignments
            ],
            absences=[
                {
                    "row": row,
                    "label": kinds.get(row.kind, row.kind),
                    "hours": [_hours(value) if value else "" for value in row.hours],
                    "total": _hours(sum(row.hours)),
                }
                for row in week.absences
            ],
            previous_url=f"{base}{self.resource.pk}/utilisation/week/?week={previous.isoformat()}",
            next_url=f"{base}{self.resource.pk}/utilisation/week/?week={following.isoformat()}",
            detail_url=f"{base}{self.resource.pk}/utilisation/?start={week.week_start.isoformat()}",
            heatmap_url=f"{base}?start={week.week_start.isoformat()}",
        )
        return context


class DemandView(ResourcesPage):
    """Demand against capacity by role, week by week: for the PMO's capacity planning."""

    template_name = "resources/capacity/demand.html"
    section = "demand"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET
        form = DemandFilterForm(query or None, organization=self.organization)
        valid = form.is_valid() if form.is_bound else True
        start, weeks = form.first_week(), form.week_count()
        table = None
        if valid:
            data = form.cleaned_data if form.is_bound else {}
            role = data.get("role")
            table = role_demand(
                self.organization,
                start=start,
                weeks=weeks,
                role_id=role.pk if role else None,
                kind=data.get("kind") or "",
            )
        rows = []
        for role_row in table.roles if table else []:
            rows.append(
                {
                    "role": role_row,
                    "weeks": [
                        {
                            "w": week,
                            "capacity": _hours(week.available),
                            "demand": _hours(week.demand),
                            "placeholder": _hours(week.placeholder_demand),
                            "gap": _hours(week.gap),
                            "short": week.gap < 0,
                        }
                        for week in role_row.weeks
                    ],
                }
            )
        shift = {"previous": (start - WEEK * weeks).isoformat(), "next": (start + WEEK * weeks).isoformat()}
        context.update(
            form=form,
            table=table,
            rows=rows,
            start=start,
            weeks=weeks,
            finish=start + WEEK * weeks - dt.timedelta(days=1),
            filtered=any(query.get(name) for name in ("start", "weeks", "role", "kind")),
            shift_links={
                key: "?" + _query(query, ("weeks", "role", "kind"), start=value) for key, value in shift.items()
            },
            list_url=reverse("org-resource-demand", kwargs={"org_slug": self.organization.slug}),
        )
        return context
