"""The inspection and test plan's service: what an entry may name, hold points, deletion and its audit."""

from __future__ import annotations

import datetime as dt

import pytest

from pmo.errors import ApplicationError
from pmo.models import AuditEvent
from quality.models import PlanEntry
from quality.services import inspections
from quality.services.plan import plan_entry_add, plan_entry_delete, plan_entry_update
from tests.factories import ChecklistTemplateFactory, ProjectFactory, WbsElementFactory
from tests.quality.inspection_support import site

pytestmark = pytest.mark.django_db


def refused(call, code: str = "invalid") -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        call()
    assert caught.value.code == code, caught.value.message
    return caught.value


def test_an_entry_is_added_changed_and_audited(organization) -> None:
    s = site(organization)
    entry = plan_entry_add(
        actor=s.manager,
        project=s.project,
        template_code=" PAVE ",
        wbs_element=s.task,
        planned_date=dt.date(2026, 5, 4),
        inspector_role="quality",
        hold_point=True,
    )
    assert (entry.template_code, entry.hold_point, entry.wbs_element_id) == ("PAVE", True, s.task.pk)
    entry = plan_entry_update(actor=s.manager, entry=entry, planned_date=dt.date(2026, 5, 6), notes="After rain")
    assert entry.planned_date == dt.date(2026, 5, 6)
    assert entry.hold_point is True
    actions = list(
        AuditEvent.objects.for_organization(organization)
        .filter(action__startswith="quality_plan.")
        .values_list("action", flat=True)
    )
    assert sorted(actions) == ["quality_plan.entry_added", "quality_plan.entry_updated"]


def test_an_entry_names_a_current_template_an_element_of_the_project_an_open_phase_and_a_known_role(
    organization, other_organization
) -> None:
    s = site(organization)
    old = ChecklistTemplateFactory(organization=organization, code="OLD")
    old.is_current = False
    old.save()
    ChecklistTemplateFactory(organization=other_organization, code="THEIRS")
    elsewhere = WbsElementFactory(project=ProjectFactory(organization=organization))
    add = lambda **kw: plan_entry_add(actor=s.manager, project=s.project, **kw)  # noqa: E731
    assert refused(lambda: add(template_code="OLD", phase="execution")).fields.keys() == {"template_code"}
    assert refused(lambda: add(template_code="THEIRS", phase="execution")).fields.keys() == {"template_code"}
    assert refused(lambda: add(template_code="PAVE", wbs_element=elsewhere), "not_found").fields.keys() == {
        "wbs_element"
    }
    assert refused(lambda: add(template_code="PAVE", phase="closed")).fields.keys() == {"phase"}
    assert refused(lambda: add(template_code="PAVE")).fields.keys() == {"wbs_element"}
    assert refused(lambda: add(template_code="PAVE", phase="execution", inspector_role="boss")).fields.keys() == {
        "inspector_role"
    }
    assert refused(
        lambda: add(template_code="PAVE", phase="execution", planned_date=dt.date(2300, 1, 1)), "date_out_of_range"
    ).fields.keys() == {"planned_date"}
    assert not PlanEntry.objects.for_organization(organization).exists()


def test_a_hold_point_holds_a_wbs_element_and_not_a_phase(organization) -> None:
    s = site(organization)
    error = refused(
        lambda: plan_entry_add(
            actor=s.manager, project=s.project, template_code="PAVE", phase="execution", hold_point=True
        )
    )
    assert error.fields.keys() == {"hold_point"}
    entry = plan_entry_add(
        actor=s.manager, project=s.project, template_code="PAVE", wbs_element=s.task, hold_point=True
    )
    refused(lambda: plan_entry_update(actor=s.manager, entry=entry, wbs_element=None, phase="execution"))
    entry.refresh_from_db()
    assert entry.wbs_element_id == s.task.pk


def test_an_entry_an_inspection_used_cannot_be_deleted_and_an_unused_one_can(organization) -> None:
    s = site(organization)
    used = plan_entry_add(actor=s.manager, project=s.project, template_code="PAVE", wbs_element=s.task)
    unused = plan_entry_add(actor=s.manager, project=s.project, template_code="PAVE", phase="execution")
    inspections.inspection_schedule(actor=s.manager, project=s.project, plan_entry=used)
    refused(lambda: plan_entry_delete(actor=s.manager, entry=used), "plan_entry_used")
    plan_entry_delete(actor=s.manager, entry=unused)
    assert list(PlanEntry.objects.for_organization(organization).values_list("pk", flat=True)) == [used.pk]
    assert AuditEvent.objects.for_organization(organization).filter(action="quality_plan.entry_deleted").count() == 1


def test_a_closed_projects_plan_no_longer_changes(organization) -> None:
    s = site(organization)
    entry = plan_entry_add(actor=s.manager, project=s.project, template_code="PAVE", phase="execution")
    s.project.phase = "closed"
    s.project.save()
    refused(lambda: plan_entry_update(actor=s.manager, entry=entry, notes="x"), "project_not_open")
    refused(lambda: plan_entry_delete(actor=s.manager, entry=entry), "project_not_open")
