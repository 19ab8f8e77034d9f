"""Page routes of a project's quality overview."""

from django.urls import URLPattern, URLResolver, path

from quality.views.project import ProjectQualityView

urlpatterns: list[URLPattern | URLResolver] = [
    path("quality/", ProjectQualityView.as_view(), name="project-quality"),
]
