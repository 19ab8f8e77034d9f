"""Page routes of MS Project XML exchange."""

from django.urls import URLPattern, URLResolver, path

from resources.views.exchange import NewProjectView, ProjectExchangeView, ProjectExportView

#: Under /o/<org_slug>/resources/.
org_urlpatterns: list[URLPattern | URLResolver] = [
    path("ms-project/", NewProjectView.as_view(), name="org-mspdi-import"),
]
#: Under /o/<org_slug>/projects/<project_id>/.
project_urlpatterns: list[URLPattern | URLResolver] = [
    path("resources/ms-project/", ProjectExchangeView.as_view(), name="project-mspdi"),
    path("resources/ms-project/export/", ProjectExportView.as_view(), name="project-mspdi-export"),
]
