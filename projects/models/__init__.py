"""Models of the projects app, all under the app label ``projects``."""

from projects.models.control import ChangeRequest, ChangeRequestElement, Rag, StatusReport
from projects.models.plan import (
    Baseline,
    BaselineTask,
    Dependency,
    DependencyType,
    PercentCompleteMethod,
    ProgressUpdate,
    TaskStatus,
    WbsElement,
    wbs_sort_key,
)
from projects.models.project import (
    NEXT_PHASE,
    OPEN_PHASES,
    GateCriterion,
    Phase,
    Portfolio,
    Priority,
    Project,
    ProjectMember,
    ProjectRole,
    ProjectSettings,
    StageGate,
)

__all__ = [
    "NEXT_PHASE",
    "OPEN_PHASES",
    "Baseline",
    "BaselineTask",
    "ChangeRequest",
    "ChangeRequestElement",
    "Dependency",
    "DependencyType",
    "GateCriterion",
    "PercentCompleteMethod",
    "Phase",
    "Portfolio",
    "Priority",
    "ProgressUpdate",
    "Project",
    "ProjectMember",
    "ProjectRole",
    "ProjectSettings",
    "Rag",
    "StageGate",
    "StatusReport",
    "TaskStatus",
    "WbsElement",
    "wbs_sort_key",
]
