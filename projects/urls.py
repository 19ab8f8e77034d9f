"""Pages of the projects app, mounted at /o/<org_slug>/projects/."""

from django.urls import URLPattern, URLResolver, include, path

from projects import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.ProjectListView.as_view(), name="org-projects"),
    # Status reports and change requests.
    path("<int:project_id>/", include("projects.control_urls")),
]
