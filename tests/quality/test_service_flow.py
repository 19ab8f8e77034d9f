"""A non-conformance through its life: failing hold-point reading, verified closure, re-inspection."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from pmo.errors import ApplicationError
from pmo.models import OrgRole
from projects.services.progress import task_progress_update
from quality.models import NonConformance
from quality.services import inspections as ins
from quality.services import ncs
from quality.services.settings import builtin_type
from tests.factories import (
    ChecklistItemFactory,
    ChecklistTemplateFactory,
    PlanEntryFactory,
    ProjectFactory,
    WbsElementFactory,
    member,
)

pytestmark = pytest.mark.django_db


def test_a_failed_hold_point_inspection_opens_a_non_conformance_that_closes_after_verification_and_reinspection():
    translation.activate("en")  # the judgements are compared in English
    project = ProjectFactory(phase="execution")
    org = project.organization
    q = member(org, OrgRole.QUALITY).user
    pm = member(org, OrgRole.PROJECT_MANAGER).user
    worker = member(org, OrgRole.MEMBER).user
    qt = builtin_type(org, "quality")
    t = ChecklistTemplateFactory(organization=org, inspection_type=qt)
    item = ChecklistItemFactory(template=t)
    comp = ChecklistItemFactory(
        template=t,
        kind="compound",
        severity="minor",
        text_en="Alligator cracking",
        comparator="lt",
        limit_a=Decimal(3),
        second_label="spacing",
        second_comparator="gt",
        second_limit_a=Decimal(100),
    )
    task = WbsElementFactory(project=project, organization=org)
    entry = PlanEntryFactory(project=project, template_code=t.code, wbs_element=task, hold_point=True)
    i = ins.inspection_schedule(actor=pm, project=project, plan_entry=entry)
    assert i.code == "I-001"
    r = ins.reading_record(actor=q, inspection=i, item=item, number="23")
    assert r.passed is False
    assert r.judgement == "23 mm > 20 mm: defect"
    r2 = ins.reading_record(actor=q, inspection=i, item=comp, number="3.5", second_number="120")
    assert r2.passed is True, r2.judgement
    print(r2.judgement)
    with pytest.raises(ApplicationError) as e:
        task_progress_update(actor=pm, task=task, percent_complete=Decimal(100), effective_date=org.today())
    assert e.value.code == "completion_held"
    i = ins.inspection_sign(actor=q, inspection=i)
    assert i.outcome == "failed"
    nc = NonConformance.objects.for_organization(org).get()
    assert nc.severity == "major"
    assert nc.due_date == org.today() + dt.timedelta(days=7)
    ncs.nc_transition(actor=pm, nc=nc, to_status="analysis")
    with pytest.raises(ApplicationError):
        ncs.nc_transition(actor=pm, nc=nc, to_status="action_plan")
    ncs.nc_update(actor=pm, nc=nc, root_cause="Base not compacted")
    ncs.nc_transition(actor=pm, nc=nc, to_status="action_plan")
    a = ncs.action_add(actor=pm, nc=nc, description="Refill and compact", owner=worker, due_date=org.today())
    ncs.nc_transition(actor=pm, nc=nc, to_status="in_progress")
    ncs.action_update(actor=worker, action=a, status="done")
    ncs.rework_cost_record(actor=pm, nc=nc, amount="1200.50", date=org.today())
    ncs.nc_transition(actor=pm, nc=nc, to_status="verification")
    with pytest.raises(ApplicationError):
        ncs.nc_verify(actor=worker, nc=nc, passed=True, note="ok")
    nc = ncs.nc_verify(actor=q, nc=nc, passed=True, note="Re-measured 8 mm")
    assert nc.status == "closed"
    assert nc.rework_cost == Decimal("1200.50")
    i2 = ins.inspection_schedule(actor=pm, project=project, reinspection_of=i)
    ins.reading_record(actor=q, inspection=i2, item=item, number="20")
    ins.reading_record(actor=q, inspection=i2, item=comp, number="3", second_number="100")
    i2 = ins.inspection_sign(actor=q, inspection=i2)
    assert i2.outcome == "passed_with_remarks", i2.outcome
    assert NonConformance.objects.for_organization(org).count() == 2
    task_progress_update(actor=pm, task=task, percent_complete=Decimal(100), effective_date=org.today())
