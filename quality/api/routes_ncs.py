"""API routes of non-conformances and their actions (see quality/api/urls.py and quality/api/ncs.py)."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from quality.api.ncs import CorrectiveActionViewSet, NonConformanceViewSet, OrganizationNonConformanceViewSet

_org_router = SimpleRouter()
_org_router.register("non-conformances", OrganizationNonConformanceViewSet, basename="api-org-non-conformance")

_project_router = SimpleRouter()
_project_router.register("non-conformances", NonConformanceViewSet, basename="api-non-conformance")
_project_router.register(
    r"non-conformances/(?P<nonconformance_id>[0-9]+)/actions", CorrectiveActionViewSet, basename="api-nc-action"
)

#: Under /api/v1/orgs/<org_slug>/.
org_patterns: list[URLPattern | URLResolver] = [*_org_router.urls]
#: Under /api/v1/orgs/<org_slug>/projects/<project_id>/.
project_patterns: list[URLPattern | URLResolver] = [*_project_router.urls]
