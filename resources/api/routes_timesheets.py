"""API routes of timesheets and approvals (see resources/api/urls.py and resources/api/timesheets.py)."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from resources.api.timesheets import (
    ResourceWorkView,
    TimesheetApprovalViewSet,
    TimesheetLineViewSet,
    TimesheetViewSet,
)

_org_router = SimpleRouter()
_org_router.register("timesheets", TimesheetViewSet, basename="api-resource-timesheet")
_org_router.register(
    r"timesheets/(?P<timesheet_id>[0-9]+)/lines", TimesheetLineViewSet, basename="api-resource-timesheet-line"
)
_org_router.register("timesheet-approvals", TimesheetApprovalViewSet, basename="api-resource-timesheet-approval")

#: Under /api/v1/orgs/<org_slug>/.
org_patterns: list[URLPattern | URLResolver] = [*_org_router.urls]
#: Under /api/v1/orgs/<org_slug>/projects/<project_id>/.
project_patterns: list[URLPattern | URLResolver] = [
    path("resource-work/", ResourceWorkView.as_view(), name="api-resource-work"),
]
