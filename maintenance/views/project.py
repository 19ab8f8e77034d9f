"""The project's O&M page: what the project handed over and how it fares in operation.

The assets it delivered (per site and category), their defects and warranty claims (all time, for
lessons learned and the contractor's evaluation), their work orders' figures over the last 90 days,
and the lifecycle cost of every work order on them. A fixed number of queries: the figures (four),
the defect record, the lifecycle cost, the assets per site and category, and one page of defects
(count and rows).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse

from maintenance.models import Asset, AssetStatus, Defect
from maintenance.selectors import Scope, defect_record, lifecycle_cost, maintenance_figures
from maintenance.views.base import InProject, MaintenancePage
from maintenance.views.org import FigureLinks
from pmo.views import paginate

DEFECTS_PER_PAGE = 20


class ProjectMaintenanceView(InProject, MaintenancePage):
    template_name = "maintenance/project.html"
    section = "operations"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        organization, project = self.organization, self.project
        scope = Scope(origin_project=project.pk)
        figures = maintenance_figures(organization, scope)
        links = FigureLinks(organization, figures.scope)
        groups = list(
            Asset.objects.for_organization(organization)
            .filter(origin_project_id=project.pk)
            .values("site_id", "site__code", "site__name", "category__name_zh", "category__name_en")
            .annotate(
                active=Count("pk", filter=Q(status=AssetStatus.ACTIVE)),
                retired=Count("pk", filter=Q(status=AssetStatus.RETIRED)),
            )
            .order_by("site__code", "category__position", "category__name_en")
        )
        from maintenance.models.settings import bilingual

        for group in groups:
            group["category"] = bilingual(group["category__name_zh"] or "", group["category__name_en"] or "")
            group["url"] = links.assets(site=group["site_id"])
        defects = paginate(
            self.request,
            Defect.objects.for_organization(organization)
            .filter(origin_project_id=project.pk)
            .select_related("asset", "criterion", "criterion_version", "contractor")
            .order_by("-found_at", "-pk"),
            DEFECTS_PER_PAGE,
        )
        try:
            handover_url: str | None = reverse(
                "project-maintenance-handover", kwargs={"org_slug": organization.slug, "project_id": project.pk}
            )
        except NoReverseMatch:
            handover_url = None
        context.update(
            figures=figures,
            links=links.figure_links(figures),
            om_record=defect_record(organization, origin_project=project.pk),
            om_cost=lifecycle_cost(organization, origin_project=project.pk),
            om_groups=groups,
            om_defects=defects,
            handover_url=handover_url,
            work_orders_url=links.work_orders(),
        )
        return context
