"""Status reports and change requests of one project, under /api/v1/orgs/<org_slug>/projects/<project_id>/."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from projects.api.control import ChangeRequestViewSet, StatusReportViewSet

router = SimpleRouter()
router.register("status-reports", StatusReportViewSet, basename="api-project-status-report")
router.register("change-requests", ChangeRequestViewSet, basename="api-project-change-request")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
