"""Alerts over the API: the alerts themselves, their rules, webhooks, each person's inbox and the variance run.

Every view resolves the organisation through ``OrganizationScopedMixin``, validates its input
with a serializer and calls one service of ``pmo.alerts.services``. A webhook's signing secret
is shown twice only: when the webhook is created and when its secret is rotated.
"""

from __future__ import annotations

from typing import Any, cast

import django_filters
from django.db.models import F, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.choices import CallableChoiceIterator
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import OrderingFilter
from rest_framework.request import Request
from rest_framework.response import Response

from pmo.alerts import services
from pmo.alerts.kinds import DIRECTIONS, UNITS, alert_kinds, alert_message
from pmo.api import inputs
from pmo.api.base import OrganizationScopedMixin
from pmo.api.common import (
    EMPTY_BODY,
    ID_PATTERN,
    NamedChoiceField,
    RegistryChoiceField,
    RegistryNamedChoiceField,
    actor,
)
from pmo.api.rows import Computed, RowBuilder, RowListMixin
from pmo.api.serializers import UserSummarySerializer
from pmo.models import (
    Alert,
    AlertRule,
    AlertStatus,
    DeliveryAttempt,
    Notification,
    OrgRole,
    Severity,
    User,
    Webhook,
    WebhookEvent,
)
from pmo.policy import Action
from pmo.project_directory import project_directory

ALERT_TAGS = ["alerts"]
WEBHOOK_TAGS = ["webhooks"]


def _kind(**options: Any) -> NamedChoiceField:
    return RegistryNamedChoiceField(choices_of=lambda: alert_kinds.choices, enum_name="AlertKindEnum", **options)


def _project_role() -> RegistryChoiceField:
    return RegistryChoiceField(choices_of=lambda: project_directory.roles)


def _severity(**options: Any) -> NamedChoiceField:
    return NamedChoiceField(choices=Severity.choices, enum_name="SeverityEnum", **options)


def _alert_status(**options: Any) -> NamedChoiceField:
    return NamedChoiceField(choices=AlertStatus.choices, enum_name="AlertStatusEnum", **options)


def _webhook_event(**options: Any) -> NamedChoiceField:
    return NamedChoiceField(choices=WebhookEvent.choices, enum_name="WebhookEventEnum", **options)


# --- alerts ---------------------------------------------------------------------------


class ProjectRefSerializer(inputs.ModelSerializer):
    class Meta:
        # The project model through the alert's foreign key: the core does not import the app that owns it.
        model = Alert._meta.get_field("project").related_model
        fields = ["id", "code", "name"]
        read_only_fields = fields


class AlertSubjectSerializer(inputs.Serializer):
    type = RegistryNamedChoiceField(
        choices_of=lambda: alert_kinds.subject_types,
        enum_name="AlertSubjectTypeEnum",
        source="subject_type",
        read_only=True,
    )
    id = serializers.IntegerField(source="subject_id", read_only=True)
    label = serializers.CharField(source="subject_label", read_only=True)  # type: ignore[assignment]


class AlertSerializer(inputs.ModelSerializer):
    rule = _kind(source="kind", read_only=True)
    rule_label = serializers.CharField(source="get_kind_display", read_only=True)
    severity = _severity(read_only=True)
    status = _alert_status(read_only=True)
    project = ProjectRefSerializer(read_only=True, allow_null=True)
    subject = AlertSubjectSerializer(source="*", read_only=True)
    message = serializers.CharField(read_only=True, help_text=_("What happened, in the request's language."))
    figures = serializers.DictField(
        child=serializers.CharField(),
        read_only=True,
        help_text=_("The measure (`value`), the threshold it crossed and the figures behind it, as strings."),
    )
    acknowledged_by = UserSummarySerializer(read_only=True, allow_null=True)
    resolved_by = UserSummarySerializer(
        read_only=True,
        allow_null=True,
        help_text=_("Null with a resolution time: resolved automatically when the condition cleared."),
    )

    class Meta:
        model = Alert
        fields = [
            "id",
            "rule",
            "rule_label",
            "severity",
            "status",
            "project",
            "subject",
            "message",
            "figures",
            "first_seen_at",
            "last_seen_at",
            "acknowledged_at",
            "acknowledged_by",
            "resolved_at",
            "resolved_by",
            "revision",
        ]
        read_only_fields = fields


def _message(prefix: str = "") -> Computed:
    """``Alert.message`` from a row's columns (the alert's own, or under ``prefix``)."""
    kind, label, figures = f"{prefix}kind", f"{prefix}subject_label", f"{prefix}figures"
    return Computed((kind, label, figures), lambda row: alert_message(row[kind], row[label], row[figures]))


ALERT_ROWS = RowBuilder(
    AlertSerializer,
    computed={
        "rule_label": Computed(("kind",), lambda row: alert_kinds.label(row["kind"])),
        "subject": Computed(
            ("subject_type", "subject_id", "subject_label"),
            lambda row: {"type": row["subject_type"], "id": row["subject_id"], "label": row["subject_label"]},
        ),
        "message": _message(),
    },
)


class _CommaMultipleChoiceField(django_filters.fields.MultipleChoiceField):
    """Accepts ``?status=open&status=acknowledged`` as well as ``?status=open,acknowledged``."""

    def to_python(self, value: Any) -> list[str]:
        values: list[str] = super().to_python(value)
        return [part.strip() for item in values for part in item.split(",") if part.strip()]


class ChoiceListFilter(django_filters.MultipleChoiceFilter):
    field_class = _CommaMultipleChoiceField


class AlertFilter(django_filters.FilterSet):
    status = ChoiceListFilter(
        choices=AlertStatus.choices, label=_("Status (repeat it or separate values with commas); all by default")
    )
    severity = django_filters.ChoiceFilter(choices=Severity.choices, label=_("Severity"))
    # Iterated when used (not a callable): the schema lists the kinds registered when it is generated.
    rule = django_filters.ChoiceFilter(
        field_name="kind", choices=CallableChoiceIterator(lambda: alert_kinds.choices), label=_("Rule")
    )
    project = django_filters.NumberFilter(field_name="project_id", label=_("Project (id)"))
    subject_type = django_filters.ChoiceFilter(
        choices=CallableChoiceIterator(lambda: alert_kinds.subject_types), label=_("Subject type")
    )

    class Meta:
        model = Alert
        fields = ["status", "severity", "rule", "project", "subject_type"]


@extend_schema_view(
    list=extend_schema(summary=_("List alerts, the most recently seen first"), tags=ALERT_TAGS),
    retrieve=extend_schema(summary=_("Show an alert"), tags=ALERT_TAGS),
)
class AlertViewSet(OrganizationScopedMixin, RowListMixin, viewsets.ReadOnlyModelViewSet):
    schema_description = _(
        "Conditions the variance run found on projects. Everyone reads them; the PMO office, finance\n"
        "and a project's manager, coordinator or controller acknowledge and resolve them."
    )

    serializer_class = AlertSerializer
    row_builder = ALERT_ROWS
    queryset = Alert.objects.all()
    read_action = Action.ALERTS_VIEW
    action_permissions = {"acknowledge": Action.ALERTS_MANAGE, "resolve": Action.ALERTS_MANAGE}
    filterset_class = AlertFilter
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    # Severities sort by name, and amber comes before red: `-severity` lists red first.
    ordering_fields = ["last_seen_at", "first_seen_at", "severity"]
    ordering = ["-last_seen_at", "-id"]
    lookup_value_regex = ID_PATTERN

    def resolve_scope(self, **url_kwargs: Any) -> None:
        # Acting on an alert, the user's role on its project joins the policy check.
        if self.action in self.action_permissions:
            self.project_role = (
                project_directory.members(self.organization)
                .filter(user_id=self.membership.user_id, project__alerts__pk=url_kwargs["pk"])
                .values_list("role", flat=True)
                .first()
            )

    def get_queryset(self) -> QuerySet[Alert]:
        return Alert.objects.for_organization(self.organization).select_related(
            "project", "acknowledged_by", "resolved_by"
        )

    def _detail(self, alert: Alert) -> Response:
        return Response(AlertSerializer(self.get_queryset().get(pk=alert.pk)).data)

    @extend_schema(
        summary=_("Acknowledge an open alert: someone is on it"),
        description=_("Refused with the code `alert_not_open` unless the alert is open."),
        tags=ALERT_TAGS,
        request=EMPTY_BODY,
        responses={200: AlertSerializer},
        filters=False,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def acknowledge(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        inputs.refuse_body(request)
        return self._detail(services.alert_acknowledge(actor=actor(request), alert=self.get_object()))

    @extend_schema(
        summary=_("Resolve an alert by hand"),
        description=_(
            "Refused with the code `alert_resolved` when it already is. If the condition still holds, "
            "the next variance run opens a new alert."
        ),
        tags=ALERT_TAGS,
        request=EMPTY_BODY,
        responses={200: AlertSerializer},
        filters=False,
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def resolve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        inputs.refuse_body(request)
        return self._detail(services.alert_resolve(actor=actor(request), alert=self.get_object()))


# --- rules ----------------------------------------------------------------------------


class AlertRuleSerializer(inputs.ModelSerializer):
    kind = _kind(read_only=True)
    label = serializers.CharField(source="get_kind_display", read_only=True)  # type: ignore[assignment]
    explanation = serializers.SerializerMethodField()
    direction = serializers.SerializerMethodField()
    unit = serializers.SerializerMethodField()
    severity = _severity(read_only=True)
    notify_org_roles = serializers.ListField(child=serializers.ChoiceField(choices=OrgRole.choices), read_only=True)
    notify_project_roles = serializers.ListField(child=_project_role(), read_only=True)
    updated_by = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = AlertRule
        fields = [
            "id",
            "kind",
            "label",
            "explanation",
            "direction",
            "unit",
            "enabled",
            "severity",
            "threshold",
            "red_threshold",
            "notify_org_roles",
            "notify_project_roles",
            "updated_at",
            "updated_by",
        ]
        read_only_fields = fields

    def get_explanation(self, rule: AlertRule) -> str:
        return str(alert_kinds[rule.kind].explanation)

    @extend_schema_field(
        NamedChoiceField(
            choices=list(DIRECTIONS),
            enum_name="AlertRuleDirectionEnum",
            help_text=_("`below`: the rule fires under the threshold; `above`: over it."),
        )
    )
    def get_direction(self, rule: AlertRule) -> str:
        return alert_kinds[rule.kind].direction

    @extend_schema_field(NamedChoiceField(choices=list(UNITS), enum_name="AlertRuleUnitEnum"))
    def get_unit(self, rule: AlertRule) -> str:
        return alert_kinds[rule.kind].unit


ALERT_RULE_ROWS = RowBuilder(
    AlertRuleSerializer,
    computed={
        "label": Computed(("kind",), lambda row: alert_kinds.label(row["kind"])),
        "explanation": Computed(("kind",), lambda row: str(alert_kinds[row["kind"]].explanation)),
        "direction": Computed(("kind",), lambda row: alert_kinds[row["kind"]].direction),
        "unit": Computed(("kind",), lambda row: alert_kinds[row["kind"]].unit),
    },
)


class AlertRuleUpdateSerializer(inputs.Serializer):
    enabled = serializers.BooleanField()
    severity = _severity(help_text=_("The severity of an alert that crosses the threshold but not the red one."))
    threshold = serializers.DecimalField(max_digits=14, decimal_places=4)
    red_threshold = serializers.DecimalField(
        max_digits=14,
        decimal_places=4,
        allow_null=True,
        help_text=_("The stricter bound that makes the alert red; null for none."),
    )
    notify_org_roles = serializers.ListField(child=serializers.ChoiceField(choices=OrgRole.choices))
    notify_project_roles = serializers.ListField(child=_project_role())


@extend_schema_view(
    list=extend_schema(
        summary=_("List the alert rules (every kind; the defaults arrive with the first read)"), tags=ALERT_TAGS
    ),
    retrieve=extend_schema(summary=_("Show an alert rule"), tags=ALERT_TAGS),
    update=extend_schema(
        summary=_("Replace a rule's switch, severity, thresholds and recipients"),
        tags=ALERT_TAGS,
        request=AlertRuleUpdateSerializer,
        responses={200: AlertRuleSerializer},
    ),
    partial_update=extend_schema(
        summary=_("Change some of a rule's switch, severity, thresholds and recipients"),
        tags=ALERT_TAGS,
        request=AlertRuleUpdateSerializer,
        responses={200: AlertRuleSerializer},
    ),
)
class AlertRuleViewSet(
    OrganizationScopedMixin,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = _("One rule per kind of alert; rules are switched off, never created or deleted.")

    serializer_class = AlertRuleSerializer
    row_builder = ALERT_RULE_ROWS
    queryset = AlertRule.objects.all()
    read_action = Action.ALERTS_VIEW
    write_action = Action.ALERT_RULES_MANAGE
    filter_backends: list[Any] = []
    pagination_class = None
    http_method_names = ["get", "put", "patch", "head", "options"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[AlertRule]:
        return (
            AlertRule.objects.for_organization(self.organization)
            .filter(kind__in=alert_kinds.values)
            .select_related("updated_by")
            .order_by("id")
        )

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.alert_rules_ensure(self.organization)
        return super().list(request, *args, **kwargs)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = AlertRuleUpdateSerializer(data=request.data, partial=kwargs.get("partial", False))
        payload.is_valid(raise_exception=True)
        rule = services.alert_rule_update(actor=actor(request), rule=self.get_object(), **payload.validated_data)
        return Response(AlertRuleSerializer(rule).data)


# --- webhooks -------------------------------------------------------------------------


class WebhookSerializer(inputs.ModelSerializer):
    events = serializers.ListField(child=_webhook_event(), read_only=True)
    created_by = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Webhook
        fields = ["id", "name", "url", "events", "is_active", "created_at", "created_by"]
        read_only_fields = fields


WEBHOOK_ROWS = RowBuilder(WebhookSerializer)


class WebhookWithSecretSerializer(WebhookSerializer):
    secret = serializers.CharField(
        read_only=True,
        help_text=_("Signs every delivery (HMAC-SHA256, header X-PMO-Signature); shown this once only."),
    )

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookCreateSerializer(inputs.Serializer):
    name = serializers.CharField(max_length=100)
    # Checked by the service, which says why a URL is refused (codes webhook_url_*).
    url = serializers.CharField(max_length=2000, help_text=_("A public http(s) address."))
    events = serializers.ListField(child=_webhook_event(), min_length=1)


class WebhookUpdateSerializer(inputs.Serializer):
    name = serializers.CharField(max_length=100, required=False)
    url = serializers.CharField(max_length=2000, required=False, help_text=_("A public http(s) address."))
    events = serializers.ListField(child=_webhook_event(), min_length=1, required=False)
    is_active = serializers.BooleanField(required=False)


@extend_schema_view(
    list=extend_schema(summary=_("List the webhooks (admins)"), tags=WEBHOOK_TAGS),
    retrieve=extend_schema(summary=_("Show a webhook (admins)"), tags=WEBHOOK_TAGS),
    create=extend_schema(
        summary=_("Add a webhook; the response carries its signing secret, shown once"),
        description=_("A URL that leads to a private or reserved address is refused with `webhook_url_unsafe`."),
        tags=WEBHOOK_TAGS,
        request=WebhookCreateSerializer,
        responses={201: WebhookWithSecretSerializer},
    ),
    partial_update=extend_schema(
        summary=_("Change a webhook's name, URL, events or switch (admins)"),
        tags=WEBHOOK_TAGS,
        request=WebhookUpdateSerializer,
        responses={200: WebhookSerializer},
    ),
    destroy=extend_schema(summary=_("Remove a webhook with its delivery log (admins)"), tags=WEBHOOK_TAGS),
)
class WebhookViewSet(
    OrganizationScopedMixin,
    RowListMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    schema_description = _(
        "Receivers of alert events, each signing its deliveries with its own secret. Administrators only."
    )

    serializer_class = WebhookSerializer
    row_builder = WEBHOOK_ROWS
    queryset = Webhook.objects.all()
    read_action = Action.WEBHOOKS_MANAGE
    write_action = Action.WEBHOOKS_MANAGE
    filter_backends = [OrderingFilter]
    ordering_fields = ["name", "created_at"]
    ordering = ["name", "id"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    lookup_value_regex = ID_PATTERN

    def get_queryset(self) -> QuerySet[Webhook]:
        return Webhook.objects.for_organization(self.organization).select_related("created_by")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = WebhookCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        webhook = services.webhook_create(
            actor=actor(request), organization=self.organization, **payload.validated_data
        )
        return Response(WebhookWithSecretSerializer(webhook).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = WebhookUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        webhook = services.webhook_update(actor=actor(request), webhook=self.get_object(), **payload.validated_data)
        return Response(WebhookSerializer(webhook).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.webhook_delete(actor=actor(request), webhook=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary=_("Give a webhook a new signing secret; the response carries it, shown once"),
        description=_("The old secret stops signing at once: update the receiver with the new one."),
        tags=WEBHOOK_TAGS,
        request=EMPTY_BODY,
        responses={200: WebhookWithSecretSerializer},
        filters=False,
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret", filter_backends=[])
    def rotate_secret(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        inputs.refuse_body(request)
        webhook = services.webhook_update(actor=actor(request), webhook=self.get_object(), rotate_secret=True)
        return Response(WebhookWithSecretSerializer(webhook).data)


class WebhookDeliverySerializer(inputs.ModelSerializer):
    ok = serializers.BooleanField(read_only=True, help_text=_("The receiver answered with a 2xx status."))
    outcome = NamedChoiceField(
        choices=DeliveryAttempt.Outcome.choices,
        enum_name="DeliveryOutcomeEnum",
        read_only=True,
        help_text=_(
            "started: the attempt was logged before the call and no outcome was recorded after it (the relay "
            "stopped, or the call is under way); the receiver may have got the message, which is sent again "
            "with the same key."
        ),
    )
    message_key = serializers.CharField(
        read_only=True, help_text=_("The message's idempotency key: the same for every attempt to deliver it.")
    )

    class Meta:
        model = DeliveryAttempt
        fields = [
            "id",
            "event",
            "attempt",
            "outcome",
            "status_code",
            "ok",
            "error",
            "response_excerpt",
            "duration_ms",
            "created_at",
            "finished_at",
            "message_key",
        ]
        read_only_fields = fields


WEBHOOK_DELIVERY_ROWS = RowBuilder(
    WebhookDeliverySerializer,
    computed={"ok": Computed(("status_code",), lambda row: DeliveryAttempt.status_ok(row["status_code"]))},
)


@extend_schema_view(
    list=extend_schema(summary=_("List a webhook's delivery attempts, newest first"), tags=WEBHOOK_TAGS)
)
class WebhookDeliveryViewSet(OrganizationScopedMixin, RowListMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    schema_description = _("What each attempt to deliver a message to the webhook got back. Administrators only.")

    serializer_class = WebhookDeliverySerializer
    row_builder = WEBHOOK_DELIVERY_ROWS
    queryset = DeliveryAttempt.objects.all()
    read_action = Action.WEBHOOKS_MANAGE
    filter_backends: list[Any] = []

    def resolve_scope(self, **url_kwargs: Any) -> None:
        self.webhook = get_object_or_404(
            Webhook.objects.for_organization(self.organization), pk=url_kwargs["webhook_id"]
        )

    def get_queryset(self) -> QuerySet[DeliveryAttempt]:
        return (
            DeliveryAttempt.objects.for_organization(self.organization)
            .filter(webhook=self.webhook)
            # The key only: the message's payload can be large.
            .annotate(message_key=F("message__key"))
            .order_by("-created_at", "-id")
        )


# --- the inbox ------------------------------------------------------------------------


class NotificationAlertSerializer(inputs.ModelSerializer):
    rule = _kind(source="kind", read_only=True)
    severity = _severity(read_only=True)
    status = _alert_status(read_only=True)
    message = serializers.CharField(read_only=True)
    project = ProjectRefSerializer(read_only=True, allow_null=True)
    subject_label = serializers.CharField(read_only=True)

    class Meta:
        model = Alert
        fields = ["id", "rule", "severity", "status", "message", "project", "subject_label"]
        read_only_fields = fields


class NotificationSerializer(inputs.ModelSerializer):
    event = _webhook_event(read_only=True)
    alert = NotificationAlertSerializer(read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "event", "created_at", "read_at", "alert"]
        read_only_fields = fields


NOTIFICATION_ROWS = RowBuilder(NotificationSerializer, computed={"alert.message": _message("alert__")})


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull", label=_("Unread only"))

    class Meta:
        model = Notification
        fields = ["unread"]


class MarkReadSerializer(inputs.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=1000,
        help_text=_("The notifications to mark read; all unread ones when left out."),
    )


class MarkedSerializer(inputs.Serializer):
    marked = serializers.IntegerField(help_text=_("How many unread notifications were marked read."))


class UnreadCountSerializer(inputs.Serializer):
    count = serializers.IntegerField()


@extend_schema_view(
    list=extend_schema(summary=_("List my notifications in this organisation, newest first"), tags=ALERT_TAGS)
)
class NotificationViewSet(OrganizationScopedMixin, RowListMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    schema_description = _("The signed-in user's inbox of alert events. Nobody sees another person's notifications.")

    serializer_class = NotificationSerializer
    row_builder = NOTIFICATION_ROWS
    queryset = Notification.objects.all()
    read_action = Action.ALERTS_VIEW
    write_action = Action.ALERTS_VIEW
    filterset_class = NotificationFilter
    filter_backends = [DjangoFilterBackend]

    def get_queryset(self) -> QuerySet[Notification]:
        return (
            Notification.objects.for_organization(self.organization)
            .filter(user_id=self.membership.user_id)
            .select_related("alert", "alert__project")
        )

    @extend_schema(
        summary=_("Mark my notifications read, all or the ones named"),
        description=_("An id that is not one of your notifications answers 404 and nothing is marked."),
        tags=ALERT_TAGS,
        request=MarkReadSerializer,
        responses={200: MarkedSerializer},
        filters=False,
    )
    @action(detail=False, methods=["post"], url_path="mark-read", filter_backends=[], pagination_class=None)
    def mark_read(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = MarkReadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        ids: list[int] | None = payload.validated_data.get("ids")
        if ids:
            mine = set(self.get_queryset().filter(pk__in=ids).values_list("pk", flat=True))
            if not set(ids) <= mine:
                raise Http404
        marked = services.notifications_mark_read(user=actor(request), organization=self.organization, ids=ids)
        return Response(MarkedSerializer({"marked": marked}).data)

    @extend_schema(
        summary=_("Count my unread notifications"),
        tags=ALERT_TAGS,
        responses={200: UnreadCountSerializer},
        filters=False,
    )
    @action(detail=False, methods=["get"], url_path="unread-count", filter_backends=[], pagination_class=None)
    def unread_count(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        count = self.get_queryset().filter(read_at__isnull=True).count()
        return Response(UnreadCountSerializer({"count": count}).data)


# --- the variance run -----------------------------------------------------------------


class VarianceRunSerializer(inputs.Serializer):
    as_of = serializers.DateField(
        required=False,
        allow_null=True,
        help_text=_("The status date (YYYY-MM-DD); today in the organisation's time zone when left out."),
    )


class VarianceRunQueuedSerializer(inputs.Serializer):
    queued = serializers.BooleanField()
    as_of = serializers.DateField()


class VarianceRunView(OrganizationScopedMixin, generics.GenericAPIView):
    """Run the variance check now: snapshots of earned value, then alerts, for every open project."""

    serializer_class = VarianceRunSerializer
    write_action = Action.ALERT_RULES_MANAGE
    filter_backends: list[Any] = []
    http_method_names = ["post", "options"]

    @extend_schema(
        summary=_("Queue the variance check of every open project"),
        description=_(
            "The check runs in the background once the request is done, as a run whose progress the runs "
            "endpoint shows (`runs/`); alerts follow as its batches finish."
        ),
        tags=ALERT_TAGS,
        request=VarianceRunSerializer,
        responses={202: VarianceRunQueuedSerializer},
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        payload = VarianceRunSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        as_of = payload.validated_data.get("as_of") or self.organization.today()
        alert_kinds.run_now(
            organization_id=self.organization.pk, as_of=as_of.isoformat(), started_by=cast(User, request.user)
        )
        return Response(
            VarianceRunQueuedSerializer({"queued": True, "as_of": as_of}).data, status=status.HTTP_202_ACCEPTED
        )
