"""A site for the non-conformance page and API tests: a project in execution, its people, an NC at any step."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pmo.models import OrgRole, User
from projects.models import Project
from quality.models import CorrectiveAction, NonConformance
from quality.services import ncs
from tests.factories import OrganizationFactory, ProjectFactory, ProjectMemberFactory, member


@dataclass
class NcSite:
    project: Project
    quality: User  # the quality role: verifies
    manager: User  # the project's manager: analyses, plans, acts
    worker: User  # on the project; owns the corrective action
    viewer: User  # reads

    @property
    def org(self) -> Any:
        return self.project.organization

    def raise_nc(self, **fields: Any) -> NonConformance:
        fields.setdefault("title", "Pothole 23 mm deep")
        fields.setdefault("severity", "major")
        return ncs.nc_raise(actor=self.manager, project=self.project, **fields)

    def planned(self, **fields: Any) -> tuple[NonConformance, CorrectiveAction]:
        """A non-conformance in its action plan with one corrective action the worker owns."""
        nc = self.raise_nc(**fields)
        nc = ncs.nc_transition(actor=self.manager, nc=nc, to_status="analysis")
        nc = ncs.nc_update(actor=self.manager, nc=nc, root_cause="Base course not compacted")
        nc = ncs.nc_transition(actor=self.manager, nc=nc, to_status="action_plan")
        action = ncs.action_add(
            actor=self.manager, nc=nc, description="Refill and compact", owner=self.worker, due_date=self.today()
        )
        return nc, action

    def awaiting_verification(self) -> tuple[NonConformance, CorrectiveAction]:
        nc, action = self.planned()
        nc = ncs.nc_transition(actor=self.manager, nc=nc, to_status="in_progress")
        action = ncs.action_update(actor=self.worker, action=action, status="done")
        nc = ncs.nc_transition(actor=self.manager, nc=nc, to_status="verification")
        return nc, action

    def today(self) -> Any:
        return self.org.today()


def make_site(slug: str = "acme") -> NcSite:
    organization = OrganizationFactory(slug=slug, name=slug.title())
    project = ProjectFactory(organization=organization, phase="execution")
    manager = member(organization, OrgRole.MEMBER, username=f"{slug}-pm").user
    worker = member(organization, OrgRole.MEMBER, username=f"{slug}-worker").user
    ProjectMemberFactory(project=project, user=manager, role="manager")
    ProjectMemberFactory(project=project, user=worker, role="member")
    return NcSite(
        project=project,
        quality=member(organization, OrgRole.QUALITY, username=f"{slug}-qm").user,
        manager=manager,
        worker=worker,
        viewer=member(organization, OrgRole.VIEWER, username=f"{slug}-viewer").user,
    )
