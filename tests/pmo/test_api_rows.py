"""Every organisation-scoped list reads values and builds what its serializer declares (pmo.api.rows)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Prefetch
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework import serializers
from rest_framework.mixins import ListModelMixin
from rest_framework.test import APIClient

from pmo.api.alerts import ALERT_ROWS, NOTIFICATION_ROWS, AlertSerializer, NotificationSerializer
from pmo.api.rows import Computed, RowBuilder, RowListMixin
from pmo.models import Alert, Notification, Organization, OrgRole, User
from projects.api.control import ChangeRequestSerializer, StatusReportSerializer
from projects.api.serializers import StageGateSerializer
from projects.models import ChangeRequest, ChangeRequestElement, StageGate, StatusReport
from tests.factories import (
    AlertFactory,
    ChangeRequestElementFactory,
    ChangeRequestFactory,
    DeliveryAttemptFactory,
    NotificationFactory,
    ProjectFactory,
    StageGateFactory,
    StatusReportFactory,
    WebhookFactory,
    member,
)

pytestmark = pytest.mark.django_db
BASE = "/api/v1/orgs/acme"

# Lists that still serialize model instances, each with its reason.
SERIALIZED_LISTS = {
    # One record's few files; its URLs are built from the request.
    "AttachmentViewSet": "the download and thumbnail URLs depend on the request",
}
# Lists that read values and build them in a list of their own.
OWN_LISTS = {
    "WbsElementViewSet": "the whole plan in code order, or as a tree (WBS_ELEMENT_ROWS)",
}


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _list_views() -> dict[str, Any]:
    def walk(patterns: list[Any], prefix: str = "") -> Any:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern.callback

    found = {}
    for route, callback in walk(get_resolver().url_patterns):
        cls = getattr(callback, "cls", None)
        actions = getattr(callback, "actions", None)
        if cls is None or "<slug:org_slug>" not in route:
            continue
        if (actions or {}).get("get") == "list" or (
            actions is None and issubclass(cls, ListModelMixin) and not hasattr(cls, "retrieve")
        ):
            found[cls.__name__] = cls
    return found


def _keys(builder: RowBuilder) -> list[Any]:
    return [(step.key, _keys(step.nested)) if step.nested else step.key for step in builder.steps]


def _fields(serializer: serializers.Serializer[Any]) -> list[Any]:
    return [
        (name, _fields(field)) if isinstance(field, serializers.ModelSerializer) else name
        for name, field in serializer.fields.items()
    ]


def test_every_organisation_list_is_built_from_values_with_the_serializers_fields() -> None:
    views = _list_views()
    slow = {name for name, cls in views.items() if not issubclass(cls, RowListMixin)}
    assert slow == set(SERIALIZED_LISTS) | set(OWN_LISTS)
    for cls in views.values():
        if issubclass(cls, RowListMixin):
            assert _keys(cls.row_builder) == _fields(cls.row_builder.serializer_class()), cls.__name__


def test_a_nested_serializers_computed_field_and_a_serializer_method() -> None:
    class Inner(serializers.Serializer[Any]):
        label = serializers.SerializerMethodField()

        def get_label(self, item: Any) -> str:
            return f"{item.code}!"

    class Outer(serializers.ModelSerializer[Any]):
        user = serializers.SerializerMethodField()

        class Meta:
            model = User
            fields = ["id", "user"]

        def get_user(self, user: Any) -> str:
            return getattr(user, "missing", "none") + user.username

    builder = RowBuilder(Outer, computed={"user": Computed.method(Outer, "user", "username")})
    assert builder.build([{"id": 1, "username": "ada"}]) == [{"id": 1, "user": "noneada"}]
    inner = Computed.method(Inner, "label", "code")
    assert inner.value({"code": "A"}) == "A!"


def test_alert_and_notification_lists_answer_what_their_serializers_declare(
    organization: Organization, api: APIClient, admin_user: User
) -> None:
    project = ProjectFactory(organization=organization)
    first = AlertFactory(project=project)
    AlertFactory(
        organization=organization, project=None, subject_id=project.pk + 1, subject_label="组织 Org", rule=first.rule
    )
    NotificationFactory(alert=first, user=admin_user)
    alerts = Alert.objects.for_organization(organization).select_related("project", "acknowledged_by", "resolved_by")
    built = ALERT_ROWS.build(alerts.values(*ALERT_ROWS.columns))
    assert _json(built) == _json(AlertSerializer(alerts, many=True).data)
    answer = api.get(f"{BASE}/alerts/").json()["results"]
    expected = AlertSerializer(alerts.order_by("-last_seen_at", "-id"), many=True).data
    assert _json(answer) == _json(expected)
    notifications = Notification.objects.for_organization(organization).select_related("alert", "alert__project")
    built = NOTIFICATION_ROWS.build(notifications.values(*NOTIFICATION_ROWS.columns))
    assert _json(built) == _json(NotificationSerializer(notifications, many=True).data)
    assert built[0]["alert"]["message"]
    assert api.get(f"{BASE}/notifications/").json()["results"] == built


def test_webhook_delivery_list_says_which_attempts_succeeded(organization: Organization, api: APIClient) -> None:
    webhook = WebhookFactory(organization=organization)
    for code in (204, 500, None):
        DeliveryAttemptFactory(message__organization=organization, message__webhook=webhook, status_code=code)
    rows = api.get(f"{BASE}/webhooks/{webhook.pk}/deliveries/").json()["results"]
    assert sorted((row["status_code"] or 0, row["ok"]) for row in rows) == [(0, False), (204, True), (500, False)]


def test_change_report_and_gate_lists_answer_what_their_serializers_declare(
    organization: Organization, api: APIClient
) -> None:
    project = ProjectFactory(organization=organization)
    manager = member(organization, OrgRole.PROJECT_MANAGER).user
    change = ChangeRequestFactory(project=project, impact_cost=Decimal("1234.5"))
    ChangeRequestElementFactory(change_request=change, element__code="2")
    ChangeRequestElementFactory(change_request=change, element__code="1")
    ChangeRequestFactory(project=project)
    StatusReportFactory(project=project, author=manager, figures={"computed_rag": None})
    StageGateFactory(project=project, checklist=[{"criterion": "Business case", "passed": True}])
    url = f"{BASE}/projects/{project.pk}"

    answer = api.get(f"{url}/change-requests/").json()["results"]
    links = ChangeRequestElement.objects.for_organization(organization).order_by("element__code")
    changes = (
        ChangeRequest.objects.for_organization(organization)
        .filter(project=project)
        .prefetch_related(Prefetch("affected", queryset=links.select_related("element")))
        .order_by("-number")
    )
    assert _json(answer) == _json(ChangeRequestSerializer(changes, many=True).data)
    assert [element["code"] for element in answer[1]["affected"]] == ["1", "2"]

    answer = api.get(f"{url}/status-reports/").json()["results"]
    reports = StatusReport.objects.for_organization(organization).filter(project=project)
    assert _json(answer) == _json(StatusReportSerializer(reports, many=True).data)

    answer = api.get(f"{url}/gates/").json()["results"]
    gates = StageGate.objects.for_organization(organization).filter(project=project)
    assert _json(answer) == _json(StageGateSerializer(gates, many=True).data)
    assert answer[0]["checklist"] == [{"criterion": "Business case", "passed": True}]
