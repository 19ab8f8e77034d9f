"""API of the quality app, mounted at /api/v1/orgs/<org_slug>/; each part keeps its routes in ``routes_*``."""

from django.urls import URLPattern, URLResolver, include, path

from quality.api import routes_acceptance, routes_figures, routes_inspections, routes_library, routes_ncs, routes_plan

_PARTS = (routes_library, routes_plan, routes_inspections, routes_ncs, routes_acceptance, routes_figures)

urlpatterns: list[URLPattern | URLResolver] = [
    *(pattern for part in _PARTS for pattern in part.org_patterns),
    path("projects/<int:project_id>/", include([pattern for part in _PARTS for pattern in part.project_patterns])),
]
