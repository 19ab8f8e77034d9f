"""The feed itself (no session: calendar programs fetch it by its secret URL) and the page that manages it."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from pmo.calendar_feed import ical, services
from pmo.calendar_feed.sources import DAYS_AHEAD, DAYS_BACK, calendar_sources
from pmo.models import CalendarFeed, Organization, User
from pmo.pages import OrganizationPageMixin
from pmo.policy import Action
from pmo.tenancy import tenant_scope

#: How long a calendar program or proxy may reuse an answer without asking again.
MAX_AGE_SECONDS = 15 * 60


def feed_url(request: HttpRequest, secret: str) -> str:
    return request.build_absolute_uri(reverse("calendar-feed", kwargs={"secret": secret}))


def feed_name(organization: Organization, user: User) -> str:
    return _("%(organization)s · %(person)s") % {"organization": organization.name, "person": user}


@require_safe
def calendar_feed(request: HttpRequest, secret: str) -> HttpResponse:
    """The iCalendar file of the secret's owner, or 404 for a secret that opens no feed (revoked, unknown)."""
    found = services.feed_member(secret)
    if found is None:
        raise Http404
    _feed, membership = found
    organization = membership.organization
    with tenant_scope(organization), translation.override(membership.user.language):
        feed = ical.feed_for(membership)
        etag = feed.etag
        if etag in request.headers.get("If-None-Match", ""):
            response: HttpResponse = HttpResponseNotModified()
        else:
            base_url = request.build_absolute_uri("/").rstrip("/")
            body = ical.render(feed, name=feed_name(organization, membership.user), base_url=base_url)
            response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
            response["Content-Disposition"] = f'inline; filename="{organization.slug}.ics"'
    response["ETag"] = etag
    patch_cache_control(response, private=True, max_age=MAX_AGE_SECONDS)
    response["X-Robots-Tag"] = "noindex"
    return response


class CalendarFeedView(OrganizationPageMixin, TemplateView):
    """The signed-in user's own feed in this organisation: its URL once, regenerate, revoke."""

    template_name = "pmo/calendar_feed.html"
    read_action = Action.ORG_VIEW
    write_action = Action.ORG_VIEW

    def page_url(self) -> str:
        return reverse("org-calendar-feed", kwargs={"org_slug": self.organization.slug})

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["feed"] = (
            CalendarFeed.objects.for_organization(self.organization).filter(user_id=self.membership.user_id).first()
        )
        context["sources"] = [source.label for source in calendar_sources]
        context["days_back"], context["days_ahead"] = DAYS_BACK, DAYS_AHEAD
        context["feed_time_zone"] = self.membership.user.time_zone_in(self.organization)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        operation = request.POST.get("op", "")
        actor = cast(User, request.user)
        if operation == "regenerate":
            _feed, secret = services.calendar_feed_regenerate(actor=actor, organization=self.organization)
            # Shown in this answer only: the page cannot show it again, only a hash is kept.
            return self.render_to_response(self.get_context_data(new_url=feed_url(request, secret)))
        if operation == "revoke":
            if services.calendar_feed_revoke(actor=actor, organization=self.organization):
                messages.success(request, _("Your calendar feed is revoked: its address no longer works."))
            return HttpResponseRedirect(self.page_url())
        messages.error(request, _("Unknown operation."))
        return HttpResponseRedirect(self.page_url())
