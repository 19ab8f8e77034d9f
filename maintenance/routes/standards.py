"""Page routes of the standards part."""

from django.urls import URLPattern, URLResolver

#: Under /o/<org_slug>/maintenance/.
org_urlpatterns: list[URLPattern | URLResolver] = []
#: Under /o/<org_slug>/projects/<project_id>/.
project_urlpatterns: list[URLPattern | URLResolver] = []
