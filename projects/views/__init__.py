"""Pages of the projects app: the portfolio, each project, its WBS, Gantt chart and baselines.

Each view resolves the organisation (and the project) through its mixin, validates input with
a form from ``projects.forms`` and calls one service; a refusal comes back as
``ApplicationError`` and is shown beside the fields it names.
"""

from projects.views.common import ProjectTabsMixin
from projects.views.gate_checks import GateCheckSettingsView
from projects.views.plan_exchange import (
    PlanCsvExportView,
    PlanImportView,
    PlanWorkbookExportView,
    PlanWorkbookTemplateView,
)
from projects.views.portfolio import PortfolioEditView, PortfolioListView, ProjectCreateView, ProjectListView
from projects.views.project import (
    ProjectEditView,
    ProjectMemberRemoveView,
    ProjectMemberView,
    ProjectOverviewView,
    StageGateView,
)
from projects.views.schedule import BaselineCompareView, BaselineListView, BaselineMakeCurrentView, GanttView
from projects.views.wbs import (
    DependencyCreateView,
    DependencyDeleteView,
    TaskHistoryView,
    TaskProgressView,
    WbsElementCreateView,
    WbsElementDeleteView,
    WbsElementEditView,
    WbsFormMixin,
    WbsView,
)

__all__ = [
    "BaselineCompareView",
    "BaselineListView",
    "BaselineMakeCurrentView",
    "DependencyCreateView",
    "DependencyDeleteView",
    "GanttView",
    "GateCheckSettingsView",
    "PlanCsvExportView",
    "PlanImportView",
    "PlanWorkbookExportView",
    "PlanWorkbookTemplateView",
    "PortfolioEditView",
    "PortfolioListView",
    "ProjectCreateView",
    "ProjectEditView",
    "ProjectListView",
    "ProjectMemberRemoveView",
    "ProjectMemberView",
    "ProjectOverviewView",
    "ProjectTabsMixin",
    "StageGateView",
    "TaskHistoryView",
    "TaskProgressView",
    "WbsElementCreateView",
    "WbsElementDeleteView",
    "WbsElementEditView",
    "WbsFormMixin",
    "WbsView",
]
