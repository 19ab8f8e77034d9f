"""The quality gate checks block and then pass; the safety veto blocks every gate and makes the RAG red."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from dashboard import portfolio as dashboard
from dashboard.portfolio.selectors import project_computed_rag
from pmo.errors import ApplicationError
from pmo.models import Membership, Organization, OrgRole
from projects.gate_checks import gate_checks
from projects.models import Phase, Project
from projects.services import projects as project_services
from projects.services.gate_checks import gate_check_selection
from quality.gate_checks import EXECUTION, SAFETY_VETO, execution_done, no_safety_veto
from quality.gate_checks_acceptance import ACCEPTANCE
from quality.models import Discipline, NonConformance
from tests.conftest import page_client_for
from tests.factories import (
    InspectionFactory,
    InspectionTypeFactory,
    NonConformanceFactory,
    PlanEntryFactory,
    ProjectFactory,
    member,
)
from tests.projects.helpers import make_project

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def critical_safety_nc(project: Project) -> NonConformance:
    safety = InspectionTypeFactory(organization=project.organization, code="safety", discipline=Discipline.SAFETY)
    return NonConformanceFactory(project=project, severity="critical", inspection_type=safety, number=7)


def test_the_checks_are_registered_with_their_defaults(organization: Organization) -> None:
    assert {EXECUTION, SAFETY_VETO, ACCEPTANCE} <= {check.code for check in gate_checks}
    selection = gate_check_selection(organization)
    for phase in (Phase.INITIATION, Phase.PLANNING, Phase.EXECUTION, Phase.CLOSING, Phase.OPERATIONS):
        assert SAFETY_VETO in selection[phase]
    assert EXECUTION in selection[Phase.EXECUTION]
    assert EXECUTION not in selection[Phase.PLANNING]


def test_leaving_execution_needs_every_planned_inspection_signed_and_no_major_nc_open(
    organization: Organization,
) -> None:
    project = ProjectFactory(organization=organization, phase=Phase.EXECUTION)
    assert execution_done(project)[0] is True  # nothing planned, nothing open

    first = PlanEntryFactory(project=project)
    second = PlanEntryFactory(project=project)
    InspectionFactory(project=project, plan_entry=first, status="signed", outcome="failed", signed_at=timezone.now())
    InspectionFactory(project=project, plan_entry=second, status="cancelled")
    nc = NonConformanceFactory(project=project, severity="major", number=3)
    NonConformanceFactory(project=project, severity="minor", number=4)  # a minor one does not block

    passed, reason = execution_done(project)
    assert passed is False
    assert str(reason) == (
        "1 of 2 planned inspections is not signed off yet. 1 major or critical non-conformance is open: NC-003."
    )

    InspectionFactory(project=project, plan_entry=second, status="signed", outcome="passed", signed_at=timezone.now())
    passed, reason = execution_done(project)
    assert (passed, str(reason)) == (False, "1 major or critical non-conformance is open: NC-003.")

    NonConformance.objects.for_organization(organization).filter(pk=nc.pk).update(
        status="cancelled", cancel_reason="Raised twice"
    )
    passed, reason = execution_done(project)
    assert passed is True
    assert str(reason) == (
        "All 2 planned inspections are signed off, and no major or critical non-conformance is open."
    )
    with translation.override("zh-hans"):
        assert (
            str(reason) != "All 2 planned inspections are signed off, and no major or critical non-conformance is open."
        )


def test_the_safety_veto_blocks_a_gate_until_the_non_conformance_is_closed(organization: Organization) -> None:
    pmo: Membership = member(organization, OrgRole.PMO, username="pmo")
    project = make_project(organization)
    nc = critical_safety_nc(project)

    with pytest.raises(ApplicationError) as refused:
        project_services.project_advance(
            actor=pmo.user,
            membership=pmo,
            project_role=None,
            project=project,
            to_phase=Phase.PLANNING,
            passed_criteria=[c.pk for c in project_services.gate_criteria(organization, project.phase)],
        )
    assert refused.value.code == "safety_veto"
    assert "NC-007" in refused.value.message
    assert no_safety_veto(project)[0] is False

    NonConformance.objects.for_organization(organization).filter(pk=nc.pk).update(
        status="closed", closed_on=organization.today(), verification_note="Guard rail refitted.", days_to_close=0
    )
    project.refresh_from_db()
    gate = project_services.project_advance(
        actor=pmo.user,
        membership=pmo,
        project_role=None,
        project=project,
        to_phase=Phase.PLANNING,
        passed_criteria=[c.pk for c in project_services.gate_criteria(organization, project.phase)],
    )
    recorded = {item["code"]: item["passed"] for item in gate.computed_checks}
    assert recorded[SAFETY_VETO] is True


def test_a_critical_non_conformance_of_a_quality_inspection_is_no_veto(organization: Organization) -> None:
    project = ProjectFactory(organization=organization)
    NonConformanceFactory(project=project, severity="critical")
    assert no_safety_veto(project) == (True, no_safety_veto(project)[1])
    assert no_safety_veto(project)[0] is True


def test_the_veto_makes_the_computed_rag_red_with_its_reason() -> None:
    green = dashboard.computed_rag(
        has_baseline=True, spi=Decimal("1.0"), cpi=Decimal("1.0"), red_alerts=0, amber_alerts=0, milestone_late_days=0
    )
    assert green.rag == dashboard.GREEN
    vetoed = dashboard.computed_rag(
        has_baseline=True,
        spi=Decimal("1.0"),
        cpi=Decimal("1.0"),
        red_alerts=0,
        amber_alerts=0,
        milestone_late_days=0,
        safety_vetoes=2,
    )
    assert vetoed.rag == dashboard.RED
    assert [(r.code, r.rag, r.value) for r in vetoed.reasons] == [("safety_veto", "red", "2")]
    # Without a baseline nothing is measured, but the veto still makes it red.
    unmeasured = dashboard.computed_rag(
        has_baseline=False, spi=None, cpi=None, red_alerts=0, amber_alerts=0, milestone_late_days=0, safety_vetoes=1
    )
    assert unmeasured.rag == dashboard.RED
    assert [r.code for r in unmeasured.reasons] == ["safety_veto", "no_baseline"]


def test_the_dashboard_and_the_project_rag_show_the_veto(organization: Organization) -> None:
    project = ProjectFactory(organization=organization, code="SAFE-1", phase=Phase.EXECUTION)
    ProjectFactory(organization=organization, code="CALM-1", phase=Phase.EXECUTION)
    critical_safety_nc(project)

    assert project_computed_rag(organization, project, organization.today()).rag == dashboard.RED
    pmo = member(organization, OrgRole.PMO)
    html = page_client_for(pmo.user).get("/o/acme/").content.decode()
    assert 'data-reason="safety_veto"' in html
    assert "safety veto: 1 critical safety non-conformance open" in html
    assert f'id="quality-row-{project.pk}" data-veto="true"' in html
