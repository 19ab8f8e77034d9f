"""API routes of the preventive part (see maintenance/api/preventive.py)."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from maintenance.api.preventive import MeterReadingViewSet, MeterViewSet, PmPlanViewSet

_router = SimpleRouter()
_router.register("maintenance/pm-plans", PmPlanViewSet, basename="api-maintenance-pm-plan")
_router.register("maintenance/meters", MeterViewSet, basename="api-maintenance-meter")

#: Under /api/v1/orgs/<org_slug>/.
org_patterns: list[URLPattern | URLResolver] = [
    *_router.urls,
    path(
        "maintenance/meters/<int:meter_id>/readings/",
        MeterReadingViewSet.as_view({"get": "list", "post": "create"}),
        name="api-maintenance-meter-readings",
    ),
]
#: Under /api/v1/orgs/<org_slug>/projects/<project_id>/.
project_patterns: list[URLPattern | URLResolver] = []
