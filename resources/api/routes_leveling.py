"""API routes of leveling proposals (see resources/api/urls.py and resources/api/leveling.py)."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from resources.api.leveling import LevelingRunViewSet

_org_router = SimpleRouter()
_org_router.register("leveling-runs", LevelingRunViewSet, basename="api-resource-leveling-run")

#: Under /api/v1/orgs/<org_slug>/.
org_patterns: list[URLPattern | URLResolver] = [*_org_router.urls]
#: Under /api/v1/orgs/<org_slug>/projects/<project_id>/.
project_patterns: list[URLPattern | URLResolver] = []
