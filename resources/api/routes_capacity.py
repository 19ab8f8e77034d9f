"""API routes of capacity and utilisation: heat map, per-resource detail, demand against capacity."""

from django.urls import URLPattern, URLResolver

#: Under /api/v1/orgs/<org_slug>/.
org_patterns: list[URLPattern | URLResolver] = []
#: Under /api/v1/orgs/<org_slug>/projects/<project_id>/.
project_patterns: list[URLPattern | URLResolver] = []
