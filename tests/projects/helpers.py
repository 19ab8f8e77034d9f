"""Small builders for project tests: a project with a plan, made through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from pmo.models import Membership, Organization, OrgRole
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
