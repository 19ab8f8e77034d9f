"""Builders shared by the risk page tests (no tests here): risks raised and assessed through the services."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from pmo.models import Organization, OrgRole, User
from projects.models import Project, ProjectRole
from projects.services import projects as project_services
from risks.models import Risk
from risks.services.register import risk_assess, risk_raise
from risks.services.settings import risk_categories
from tests.conftest import page_client_for
from tests.factories import member
from tests.projects.test_pages_support import make_project

__all__ = ["assess", "client_for", "make_project", "page_queries", "raise_risk", "role_client", "text_of"]


def role_client(organization: Organization, role: str = OrgRole.MEMBER, **user: Any) -> tuple[Client, User]:
    membership = member(organization, role, **user)
    return page_client_for(membership.user), membership.user


def client_for(user: User) -> Client:
    return page_client_for(user)


def join(project: Project, actor: User, user: User, role: str = ProjectRole.MEMBER) -> None:
    project_services.project_member_add(actor=actor, project=project, user=user, role=role)


def raise_risk(
    organization: Organization,
    actor: User,
    project: Project | None = None,
    *,
    title: str = "Late delivery",
    **fields: Any,
) -> Risk:
    category = fields.pop("category", None) or risk_categories(organization)[0]
    return risk_raise(actor=actor, organization=organization, project=project, title=title, category=category, **fields)


def assess(risk: Risk, actor: User, probability: int, impact: int, **fields: Any) -> Risk:
    fields.setdefault("cost", (Decimal("1000"), Decimal("2000"), Decimal("6000")))
    if risk.assessed_at is not None:
        fields.setdefault("reason", "Reassessed")
    return risk_assess(actor=actor, risk=risk, probability=probability, impacts={"cost": impact}, **fields)


def page_queries(client: Client, url: str) -> tuple[int, str]:
    client.get(url)  # anything cached on a first visit is cached before counting
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(queries), response.content.decode()


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
