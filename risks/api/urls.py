"""API of the risks app, mounted at /api/v1/orgs/<org_slug>/."""

from django.urls import URLPattern, URLResolver, include, path
from rest_framework.routers import SimpleRouter

from risks.api import analysis, register
from risks.api.csv import csv_route
from risks.api.ri_urls import org_urlpatterns as org_responses
from risks.api.ri_urls import urlpatterns as responses_and_issues
from risks.api.xlsx import xlsx_route

org_router = SimpleRouter()
project_router = SimpleRouter()

# Register the routes of each module here, before the lists below are built.
org_router.register("risks", register.OrganizationRiskViewSet, basename="api-org-risk")
org_router.register("risk-categories", register.RiskCategoryViewSet, basename="api-risk-category")
project_router.register("risks", register.ProjectRiskViewSet, basename="api-project-risk")
project_router.register("risk-analyses", analysis.MonteCarloRunViewSet, basename="api-risk-analysis")
project_router.register("task-estimates", analysis.TaskEstimateViewSet, basename="api-task-estimate")

# Routes under /api/v1/orgs/<org_slug>/projects/<project_id>/.
project_patterns: list[URLPattern | URLResolver] = [
    path("risks/import/", csv_route("post", "import_csv"), name="api-project-risk-import"),
    path("risks/import/template/", csv_route("get", "template"), name="api-project-risk-import-template"),
    path("risks/export/", csv_route("get", "export_csv"), name="api-project-risk-export"),
    path("risks/import/xlsx/", xlsx_route("post", "import_xlsx"), name="api-project-risk-import-xlsx"),
    path(
        "risks/import/template/xlsx/",
        xlsx_route("get", "template_xlsx"),
        name="api-project-risk-import-template-xlsx",
    ),
    path("risks/export/xlsx/", xlsx_route("get", "export_xlsx"), name="api-project-risk-export-xlsx"),
    *responses_and_issues,
    *project_router.urls,
]

urlpatterns: list[URLPattern | URLResolver] = [
    *org_responses,
    path("risk-settings/", register.RiskSettingsView.as_view(), name="api-risk-settings"),
    *org_router.urls,
    path("projects/<int:project_id>/", include(project_patterns)),
]
