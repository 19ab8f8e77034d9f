"""API routes of resource requests (see resources/api/urls.py and resources/api/requests.py)."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from resources.api.requests import ProjectRequestViewSet, RequestViewSet

_org_router = SimpleRouter()
_org_router.register("resource-requests", RequestViewSet, basename="api-resource-request")

_project_router = SimpleRouter()
_project_router.register("resource-requests", ProjectRequestViewSet, basename="api-resource-project-request")

#: Under /api/v1/orgs/<org_slug>/.
org_patterns: list[URLPattern | URLResolver] = [*_org_router.urls]
#: Under /api/v1/orgs/<org_slug>/projects/<project_id>/.
project_patterns: list[URLPattern | URLResolver] = [*_project_router.urls]
