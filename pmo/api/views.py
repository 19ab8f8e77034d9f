from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from pmo import services
from pmo.api.base import OrganizationScopedMixin, UserResourceMixin
from pmo.api.invitations import InvitationSerializer
from pmo.api.rows import RowListMixin
from pmo.api.serializers import (
    AUDIT_EVENT_ROWS,
    CALENDAR_EXCEPTION_ROWS,
    MEMBERSHIP_ROWS,
    WORKING_CALENDAR_ROWS,
    ApiTokenCreatedSerializer,
    ApiTokenCreateSerializer,
    ApiTokenSerializer,
    AuditEventSerializer,
    CalendarExceptionSerializer,
    MembershipInviteSerializer,
    MembershipRoleSerializer,
    MembershipSerializer,
    MeSerializer,
    OrganizationSerializer,
    WorkingCalendarSerializer,
)
from pmo.filters import AuditEventFilter, MembershipFilter
from pmo.invitations import invitation_create
from pmo.models import ApiToken, AuditEvent, CalendarException, Membership, Organization, User, WorkingCalendar
from pmo.policy import Action


@extend_schema_view(
    get=extend_schema(summary=gettext_lazy("Who am I"), tags=["account"]),
    patch=extend_schema(summary=gettext_lazy("Change my display name, language or time zone"), tags=["account"]),
)
class MeView(UserResourceMixin, generics.RetrieveUpdateAPIView):
    schema_description = gettext_lazy("The signed-in user and the organisations they belong to.")

    serializer_class = MeSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self) -> User:
        return self.remember_version(self.request.user)

    def perform_update(self, serializer: BaseSerializer[User]) -> None:
        services.user_update_profile(user=self.get_object(), **serializer.validated_data)


@extend_schema_view(
    get=extend_schema(summary=gettext_lazy("Show the organisation"), tags=["organisation"]),
    patch=extend_schema(summary=gettext_lazy("Change the organisation's settings (admins)"), tags=["organisation"]),
)
class OrganizationDetailView(OrganizationScopedMixin, generics.RetrieveUpdateAPIView):
    schema_description = gettext_lazy("The organisation: admins change its name, currency and time zone.")

    serializer_class = OrganizationSerializer
    write_action = Action.ORG_MANAGE
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self) -> Organization:
        return self.remember_version(self.organization)

    def perform_update(self, serializer: BaseSerializer[Organization]) -> None:
        serializer.instance = services.organization_update(
            actor=self.request.user,  # type: ignore[arg-type]
            organization=self.organization,
            **serializer.validated_data,
        )


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("List members"), tags=["members"]),
    retrieve=extend_schema(summary=gettext_lazy("Show a member"), tags=["members"]),
    create=extend_schema(
        summary=gettext_lazy("Invite a member (admins)"),
        tags=["members"],
        description=gettext_lazy(
            "Sends an invitation, as POST …/invitations/ does: the person becomes a member when they "
            "accept it. The answer is the same whether or not the address has an account."
        ),
        request=MembershipInviteSerializer,
        responses={202: InvitationSerializer},
    ),
    partial_update=extend_schema(
        summary=gettext_lazy("Change a member's role (admins)"),
        tags=["members"],
        request=MembershipRoleSerializer,
        responses={200: MembershipSerializer},
    ),
    destroy=extend_schema(summary=gettext_lazy("Remove a member (admins)"), tags=["members"]),
)
class MembershipViewSet(
    OrganizationScopedMixin,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = gettext_lazy(
        "Members of the organisation. Admins invite (an invitation the person accepts), change roles and remove."
    )

    serializer_class = MembershipSerializer
    row_builder = MEMBERSHIP_ROWS
    queryset = Membership.objects.all()
    read_action = Action.MEMBERS_VIEW
    write_action = Action.MEMBERS_MANAGE
    filterset_class = MembershipFilter
    ordering_fields = ["created_at", "role", "user__username"]
    search_fields = ["user__username", "user__display_name", "user__email"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Membership]:
        return Membership.objects.for_organization(self.organization).select_related("user")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = MembershipInviteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        invitation = invitation_create(
            actor=cast(User, request.user),
            organization=self.organization,
            base_url=request.build_absolute_uri("/"),
            **payload.validated_data,
        )
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_202_ACCEPTED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = MembershipRoleSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        membership = services.membership_change_role(
            actor=request.user,  # type: ignore[arg-type]
            membership=self.get_object(),
            role=payload.validated_data["role"],
        )
        return Response(MembershipSerializer(membership).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.membership_remove(actor=request.user, membership=self.get_object())  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("List my API tokens"), tags=["account"]),
    retrieve=extend_schema(summary=gettext_lazy("Show one of my API tokens"), tags=["account"]),
    create=extend_schema(
        summary=gettext_lazy("Create an API token (shown once)"),
        tags=["account"],
        request=ApiTokenCreateSerializer,
        responses={201: ApiTokenCreatedSerializer},
    ),
    destroy=extend_schema(
        summary=gettext_lazy("Revoke an API token"),
        tags=["account"],
        description=gettext_lazy("Revoke the token. It stays listed, marked revoked."),
        responses={204: None},
    ),
)
class ApiTokenViewSet(
    UserResourceMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = gettext_lazy("The signed-in user's API tokens. The plain token is returned once, on creation.")

    serializer_class = ApiTokenSerializer
    queryset = ApiToken.objects.all()
    ordering_fields = ["created_at", "name", "last_used_at"]
    filterset_fields: list[str] = []

    def get_queryset(self) -> QuerySet[ApiToken]:
        return ApiToken.objects.filter(user=cast(User, self.request.user))

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = ApiTokenCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        token, raw = services.api_token_create(user=request.user, **payload.validated_data)  # type: ignore[arg-type]
        data = ApiTokenCreatedSerializer(token).data
        data["token"] = raw
        return Response(data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.api_token_revoke(user=request.user, token=self.get_object())  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("List audit events (admins)"), tags=["audit"]),
    retrieve=extend_schema(summary=gettext_lazy("Show an audit event (admins)"), tags=["audit"]),
)
class AuditEventViewSet(OrganizationScopedMixin, RowListMixin, viewsets.ReadOnlyModelViewSet):
    schema_description = gettext_lazy("The organisation's audit trail (read-only), for administrators.")

    serializer_class = AuditEventSerializer
    row_builder = AUDIT_EVENT_ROWS
    queryset = AuditEvent.objects.all()
    read_action = Action.AUDIT_VIEW
    filterset_class = AuditEventFilter
    ordering_fields = ["created_at", "action"]
    search_fields = ["action", "target_repr", "target_type"]

    def get_queryset(self) -> QuerySet[AuditEvent]:
        return AuditEvent.objects.for_organization(self.organization).select_related("actor")


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("List working calendars"), tags=["organisation"]),
    retrieve=extend_schema(summary=gettext_lazy("Show a working calendar"), tags=["organisation"]),
    create=extend_schema(summary=gettext_lazy("Create a working calendar"), tags=["organisation"]),
    partial_update=extend_schema(
        summary=gettext_lazy("Change a working calendar (projects on it are rescheduled)"), tags=["organisation"]
    ),
)
class WorkingCalendarViewSet(
    OrganizationScopedMixin,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = gettext_lazy("Working weekdays and exceptions that schedules are computed on.")

    serializer_class = WorkingCalendarSerializer
    row_builder = WORKING_CALENDAR_ROWS
    queryset = WorkingCalendar.objects.all()
    write_action = Action.CALENDARS_MANAGE
    ordering_fields = ["name"]
    filterset_fields: list[str] = []
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[WorkingCalendar]:
        return WorkingCalendar.objects.for_organization(self.organization)

    def perform_create(self, serializer: BaseSerializer[WorkingCalendar]) -> None:
        serializer.instance = services.calendar_create(
            actor=cast(User, self.request.user), organization=self.organization, **serializer.validated_data
        )

    def perform_update(self, serializer: BaseSerializer[WorkingCalendar]) -> None:
        serializer.instance = services.calendar_update(
            actor=cast(User, self.request.user), calendar=self.get_object(), **serializer.validated_data
        )


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("List a calendar's holidays and make-up working days"), tags=["organisation"]
    ),
    create=extend_schema(summary=gettext_lazy("Add a holiday or a make-up working day"), tags=["organisation"]),
    destroy=extend_schema(summary=gettext_lazy("Remove a calendar exception"), tags=["organisation"]),
)
class CalendarExceptionViewSet(
    OrganizationScopedMixin,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CalendarExceptionSerializer
    row_builder = CALENDAR_EXCEPTION_ROWS
    queryset = CalendarException.objects.all()
    write_action = Action.CALENDARS_MANAGE
    ordering_fields = ["date"]
    filterset_fields = ["is_working"]

    def resolve_scope(self, **url_kwargs: Any) -> None:
        self.calendar = get_object_or_404(
            WorkingCalendar.objects.for_organization(self.organization), pk=url_kwargs["workingcalendar_id"]
        )

    def get_queryset(self) -> QuerySet[CalendarException]:
        return CalendarException.objects.for_organization(self.organization).filter(calendar=self.calendar)

    def perform_create(self, serializer: BaseSerializer[CalendarException]) -> None:
        serializer.instance = services.calendar_exception_add(
            actor=cast(User, self.request.user), calendar=self.calendar, **serializer.validated_data
        )

    def perform_destroy(self, instance: CalendarException) -> None:
        services.calendar_exception_remove(actor=cast(User, self.request.user), exception=instance)
