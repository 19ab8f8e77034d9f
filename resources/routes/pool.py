"""Page routes of the pool: resources, roles, skills, exceptions, rates, settings, import (CSV, Excel), export."""

from django.urls import URLPattern, URLResolver, path

from resources.views import pool as views

#: Under /o/<org_slug>/resources/.
org_urlpatterns: list[URLPattern | URLResolver] = [
    path("pool/", views.PoolListView.as_view(), name="org-resource-pool"),
    path("pool/new/", views.ResourceCreateView.as_view(), name="org-resource-create"),
    path("pool/import/", views.ImportView.as_view(), name="org-resource-import"),
    path("pool/import/template.csv", views.ImportTemplateView.as_view(), name="org-resource-import-template"),
    path(
        "pool/import/template.xlsx",
        views.PoolWorkbookTemplateView.as_view(),
        name="org-resource-import-template-xlsx",
    ),
    path("pool/export.xlsx", views.PoolWorkbookView.as_view(), name="org-resource-export-xlsx"),
    path("pool/<int:pk>/", views.ResourceDetailView.as_view(), name="org-resource"),
    path("pool/<int:pk>/edit/", views.ResourceEditView.as_view(), name="org-resource-edit"),
    path("pool/<int:pk>/replace/", views.PlaceholderReplaceView.as_view(), name="org-resource-replace"),
    path("pool/<int:resource_id>/exceptions/", views.ExceptionAddView.as_view(), name="org-resource-exception-add"),
    path(
        "pool/<int:resource_id>/exceptions/<int:pk>/remove/",
        views.ExceptionRemoveView.as_view(),
        name="org-resource-exception-remove",
    ),
    path("pool/<int:resource_id>/rates/", views.RateAddView.as_view(), name="org-resource-rate-add"),
    path("pool/<int:resource_id>/rates/<int:pk>/", views.RateEditView.as_view(), name="org-resource-rate"),
    path("library/", views.LibraryView.as_view(), name="org-resource-library"),
    path("library/roles/<int:pk>/", views.RoleEditView.as_view(), name="org-resource-role"),
    path("library/skills/<int:pk>/", views.SkillEditView.as_view(), name="org-resource-skill"),
    path("settings/", views.ResourceSettingsView.as_view(), name="org-resource-settings"),
]
#: Under /o/<org_slug>/projects/<project_id>/.
project_urlpatterns: list[URLPattern | URLResolver] = []
