"""Pages of the finance app, mounted at /o/<org_slug>/finance/ (project pages: finance.project_urls)."""

from django.urls import URLPattern, URLResolver, path

from finance import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.FinanceReviewView.as_view(), name="org-finance"),
    path("reviews/<int:budgetversion_id>/", views.BudgetDecisionView.as_view(), name="finance-budget-decision"),
    path("settings/", views.FinanceSettingsView.as_view(), name="org-finance-settings"),
    path("settings/categories/<int:pk>/", views.CostCategoryEditView.as_view(), name="finance-category-edit"),
    path("settings/rates/<int:pk>/delete/", views.ExchangeRateDeleteView.as_view(), name="finance-rate-delete"),
]
