"""API of the projects app, mounted at /api/v1/orgs/<org_slug>/."""

from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    # Status reports and change requests.
    path("projects/<int:project_id>/", include("projects.api.control_urls")),
]
