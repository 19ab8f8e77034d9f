"""A project's finance and earned-value pages, under /o/<org_slug>/projects/<project_id>/."""

from django.urls import URLPattern, URLResolver, path

from finance import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("finance/", views.ProjectFinanceView.as_view(), name="project-finance"),
    path(
        "finance/versions/<int:budgetversion_id>/",
        views.BudgetVersionView.as_view(),
        name="project-budget-version",
    ),
    path(
        "finance/versions/<int:budgetversion_id>/lines/<int:pk>/",
        views.BudgetLineEditView.as_view(),
        name="project-budget-line",
    ),
    path(
        "finance/versions/<int:budgetversion_id>/lines/<int:pk>/remove/",
        views.BudgetLineRemoveView.as_view(),
        name="project-budget-line-remove",
    ),
    path("finance/commitments/", views.CommitmentListView.as_view(), name="project-commitments"),
    path("finance/commitments/<int:pk>/", views.CommitmentEditView.as_view(), name="project-commitment"),
    path("finance/actual-costs/", views.ActualCostListView.as_view(), name="project-actual-costs"),
    path("finance/actual-costs/export.xlsx", views.ActualCostsWorkbookView.as_view(), name="project-actual-costs-xlsx"),
    path(
        "finance/actual-costs/template.xlsx",
        views.ActualCostsTemplateView.as_view(),
        name="project-actual-costs-template-xlsx",
    ),
    path("finance/forecast/", views.ForecastView.as_view(), name="project-forecast"),
    path("earned-value/", views.EarnedValueView.as_view(), name="project-earned-value"),
]
