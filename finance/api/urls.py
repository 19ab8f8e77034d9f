"""API of the finance app, mounted at /api/v1/orgs/<org_slug>/."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
