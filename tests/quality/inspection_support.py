"""Builders shared by the plan and inspection tests (no tests here)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pmo.models import Organization, OrgRole, User
from projects.models import Project, WbsElement
from quality.models import ChecklistItem, ChecklistTemplate
from quality.services.settings import builtin_type
from tests.factories import (
    ChecklistItemFactory,
    ChecklistTemplateFactory,
    ProjectFactory,
    ProjectMemberFactory,
    WbsElementFactory,
    member,
)


@dataclass
class Site:
    organization: Organization
    project: Project
    task: WbsElement
    template: ChecklistTemplate
    depth: ChecklistItem
    quality: User
    manager: User
    worker: User


def site(organization: Organization, *, discipline: str = "quality", **item: Any) -> Site:
    """A project in execution with a task, a template with one numeric check (≤ 20 mm, major), a quality
    officer, a project manager (project role manager) and a team member (project role member)."""
    project = ProjectFactory(organization=organization, phase="execution")
    task = WbsElementFactory(project=project, name="Base course")
    template = ChecklistTemplateFactory(
        organization=organization,
        code="PAVE",
        name_en="Asphalt pavement",
        name_zh="沥青路面",
        inspection_type=builtin_type(organization, discipline),
    )
    depth = ChecklistItemFactory(organization=organization, template=template, position=1, **item)
    quality = member(organization, OrgRole.QUALITY, username="quinn", language="en").user
    manager = member(organization, OrgRole.MEMBER, username="pam", language="en").user
    ProjectMemberFactory(project=project, user=manager, role="manager")
    worker = member(organization, OrgRole.MEMBER, username="walt", language="en").user
    ProjectMemberFactory(project=project, user=worker, role="member")
    return Site(organization, project, task, template, depth, quality, manager, worker)


def choice_item(template: ChecklistTemplate, **fields: Any) -> ChecklistItem:
    return ChecklistItemFactory(
        organization=template.organization,
        template=template,
        position=2,
        kind="choice",
        severity="minor",
        text_en="Joint condition",
        text_zh="接缝状况",
        unit="",
        comparator="",
        limit_a=None,
        options=[
            {"key": "sound", "label": "Sound", "acceptable": True},
            {"key": "open", "label": "Open joint", "acceptable": False},
        ],
        **fields,
    )


def multi_item(template: ChecklistTemplate, readings: int = 3) -> ChecklistItem:
    return ChecklistItemFactory(
        organization=template.organization,
        template=template,
        position=3,
        text_en="Layer thickness",
        text_zh="结构层厚度",
        comparator="gte",
        limit_a=Decimal("40"),
        severity="minor",
        max_readings=readings,
    )
