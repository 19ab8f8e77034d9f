"""The risks section of an organisation, under /o/<org_slug>/risks/ (a project's pages: risks.project_urls)."""

from django.urls import URLPattern, URLResolver, path

from risks import views
from risks.views.responses import OrganizationRiskResponsesView

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.OrganizationRegisterView.as_view(), name="org-risks"),
    path("new/", views.OrganizationRiskCreateView.as_view(), name="org-risk-create"),
    path("<int:pk>/", views.OrganizationRiskView.as_view(), name="org-risk"),
    path("<int:pk>/edit/", views.OrganizationRiskEditView.as_view(), name="org-risk-edit"),
    path("<int:pk>/assess/", views.OrganizationRiskAssessView.as_view(), name="org-risk-assess"),
    path("<int:risk_id>/responses/", OrganizationRiskResponsesView.as_view(), name="org-risk-responses"),
    path("settings/", views.RiskSettingsView.as_view(), name="org-risk-settings"),
    path("settings/categories/<int:pk>/", views.RiskCategoryEditView.as_view(), name="org-risk-category"),
]
