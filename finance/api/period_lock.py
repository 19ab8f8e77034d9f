"""API of the period lock, ``/api/v1/orgs/{org_slug}/finance-period-lock/``: read by everyone, set by finance."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from finance.models import FinanceSettings
from finance.permissions import FinanceAction
from finance.services import categories, period_lock
from pmo.api import inputs
from pmo.api.base import OrganizationScopedMixin
from pmo.api.common import actor as _actor

TAGS = ["finance"]


class PeriodLockSerializer(inputs.ModelSerializer):
    locked_through = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text=_("The last closed day: nothing dated on or before it may be added, changed or reversed."),
    )

    class Meta:
        model = FinanceSettings
        fields = ["locked_through"]


class PeriodLockInputSerializer(inputs.Serializer):
    locked_through = serializers.DateField(
        allow_null=True,
        help_text=_("Close the books through this day (today or earlier); null reopens every period."),
    )
    reason = serializers.CharField(
        max_length=period_lock.REASON_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Needed when closed days are reopened (an earlier date, or null)."),
    )


@extend_schema_view(
    get=extend_schema(summary=_("Show the date the books are closed through"), tags=TAGS),
    post=extend_schema(
        summary=_("Close the books through a date, or reopen closed days"),
        description=_(
            "Finance only. Moving the date back or clearing it reopens closed days and needs a reason "
            "(`reason_required`); a date after today is refused (`lock_in_future`). Costs, commitments, "
            "imports and timesheet hours dated on or before the date are then refused with `period_locked`."
        ),
        tags=TAGS,
        request=PeriodLockInputSerializer,
        responses={200: PeriodLockSerializer},
    ),
)
class PeriodLockView(OrganizationScopedMixin, generics.RetrieveAPIView):
    schema_description = _("The period lock: the last day of the organisation's closed books.")

    serializer_class = PeriodLockSerializer
    queryset = FinanceSettings.objects.all()
    read_action = FinanceAction.FINANCE_VIEW
    write_action = FinanceAction.PERIOD_LOCK
    http_method_names = ["get", "post", "head", "options"]

    def get_object(self) -> FinanceSettings:
        return self.remember_version(categories.finance_settings(self.organization))

    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = PeriodLockInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        settings = period_lock.period_lock_set(
            actor=_actor(request), organization=self.organization, **payload.validated_data
        )
        return Response(PeriodLockSerializer(self.remember_version(settings)).data)
