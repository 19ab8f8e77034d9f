"""Page routes of the organisation's quality library: standards, inspection types, checklist templates, settings."""

from django.urls import URLPattern, URLResolver, path

from quality.views import library as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("templates/", views.TemplatesView.as_view(), name="org-quality-templates"),
    path("templates/new/", views.TemplateCreateView.as_view(), name="org-quality-template-create"),
    path("templates/<int:pk>/", views.TemplateView.as_view(), name="org-quality-template"),
    path("templates/<int:pk>/edit/", views.TemplateEditView.as_view(), name="org-quality-template-edit"),
    path("standards/", views.StandardsView.as_view(), name="org-quality-standards"),
    path("standards/<int:pk>/", views.StandardEditView.as_view(), name="org-quality-standard"),
    path("types/", views.InspectionTypesView.as_view(), name="org-quality-types"),
    path("types/<int:pk>/", views.InspectionTypeEditView.as_view(), name="org-quality-type"),
    path("settings/", views.QualitySettingsView.as_view(), name="org-quality-settings"),
]
