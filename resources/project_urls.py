"""A project's resources pages, under /o/<org_slug>/projects/<project_id>/."""

from django.urls import URLPattern, URLResolver

from resources.routes import assignments, capacity, exchange, leveling, org, pool, requests, timesheets

_PARTS = (org, pool, capacity, assignments, requests, leveling, timesheets, exchange)

urlpatterns: list[URLPattern | URLResolver] = [pattern for part in _PARTS for pattern in part.project_urlpatterns]
