"""API routes of the quality figures (see quality/api/urls.py)."""

from django.urls import URLPattern, URLResolver, path

from quality.api.figures import PortfolioQualityFiguresView, ProjectQualityFiguresView

#: Under /api/v1/orgs/<org_slug>/.
org_patterns: list[URLPattern | URLResolver] = [
    path("quality-figures/", PortfolioQualityFiguresView.as_view(), name="api-quality-figures"),
]
#: Under /api/v1/orgs/<org_slug>/projects/<project_id>/.
project_patterns: list[URLPattern | URLResolver] = [
    path("quality-figures/", ProjectQualityFiguresView.as_view(), name="api-project-quality-figures"),
]
