"""Page routes of timesheets and approvals."""

from django.urls import URLPattern, URLResolver, path

from resources.views.timesheets import ApprovalsView, ProjectApprovalsView, ResourceWorkPage, TimesheetView

#: Under /o/<org_slug>/resources/.
org_urlpatterns: list[URLPattern | URLResolver] = [
    path("timesheet/", TimesheetView.as_view(), name="org-timesheet"),
    path("approvals/", ApprovalsView.as_view(), name="org-timesheet-approvals"),
]
#: Under /o/<org_slug>/projects/<project_id>/.
project_urlpatterns: list[URLPattern | URLResolver] = [
    path("resources/approvals/", ProjectApprovalsView.as_view(), name="project-timesheet-approvals"),
    path("resources/work/", ResourceWorkPage.as_view(), name="project-resource-work"),
]
