"""API of the risks app, mounted at /api/v1/orgs/<org_slug>/."""

from django.urls import URLPattern, URLResolver, include, path
from rest_framework.routers import SimpleRouter

org_router = SimpleRouter()
project_router = SimpleRouter()

# Register the routes of each module here, before the lists below are built.

# Routes under /api/v1/orgs/<org_slug>/projects/<project_id>/.
project_patterns: list[URLPattern | URLResolver] = [
    *project_router.urls,
]

urlpatterns: list[URLPattern | URLResolver] = [
    *org_router.urls,
    path("projects/<int:project_id>/", include(project_patterns)),
]
