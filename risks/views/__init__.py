"""Pages of the risks app: the register of a project and of the organisation, one risk, the settings."""

from risks.views.register import OrganizationRegisterView, ProjectRegisterView
from risks.views.risk import (
    OrganizationRiskAssessView,
    OrganizationRiskCreateView,
    OrganizationRiskEditView,
    OrganizationRiskView,
    ProjectRiskAssessView,
    ProjectRiskCreateView,
    ProjectRiskEditView,
    ProjectRiskView,
)
from risks.views.settings import RiskCategoryEditView, RiskSettingsView

__all__ = [
    "OrganizationRegisterView",
    "OrganizationRiskAssessView",
    "OrganizationRiskCreateView",
    "OrganizationRiskEditView",
    "OrganizationRiskView",
    "ProjectRegisterView",
    "ProjectRiskAssessView",
    "ProjectRiskCreateView",
    "ProjectRiskEditView",
    "ProjectRiskView",
    "RiskCategoryEditView",
    "RiskSettingsView",
]
