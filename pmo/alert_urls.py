"""Alert pages, mounted at /o/<org_slug>/alerts/."""

from django.urls import URLPattern, URLResolver, path

from pmo import alert_views as views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.AlertListView.as_view(), name="org-alerts"),
    path("<int:pk>/", views.AlertDetailView.as_view(), name="org-alert"),
    path("inbox/", views.InboxView.as_view(), name="org-alert-inbox"),
    path("rules/", views.AlertRuleListView.as_view(), name="org-alert-rules"),
    path("rules/<int:pk>/", views.AlertRuleEditView.as_view(), name="org-alert-rule"),
    path("webhooks/", views.WebhookListView.as_view(), name="org-webhooks"),
    path("webhooks/<int:pk>/", views.WebhookDetailView.as_view(), name="org-webhook"),
    path("webhooks/<int:pk>/delete/", views.WebhookDeleteView.as_view(), name="org-webhook-delete"),
]
