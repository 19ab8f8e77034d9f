"""Page routes of the section's home: the O&M overview (the core's placeholder until it is built)."""

from django.urls import URLPattern, URLResolver, path
from django.utils.translation import gettext_lazy as _

from pmo.views import ModuleNotYetAvailableView

#: Under /o/<org_slug>/maintenance/.
org_urlpatterns: list[URLPattern | URLResolver] = [
    path("", ModuleNotYetAvailableView.as_view(module="maintenance", title=_("Maintenance")), name="org-maintenance"),
]
#: Under /o/<org_slug>/projects/<project_id>/.
project_urlpatterns: list[URLPattern | URLResolver] = []
