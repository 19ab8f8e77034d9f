"""The built-in catalogue: every row of the seed's plan, loaded once per organisation, never over edits."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from maintenance.judging import judge, rule_text
from maintenance.models import AssetCategory, Criterion, CriterionKind, CriterionVersion, EnteredAs
from maintenance.standards import CATALOGUE, builtin_category, catalogue_category, ensure_catalogue
from tests.factories import AssetCategoryFactory, CriterionFactory, OrganizationFactory

pytestmark = pytest.mark.django_db
D = Decimal


def current(org, category: str, code: str) -> CriterionVersion:
    return CriterionVersion.objects.for_organization(org).get(
        criterion__category__code=category, criterion__code=code, is_current=True
    )


@pytest.fixture
def org():
    organization = OrganizationFactory()
    ensure_catalogue(organization)
    return organization


def test_every_category_of_the_plan_and_the_demo_is_loaded(org):
    codes = set(AssetCategory.objects.for_organization(org).values_list("code", flat=True))
    assert codes == {
        "asphalt-road",
        "concrete-road",
        "footpath-kerb",
        "sculpture",
        "seat",
        "greenery",
        "sign",
        "paving",
        "heritage-tree",
        "tree-guard",
        "planter",
        "footbridge",
        "lighting",
        "water-power",
    }
    assert all(AssetCategory.objects.for_organization(org).values_list("builtin", flat=True))


def test_every_builtin_version_satisfies_the_models_constraints(org):
    versions = list(CriterionVersion.objects.for_organization(org))
    assert len(versions) == sum(len(spec.criteria) for spec in CATALOGUE)
    for version in versions:
        version.full_clean()
        assert all((version.measure_zh, version.measure_en, version.notes_zh, version.notes_en))


@pytest.mark.parametrize(
    ("category", "code", "rule"),
    [
        ("asphalt-road", "pothole-depth", "Defect when > 20 mm"),
        ("asphalt-road", "bump", "Defect when > 15 mm"),
        ("asphalt-road", "rut-depth", "Defect when > 15 mm"),
        (
            "asphalt-road",
            "alligator-cracking",
            "Defect when alligator cracking: crack width ≥ 3 mm and crack spacing ≤ 100 mm",
        ),
        ("asphalt-road", "damaged-area", "Defect when > 1 m²"),
        ("concrete-road", "slab-settlement", "Defect when ≥ 30 mm"),
        ("concrete-road", "broken-slab", "Defect when > 5 mm"),
        ("concrete-road", "pothole", "Defect when pothole area ≥ 0.1 m² and pothole depth ≥ 30 mm"),
        ("concrete-road", "exposed-aggregate", "Defect when ≥ 1 m²"),
        ("concrete-road", "faulting", "Defect when ≥ 10 mm"),
        ("concrete-road", "damaged-area", "Defect when > 1 m²"),
        ("footpath-kerb", "pothole-depth", "Defect when > 20 mm"),
        ("footpath-kerb", "heave", "Defect when > 30 mm"),
        ("footpath-kerb", "settlement", "Defect when > 20 mm"),
        ("footpath-kerb", "step", "Defect when > 10 mm"),
        ("sculpture", "damaged-area", "Defect when > 10 % of the surface"),
        ("sculpture", "rust-area", "Defect when > 10 % of the surface"),
        ("sculpture", "displacement", "Defect when > 1 m"),
        ("sculpture", "tilt", "Defect when > 30 °"),
        ("seat", "damaged-area", "Defect when > 10 % of the surface"),
        ("seat", "rust-area", "Defect when > 10 % of the surface"),
        ("greenery", "dead-branches", "Defect when > 33.3333 % of the surface"),
        ("greenery", "shrub-pest-area", "Defect when > 20 % of the surface"),
        ("greenery", "plant-pest-area", "Defect when > 15 % of the surface"),
        ("greenery", "bare-patch", "Defect when > 5 m²"),
        ("sign", "damaged-area", "Defect when > 10 % of the surface"),
        ("paving", "sinking-heave-area", "Defect when > 3 m²"),
        ("heritage-tree", "hard-paving-distance", "Defect when < 3 m"),
        ("tree-guard", "damaged-part", "Defect when ≥ 30 % of the surface"),
        ("planter", "damaged-area", "Defect when ≥ 10 % of the surface"),
    ],
)
def test_each_row_of_the_plan_reads_as_its_defect_condition(org, category, code, rule):
    with translation.override("en"):
        assert rule_text(current(org, category, code)) == rule


def test_the_seeds_numbers_judge_as_the_plan_says(org):
    pothole = current(org, "asphalt-road", "pothole-depth")
    assert judge(pothole, value=D("20")).passed is True
    assert judge(pothole, value=D("20.1")).passed is False
    settlement = current(org, "concrete-road", "slab-settlement")
    assert judge(settlement, value=D("30")).passed is False
    concrete_pothole = current(org, "concrete-road", "pothole")
    assert concrete_pothole.kind == CriterionKind.COMPOUND
    assert judge(concrete_pothole, value=D("0.1"), second_value=D("30")).passed is False
    assert judge(concrete_pothole, value=D("0.1"), second_value=D("29")).passed is True
    sculpture = current(org, "sculpture", "damaged-area")
    assert judge(sculpture, value=D("2.5"), entered_as=EnteredAs.AREA, surface=D("20")).passed is False
    tree = current(org, "heritage-tree", "hard-paving-distance")
    assert judge(tree, value=D("2.5")).passed is False
    assert judge(tree, value=D("3")).passed is True


def test_the_defaults_priorities_put_safety_first(org):
    assert current(org, "sculpture", "tilt").priority == "P1"
    assert current(org, "asphalt-road", "pothole-depth").priority == "P2"
    assert current(org, "sign", "damaged-area").priority == "P4"


def test_the_catalogue_reads_in_both_languages(org):
    category = AssetCategory.objects.for_organization(org).get(code="heritage-tree")
    with translation.override("zh-hans"):
        assert category.name == "古树名木"
        assert current(org, "heritage-tree", "hard-paving-distance").measure == "硬化地面距树干距离"
    with translation.override("en"):
        assert category.name == "Heritage tree"


def test_categories_without_criteria_are_there_for_the_demo(org):
    for code in ("footbridge", "lighting", "water-power"):
        assert not Criterion.objects.for_organization(org).filter(category__code=code).exists()
        assert catalogue_category(code).criteria == ()


def test_loading_again_adds_nothing_and_writes_nothing(org, django_assert_num_queries):
    with django_assert_num_queries(2):
        assert ensure_catalogue(org) == 0
    assert CriterionVersion.objects.for_organization(org).count() == sum(len(spec.criteria) for spec in CATALOGUE)


def test_loading_again_keeps_the_organisations_edits():
    organization = OrganizationFactory()
    ensure_catalogue(organization)
    seat = AssetCategory.objects.for_organization(organization).get(code="seat")
    AssetCategory.objects.for_organization(organization).filter(pk=seat.pk).update(name_en="Bench", is_active=False)
    CriterionVersion.objects.for_organization(organization).filter(
        criterion__category=seat, criterion__code="rust-area"
    ).update(limit=D("5"))
    Criterion.objects.for_organization(organization).filter(category=seat, code="missing-area").update(
        retired_at="2026-01-01T00:00Z"
    )
    assert ensure_catalogue(organization) == 0
    seat.refresh_from_db()
    assert (seat.name_en, seat.is_active) == ("Bench", False)
    assert current(organization, "seat", "rust-area").limit == D("5")
    assert Criterion.objects.for_organization(organization).get(category=seat, code="missing-area").is_retired


def test_a_category_the_organisation_made_with_a_builtin_code_gets_no_builtin_criteria():
    organization = OrganizationFactory()
    own = AssetCategoryFactory(organization=organization, code="sculpture", name_en="Our sculptures")
    ensure_catalogue(organization)
    own.refresh_from_db()
    assert own.name_en == "Our sculptures"
    assert not Criterion.objects.for_organization(organization).filter(category=own).exists()
    assert AssetCategory.objects.for_organization(organization).filter(code="seat", builtin=True).exists()


def test_a_missing_builtin_criterion_is_added_to_its_builtin_category():
    organization = OrganizationFactory()
    ensure_catalogue(organization)
    Criterion.objects.for_organization(organization).filter(category__code="sign").delete()
    assert ensure_catalogue(organization) == 1
    assert current(organization, "sign", "damaged-area").version == 1


def test_each_organisation_has_its_own_catalogue(org):
    other = OrganizationFactory()
    ensure_catalogue(other)
    assert AssetCategory.objects.for_organization(other).count() == len(CATALOGUE)
    assert not set(AssetCategory.objects.for_organization(other).values_list("pk", flat=True)) & set(
        AssetCategory.objects.for_organization(org).values_list("pk", flat=True)
    )


def test_builtin_category_loads_the_catalogue_when_it_is_missing():
    organization = OrganizationFactory()
    category = builtin_category(organization, "sculpture")
    assert category.builtin
    assert category.criteria.count() == 4


def test_a_criterion_the_organisation_added_under_a_builtin_code_is_kept():
    organization = OrganizationFactory()
    ensure_catalogue(organization)
    sign = AssetCategory.objects.for_organization(organization).get(code="sign")
    Criterion.objects.for_organization(organization).filter(category=sign).delete()
    CriterionFactory(organization=organization, category=sign, code="damaged-area", version__limit=D("5"))
    assert ensure_catalogue(organization) == 0
    assert current(organization, "sign", "damaged-area").limit == D("5")
