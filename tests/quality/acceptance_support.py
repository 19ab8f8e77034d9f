"""A project with its people for the acceptance tests: project manager, client representative, quality role, team."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from pmo.models import Organization, OrgRole, User
from projects.gate_checks import gate_checks
from projects.models import Project, WbsElement
from quality import attachments_acceptance
from quality.gate_checks_acceptance import ACCEPTANCE_CHECK
from tests.factories import ProjectFactory, ProjectMemberFactory, WbsElementFactory, member


@dataclass
class Acceptance:
    org: Organization
    project: Project
    element: WbsElement
    manager: User  # the project manager (project role manager, organisation member)
    client: User  # the client representative (project role client, organisation member)
    quality: User  # the organisation's quality role
    worker: User  # a team member (project role member)
    outsider: User  # a member of the organisation with no role on the project


def make_acceptance(organization: Organization | None = None, phase: str = "execution") -> Acceptance:
    project = ProjectFactory(phase=phase, **({"organization": organization} if organization else {}))
    org = project.organization
    people = {}
    for name, project_role in (("manager", "manager"), ("client", "client"), ("worker", "member")):
        user = member(org, OrgRole.MEMBER, username=f"{name}-{project.pk}").user
        ProjectMemberFactory(project=project, user=user, role=project_role)
        people[name] = user
    return Acceptance(
        org=org,
        project=project,
        element=WbsElementFactory(project=project, organization=org, name="Kerbs and footpaths"),
        quality=member(org, OrgRole.QUALITY, username=f"quality-{project.pk}").user,
        outsider=member(org, OrgRole.MEMBER, username=f"outsider-{project.pk}").user,
        **people,
    )


@contextmanager
def acceptance_check() -> Iterator[None]:
    """The acceptance gate check registered (lane F registers it in ``QualityConfig.ready()``)."""
    if gate_checks.get(ACCEPTANCE_CHECK.code) is not None:
        yield
        return
    with gate_checks.registered(ACCEPTANCE_CHECK):
        yield


def register_attachments() -> None:
    """Deliverables carry files (``QualityConfig.ready()`` registers them once wired); registering twice is harmless."""
    attachments_acceptance.register()
