"""Post-delivery maintenance: assets handed over from projects, the standards each kind of asset
must meet, inspection rounds whose readings are judged against those standards, work orders with
their SLA clocks, and preventive maintenance by calendar or meter.

A reading's verdict is computed by ``maintenance.judging`` in the services and stored on the row;
a work order's deadlines by ``maintenance.sla``, from the organisation's SLA targets and calendar.
"""

from maintenance.models.assets import (
    Area,
    Asset,
    AssetStatus,
    Contractor,
    Handover,
    HandoverRow,
    HandoverStatus,
    Site,
    Unit,
)
from maintenance.models.preventive import IntervalUnit, Meter, MeterReading, PmPlan, PmSchedule, PmTrigger
from maintenance.models.rounds import (
    AssetReading,
    DayRule,
    EnteredAs,
    Frequency,
    InspectionPlan,
    Round,
    RoundStatus,
    RoundStop,
    StopStatus,
)
from maintenance.models.settings import HoldReason, Inspector, MaintenanceSettings, Priority, SlaTarget
from maintenance.models.standards import AssetCategory, Criterion, CriterionKind, CriterionVersion, DefectWhen
from maintenance.models.work_orders import (
    OPEN_STATUSES,
    Defect,
    DefectStatus,
    WorkOrder,
    WorkOrderEvent,
    WorkOrderKind,
    WorkOrderPause,
    WorkOrderStatus,
)

__all__ = [
    "OPEN_STATUSES",
    "Area",
    "Asset",
    "AssetCategory",
    "AssetReading",
    "AssetStatus",
    "Contractor",
    "Criterion",
    "CriterionKind",
    "CriterionVersion",
    "DayRule",
    "Defect",
    "DefectStatus",
    "DefectWhen",
    "EnteredAs",
    "Frequency",
    "Handover",
    "HandoverRow",
    "HandoverStatus",
    "HoldReason",
    "InspectionPlan",
    "Inspector",
    "IntervalUnit",
    "MaintenanceSettings",
    "Meter",
    "MeterReading",
    "PmPlan",
    "PmSchedule",
    "PmTrigger",
    "Priority",
    "Round",
    "RoundStatus",
    "RoundStop",
    "Site",
    "SlaTarget",
    "StopStatus",
    "Unit",
    "WorkOrder",
    "WorkOrderEvent",
    "WorkOrderKind",
    "WorkOrderPause",
    "WorkOrderStatus",
]
