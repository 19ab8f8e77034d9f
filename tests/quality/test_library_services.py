"""The quality library's writes: standards, inspection types, versioned checklist templates, settings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from pmo.errors import ApplicationError
from pmo.models import AuditEvent, OrgRole
from quality.models import ChecklistItem, ChecklistTemplate, Standard
from quality.services import inspections as ins
from quality.services import library
from quality.services.settings import builtin_type, quality_settings_for
from tests.factories import (
    InspectionFactory,
    OrganizationFactory,
    ProjectFactory,
    StandardFactory,
    member,
)

pytestmark = pytest.mark.django_db


def numeric(**fields: Any) -> dict[str, Any]:
    item = {
        "text_en": "Pothole depth",
        "text_zh": "坑槽深度",
        "kind": "numeric",
        "severity": "major",
        "unit": "mm",
        "comparator": "lte",
        "limit_a": Decimal("20"),
    }
    item.update(fields)
    return item


def choice(**fields: Any) -> dict[str, Any]:
    item = {
        "text_en": "Kerb alignment",
        "kind": "choice",
        "options": [
            {"key": "straight", "label": "Straight", "acceptable": True},
            {"key": "wavy", "label": "Wavy", "acceptable": False},
        ],
    }
    item.update(fields)
    return item


@pytest.fixture
def org():
    return OrganizationFactory()


@pytest.fixture
def manager(org):
    return member(org, OrgRole.QUALITY).user


def make_template(org, manager, code="EW-01", items=None):
    return library.template_create(
        actor=manager,
        organization=org,
        code=code,
        name_en="Earthworks",
        inspection_type=builtin_type(org, "quality"),
        items=items or [numeric(), choice()],
    )


def problems_of(org, item: dict[str, Any]) -> dict[str, list[str]]:
    with translation.override("en"):
        return library.item_problems(org.pk, item)[1]


def test_a_template_is_created_with_its_items_in_order_and_audited(org, manager) -> None:
    template = make_template(org, manager)

    items = list(template.items.order_by("position"))
    assert [item.kind for item in items] == ["numeric", "choice"]
    assert items[0].requirement() == "≤ 20 mm"
    assert template.version == 1
    assert template.is_current
    assert AuditEvent.objects.for_organization(org).filter(action="checklist_template.created").count() == 1


def test_editing_a_template_no_inspection_used_changes_it_in_place(org, manager) -> None:
    template = make_template(org, manager)

    edited = library.template_update(actor=manager, template=template, name_en="Earthworks 2", items=[numeric()])

    assert edited.pk == template.pk
    assert edited.version == 1
    assert edited.name_en == "Earthworks 2"
    assert list(edited.items.values_list("kind", flat=True)) == ["numeric"]
    assert ChecklistTemplate.objects.for_organization(org).count() == 1


def test_editing_a_template_an_inspection_used_makes_the_next_version_and_keeps_the_old_one(org, manager) -> None:
    template = make_template(org, manager)
    project = ProjectFactory(organization=org, phase="execution")
    inspection = InspectionFactory(organization=org, project=project, template=template)
    old_items = list(template.items.values_list("pk", "limit_a"))

    newer = library.template_update(actor=manager, template=template, items=[numeric(limit_a=Decimal("15")), choice()])

    assert newer.pk != template.pk
    assert (newer.code, newer.version, newer.is_current) == ("EW-01", 2, True)
    template.refresh_from_db()
    assert template.is_current is False
    assert list(template.items.values_list("pk", "limit_a")) == old_items
    assert newer.items.order_by("position").first().requirement() == "≤ 15 mm"
    inspection.refresh_from_db()
    assert inspection.template_id == template.pk
    assert ins.current_template(org.pk, "EW-01").pk == newer.pk
    assert AuditEvent.objects.for_organization(org).filter(action="checklist_template.versioned").count() == 1


def test_renaming_a_used_template_copies_its_items_into_the_next_version(org, manager) -> None:
    template = make_template(org, manager)
    InspectionFactory(organization=org, project=ProjectFactory(organization=org), template=template)

    newer = library.template_update(actor=manager, template=template, name_en="Earthworks (2025)")

    assert newer.version == 2
    assert newer.items.count() == 2
    assert template.items.count() == 2


def test_an_old_version_cannot_be_edited(org, manager) -> None:
    template = make_template(org, manager)
    InspectionFactory(organization=org, project=ProjectFactory(organization=org), template=template)
    library.template_update(actor=manager, template=template, name_en="New")
    template.refresh_from_db()

    with pytest.raises(ApplicationError) as refused:
        library.template_update(actor=manager, template=template, name_en="Again")

    assert refused.value.code == "not_current"


def test_an_edit_that_changes_nothing_makes_no_version(org, manager) -> None:
    template = make_template(org, manager)
    InspectionFactory(organization=org, project=ProjectFactory(organization=org), template=template)

    same = library.template_update(actor=manager, template=template, items=[numeric(), choice()])

    assert same.pk == template.pk
    assert ChecklistTemplate.objects.for_organization(org).count() == 1


def test_a_bad_item_names_its_place_and_field_and_creates_nothing(org, manager) -> None:
    with translation.override("en"), pytest.raises(ApplicationError) as refused:
        make_template(org, manager, items=[numeric(), numeric(comparator="between", limit_b=None)])

    assert refused.value.fields == {"items": ["1.limit_b: Enter the upper limit."]}
    assert refused.value.message == "Item 2: Enter the upper limit."
    assert not ChecklistTemplate.objects.for_organization(org).exists()


def test_numeric_items_need_a_comparator_and_limits(org) -> None:
    assert problems_of(org, numeric(comparator="")) == {"comparator": ["Choose a comparator."]}
    assert problems_of(org, numeric(limit_a=None)) == {"limit_a": ["Enter the limit."]}
    assert problems_of(org, numeric(comparator="tolerance", limit_b=Decimal("-1"))) == {
        "limit_b": ["The tolerance cannot be negative."]
    }
    assert problems_of(org, numeric(comparator="between", limit_a=Decimal(30), limit_b=Decimal(10))) == {
        "limit_b": ["The upper limit must not be below the lower limit."]
    }
    assert problems_of(org, numeric(limit_a=Decimal("1.23456"))) == {"limit_a": ["Use at most four decimal places."]}


def test_a_compound_item_needs_its_second_reading_named_and_limited(org) -> None:
    problems = problems_of(org, numeric(kind="compound"))

    assert problems == {
        "second_label": ["Name the second reading."],
        "second_comparator": ["Choose a comparator."],
    }


def test_a_choice_needs_two_options_with_unique_keys_and_one_acceptable(org) -> None:
    one = problems_of(org, choice(options=[{"key": "a", "label": "A", "acceptable": True}]))
    twice = problems_of(
        org,
        choice(options=[{"key": "a", "label": "A", "acceptable": True}, {"key": "a", "label": "B"}]),
    )
    none_ok = problems_of(org, choice(options=[{"key": "a", "label": "A"}, {"key": "b", "label": "B"}]))

    assert one == {"options": ["A choice needs at least two options."]}
    assert twice == {"options": ["Option key “a” appears more than once."]}
    assert none_ok == {"options": ["Mark at least one option as acceptable."]}


def test_severity_readings_wording_and_the_cited_standard_are_checked(org) -> None:
    other = StandardFactory()

    problems = problems_of(org, numeric(severity="fatal", max_readings=0, text_en="", text_zh="", standard=other))

    assert set(problems) == {"severity", "max_readings", "text_zh", "text_en", "standard"}
    assert problems["standard"] == ["Choose a standard of the organisation's library."]


def test_what_a_kind_does_not_use_is_not_stored(org, manager) -> None:
    template = make_template(
        org, manager, items=[{"text_en": "Signs up", "kind": "pass_fail", "comparator": "lte", "limit_a": 3}]
    )

    item = template.items.get()
    assert (item.comparator, item.limit_a, item.options) == ("", None, [])


def test_a_standard_clause_appears_once_and_a_cited_one_is_not_deleted(org, manager) -> None:
    standard = library.standard_create(actor=manager, organization=org, code="GB 50204-2015", title="Concrete")
    with pytest.raises(ApplicationError) as duplicate:
        library.standard_create(actor=manager, organization=org, code=" GB 50204-2015 ", title="Again")
    make_template(org, manager, items=[numeric(standard=standard)])

    with pytest.raises(ApplicationError) as cited:
        library.standard_delete(actor=manager, standard=standard)

    assert duplicate.value.code == "duplicate_standard"
    assert cited.value.code == "standard_in_use"
    assert Standard.objects.for_organization(org).count() == 1


def test_an_unused_standard_is_deleted_and_audited(org, manager) -> None:
    standard = StandardFactory(organization=org)

    library.standard_delete(actor=manager, standard=standard)

    assert not Standard.objects.for_organization(org).exists()
    assert AuditEvent.objects.for_organization(org).filter(action="quality_standard.deleted").exists()


def test_a_built_in_type_keeps_its_code_and_discipline_but_may_be_renamed(org, manager) -> None:
    safety = builtin_type(org, "safety")

    with pytest.raises(ApplicationError) as refused:
        library.inspection_type_update(actor=manager, inspection_type=safety, discipline="quality")
    renamed = library.inspection_type_update(actor=manager, inspection_type=safety, name_en="HSE walk")

    assert refused.value.code == "builtin_type"
    assert (renamed.code, renamed.discipline, renamed.name_en) == ("safety", "safety", "HSE walk")


def test_an_organisation_adds_its_own_inspection_type(org, manager) -> None:
    added = library.inspection_type_create(
        actor=manager, organization=org, code="Fire", name_zh="消防检查", discipline="safety"
    )
    with pytest.raises(ApplicationError) as duplicate:
        library.inspection_type_create(actor=manager, organization=org, code="fire", name_en="Fire")

    assert (added.code, added.builtin, added.position) == ("fire", False, 4)
    assert duplicate.value.code == "duplicate_code"
    library.inspection_type_update(actor=manager, inspection_type=added, discipline="environment")
    added.refresh_from_db()
    assert added.discipline == "environment"


def test_settings_take_project_roles_only_and_days_from_one(org, manager) -> None:
    with pytest.raises(ApplicationError) as refused:
        library.quality_settings_update(
            actor=manager, organization=org, field_inspector_roles=["manager", "boss"], due_days_major=0
        )
    assert set(refused.value.fields) == {"field_inspector_roles", "due_days_major"}
    assert quality_settings_for(org).field_inspector_roles == []

    settings = library.quality_settings_update(
        actor=manager, organization=org, field_inspector_roles=["member", "manager"], nc_mode="per_inspection"
    )

    assert settings.field_inspector_roles == ["manager", "member"]
    assert AuditEvent.objects.for_organization(org).filter(action="quality_settings.updated").count() == 1


def test_a_template_must_use_the_organisations_inspection_type(org, manager) -> None:
    foreign = builtin_type(OrganizationFactory(), "quality")

    with pytest.raises(ApplicationError) as refused:
        library.template_create(
            actor=manager, organization=org, code="X", name_en="X", inspection_type=foreign, items=[numeric()]
        )

    assert "inspection_type" in refused.value.fields
    assert not ChecklistItem.objects.for_organization(org).exists()
