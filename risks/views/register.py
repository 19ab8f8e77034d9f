"""The register: a project's risks, or the organisation's (every project's and its own), with the heat map."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict
from django.urls import reverse
from django.utils.safestring import SafeString

from pmo.views import paginate
from projects.views.portfolio import sort_links
from risks.filters import DEFAULT_ORDERING, OPEN, ORDERINGS, SORTABLE, RiskFilter, ordering_of
from risks.heatmap import INHERENT, basis_of, cell_counts, render_svg
from risks.models import OPEN_STATUSES, Level, Risk
from risks.permissions import RiskAction
from risks.services.settings import risk_settings_for
from risks.views.base import LEVEL_BADGES, STATUS_BADGES, InProject, RiskPage

#: Query parameters that do not narrow the list.
NOT_FILTERS = frozenset({"page", "ordering", "map", "basis"})


MAIN_FILTERS = ("q", "status", "level", "owner", "category", "project", "portfolio")


def score_cell(score: int | None, level: str) -> dict[str, Any]:
    return {
        "score": score,
        "label": Level(level).label if level else "",
        "badge": LEVEL_BADGES.get(level, "badge-grey"),
    }


class RegisterPage(RiskPage):
    template_name = "risks/register.html"

    def risks(self) -> Any:
        risks = Risk.objects.for_organization(self.organization).select_related("category", "owner", "project")
        if self.project_or_none is not None:
            return risks.filter(project=self.project_or_none)
        return risks

    def heat_map_scope(self, filterset: RiskFilter) -> dict[str, Any]:
        if self.project_or_none is not None:
            return {"project": self.project_or_none}
        data = filterset.form.cleaned_data if filterset.is_valid() else {}
        if data.get("project") is not None:
            return {"project": data["project"]}
        if data.get("portfolio") is not None:
            return {"portfolio_id": data["portfolio"].pk}
        if data.get("scope") == "projects":
            return {"organisation_level": False}
        return {}

    def cell_url(self, basis: str, probability: int, impact: int) -> str:
        query = QueryDict(mutable=True)
        for key in ("project", "portfolio", "scope"):
            if self.request.GET.get(key):
                query[key] = self.request.GET[key]
        query.update({"status": OPEN, "basis": basis, "probability": str(probability), "impact": str(impact)})
        query["map"] = basis
        return f"{self.url('risks')}?{query.urlencode()}"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        today = self.organization.today()
        settings = risk_settings_for(self.organization)
        ordering = ordering_of(self.request.GET.get("ordering"))
        filterset = RiskFilter(
            self.request.GET,
            queryset=self.risks().order_by(*ORDERINGS[ordering]),
            organization=self.organization,
            project=self.project_or_none,
            today=today,
        )
        page = paginate(self.request, filterset.qs if filterset.is_valid() else filterset.queryset.none())
        basis = basis_of(self.request.GET.get("map"))
        heat_map = cell_counts(self.organization, basis=basis, **self.heat_map_scope(filterset))
        svg: SafeString = render_svg(heat_map, settings, href=lambda p, i: self.cell_url(basis, p, i))
        context.update(
            filter=filterset,
            main_filters=[field for field in filterset.form if field.name in MAIN_FILTERS],
            more_filters=[field for field in filterset.form if field.name not in MAIN_FILTERS],
            more_open=any(
                self.request.GET.get(field.name)
                for field in filterset.form
                if field.name not in MAIN_FILTERS and field.name != "basis"
            ),
            page=page,
            rows=[self.row(risk, today) for risk in page.object_list],
            filtered=any(value for key, value in self.request.GET.items() if key not in NOT_FILTERS),
            sort=sort_links(ordering, SORTABLE),
            ordering=self.request.GET.get("ordering", "") if ordering != DEFAULT_ORDERING else "",
            default_ordering=DEFAULT_ORDERING,
            heat_map=heat_map,
            heat_map_svg=svg,
            heat_map_basis=basis,
            heat_map_other=self.toggle_url(INHERENT if basis != INHERENT else "current"),
            settings=settings,
            today=today,
            may_raise=self.can(RiskAction.RISK_MANAGE),
            may_settings=self.can(RiskAction.RISK_SETTINGS_MANAGE),
        )
        return context

    def toggle_url(self, basis: str) -> str:
        query = self.request.GET.copy()
        query["map"] = basis
        query.pop("page", None)
        return f"?{query.urlencode()}"

    def row(self, risk: Risk, today: Any) -> dict[str, Any]:
        is_open = risk.status in OPEN_STATUSES
        return {
            "risk": risk,
            "url": self.risk_link(risk),
            "inherent": score_cell(risk.inherent_score, risk.inherent_level),
            "current": score_cell(risk.score, risk.level),
            "target": score_cell(risk.target_score, risk.target_level),
            "status_badge": STATUS_BADGES.get(risk.status, "badge-grey"),
            "overdue": bool(is_open and risk.next_review and risk.next_review < today),
            "currency": risk.project.currency if risk.project is not None else self.organization.default_currency,
        }

    def risk_link(self, risk: Risk) -> str:
        """The risk's page without reading its organisation again (``Risk.get_absolute_url`` would)."""
        if risk.project_id is None:
            return reverse("org-risk", args=[self.organization.slug, risk.pk])
        return reverse("project-risk", args=[self.organization.slug, risk.project_id, risk.pk])


class ProjectRegisterView(InProject, RegisterPage):
    """A project's register with its heat map."""


class OrganizationRegisterView(RegisterPage):
    """Every risk of the organisation: its projects' and its own, with the portfolio heat map."""
