"""Page routes of the section's home: the O&M overview, and the project's O&M page."""

from django.urls import URLPattern, URLResolver, path

from maintenance.views.org import MaintenanceHomeView
from maintenance.views.project import ProjectMaintenanceView

#: Under /o/<org_slug>/maintenance/.
org_urlpatterns: list[URLPattern | URLResolver] = [
    path("", MaintenanceHomeView.as_view(), name="org-maintenance"),
]
#: Under /o/<org_slug>/projects/<project_id>/.
project_urlpatterns: list[URLPattern | URLResolver] = [
    path("maintenance/", ProjectMaintenanceView.as_view(), name="project-maintenance"),
]
