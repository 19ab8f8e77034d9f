"""API routes of the pool: resources, roles, skills, exceptions, rates, settings, CSV import."""

from django.urls import URLPattern, URLResolver

#: Under /api/v1/orgs/<org_slug>/.
org_patterns: list[URLPattern | URLResolver] = []
#: Under /api/v1/orgs/<org_slug>/projects/<project_id>/.
project_patterns: list[URLPattern | URLResolver] = []
