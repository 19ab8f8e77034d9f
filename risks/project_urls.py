"""A project's risk pages (register, issues, analysis), under /o/<org_slug>/projects/<project_id>/."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
