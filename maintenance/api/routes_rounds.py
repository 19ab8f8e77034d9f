"""API routes of the rounds part (see maintenance/api/rounds.py)."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from maintenance.api.rounds import InspectionPlanViewSet, RoundViewSet

_router = SimpleRouter()
_router.register("maintenance/inspection-plans", InspectionPlanViewSet, basename="api-maintenance-inspection-plan")
_router.register("maintenance/rounds", RoundViewSet, basename="api-maintenance-round")

#: Under /api/v1/orgs/<org_slug>/.
org_patterns: list[URLPattern | URLResolver] = [*_router.urls]
#: Under /api/v1/orgs/<org_slug>/projects/<project_id>/.
project_patterns: list[URLPattern | URLResolver] = []
