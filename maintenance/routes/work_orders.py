"""Page routes of the work orders part: the list, a request, one work order, and the O&M settings."""

from django.urls import URLPattern, URLResolver, path

from maintenance.views.settings import MaintenanceSettingsView
from maintenance.views.work_orders import (
    WorkOrderDetailView,
    WorkOrderListView,
    WorkOrderPdfView,
    WorkOrderRequestView,
)

#: Under /o/<org_slug>/maintenance/.
org_urlpatterns: list[URLPattern | URLResolver] = [
    path("work-orders/", WorkOrderListView.as_view(), name="org-maintenance-work-orders"),
    path("work-orders/new/", WorkOrderRequestView.as_view(), name="org-maintenance-work-order-request"),
    path("work-orders/<int:pk>/", WorkOrderDetailView.as_view(), name="org-maintenance-work-order"),
    path("work-orders/<int:pk>/pdf/", WorkOrderPdfView.as_view(), name="org-maintenance-work-order-pdf"),
    path("settings/", MaintenanceSettingsView.as_view(), name="org-maintenance-settings"),
]
#: Under /o/<org_slug>/projects/<project_id>/.
project_urlpatterns: list[URLPattern | URLResolver] = []
