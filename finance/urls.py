"""Pages of the finance app, mounted at /o/<org_slug>/finance/ (and project tabs under projects/)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
