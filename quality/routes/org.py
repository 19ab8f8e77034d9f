"""Page routes of the quality section's home and its organisation-wide lists (lane F replaces the placeholder)."""

from django.urls import URLPattern, URLResolver, path
from django.utils.translation import gettext_lazy as _

from pmo.views import ModuleNotYetAvailableView

urlpatterns: list[URLPattern | URLResolver] = [
    path("", ModuleNotYetAvailableView.as_view(module="quality", title=_("Quality")), name="org-quality"),
]
