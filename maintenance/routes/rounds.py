"""Page routes of the rounds part: inspection plans, the rounds and doing a round."""

from django.urls import URLPattern, URLResolver, path

from maintenance.views.plans import PlanFormPage, PlanListPage
from maintenance.views.rounds import RoundListPage, RoundPage

#: Under /o/<org_slug>/maintenance/.
org_urlpatterns: list[URLPattern | URLResolver] = [
    path("plans/", PlanListPage.as_view(), name="org-maintenance-plans"),
    path("plans/new/", PlanFormPage.as_view(), name="org-maintenance-plan-create"),
    path("plans/<int:inspection_plan_id>/", PlanFormPage.as_view(), name="org-maintenance-plan"),
    path("rounds/", RoundListPage.as_view(), name="org-maintenance-rounds"),
    path("rounds/<int:round_id>/", RoundPage.as_view(), name="org-maintenance-round"),
]
#: Under /o/<org_slug>/projects/<project_id>/.
project_urlpatterns: list[URLPattern | URLResolver] = []
