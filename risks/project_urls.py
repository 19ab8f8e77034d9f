"""A project's risk pages (register, issues, analysis), under /o/<org_slug>/projects/<project_id>/."""

from django.urls import URLPattern, URLResolver, path

from risks import views
from risks.views import csv as csv_views
from risks.views.analysis import RiskAnalysisView, TaskEstimateEditView, TaskEstimatesView
from risks.views.issues import IssueDetailView, IssueListView
from risks.views.responses import ProjectRiskResponsesView

urlpatterns: list[URLPattern | URLResolver] = [
    path("risks/", views.ProjectRegisterView.as_view(), name="project-risks"),
    path("risks/new/", views.ProjectRiskCreateView.as_view(), name="project-risk-create"),
    path("risks/import/", csv_views.ProjectRegisterImportView.as_view(), name="project-risks-import"),
    path(
        "risks/import/template/",
        csv_views.ProjectRegisterTemplateView.as_view(),
        name="project-risks-import-template",
    ),
    path("risks/export/", csv_views.ProjectRegisterExportView.as_view(), name="project-risks-export"),
    path(
        "risks/import/template.xlsx",
        csv_views.ProjectRegisterWorkbookTemplateView.as_view(),
        name="project-risks-import-template-xlsx",
    ),
    path("risks/export.xlsx", csv_views.ProjectRegisterWorkbookExportView.as_view(), name="project-risks-export-xlsx"),
    path("risks/<int:pk>/", views.ProjectRiskView.as_view(), name="project-risk"),
    path("risks/<int:pk>/edit/", views.ProjectRiskEditView.as_view(), name="project-risk-edit"),
    path("risks/<int:pk>/assess/", views.ProjectRiskAssessView.as_view(), name="project-risk-assess"),
    path("risks/<int:risk_id>/responses/", ProjectRiskResponsesView.as_view(), name="project-risk-responses"),
    path("issues/", IssueListView.as_view(), name="project-issues"),
    path("issues/<int:pk>/", IssueDetailView.as_view(), name="project-issue"),
    path("risk-analysis/", RiskAnalysisView.as_view(), name="project-risk-analysis"),
    path("risk-analysis/estimates/", TaskEstimatesView.as_view(), name="project-task-estimates"),
    path("risk-analysis/estimates/<int:wbselement_id>/", TaskEstimateEditView.as_view(), name="project-task-estimate"),
]
