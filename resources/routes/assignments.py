"""Page routes of assignments and a project's resourcing (bottom-up costing)."""

from django.urls import URLPattern, URLResolver, path

from resources.views.assignments import AssignmentEditView, ProjectAssignmentsView
from resources.views.assignments_xlsx import AssignmentsImportView, AssignmentsTemplateView, AssignmentsWorkbookView

#: Under /o/<org_slug>/resources/.
org_urlpatterns: list[URLPattern | URLResolver] = []
#: Under /o/<org_slug>/projects/<project_id>/.
project_urlpatterns: list[URLPattern | URLResolver] = [
    path("resources/", ProjectAssignmentsView.as_view(), name="project-resources"),
    path("resources/assignments.xlsx", AssignmentsWorkbookView.as_view(), name="project-resource-assignments-xlsx"),
    path(
        "resources/assignments/template.xlsx",
        AssignmentsTemplateView.as_view(),
        name="project-resource-assignments-template-xlsx",
    ),
    path("resources/assignments/import/", AssignmentsImportView.as_view(), name="project-resource-assignments-import"),
    path(
        "resources/assignments/<int:assignment_id>/",
        AssignmentEditView.as_view(),
        name="project-resource-assignment",
    ),
]
