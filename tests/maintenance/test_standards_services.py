"""The standards' writes: categories and criteria, a rule edit as a new version, audited, refused whole."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from maintenance.judging import judge
from maintenance.models import AssetCategory, Criterion, CriterionVersion
from maintenance.services import standards as svc
from maintenance.standards import ensure_catalogue
from pmo.errors import ApplicationError
from pmo.models import AuditEvent, OrgRole
from tests.factories import (
    AssetCategoryFactory,
    AssetFactory,
    CriterionFactory,
    OrganizationFactory,
    member,
)

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def org():
    return OrganizationFactory()


@pytest.fixture
def actor(org):
    return member(org, OrgRole.MAINTENANCE).user


def rule(**fields: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "kind": "numeric",
        "measure_zh": "坑槽深度",
        "measure_en": "Pothole depth",
        "unit": "mm",
        "defect_when": "gt",
        "limit": D("20"),
        "priority": "P2",
    }
    values.update(fields)
    return values


def versions(criterion: Criterion) -> list[CriterionVersion]:
    return list(CriterionVersion.objects.for_organization(criterion.organization_id).filter(criterion=criterion))


def audits(org, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.for_organization(org).filter(action=action))


# Categories


def test_a_category_is_created_with_the_catalogue_beside_it_and_audited(org, actor):
    category = svc.category_create(actor=actor, organization=org, code=" Pontoon ", name_en="Pontoon", name_zh="浮桥")
    assert category.code == "pontoon"
    assert not category.builtin
    assert AssetCategory.objects.for_organization(org).filter(code="asphalt-road", builtin=True).exists()
    (event,) = audits(org, "maintenance_category.created")
    assert event.changes["code"] == [None, "pontoon"]


def test_a_category_needs_a_code_and_a_name(org, actor):
    with pytest.raises(ApplicationError) as error:
        svc.category_create(actor=actor, organization=org, code="", name_en="")
    assert set(error.value.fields) == {"code", "name_zh", "name_en"}
    assert not AssetCategory.objects.for_organization(org).filter(builtin=False).exists()


def test_a_category_code_is_unique_in_the_organisation(org, actor):
    ensure_catalogue(org)
    with pytest.raises(ApplicationError) as error:
        svc.category_create(actor=actor, organization=org, code="sculpture", name_en="Another")
    assert error.value.code == "duplicate_code"
    assert error.value.fields == {"code": ["A category with this code already exists."]}


def test_another_organisation_may_use_the_same_category_code(org, actor):
    AssetCategoryFactory(organization=OrganizationFactory(), code="pontoon")
    assert svc.category_create(actor=actor, organization=org, code="pontoon", name_en="Pontoon").pk


def test_a_category_code_is_a_slug(org, actor):
    with pytest.raises(ApplicationError) as error:
        svc.category_create(actor=actor, organization=org, code="two words!", name_en="x")
    assert error.value.fields["code"] == ["Use letters, digits, hyphens and underscores only in a code."]


def test_a_builtin_category_is_renamed_but_keeps_its_code(org, actor):
    ensure_catalogue(org)
    seat = AssetCategory.objects.for_organization(org).get(code="seat")
    svc.category_update(actor=actor, category=seat, name_en="Bench")
    seat.refresh_from_db()
    assert seat.name_en == "Bench"
    with pytest.raises(ApplicationError) as error:
        svc.category_update(actor=actor, category=seat, code="bench")
    assert error.value.fields == {"code": ["A built-in category keeps its code."]}
    (event,) = audits(org, "maintenance_category.updated")
    assert event.changes == {"name_en": ["Seat", "Bench"]}


def test_an_unchanged_category_records_nothing(org, actor):
    category = AssetCategoryFactory(organization=org, name_en="Kiosk")
    svc.category_update(actor=actor, category=category, name_en="Kiosk")
    assert not audits(org, "maintenance_category.updated")


def test_unknown_fields_are_refused(org, actor):
    category = AssetCategoryFactory(organization=org)
    with pytest.raises(ApplicationError) as error:
        svc.category_update(actor=actor, category=category, builtin=True)
    assert error.value.code == "unknown_field"


def test_a_category_is_retired_and_restored_once_each(org, actor):
    category = AssetCategoryFactory(organization=org)
    svc.category_retire(actor=actor, category=category)
    category.refresh_from_db()
    assert not category.is_active
    with pytest.raises(ApplicationError) as error:
        svc.category_retire(actor=actor, category=category)
    assert error.value.code == "invalid_state"
    svc.category_restore(actor=actor, category=category)
    category.refresh_from_db()
    assert category.is_active
    assert len(audits(org, "maintenance_category.retired")) == 1
    assert len(audits(org, "maintenance_category.restored")) == 1


# Criteria


def test_a_criterion_is_added_with_its_first_version_and_audited(org, actor):
    category = AssetCategoryFactory(organization=org)
    criterion = svc.criterion_add(actor=actor, category=category, code="pothole-depth", **rule())
    (version,) = versions(criterion)
    assert (version.version, version.is_current, version.limit, version.priority) == (1, True, D("20"), "P2")
    assert version.created_by == actor
    (event,) = audits(org, "maintenance_criterion.created")
    assert event.changes["limit"] == [None, "20"]
    assert event.changes["version"] == [None, 1]


def test_a_compound_criterion_needs_its_second_measure_condition_and_limit(org, actor):
    category = AssetCategoryFactory(organization=org)
    with pytest.raises(ApplicationError) as error:
        svc.criterion_add(actor=actor, category=category, code="alligator", **rule(kind="compound"))
    assert set(error.value.fields) == {
        "second_measure_zh",
        "second_measure_en",
        "second_defect_when",
        "second_limit",
    }
    assert error.value.fields["second_limit"] == ["A compound criterion needs the second reading's limit."]
    assert not Criterion.objects.for_organization(org).exists()


def test_a_compound_criterion_with_both_readings_is_added(org, actor):
    category = AssetCategoryFactory(organization=org)
    criterion = svc.criterion_add(
        actor=actor,
        category=category,
        code="alligator",
        **rule(
            kind="compound",
            measure_en="Crack width",
            defect_when="gte",
            limit="3",
            second_measure_en="crack spacing",
            second_unit="mm",
            second_defect_when="lte",
            second_limit="100",
        ),
    )
    version = svc.current_version(criterion)
    assert judge(version, value=D("3.5"), second_value=D("80")).passed is False
    assert judge(version, value=D("3.5"), second_value=D("150")).passed is True


def test_a_numeric_criterion_drops_second_reading_fields(org, actor):
    category = AssetCategoryFactory(organization=org)
    criterion = svc.criterion_add(
        actor=actor, category=category, code="depth", **rule(second_limit="5", second_measure_en="x")
    )
    version = svc.current_version(criterion)
    assert (version.second_limit, version.second_measure_en) == (None, "")


@pytest.mark.parametrize("limit", ["-1", "100.5", "abc"])
def test_a_percentage_limit_is_a_share_from_0_to_100(org, actor, limit):
    category = AssetCategoryFactory(organization=org)
    with pytest.raises(ApplicationError) as error:
        svc.criterion_add(actor=actor, category=category, code="rust", **rule(kind="percentage", limit=limit))
    assert "limit" in error.value.fields


def test_a_percentage_criterion_is_counted_in_percent(org, actor):
    category = AssetCategoryFactory(organization=org)
    criterion = svc.criterion_add(
        actor=actor, category=category, code="rust", **rule(kind="percentage", unit="m²", limit="100")
    )
    assert svc.current_version(criterion).unit == "%"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"measure_zh": "", "measure_en": ""}, "measure_en"),
        ({"defect_when": "eq"}, "defect_when"),
        ({"limit": None}, "limit"),
        ({"limit": "1.23456"}, "limit"),
        ({"priority": "P9"}, "priority"),
        ({"kind": "text"}, "kind"),
        ({"unit": "x" * 17}, "unit"),
    ],
)
def test_a_bad_rule_is_refused_naming_its_field(org, actor, fields, field):
    category = AssetCategoryFactory(organization=org)
    with pytest.raises(ApplicationError) as error:
        svc.criterion_add(actor=actor, category=category, code="c", **rule(**fields))
    assert field in error.value.fields
    assert not Criterion.objects.for_organization(org).exists()


def test_a_criterion_code_is_unique_in_its_category(org, actor):
    category = AssetCategoryFactory(organization=org)
    CriterionFactory(organization=org, category=category, code="depth")
    with pytest.raises(ApplicationError) as error:
        svc.criterion_add(actor=actor, category=category, code="depth", **rule())
    assert error.value.code == "duplicate_code"
    other = AssetCategoryFactory(organization=org)
    assert svc.criterion_add(actor=actor, category=other, code="depth", **rule()).pk


def test_no_criterion_is_added_to_a_retired_category(org, actor):
    category = AssetCategoryFactory(organization=org, is_active=False)
    with pytest.raises(ApplicationError) as error:
        svc.criterion_add(actor=actor, category=category, code="depth", **rule())
    assert "category" in error.value.fields


def test_editing_the_rule_makes_a_new_version_and_keeps_the_old(org, actor):
    criterion = CriterionFactory(organization=org)
    first = svc.current_version(criterion)
    svc.criterion_update(actor=actor, criterion=criterion, limit=D("25"))
    old, new = sorted(versions(criterion), key=lambda version: version.version)
    assert (old.pk, old.is_current, old.limit) == (first.pk, False, D("20"))
    assert (new.version, new.is_current, new.limit, new.measure_en) == (2, True, D("25"), "Pothole depth")
    (event,) = audits(org, "maintenance_criterion.updated")
    assert event.changes["limit"] == ["20.0000", "25"]
    assert event.changes["version"] == [1, 2]


def test_a_past_reading_keeps_the_version_it_was_judged_by(org, actor):
    criterion = CriterionFactory(organization=org)
    judged_by = svc.current_version(criterion)
    assert judge(judged_by, value=D("22")).passed is False
    svc.criterion_update(actor=actor, criterion=criterion, limit=D("25"))
    judged_by.refresh_from_db()
    assert judged_by.limit == D("20")
    assert judge(judged_by, value=D("22")).passed is False
    assert judge(svc.current_version(criterion), value=D("22")).passed is True


def test_the_same_rule_saved_again_makes_no_version(org, actor):
    criterion = CriterionFactory(organization=org)
    svc.criterion_update(actor=actor, criterion=criterion, limit="20.0", unit="mm")
    assert len(versions(criterion)) == 1
    assert not audits(org, "maintenance_criterion.updated")


def test_moving_a_criterion_in_the_list_makes_no_version(org, actor):
    criterion = CriterionFactory(organization=org)
    svc.criterion_update(actor=actor, criterion=criterion, position=5)
    assert len(versions(criterion)) == 1
    (event,) = audits(org, "maintenance_criterion.updated")
    assert event.changes == {"position": [0, 5]}


def test_a_bad_edit_changes_nothing(org, actor):
    criterion = CriterionFactory(organization=org)
    with pytest.raises(ApplicationError):
        svc.criterion_update(actor=actor, criterion=criterion, kind="compound", position=3)
    criterion.refresh_from_db()
    assert criterion.position == 0
    assert len(versions(criterion)) == 1


def test_a_builtin_criterion_keeps_its_code(org, actor):
    ensure_catalogue(org)
    criterion = Criterion.objects.for_organization(org).get(category__code="sign", code="damaged-area")
    with pytest.raises(ApplicationError) as error:
        svc.criterion_update(actor=actor, criterion=criterion, code="broken")
    assert error.value.fields == {"code": ["A built-in criterion keeps its code."]}
    svc.criterion_update(actor=actor, criterion=criterion, limit="15")
    assert svc.current_version(criterion).limit == D("15")


def test_a_criterion_is_retired_and_restored(org, actor):
    criterion = CriterionFactory(organization=org)
    svc.criterion_retire(actor=actor, criterion=criterion)
    criterion.refresh_from_db()
    assert criterion.is_retired
    with pytest.raises(ApplicationError) as error:
        svc.criterion_retire(actor=actor, criterion=criterion)
    assert error.value.code == "invalid_state"
    svc.criterion_restore(actor=actor, criterion=criterion)
    criterion.refresh_from_db()
    assert not criterion.is_retired
    assert len(audits(org, "maintenance_criterion.retired")) == 1
    assert len(audits(org, "maintenance_criterion.restored")) == 1


def test_a_criterion_of_a_retired_category_is_not_restored(org, actor):
    category = AssetCategoryFactory(organization=org)
    criterion = CriterionFactory(organization=org, category=category)
    svc.criterion_retire(actor=actor, criterion=criterion)
    svc.category_retire(actor=actor, category=category)
    with pytest.raises(ApplicationError) as error:
        svc.criterion_restore(actor=actor, criterion=criterion)
    assert error.value.message == "Restore the category before its criteria."


def test_a_category_with_assets_is_retired_and_the_assets_stay(org, actor):
    category = AssetCategoryFactory(organization=org)
    asset = AssetFactory(organization=org, category=category)
    svc.category_retire(actor=actor, category=category)
    asset.refresh_from_db()
    assert asset.category_id == category.pk
