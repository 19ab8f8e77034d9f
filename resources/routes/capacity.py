"""Page routes of capacity and utilisation: heat map, per-resource detail, demand against capacity."""

from django.urls import URLPattern, URLResolver

#: Under /o/<org_slug>/resources/.
org_urlpatterns: list[URLPattern | URLResolver] = []
#: Under /o/<org_slug>/projects/<project_id>/.
project_urlpatterns: list[URLPattern | URLResolver] = []
