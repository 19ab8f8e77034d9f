"""The alert kinds finance, projects, risks, quality, resources and maintenance register, in the order pages and the
API list them, and the types of subject their alerts are about."""

from __future__ import annotations

from django.db import models

from finance.alert_kinds import FinanceAlertKind, FinanceSubjectType
from maintenance.alert_kinds import MaintenanceAlertKind, MaintenanceSubjectType
from projects.alert_kinds import ProjectAlertKind, ProjectSubjectType
from quality.alert_kinds import QualityAlertKind, QualitySubjectType
from resources.alert_kinds import ResourceAlertKind, ResourceSubjectType
from resources.services.reminders import ReminderAlertKind, ReminderSubjectType
from risks.alert_kinds import RiskAlertKind, RiskSubjectType

_TODAY = (
    FinanceAlertKind.SPI_LOW,
    FinanceAlertKind.CPI_LOW,
    FinanceAlertKind.VAC_NEGATIVE,
    FinanceAlertKind.COST_OVER_BUDGET,
    FinanceAlertKind.SPEND_AHEAD_OF_PROGRESS,
    ProjectAlertKind.MILESTONE_OVERDUE,
    ProjectAlertKind.TASK_SLIPPED,
    ProjectAlertKind.CHANGE_REQUEST_WAITING,
    FinanceAlertKind.BUDGET_WAITING,
    *RiskAlertKind,
    *QualityAlertKind,
    *ResourceAlertKind,
    *ReminderAlertKind,
    *MaintenanceAlertKind,
)

AlertKind = models.TextChoices("AlertKind", [(kind.name, (kind.value, kind.label)) for kind in _TODAY])  # type: ignore[call-overload]

SubjectType = models.TextChoices(  # type: ignore[call-overload]
    "SubjectType",
    [
        (kind.name, (kind.value, kind.label))
        for kind in (
            *ProjectSubjectType,
            *ResourceSubjectType,
            *ReminderSubjectType,
            *RiskSubjectType,
            *QualitySubjectType,
            *FinanceSubjectType,
            *MaintenanceSubjectType,
        )
    ],
)
