"""Page routes of the handover part."""

from django.urls import URLPattern, URLResolver, path

from maintenance.views.handover import HandoverView

#: Under /o/<org_slug>/maintenance/.
org_urlpatterns: list[URLPattern | URLResolver] = []
#: Under /o/<org_slug>/projects/<project_id>/.
project_urlpatterns: list[URLPattern | URLResolver] = [
    path("maintenance/handover/", HandoverView.as_view(), name="project-maintenance-handover"),
]
