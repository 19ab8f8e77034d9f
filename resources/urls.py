"""The resources section of an organisation, under /o/<org_slug>/resources/ (project pages: project_urls)."""

from django.urls import URLPattern, URLResolver

from resources.routes import assignments, capacity, exchange, leveling, org, pool, requests, timesheets

_PARTS = (org, pool, capacity, assignments, requests, leveling, timesheets, exchange)

urlpatterns: list[URLPattern | URLResolver] = [pattern for part in _PARTS for pattern in part.org_urlpatterns]
