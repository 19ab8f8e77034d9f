"""The alert pages: the list, one alert, the inbox with the bell, the rules and the webhooks."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pmo.alerts.services import alert_rules_ensure
from pmo.models import (
    Alert,
    AlertRule,
    AlertStatus,
    AuditEvent,
    Membership,
    Notification,
    Organization,
    OrgRole,
    Severity,
    User,
    Webhook,
    WebhookEvent,
)
from projects.models import ChangeRequest, Project
from tests.alert_kinds import AlertKind, SubjectType
from tests.conftest import page_client_for
from tests.factories import (
    AlertFactory,
    AlertRuleFactory,
    ChangeRequestFactory,
    DeliveryAttemptFactory,
    NotificationFactory,
    ProjectFactory,
    ProjectMemberFactory,
    WebhookFactory,
    member,
)

pytestmark = pytest.mark.django_db

ALERTS = "/o/acme/alerts/"
INBOX = "/o/acme/alerts/inbox/"
RULES = "/o/acme/alerts/rules/"
WEBHOOKS = "/o/acme/alerts/webhooks/"

_subjects = itertools.count(1000)


def alert_url(alert: Alert) -> str:
    return f"{ALERTS}{alert.pk}/"


def make_alert(project: Project, kind: str = AlertKind.SPI_LOW, **fields: Any) -> Alert:
    """An alert on a task of ``project`` (each on its own subject, so any number can be active)."""
    rule = AlertRuleFactory(organization=project.organization, kind=kind)
    fields.setdefault("subject_type", SubjectType.TASK)
    fields.setdefault("subject_id", next(_subjects))
    fields.setdefault("subject_label", f"{project.code} · task {fields['subject_id']}")
    return AlertFactory(project=project, rule=rule, kind=kind, **fields)  # type: ignore[no-any-return]


def fresh(alert: Alert) -> Alert:
    return Alert.objects.for_organization(alert.organization_id).get(pk=alert.pk)


def client_with(organization: Organization, role: str = OrgRole.PMO) -> tuple[Client, User]:
    user = member(organization, role).user
    return page_client_for(user), user


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.fixture
def project(organization: Organization) -> Project:
    return ProjectFactory(organization=organization, code="GW-01", name="Riverside park")  # type: ignore[no-any-return]


# --- the list ---------------------------------------------------------------------------------


def test_the_list_shows_the_active_alerts_by_default_red_first(organization: Organization, project: Project) -> None:
    amber = make_alert(project, severity=Severity.AMBER)
    red_acknowledged = make_alert(project, severity=Severity.RED, status=AlertStatus.ACKNOWLEDGED)
    resolved = make_alert(project, severity=Severity.RED, status=AlertStatus.RESOLVED, resolved_at=timezone.now())
    client, _user = client_with(organization, OrgRole.VIEWER)

    response = client.get(ALERTS)

    assert response.status_code == 200
    assert [row["alert"] for row in response.context["rows"]] == [red_acknowledged, amber]
    html = response.content.decode()
    assert f'id="alert-{resolved.pk}"' not in html
    assert 'class="badge badge-red severity severity-red"' in html
    assert 'class="badge badge-amber severity severity-amber"' in html
    assert f'href="/o/acme/projects/{project.pk}/"' in html
    assert f'href="{alert_url(amber)}"' in html


def test_the_list_filters_by_status_severity_rule_and_project(organization: Organization, project: Project) -> None:
    other = ProjectFactory(organization=organization)
    spi = make_alert(project, AlertKind.SPI_LOW, severity=Severity.RED)
    cpi = make_alert(other, AlertKind.CPI_LOW, severity=Severity.AMBER)
    resolved = make_alert(project, AlertKind.CPI_LOW, status=AlertStatus.RESOLVED, resolved_at=timezone.now())
    client, _user = client_with(organization, OrgRole.MEMBER)

    def shown(query: str) -> list[Alert]:
        return [row["alert"] for row in client.get(f"{ALERTS}?{query}").context["rows"]]

    assert set(shown("status=resolved")) == {resolved}
    assert set(shown("status=all")) == {spi, cpi, resolved}
    assert shown("severity=amber") == [cpi]
    assert shown("rule=spi_low") == [spi]
    assert shown(f"project={other.pk}") == [cpi]
    assert shown(f"status=all&rule=cpi_low&project={project.pk}") == [resolved]
    # Nonsense in the query string falls back to the defaults rather than failing.
    assert set(shown("status=nonsense&project=abc")) == {spi, cpi}


def test_the_list_is_paginated_by_fifty(organization: Organization, project: Project) -> None:
    for _ in range(51):
        make_alert(project)
    client, _user = client_with(organization)

    first = client.get(ALERTS)
    second = client.get(f"{ALERTS}?page=2")

    assert len(first.context["rows"]) == 50
    assert len(second.context["rows"]) == 1
    assert 'class="pagination"' in first.content.decode()


def test_an_empty_list_says_so_and_a_filtered_one_offers_to_clear_the_filters(organization: Organization) -> None:
    client, _user = client_with(organization)

    empty = client.get(ALERTS).content.decode()
    filtered = client.get(f"{ALERTS}?severity=red").content.decode()

    assert 'class="empty-state"' in empty
    assert 'id="alert-table"' not in empty
    assert 'class="empty-state"' in filtered
    assert 'class="clear-link"' in filtered


@pytest.mark.parametrize("role", [OrgRole.FINANCE, OrgRole.PROJECT_MANAGER])
def test_the_list_costs_the_same_number_of_queries_for_three_alerts_and_for_thirty(
    organization: Organization, role: str
) -> None:
    client, user = client_with(organization, role)
    projects = [ProjectFactory(organization=organization) for _ in range(3)]
    for each in projects:
        ProjectMemberFactory(organization=organization, project=each, user=user, role="manager")
    for index in range(3):
        alert = make_alert(projects[index % 3])
        NotificationFactory(organization=organization, alert=alert, user=user)
    small = count_queries(client, ALERTS)

    for index in range(27):
        alert = make_alert(projects[index % 3], AlertKind.CPI_LOW, status=AlertStatus.ACKNOWLEDGED)
        NotificationFactory(organization=organization, alert=alert, user=user)
    large = count_queries(client, ALERTS)

    assert len(client.get(ALERTS).context["rows"]) == 30
    assert small == large


# --- acknowledging and resolving -------------------------------------------------------------


def test_a_pmo_analyst_acknowledges_then_resolves_an_alert_from_the_list(
    organization: Organization, project: Project
) -> None:
    alert = make_alert(project)
    client, user = client_with(organization, OrgRole.PMO)
    page = client.get(ALERTS).content.decode()
    assert f'action="{alert_url(alert)}"' in page
    assert 'value="acknowledge"' in page

    acknowledged = client.post(alert_url(alert), {"op": "acknowledge", "next": f"{ALERTS}?severity=red"})

    assert acknowledged.status_code == 302
    assert acknowledged["Location"] == f"{ALERTS}?severity=red"
    alert = fresh(alert)
    assert (alert.status, alert.acknowledged_by) == (AlertStatus.ACKNOWLEDGED, user)

    resolved = client.post(alert_url(alert), {"op": "resolve", "next": ALERTS})

    assert resolved.status_code == 302
    alert = fresh(alert)
    assert (alert.status, alert.resolved_by) == (AlertStatus.RESOLVED, user)
    assert set(AuditEvent.objects.for_organization(organization).values_list("action", flat=True)) >= {
        "alert.acknowledged",
        "alert.resolved",
    }
    after = client.get(ALERTS)
    assert after.context["rows"] == []
    assert 'class="message message-success"' in after.content.decode()


def test_a_link_elsewhere_in_next_is_ignored(organization: Organization, project: Project) -> None:
    alert = make_alert(project)
    client, _user = client_with(organization, OrgRole.ADMIN)

    response = client.post(alert_url(alert), {"op": "acknowledge", "next": "https://evil.example/"})

    assert response["Location"] == alert_url(alert)


def test_a_member_sees_no_buttons_and_is_refused_when_posting(organization: Organization, project: Project) -> None:
    alert = make_alert(project)
    client, _user = client_with(organization, OrgRole.MEMBER)

    page = client.get(ALERTS)
    detail = client.get(alert_url(alert))

    assert [row["may_manage"] for row in page.context["rows"]] == [False]
    assert 'value="acknowledge"' not in page.content.decode()
    assert not detail.context["may_manage"]
    assert 'value="resolve"' not in detail.content.decode()
    assert client.post(alert_url(alert), {"op": "resolve"}).status_code == 403
    assert fresh(alert).status == AlertStatus.OPEN


def test_a_project_manager_manages_the_alerts_of_their_own_projects_only(organization: Organization) -> None:
    client, user = client_with(organization, OrgRole.PROJECT_MANAGER)
    mine = ProjectFactory(organization=organization)
    coordinated = ProjectFactory(organization=organization)
    theirs = ProjectFactory(organization=organization)
    ProjectMemberFactory(organization=organization, project=mine, user=user, role="manager")
    ProjectMemberFactory(organization=organization, project=coordinated, user=user, role="member")
    on_mine, on_coordinated, on_theirs = make_alert(mine), make_alert(coordinated), make_alert(theirs)

    rows = {row["alert"]: row["may_manage"] for row in client.get(ALERTS).context["rows"]}

    assert rows == {on_mine: True, on_coordinated: False, on_theirs: False}
    assert client.post(alert_url(on_mine), {"op": "acknowledge"}).status_code == 302
    assert client.post(alert_url(on_coordinated), {"op": "acknowledge"}).status_code == 403
    assert client.post(alert_url(on_theirs), {"op": "acknowledge"}).status_code == 403
    assert [fresh(alert).status for alert in (on_mine, on_coordinated, on_theirs)] == [
        AlertStatus.ACKNOWLEDGED,
        AlertStatus.OPEN,
        AlertStatus.OPEN,
    ]


def test_acknowledging_a_resolved_alert_is_refused_with_a_message(organization: Organization, project: Project) -> None:
    alert = make_alert(project, status=AlertStatus.RESOLVED, resolved_at=timezone.now())
    client, _user = client_with(organization, OrgRole.ADMIN)

    response = client.post(alert_url(alert), {"op": "acknowledge"}, follow=True)

    assert 'class="message message-error"' in response.content.decode()
    assert fresh(alert).acknowledged_at is None


def test_an_unknown_operation_is_a_bad_request(organization: Organization, project: Project) -> None:
    alert = make_alert(project)
    client, _user = client_with(organization, OrgRole.ADMIN)

    assert client.post(alert_url(alert), {"op": "snooze"}).status_code == 400
    assert fresh(alert).status == AlertStatus.OPEN


# --- one alert ------------------------------------------------------------------------------


def test_the_alert_page_shows_its_message_figures_timeline_and_project(
    organization: Organization, project: Project
) -> None:
    someone = member(organization, OrgRole.PMO).user
    alert = make_alert(
        project,
        figures={"value": "0.8000", "threshold": "0.9", "pv": "5000.00", "ev": "4000.00"},
        status=AlertStatus.ACKNOWLEDGED,
        acknowledged_at=timezone.now(),
        acknowledged_by=someone,
    )
    client, _user = client_with(organization, OrgRole.VIEWER)

    response = client.get(alert_url(alert))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="alert-message"' in html
    assert "0.8000" in html
    figures = re.search(r'<table class="compact figures" id="alert-figures">(.*?)</table>', html, re.S)
    assert figures is not None
    assert figures.group(1).count("<tr>") == 4
    assert 'class="event-first-seen"' in html
    assert 'class="event-acknowledged"' in html
    assert str(someone) in html
    assert 'class="event-resolved"' not in html
    assert f'id="alert-project" href="/o/acme/projects/{project.pk}/"' in html or (
        f'href="/o/acme/projects/{project.pk}/" id="alert-project"' in html
    )


def test_an_alert_resolved_when_its_condition_cleared_says_so_with_nobody_named(
    organization: Organization, project: Project
) -> None:
    alert = make_alert(project, status=AlertStatus.RESOLVED, resolved_at=timezone.now(), resolved_by=None)
    client, _user = client_with(organization, OrgRole.ADMIN)

    response = client.get(alert_url(alert))

    html = response.content.decode()
    assert 'class="event-resolved"' in html
    assert 'value="resolve"' not in html


# --- the inbox and the bell -----------------------------------------------------------------


def bell_count(response: Any) -> int | None:
    """The number on the bell, or None when the bell shows no number."""
    match = re.search(r'id="alert-bell-count"[^>]*>([^<]+)<', response.content.decode())
    return int(match.group(1)) if match else None


def test_the_inbox_lists_my_notifications_in_this_organisation_unread_first(
    organization: Organization, other_organization: Organization, project: Project
) -> None:
    client, user = client_with(organization, OrgRole.MEMBER)
    now = timezone.now()
    read = NotificationFactory(
        organization=organization, alert=make_alert(project), user=user, created_at=now, read_at=now
    )
    older_unread = NotificationFactory(
        organization=organization, alert=make_alert(project), user=user, created_at=now - dt.timedelta(days=2)
    )
    someone_elses = NotificationFactory(organization=organization, alert=make_alert(project))
    elsewhere_project = ProjectFactory(organization=other_organization)
    Membership.objects.create(organization=other_organization, user=user, role=OrgRole.MEMBER)
    elsewhere = NotificationFactory(organization=other_organization, alert=make_alert(elsewhere_project), user=user)

    response = client.get(INBOX)

    assert list(response.context["page"].object_list) == [older_unread, read]
    html = response.content.decode()
    assert f'class="inbox-item unread" id="notification-{older_unread.pk}"' in html
    assert f'class="inbox-item" id="notification-{read.pk}"' in html
    assert f'id="notification-{someone_elses.pk}"' not in html
    assert f'id="notification-{elsewhere.pk}"' not in html
    assert bell_count(response) == 1


def test_opening_a_notification_marks_it_read_goes_to_its_alert_and_lowers_the_bell(
    organization: Organization, project: Project
) -> None:
    client, user = client_with(organization, OrgRole.MEMBER)
    first, second = make_alert(project), make_alert(project)
    opened = NotificationFactory(organization=organization, alert=first, user=user)
    NotificationFactory(organization=organization, alert=second, user=user)
    before = client.get(INBOX)
    assert before.context["alert_bell"].unread == 2
    assert bell_count(before) == 2

    response = client.post(INBOX, {"op": "open", "id": opened.pk})

    assert response.status_code == 302
    assert response["Location"] == alert_url(first)
    opened.refresh_from_db()
    assert opened.read_at is not None
    after = client.get(ALERTS)
    assert after.context["alert_bell"].unread == 1
    assert bell_count(after) == 1


def test_someone_elses_notification_cannot_be_opened_or_marked(organization: Organization, project: Project) -> None:
    client, _user = client_with(organization, OrgRole.ADMIN)
    theirs = NotificationFactory(organization=organization, alert=make_alert(project))

    response = client.post(INBOX, {"op": "open", "id": theirs.pk})

    assert response.status_code == 302
    assert response["Location"] == INBOX
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_empties_the_bell(organization: Organization, project: Project) -> None:
    client, user = client_with(organization, OrgRole.MEMBER)
    for _ in range(3):
        NotificationFactory(organization=organization, alert=make_alert(project), user=user)

    response = client.post(INBOX, {"op": "read_all"}, follow=True)

    assert response.status_code == 200
    assert not Notification.objects.for_organization(organization).filter(user=user, read_at__isnull=True).exists()
    assert bell_count(response) is None
    html = response.content.decode()
    assert 'id="alert-bell"' in html
    assert 'id="mark-all-read"' not in html
    assert "inbox-item unread" not in html


def test_an_empty_inbox_says_so(organization: Organization) -> None:
    client, _user = client_with(organization, OrgRole.VIEWER)

    html = client.get(INBOX).content.decode()

    assert 'class="empty-state"' in html
    assert 'id="inbox"' not in html


def test_the_inbox_is_paginated(organization: Organization, project: Project) -> None:
    client, user = client_with(organization, OrgRole.MEMBER)
    for _ in range(26):
        NotificationFactory(organization=organization, alert=make_alert(project), user=user)

    first = client.get(INBOX)
    second = client.get(f"{INBOX}?page=2")

    assert len(first.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == 1


def test_the_alert_email_preference_is_saved_from_the_inbox(organization: Organization) -> None:
    client, user = client_with(organization, OrgRole.MEMBER)
    assert 'name="alert_email"' in client.get(INBOX).content.decode()

    saved = client.post(INBOX, {"op": "email", "alert_email": User.AlertEmail.DIGEST})
    refused = client.post(INBOX, {"op": "email", "alert_email": "hourly"})

    assert saved.status_code == 302
    assert refused.status_code == 400
    assert refused.context["email_form"].errors["alert_email"]
    user.refresh_from_db()
    assert user.alert_email == User.AlertEmail.DIGEST


def test_the_bell_costs_one_query_on_organisation_pages_and_none_elsewhere(
    organization: Organization, project: Project
) -> None:
    client, user = client_with(organization, OrgRole.MEMBER)
    NotificationFactory(organization=organization, alert=make_alert(project), user=user)

    def notification_queries(url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return sum("pmo_notification" in query["sql"] for query in queries.captured_queries)

    assert notification_queries("/o/acme/") == 1
    assert notification_queries("/o/acme/members/") == 1
    assert notification_queries("/accounts/tokens/") == 0
    home = client.get("/o/acme/").content.decode()
    assert 'id="alert-bell"' in home
    assert f'href="{INBOX}"' in home
    assert 'href="/o/acme/alerts/"' in home
    assert 'id="alert-bell"' not in client.get("/accounts/tokens/").content.decode()
    assert 'id="alert-bell"' not in Client().get("/accounts/login/").content.decode()


def test_the_bell_counts_only_this_organisation(
    organization: Organization, other_organization: Organization, project: Project
) -> None:
    client, user = client_with(organization, OrgRole.MEMBER)
    Membership.objects.create(organization=other_organization, user=user, role=OrgRole.MEMBER)
    NotificationFactory(organization=organization, alert=make_alert(project), user=user)
    elsewhere = ProjectFactory(organization=other_organization)
    for _ in range(2):
        NotificationFactory(organization=other_organization, alert=make_alert(elsewhere), user=user)

    assert bell_count(client.get("/o/acme/")) == 1
    assert bell_count(client.get("/o/rival/")) == 2


# --- the rules ------------------------------------------------------------------------------


def test_everyone_reads_every_rule_with_what_it_measures_but_only_the_pmo_office_edits(
    organization: Organization,
) -> None:
    reader, _user = client_with(organization, OrgRole.MEMBER)
    editor, _editor = client_with(organization, OrgRole.PMO)

    read = reader.get(RULES)
    edit = editor.get(RULES)

    assert read.status_code == edit.status_code == 200
    assert [row.rule.kind for row in read.context["rules"]] == list(AlertKind.values)
    html = read.content.decode()
    assert html.count('class="help rule-explanation"') == len(AlertKind.values)
    assert html.count('class="help rule-unit"') == len(AlertKind.values)
    assert 'id="run-variance"' not in html
    assert "/o/acme/alerts/rules/" + str(read.context["rules"][0].rule.pk) + "/" not in html
    editable = edit.content.decode()
    assert 'id="run-variance"' in editable
    assert len(re.findall(r'href="/o/acme/alerts/rules/\d+/"', editable)) == len(AlertKind.values)
    assert reader.get(f"{RULES}{read.context['rules'][0].rule.pk}/").status_code == 403
    assert reader.post(RULES, {"op": "run_variance"}).status_code == 403


def rule_of(organization: Organization, kind: str) -> AlertRule:
    return alert_rules_ensure(organization)[kind]


def rule_post(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "op": "save",
        "enabled": "on",
        "severity": Severity.AMBER,
        "threshold": "0.95",
        "red_threshold": "0.90",
        "notify_org_roles": [OrgRole.ADMIN, OrgRole.PMO],
        "notify_project_roles": ["manager"],
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_the_pmo_office_edits_a_rule(organization: Organization) -> None:
    rule = rule_of(organization, AlertKind.SPI_LOW)
    client, user = client_with(organization, OrgRole.PMO)
    form = client.get(f"{RULES}{rule.pk}/")
    assert form.status_code == 200
    assert form.context["form"].initial["threshold"] == Decimal("0.95")

    response = client.post(
        f"{RULES}{rule.pk}/",
        rule_post(
            enabled=None,
            severity=Severity.RED,
            threshold="0.9",
            red_threshold="",
            notify_org_roles=[OrgRole.FINANCE],
            notify_project_roles=["manager", "controller"],
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == RULES
    rule.refresh_from_db()
    assert (rule.enabled, rule.severity, rule.threshold, rule.red_threshold) == (
        False,
        Severity.RED,
        Decimal("0.9000"),
        None,
    )
    assert (rule.notify_org_roles, rule.notify_project_roles, rule.updated_by) == (
        [OrgRole.FINANCE],
        ["controller", "manager"],
        user,
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"red_threshold": "0.97"}, "red_threshold"),  # SPI fires below: red must be lower
        ({"threshold": "a lot"}, "threshold"),
        ({"threshold": ""}, "threshold"),
        ({"severity": "purple"}, "severity"),
        ({"notify_project_roles": ["sponsor"]}, "notify_project_roles"),
    ],
)
def test_a_rule_edit_with_a_bad_value_shows_the_error_beside_the_field_and_changes_nothing(
    organization: Organization, changes: dict[str, Any], field: str
) -> None:
    rule = rule_of(organization, AlertKind.SPI_LOW)
    before = (rule.enabled, rule.severity, rule.threshold, rule.red_threshold, rule.notify_project_roles)
    client, _user = client_with(organization, OrgRole.ADMIN)

    response = client.post(f"{RULES}{rule.pk}/", rule_post(**{"threshold": "0.9", **changes}))

    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert 'class="field-error"' in response.content.decode()
    rule.refresh_from_db()
    assert (rule.enabled, rule.severity, rule.threshold, rule.red_threshold, rule.notify_project_roles) == before
    assert not AuditEvent.objects.for_organization(organization).filter(action="alert_rule.updated").exists()


def test_the_red_threshold_of_a_rule_that_fires_above_must_be_higher(organization: Organization) -> None:
    rule = rule_of(organization, AlertKind.TASK_SLIPPED)
    client, _user = client_with(organization, OrgRole.PMO)

    response = client.post(f"{RULES}{rule.pk}/", rule_post(threshold="5", red_threshold="3"))

    assert response.status_code == 400
    assert response.context["form"].errors["red_threshold"]
    # The page shows the rule as saved, not the refused values.
    assert response.context["row"].red_threshold == Decimal("10")
    rule.refresh_from_db()
    assert rule.red_threshold == Decimal("10.0000")


def test_run_variance_now_queues_the_check_and_its_alerts_are_there_when_the_page_reloads(
    organization: Organization, project: Project, django_capture_on_commit_callbacks: Any
) -> None:
    ChangeRequestFactory(
        organization=organization,
        project=project,
        status=ChangeRequest.Status.SUBMITTED,
        submitted_at=timezone.now() - dt.timedelta(days=9),
    )
    client, _user = client_with(organization, OrgRole.PMO)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(RULES, {"op": "run_variance"})

    assert response.status_code == 302
    assert response["Location"] == ALERTS
    assert len(callbacks) >= 1
    page = client.get(ALERTS)
    assert [row["alert"].kind for row in page.context["rows"]] == [AlertKind.CHANGE_REQUEST_WAITING]
    assert 'class="message message-success"' in page.content.decode()


# --- webhooks -------------------------------------------------------------------------------


@pytest.fixture
def private_webhooks_allowed(settings: Any) -> None:
    """Webhook URLs here point at the loopback address, which needs no DNS."""
    settings.PMO_WEBHOOK_ALLOW_PRIVATE = True


@pytest.mark.parametrize("role", [role for role in OrgRole if role != OrgRole.ADMIN])
def test_only_administrators_see_the_webhooks(organization: Organization, role: str) -> None:
    webhook = WebhookFactory(organization=organization)
    client, _user = client_with(organization, role)

    assert client.get(WEBHOOKS).status_code == 403
    assert client.get(f"{WEBHOOKS}{webhook.pk}/").status_code == 403
    assert 'href="/o/acme/alerts/webhooks/"' not in client.get(ALERTS).content.decode()


def test_an_administrator_creates_a_webhook_and_sees_its_secret_once(
    organization: Organization, private_webhooks_allowed: None
) -> None:
    client, _user = client_with(organization, OrgRole.ADMIN)
    assert 'class="empty-state"' in client.get(WEBHOOKS).content.decode()

    response = client.post(
        WEBHOOKS,
        {
            "op": "create",
            "name": "ERP",
            "url": "http://127.0.0.1:9/hook",
            "events": [WebhookEvent.ALERT_OPENED, WebhookEvent.ALERT_RESOLVED],
        },
    )

    assert response.status_code == 200
    webhook = Webhook.objects.for_organization(organization).get()
    assert (webhook.name, webhook.url, webhook.events) == (
        "ERP",
        "http://127.0.0.1:9/hook",
        [WebhookEvent.ALERT_OPENED, WebhookEvent.ALERT_RESOLVED],
    )
    assert f'id="webhook-secret">{webhook.secret}<' in response.content.decode()
    assert webhook.secret not in client.get(WEBHOOKS).content.decode()
    assert webhook.secret not in client.get(f"{WEBHOOKS}{webhook.pk}/").content.decode()


def test_a_webhook_with_an_unsafe_url_or_no_events_is_not_created(organization: Organization, settings: Any) -> None:
    settings.PMO_WEBHOOK_ALLOW_PRIVATE = False
    client, _user = client_with(organization, OrgRole.ADMIN)

    unsafe = client.post(
        WEBHOOKS, {"op": "create", "name": "Local", "url": "http://127.0.0.1/", "events": ["alert.opened"]}
    )
    no_events = client.post(WEBHOOKS, {"op": "create", "name": "None", "url": "http://127.0.0.1/"})

    assert unsafe.status_code == 400
    assert unsafe.context["form"].errors["url"]
    assert no_events.status_code == 400
    assert no_events.context["form"].errors["events"]
    assert not Webhook.objects.for_organization(organization).exists()


def test_an_administrator_edits_switches_off_and_rotates_the_secret_of_a_webhook(
    organization: Organization, private_webhooks_allowed: None
) -> None:
    webhook = WebhookFactory(organization=organization, url="http://127.0.0.1:9/hook")
    old_secret = webhook.secret
    client, _user = client_with(organization, OrgRole.ADMIN)
    url = f"{WEBHOOKS}{webhook.pk}/"

    saved = client.post(
        url, {"op": "save", "name": "Chat", "url": "http://127.0.0.1:9/chat", "events": ["alert.escalated"]}
    )
    switched = client.post(url, {"op": "toggle"})
    rotated = client.post(url, {"op": "rotate"})

    assert saved.status_code == switched.status_code == 302
    assert rotated.status_code == 200
    webhook.refresh_from_db()
    assert (webhook.name, webhook.url, webhook.events, webhook.is_active) == (
        "Chat",
        "http://127.0.0.1:9/chat",
        ["alert.escalated"],
        False,
    )
    assert webhook.secret != old_secret
    assert f'id="webhook-secret">{webhook.secret}<' in rotated.content.decode()
    assert webhook.secret not in client.get(url).content.decode()
    assert client.post(url, {"op": "toggle"}).status_code == 302
    webhook.refresh_from_db()
    assert webhook.is_active


def test_a_refused_webhook_edit_changes_nothing(organization: Organization, private_webhooks_allowed: None) -> None:
    other = WebhookFactory(organization=organization, name="Taken", url="http://127.0.0.1:9/a")
    webhook = WebhookFactory(organization=organization, name="Mine", url="http://127.0.0.1:9/b")
    client, _user = client_with(organization, OrgRole.ADMIN)

    response = client.post(
        f"{WEBHOOKS}{webhook.pk}/",
        {"op": "save", "name": other.name, "url": "http://127.0.0.1:9/c", "events": ["alert.opened"]},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["name"]
    assert response.context["webhook"].name == "Mine"
    webhook.refresh_from_db()
    assert (webhook.name, webhook.url) == ("Mine", "http://127.0.0.1:9/b")


def test_deleting_a_webhook_asks_first(organization: Organization) -> None:
    webhook = WebhookFactory(organization=organization)
    DeliveryAttemptFactory(organization=organization, message__webhook=webhook)
    client, _user = client_with(organization, OrgRole.ADMIN)
    url = f"{WEBHOOKS}{webhook.pk}/delete/"

    confirm = client.get(url)
    assert confirm.status_code == 200
    assert 'value="delete"' in confirm.content.decode()
    assert Webhook.objects.for_organization(organization).exists()

    response = client.post(url, {"op": "delete"})

    assert response.status_code == 302
    assert response["Location"] == WEBHOOKS
    assert not Webhook.objects.for_organization(organization).exists()


def test_the_delivery_log_shows_each_attempt_and_is_paginated(organization: Organization) -> None:
    webhook = WebhookFactory(organization=organization)
    now = timezone.now()
    failed = DeliveryAttemptFactory(
        organization=organization,
        message__webhook=webhook,
        status_code=None,
        error="connection refused",
        duration_ms=1234,
        created_at=now,
    )
    for minutes in range(1, 51):
        DeliveryAttemptFactory(
            organization=organization,
            message__webhook=webhook,
            status_code=204,
            created_at=now - dt.timedelta(minutes=minutes),
        )
    DeliveryAttemptFactory(organization=organization)  # another webhook's
    client, _user = client_with(organization, OrgRole.ADMIN)

    first = client.get(f"{WEBHOOKS}{webhook.pk}/")
    second = client.get(f"{WEBHOOKS}{webhook.pk}/?page=2")

    assert first.context["deliveries"].paginator.count == 51
    assert first.context["deliveries"].object_list[0] == failed
    assert len(second.context["deliveries"].object_list) == 1
    html = first.content.decode()
    row = re.search(rf'<tr class="delivery delivery-row-failed" id="delivery-{failed.pk}">(.*?)</tr>', html, re.S)
    assert row is not None
    assert "connection refused" in row.group(1)
    assert "1234" in row.group(1)
    assert 'class="badge badge-red delivery-failed"' in row.group(1)
    assert html.count('class="badge badge-green delivery-ok"') == 49


def test_the_delivery_log_shows_an_attempt_without_a_recorded_outcome_as_unknown(organization: Organization) -> None:
    webhook = WebhookFactory(organization=organization)
    started = DeliveryAttemptFactory(
        organization=organization, message__webhook=webhook, status_code=None, outcome="started", finished_at=None
    )
    client, _user = client_with(organization, OrgRole.ADMIN)

    html = client.get(f"{WEBHOOKS}{webhook.pk}/").content.decode()
    listed = client.get(WEBHOOKS).content.decode()

    row = re.search(rf'<tr class="delivery delivery-row-unknown" id="delivery-{started.pk}">(.*?)</tr>', html, re.S)
    assert row is not None
    assert 'class="badge badge-amber delivery-unknown"' in row.group(1)
    assert 'class="badge badge-amber delivery-unknown"' in listed


def test_the_webhook_list_shows_each_webhooks_last_delivery_in_a_fixed_number_of_queries(
    organization: Organization,
) -> None:
    client, _user = client_with(organization, OrgRole.ADMIN)
    webhook = WebhookFactory(organization=organization)
    DeliveryAttemptFactory(organization=organization, message__webhook=webhook, status_code=500)
    small = count_queries(client, WEBHOOKS)
    for _ in range(5):
        other = WebhookFactory(organization=organization)
        DeliveryAttemptFactory(organization=organization, message__webhook=other)

    large = count_queries(client, WEBHOOKS)

    assert small == large
    page = client.get(WEBHOOKS)
    rows = {w.pk: w.last_status for w, _events in page.context["webhooks"]}
    assert rows[webhook.pk] == 500
