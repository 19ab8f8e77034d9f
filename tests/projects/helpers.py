"""Small builders for project tests: a project with a plan, made through the services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from pmo.models import Membership, Organization, OrgRole
from projects.gate_checks import gate_checks
from projects.models import Project, WbsElement
from projects.services import plan
from projects.services import projects as project_services
from tests.factories import member


def make_project(organization: Organization, *, actor: Membership | None = None, **fields: Any) -> Project:
    actor = actor or member(organization, OrgRole.ADMIN)
    values: dict[str, Any] = {"code": "P-1", "name": "Riverside park", "planned_start": dt.date(2026, 3, 2)}
    values.update(fields)
    return project_services.project_create(actor=actor.user, organization=organization, **values)


def add_task(project: Project, name: str, *, actor: Membership, **fields: Any) -> WbsElement:
    fields.setdefault("duration", 5)
    if "budgeted_cost" in fields:
        fields["budgeted_cost"] = Decimal(str(fields["budgeted_cost"]))
    return plan.wbs_element_create(actor=actor.user, project=project, name=name, **fields)


def refreshed(element: WbsElement) -> WbsElement:
    return WbsElement.objects.for_organization(element.organization_id).get(pk=element.pk)


@contextmanager
def without_quality_gate_checks() -> Iterator[None]:
    """The gate-check registry as projects, finance and risks fill it: quality's checks apply by default
    (its safety veto on every gate) and are tested in tests/quality/test_gate_checks.py; maintenance's
    handover check, in tests/maintenance."""
    registered = list(gate_checks)
    for check in registered:
        if check.code.startswith(("quality_", "maintenance_")):
            gate_checks.unregister(check.code)
    try:
        yield
    finally:
        for check in list(gate_checks):
            gate_checks.unregister(check.code)
        for check in registered:
            gate_checks.register(check)
