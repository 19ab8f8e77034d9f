"""API routes of the work orders part (see maintenance/api/work_orders.py)."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from maintenance.api.work_orders import (
    HoldReasonViewSet,
    InspectorViewSet,
    MaintenanceSettingsView,
    SlaTargetViewSet,
    WorkOrderViewSet,
)

_router = SimpleRouter()
_router.register("maintenance/work-orders", WorkOrderViewSet, basename="api-maintenance-work-order")
_router.register("maintenance/sla-targets", SlaTargetViewSet, basename="api-maintenance-sla-target")
_router.register("maintenance/hold-reasons", HoldReasonViewSet, basename="api-maintenance-hold-reason")
_router.register("maintenance/inspectors", InspectorViewSet, basename="api-maintenance-inspector")

#: Under /api/v1/orgs/<org_slug>/.
org_patterns: list[URLPattern | URLResolver] = [
    path("maintenance/settings/", MaintenanceSettingsView.as_view(), name="api-maintenance-settings"),
    *_router.urls,
]
#: Under /api/v1/orgs/<org_slug>/projects/<project_id>/.
project_patterns: list[URLPattern | URLResolver] = []
