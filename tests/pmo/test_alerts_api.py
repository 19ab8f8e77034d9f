"""The alerts API: alerts and their rules, webhooks and their deliveries, the inbox and the variance run."""

from __future__ import annotations

import datetime as dt
import socket
from typing import Any

import pytest
from django.utils import timezone, translation
from rest_framework.test import APIClient

from pmo import webhook_transport
from pmo.alerts.kinds import alert_kinds as SPECS
from pmo.models import (
    AlertRule,
    AlertStatus,
    AuditEvent,
    Membership,
    Notification,
    Organization,
    OrgRole,
    Run,
    RunBatch,
    Severity,
    User,
    Webhook,
    WebhookEvent,
)
from projects.models import Project
from tests.alert_kinds import AlertKind, SubjectType
from tests.conftest import api_client_for
from tests.factories import (
    AlertFactory,
    AlertRuleFactory,
    DeliveryAttemptFactory,
    NotificationFactory,
    ProjectFactory,
    ProjectMemberFactory,
    UserFactory,
    WebhookFactory,
    member,
)

pytestmark = pytest.mark.django_db

BASE = "/api/v1/orgs/acme"
PUBLIC_IP = "93.184.215.14"


def error(response: Any) -> dict[str, Any]:
    return response.json()["error"]  # type: ignore[no-any-return]


def client_with_role(organization: Organization, role: str) -> APIClient:
    return api_client_for(member(organization, role).user)


@pytest.fixture
def project(organization: Organization) -> Project:
    return ProjectFactory(organization=organization, code="PRJ-A", name="Bridge")


@pytest.fixture
def public_dns(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every host name resolves to one public address, without the network."""

    def getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> list[Any]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (PUBLIC_IP, port))]

    monkeypatch.setattr(webhook_transport.socket, "getaddrinfo", getaddrinfo)


# --- alerts: reading ------------------------------------------------------------------


def test_every_member_reads_an_alert_with_its_project_subject_and_figures(
    organization: Organization, project: Project
) -> None:
    alert = AlertFactory(project=project, subject_label="PRJ-A Bridge")
    viewer = client_with_role(organization, OrgRole.VIEWER)

    response = viewer.get(f"{BASE}/alerts/{alert.pk}/")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["rule"] == AlertKind.CPI_LOW
    assert (body["severity"], body["status"], body["revision"]) == (Severity.RED, AlertStatus.OPEN, 1)
    assert body["project"] == {"id": project.pk, "code": "PRJ-A", "name": "Bridge"}
    assert body["subject"] == {"type": SubjectType.PROJECT, "id": project.pk, "label": "PRJ-A Bridge"}
    assert body["figures"] == {"value": "0.8000", "threshold": "0.9", "ev": "4000.00", "ac": "5000.00"}
    assert (body["acknowledged_by"], body["resolved_by"], body["resolved_at"]) == (None, None, None)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_alerts_message_and_label_follow_the_requests_language(
    language: str, organization: Organization, project: Project, api: APIClient
) -> None:
    alert = AlertFactory(project=project)

    body = api.get(f"{BASE}/alerts/{alert.pk}/", HTTP_ACCEPT_LANGUAGE=language).json()

    with translation.override(language):
        assert body["message"] == alert.message
        assert body["rule_label"] == str(AlertKind.CPI_LOW.label)


def test_alerts_are_filtered_by_status_repeated_or_as_a_comma_list(project: Project, api: APIClient) -> None:
    opened = AlertFactory(project=project, status=AlertStatus.OPEN)
    acknowledged = AlertFactory(project=project, status=AlertStatus.ACKNOWLEDGED, subject_id=1002)
    resolved = AlertFactory(project=project, status=AlertStatus.RESOLVED, subject_id=1003)

    def ids(query: str) -> set[int]:
        response = api.get(f"{BASE}/alerts/?{query}")
        assert response.status_code == 200, response.json()
        return {row["id"] for row in response.json()["results"]}

    assert ids("") == {opened.pk, acknowledged.pk, resolved.pk}
    assert ids("status=open") == {opened.pk}
    assert ids("status=open&status=acknowledged") == {opened.pk, acknowledged.pk}
    assert ids("status=open,acknowledged") == {opened.pk, acknowledged.pk}


def test_an_unknown_status_filter_is_refused(api: APIClient, organization: Organization) -> None:
    response = api.get(f"{BASE}/alerts/?status=open,closed")

    assert response.status_code == 400
    assert error(response)["code"] == "invalid"
    assert "status" in error(response)["fields"]


def test_alerts_are_filtered_by_severity_rule_project_and_subject_type(
    organization: Organization, project: Project, api: APIClient
) -> None:
    other_project = ProjectFactory(organization=organization)
    spi_rule = AlertRuleFactory(organization=organization, kind=AlertKind.SPI_LOW)
    slip_rule = AlertRuleFactory(organization=organization, kind=AlertKind.TASK_SLIPPED)
    red_cpi = AlertFactory(project=project, severity=Severity.RED)
    amber_spi = AlertFactory(project=project, rule=spi_rule, severity=Severity.AMBER)
    task_slip = AlertFactory(
        project=other_project, rule=slip_rule, severity=Severity.AMBER, subject_type=SubjectType.TASK, subject_id=1009
    )

    def ids(query: str) -> set[int]:
        return {row["id"] for row in api.get(f"{BASE}/alerts/?{query}").json()["results"]}

    assert ids("severity=red") == {red_cpi.pk}
    assert ids("rule=spi_low") == {amber_spi.pk}
    assert ids(f"project={project.pk}") == {red_cpi.pk, amber_spi.pk}
    assert ids("subject_type=task") == {task_slip.pk}
    assert ids("severity=amber&subject_type=project") == {amber_spi.pk}


def test_alerts_list_the_most_recently_seen_first_and_order_by_severity(project: Project, api: APIClient) -> None:
    now = timezone.now()
    older_red = AlertFactory(project=project, severity=Severity.RED, last_seen_at=now - dt.timedelta(days=2))
    newer_amber = AlertFactory(project=project, severity=Severity.AMBER, subject_id=1002, last_seen_at=now)

    def order(query: str) -> list[int]:
        return [row["id"] for row in api.get(f"{BASE}/alerts/{query}").json()["results"]]

    assert order("") == [newer_amber.pk, older_red.pk]
    assert order("?ordering=last_seen_at") == [older_red.pk, newer_amber.pk]
    assert order("?ordering=-severity") == [older_red.pk, newer_amber.pk]


@pytest.mark.parametrize("size", [2, 12])
def test_the_alert_list_runs_a_fixed_number_of_queries(
    size: int, organization: Organization, api: APIClient, django_assert_num_queries: Any
) -> None:
    acknowledger, resolver = UserFactory(), UserFactory()
    for index in range(size):
        AlertFactory(
            project=ProjectFactory(organization=organization),
            status=AlertStatus.RESOLVED,
            acknowledged_by=acknowledger,
            acknowledged_at=timezone.now(),
            resolved_by=resolver,
            resolved_at=timezone.now(),
            subject_id=index + 1,
        )

    # The membership, the count, the page (with the projects and the people joined).
    with django_assert_num_queries(3):
        response = api.get(f"{BASE}/alerts/")

    assert response.status_code == 200
    assert len(response.json()["results"]) == size


# --- alerts: acknowledging and resolving ----------------------------------------------


def test_a_viewer_reads_alerts_but_cannot_acknowledge_or_resolve_them(
    organization: Organization, project: Project
) -> None:
    alert = AlertFactory(project=project)
    viewer = client_with_role(organization, OrgRole.VIEWER)

    assert viewer.get(f"{BASE}/alerts/").status_code == 200
    assert viewer.post(f"{BASE}/alerts/{alert.pk}/acknowledge/").status_code == 403
    assert viewer.post(f"{BASE}/alerts/{alert.pk}/resolve/").status_code == 403
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


def test_a_project_manager_acknowledges_an_alert_on_their_project(organization: Organization, project: Project) -> None:
    manager = member(organization, OrgRole.PROJECT_MANAGER, username="pm").user
    ProjectMemberFactory(project=project, user=manager, role="manager")
    alert = AlertFactory(project=project)

    response = api_client_for(manager).post(f"{BASE}/alerts/{alert.pk}/acknowledge/")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["revision"]) == (AlertStatus.ACKNOWLEDGED, 2)
    assert body["acknowledged_by"]["username"] == "pm"
    assert body["acknowledged_at"] is not None
    assert AuditEvent.objects.for_organization(organization).filter(action="alert.acknowledged").count() == 1


def test_a_project_manager_cannot_act_on_another_projects_alert(organization: Organization, project: Project) -> None:
    manager = member(organization, OrgRole.PROJECT_MANAGER).user
    ProjectMemberFactory(project=project, user=manager, role="manager")
    elsewhere = AlertFactory(project=ProjectFactory(organization=organization))
    client = api_client_for(manager)

    assert client.post(f"{BASE}/alerts/{elsewhere.pk}/acknowledge/").status_code == 403
    assert client.post(f"{BASE}/alerts/{elsewhere.pk}/resolve/").status_code == 403
    elsewhere.refresh_from_db()
    assert elsewhere.status == AlertStatus.OPEN


def test_a_plain_project_member_cannot_acknowledge_their_projects_alert(
    organization: Organization, project: Project
) -> None:
    person = member(organization, OrgRole.MEMBER).user
    ProjectMemberFactory(project=project, user=person, role="member")
    alert = AlertFactory(project=project)

    assert api_client_for(person).post(f"{BASE}/alerts/{alert.pk}/acknowledge/").status_code == 403


def test_finance_resolves_an_alert_by_hand(organization: Organization, project: Project) -> None:
    finance = member(organization, OrgRole.FINANCE, username="fin").user
    alert = AlertFactory(project=project, status=AlertStatus.ACKNOWLEDGED)

    response = api_client_for(finance).post(f"{BASE}/alerts/{alert.pk}/resolve/")

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == AlertStatus.RESOLVED
    assert response.json()["resolved_by"]["username"] == "fin"


def test_only_an_open_alert_can_be_acknowledged(project: Project, api: APIClient) -> None:
    alert = AlertFactory(project=project, status=AlertStatus.ACKNOWLEDGED)

    response = api.post(f"{BASE}/alerts/{alert.pk}/acknowledge/")

    assert response.status_code == 400
    assert error(response)["code"] == "alert_not_open"


def test_a_resolved_alert_cannot_be_resolved_again(project: Project, api: APIClient) -> None:
    alert = AlertFactory(project=project)
    assert api.post(f"{BASE}/alerts/{alert.pk}/resolve/").status_code == 200

    response = api.post(f"{BASE}/alerts/{alert.pk}/resolve/")

    assert response.status_code == 400
    assert error(response)["code"] == "alert_resolved"
    alert.refresh_from_db()
    assert alert.revision == 2


def test_another_organisations_alert_is_not_found(api: APIClient, other_organization: Organization) -> None:
    theirs = AlertFactory(project=ProjectFactory(organization=other_organization))

    assert api.get(f"{BASE}/alerts/{theirs.pk}/").status_code == 404
    assert api.post(f"{BASE}/alerts/{theirs.pk}/acknowledge/").status_code == 404


# --- rules ----------------------------------------------------------------------------


def test_a_new_organisation_sees_every_rule_with_its_defaults(organization: Organization) -> None:
    viewer = client_with_role(organization, OrgRole.VIEWER)

    response = viewer.get(f"{BASE}/alert-rules/")

    assert response.status_code == 200, response.json()
    rules = {rule["kind"]: rule for rule in response.json()}
    assert set(rules) == set(AlertKind.values)
    spi = rules[AlertKind.SPI_LOW]
    assert (spi["threshold"], spi["red_threshold"]) == ("0.9500", "0.9000")
    assert (spi["direction"], spi["unit"], spi["severity"], spi["enabled"]) == ("below", "ratio", "amber", True)
    assert spi["notify_org_roles"] == ["admin", "pmo"]
    assert spi["notify_project_roles"] == ["manager"]
    assert spi["explanation"] == str(SPECS[AlertKind.SPI_LOW].explanation)
    assert rules[AlertKind.VAC_NEGATIVE]["red_threshold"] is None


def test_the_rule_list_runs_a_fixed_number_of_queries(
    organization: Organization, api: APIClient, django_assert_num_queries: Any
) -> None:
    assert api.get(f"{BASE}/alert-rules/").status_code == 200
    AlertRule.objects.for_organization(organization).update(updated_by=UserFactory())

    # The membership, the rules (all there already), the rules with who changed them.
    with django_assert_num_queries(3):
        response = api.get(f"{BASE}/alert-rules/")

    assert len(response.json()) == len(AlertKind.values)


def test_the_pmo_changes_a_rules_thresholds_and_recipients(organization: Organization) -> None:
    pmo = member(organization, OrgRole.PMO, username="pmo").user
    rule = AlertRuleFactory(organization=organization, kind=AlertKind.CPI_LOW)

    response = api_client_for(pmo).patch(
        f"{BASE}/alert-rules/{rule.pk}/",
        {"threshold": "0.97", "red_threshold": "0.85", "notify_org_roles": ["finance"], "enabled": False},
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["threshold"], body["red_threshold"], body["enabled"]) == ("0.9700", "0.8500", False)
    assert body["notify_org_roles"] == ["finance"]
    assert body["updated_by"]["username"] == "pmo"
    assert AuditEvent.objects.for_organization(organization).filter(action="alert_rule.updated").exists()


def test_replacing_a_rule_needs_every_field(organization: Organization, api: APIClient) -> None:
    rule = AlertRuleFactory(organization=organization, kind=AlertKind.TASK_SLIPPED)
    full = {
        "enabled": True,
        "severity": "red",
        "threshold": "3",
        "red_threshold": None,
        "notify_org_roles": [],
        "notify_project_roles": ["coordinator", "manager"],
    }

    partial = api.put(f"{BASE}/alert-rules/{rule.pk}/", {"threshold": "3"})
    response = api.put(f"{BASE}/alert-rules/{rule.pk}/", full)

    assert partial.status_code == 400
    assert "enabled" in error(partial)["fields"]
    assert response.status_code == 200, response.json()
    assert (response.json()["severity"], response.json()["red_threshold"]) == ("red", None)


def test_a_red_threshold_the_wrong_way_round_is_refused(organization: Organization, api: APIClient) -> None:
    rule = AlertRuleFactory(organization=organization, kind=AlertKind.SPI_LOW)

    response = api.patch(f"{BASE}/alert-rules/{rule.pk}/", {"red_threshold": "0.99"})

    assert response.status_code == 400
    assert "red_threshold" in error(response)["fields"]
    rule.refresh_from_db()
    assert str(rule.red_threshold) == "0.9000"


def test_unknown_roles_in_a_rule_are_refused(organization: Organization, api: APIClient) -> None:
    rule = AlertRuleFactory(organization=organization)

    response = api.patch(f"{BASE}/alert-rules/{rule.pk}/", {"notify_project_roles": ["sponsor"]})

    assert response.status_code == 400
    assert "notify_project_roles" in error(response)["fields"]


@pytest.mark.parametrize("role", [OrgRole.FINANCE, OrgRole.PROJECT_MANAGER, OrgRole.VIEWER])
def test_only_the_pmo_office_changes_rules(role: str, organization: Organization) -> None:
    rule = AlertRuleFactory(organization=organization)

    response = client_with_role(organization, role).patch(f"{BASE}/alert-rules/{rule.pk}/", {"enabled": False})

    assert response.status_code == 403
    rule.refresh_from_db()
    assert rule.enabled is True


def test_rules_are_neither_created_nor_deleted(organization: Organization, api: APIClient) -> None:
    rule = AlertRuleFactory(organization=organization)

    assert api.post(f"{BASE}/alert-rules/", {"kind": "spi_low"}).status_code == 405
    assert api.delete(f"{BASE}/alert-rules/{rule.pk}/").status_code == 405


# --- webhooks -------------------------------------------------------------------------


@pytest.mark.usefixtures("public_dns")
def test_a_new_webhooks_secret_is_shown_once(organization: Organization, api: APIClient) -> None:
    response = api.post(
        f"{BASE}/webhooks/",
        {"name": "Ops", "url": "https://hooks.example.com/pmo", "events": ["alert.opened", "alert.resolved"]},
    )

    assert response.status_code == 201, response.json()
    created = response.json()
    webhook = Webhook.objects.for_organization(organization).get()
    assert created["secret"] == webhook.secret
    assert len(created["secret"]) == 64
    assert created["events"] == ["alert.opened", "alert.resolved"]
    assert created["created_by"]["username"] == "ada"
    listed = api.get(f"{BASE}/webhooks/").json()["results"]
    shown = api.get(f"{BASE}/webhooks/{webhook.pk}/").json()
    assert [row["id"] for row in listed] == [webhook.pk]
    assert "secret" not in listed[0]
    assert "secret" not in shown
    assert webhook.secret not in str(listed) + str(shown)


def test_a_webhook_to_a_private_address_is_refused(settings: Any, organization: Organization, api: APIClient) -> None:
    settings.PMO_WEBHOOK_ALLOW_PRIVATE = False

    response = api.post(f"{BASE}/webhooks/", {"name": "Local", "url": "http://127.0.0.1/", "events": ["alert.opened"]})

    assert response.status_code == 400
    assert error(response)["code"] == "webhook_url_unsafe"
    assert "url" in error(response)["fields"]
    assert not Webhook.objects.for_organization(organization).exists()


def test_a_webhook_needs_known_events(api: APIClient) -> None:
    response = api.post(f"{BASE}/webhooks/", {"name": "Ops", "url": f"https://{PUBLIC_IP}/hook", "events": ["x"]})

    assert response.status_code == 400
    assert "events" in error(response)["fields"]


def test_a_webhook_literal_public_address_needs_no_lookup(organization: Organization, api: APIClient) -> None:
    response = api.post(
        f"{BASE}/webhooks/", {"name": "Ops", "url": f"https://{PUBLIC_IP}/hook", "events": ["alert.opened"]}
    )

    assert response.status_code == 201, response.json()


@pytest.mark.usefixtures("public_dns")
def test_rotating_a_secret_shows_the_new_one_once(organization: Organization, api: APIClient) -> None:
    webhook = WebhookFactory(organization=organization)
    old = webhook.secret

    response = api.post(f"{BASE}/webhooks/{webhook.pk}/rotate-secret/")

    assert response.status_code == 200, response.json()
    webhook.refresh_from_db()
    assert webhook.secret != old
    assert response.json()["secret"] == webhook.secret
    assert "secret" not in api.get(f"{BASE}/webhooks/{webhook.pk}/").json()


@pytest.mark.usefixtures("public_dns")
def test_an_admin_changes_and_removes_a_webhook(organization: Organization, api: APIClient) -> None:
    webhook = WebhookFactory(organization=organization, name="Ops")

    changed = api.patch(f"{BASE}/webhooks/{webhook.pk}/", {"events": ["alert.escalated"], "is_active": False})
    removed = api.delete(f"{BASE}/webhooks/{webhook.pk}/")

    assert changed.status_code == 200, changed.json()
    assert (changed.json()["events"], changed.json()["is_active"]) == (["alert.escalated"], False)
    assert "secret" not in changed.json()
    assert removed.status_code == 204
    assert not Webhook.objects.for_organization(organization).exists()


@pytest.mark.usefixtures("public_dns")
def test_two_webhooks_cannot_share_a_name(organization: Organization, api: APIClient) -> None:
    WebhookFactory(organization=organization, name="Ops")

    response = api.post(f"{BASE}/webhooks/", {"name": "Ops", "url": "https://a.example/", "events": ["alert.opened"]})

    assert response.status_code == 400
    assert "name" in error(response)["fields"]


@pytest.mark.parametrize("role", [OrgRole.PMO, OrgRole.FINANCE, OrgRole.VIEWER])
def test_only_administrators_see_webhooks(role: str, organization: Organization) -> None:
    webhook = WebhookFactory(organization=organization)
    client = client_with_role(organization, role)

    assert client.get(f"{BASE}/webhooks/").status_code == 403
    assert client.get(f"{BASE}/webhooks/{webhook.pk}/").status_code == 403
    assert client.post(f"{BASE}/webhooks/{webhook.pk}/rotate-secret/").status_code == 403
    assert client.get(f"{BASE}/webhooks/{webhook.pk}/deliveries/").status_code == 403


def test_a_webhooks_deliveries_list_newest_first_with_their_message_key(
    organization: Organization, api: APIClient
) -> None:
    webhook = WebhookFactory(organization=organization)
    now = timezone.now()
    first = DeliveryAttemptFactory(
        message__webhook=webhook, status_code=None, error="timed out", created_at=now - dt.timedelta(minutes=5)
    )
    retry = DeliveryAttemptFactory(message=first.message, attempt=2, status_code=204, duration_ms=120, created_at=now)
    DeliveryAttemptFactory(message__webhook=WebhookFactory(organization=organization))

    response = api.get(f"{BASE}/webhooks/{webhook.pk}/deliveries/")

    assert response.status_code == 200, response.json()
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [retry.pk, first.pk]
    assert (rows[0]["ok"], rows[0]["status_code"], rows[0]["attempt"], rows[0]["duration_ms"]) == (True, 204, 2, 120)
    assert (rows[1]["ok"], rows[1]["status_code"], rows[1]["error"]) == (False, None, "timed out")
    assert rows[0]["message_key"] == rows[1]["message_key"] == first.message.key


def test_an_attempt_whose_relay_stopped_before_the_outcome_is_listed_as_started(
    organization: Organization, api: APIClient
) -> None:
    webhook = WebhookFactory(organization=organization)
    DeliveryAttemptFactory(message__webhook=webhook, status_code=None, outcome="started", finished_at=None)

    [row] = api.get(f"{BASE}/webhooks/{webhook.pk}/deliveries/").json()["results"]

    assert (row["outcome"], row["ok"], row["status_code"], row["finished_at"]) == ("started", False, None, None)


@pytest.mark.parametrize("size", [2, 12])
def test_the_delivery_list_runs_a_fixed_number_of_queries(
    size: int, organization: Organization, api: APIClient, django_assert_num_queries: Any
) -> None:
    webhook = WebhookFactory(organization=organization)
    DeliveryAttemptFactory.create_batch(size, message__webhook=webhook)

    # The membership, the webhook, the count, the page.
    with django_assert_num_queries(4):
        response = api.get(f"{BASE}/webhooks/{webhook.pk}/deliveries/")

    assert len(response.json()["results"]) == size


# --- the inbox ------------------------------------------------------------------------


@pytest.fixture
def me(organization: Organization) -> User:
    return member(organization, OrgRole.PROJECT_MANAGER, username="me").user


def test_my_notifications_list_only_mine_newest_first(organization: Organization, project: Project, me: User) -> None:
    alert = AlertFactory(project=project, subject_label="PRJ-A Bridge")
    older = NotificationFactory(alert=alert, user=me, created_at=timezone.now() - dt.timedelta(hours=1))
    newer = NotificationFactory(alert=alert, user=me, event=WebhookEvent.ALERT_ESCALATED)
    NotificationFactory(alert=alert, user=member(organization, OrgRole.PMO).user)

    response = api_client_for(me).get(f"{BASE}/notifications/")

    assert response.status_code == 200, response.json()
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [newer.pk, older.pk]
    assert rows[0]["event"] == "alert.escalated"
    assert rows[0]["read_at"] is None
    summary = rows[0]["alert"]
    assert (summary["id"], summary["severity"], summary["status"]) == (alert.pk, "red", "open")
    assert summary["project"] == {"id": project.pk, "code": "PRJ-A", "name": "Bridge"}
    assert summary["subject_label"] == "PRJ-A Bridge"
    assert summary["message"]


def test_the_unread_filter_and_count_leave_out_read_and_other_peoples_notifications(
    organization: Organization, me: User
) -> None:
    unread = NotificationFactory(alert__project__organization=organization, user=me)
    NotificationFactory(alert__project__organization=organization, user=me, read_at=timezone.now())
    NotificationFactory(alert__project__organization=organization, user=member(organization, OrgRole.PMO).user)
    client = api_client_for(me)

    listed = client.get(f"{BASE}/notifications/?unread=true").json()["results"]
    count = client.get(f"{BASE}/notifications/unread-count/")

    assert [row["id"] for row in listed] == [unread.pk]
    assert count.status_code == 200
    assert count.json() == {"count": 1}


def test_marking_read_without_ids_marks_all_my_unread_notifications(organization: Organization, me: User) -> None:
    mine = NotificationFactory.create_batch(3, alert__project__organization=organization, user=me)
    theirs = NotificationFactory(alert__project__organization=organization, user=member(organization).user)
    client = api_client_for(me)

    response = client.post(f"{BASE}/notifications/mark-read/")

    assert response.status_code == 200, response.json()
    assert response.json() == {"marked": 3}
    assert all(Notification.objects.for_organization(organization).get(pk=n.pk).read_at for n in mine)
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client.get(f"{BASE}/notifications/unread-count/").json() == {"count": 0}


def test_marking_read_by_id_marks_only_those(organization: Organization, me: User) -> None:
    first, second = NotificationFactory.create_batch(2, alert__project__organization=organization, user=me)

    response = api_client_for(me).post(f"{BASE}/notifications/mark-read/", {"ids": [first.pk]})

    assert response.json() == {"marked": 1}
    second.refresh_from_db()
    assert second.read_at is None


def test_another_persons_notification_is_not_found(organization: Organization, me: User) -> None:
    mine = NotificationFactory(alert__project__organization=organization, user=me)
    theirs = NotificationFactory(alert__project__organization=organization, user=member(organization).user)

    response = api_client_for(me).post(f"{BASE}/notifications/mark-read/", {"ids": [mine.pk, theirs.pk]})

    assert response.status_code == 404
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.read_at, theirs.read_at) == (None, None)


@pytest.mark.parametrize("size", [2, 12])
def test_the_inbox_runs_a_fixed_number_of_queries(
    size: int, organization: Organization, me: User, django_assert_num_queries: Any
) -> None:
    for _ in range(size):
        NotificationFactory(alert__project=ProjectFactory(organization=organization), user=me)
    client = api_client_for(me)

    # The membership, the count, the page with the alerts and their projects joined.
    with django_assert_num_queries(3):
        listed = client.get(f"{BASE}/notifications/")
    # The membership, the count.
    with django_assert_num_queries(2):
        count = client.get(f"{BASE}/notifications/unread-count/")

    assert len(listed.json()["results"]) == size
    assert count.json() == {"count": size}


# --- the variance run -----------------------------------------------------------------


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The batch tasks sent to the broker, and what their batches say (nothing runs)."""
    from pmo.tasks import run_batch

    calls: list[dict[str, Any]] = []

    def apply_async(args: Any = None, kwargs: dict[str, Any] | None = None, **options: Any) -> None:
        assert kwargs is not None
        batch = RunBatch.objects.unscoped().get(pk=kwargs["batch_id"])
        calls.append(
            {"organization_id": kwargs["organization_id"], "key": batch.key, "as_of": batch.payload.get("as_of")}
        )

    monkeypatch.setattr(run_batch, "apply_async", apply_async)
    return calls


def test_the_pmo_queues_a_variance_run_for_a_date_once_the_request_commits(
    organization: Organization, queued: list[dict[str, Any]], django_capture_on_commit_callbacks: Any
) -> None:
    pmo = client_with_role(organization, OrgRole.PMO)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = pmo.post(f"{BASE}/variance-run/", {"as_of": "2026-03-09"})
    assert queued == []
    for callback in callbacks:
        callback()

    assert response.status_code == 202, response.json()
    assert response.json() == {"queued": True, "as_of": "2026-03-09"}
    assert sorted(queued, key=lambda call: call["key"]) == [
        {"organization_id": organization.pk, "key": "closed-projects", "as_of": "2026-03-09"},
        {"organization_id": organization.pk, "key": "organisation", "as_of": None},  # maintenance's alerts
    ]
    pmo_user = Membership.objects.for_organization(organization).get(role=OrgRole.PMO).user
    assert sorted(Run.objects.values_list("kind", "organization", "started_by")) == [
        ("finance.variance", organization.pk, pmo_user.pk),
        ("maintenance.alerts", organization.pk, pmo_user.pk),
    ]


def test_a_variance_run_without_a_date_runs_for_today_in_the_organisation(
    organization: Organization, api: APIClient, queued: list[dict[str, Any]], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"{BASE}/variance-run/")

    today = organization.today().isoformat()
    assert response.json() == {"queued": True, "as_of": today}
    assert sorted(queued, key=lambda call: call["key"]) == [
        {"organization_id": organization.pk, "key": "closed-projects", "as_of": today},
        {"organization_id": organization.pk, "key": "organisation", "as_of": None},
    ]


def test_a_variance_run_with_a_bad_date_is_refused_and_nothing_is_queued(
    api: APIClient, queued: list[dict[str, Any]], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api.post(f"{BASE}/variance-run/", {"as_of": "2026-02-30"})

    assert response.status_code == 400
    assert "as_of" in error(response)["fields"]
    assert (callbacks, queued) == ([], [])


@pytest.mark.parametrize("role", [OrgRole.FINANCE, OrgRole.PROJECT_MANAGER])
def test_only_the_pmo_office_runs_the_variance_check(
    role: str, organization: Organization, queued: list[dict[str, Any]]
) -> None:
    response = client_with_role(organization, role).post(f"{BASE}/variance-run/")

    assert response.status_code == 403
    assert queued == []
