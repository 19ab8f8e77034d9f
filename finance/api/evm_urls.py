"""Earned value, under /api/v1/orgs/<org_slug>/: the portfolio roll-up, each project's figures and snapshots."""

from django.urls import URLPattern, URLResolver, path

from finance.api import evm, snapshots

urlpatterns: list[URLPattern | URLResolver] = [
    path("evm/", evm.PortfolioEvmView.as_view(), name="api-evm"),
    path("projects/<int:project_id>/evm/", evm.ProjectEvmView.as_view(), name="api-project-evm"),
    path("projects/<int:project_id>/evm/series/", evm.ProjectEvmSeriesView.as_view(), name="api-project-evm-series"),
    path("projects/<int:project_id>/evm/wbs/", evm.WbsEvmView.as_view(), name="api-project-evm-wbs"),
    path(
        "projects/<int:project_id>/evm/snapshots/",
        snapshots.EvmSnapshotListView.as_view(),
        name="api-project-evm-snapshots",
    ),
    path("projects/<int:project_id>/forecast/", evm.ProjectForecastView.as_view(), name="api-project-forecast"),
]
