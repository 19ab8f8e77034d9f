"""Page routes of resource requests."""

from django.urls import URLPattern, URLResolver

#: Under /o/<org_slug>/resources/.
org_urlpatterns: list[URLPattern | URLResolver] = []
#: Under /o/<org_slug>/projects/<project_id>/.
project_urlpatterns: list[URLPattern | URLResolver] = []
