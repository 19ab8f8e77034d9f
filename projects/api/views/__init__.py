"""API of the projects app: portfolios, projects and teams, gates, the plan, baselines, CSV.

Every view resolves the organisation (and the project of nested routes) through its base
mixin, validates input with a serializer and calls one service.
"""

from projects.api.views.baselines import BaselineComparisonView, BaselineViewSet
from projects.api.views.common import EMPTY_BODY, ID_PATTERN
from projects.api.views.gate_checks import GateCheckListView, GateCheckSelectionView
from projects.api.views.plan import (
    MAX_UPLOAD_BYTES,
    TRUE_VALUES,
    CsvParser,
    CsvRenderer,
    DependencyViewSet,
    PlainTextParser,
    ScheduleRecomputeView,
    ScheduleView,
    TaskViewSet,
    WbsElementViewSet,
    uploaded_csv,
)
from projects.api.views.plan_xlsx import PlanWorkbookTemplateView, PlanWorkbookView
from projects.api.views.portfolio import GateCriterionViewSet, PortfolioViewSet, ProjectSettingsView, ProjectViewSet
from projects.api.views.team import ProjectMemberViewSet, StageGateViewSet

__all__ = [
    "EMPTY_BODY",
    "ID_PATTERN",
    "MAX_UPLOAD_BYTES",
    "TRUE_VALUES",
    "BaselineComparisonView",
    "BaselineViewSet",
    "CsvParser",
    "CsvRenderer",
    "DependencyViewSet",
    "GateCheckListView",
    "GateCheckSelectionView",
    "GateCriterionViewSet",
    "PlainTextParser",
    "PlanWorkbookTemplateView",
    "PlanWorkbookView",
    "PortfolioViewSet",
    "ProjectMemberViewSet",
    "ProjectSettingsView",
    "ProjectViewSet",
    "ScheduleRecomputeView",
    "ScheduleView",
    "StageGateViewSet",
    "TaskViewSet",
    "WbsElementViewSet",
    "uploaded_csv",
]
