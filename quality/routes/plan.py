"""Page routes of a project's inspection and test plan (see quality/project_urls.py)."""

from django.urls import URLPattern, URLResolver, path

from quality.views.plan import PlanView

urlpatterns: list[URLPattern | URLResolver] = [
    path("quality/plan/", PlanView.as_view(), name="project-quality-plan"),
]
