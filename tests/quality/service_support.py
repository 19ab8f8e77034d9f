"""A site for the quality service tests: a project in execution, its people and a road checklist."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pmo.models import AuditEvent, Organization, OrgRole, User
from projects.models import Project, WbsElement
from quality.models import ChecklistItem, ChecklistTemplate, Inspection
from quality.services import inspections as ins
from quality.services.settings import builtin_type
from tests.factories import ChecklistItemFactory, ChecklistTemplateFactory, ProjectFactory, WbsElementFactory, member


@dataclass
class Site:
    org: Organization
    project: Project
    task: WbsElement
    quality: User  # the quality role: inspects, verifies
    manager: User  # the project manager: plans and acts
    worker: User  # does the corrective work
    template: ChecklistTemplate
    depth: ChecklistItem  # numeric, major: pothole depth ≤ 20 mm

    def template_with(self, **item: Any) -> tuple[ChecklistTemplate, ChecklistItem]:
        """A new template of the project's organisation with one item (a numeric major one unless told)."""
        template = ChecklistTemplateFactory(
            organization=self.org, inspection_type=builtin_type(self.org, item.pop("type", "quality"))
        )
        return template, ChecklistItemFactory(template=template, **item)

    def schedule(self, template: ChecklistTemplate | None = None, **fields: Any) -> Inspection:
        return ins.inspection_schedule(
            actor=self.manager, project=self.project, template=template or self.template, **fields
        )

    def failed_inspection(self, template: ChecklistTemplate | None = None, reading: str = "23") -> Inspection:
        """A signed inspection whose depth reading (by default 23 mm against ≤ 20 mm) failed it."""
        inspection = self.schedule(template, inspector=self.quality)
        item = ChecklistItem.objects.for_organization(self.org).filter(template=inspection.template).first()
        assert item is not None
        ins.reading_record(actor=self.quality, inspection=inspection, item=item, number=reading)
        return ins.inspection_sign(actor=self.quality, inspection=inspection)


def make_site(**project_fields: Any) -> Site:
    project = ProjectFactory(phase="execution", **project_fields)
    org = project.organization
    template = ChecklistTemplateFactory(organization=org, inspection_type=builtin_type(org, "quality"))
    return Site(
        org=org,
        project=project,
        task=WbsElementFactory(project=project, organization=org),
        quality=member(org, OrgRole.QUALITY).user,
        manager=member(org, OrgRole.PROJECT_MANAGER).user,
        worker=member(org, OrgRole.MEMBER).user,
        template=template,
        depth=ChecklistItemFactory(template=template, unit="mm", comparator="lte", limit_a=Decimal(20)),
    )


def audit_actions(org: Organization) -> list[str]:
    return list(AuditEvent.objects.for_organization(org).order_by("pk").values_list("action", flat=True))
