"""API routes of the pool: resources, roles, skills, exceptions, rates, settings, CSV import, workbooks."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from resources.api import pool, workbooks

router = SimpleRouter()
router.register("resources", pool.ResourceViewSet, basename="api-resource")
router.register(
    r"resources/(?P<resource_id>[0-9]+)/exceptions", pool.ResourceExceptionViewSet, basename="api-resource-exception"
)
router.register(r"resources/(?P<resource_id>[0-9]+)/rates", pool.CostRateViewSet, basename="api-resource-rate")
router.register("resource-roles", pool.ResourceRoleViewSet, basename="api-resource-role")
router.register("skills", pool.SkillViewSet, basename="api-resource-skill")

#: Under /api/v1/orgs/<org_slug>/.
org_patterns: list[URLPattern | URLResolver] = [
    path("resource-settings/", pool.ResourceSettingsView.as_view(), name="api-resource-settings"),
    path("resource-import/", pool.PoolImportView.as_view(), name="api-resource-import"),
    path("resources/xlsx/", workbooks.PoolWorkbookView.as_view(), name="api-resource-xlsx"),
    path("resources/xlsx/template/", workbooks.PoolWorkbookTemplateView.as_view(), name="api-resource-xlsx-template"),
    path("resources/xlsx/import/", workbooks.PoolWorkbookImportView.as_view(), name="api-resource-xlsx-import"),
    *router.urls,
]
#: Under /api/v1/orgs/<org_slug>/projects/<project_id>/.
project_patterns: list[URLPattern | URLResolver] = []
