"""Many writers of one project at the same moment, on PostgreSQL's real row locks.

Each request runs the whole stack in its own thread with its own database connection, so
the writers really overlap; none of them may end in a deadlock (a 500).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from pmo.models import Organization, OrgRole, User
from projects.models import ChangeRequest, StatusReport
from projects.services import control
from tests.conftest import api_client_for, require_service
from tests.factories import member
from tests.finance.test_services_support import category
from tests.projects.test_control_support import FRIDAY, MANAGER, Plan, build_plan, raise_change, who

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

Request = Callable[[APIClient], Any]


def fire(requests: list[tuple[User, Request]]) -> Counter[int | str]:
    """Send every request at once, each from its own thread and connection; count the status codes.

    A request that raises is counted by its exception, so that a failure says what happened.
    """
    barrier = threading.Barrier(len(requests))
    statuses: list[int | str] = []
    lock = threading.Lock()

    def run(user: User, send: Request) -> None:
        client = api_client_for(user)
        client.raise_request_exception = False
        status: int | str
        try:
            barrier.wait(timeout=60)
            status = send(client).status_code
        except Exception as error:  # noqa: BLE001 - counted, so that the others still run
            status = f"{type(error).__name__}: {error}"[:300]
        finally:
            connections.close_all()
        with lock:
            statuses.append(status)

    threads = [threading.Thread(target=run, args=request) for request in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return Counter(statuses)


@pytest.fixture
def plan(organization: Organization) -> Plan:
    if connection.vendor != "postgresql":
        require_service("PostgreSQL", "row locks and deadlocks are PostgreSQL's; SQLite locks the whole file")
    return build_plan(organization)


def url(plan: Plan, suffix: str) -> str:
    return f"/api/v1/orgs/{plan.organization.slug}/projects/{plan.project.pk}/{suffix}"


def test_mixed_concurrent_writes_to_one_project_all_succeed_without_a_deadlock(
    plan: Plan, organization: Organization
) -> None:
    admin = plan.admin.user
    pmo = member(organization, OrgRole.PMO).user
    labour = category(organization, "labour").pk
    drafts = [raise_change(plan, plan.admin, submit=False) for _ in range(4)]
    reports = [
        control.status_report_create(actor=admin, project=plan.project, period_end=FRIDAY + dt.timedelta(weeks=week))
        for week in range(8)
    ]
    for report in reports:
        control.status_report_update(actor=admin, report=report, accomplishments="Poured the slab.")
    for report in reports[4:]:
        control.status_report_submit(**who(plan.manager, MANAGER), report=report)

    def cost(number: int) -> Request:
        body = {"date": "2026-03-10", "amount": f"{100 + number}.00", "category": labour, "supplier": "Acme"}
        return lambda client: client.post(url(plan, "costs/"), body, format="json")

    def forecast(number: int) -> Request:
        body = {"estimate_to_complete": f"{5000 + number}.00", "justification": "Steel prices up."}
        return lambda client: client.post(url(plan, "forecast/"), body, format="json")

    def commitment(number: int) -> Request:
        body = {"supplier": "Acme", "reference": f"PO-{number}", "date": "2026-03-10", "amount": "10.00"}
        return lambda client: client.post(url(plan, "commitments/"), {**body, "category": labour}, format="json")

    def change(draft: ChangeRequest) -> Request:
        return lambda client: client.patch(url(plan, f"change-requests/{draft.pk}/"), {"title": "Wider"}, format="json")

    def submit(report: StatusReport) -> Request:
        return lambda client: client.post(url(plan, f"status-reports/{report.pk}/submit/"), {}, format="json")

    def rename_organisation(number: int) -> Request:
        url = f"/api/v1/orgs/{organization.slug}/"
        return lambda client: client.patch(url, {"name": f"Acme {number}"}, format="json")

    def review(report: StatusReport) -> Request:
        return lambda client: client.post(url(plan, f"status-reports/{report.pk}/review/"), {}, format="json")

    requests: list[tuple[User, Request]] = [
        *[(admin, cost(number)) for number in range(8)],
        *[(admin, forecast(number)) for number in range(8)],
        *[(admin, commitment(number)) for number in range(4)],
        *[(admin, change(draft)) for draft in drafts],
        *[(plan.manager.user, submit(report)) for report in reports[:4]],
        *[(pmo, review(report)) for report in reports[4:]],
        *[(admin, rename_organisation(number)) for number in range(2)],
    ]

    statuses = fire(requests)

    assert statuses == Counter({201: 20, 200: 14}), statuses
