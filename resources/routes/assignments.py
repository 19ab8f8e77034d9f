"""Page routes of assignments and a project's resourcing (bottom-up costing)."""

from django.urls import URLPattern, URLResolver, path

from resources.views.assignments import AssignmentEditView, ProjectAssignmentsView

#: Under /o/<org_slug>/resources/.
org_urlpatterns: list[URLPattern | URLResolver] = []
#: Under /o/<org_slug>/projects/<project_id>/.
project_urlpatterns: list[URLPattern | URLResolver] = [
    path("resources/", ProjectAssignmentsView.as_view(), name="project-resources"),
    path(
        "resources/assignments/<int:assignment_id>/",
        AssignmentEditView.as_view(),
        name="project-resource-assignment",
    ),
]
