"""Page routes of the section's home: the utilisation heat map of the organisation's resources."""

from django.urls import URLPattern, URLResolver, path

from resources.views.capacity import UtilisationView

#: Under /o/<org_slug>/resources/.
org_urlpatterns: list[URLPattern | URLResolver] = [
    path("", UtilisationView.as_view(), name="org-resources"),
]
#: Under /o/<org_slug>/projects/<project_id>/.
project_urlpatterns: list[URLPattern | URLResolver] = []
