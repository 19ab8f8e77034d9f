"""The maintenance alert kinds, raised, updated and resolved by ``maintenance_alerts_sync``.

Now is Wednesday 18 March 2026, 12:00 in Shanghai (the organisation's zone).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from maintenance.alert_kinds import (
    MaintenanceAlertKind,
    MaintenanceSubjectType,
    maintenance_alerts_sync,
    maintenance_findings,
    repeat_parts,
)
from maintenance.models import WorkOrder
from maintenance.services.settings import maintenance_settings_for
from pmo.alerts.kinds import alert_kinds, alert_message
from pmo.alerts.services import alert_rule_update, alert_rules_ensure
from pmo.models import Alert, AlertStatus, Notification, Organization, OrgRole, Severity
from tests.factories import (
    AssetFactory,
    AssetReadingFactory,
    CriterionFactory,
    HoldReasonFactory,
    RoundFactory,
    RoundStopFactory,
    WorkOrderFactory,
    WorkOrderPauseFactory,
    member,
)
from tests.maintenance.figures_support import NOW, ago

pytestmark = pytest.mark.django_db
NEAR = MaintenanceAlertKind.SLA_NEAR
BREACHED = MaintenanceAlertKind.SLA_BREACHED
ROUND = MaintenanceAlertKind.ROUND_OVERDUE
REPEAT = MaintenanceAlertKind.REPEATED_FAILURE


def active(organization: Organization, kind: str) -> list[Alert]:
    return list(
        Alert.objects.for_organization(organization)
        .filter(kind=kind)
        .exclude(status=AlertStatus.RESOLVED)
        .order_by("subject_id")
    )


def told(alert: Alert) -> list[int]:
    return sorted(
        Notification.objects.for_organization(alert.organization_id)
        .filter(alert=alert)
        .values_list("user_id", flat=True)
    )


def order(
    organization: Organization, opened: dt.datetime, respond: dt.datetime, resolve: dt.datetime, **fields: object
) -> WorkOrder:
    return WorkOrderFactory(
        organization=organization,
        asset=AssetFactory(organization=organization),
        opened_at=opened,
        response_due_at=respond,
        resolution_due_at=resolve,
        **fields,
    )


def test_maintenance_registers_four_kinds_after_the_others() -> None:
    codes = [spec.code for spec in alert_kinds if spec.code in MaintenanceAlertKind.values]
    assert codes == [
        "maintenance_sla_near",
        "maintenance_sla_breached",
        "maintenance_round_overdue",
        "maintenance_repeated_failure",
    ]
    assert alert_kinds.values[-4:] == codes
    assert alert_kinds[NEAR].threshold == Decimal("80")
    assert (alert_kinds[REPEAT].threshold, alert_kinds[REPEAT].red_threshold) == (Decimal("2"), Decimal("4"))


def test_the_kinds_speak_chinese() -> None:
    for code in MaintenanceAlertKind.values:
        spec = alert_kinds[code]
        with translation.override("zh-hans"):
            chinese = (str(spec.label), str(spec.explanation), str(spec.message))
        with translation.override("en"):
            assert chinese != (str(spec.label), str(spec.explanation), str(spec.message))
        assert "\u4e00" <= chinese[0][0] <= "\u9fff" or "\u4e00" <= chinese[0][-1] <= "\u9fff"


def test_a_work_order_past_eighty_per_cent_of_its_time_raises_the_near_alert_told_to_the_office_and_assignee(
    organization: Organization,
) -> None:
    office = member(organization, OrgRole.MAINTENANCE)
    fixer = member(organization, OrgRole.MEMBER)
    # Around the clock: 8 of 10 hours used: 80 %, not above.  9 of 10: 90 %.  9 of 10 but on a
    # pausing hold: stopped.
    clock = {"around_the_clock": True}
    order(organization, ago(0, 8), ago(0, 7), ago(0, -2), status="in_progress", started_at=ago(0, 7.5), **clock)
    late = order(organization, ago(0, 9), ago(0, -1), ago(0, -1), assignee=fixer.user, title="Fill pothole", **clock)
    held = order(
        organization,
        ago(0, 9),
        ago(0, -1),
        ago(0, -1),
        status="on_hold",
        hold_reason=HoldReasonFactory(organization=organization),
        **clock,
    )
    WorkOrderPauseFactory(work_order=held, reason=held.hold_reason, pauses_clock=True, started_at=ago(0, 1))

    result = maintenance_alerts_sync(organization=organization, now=NOW)

    [alert] = active(organization, NEAR)
    assert (alert.subject_type, alert.subject_id, alert.project_id) == (
        MaintenanceSubjectType.WORK_ORDER,
        late.pk,
        None,
    )
    assert (alert.severity, alert.figures["value"], alert.figures["due"]) == (Severity.AMBER, "90", "2026-03-18 13:00")
    assert told(alert) == sorted([office.user_id, fixer.user_id])
    with translation.override("en"):
        assert alert_message(alert.kind, alert.subject_label, alert.figures) == (
            f"{late.reference} {late.asset.code} · Fill pothole has used 90% of its time to resolve; "
            "it is due 2026-03-18 13:00."
        )
    assert result.opened == 1


def test_on_working_hours_the_near_alert_counts_working_time_used_not_calendar_time(
    organization: Organization,
) -> None:
    """Monday to Friday, 09:00 to 17:00 in Shanghai; now is Wednesday 12:00.

    Opened Friday 16:00 with 24 working hours: due Wednesday 16:00. Used: Friday 1 h, Monday 8 h,
    Tuesday 8 h, Wednesday 3 h = 20 of 24 = 83.3 %, above 80 %.
    Opened Tuesday 09:00 with 16 working hours: due Wednesday 17:00. Used 11 of 16 = 68.8 %, not
    near, though 27 of its 32 calendar hours (84 %) have passed.
    """
    member(organization, OrgRole.MAINTENANCE)

    def at(day: int, hour: int) -> dt.datetime:
        return dt.datetime(2026, 3, day, hour, 0, tzinfo=NOW.tzinfo)

    friday = order(organization, at(13, 16), at(16, 9), at(18, 16), around_the_clock=False)
    order(organization, at(17, 9), at(17, 11), at(18, 17), around_the_clock=False)

    maintenance_alerts_sync(organization=organization, now=NOW)

    [alert] = active(organization, NEAR)
    assert (alert.subject_id, alert.figures["value"]) == (friday.pk, "83.3")


def test_a_breach_that_turns_red_tells_the_office_and_the_assignee_again(organization: Organization) -> None:
    office = member(organization, OrgRole.MAINTENANCE)
    fixer = member(organization, OrgRole.MEMBER)
    order(organization, ago(2), ago(1), ago(-5), assignee=fixer.user)
    maintenance_alerts_sync(organization=organization, now=NOW)
    [alert] = active(organization, BREACHED)
    assert alert.severity == Severity.AMBER
    assert told(alert) == sorted([office.user_id, fixer.user_id])

    later = maintenance_alerts_sync(organization=organization, now=NOW + dt.timedelta(days=3))

    alert.refresh_from_db()
    assert alert.severity == Severity.RED
    assert later.escalated == 1
    events = Notification.objects.for_organization(organization).filter(alert=alert, event="alert.escalated")
    assert sorted(events.values_list("user_id", flat=True)) == sorted([office.user_id, fixer.user_id])
    # Still red a day later: nobody is told again.
    maintenance_alerts_sync(organization=organization, now=NOW + dt.timedelta(days=4))
    assert Notification.objects.for_organization(organization).filter(alert=alert).count() == 4


def test_missed_deadlines_raise_the_breach_alert_red_past_three_days_and_it_resolves_once_done(
    organization: Organization,
) -> None:
    member(organization, OrgRole.MAINTENANCE)
    # Response missed a day ago (not started); resolution missed four days ago (started in time).
    unanswered = order(organization, ago(2), ago(1), ago(-5))
    unresolved = order(
        organization, ago(6), ago(6) + dt.timedelta(hours=1), ago(4), status="in_progress", started_at=ago(6)
    )
    order(organization, ago(6), ago(5), ago(4), status="closed", started_at=ago(6), completed_at=ago(3))  # done

    maintenance_alerts_sync(organization=organization, now=NOW)

    alerts = active(organization, BREACHED)
    assert [(alert.subject_id, alert.severity, alert.figures["value"]) for alert in alerts] == [
        (unanswered.pk, Severity.AMBER, "1"),
        (unresolved.pk, Severity.RED, "4"),
    ]
    with translation.override("en"):
        assert (
            "missed a deadline 1 days ago (respond by 2026-03-17 12:00, resolve by 2026-03-23 12:00)"
            in alert_message(alerts[0].kind, alerts[0].subject_label, alerts[0].figures)
        )

    # The same state again changes nothing; the work started and completed resolves both.
    assert maintenance_alerts_sync(organization=organization, now=NOW).opened == 0
    WorkOrder.objects.for_organization(organization).filter(pk=unanswered.pk).update(
        status="in_progress", started_at=ago(0, 1)
    )
    WorkOrder.objects.for_organization(organization).filter(pk=unresolved.pk).update(
        status="completed", completed_at=ago(0, 1)
    )
    # The unanswered one started late: its response stays missed while it is open.
    maintenance_alerts_sync(organization=organization, now=NOW)
    assert [alert.subject_id for alert in active(organization, BREACHED)] == [unanswered.pk]
    WorkOrder.objects.for_organization(organization).filter(pk=unanswered.pk).update(
        status="completed", completed_at=ago(0, 1)
    )
    result = maintenance_alerts_sync(organization=organization, now=NOW)
    assert active(organization, BREACHED) == []
    assert result.resolved == 1


def test_an_open_round_past_its_due_day_is_overdue_and_a_disabled_rule_resolves_it(
    organization: Organization,
) -> None:
    admin = member(organization, OrgRole.ADMIN)
    overdue = RoundFactory(organization=organization, due_date=dt.date(2026, 3, 15))
    RoundFactory(
        organization=organization,
        plan=overdue.plan,
        period_start=dt.date(2026, 3, 9),
        period_end=dt.date(2026, 3, 15),
        due_date=dt.date(2026, 3, 18),
    )
    maintenance_alerts_sync(organization=organization, now=NOW)
    [alert] = active(organization, ROUND)
    assert (alert.subject_id, alert.figures["value"], alert.figures["due"]) == (overdue.pk, "3", "2026-03-15")

    alert_rule_update(actor=admin.user, rule=alert_rules_ensure(organization)[ROUND], enabled=False)
    maintenance_alerts_sync(organization=organization, now=NOW)
    assert active(organization, ROUND) == []


def test_the_third_failure_of_one_criterion_on_one_asset_in_ninety_days_raises_an_alert(
    organization: Organization,
) -> None:
    member(organization, OrgRole.MAINTENANCE)
    criterion = CriterionFactory(organization=organization, code="pothole")
    asset = AssetFactory(organization=organization, code="A-7", name="Path 7", category=criterion.category)
    other = AssetFactory(organization=organization, code="A-8", category=criterion.category)
    round_ = RoundFactory(organization=organization)
    failures = ((80, asset), (30, asset), (2, asset), (120, other), (30, other), (2, other))
    for index, (days, on) in enumerate(failures):
        period = dt.date(2025, 1, 1) + dt.timedelta(days=index)
        stop = RoundStopFactory(
            round=RoundFactory(organization=organization, plan=round_.plan, period_start=period, period_end=period),
            asset=on,
        )
        AssetReadingFactory(stop=stop, criterion=criterion, value=Decimal("25"), passed=False, taken_at=ago(days))

    maintenance_alerts_sync(organization=organization, now=NOW)

    [alert] = active(organization, REPEAT)
    assert repeat_parts(alert.subject_id) == (asset.pk, criterion.pk)
    assert (alert.severity, alert.figures["failures"], alert.figures["last"]) == (Severity.AMBER, "3", "2026-03-16")
    assert alert.subject_label == "A-7 Path 7 · pothole"


@pytest.mark.parametrize("orders", [1, 5])
def test_the_findings_take_four_queries_and_three_more_for_the_working_hours_clock(
    organization: Organization, django_assert_num_queries: object, orders: int
) -> None:
    """The clock's settings, calendar and holidays are read once, whatever the number of orders on it."""
    order(organization, ago(2), ago(1), ago(-5), around_the_clock=True)
    RoundFactory(organization=organization, due_date=dt.date(2026, 3, 15))
    rules = alert_rules_ensure(organization)
    with django_assert_num_queries(4):  # type: ignore[operator]
        maintenance_findings(organization, rules, NOW)
    for _ in range(orders):
        order(organization, ago(0, 30), ago(0, 20), ago(0, -30), around_the_clock=False)
    maintenance_settings_for(organization)  # made on first use, with the default SLA targets
    with django_assert_num_queries(4 + WORKING_CLOCK_QUERIES):  # type: ignore[operator]
        maintenance_findings(organization, rules, NOW)


#: The maintenance settings, the calendar, its exceptions.
WORKING_CLOCK_QUERIES = 3


def test_the_variance_run_leaves_maintenance_alerts_alone(organization: Organization) -> None:
    from finance.variance import variance_run
    from tests.factories import ProjectFactory

    ProjectFactory(organization=organization)
    order(organization, ago(2), ago(1), ago(-5))
    maintenance_alerts_sync(organization=organization, now=NOW)
    variance_run(organization=organization, as_of=NOW.date())
    assert len(active(organization, BREACHED)) == 1


def test_each_alert_links_to_its_work_order_round_or_asset(organization: Organization) -> None:
    late = order(organization, ago(2), ago(1), ago(-5))
    overdue = RoundFactory(organization=organization, due_date=dt.date(2026, 3, 15))
    maintenance_alerts_sync(organization=organization, now=NOW)
    [breach] = active(organization, BREACHED)
    [round_alert] = active(organization, ROUND)
    assert alert_kinds[BREACHED].link(breach, "acme") == f"/o/acme/maintenance/work-orders/{late.pk}/"  # type: ignore[misc]
    assert alert_kinds[ROUND].link(round_alert, "acme") == f"/o/acme/maintenance/rounds/{overdue.pk}/"  # type: ignore[misc]


def test_running_the_check_now_brings_the_maintenance_alerts_up_to_date(
    organization: Organization, django_capture_on_commit_callbacks: Any
) -> None:
    """The alert rules page's "run the check now" runs every registered check, maintenance's too."""
    from django.test import Client

    office = member(organization, OrgRole.PMO).user
    order(organization, ago(2), ago(1), ago(-5))
    client = Client()
    client.force_login(office)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(f"/o/{organization.slug}/alerts/rules/", {"op": "run_variance"})
    assert answer.status_code == 302
    assert len(active(organization, BREACHED)) == 1
