"""Acceptance of deliverables and the satisfaction survey, through the services."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest

from pmo.errors import ApplicationError
from pmo.models import AuditEvent
from quality.models import (
    AcceptanceCondition,
    AcceptanceDecision,
    Deliverable,
    NonConformance,
    SatisfactionSurvey,
)
from quality.services import acceptance as services
from tests.factories import InspectionFactory, ProjectFactory, WbsElementFactory
from tests.quality.acceptance_support import Acceptance, make_acceptance

pytestmark = pytest.mark.django_db


@pytest.fixture
def site() -> Acceptance:
    return make_acceptance()


def flag(site: Acceptance, **fields) -> Deliverable:
    return services.deliverable_flag(actor=site.manager, project=site.project, wbs_element=site.element, **fields)


def test_the_project_manager_flags_a_wbs_element_as_a_deliverable_with_criteria_and_inspections(site) -> None:
    inspection = InspectionFactory(project=site.project, organization=site.org)
    deliverable = flag(site, criteria="  Kerb line within 5 mm  ", inspections=[inspection])
    assert deliverable.status == "pending"
    assert deliverable.criteria == "Kerb line within 5 mm"
    assert list(deliverable.inspections.all()) == [inspection]
    event = AuditEvent.objects.for_organization(site.org).get(action="deliverable.flagged")
    assert event.changes["wbs_element"] == [None, site.element.code]


def test_an_element_is_flagged_once_and_only_in_its_own_project(site) -> None:
    flag(site)
    with pytest.raises(ApplicationError) as twice:
        flag(site)
    assert twice.value.code == "already_deliverable"
    elsewhere = WbsElementFactory(project=ProjectFactory(organization=site.org), organization=site.org)
    with pytest.raises(ApplicationError) as foreign:
        services.deliverable_flag(actor=site.manager, project=site.project, wbs_element=elsewhere)
    assert foreign.value.code == "not_found"
    assert Deliverable.objects.for_organization(site.org).count() == 1


def test_a_deliverable_relies_only_on_inspections_of_its_project(site) -> None:
    deliverable = flag(site)
    other = InspectionFactory(project=ProjectFactory(organization=site.org), organization=site.org)
    with pytest.raises(ApplicationError) as refused:
        services.deliverable_update(actor=site.manager, deliverable=deliverable, inspections=[other])
    assert (refused.value.code, refused.value.fields.keys()) == ("not_found", {"inspections"})
    own = InspectionFactory(project=site.project, organization=site.org)
    deliverable = services.deliverable_update(
        actor=site.manager, deliverable=deliverable, criteria="New", inspections=[own.pk]
    )
    assert (deliverable.criteria, list(deliverable.inspections.all())) == ("New", [own])


def test_the_client_representative_accepts_and_the_decision_is_kept_with_the_role_signed_as(site) -> None:
    deliverable = services.deliverable_sign(actor=site.client, deliverable=flag(site), decision="accepted")
    assert (deliverable.status, deliverable.decided_by) == ("accepted", site.client)
    decision = AcceptanceDecision.objects.for_organization(site.org).get()
    assert (decision.status, decision.signer_role, decision.signed_by) == ("accepted", "client", site.client)
    with pytest.raises(ApplicationError) as again:
        services.deliverable_sign(actor=site.quality, deliverable=deliverable, decision="rejected", note="x")
    assert again.value.code == "deliverable_decided"


def test_the_quality_role_signs_as_quality(site) -> None:
    services.deliverable_sign(actor=site.quality, deliverable=flag(site), decision="accepted")
    assert AcceptanceDecision.objects.for_organization(site.org).get().signer_role == "quality"


@pytest.mark.parametrize("who", ["manager", "worker", "outsider"])
def test_nobody_else_signs_acceptance(site, who) -> None:
    deliverable = flag(site)
    with pytest.raises(ApplicationError) as refused:
        services.deliverable_sign(actor=getattr(site, who), deliverable=deliverable, decision="accepted")
    assert (refused.value.code, refused.value.status_code) == ("not_a_signer", 403)
    assert not AcceptanceDecision.objects.for_organization(site.org).exists()


def test_accepting_with_conditions_needs_a_condition_and_tracks_each_to_closure(site) -> None:
    deliverable = flag(site)
    with pytest.raises(ApplicationError) as none:
        services.deliverable_sign(actor=site.client, deliverable=deliverable, decision="conditional", conditions=["  "])
    assert none.value.fields.keys() == {"conditions"}
    due = site.org.today() + dt.timedelta(days=10)
    deliverable = services.deliverable_sign(
        actor=site.client,
        deliverable=deliverable,
        decision="conditional",
        conditions=[{"text": "Replace cracked kerb at 0+120", "due_date": due}, "Clean the gullies"],
    )
    assert deliverable.status == "conditional"
    first, second = AcceptanceCondition.objects.for_organization(site.org).order_by("id")
    assert (first.due_date, second.due_date, first.is_open) == (due, None, True)
    closed = services.condition_close(actor=site.manager, condition=first, note="Replaced on 3 May")
    assert (closed.closed_on, closed.closed_by, closed.closing_note) == (
        site.org.today(),
        site.manager,
        "Replaced on 3 May",
    )
    with pytest.raises(ApplicationError) as twice:
        services.condition_close(actor=site.quality, condition=closed, note="again")
    assert twice.value.code == "condition_closed"


def test_a_condition_is_closed_by_the_quality_role_the_manager_or_the_signer_only(site) -> None:
    deliverable = services.deliverable_sign(
        actor=site.client, deliverable=flag(site), decision="conditional", conditions=["a", "b", "c"]
    )
    a, b, c = AcceptanceCondition.objects.for_organization(site.org).filter(deliverable=deliverable).order_by("id")
    for who in (site.worker, site.outsider):
        with pytest.raises(ApplicationError) as refused:
            services.condition_close(actor=who, condition=a, note="done")
        assert refused.value.status_code == 403
    with pytest.raises(ApplicationError) as silent:
        services.condition_close(actor=site.client, condition=a, note="  ")
    assert silent.value.fields.keys() == {"note"}
    services.condition_close(actor=site.client, condition=a, note="seen")
    services.condition_close(actor=site.quality, condition=b, note="seen")
    services.condition_close(actor=site.manager, condition=c, note="seen")
    assert not AcceptanceCondition.objects.for_organization(site.org).filter(closed_on__isnull=True).exists()


def test_conditions_belong_only_to_a_conditional_acceptance_and_are_not_due_in_the_past(site) -> None:
    deliverable = flag(site)
    with pytest.raises(ApplicationError):
        services.deliverable_sign(actor=site.client, deliverable=deliverable, decision="accepted", conditions=["x"])
    yesterday = site.org.today() - dt.timedelta(days=1)
    with pytest.raises(ApplicationError):
        services.deliverable_sign(
            actor=site.client,
            deliverable=deliverable,
            decision="conditional",
            conditions=[{"text": "x", "due_date": yesterday}],
        )
    with pytest.raises(ApplicationError):
        services.deliverable_sign(actor=site.client, deliverable=deliverable, decision="pending")
    deliverable.refresh_from_db()
    assert deliverable.status == "pending"
    assert not AcceptanceCondition.objects.for_organization(site.org).exists()


def test_a_rejection_needs_reasons_opens_a_major_non_conformance_and_is_signed_again_once_that_is_closed(site) -> None:
    deliverable = flag(site)
    with pytest.raises(ApplicationError) as silent:
        services.deliverable_sign(actor=site.client, deliverable=deliverable, decision="rejected")
    assert silent.value.fields.keys() == {"note"}
    assert not NonConformance.objects.for_organization(site.org).exists()

    with mock.patch("quality.alert_kinds.on_rejected") as told:
        deliverable = services.deliverable_sign(
            actor=site.client, deliverable=deliverable, decision="rejected", note="Kerb joints not pointed"
        )
    told.assert_called_once_with(deliverable)
    nc = NonConformance.objects.for_organization(site.org).get()
    assert (nc.severity, nc.description, nc.wbs_element, deliverable.non_conformance) == (
        "major",
        "Kerb joints not pointed",
        site.element,
        nc,
    )
    assert deliverable.status == "rejected"

    with pytest.raises(ApplicationError) as early:
        services.deliverable_sign(actor=site.quality, deliverable=deliverable, decision="accepted")
    assert early.value.code == "rejection_open"
    nc.status, nc.verification_note, nc.closed_on = "closed", "Joints pointed and checked", site.org.today()
    nc.save()

    deliverable = services.deliverable_sign(actor=site.quality, deliverable=deliverable, decision="accepted")
    assert deliverable.status == "accepted"
    history = list(
        AcceptanceDecision.objects.for_organization(site.org)
        .order_by("signed_at", "id")
        .values_list("status", "signer_role")
    )
    assert history == [("rejected", "client"), ("accepted", "quality")]


def test_a_deliverable_is_unflagged_only_before_anyone_signs_it(site) -> None:
    deliverable = flag(site)
    services.deliverable_unflag(actor=site.manager, deliverable=deliverable)
    assert not Deliverable.objects.for_organization(site.org).exists()
    assert AuditEvent.objects.for_organization(site.org).filter(action="deliverable.unflagged").exists()

    deliverable = flag(site)
    services.deliverable_sign(actor=site.client, deliverable=deliverable, decision="rejected", note="No")
    with pytest.raises(ApplicationError) as refused:
        services.deliverable_unflag(actor=site.manager, deliverable=deliverable)
    assert refused.value.code == "deliverable_decided"
    assert Deliverable.objects.for_organization(site.org).exists()


def test_an_accepted_deliverable_keeps_its_criteria(site) -> None:
    deliverable = services.deliverable_sign(actor=site.client, deliverable=flag(site), decision="accepted")
    with pytest.raises(ApplicationError) as refused:
        services.deliverable_update(actor=site.manager, deliverable=deliverable, criteria="Changed later")
    assert refused.value.code == "deliverable_decided"


def test_a_closed_project_changes_no_acceptance() -> None:
    site = make_acceptance(phase="closed")
    with pytest.raises(ApplicationError) as refused:
        flag(site)
    assert refused.value.code == "project_not_open"


def test_the_client_enters_the_survey_once_and_anyone_else_enters_it_on_their_behalf(site) -> None:
    survey = services.survey_save(
        actor=site.client, project=site.project, quality=4, schedule=3, communication=5, service=4, comments=" Good "
    )
    assert (survey.on_behalf, survey.comments, survey.average) == (False, "Good", survey.average)
    assert str(survey.average) == "4.00"
    survey = services.survey_save(
        actor=site.manager,
        project=site.project,
        quality=5,
        schedule=5,
        communication=5,
        service=5,
        respondent="Mr Li",
    )
    assert SatisfactionSurvey.objects.for_organization(site.org).count() == 1
    assert (survey.on_behalf, survey.respondent, survey.quality, survey.entered_by) == (True, "Mr Li", 5, site.manager)
    actions = list(
        AuditEvent.objects.for_organization(site.org)
        .filter(target_type="quality.satisfactionsurvey")
        .values_list("action", flat=True)
    )
    assert sorted(actions) == ["satisfaction.entered", "satisfaction.updated"]


@pytest.mark.parametrize("bad", [0, 6, "3.5", None, True, "x"])
def test_a_survey_score_outside_1_to_5_is_refused_and_nothing_is_saved(site, bad) -> None:
    with pytest.raises(ApplicationError) as refused:
        services.survey_save(
            actor=site.client, project=site.project, quality=bad, schedule=3, communication=3, service=3
        )
    assert refused.value.fields.keys() == {"quality"}
    assert not SatisfactionSurvey.objects.for_organization(site.org).exists()
