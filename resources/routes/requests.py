"""Page routes of resource requests."""

from django.urls import URLPattern, URLResolver, path

from resources.views.requests import (
    OrganizationRequestDetailView,
    OrganizationRequestListView,
    ProjectRequestDetailView,
    ProjectRequestListView,
    RequestCreateView,
)

#: Under /o/<org_slug>/resources/.
org_urlpatterns: list[URLPattern | URLResolver] = [
    path("requests/", OrganizationRequestListView.as_view(), name="org-resource-requests"),
    path("requests/<int:resourcerequest_id>/", OrganizationRequestDetailView.as_view(), name="org-resource-request"),
]
#: Under /o/<org_slug>/projects/<project_id>/.
project_urlpatterns: list[URLPattern | URLResolver] = [
    path("resources/requests/", ProjectRequestListView.as_view(), name="project-resource-requests"),
    path("resources/requests/new/", RequestCreateView.as_view(), name="project-resource-request-create"),
    path(
        "resources/requests/<int:resourcerequest_id>/",
        ProjectRequestDetailView.as_view(),
        name="project-resource-request",
    ),
]
