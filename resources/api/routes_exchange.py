"""API routes of MS Project XML exchange (see resources/api/urls.py)."""

from django.urls import URLPattern, URLResolver, path

from resources.api.mspdi import OrganizationMspdiView, ProjectMspdiView

#: Under /api/v1/orgs/<org_slug>/.
org_patterns: list[URLPattern | URLResolver] = [
    path("projects/mspdi/", OrganizationMspdiView.as_view(), name="api-project-mspdi-create"),
]
#: Under /api/v1/orgs/<org_slug>/projects/<project_id>/.
project_patterns: list[URLPattern | URLResolver] = [
    path("mspdi/", ProjectMspdiView.as_view(), name="api-project-mspdi"),
]
