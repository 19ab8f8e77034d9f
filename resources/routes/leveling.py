"""Page routes of leveling proposals."""

from django.urls import URLPattern, URLResolver, path

from resources.views.leveling import (
    OrganizationLevelingRunView,
    OrganizationLevelingView,
    ProjectLevelingRunView,
    ProjectLevelingView,
)

#: Under /o/<org_slug>/resources/.
org_urlpatterns: list[URLPattern | URLResolver] = [
    path("leveling/", OrganizationLevelingView.as_view(), name="org-resource-leveling"),
    path("leveling/<int:levelingrun_id>/", OrganizationLevelingRunView.as_view(), name="org-resource-leveling-run"),
]
#: Under /o/<org_slug>/projects/<project_id>/.
project_urlpatterns: list[URLPattern | URLResolver] = [
    path("resources/leveling/", ProjectLevelingView.as_view(), name="project-resource-leveling"),
    path(
        "resources/leveling/<int:levelingrun_id>/",
        ProjectLevelingRunView.as_view(),
        name="project-resource-leveling-run",
    ),
]
