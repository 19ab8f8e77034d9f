"""The root URL configuration: the core's site with every app's pages and API of one organisation.

The composition sits at the top of the layers (ARCHITECTURE.md), so it alone names the apps.
"""

from django.urls import URLPattern, URLResolver, include, path

from dashboard import api, views
from finance import project_urls as finance_project_urls
from finance import urls as finance_urls
from finance.api import urls as finance_api_urls
from maintenance import project_urls as maintenance_project_urls
from maintenance import urls as maintenance_urls
from maintenance.api import urls as maintenance_api_urls
from pmo import urls as core_urls
from pmo.api import urls as core_api_urls
from projects import urls as projects_urls
from projects.api import urls as projects_api_urls
from quality import project_urls as quality_project_urls
from quality import urls as quality_urls
from quality.api import urls as quality_api_urls
from resources import project_urls as resources_project_urls
from resources import urls as resources_urls
from resources.api import urls as resources_api_urls
from risks import project_urls as risks_project_urls
from risks import urls as risks_urls
from risks.api import urls as risks_api_urls

organization_pages: list[URLPattern | URLResolver] = [
    path("", views.OrganizationHomeView.as_view(), name="org-home"),
    *core_urls.organization_pages,
    path("projects/", include(projects_urls)),
    path("projects/<int:project_id>/summary-pdf/", views.ProjectSummaryPdfView.as_view(), name="project-summary-pdf"),
    # A project's finance pages sit among its own; projects does not know them.
    path("projects/<int:project_id>/", include(finance_project_urls)),
    path("projects/<int:project_id>/", include(risks_project_urls)),
    path("projects/<int:project_id>/", include(quality_project_urls)),
    path("projects/<int:project_id>/", include(resources_project_urls)),
    path("projects/<int:project_id>/", include(maintenance_project_urls)),
    path("finance/", include(finance_urls)),
    path("resources/", include(resources_urls)),
    path("risks/", include(risks_urls)),
    path("quality/", include(quality_urls)),
    path("maintenance/", include(maintenance_urls)),
]

organization_api: list[URLPattern | URLResolver] = [
    *core_api_urls.org_patterns,
    path("dashboard/", api.DashboardView.as_view(), name="api-dashboard"),
    path(
        "projects/<int:project_id>/summary-pdf/",
        api.ProjectSummaryPdfView.as_view(),
        name="api-project-summary-pdf",
    ),
    path("", include(projects_api_urls)),
    path("", include(finance_api_urls)),
    path("", include(risks_api_urls)),
    path("", include(quality_api_urls)),
    path("", include(resources_api_urls)),
    path("", include(maintenance_api_urls)),
]

urlpatterns = core_urls.site_urlpatterns(
    organization_pages=organization_pages,
    api_urlpatterns=core_api_urls.api_urlpatterns(organization_patterns=organization_api),
)

handler400 = "pmo.errors.handler400"
handler404 = "pmo.errors.handler404"
handler500 = "pmo.errors.handler500"
