"""The demo's quality records: a bilingual library, a plan with a hold point, inspections whose failing
readings opened non-conformances at every stage, and deliverables signed (one rejected)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from finance.models import ActualCost
from pmo.errors import ApplicationError
from pmo.models import Organization
from projects.demo import PARK
from projects.models import Project, WbsElement
from projects.services.progress import task_progress_update
from quality.demo import ROAD, TUNNEL
from quality.gate_checks_acceptance import deliverables_accepted
from quality.models import (
    AcceptanceCondition,
    AcceptanceStatus,
    ChecklistItem,
    ChecklistTemplate,
    CorrectiveAction,
    Deliverable,
    Inspection,
    NcEvent,
    NcStatus,
    NonConformance,
    PlanEntry,
    Reading,
    SatisfactionSurvey,
    Standard,
)

pytestmark = pytest.mark.django_db
DAY = dt.date(2027, 2, 10)
MODELS = (
    Standard,
    ChecklistTemplate,
    ChecklistItem,
    PlanEntry,
    Inspection,
    Reading,
    NonConformance,
    CorrectiveAction,
    NcEvent,
    Deliverable,
    AcceptanceCondition,
    SatisfactionSurvey,
)


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[Organization]:
    """The demo seeded once for the module at ten in the morning of ``DAY`` in Shanghai.

    Seeded in an outer transaction rolled back after the module's last test: each test runs in a savepoint
    inside it (rolled back too), so what a test changes, or seeding again, stays its own.
    """
    moment = dt.datetime.combine(DAY, dt.time(2, 0), tzinfo=dt.UTC)
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch, transaction.atomic():
        patch.setattr(timezone, "now", lambda: moment)
        call_command("seed_demo", quiet_logins=True)
        yield Organization.objects.get(slug="demo")
        transaction.set_rollback(True)


def chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_the_library_has_bilingual_templates_with_the_standards_numbers(demo: Organization) -> None:
    templates = {t.code: t for t in ChecklistTemplate.objects.for_organization(demo).select_related("inspection_type")}
    assert set(templates) == {"EW-01", "AP-01", "KF-01", "PL-01", "SW-01"}
    assert all(t.name_zh and t.name_en and t.version == 1 for t in templates.values())
    assert templates["SW-01"].inspection_type.discipline == "safety"
    items = ChecklistItem.objects.for_organization(demo).select_related("template", "standard")
    assert all(item.text_zh and item.text_en for item in items)
    by_template = {code: [i for i in items if i.template.code == code] for code in templates}
    flatness = next(i for i in by_template["AP-01"] if "straightedge" in i.text_en)
    assert (flatness.comparator, flatness.limit_a, flatness.unit) == ("lte", Decimal(5), "mm")
    cracking = next(i for i in by_template["AP-01"] if i.kind == "compound")
    assert cracking.requirement() == "< 3 mm; 缝距 crack spacing > 100 mm"
    step = next(i for i in by_template["KF-01"] if i.kind == "numeric" and i.limit_a == 10)
    assert step.comparator == "lte"
    assert any(i.kind == "choice" for i in by_template["KF-01"])
    assert {i.kind for i in by_template["PL-01"]} >= {"choice", "photo"}
    assert {i.kind for i in by_template["SW-01"]} >= {"pass_fail", "choice"}
    assert any(i.severity == "critical" for i in by_template["SW-01"])
    codes = set(Standard.objects.for_organization(demo).values_list("code", flat=True))
    assert {"CJJ 1-2008", "GB 50204-2015"} <= codes
    assert items.filter(standard__isnull=False).count() >= 15


def test_the_park_has_a_plan_with_a_hold_point_that_holds_the_greenway(demo: Organization) -> None:
    park = Project.objects.for_organization(demo).get(code=PARK)
    entries = PlanEntry.objects.for_organization(demo).filter(project=park)
    assert entries.count() == 5
    hold = entries.get(hold_point=True)
    assert hold.template_code == "AP-01"
    task = WbsElement.objects.for_organization(demo).get(pk=hold.wbs_element_id)
    assert task.percent_complete < 100
    with pytest.raises(ApplicationError) as refused:
        task_progress_update(actor=park.manager, task=task, percent_complete=Decimal(100), effective_date=demo.today())
    assert refused.value.code == "completion_held"

    inspections = Inspection.objects.for_organization(demo).filter(project=park)
    assert Counter(inspections.values_list("outcome", flat=True)) == {
        "failed": 3,
        "passed": 2,
        "passed_with_remarks": 1,
        "": 1,
    }
    assert inspections.filter(reinspection_of__isnull=False, outcome="passed").count() == 1
    assert all(i.inspected_on is None or i.inspected_on <= demo.today() for i in inspections)
    readings = Reading.objects.for_organization(demo).filter(inspection__project=park)
    assert readings.filter(passed=False, number__isnull=False).count() >= 3
    assert readings.get(passed=False, item__kind="compound").judgement


def test_non_conformances_stand_at_every_stage_and_the_rework_cost_is_an_actual_cost(demo: Organization) -> None:
    today = demo.today()
    park = Project.objects.for_organization(demo).get(code=PARK)
    ncs = NonConformance.objects.for_organization(demo).filter(project=park).select_related("inspection_type")
    by_status = Counter(ncs.values_list("status", flat=True))
    assert by_status[NcStatus.ANALYSIS] == 1
    assert by_status[NcStatus.IN_PROGRESS] == 1
    assert by_status[NcStatus.CLOSED] == 2
    assert by_status[NcStatus.OPEN] >= 1
    # Raised directly against a supplier, and by the rejected acceptance of the earthworks.
    assert ncs.filter(inspection__isnull=True).count() == 2
    in_progress = ncs.get(status=NcStatus.IN_PROGRESS)
    actions = CorrectiveAction.objects.for_organization(demo).filter(non_conformance=in_progress)
    assert actions.count() == 2
    assert actions.filter(kind="preventive").exists()
    assert in_progress.due_date < today  # overdue
    closed = list(ncs.filter(status=NcStatus.CLOSED).order_by("number"))
    compaction, guard_rail = closed
    assert compaction.rework_cost == Decimal("18600.00")
    assert compaction.verification_note
    assert compaction.verified_by is not None
    assert compaction.days_to_close == 7
    cost = ActualCost.objects.for_organization(demo).get(project=park, category__code="rework")
    assert cost.amount == Decimal("18600.00")
    assert cost.date < today
    assert (guard_rail.severity, guard_rail.inspection_type.discipline) == ("critical", "safety")
    assert guard_rail.days_to_close == 1
    assert not ncs.filter(severity="critical", inspection_type__discipline="safety").exclude(status="closed").exists()
    assert all(nc.raised_on <= today for nc in ncs)
    events = NcEvent.objects.for_organization(demo).filter(non_conformance=compaction).order_by("at")
    assert [event.to_status for event in events][-1] == NcStatus.CLOSED
    assert events.first().at.date() < events.last().at.date()
    road = NonConformance.objects.for_organization(demo).get(project__code=ROAD)
    assert road.status == NcStatus.ACTION_PLAN
    assert road.due_date < today


def test_deliverables_are_signed_one_rejected_and_the_closing_project_has_its_survey(demo: Organization) -> None:
    tunnel = Project.objects.for_organization(demo).get(code=TUNNEL)
    signed = Counter(Deliverable.objects.for_organization(demo).filter(project=tunnel).values_list("status", flat=True))
    assert signed == {AcceptanceStatus.ACCEPTED: 1, AcceptanceStatus.CONDITIONAL: 1}
    assert not AcceptanceCondition.objects.for_organization(demo).filter(deliverable__project=tunnel, closed_on=None)
    assert deliverables_accepted(tunnel)[0] is True
    survey = SatisfactionSurvey.objects.for_organization(demo).get(project=tunnel)
    assert survey.on_behalf
    assert survey.average == Decimal("4.25")

    park = Deliverable.objects.for_organization(demo).filter(project__code=PARK).select_related("non_conformance")
    assert Counter(park.values_list("status", flat=True)) == {
        AcceptanceStatus.REJECTED: 1,
        AcceptanceStatus.PENDING: 2,
    }
    rejected = park.get(status=AcceptanceStatus.REJECTED)
    assert rejected.non_conformance is not None
    assert rejected.non_conformance.is_open
    assert rejected.decided_at is not None
    assert rejected.decided_at.date() < DAY
    assert rejected.inspections.count() == 2


def test_seeding_again_adds_nothing(demo: Organization) -> None:
    before = {model.__name__: model.objects.for_organization(demo).count() for model in MODELS}
    call_command("seed_demo", quiet_logins=True)
    assert {model.__name__: model.objects.for_organization(demo).count() for model in MODELS} == before
    assert all(chinese(nc.title) for nc in NonConformance.objects.for_organization(demo).filter(project__code=PARK))
