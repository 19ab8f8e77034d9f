from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from pmo.api import alerts, attachments, calendar_feed, docs, invitations, jobs, runs, schema_view, views

me_router = SimpleRouter()
me_router.register("tokens", views.ApiTokenViewSet, basename="api-token")
me_router.register("me/invitations", invitations.MyInvitationViewSet, basename="api-my-invitation")

org_router = SimpleRouter()
org_router.register("members", views.MembershipViewSet, basename="api-member")
org_router.register("invitations", invitations.InvitationViewSet, basename="api-invitation")
org_router.register("audit-events", views.AuditEventViewSet, basename="api-audit-event")
org_router.register("calendars", views.WorkingCalendarViewSet, basename="api-calendar")
org_router.register(
    r"calendars/(?P<workingcalendar_id>\d+)/exceptions",
    views.CalendarExceptionViewSet,
    basename="api-calendar-exception",
)
org_router.register("alerts", alerts.AlertViewSet, basename="api-alert")
org_router.register("alert-rules", alerts.AlertRuleViewSet, basename="api-alert-rule")
org_router.register("webhooks", alerts.WebhookViewSet, basename="api-webhook")
org_router.register(
    r"webhooks/(?P<webhook_id>[0-9]+)/deliveries", alerts.WebhookDeliveryViewSet, basename="api-webhook-delivery"
)
org_router.register("notifications", alerts.NotificationViewSet, basename="api-notification")
org_router.register("attachments", attachments.AttachmentViewSet, basename="api-attachment")
org_router.register("runs", runs.RunViewSet, basename="api-run")
org_router.register(r"runs/(?P<run_id>[0-9]+)/batches", runs.RunBatchViewSet, basename="api-run-batch")
org_router.register("jobs", jobs.JobViewSet, basename="api-job")

# The core's API of one organisation; the root URL configuration (``dashboard.urls``) adds each
# app's under the same prefix.
org_patterns: list[URLPattern | URLResolver] = [
    path("", views.OrganizationDetailView.as_view(), name="api-organization"),
    path("variance-run/", alerts.VarianceRunView.as_view(), name="api-variance-run"),
    path("calendar-feed/", calendar_feed.CalendarFeedView.as_view(), name="api-calendar-feed"),
    *org_router.urls,
]


def api_urlpatterns(*, organization_patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    """The API around the endpoints of one organisation, which the composition gathers."""
    return [
        path("schema/", schema_view.SchemaView.as_view(api_version="v1"), name="api-schema"),
        # The split view serves its start-up script from a URL, so the page needs no inline script.
        path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
        path("redoc/", docs.RedocView.as_view(url_name="api-schema"), name="api-redoc"),
        path("redoc-dist/bundles/redoc.standalone.js", docs.redoc_bundle, name="api-redoc-bundle"),
        path("me/", views.MeView.as_view(), name="api-me"),
        *me_router.urls,
        path("orgs/<slug:org_slug>/", include(organization_patterns)),
    ]
