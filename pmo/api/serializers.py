from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from pmo.api import inputs
from pmo.api.rows import RowBuilder
from pmo.models import (
    ApiToken,
    AuditEvent,
    CalendarException,
    Membership,
    Organization,
    OrgRole,
    User,
    WorkingCalendar,
)
from pmo.policy import allowed_actions


class UserSummarySerializer(inputs.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "display_name", "email"]
        read_only_fields = fields


class OrganizationSummarySerializer(inputs.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["slug", "name"]
        read_only_fields = fields


class MyMembershipSerializer(inputs.ModelSerializer):
    organization = OrganizationSummarySerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["organization", "role"]
        read_only_fields = fields


class MeSerializer(inputs.ModelSerializer):
    memberships = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "email", "language", "time_zone", "memberships"]
        read_only_fields = ["id", "username", "email", "memberships"]

    @extend_schema_field(MyMembershipSerializer(many=True))
    def get_memberships(self, user: User) -> list[dict[str, Any]]:
        memberships = Membership.objects.unscoped().filter(user=user).select_related("organization")
        return MyMembershipSerializer(memberships, many=True).data  # type: ignore[return-value]


class OrganizationSerializer(inputs.ModelSerializer):
    my_role = serializers.SerializerMethodField()
    my_permissions = serializers.SerializerMethodField()

    class Meta:
        model = Organization
        fields = [
            "slug",
            "name",
            "default_currency",
            "time_zone",
            "earliest_date",
            "latest_date",
            "created_at",
            "my_role",
            "my_permissions",
        ]
        read_only_fields = ["slug", "created_at", "my_role", "my_permissions"]

    def get_my_role(self, organization: Organization) -> str:
        return str(self.context["membership"].role)

    def get_my_permissions(self, organization: Organization) -> list[str]:
        return sorted(str(action) for action in allowed_actions(self.context["membership"]))


class MembershipSerializer(inputs.ModelSerializer):
    user = UserSummarySerializer(read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "role", "created_at"]
        read_only_fields = ["id", "user", "created_at"]


MEMBERSHIP_ROWS = RowBuilder(MembershipSerializer)


class MembershipInviteSerializer(inputs.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=OrgRole.choices)
    display_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")


class MembershipRoleSerializer(inputs.Serializer):
    role = serializers.ChoiceField(choices=OrgRole.choices)


class ApiTokenSerializer(inputs.ModelSerializer):
    is_usable = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "revoked_at", "last_used_at", "is_usable"]
        read_only_fields = ["id", "prefix", "created_at", "revoked_at", "last_used_at", "is_usable"]

    def get_is_usable(self, token: ApiToken) -> bool:
        return token.is_usable()


class ApiTokenCreateSerializer(inputs.Serializer):
    name = serializers.CharField(max_length=100)
    expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    token = serializers.CharField(read_only=True, help_text=_("The token itself; shown this once only."))

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]


class AuditEventSerializer(inputs.ModelSerializer):
    actor = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "created_at",
            "actor",
            "action",
            "target_type",
            "target_id",
            "target_repr",
            "changes",
            "request_id",
            "ip_address",
        ]
        read_only_fields = fields


AUDIT_EVENT_ROWS = RowBuilder(AuditEventSerializer)


class WorkingCalendarSerializer(inputs.ModelSerializer):
    working_weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6),
        min_length=1,
        max_length=7,
        help_text=_("Working weekdays, 0 = Monday … 6 = Sunday."),
    )

    class Meta:
        model = WorkingCalendar
        fields = ["id", "name", "working_weekdays", "is_default"]
        read_only_fields = ["id"]


WORKING_CALENDAR_ROWS = RowBuilder(WorkingCalendarSerializer)


class CalendarExceptionSerializer(inputs.ModelSerializer):
    class Meta:
        model = CalendarException
        fields = ["id", "date", "is_working", "name"]
        read_only_fields = ["id"]


CALENDAR_EXCEPTION_ROWS = RowBuilder(CalendarExceptionSerializer)
