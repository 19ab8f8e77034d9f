"""Page routes of the quality section's home (the portfolio's quality figures)."""

from django.urls import URLPattern, URLResolver, path

from quality.views.org import OrganizationQualityView

urlpatterns: list[URLPattern | URLResolver] = [
    path("", OrganizationQualityView.as_view(), name="org-quality"),
]
