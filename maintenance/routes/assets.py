"""Page routes of the assets part: the asset register, contractors, sites and areas."""

from django.urls import URLPattern, URLResolver, path

from maintenance.views import assets as views

#: Under /o/<org_slug>/maintenance/.
org_urlpatterns: list[URLPattern | URLResolver] = [
    path("assets/", views.AssetListView.as_view(), name="org-maintenance-assets"),
    path("assets/new/", views.AssetCreateView.as_view(), name="org-maintenance-asset-create"),
    path("assets/export.csv", views.AssetExportView.as_view(), name="org-maintenance-assets-export"),
    path("assets/export.xlsx", views.AssetWorkbookExportView.as_view(), name="org-maintenance-assets-export-xlsx"),
    path("assets/import/", views.AssetImportView.as_view(), name="org-maintenance-assets-import"),
    path(
        "assets/import/template.xlsx",
        views.AssetImportWorkbookTemplateView.as_view(),
        name="org-maintenance-assets-import-template-xlsx",
    ),
    path(
        "assets/import/template.csv",
        views.AssetImportTemplateView.as_view(),
        name="org-maintenance-assets-import-template",
    ),
    path("assets/<int:asset_id>/", views.AssetDetailView.as_view(), name="org-maintenance-asset"),
    path("assets/<int:asset_id>/edit/", views.AssetEditView.as_view(), name="org-maintenance-asset-edit"),
    path("sites/", views.SiteListView.as_view(), name="org-maintenance-sites"),
    path("sites/<int:site_id>/", views.SiteDetailView.as_view(), name="org-maintenance-site"),
    path("contractors/", views.ContractorListView.as_view(), name="org-maintenance-contractors"),
    path("contractors/<int:contractor_id>/", views.ContractorEditView.as_view(), name="org-maintenance-contractor"),
]
#: Under /o/<org_slug>/projects/<project_id>/.
project_urlpatterns: list[URLPattern | URLResolver] = []
