"""Status reports, change requests and the change log, under /o/<org_slug>/projects/<project_id>/."""

from django.urls import URLPattern, URLResolver, path

from projects import control_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("status-reports/", views.StatusReportListView.as_view(), name="project-status-reports"),
    path("status-reports/<int:pk>/", views.StatusReportDetailView.as_view(), name="project-status-report"),
    path("status-reports/<int:pk>/pdf/", views.StatusReportPdfView.as_view(), name="project-status-report-pdf"),
    path("change-requests/", views.ChangeRequestListView.as_view(), name="project-change-requests"),
    path("change-requests/<int:pk>/", views.ChangeRequestDetailView.as_view(), name="project-change-request"),
    path("change-log/", views.ChangeLogView.as_view(), name="project-change-log"),
]
