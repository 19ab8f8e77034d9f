"""API routes of the figures part."""

from django.urls import URLPattern, URLResolver, path

from maintenance.api.figures import MaintenanceFiguresView

#: Under /api/v1/orgs/<org_slug>/.
org_patterns: list[URLPattern | URLResolver] = [
    path("maintenance-figures/", MaintenanceFiguresView.as_view(), name="api-maintenance-figures"),
]
#: Under /api/v1/orgs/<org_slug>/projects/<project_id>/.
project_patterns: list[URLPattern | URLResolver] = []
