"""API routes of the handover part (see maintenance/api/handover.py)."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from maintenance.api.handover import HandoverCompleteView, HandoverRowDetailViewSet, HandoverRowViewSet, HandoverView

_router = SimpleRouter()
_router.register("maintenance/handover/rows", HandoverRowViewSet, basename="api-maintenance-handover-row")
_org_router = SimpleRouter()
_org_router.register(
    "maintenance/handover-rows", HandoverRowDetailViewSet, basename="api-maintenance-handover-row-detail"
)

#: Under /api/v1/orgs/<org_slug>/.
org_patterns: list[URLPattern | URLResolver] = [*_org_router.urls]
#: Under /api/v1/orgs/<org_slug>/projects/<project_id>/.
project_patterns: list[URLPattern | URLResolver] = [
    path("maintenance/handover/", HandoverView.as_view(), name="api-maintenance-handover"),
    path("maintenance/handover/complete/", HandoverCompleteView.as_view(), name="api-maintenance-handover-complete"),
    *_router.urls,
]
