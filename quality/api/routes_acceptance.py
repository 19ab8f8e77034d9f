"""API routes of acceptance: deliverables, their sign-off and conditions, the satisfaction survey."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from quality.api.acceptance import ConditionCloseView, DeliverableViewSet, SatisfactionView

_router = SimpleRouter()
_router.register("deliverables", DeliverableViewSet, basename="api-quality-deliverable")

#: Under /api/v1/orgs/<org_slug>/.
org_patterns: list[URLPattern | URLResolver] = []
#: Under /api/v1/orgs/<org_slug>/projects/<project_id>/.
project_patterns: list[URLPattern | URLResolver] = [
    path(
        "deliverables/<int:deliverable_id>/conditions/<int:pk>/close/",
        ConditionCloseView.as_view(),
        name="api-quality-condition-close",
    ),
    path("satisfaction/", SatisfactionView.as_view(), name="api-quality-satisfaction"),
    *_router.urls,
]
