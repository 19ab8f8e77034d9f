"""Invitations in the API: administrators list, send, resend and withdraw them; the invited
person lists theirs and accepts or declines."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from pmo import invitations
from pmo.api import inputs
from pmo.api.base import OrganizationScopedMixin
from pmo.api.rows import RowBuilder, RowListMixin
from pmo.api.serializers import MembershipInviteSerializer, UserSummarySerializer
from pmo.models import Invitation, Membership, User
from pmo.policy import Action

# The body of a POST that needs none: an empty object, or nothing.
EMPTY_BODY = {"application/json": OpenApiTypes.OBJECT}


class InvitationSerializer(inputs.ModelSerializer[Invitation]):
    schema_description = gettext_lazy(
        "An invitation as its organisation's administrators see it: the address, never an account."
    )

    invited_by = UserSummarySerializer(read_only=True)

    class Meta:
        model = Invitation
        fields = [
            "id",
            "email",
            "role",
            "display_name",
            "status",
            "invited_by",
            "created_at",
            "expires_at",
            "responded_at",
        ]
        read_only_fields = fields


INVITATION_ROWS = RowBuilder(InvitationSerializer)


class MyInvitationSerializer(inputs.ModelSerializer[Invitation]):
    schema_description = gettext_lazy("An invitation as the invited person sees it.")

    organization = serializers.SerializerMethodField()
    invited_by = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = ["id", "organization", "role", "invited_by", "created_at", "expires_at"]
        read_only_fields = fields

    def get_organization(self, invitation: Invitation) -> dict[str, str]:
        return {"slug": invitation.organization.slug, "name": invitation.organization.name}

    def get_invited_by(self, invitation: Invitation) -> str | None:
        return str(invitation.invited_by) if invitation.invited_by else None


class JoinedSerializer(inputs.ModelSerializer[Membership]):
    organization = serializers.CharField(source="organization.slug", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "organization", "role", "created_at"]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("List the organisation's invitations (admins)"), tags=["members"]),
    retrieve=extend_schema(summary=gettext_lazy("Show one invitation (admins)"), tags=["members"]),
    create=extend_schema(
        summary=gettext_lazy("Invite someone by e-mail (admins)"),
        tags=["members"],
        description=gettext_lazy(
            "The person receives an e-mail with a link to accept or decline; someone with an account "
            "also sees the invitation on their home page. The answer is the same whether or not the "
            "address has an account."
        ),
        request=MembershipInviteSerializer,
        responses={201: InvitationSerializer},
    ),
    destroy=extend_schema(
        summary=gettext_lazy("Withdraw a pending invitation (admins)"),
        tags=["members"],
        description=gettext_lazy("The invitation stays listed, marked revoked; its link stops working."),
        responses={204: None},
    ),
    resend=extend_schema(
        summary=gettext_lazy("Send a pending invitation again (admins)"),
        tags=["members"],
        description=gettext_lazy("A new link and a new expiry; the earlier link stops working."),
        request=EMPTY_BODY,
        responses={200: InvitationSerializer},
    ),
)
class InvitationViewSet(
    OrganizationScopedMixin,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = InvitationSerializer
    row_builder = INVITATION_ROWS
    queryset = Invitation.objects.all()
    read_action = Action.MEMBERS_MANAGE
    write_action = Action.MEMBERS_MANAGE
    filterset_fields = ["status"]
    ordering_fields = ["created_at", "email", "expires_at"]
    search_fields = ["email", "display_name"]

    def get_queryset(self) -> QuerySet[Invitation]:
        return Invitation.objects.for_organization(self.organization).select_related("invited_by")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = MembershipInviteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        invitation = invitations.invitation_create(
            actor=cast(User, request.user),
            organization=self.organization,
            base_url=request.build_absolute_uri("/"),
            **payload.validated_data,
        )
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        invitations.invitation_revoke(actor=cast(User, request.user), invitation=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["post"])
    def resend(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        inputs.refuse_body(request)
        invitation = invitations.invitation_resend(
            actor=cast(User, request.user), invitation=self.get_object(), base_url=request.build_absolute_uri("/")
        )
        return Response(InvitationSerializer(invitation).data)


@extend_schema_view(
    list=extend_schema(summary=gettext_lazy("List the invitations waiting for me"), tags=["account"]),
    retrieve=extend_schema(summary=gettext_lazy("Show an invitation waiting for me"), tags=["account"]),
    accept=extend_schema(
        summary=gettext_lazy("Accept an invitation: join the organisation"),
        tags=["account"],
        request=EMPTY_BODY,
        responses={201: JoinedSerializer},
    ),
    decline=extend_schema(
        summary=gettext_lazy("Decline an invitation"), tags=["account"], request=EMPTY_BODY, responses={204: None}
    ),
)
class MyInvitationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    schema_description = gettext_lazy("Open invitations addressed to the signed-in user's e-mail address.")

    serializer_class = MyInvitationSerializer
    queryset = Invitation.objects.all()
    filterset_fields: list[str] = []
    ordering_fields = ["created_at"]

    def get_queryset(self) -> QuerySet[Invitation]:
        return invitations.pending_invitations_for(cast(User, self.request.user))

    @action(detail=True, methods=["post"])
    def accept(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        inputs.refuse_body(request)
        membership = invitations.invitation_accept(invitation=self.get_object(), user=cast(User, request.user))
        return Response(JoinedSerializer(membership).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def decline(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        inputs.refuse_body(request)
        invitations.invitation_decline(invitation=self.get_object(), user=cast(User, request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)
