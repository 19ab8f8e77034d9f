"""API routes of the standards part (see maintenance/api/standards.py)."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from maintenance.api.standards import CategoryViewSet, CriterionVersionViewSet, CriterionViewSet

_router = SimpleRouter()
_router.register("maintenance/categories", CategoryViewSet, basename="api-maintenance-category")
_router.register("maintenance/criteria", CriterionViewSet, basename="api-maintenance-criterion")
_router.register(
    "maintenance/criterion-versions", CriterionVersionViewSet, basename="api-maintenance-criterion-version"
)

#: Under /api/v1/orgs/<org_slug>/.
org_patterns: list[URLPattern | URLResolver] = [*_router.urls]
#: Under /api/v1/orgs/<org_slug>/projects/<project_id>/.
project_patterns: list[URLPattern | URLResolver] = []
