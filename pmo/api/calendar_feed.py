"""The signed-in user's calendar feed in one organisation: whether it is on, a new address, revoking it."""

from __future__ import annotations

from typing import Any, cast

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from pmo import concurrency
from pmo.api import inputs
from pmo.api.base import OrganizationScopedMixin
from pmo.api.common import EMPTY_BODY
from pmo.calendar_feed import services
from pmo.calendar_feed.views import feed_url
from pmo.models import CalendarFeed, User
from pmo.policy import Action

TAGS = ["account"]


class CalendarFeedSerializer(inputs.Serializer):
    active = serializers.BooleanField(help_text=_("Whether the feed has an address that works."))
    created_at = serializers.DateTimeField(
        allow_null=True, help_text=_("When the current address was made; null without a feed.")
    )
    url = serializers.URLField(
        allow_null=True,
        help_text=_(
            "The feed's address (an iCalendar file). Returned once, by the request that makes it; "
            "null otherwise, since only a hash of its secret is kept."
        ),
    )


class CalendarFeedView(OrganizationScopedMixin, generics.GenericAPIView[CalendarFeed]):
    """The feed of the user who calls, in this organisation; everyone manages their own and no one else's."""

    serializer_class = CalendarFeedSerializer
    read_action = Action.ORG_VIEW
    write_action = Action.ORG_VIEW
    filter_backends: list[Any] = []
    pagination_class = None
    http_method_names = ["get", "post", "delete", "head", "options"]

    def body(self, feed: CalendarFeed | None, url: str | None = None) -> dict[str, Any]:
        created_at = feed.created_at if feed is not None else None
        return CalendarFeedSerializer({"active": feed is not None, "created_at": created_at, "url": url}).data

    @extend_schema(
        summary=_("Show my calendar feed"),
        description=_("Whether the calling user has a calendar feed in this organisation, and since when."),
        tags=TAGS,
        responses={200: CalendarFeedSerializer},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        feed = self.own_feed(request)
        body = self.body(feed)
        response = Response(body)
        response["ETag"] = concurrency.etag(self.version(feed), concurrency.representation_hash(body))
        return response

    def own_feed(self, request: Request) -> CalendarFeed | None:
        return CalendarFeed.objects.for_organization(self.organization).filter(user_id=request.user.pk).first()

    @staticmethod
    def version(feed: CalendarFeed | None) -> str:
        """The feed's row version, or one for "no feed": ``If-Match`` on a revoke names the feed it means."""
        return concurrency.row_version(feed) if feed is not None else "none"

    @extend_schema(
        summary=_("Make a new address for my calendar feed"),
        description=_(
            "Makes the calling user's feed, or gives it a new secret address: the old address stops "
            "working at once. The answer holds the new address, the only time it is shown. Audited."
        ),
        tags=TAGS,
        request=EMPTY_BODY,
        responses={201: CalendarFeedSerializer},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        inputs.refuse_body(request)
        feed, secret = services.calendar_feed_regenerate(actor=cast(User, request.user), organization=self.organization)
        return Response(self.body(feed, feed_url(request, secret)), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Revoke my calendar feed"),
        description=_(
            "Deletes the calling user's feed: its address answers 404 from now on. Answers 204 "
            "whether or not there was a feed. Audited."
        ),
        tags=TAGS,
        responses={204: None},
    )
    def delete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        condition = request.headers.get("If-Match")
        if condition and not concurrency.etag_matches(condition, self.version(self.own_feed(request))):
            raise concurrency.stale(
                str(_("Your calendar feed was changed meanwhile (a new address?); reload it and try again."))
            )
        services.calendar_feed_revoke(actor=cast(User, request.user), organization=self.organization)
        return Response(status=status.HTTP_204_NO_CONTENT)
