"""Pages of the projects app, mounted at /o/<org_slug>/projects/."""

from django.urls import URLPattern, URLResolver, include, path

from projects import views

project_pages: list[URLPattern | URLResolver] = [
    path("", views.ProjectOverviewView.as_view(), name="project-overview"),
    path("edit/", views.ProjectEditView.as_view(), name="project-edit"),
    path("team/<int:pk>/", views.ProjectMemberView.as_view(), name="project-member"),
    path("team/<int:pk>/remove/", views.ProjectMemberRemoveView.as_view(), name="project-member-remove"),
    path("gate/", views.StageGateView.as_view(), name="project-gate"),
    path("wbs/", views.WbsView.as_view(), name="project-wbs"),
    path("wbs/new/", views.WbsElementCreateView.as_view(), name="project-wbs-add"),
    path("wbs/import/", views.PlanImportView.as_view(), name="project-plan-import"),
    path("wbs/export.xlsx", views.PlanWorkbookExportView.as_view(), name="project-plan-xlsx"),
    path("wbs/template.xlsx", views.PlanWorkbookTemplateView.as_view(), name="project-plan-xlsx-template"),
    path("wbs/export.csv", views.PlanCsvExportView.as_view(), name="project-plan-export-csv"),
    path("wbs/<int:pk>/edit/", views.WbsElementEditView.as_view(), name="project-wbs-edit"),
    path("wbs/<int:pk>/delete/", views.WbsElementDeleteView.as_view(), name="project-wbs-delete"),
    path("wbs/<int:pk>/progress/", views.TaskProgressView.as_view(), name="project-task-progress"),
    path("wbs/<int:pk>/history/", views.TaskHistoryView.as_view(), name="project-task-history"),
    path("wbs/<int:pk>/dependencies/", views.DependencyCreateView.as_view(), name="project-dependency-add"),
    path("dependencies/<int:pk>/delete/", views.DependencyDeleteView.as_view(), name="project-dependency-delete"),
    path("gantt/", views.GanttView.as_view(), name="project-gantt"),
    path("baselines/", views.BaselineListView.as_view(), name="project-baselines"),
    path(
        "baselines/<int:baseline_id>/current/",
        views.BaselineMakeCurrentView.as_view(),
        name="project-baseline-current",
    ),
    path(
        "baselines/<int:baseline_id>/compare/",
        views.BaselineCompareView.as_view(),
        name="project-baseline-compare",
    ),
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.ProjectListView.as_view(), name="org-projects"),
    path("new/", views.ProjectCreateView.as_view(), name="project-create"),
    path("portfolios/", views.PortfolioListView.as_view(), name="project-portfolios"),
    path("gate-checks/", views.GateCheckSettingsView.as_view(), name="project-gate-checks"),
    path("portfolios/<int:pk>/edit/", views.PortfolioEditView.as_view(), name="project-portfolio-edit"),
    path("<int:project_id>/", include(project_pages)),
    # Status reports and change requests.
    path("<int:project_id>/", include("projects.control_urls")),
]
