"""API of the finance app, mounted at /api/v1/orgs/<org_slug>/."""

from django.urls import URLPattern, URLResolver, include, path
from rest_framework.routers import SimpleRouter

from finance.api import views
from finance.api.period_lock import PeriodLockView

org_router = SimpleRouter()
org_router.register("cost-categories", views.CostCategoryViewSet, basename="api-cost-category")
org_router.register("exchange-rates", views.ExchangeRateViewSet, basename="api-exchange-rate")

project_router = SimpleRouter()
project_router.register("budgets", views.BudgetVersionViewSet, basename="api-project-budget")
project_router.register(
    r"budgets/(?P<budgetversion_id>[0-9]+)/lines", views.BudgetLineViewSet, basename="api-project-budget-line"
)
project_router.register("commitments", views.CommitmentViewSet, basename="api-project-commitment")
project_router.register("costs", views.ActualCostViewSet, basename="api-project-cost")

project_patterns: list[URLPattern | URLResolver] = [
    path(
        "budgets/reconciliation/",
        views.BudgetReconciliationView.as_view(),
        name="api-project-budget-reconciliation",
    ),
    path("budget-by-category/", views.BudgetByCategoryView.as_view(), name="api-project-budget-by-category"),
    *project_router.urls,
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("finance-settings/", views.FinanceSettingsView.as_view(), name="api-finance-settings"),
    path("finance-period-lock/", PeriodLockView.as_view(), name="api-finance-period-lock"),
    *org_router.urls,
    path("projects/<int:project_id>/", include(project_patterns)),
    # Earned value and the forecast.
    path("", include("finance.api.evm_urls")),
]
