"""Job pages, under /o/<org_slug>/jobs/."""

from django.urls import URLPattern, path

from pmo.jobs import views

urlpatterns: list[URLPattern] = [
    path("", views.JobListView.as_view(), name="org-jobs"),
    path("<int:pk>/", views.JobDetailView.as_view(), name="org-job"),
    path("<int:pk>/result/", views.JobResultView.as_view(), name="org-job-result"),
]
