"""The lifecycle: initiation → planning → execution → closing → operations → closed, through gates."""

from __future__ import annotations

import pytest

from pmo.errors import ApplicationError
from pmo.models import AuditEvent, Membership, Organization, OrgRole
from projects.models import GateCriterion, Phase, Project, ProjectMember, StageGate
from projects.services import plan
from projects.services import projects as services
from tests.factories import member
from tests.projects.helpers import add_task, make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def pmo(organization: Organization) -> Membership:
    return member(organization, OrgRole.PMO)


@pytest.fixture
def pm(organization: Organization) -> Membership:
    return member(organization, OrgRole.PROJECT_MANAGER)


@pytest.fixture
def project(organization: Organization, pm: Membership) -> Project:
    return make_project(organization, manager=pm.user)


def advance(who: Membership, project: Project, to_phase: str, role: str | None = None, **extra: object):  # type: ignore[no-untyped-def]
    project.refresh_from_db()
    criteria = [c.pk for c in services.gate_criteria(project.organization, project.phase)]
    return services.project_advance(
        actor=who.user,
        membership=who,
        project_role=role,
        project=project,
        to_phase=to_phase,
        passed_criteria=extra.pop("passed", criteria),  # type: ignore[arg-type]
        **extra,  # type: ignore[arg-type]
    )


def phase(project: Project) -> str:
    project.refresh_from_db()
    return project.phase


def test_a_new_project_starts_in_initiation_with_its_manager_on_the_team(project: Project, pm: Membership) -> None:
    assert project.phase == Phase.INITIATION
    assert ProjectMember.objects.for_organization(project.organization_id).get(project=project).user == pm.user


def test_a_project_goes_from_initiation_to_closed_through_every_gate(
    organization: Organization, project: Project, pm: Membership, pmo: Membership
) -> None:
    advance(pmo, project, Phase.PLANNING)
    add_task(project, "Design", actor=pm)
    plan.baseline_create(actor=pm.user, project=project, name="Original")
    advance(pmo, project, Phase.EXECUTION)
    advance(pm, project, Phase.CLOSING, role="manager")
    advance(pmo, project, Phase.OPERATIONS)
    advance(member(organization, OrgRole.MAINTENANCE), project, Phase.CLOSED)
    assert phase(project) == Phase.CLOSED
    gates = StageGate.objects.for_organization(organization).filter(project=project).order_by("approved_at", "pk")
    assert [(g.from_phase, g.to_phase) for g in gates] == [
        ("initiation", "planning"),
        ("planning", "execution"),
        ("execution", "closing"),
        ("closing", "operations"),
        ("operations", "closed"),
    ]
    assert all(item["passed"] for gate in gates for item in gate.checklist)
    assert AuditEvent.objects.for_organization(organization).filter(action="project.gate_passed").count() == 5


def test_skipping_a_phase_is_refused_and_changes_nothing(project: Project, pmo: Membership) -> None:
    with pytest.raises(ApplicationError) as raised:
        advance(pmo, project, Phase.EXECUTION)
    assert raised.value.code == "illegal_move"
    assert phase(project) == Phase.INITIATION
    assert not StageGate.objects.for_organization(project.organization_id).exists()


def test_leaving_planning_needs_a_baseline(project: Project, pm: Membership, pmo: Membership) -> None:
    advance(pmo, project, Phase.PLANNING)
    add_task(project, "Design", actor=pm)
    with pytest.raises(ApplicationError) as raised:
        advance(pmo, project, Phase.EXECUTION)
    assert raised.value.code == "baseline_required"
    assert phase(project) == Phase.PLANNING


def test_the_wrong_role_cannot_pass_a_gate(organization: Organization, project: Project, pm: Membership) -> None:
    # The project's own manager cannot approve their project's business case; finance cannot either.
    for who, role in ((pm, "manager"), (member(organization, OrgRole.FINANCE), None)):
        with pytest.raises(ApplicationError) as raised:
            advance(who, project, Phase.PLANNING, role=role)
        assert raised.value.status_code == 403
    assert phase(project) == Phase.INITIATION


def test_a_project_manager_closes_execution_only_on_their_own_project(
    organization: Organization, project: Project, pm: Membership, pmo: Membership
) -> None:
    advance(pmo, project, Phase.PLANNING)
    add_task(project, "Design", actor=pm)
    plan.baseline_create(actor=pm.user, project=project, name="Original")
    advance(pmo, project, Phase.EXECUTION)
    other_pm = member(organization, OrgRole.PROJECT_MANAGER)
    with pytest.raises(ApplicationError):
        advance(other_pm, project, Phase.CLOSING, role=None)
    advance(pm, project, Phase.CLOSING, role="manager")
    assert phase(project) == Phase.CLOSING


def test_every_checklist_item_must_be_met(project: Project, pmo: Membership) -> None:
    criteria = services.gate_criteria(project.organization, Phase.INITIATION)
    with pytest.raises(ApplicationError) as raised:
        advance(pmo, project, Phase.PLANNING, passed=[criteria[0].pk])
    assert raised.value.code == "checklist_incomplete"
    assert raised.value.fields["passed_criteria"] == [c.text for c in criteria[1:]]
    assert phase(project) == Phase.INITIATION


def test_the_checklist_is_the_organisations_own(organization: Organization, project: Project, pmo: Membership) -> None:
    services.gate_criteria(organization, Phase.INITIATION)
    GateCriterion.objects.for_organization(organization).filter(from_phase=Phase.INITIATION).update(is_active=False)
    GateCriterion.objects.create(organization=organization, from_phase=Phase.INITIATION, text="Board minutes filed")
    gate = advance(pmo, project, Phase.PLANNING)
    assert gate.checklist == [{"criterion": "Board minutes filed", "passed": True}]


def test_a_project_is_cancelled_from_any_open_phase_with_a_reason(project: Project, pmo: Membership) -> None:
    with pytest.raises(ApplicationError):
        advance(pmo, project, Phase.CANCELLED, passed=[], comment="  ")
    advance(pmo, project, Phase.CANCELLED, passed=[], comment="Funding withdrawn")
    assert phase(project) == Phase.CANCELLED
    with pytest.raises(ApplicationError) as raised:
        advance(pmo, project, Phase.PLANNING)
    assert raised.value.code == "illegal_move"


def test_a_closed_project_cannot_be_edited(project: Project, pmo: Membership) -> None:
    advance(pmo, project, Phase.CANCELLED, passed=[], comment="Stopped")
    with pytest.raises(ApplicationError) as raised:
        services.project_update(actor=pmo.user, project=project, name="Renamed")
    assert raised.value.code == "project_closed"


def test_project_codes_are_unique_in_the_organisation_only(
    organization: Organization, other_organization: Organization, project: Project
) -> None:
    with pytest.raises(ApplicationError):
        make_project(organization, code="P-1")
    assert make_project(other_organization, code="P-1").code == "P-1"


def test_sponsor_and_manager_must_belong_to_the_organisation(
    organization: Organization, other_organization: Organization
) -> None:
    outsider = member(other_organization, OrgRole.PROJECT_MANAGER)
    with pytest.raises(ApplicationError) as raised:
        make_project(organization, code="P-9", manager=outsider.user)
    assert "manager" in raised.value.fields
    assert not Project.objects.for_organization(organization).filter(code="P-9").exists()


def test_the_project_manager_cannot_be_removed_from_the_team(project: Project, pmo: Membership) -> None:
    manager = ProjectMember.objects.for_organization(project.organization_id).get(project=project)
    with pytest.raises(ApplicationError) as raised:
        services.project_member_remove(actor=pmo.user, member=manager)
    assert raised.value.code == "manager_required"


def test_changing_the_manager_puts_them_on_the_team(
    organization: Organization, project: Project, pmo: Membership
) -> None:
    new_pm = member(organization, OrgRole.PROJECT_MANAGER)
    services.project_update(actor=pmo.user, project=project, manager=new_pm.user)
    team = ProjectMember.objects.for_organization(organization).filter(project=project)
    assert team.get(user=new_pm.user).role == "manager"


def test_tags_are_cleaned(organization: Organization) -> None:
    project = make_project(organization, code="P-7", tags=[" park ", "green", "park", ""])
    assert project.tags == ["green", "park"]


def test_the_manager_role_comes_only_from_the_projects_manager(
    organization: Organization, project: Project, pmo: Membership
) -> None:
    newcomer = member(organization, OrgRole.MEMBER)
    with pytest.raises(ApplicationError) as raised:
        services.project_member_add(actor=pmo.user, project=project, user=newcomer.user, role="manager")
    assert raised.value.code == "manager_via_project"
    manager = ProjectMember.objects.for_organization(organization).get(project=project, role="manager")
    with pytest.raises(ApplicationError) as raised:
        services.project_member_change_role(actor=pmo.user, member=manager, role="member")
    assert raised.value.code == "manager_required"


def test_portfolios_hold_programmes_and_programmes_hold_nothing(organization: Organization, pmo: Membership) -> None:
    from projects.models import Portfolio

    renewal = services.portfolio_create(actor=pmo.user, organization=organization, name="Renewal")
    greenway = services.portfolio_create(actor=pmo.user, organization=organization, name="Greenway", parent=renewal)
    assert greenway.kind == Portfolio.Kind.PROGRAMME
    with pytest.raises(ApplicationError):
        services.portfolio_create(actor=pmo.user, organization=organization, name="Deeper", parent=greenway)
    with pytest.raises(ApplicationError):  # a portfolio with programmes cannot become one
        services.portfolio_update(
            actor=pmo.user,
            portfolio=renewal,
            parent=services.portfolio_create(actor=pmo.user, organization=organization, name="Other"),
        )
    services.portfolio_update(actor=pmo.user, portfolio=greenway, parent=None)
    greenway.refresh_from_db()
    assert (greenway.kind, greenway.parent_id) == (Portfolio.Kind.PORTFOLIO, None)
