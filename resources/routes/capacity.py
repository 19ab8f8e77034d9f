"""Page routes of capacity and utilisation: per-resource detail, the week behind a cell, demand against capacity."""

from django.urls import URLPattern, URLResolver, path

from resources.views.capacity import DemandView, ResourceUtilisationView, ResourceWeekView

#: Under /o/<org_slug>/resources/.
org_urlpatterns: list[URLPattern | URLResolver] = [
    path("demand/", DemandView.as_view(), name="org-resource-demand"),
    path("<int:resource_id>/utilisation/", ResourceUtilisationView.as_view(), name="org-resource-utilisation"),
    path("<int:resource_id>/utilisation/week/", ResourceWeekView.as_view(), name="org-resource-week"),
]
#: Under /o/<org_slug>/projects/<project_id>/.
project_urlpatterns: list[URLPattern | URLResolver] = []
