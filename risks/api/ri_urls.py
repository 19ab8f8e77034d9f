"""Routes of responses, actions and issues, under /api/v1/orgs/<org_slug>/projects/<project_id>/."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from risks.api.issues import IssueViewSet, RiskOccurredView
from risks.api.responses import ResponseActionViewSet, RiskResponseViewSet

router = SimpleRouter()
router.register(r"risks/(?P<risk_id>[0-9]+)/responses", RiskResponseViewSet, basename="api-risk-response")
router.register(r"risks/(?P<risk_id>[0-9]+)/actions", ResponseActionViewSet, basename="api-risk-action")
router.register("issues", IssueViewSet, basename="api-issue")

urlpatterns: list[URLPattern | URLResolver] = [
    path("risks/<int:risk_id>/occurred/", RiskOccurredView.as_view(), name="api-risk-occurred"),
    *router.urls,
]
