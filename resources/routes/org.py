"""Page routes of the section's home (utilisation overview; the core's "not yet available" page until it is built)."""

from django.urls import URLPattern, URLResolver, path
from django.utils.translation import gettext_lazy as _

from pmo.views import ModuleNotYetAvailableView

#: Under /o/<org_slug>/resources/.
org_urlpatterns: list[URLPattern | URLResolver] = [
    path("", ModuleNotYetAvailableView.as_view(module="resources", title=_("Resources")), name="org-resources"),
]
#: Under /o/<org_slug>/projects/<project_id>/.
project_urlpatterns: list[URLPattern | URLResolver] = []
