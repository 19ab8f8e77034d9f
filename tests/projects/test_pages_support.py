"""Builders shared by the project page tests (no tests here): plans made through the services."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.test import Client

from pmo.models import Membership, Organization, OrgRole, User
from projects.models import Project, WbsElement
from projects.services import plan
from projects.services import projects as project_services
from tests.conftest import page_client_for
from tests.factories import member

START = dt.date(2026, 3, 2)


def make_project(organization: Organization, actor: User, **fields: Any) -> Project:
    values: dict[str, Any] = {"code": "P-1", "name": "Riverside park", "planned_start": START}
    values.update(fields)
    return project_services.project_create(actor=actor, organization=organization, **values)


def add(project: Project, actor: User, name: str, **fields: Any) -> WbsElement:
    fields.setdefault("duration", 5)
    if "budgeted_cost" in fields:
        fields["budgeted_cost"] = Decimal(str(fields["budgeted_cost"]))
    return plan.wbs_element_create(actor=actor, project=project, name=name, **fields)


def build_plan(project: Project, actor: User, tasks: int, *, per_summary: int = 5) -> list[WbsElement]:
    """Summaries of ``per_summary`` chained tasks each, ``tasks`` leaves in all, through the services."""
    leaves: list[WbsElement] = []
    summary: WbsElement | None = None
    for index in range(tasks):
        if index % per_summary == 0:
            summary = add(project, actor, f"Phase {index // per_summary + 1}", kind="summary", duration=0)
        leaf = add(project, actor, f"Task {index + 1}", parent=summary, budgeted_cost=1000 + index)
        if leaves:
            plan.dependency_create(actor=actor, project=project, predecessor=leaves[-1], successor=leaf)
        leaves.append(leaf)
    return leaves


def refreshed(element: WbsElement) -> WbsElement:
    return WbsElement.objects.for_organization(element.organization_id).get(pk=element.pk)


def client_with_role(organization: Organization, role: str = OrgRole.MEMBER, **user: Any) -> tuple[Client, Membership]:
    membership = member(organization, role, **user)
    return page_client_for(membership.user), membership


def bar_fill_width(svg: str, element_id: int) -> int:
    """The width of the progress fill inside the Gantt bar of one element."""
    match = re.search(rf'<g id="t{element_id}"[^>]*>.*?<rect class="g-pf" [^>]*width="(\d+)"', svg, re.S)
    assert match is not None, f"no bar for element {element_id}"
    return int(match.group(1))
