"""API routes of the pool: resources, roles, skills, exceptions, rates, settings, CSV import."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from resources.api import pool

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
    *router.urls,
]
#: Under /api/v1/orgs/<org_slug>/projects/<project_id>/.
project_patterns: list[URLPattern | URLResolver] = []
