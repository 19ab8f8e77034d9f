"""Run pages, under /o/<org_slug>/settings/runs/."""

from django.urls import URLPattern, path

from pmo.runs import views

urlpatterns: list[URLPattern] = [
    path("", views.RunListView.as_view(), name="org-runs"),
    path("<int:pk>/", views.RunDetailView.as_view(), name="org-run"),
]
