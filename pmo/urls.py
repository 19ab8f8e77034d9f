from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import URLPattern, URLResolver, include, path, re_path

from pmo import invitation_views, views
from pmo.calendar_feed import views as calendar_feed_views

# The core's pages of one organisation; the root URL configuration (``dashboard.urls``) adds each
# app's under the same prefix.
organization_pages: list[URLPattern | URLResolver] = [
    path("members/", views.MemberListView.as_view(), name="org-members"),
    path("members/<int:pk>/", views.MemberDetailView.as_view(), name="org-member"),
    path("members/<int:pk>/remove/", views.MemberRemoveView.as_view(), name="org-member-remove"),
    path(
        "members/invitations/<int:pk>/revoke/",
        invitation_views.InvitationAdminActionView.as_view(operation="revoke"),
        name="org-invitation-revoke",
    ),
    path(
        "members/invitations/<int:pk>/resend/",
        invitation_views.InvitationAdminActionView.as_view(operation="resend"),
        name="org-invitation-resend",
    ),
    path("settings/", views.OrganizationSettingsView.as_view(), name="org-settings"),
    path("audit/", views.AuditLogView.as_view(), name="org-audit"),
    path("calendar-feed/", calendar_feed_views.CalendarFeedView.as_view(), name="org-calendar-feed"),
    path("settings/runs/", include("pmo.runs.urls")),
    path("jobs/", include("pmo.jobs.urls")),
    path("settings/calendars/", views.CalendarListView.as_view(), name="org-calendars"),
    path("settings/calendars/<int:pk>/", views.CalendarDetailView.as_view(), name="org-calendar"),
    path(
        "settings/calendars/<int:workingcalendar_id>/exceptions/<int:pk>/remove/",
        views.CalendarExceptionRemoveView.as_view(),
        name="org-calendar-exception-remove",
    ),
    path("alerts/", include("pmo.alert_urls")),
    path("attachments/", include("pmo.attachments.urls")),
]

account_pages: list[URLPattern | URLResolver] = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password/reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path("tokens/", views.ApiTokenListView.as_view(), name="api-tokens"),
    path("tokens/<int:pk>/revoke/", views.api_token_revoke, name="api-token-revoke"),
]


def site_urlpatterns(
    *, organization_pages: list[URLPattern | URLResolver], api_urlpatterns: list[URLPattern | URLResolver]
) -> list[URLPattern | URLResolver]:
    """The whole site around the pages and the API of one organisation, which the composition gathers."""
    return [
        path("", views.home, name="home"),
        path("healthz", views.healthz, name="healthz"),
        path("favicon.ico", views.favicon, name="favicon"),
        path("readyz", views.readyz, name="readyz"),
        path("i18n/language/", views.switch_language, name="switch-language"),
        path("accounts/", include(account_pages)),
        # No session: calendar programs fetch a person's feed by the secret in its address.
        re_path(
            r"^calendar/(?P<secret>[A-Za-z0-9_-]{16,128})\.ics$",
            calendar_feed_views.calendar_feed,
            name="calendar-feed",
        ),
        path(
            "invitations/<int:pk>/answer/", invitation_views.InvitationRespondView.as_view(), name="invitation-answer"
        ),
        path("invitations/<str:token>/", invitation_views.InvitationLinkView.as_view(), name="invitation"),
        path("o/<slug:org_slug>/", include(organization_pages)),
        path("api/v1/", include(api_urlpatterns)),
        path("admin/", admin.site.urls),
    ]
