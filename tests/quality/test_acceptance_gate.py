"""The closing gate waits for acceptance: every deliverable accepted and every condition closed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

from pmo.errors import ApplicationError
from pmo.models import Membership, OrgRole
from projects.gate_checks import gate_checks
from projects.models import Phase, StageGate
from projects.services import projects as project_services
from quality.gate_checks_acceptance import ACCEPTANCE_CHECK, deliverables_accepted
from quality.models import AcceptanceCondition, NonConformance
from quality.services import acceptance as services
from tests.factories import WbsElementFactory, member
from tests.quality.acceptance_support import Acceptance, acceptance_check, make_acceptance

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_and_registered() -> Iterator[None]:
    with translation.override("en"), acceptance_check():
        yield


@pytest.fixture
def site() -> Acceptance:
    return make_acceptance(phase="closing")


def leave_closing(site: Acceptance, pmo: Membership) -> StageGate:
    site.project.refresh_from_db()
    criteria = [c.pk for c in project_services.gate_criteria(site.org, site.project.phase)]
    return project_services.project_advance(
        actor=pmo.user,
        membership=pmo,
        project_role=None,
        project=site.project,
        to_phase=Phase.OPERATIONS,
        passed_criteria=criteria,
    )


def test_the_check_applies_when_leaving_closing_by_default_in_both_languages() -> None:
    check = gate_checks.get("quality_acceptance")
    assert check is ACCEPTANCE_CHECK
    assert check.phases == check.default_phases == {Phase.CLOSING}
    with translation.override("zh-hans"):
        chinese = str(check.label)
    assert chinese != str(check.label)


def test_a_project_without_deliverables_passes_and_says_so(site) -> None:
    passed, reason = deliverables_accepted(site.project)
    assert (passed, str(reason)) == (True, "The project has no deliverable flagged for acceptance.")


def test_leaving_closing_is_refused_until_every_deliverable_is_accepted_and_every_condition_closed(
    site, django_assert_num_queries
) -> None:
    pmo = member(site.org, OrgRole.PMO)
    kerbs = services.deliverable_flag(actor=site.manager, project=site.project, wbs_element=site.element)
    planting = services.deliverable_flag(
        actor=site.manager,
        project=site.project,
        wbs_element=WbsElementFactory(project=site.project, organization=site.org, name="Planting"),
    )
    with django_assert_num_queries(1):
        passed, reason = deliverables_accepted(site.project)
    assert (passed, str(reason)) == (False, "2 of 2 deliverables are not accepted yet.")
    with pytest.raises(ApplicationError) as refused:
        leave_closing(site, pmo)
    assert refused.value.code == "deliverables_not_accepted"

    services.deliverable_sign(actor=site.client, deliverable=kerbs, decision="accepted")
    services.deliverable_sign(actor=site.client, deliverable=planting, decision="rejected", note="Trees dead")
    assert str(deliverables_accepted(site.project)[1]) == "1 of 2 deliverables is not accepted yet."

    NonConformance.objects.for_organization(site.org).update(
        status="closed", verification_note="Replanted", closed_on=site.org.today()
    )
    services.deliverable_sign(
        actor=site.client, deliverable=planting, decision="conditional", conditions=["Replace two trees"]
    )
    with django_assert_num_queries(2):
        passed, reason = deliverables_accepted(site.project)
    assert (passed, str(reason)) == (False, "1 acceptance condition is still open.")
    with pytest.raises(ApplicationError):
        leave_closing(site, pmo)
    site.project.refresh_from_db()
    assert site.project.phase == Phase.CLOSING

    condition = AcceptanceCondition.objects.for_organization(site.org).get()
    services.condition_close(actor=site.client, condition=condition, note="Replaced")
    gate = leave_closing(site, pmo)
    record = next(r for r in gate.computed_checks if r["code"] == "quality_acceptance")
    assert record["passed"] is True
    assert record["reasons"]["en"] == "All 2 deliverables accepted, every condition closed."
    assert set(record["reasons"]) == {"en", "zh-hans"}
