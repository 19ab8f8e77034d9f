"""Pages of the finance app: the review queue and settings, and each project's finances."""

from finance.views.earned_value import EarnedValueView
from finance.views.project import (
    ActualCostListView,
    ActualCostsTemplateView,
    ActualCostsWorkbookView,
    BudgetLineEditView,
    BudgetLineRemoveView,
    BudgetVersionView,
    CommitmentEditView,
    CommitmentListView,
    ForecastView,
    ProjectFinanceView,
)
from finance.views.review import BudgetDecisionView, FinanceReviewView
from finance.views.settings import CostCategoryEditView, ExchangeRateDeleteView, FinanceSettingsView

__all__ = [
    "ActualCostListView",
    "ActualCostsTemplateView",
    "ActualCostsWorkbookView",
    "BudgetDecisionView",
    "BudgetLineEditView",
    "BudgetLineRemoveView",
    "BudgetVersionView",
    "CommitmentEditView",
    "CommitmentListView",
    "CostCategoryEditView",
    "EarnedValueView",
    "ExchangeRateDeleteView",
    "FinanceReviewView",
    "FinanceSettingsView",
    "ForecastView",
    "ProjectFinanceView",
]
