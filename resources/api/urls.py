"""API of the resources app, mounted at /api/v1/orgs/<org_slug>/; each part keeps its routes in ``routes_*``."""

from django.urls import URLPattern, URLResolver, include, path

from resources.api import (
    routes_assignments,
    routes_capacity,
    routes_exchange,
    routes_leveling,
    routes_pool,
    routes_requests,
    routes_timesheets,
)

_PARTS = (
    routes_pool,
    routes_capacity,
    routes_assignments,
    routes_requests,
    routes_leveling,
    routes_timesheets,
    routes_exchange,
)

urlpatterns: list[URLPattern | URLResolver] = [
    *(pattern for part in _PARTS for pattern in part.org_patterns),
    path("projects/<int:project_id>/", include([pattern for part in _PARTS for pattern in part.project_patterns])),
]
