"""A project's maintenance pages, under /o/<org_slug>/projects/<project_id>/."""

from django.urls import URLPattern, URLResolver

from maintenance.routes import assets, handover, org, preventive, rounds, standards, work_orders

_PARTS = (org, assets, handover, standards, rounds, work_orders, preventive)

urlpatterns: list[URLPattern | URLResolver] = [pattern for part in _PARTS for pattern in part.project_urlpatterns]
