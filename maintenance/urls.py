"""The maintenance section of an organisation, under /o/<org_slug>/maintenance/ (project pages: project_urls)."""

from django.urls import URLPattern, URLResolver

from maintenance.routes import assets, handover, org, preventive, rounds, standards, work_orders

_PARTS = (org, assets, handover, standards, rounds, work_orders, preventive)

urlpatterns: list[URLPattern | URLResolver] = [pattern for part in _PARTS for pattern in part.org_urlpatterns]
