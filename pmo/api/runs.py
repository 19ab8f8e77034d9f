"""The runs of background work, as the PMO office sees them: the organisation's part of each (``pmo.runs``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.db.models import F, QuerySet
from django.http import Http404
from django.utils.choices import CallableChoiceIterator
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from pmo.api import inputs
from pmo.api.base import OrganizationScopedMixin
from pmo.api.common import ID_PATTERN, NamedChoiceField, RegistryNamedChoiceField
from pmo.api.rows import Computed, RowBuilder, RowListMixin
from pmo.api.serializers import UserSummarySerializer
from pmo.models import BatchStatus, Run, RunBatch, RunStatus
from pmo.policy import Action
from pmo.runs.registry import run_kinds
from pmo.runs.selectors import RunPart, organization_runs

RUN_TAGS = ["runs"]
_DATETIME = serializers.DateTimeField()


class RunSerializer(inputs.ModelSerializer):
    kind = RegistryNamedChoiceField(choices_of=lambda: run_kinds.choices, enum_name="RunKindEnum", read_only=True)
    kind_label = serializers.SerializerMethodField(help_text=_("The kind in the request's language."))
    every_organization = serializers.SerializerMethodField(
        help_text=_(
            "True for a run over every organisation (the scheduled ones): the figures and the status are "
            "this organisation's part of it."
        )
    )
    started_by = UserSummarySerializer(
        read_only=True, allow_null=True, help_text=_("Who started it; null for a run the schedule started.")
    )
    status = serializers.SerializerMethodField(
        help_text=_(
            "`running` while one of the organisation's batches has not reported; `complete` once all are "
            "done; `failed` once all have reported and one gave up after its last attempt (incomplete)."
        )
    )
    batches = serializers.IntegerField(
        source="part_batches", read_only=True, help_text=_("The organisation's batches.")
    )
    batches_done = serializers.IntegerField(source="part_done", read_only=True, help_text=_("Batches done."))
    batches_failed = serializers.IntegerField(
        source="part_failed", read_only=True, help_text=_("Batches that gave up after their last attempt.")
    )
    finished_at = serializers.SerializerMethodField(
        help_text=_("When the organisation's last batch reported; null while the run is running.")
    )
    duration_seconds = serializers.SerializerMethodField(
        help_text=_("From the start to the last report, in seconds; null while the run is running.")
    )

    class Meta:
        model = Run
        fields = [
            "id",
            "kind",
            "kind_label",
            "every_organization",
            "started_at",
            "started_by",
            "status",
            "batches",
            "batches_done",
            "batches_failed",
            "finished_at",
            "duration_seconds",
        ]
        read_only_fields = fields

    def get_kind_label(self, run: Any) -> str:
        return run_kinds.label(run.kind)

    def get_every_organization(self, run: Any) -> bool:
        return run.organization_id is None

    @extend_schema_field(NamedChoiceField(choices=RunStatus.choices, enum_name="RunStatusEnum"))
    def get_status(self, run: Any) -> str:
        return str(RunPart.of(run).status.value)

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_finished_at(self, run: Any) -> str | None:
        finished = RunPart.of(run).finished_at
        return None if finished is None else _DATETIME.to_representation(finished)

    def get_duration_seconds(self, run: Any) -> float | None:
        duration: dt.timedelta | None = RunPart.of(run).duration
        return None if duration is None else round(duration.total_seconds(), 3)


_PART = ("part_batches", "part_done", "part_failed", "started_at", "part_reported_at")
RUN_ROWS = RowBuilder(
    RunSerializer,
    computed={
        "kind_label": Computed.method(RunSerializer, "kind_label", "kind"),
        "every_organization": Computed.method(RunSerializer, "every_organization", "organization_id"),
        "status": Computed.method(RunSerializer, "status", *_PART),
        "finished_at": Computed.method(RunSerializer, "finished_at", *_PART),
        "duration_seconds": Computed.method(RunSerializer, "duration_seconds", *_PART),
    },
)


class RunBatchSerializer(inputs.ModelSerializer):
    status = NamedChoiceField(choices=BatchStatus.choices, enum_name="RunBatchStatusEnum", read_only=True)
    description = serializers.SerializerMethodField(
        help_text=_("What the batch covers, in the request's language (empty when its kind does not say).")
    )
    payload = serializers.JSONField(read_only=True, help_text=_("What the batch's task is given (the project ids)."))

    class Meta:
        model = RunBatch
        fields = [
            "id",
            "key",
            "description",
            "payload",
            "status",
            "attempts",
            "queued_at",
            "started_at",
            "reported_at",
            "error",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "key": {"help_text": _("The batch's name in its run.")},
            "attempts": {"help_text": _("How many times a worker started it.")},
            "queued_at": {"help_text": _("When its task was last sent to the workers.")},
            "reported_at": {"help_text": _("When a worker last reported on it (started, done, failed).")},
            "error": {"help_text": _("The last error a worker reported, if any.")},
        }

    def get_description(self, batch: Any) -> str:
        return run_kinds.describe(batch.run_kind, batch.payload)


RUN_BATCH_ROWS = RowBuilder(
    RunBatchSerializer,
    computed={"description": Computed.method(RunBatchSerializer, "description", "run_kind", "payload")},
)


class RunFilter(django_filters.FilterSet):
    # Iterated when used (not a callable): the schema lists the kinds registered when it is generated.
    kind = django_filters.ChoiceFilter(choices=CallableChoiceIterator(lambda: run_kinds.choices), label=_("Kind"))

    class Meta:
        model = Run
        fields = ["kind"]


@extend_schema_view(
    list=extend_schema(summary=_("List the organisation's runs, the newest first"), tags=RUN_TAGS),
    retrieve=extend_schema(summary=_("Show a run: the organisation's part of it"), tags=RUN_TAGS),
)
class RunViewSet(OrganizationScopedMixin, RowListMixin, viewsets.ReadOnlyModelViewSet):
    schema_description = _(
        "Background work done in batches (the variance check, inspection rounds, reminders, digests) and how\n"
        "far it got. A run over every organisation shows this organisation's batches only. PMO office only."
    )

    serializer_class = RunSerializer
    row_builder = RUN_ROWS
    queryset = Run.objects.all()
    read_action = Action.RUNS_VIEW
    filterset_class = RunFilter
    filter_backends = [DjangoFilterBackend]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[Run]:
        return organization_runs(self.organization)


@extend_schema_view(list=extend_schema(summary=_("List a run's batches in the organisation"), tags=RUN_TAGS))
class RunBatchViewSet(OrganizationScopedMixin, RowListMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    schema_description = _(
        "The organisation's batches of a run: what each covers, where it stands, how often a worker started\n"
        "it and the last error. PMO office only."
    )

    serializer_class = RunBatchSerializer
    row_builder = RUN_BATCH_ROWS
    queryset = RunBatch.objects.all()
    read_action = Action.RUNS_VIEW
    filter_backends: list[Any] = []

    def resolve_scope(self, **url_kwargs: Any) -> None:
        self.run_id = int(url_kwargs["run_id"])
        # A run without a batch here is another organisation's: 404, as if it did not exist.
        if not RunBatch.objects.for_organization(self.organization).filter(run_id=self.run_id).exists():
            raise Http404

    def get_queryset(self) -> QuerySet[RunBatch]:
        return (
            RunBatch.objects.for_organization(self.organization)
            .filter(run_id=self.run_id)
            .annotate(run_kind=F("run__kind"))
            .order_by("pk")
        )
