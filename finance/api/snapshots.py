"""A project's earned-value snapshots over the API: the figures the variance run kept, day by day.

Money is a string with two places, an index (SPI, CPI, TCPI) a string with four places; a
figure that was undefined on its day (a divisor of zero) stays null.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from finance.models import EvmSnapshot
from finance.permissions import FinanceAction
from pmo.api import inputs
from pmo.api.rows import RowBuilder, RowListMixin
from projects.api.base import ProjectScopedMixin


class SnapshotQuerySerializer(inputs.QuerySerializer):
    # ``from`` is a keyword in Python: the field is declared as ``start`` and renamed.
    start = serializers.DateField(required=False)
    to = serializers.DateField(required=False)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = fields.pop("start")
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("from"), attrs.get("to")
        if start is not None and end is not None and start > end:
            raise serializers.ValidationError({"to": [_("Choose a date on or after the first one.")]})
        return attrs


class EvmSnapshotSerializer(inputs.ModelSerializer):
    class Meta:
        model = EvmSnapshot
        fields = [
            "date",
            "currency",
            "bac",
            "pv",
            "ev",
            "ac",
            "sv",
            "cv",
            "spi",
            "cpi",
            "eac",
            "etc",
            "vac",
            "tcpi",
            "approved_budget",
            "computed_at",
        ]
        read_only_fields = fields


EVM_SNAPSHOT_ROWS = RowBuilder(EvmSnapshotSerializer)


class EvmSnapshotListView(ProjectScopedMixin, RowListMixin, generics.ListAPIView):
    schema_description = gettext_lazy(
        "The project's earned value as the variance run saw it on each day, oldest first."
    )

    serializer_class = EvmSnapshotSerializer
    row_builder = EVM_SNAPSHOT_ROWS
    queryset = EvmSnapshot.objects.all()
    read_action = FinanceAction.FINANCE_VIEW
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[EvmSnapshot]:
        query = SnapshotQuerySerializer(data=self.request.query_params, context={"organization": self.organization})
        query.is_valid(raise_exception=True)
        snapshots = EvmSnapshot.objects.for_organization(self.organization).filter(project=self.project)
        if "from" in query.validated_data:
            snapshots = snapshots.filter(date__gte=query.validated_data["from"])
        if "to" in query.validated_data:
            snapshots = snapshots.filter(date__lte=query.validated_data["to"])
        return snapshots.order_by("date")

    @extend_schema(
        summary=gettext_lazy("A project's earned-value snapshots, day by day"),
        tags=["earned value"],
        parameters=[
            OpenApiParameter(
                "from", OpenApiTypes.DATE, description=gettext_lazy("The first day (YYYY-MM-DD), included.")
            ),
            OpenApiParameter("to", OpenApiTypes.DATE, description=gettext_lazy("The last day (YYYY-MM-DD), included.")),
        ],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)
