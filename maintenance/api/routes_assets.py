"""API routes of the assets part (see maintenance/api/assets.py)."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from maintenance.api.assets import AreaViewSet, AssetImportView, AssetViewSet, ContractorViewSet, SiteViewSet
from maintenance.api.assets_xlsx import AssetWorkbookExportView, AssetWorkbookImportView, AssetWorkbookTemplateView

_router = SimpleRouter()
_router.register("maintenance/contractors", ContractorViewSet, basename="api-maintenance-contractor")
_router.register("maintenance/sites", SiteViewSet, basename="api-maintenance-site")
_router.register("maintenance/areas", AreaViewSet, basename="api-maintenance-area")
_router.register("maintenance/assets", AssetViewSet, basename="api-maintenance-asset")

#: Under /api/v1/orgs/<org_slug>/.
org_patterns: list[URLPattern | URLResolver] = [
    path("maintenance/asset-import/", AssetImportView.as_view(), name="api-maintenance-asset-import"),
    path("maintenance/asset-import/xlsx/", AssetWorkbookImportView.as_view(), name="api-maintenance-asset-import-xlsx"),
    path(
        "maintenance/asset-import/template/xlsx/",
        AssetWorkbookTemplateView.as_view(),
        name="api-maintenance-asset-import-template-xlsx",
    ),
    path("maintenance/asset-export/xlsx/", AssetWorkbookExportView.as_view(), name="api-maintenance-asset-export-xlsx"),
    *_router.urls,
]
#: Under /api/v1/orgs/<org_slug>/projects/<project_id>/.
project_patterns: list[URLPattern | URLResolver] = []
