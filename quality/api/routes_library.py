"""API routes of the organisation's quality library (see quality/api/urls.py)."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from quality.api import library

router = SimpleRouter()
router.register("standards", library.StandardViewSet, basename="api-quality-standard")
router.register("inspection-types", library.InspectionTypeViewSet, basename="api-quality-inspection-type")
router.register("checklist-templates", library.ChecklistTemplateViewSet, basename="api-quality-template")

#: Under /api/v1/orgs/<org_slug>/.
org_patterns: list[URLPattern | URLResolver] = [
    path("quality-settings/", library.QualitySettingsView.as_view(), name="api-quality-settings"),
    *router.urls,
]
#: Under /api/v1/orgs/<org_slug>/projects/<project_id>/.
project_patterns: list[URLPattern | URLResolver] = []
