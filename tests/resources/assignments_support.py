"""A site for the assignment and request tests, worked by hand.

Project "Riverside" plans from Mon 2 March 2026 on the organisation's default Monday-to-Friday
calendar. Its WBS: 1 Earthworks (summary) with 1.1 Excavation (5 days: Mon 2 to Fri 6 March) and
1.2 Backfill (3 days after it: Mon 9 to Wed 11 March, finish-to-start), and 2 Handover (a milestone
after the backfill, on Thu 12 March). Made through the WBS services, so that the tasks are scheduled.

Resources: Li Wei, a civil engineer (8 h a day, 100.00 an hour from 1 January 2026, 120.00 from Thu
5 March: the fourth day of the excavation); an excavator (8 h a day, 75.00 an hour); concrete, a
material in m³ (450.50 a unit from 1 January, 480.00 from Tue 3 March).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal

from pmo.models import AuditEvent, Organization, OrgRole, User, WorkingCalendar
from projects.models import Project, ProjectRole, WbsElement
from projects.services.wbs import dependency_create, wbs_element_create
from resources.models import Resource, ResourceRole, Skill
from tests.factories import (
    CostRateFactory,
    ProjectFactory,
    ProjectMemberFactory,
    ResourceFactory,
    ResourceRoleFactory,
    SkillFactory,
    member,
)


def d(day: int, month: int = 3) -> dt.date:
    return dt.date(2026, month, day)


@dataclass
class Site:
    org: Organization
    project: Project
    admin: User  # PMO administrator
    manager: User  # the project's manager (a project manager by organisation role)
    office: User  # the resource manager
    viewer: User
    earthworks: WbsElement
    excavation: WbsElement
    backfill: WbsElement
    handover: WbsElement
    engineer_role: ResourceRole
    survey: Skill
    engineer: Resource
    excavator: Resource
    concrete: Resource

    def refresh(self) -> None:
        for element in (self.earthworks, self.excavation, self.backfill, self.handover):
            element.refresh_from_db()


def make_site(org: Organization, *, project_code: str = "RIV") -> Site:
    WorkingCalendar.objects.for_organization(org).get_or_create(
        organization=org, is_default=True, defaults={"name": "Standard"}
    )
    admin = member(org, OrgRole.ADMIN).user
    manager = member(org, OrgRole.PROJECT_MANAGER).user
    office = member(org, OrgRole.RESOURCE).user
    viewer = member(org, OrgRole.VIEWER).user
    project, (earthworks, excavation, backfill, handover) = _plan(org, admin, manager, project_code)
    engineer_role = ResourceRoleFactory(organization=org, name="Civil engineer")
    survey = SkillFactory(organization=org, name="Surveying")
    engineer = ResourceFactory(organization=org, code="P001", name="Li Wei", role=engineer_role, department="Civil")
    excavator = ResourceFactory(organization=org, code="E001", name="Excavator", kind="equipment", department="Plant")
    concrete = ResourceFactory(organization=org, code="M001", name="Concrete", kind="material", unit="m³")
    CostRateFactory(resource=engineer, effective_from=d(1, 1), standard_rate=Decimal("100.00"))
    CostRateFactory(resource=engineer, effective_from=d(5), standard_rate=Decimal("120.00"))
    CostRateFactory(resource=excavator, effective_from=d(1, 1), standard_rate=Decimal("75.00"))
    CostRateFactory(resource=concrete, effective_from=d(1, 1), standard_rate=Decimal("450.50"))
    CostRateFactory(resource=concrete, effective_from=d(3), standard_rate=Decimal("480.00"))
    site = Site(
        org=org,
        project=project,
        admin=admin,
        manager=manager,
        office=office,
        viewer=viewer,
        earthworks=earthworks,
        excavation=excavation,
        backfill=backfill,
        handover=handover,
        engineer_role=engineer_role,
        survey=survey,
        engineer=engineer,
        excavator=excavator,
        concrete=concrete,
    )
    site.refresh()
    return site


def _plan(org: Organization, admin: User, manager: User, code: str) -> tuple[Project, tuple[WbsElement, ...]]:
    project = ProjectFactory(organization=org, code=code, name="Riverside", planned_start=d(2))
    ProjectMemberFactory(project=project, user=manager, role=ProjectRole.MANAGER)
    earthworks = wbs_element_create(actor=admin, project=project, name="Earthworks", duration=1)
    excavation = wbs_element_create(actor=admin, project=project, name="Excavation", parent=earthworks, duration=5)
    backfill = wbs_element_create(actor=admin, project=project, name="Backfill", parent=earthworks, duration=3)
    handover = wbs_element_create(
        actor=admin, project=project, name="Handover", kind=WbsElement.Kind.MILESTONE, duration=0
    )
    dependency_create(actor=admin, project=project, predecessor=excavation, successor=backfill)
    dependency_create(actor=admin, project=project, predecessor=backfill, successor=handover)
    for element in (earthworks, excavation, backfill, handover):
        element.refresh_from_db()
    return project, (earthworks, excavation, backfill, handover)


def another_project(site: Site, code: str, manager: User | None = None) -> Site:
    """The same plan in another project of the organisation, with the same people and resources."""
    project, (earthworks, excavation, backfill, handover) = _plan(site.org, site.admin, manager or site.manager, code)
    return replace(
        site,
        project=project,
        manager=manager or site.manager,
        earthworks=earthworks,
        excavation=excavation,
        backfill=backfill,
        handover=handover,
    )


def audit_actions(org: Organization) -> list[str]:
    return list(AuditEvent.objects.for_organization(org).order_by("pk").values_list("action", flat=True))
