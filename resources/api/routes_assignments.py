"""API routes of assignments and a project's resourcing (bottom-up costing) (see resources/api/urls.py)."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from resources.api import workbooks
from resources.api.assignments import (
    AssignmentViewSet,
    OrganizationAssignmentViewSet,
    ProjectRecostView,
    ProjectResourcingView,
)

_org_router = SimpleRouter()
_org_router.register("assignments", OrganizationAssignmentViewSet, basename="api-resource-org-assignment")

_project_router = SimpleRouter()
_project_router.register("assignments", AssignmentViewSet, basename="api-resource-assignment")

#: Under /api/v1/orgs/<org_slug>/.
org_patterns: list[URLPattern | URLResolver] = [*_org_router.urls]
#: Under /api/v1/orgs/<org_slug>/projects/<project_id>/.
project_patterns: list[URLPattern | URLResolver] = [
    path("assignments/xlsx/", workbooks.AssignmentsWorkbookView.as_view(), name="api-resource-assignments-xlsx"),
    path(
        "assignments/xlsx/template/",
        workbooks.AssignmentsTemplateView.as_view(),
        name="api-resource-assignments-xlsx-template",
    ),
    path(
        "assignments/xlsx/import/",
        workbooks.AssignmentsImportView.as_view(),
        name="api-resource-assignments-xlsx-import",
    ),
    *_project_router.urls,
    path("resourcing/", ProjectResourcingView.as_view(), name="api-resource-resourcing"),
    path("resourcing/recost/", ProjectRecostView.as_view(), name="api-resource-recost"),
]
