"""Page routes of one part of the quality app (see quality/urls.py and quality/project_urls.py)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
