"""Routes of responses, actions and issues, under /api/v1/orgs/<org_slug>/projects/<project_id>/ (``urlpatterns``)
and, for organisation-level risks, under /api/v1/orgs/<org_slug>/ (``org_urlpatterns``)."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from risks.api.issues import IssueViewSet, RiskOccurredView
from risks.api.responses import ResponseActionViewSet, RiskResponseViewSet

router = SimpleRouter()
router.register(r"risks/(?P<risk_id>[0-9]+)/responses", RiskResponseViewSet, basename="api-risk-response")
router.register(r"risks/(?P<risk_id>[0-9]+)/actions", ResponseActionViewSet, basename="api-risk-action")
router.register("issues", IssueViewSet, basename="api-issue")

org_router = SimpleRouter()
org_router.register(r"risks/(?P<risk_id>[0-9]+)/responses", RiskResponseViewSet, basename="api-org-risk-response")
org_router.register(r"risks/(?P<risk_id>[0-9]+)/actions", ResponseActionViewSet, basename="api-org-risk-action")

# Routes under /api/v1/orgs/<org_slug>/ (an organisation-level risk's responses and actions).
org_urlpatterns: list[URLPattern | URLResolver] = [*org_router.urls]

urlpatterns: list[URLPattern | URLResolver] = [
    path("risks/<int:risk_id>/occurred/", RiskOccurredView.as_view(), name="api-risk-occurred"),
    *router.urls,
]
