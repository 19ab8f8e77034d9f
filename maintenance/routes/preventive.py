"""Page routes of the preventive part: plans, an asset's meters, a meter and its reading form."""

from django.urls import URLPattern, URLResolver, path

from maintenance.views import preventive as views

#: Under /o/<org_slug>/maintenance/.
org_urlpatterns: list[URLPattern | URLResolver] = [
    path("preventive/", views.PlanListView.as_view(), name="org-maintenance-preventive"),
    path("preventive/new/", views.PlanCreateView.as_view(), name="org-maintenance-preventive-new"),
    path("preventive/<int:pk>/", views.PlanDetailView.as_view(), name="org-maintenance-preventive-plan"),
    path("preventive/<int:pk>/edit/", views.PlanEditView.as_view(), name="org-maintenance-preventive-edit"),
    path("assets/<int:asset_id>/meters/", views.AssetMetersView.as_view(), name="org-maintenance-asset-meters"),
    path("meters/<int:pk>/", views.MeterView.as_view(), name="org-maintenance-meter"),
]
#: Under /o/<org_slug>/projects/<project_id>/.
project_urlpatterns: list[URLPattern | URLResolver] = []
