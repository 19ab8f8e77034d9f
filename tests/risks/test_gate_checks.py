"""The risk register's gate checks: off until the organisation chooses them, then they block or record the gate."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import pytest
from django.utils import translation

from pmo.errors import ApplicationError
from pmo.models import Membership, Organization, OrgRole
from projects.gate_checks import gate_checks
from projects.models import Phase, Project, StageGate
from projects.services import plan
from projects.services import projects as services
from projects.services.gate_checks import gate_check_selection, gate_check_selection_update
from risks.gate_checks import high_risks_answered, register_assessed
from risks.models import Risk, RiskStatus
from tests.factories import RiskFactory, RiskResponseFactory, member
from tests.projects.helpers import add_task, make_project, without_quality_gate_checks

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _without_quality_checks() -> Iterator[None]:
    with without_quality_gate_checks():
        yield


@pytest.fixture
def pmo(organization: Organization) -> Membership:
    return member(organization, OrgRole.PMO, username="pmo")


@pytest.fixture
def project(organization: Organization, pmo: Membership) -> Project:
    project = make_project(organization, actor=pmo)
    advance(pmo, project, Phase.PLANNING)
    add_task(project, "Design", actor=pmo)
    plan.baseline_create(actor=pmo.user, project=project, name="Original")
    project.refresh_from_db()
    return project


def advance(who: Membership, project: Project, to_phase: str) -> StageGate:
    project.refresh_from_db()
    criteria = [c.pk for c in services.gate_criteria(project.organization, project.phase)]
    return services.project_advance(
        actor=who.user,
        membership=who,
        project_role=None,
        project=project,
        to_phase=to_phase,
        passed_criteria=criteria,
    )


def new_risk(project: Project, **fields: Any) -> Risk:
    values: dict[str, Any] = {"status": RiskStatus.ASSESSED}
    values.update(fields)
    return cast(Risk, RiskFactory(project=project, organization=project.organization, **values))


def choose(organization: Organization, pmo: Membership, **selection: list[str]) -> None:
    gate_check_selection_update(actor=pmo.user, organization=organization, selection=selection)


def test_both_checks_are_registered_off_by_default_for_planning_and_execution(organization: Organization) -> None:
    for code in ("risk_register_assessed", "high_risks_answered"):
        check = gate_checks.get(code)
        assert check is not None
        assert check.phases == {Phase.PLANNING, Phase.EXECUTION}
        assert check.default_phases == frozenset()
        with translation.override("zh-hans"):
            chinese = (str(check.label), str(check.explanation))
        with translation.override("en"):
            assert chinese != (str(check.label), str(check.explanation))
    assert gate_check_selection(organization)["planning"] == ["baseline_current"]


def test_an_empty_register_or_a_risk_not_yet_assessed_fails_the_register_check(project: Project) -> None:
    passed, reason = register_assessed(project)
    assert (passed, str(reason)) == (False, "The project has no risk on its register: identify and assess its risks.")

    new_risk(project)
    new_risk(project, status=RiskStatus.IDENTIFIED)
    new_risk(project, status=RiskStatus.IDENTIFIED)
    passed, reason = register_assessed(project)
    assert (passed, str(reason)) == (False, "2 risks are identified but not yet assessed.")

    Risk.objects.for_organization(project.organization).filter(project=project).update(status=RiskStatus.RESPONDING)
    passed, reason = register_assessed(project)
    assert (passed, str(reason)) == (True, "3 risks on the register, every one assessed.")


def test_an_open_high_risk_without_a_response_fails_the_answered_check(project: Project) -> None:
    new_risk(project, level="high", number=101)
    answered = new_risk(project, level="high", number=102)
    RiskResponseFactory(risk=answered, organization=project.organization)
    new_risk(project, level="high", number=103, status=RiskStatus.CLOSED)
    new_risk(project, level="medium", number=104)

    passed, reason = high_risks_answered(project)

    assert (passed, str(reason)) == (False, "1 open high risk has no response: R-101.")
    with translation.override("zh-hans"):
        assert "R-101" in str(reason)


def test_a_chosen_check_blocks_leaving_planning_and_then_records_its_reason_in_both_languages(
    organization: Organization, pmo: Membership, project: Project
) -> None:
    choose(organization, pmo, planning=["risk_register_assessed"])
    new_risk(project, status=RiskStatus.IDENTIFIED)

    with pytest.raises(ApplicationError) as refused:
        advance(pmo, project, Phase.EXECUTION)

    assert refused.value.code == "risk_register_unassessed"
    assert refused.value.message == "1 risk is identified but not yet assessed."
    project.refresh_from_db()
    assert project.phase == Phase.PLANNING

    Risk.objects.for_organization(organization).filter(project=project).update(status=RiskStatus.ASSESSED)
    gate = advance(pmo, project, Phase.EXECUTION)

    [record] = gate.computed_checks
    assert record["code"] == "risk_register_assessed"
    assert record["passed"] is True
    assert record["reasons"]["en"] == "1 risk on the register, every one assessed."
    assert set(record["reasons"]) == {"en", "zh-hans"}


def test_leaving_execution_needs_every_high_risk_answered_once_chosen(
    organization: Organization, pmo: Membership, project: Project
) -> None:
    choose(organization, pmo, execution=["high_risks_answered"])
    advance(pmo, project, Phase.EXECUTION)
    risk = new_risk(project, level="high", number=105)

    with pytest.raises(ApplicationError) as refused:
        advance(pmo, project, Phase.CLOSING)
    assert refused.value.code == "high_risk_unanswered"

    RiskResponseFactory(risk=risk, organization=organization)
    assert advance(pmo, project, Phase.CLOSING).computed_checks[0]["passed"] is True


def test_gates_that_passed_before_keep_passing_while_nobody_chooses_the_checks(
    pmo: Membership, project: Project
) -> None:
    new_risk(project, status=RiskStatus.IDENTIFIED, level="high")

    gate = advance(pmo, project, Phase.EXECUTION)

    assert {record["code"] for record in gate.computed_checks} <= {"baseline_current"}
