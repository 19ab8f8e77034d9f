"""API of the projects app, mounted at /api/v1/orgs/<org_slug>/."""

from django.urls import URLPattern, URLResolver, include, path
from rest_framework.routers import SimpleRouter

from projects.api import views

org_router = SimpleRouter()
org_router.register("portfolios", views.PortfolioViewSet, basename="api-portfolio")
org_router.register("projects", views.ProjectViewSet, basename="api-project")
org_router.register("gate-criteria", views.GateCriterionViewSet, basename="api-gate-criterion")

project_router = SimpleRouter()
project_router.register("members", views.ProjectMemberViewSet, basename="api-project-member")
project_router.register("gates", views.StageGateViewSet, basename="api-project-gate")
project_router.register("wbs", views.WbsElementViewSet, basename="api-project-wbs")
project_router.register("tasks", views.TaskViewSet, basename="api-project-task")
project_router.register("dependencies", views.DependencyViewSet, basename="api-project-dependency")
project_router.register("baselines", views.BaselineViewSet, basename="api-project-baseline")

project_patterns: list[URLPattern | URLResolver] = [
    *project_router.urls,
    path("plan/xlsx/", views.PlanWorkbookView.as_view(), name="api-project-plan-xlsx"),
    path("plan/xlsx/template/", views.PlanWorkbookTemplateView.as_view(), name="api-project-plan-xlsx-template"),
    path("schedule/", views.ScheduleView.as_view(), name="api-project-schedule"),
    path("schedule/recompute/", views.ScheduleRecomputeView.as_view(), name="api-project-schedule-recompute"),
    path(
        "baselines/<int:baseline_id>/comparison/",
        views.BaselineComparisonView.as_view(),
        name="api-project-baseline-comparison",
    ),
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("project-settings/", views.ProjectSettingsView.as_view(), name="api-project-settings"),
    path("gate-checks/", views.GateCheckListView.as_view(), name="api-gate-checks"),
    path("gate-checks/selection/", views.GateCheckSelectionView.as_view(), name="api-gate-check-selection"),
    *org_router.urls,
    path("projects/<int:project_id>/", include(project_patterns)),
    # Status reports and change requests.
    path("projects/<int:project_id>/", include("projects.api.control_urls")),
]
