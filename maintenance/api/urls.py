"""API of the maintenance app, mounted at /api/v1/orgs/<org_slug>/; each part keeps its routes in ``routes_*``."""

from django.urls import URLPattern, URLResolver, include, path

from maintenance.api import (
    routes_assets,
    routes_figures,
    routes_handover,
    routes_preventive,
    routes_rounds,
    routes_standards,
    routes_work_orders,
)

_PARTS = (
    routes_assets,
    routes_handover,
    routes_standards,
    routes_rounds,
    routes_work_orders,
    routes_preventive,
    routes_figures,
)

urlpatterns: list[URLPattern | URLResolver] = [
    *(pattern for part in _PARTS for pattern in part.org_patterns),
    path("projects/<int:project_id>/", include([pattern for part in _PARTS for pattern in part.project_patterns])),
]
