"""Resource requests through their services: numbering, validation, candidates with their free hours,
proposals, fulfilment into assignments, declining, cancelling and refusals in the wrong state (the site
is described in tests/resources/assignments_support.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from pmo.errors import ApplicationError
from pmo.models import Organization
from projects.models import Phase
from resources.models import Assignment, AssignmentMode, RequestStatus, ResourceRequest
from resources.services import requests as services
from resources.services.assignments import assignment_create
from tests.factories import (
    ProjectFactory,
    ResourceExceptionFactory,
    ResourceFactory,
    ResourceSkillFactory,
    SkillFactory,
    WbsElementFactory,
)
from tests.resources.assignments_support import Site, another_project, audit_actions, d, make_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(organization: Organization) -> Site:
    return make_site(organization)


def ask(site: Site, **fields: Any) -> ResourceRequest:
    values: dict[str, Any] = {
        "task": site.excavation,
        "role": site.engineer_role,
        "hours": Decimal("40"),
        "start": d(2),
        "finish": d(6),
    }
    values.update(fields)
    return services.resource_request_create(actor=site.manager, project=site.project, **values)


def refused(call: Any, **fields: Any) -> ApplicationError:
    with pytest.raises(ApplicationError) as error:
        call(**fields)
    return error.value


def test_requests_are_numbered_per_project(site: Site) -> None:
    first, second = ask(site), ask(site, hours=Decimal("8"))
    other = ask(another_project(site, "OTH"))

    assert [first.code, second.code, other.code] == ["RQ-001", "RQ-002", "RQ-001"]
    assert first.status == RequestStatus.OPEN
    assert audit_actions(site.org).count("resource_request.created") == 3


def test_a_request_asks_for_a_role_or_a_skill(site: Site) -> None:
    error = refused(ask, site=site, role=None)

    assert error.code == "role_or_skill"
    assert not ResourceRequest.objects.for_organization(site.org).exists()


def test_a_period_that_ends_before_it_starts_is_refused(site: Site) -> None:
    error = refused(ask, site=site, start=d(6), finish=d(2))

    assert list(error.fields) == ["finish"]


def test_hours_below_a_quarter_are_refused(site: Site) -> None:
    assert "hours" in refused(ask, site=site, hours=Decimal("0.1")).fields


def test_a_summary_or_another_projects_task_is_refused(site: Site) -> None:
    assert refused(ask, site=site, task=site.earthworks).code == "not_a_task"
    stranger = WbsElementFactory(project=ProjectFactory(organization=site.org))
    assert refused(ask, site=site, task=stranger).code == "not_found"


def test_a_closed_project_asks_for_nothing(site: Site) -> None:
    site.project.phase = Phase.CLOSED
    site.project.save()

    assert refused(ask, site=site).code == "project_not_open"


def test_candidates_match_role_and_skill_level_and_show_their_free_hours(site: Site) -> None:
    # Li Wei (the site's engineer) already works 40 h on another project that week: 40 - 40 = 0 free.
    other = another_project(site, "OTH")
    assignment_create(
        actor=site.admin, project=other.project, task=other.excavation, resource=site.engineer, work=Decimal("40")
    )
    # Zhang Min, an engineer with two days of leave: 40 - 16 = 24 free hours in Mon 2 to Fri 6 March.
    zhang = ResourceFactory(organization=site.org, code="P002", name="Zhang Min", role=site.engineer_role)
    ResourceExceptionFactory(resource=zhang, start=d(2), finish=d(3))
    # Wang Fang: an engineer, full week free: 40 h.
    ResourceFactory(organization=site.org, code="P003", name="Wang Fang", role=site.engineer_role)
    # Neither a placeholder, an inactive engineer, nor a surveyor of another role is a candidate.
    ResourceFactory(organization=site.org, code="X001", role=site.engineer_role, is_placeholder=True)
    ResourceFactory(organization=site.org, code="X002", role=site.engineer_role, is_active=False)
    ResourceFactory(organization=site.org, code="X003")
    request = ask(site)

    candidates = services.request_candidates(site.org, request)

    assert [(c.resource.code, c.free_hours) for c in candidates] == [("P003", 40.0), ("P002", 24.0), ("P001", 0.0)]


def test_a_skill_request_lists_who_has_it_at_the_level_or_above(site: Site) -> None:
    gis = SkillFactory(organization=site.org, name="GIS")
    expert = ResourceFactory(organization=site.org, code="P004")
    novice = ResourceFactory(organization=site.org, code="P005")
    ResourceSkillFactory(resource=expert, skill=gis, level=4)
    ResourceSkillFactory(resource=novice, skill=gis, level=2)
    request = ask(site, role=None, skill=gis, min_level=3)

    candidates = services.request_candidates(site.org, request)

    assert [(c.resource.code, c.level) for c in candidates] == [("P004", 4)]


def test_proposing_makes_the_request_proposed_and_fulfilling_assigns_the_hours_as_work(site: Site) -> None:
    zhang = ResourceFactory(organization=site.org, code="P002", role=site.engineer_role)
    request = ask(site)
    services.resource_request_propose(actor=site.office, request=request, resource=site.engineer)
    services.resource_request_propose(actor=site.office, request=request, resource=zhang, hours=Decimal("16"))
    request.refresh_from_db()
    assert request.status == RequestStatus.PROPOSED

    services.resource_request_fulfil(actor=site.office, request=request, note="Both from Monday.")

    request.refresh_from_db()
    assert (request.status, request.decided_by, request.decision_reason) == (
        RequestStatus.FULFILLED,
        site.office,
        "Both from Monday.",
    )
    made = Assignment.objects.for_organization(site.org).filter(request=request).order_by("resource__code")
    # 40 h over the excavation's 5 days: 100 %; 16 h: 40 %.
    assert [(a.resource.code, a.task, a.mode, a.work, a.units) for a in made] == [
        ("P001", site.excavation, AssignmentMode.WORK, Decimal("40.00"), Decimal("100.00")),
        ("P002", site.excavation, AssignmentMode.WORK, Decimal("16.00"), Decimal("40.00")),
    ]
    assert "resource_request.fulfilled" in audit_actions(site.org)


def test_fulfilling_re_costs_the_task_with_bottom_up_costing(site: Site) -> None:
    from resources.services.costing import project_resourcing_set

    project_resourcing_set(actor=site.manager, project=site.project, bottom_up_costing=True)
    request = ask(site)
    services.resource_request_propose(actor=site.office, request=request, resource=site.engineer)

    services.resource_request_fulfil(actor=site.office, request=request)

    site.refresh()
    assert site.excavation.budgeted_cost == Decimal("4320.00")  # 3 * 8 * 100 + 2 * 8 * 120


def test_withdrawing_the_last_proposal_opens_the_request_again(site: Site) -> None:
    request = ask(site)
    proposal = services.resource_request_propose(actor=site.office, request=request, resource=site.engineer)

    services.resource_request_withdraw_proposal(actor=site.office, proposal=proposal)

    request.refresh_from_db()
    assert request.status == RequestStatus.OPEN


def test_nothing_to_fulfil_without_a_proposal(site: Site) -> None:
    error = refused(services.resource_request_fulfil, actor=site.office, request=ask(site))

    assert (error.code, error.status_code) == ("no_proposal", 409)


def test_a_proposed_resource_already_on_the_task_refuses_the_whole_fulfilment(site: Site) -> None:
    zhang = ResourceFactory(organization=site.org, code="P002", role=site.engineer_role)
    assignment_create(actor=site.manager, project=site.project, task=site.excavation, resource=zhang, work=Decimal("8"))
    request = ask(site)
    services.resource_request_propose(actor=site.office, request=request, resource=site.engineer)
    services.resource_request_propose(actor=site.office, request=request, resource=zhang)

    error = refused(services.resource_request_fulfil, actor=site.office, request=request)

    assert error.code == "duplicate"
    request.refresh_from_db()
    assert request.status == RequestStatus.PROPOSED
    assert Assignment.objects.for_organization(site.org).count() == 1


def test_a_placeholder_a_material_or_a_second_proposal_of_one_resource_is_refused(site: Site) -> None:
    request = ask(site)
    placeholder = ResourceFactory(organization=site.org, code="X001", is_placeholder=True)
    services.resource_request_propose(actor=site.office, request=request, resource=site.engineer)

    propose = services.resource_request_propose
    assert refused(propose, actor=site.office, request=request, resource=placeholder).code == "placeholder"
    assert refused(propose, actor=site.office, request=request, resource=site.concrete).code == "material"
    assert refused(propose, actor=site.office, request=request, resource=site.engineer).code == "duplicate"


def test_declining_needs_a_reason(site: Site) -> None:
    request = ask(site)
    assert refused(services.resource_request_decline, actor=site.office, request=request, reason=" ").code == (
        "reason_missing"
    )

    services.resource_request_decline(actor=site.office, request=request, reason="Nobody free before April.")

    request.refresh_from_db()
    assert (request.status, request.decision_reason) == (RequestStatus.DECLINED, "Nobody free before April.")


@pytest.mark.parametrize("final", ["fulfilled", "declined", "cancelled"])
def test_a_decided_request_refuses_every_step_with_a_conflict(site: Site, final: str) -> None:
    request = ask(site)
    if final == "fulfilled":
        services.resource_request_propose(actor=site.office, request=request, resource=site.engineer)
        services.resource_request_fulfil(actor=site.office, request=request)
    elif final == "declined":
        services.resource_request_decline(actor=site.office, request=request, reason="No.")
    else:
        services.resource_request_cancel(actor=site.manager, request=request)

    steps: list[tuple[Any, dict[str, Any]]] = [
        (services.resource_request_propose, {"resource": ResourceFactory(organization=site.org)}),
        (services.resource_request_fulfil, {}),
        (services.resource_request_decline, {"reason": "Late."}),
        (services.resource_request_cancel, {}),
    ]
    for step, fields in steps:
        error = refused(step, actor=site.office, request=request, **fields)
        assert (error.code, error.status_code) == ("invalid_state", 409), step.__name__
        assert request.code in error.message
    request.refresh_from_db()
    assert request.status == final


def test_the_requester_or_a_planner_may_cancel(site: Site) -> None:
    from pmo.models import Membership

    request = ask(site)
    manager = Membership.objects.for_organization(site.org).get(user=site.manager)
    viewer = Membership.objects.for_organization(site.org).get(user=site.viewer)

    assert services.may_cancel(manager, None, request)  # the requester
    assert services.may_cancel(viewer, "manager", request)  # a planner of the project
    assert not services.may_cancel(viewer, None, request)
