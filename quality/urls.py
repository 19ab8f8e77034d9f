"""The quality section: the core's "not yet available" page until its own pages are built."""

from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _

from pmo.views import ModuleNotYetAvailableView

urlpatterns: list[URLPattern] = [
    path("", ModuleNotYetAvailableView.as_view(module="quality", title=_("Quality")), name="org-quality"),
]
