"""API routes of capacity and utilisation: the resource x week grid, one resource's days, demand by role."""

from django.urls import URLPattern, URLResolver, path

from resources.api.capacity import DemandView, ResourceUtilisationView, UtilisationView

#: Under /api/v1/orgs/<org_slug>/.
org_patterns: list[URLPattern | URLResolver] = [
    path("utilisation/", UtilisationView.as_view(), name="api-resource-utilisation"),
    path("utilisation/<int:pk>/", ResourceUtilisationView.as_view(), name="api-resource-utilisation-detail"),
    path("resource-demand/", DemandView.as_view(), name="api-resource-demand"),
]
#: Under /api/v1/orgs/<org_slug>/projects/<project_id>/.
project_patterns: list[URLPattern | URLResolver] = []
