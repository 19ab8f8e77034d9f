"""The built-in catalogue of asset categories and their maintenance standards.

Taken from the riverside park O&M plan (seed 003, "维护保养通则"): each criterion states its defect
condition with the plan's numbers, in Chinese and English, with the defect's default priority.
Categories the demo needs without criteria of their own (footbridge, lighting, water and power
systems) come too.

Every organisation gets the catalogue on first read, as quality's built-in inspection types do:
the standards pages and API lists call :func:`ensure_catalogue`, and so should any service that
needs a category before anyone has opened them (the demo does). It only ever adds: a built-in
category or criterion the organisation already has, edited or retired, is left as it is; a
category the organisation made itself with a built-in code gets no built-in criteria.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction

from maintenance.models import AssetCategory, Criterion, CriterionKind, CriterionVersion, DefectWhen, Priority
from pmo.models import Organization

GT, GTE, LT, LTE = DefectWhen.GT, DefectWhen.GTE, DefectWhen.LT, DefectWhen.LTE
NUMERIC, COMPOUND, PERCENTAGE = CriterionKind.NUMERIC, CriterionKind.COMPOUND, CriterionKind.PERCENTAGE


@dataclass(frozen=True)
class Second:
    """The second reading of a compound criterion."""

    measure_zh: str
    measure_en: str
    unit: str
    defect_when: str
    limit: str


@dataclass(frozen=True)
class CriterionSpec:
    code: str
    measure_zh: str
    measure_en: str
    unit: str
    defect_when: str
    limit: str
    priority: str = Priority.P3
    kind: str = NUMERIC
    second: Second | None = None
    notes_zh: str = ""
    notes_en: str = ""


@dataclass(frozen=True)
class CategorySpec:
    code: str
    name_zh: str
    name_en: str
    criteria: tuple[CriterionSpec, ...] = ()


def _percent(
    code: str,
    measure_zh: str,
    measure_en: str,
    defect_when: str,
    limit: str,
    *,
    priority: str = Priority.P3,
    notes_zh: str = "",
    notes_en: str = "",
) -> CriterionSpec:
    """A criterion on a share of the asset's surface (the limit in %)."""
    return CriterionSpec(
        code,
        measure_zh,
        measure_en,
        "%",
        defect_when,
        limit,
        priority,
        PERCENTAGE,
        notes_zh=notes_zh,
        notes_en=notes_en,
    )


def _road_damaged_area() -> CriterionSpec:
    return CriterionSpec(
        "damaged-area",
        "路面破损面积",
        "Damaged area",
        "m²",
        GT,
        "1",
        notes_zh="道路无破损,道路路面破损面积应≤1㎡。",
        notes_en="Roads without damage: a damaged area must stay within 1 m².",
    )


CATALOGUE: tuple[CategorySpec, ...] = (
    CategorySpec(
        "asphalt-road",
        "沥青混凝土路面",
        "Asphalt road",
        (
            CriterionSpec(
                "pothole-depth",
                "坑槽深度",
                "Pothole depth",
                "mm",
                GT,
                "20",
                Priority.P2,
                notes_zh="坑槽:路面破坏成坑洼深度>20mm。",
                notes_en="Pothole: the surface broken into a hollow deeper than 20 mm.",
            ),
            CriterionSpec(
                "bump",
                "拥包坡峰坡谷高差",
                "Bump (peak to trough)",
                "mm",
                GT,
                "15",
                notes_zh="拥包:路面局部隆起,坡峰坡谷高差>15mm。",
                notes_en="Bump: the surface pushed up locally, more than 15 mm from peak to trough.",
            ),
            CriterionSpec(
                "rut-depth",
                "车辙深度",
                "Rut depth",
                "mm",
                GT,
                "15",
                notes_zh="车辙:路面上沿行车轮迹产生的纵向带状凹槽,深度>15mm。",
                notes_en="Rut: a groove along the wheel tracks deeper than 15 mm.",
            ),
            CriterionSpec(
                "alligator-cracking",
                "龟裂缝宽",
                "Alligator cracking: crack width",
                "mm",
                GTE,
                "3",
                kind=COMPOUND,
                second=Second("缝距", "crack spacing", "mm", LTE, "100"),
                notes_zh="龟裂:缝宽3mm以上,且多数缝距100mm以内的块状不规则裂缝。",
                notes_en="Alligator cracking: cracks 3 mm wide or more, most of them 100 mm apart or less.",
            ),
            _road_damaged_area(),
        ),
    ),
    CategorySpec(
        "concrete-road",
        "水泥混凝土路面",
        "Concrete road",
        (
            CriterionSpec(
                "slab-settlement",
                "板块沉陷深度",
                "Slab settlement",
                "mm",
                GTE,
                "30",
                Priority.P2,
                notes_zh="沉陷:路面连续数板块下沉,低于相邻面板、深度30mm以上。",
                notes_en="Settlement: several slabs in a row sunk 30 mm or more below their neighbours.",
            ),
            CriterionSpec(
                "broken-slab",
                "碎板裂缝宽度",
                "Broken slab: crack width",
                "mm",
                GT,
                "5",
                Priority.P2,
                notes_zh="碎板:裂缝将整块面板分割开,裂缝呈放射状,裂缝宽度>5mm。",
                notes_en="Broken slab: radiating cracks wider than 5 mm that split the slab.",
            ),
            CriterionSpec(
                "joint-spalling",
                "接缝剥落边长",
                "Joint spalling: length along the joint",
                "m",
                GTE,
                "0.5",
                kind=COMPOUND,
                second=Second("剥落宽度", "spalling width", "mm", GT, "50"),
                notes_zh="碎板:接缝边长有0.5m,宽度>50mm以上的剥落。",
                notes_en="Broken slab: spalling 0.5 m along a joint and wider than 50 mm.",
            ),
            CriterionSpec(
                "pothole",
                "坑洞面积",
                "Pothole area",
                "m²",
                GTE,
                "0.1",
                Priority.P2,
                kind=COMPOUND,
                second=Second("坑洞深度", "pothole depth", "mm", GTE, "30"),
                notes_zh="坑洞:路面板粗集料脱落并形成局部凹坑,面积在0.1㎡以上,深度30mm以上。",
                notes_en="Pothole: coarse aggregate lost, a hollow of 0.1 m² or more and 30 mm deep or more.",
            ),
            CriterionSpec(
                "exposed-aggregate",
                "露骨面积",
                "Exposed aggregate area",
                "m²",
                GTE,
                "1",
                notes_zh="露骨:路面板表面细集料散失,粗集料暴露,面积在1㎡以上。",
                notes_en="Exposed aggregate: fine aggregate lost, coarse aggregate bare over 1 m² or more.",
            ),
            CriterionSpec(
                "faulting",
                "接缝错台高差",
                "Faulting at joints",
                "mm",
                GTE,
                "10",
                notes_zh="错台:接缝处相邻两块板垂直高度差在10mm以上。",
                notes_en="Faulting: adjacent slabs 10 mm or more apart in height at a joint.",
            ),
            _road_damaged_area(),
        ),
    ),
    CategorySpec(
        "footpath-kerb",
        "人行道、路缘石",
        "Footpath and kerb",
        (
            CriterionSpec(
                "pothole-depth",
                "坑洞深度",
                "Pothole depth",
                "mm",
                GT,
                "20",
                Priority.P2,
                notes_zh="坑洞:人行道及其他构筑物(含路缘石)的破损深度>20mm。",
                notes_en="Pothole: damage to the footpath or kerb deeper than 20 mm.",
            ),
            CriterionSpec(
                "heave",
                "拱起高度",
                "Heave",
                "mm",
                GT,
                "30",
                Priority.P2,
                notes_zh="拱起:多块板相对周围板向上突起,最大凸起量>30mm。",
                notes_en="Heave: blocks pushed up more than 30 mm above those around them.",
            ),
            CriterionSpec(
                "settlement",
                "沉陷深度",
                "Settlement",
                "mm",
                GT,
                "20",
                Priority.P2,
                notes_zh="沉陷:道面铺装连续数块下沉低于相邻深度>20mm。",
                notes_en="Settlement: several blocks in a row sunk more than 20 mm below their neighbours.",
            ),
            CriterionSpec(
                "step",
                "相邻块高差",
                "Step between adjacent blocks",
                "mm",
                GT,
                "10",
                notes_zh="人行道、路缘石顶面应平整,相邻块高差≤10mm。",
                notes_en="The top of footpaths and kerbs stays level: adjacent blocks within 10 mm of each other.",
            ),
            CriterionSpec(
                "damaged-area",
                "破损面积",
                "Damaged area",
                "m²",
                GT,
                "1",
                notes_zh="人行道、路缘石破损面积≤1㎡。",
                notes_en="A damaged area of footpath or kerb must stay within 1 m².",
            ),
        ),
    ),
    CategorySpec(
        "sculpture",
        "雕塑",
        "Sculpture",
        (
            _percent(
                "damaged-area",
                "破损面积",
                "Damaged area",
                GT,
                "10",
                notes_zh="雕塑无明显破损现象,破损面积≤自身10%(有缺角、有裂缝、脱色、局部缺失无安全隐患的情形除外)。",
                notes_en="No visible damage: the damaged area stays within 10 % of the sculpture's surface.",
            ),
            CriterionSpec(
                "displacement",
                "主体位移",
                "Displacement",
                "m",
                GT,
                "1",
                Priority.P2,
                notes_zh="雕塑主体位移程度≤1米(正在维护需要移位的情形除外)。",
                notes_en="The sculpture has moved no more than 1 m (unless moved for maintenance).",
            ),
            CriterionSpec(
                "tilt",
                "主体倾斜",
                "Tilt",
                "°",
                GT,
                "30",
                Priority.P1,
                notes_zh="雕塑主体倾斜程度≤30°,无影响人身安全情况。",
                notes_en="The sculpture leans no more than 30° and endangers nobody.",
            ),
            _percent(
                "rust-area",
                "锈蚀面积",
                "Rusted area",
                GT,
                "10",
                priority=Priority.P4,
                notes_zh="雕塑无明显锈蚀现象,锈蚀面积≤自身10%。",
                notes_en="No visible rust: the rusted area stays within 10 % of the surface.",
            ),
        ),
    ),
    CategorySpec(
        "seat",
        "街头座椅",
        "Seat",
        (
            _percent(
                "damaged-area",
                "破损面积",
                "Damaged area",
                GT,
                "10",
                notes_zh="座椅无明显破损现象,破损面积≤自身10%且不影响正常使用。",
                notes_en="The damaged area stays within 10 % of the seat and it can still be used.",
            ),
            _percent(
                "missing-area",
                "缺失面积",
                "Missing area",
                GT,
                "10",
                notes_zh="座椅无明显缺失现象,缺失面积≤自身10%且不影响正常使用。",
                notes_en="Missing parts stay within 10 % of the seat and it can still be used.",
            ),
            _percent(
                "rust-area",
                "锈蚀面积",
                "Rusted area",
                GT,
                "10",
                priority=Priority.P4,
                notes_zh="座椅无明显锈蚀现象,锈蚀面积≤自身10%。",
                notes_en="No visible rust: the rusted area stays within 10 % of the seat.",
            ),
        ),
    ),
    CategorySpec(
        "greenery",
        "绿地",
        "Greenery",
        (
            _percent(
                "dead-branches",
                "枯枝枯叶占树冠比例",
                "Dead branches (share of the canopy)",
                GT,
                "33.3333",
                notes_zh="枯枝枯叶≤树冠面积的1/3;按树冠面积的百分比录入。",
                notes_en="Dead branches and leaves within 1/3 of the canopy; enter as a percentage of the canopy.",
            ),
            _percent(
                "shrub-pest-area",
                "片植灌木病虫害面积",
                "Pest area in massed shrubs",
                GT,
                "20",
                notes_zh="100㎡以内片植灌木病虫害发生面积≤20㎡。",
                notes_en="Pests on no more than 20 m² per 100 m² of massed shrubs.",
            ),
            _percent(
                "plant-pest-area",
                "单株病虫害面积",
                "Pest area on a single plant",
                GT,
                "15",
                notes_zh="单株乔木、灌木病虫害发生面积≤自身单个植株表面积的15%;按百分比录入。",
                notes_en="Pests on no more than 15 % of a single tree's or shrub's surface; enter as a percentage.",
            ),
            CriterionSpec(
                "bare-patch",
                "无地被植物连片面积",
                "Bare patch in ground cover",
                "m²",
                GT,
                "5",
                Priority.P4,
                notes_zh="无地被植物连片面积≤5㎡。",
                notes_en="A continuous patch without ground cover stays within 5 m².",
            ),
        ),
    ),
    CategorySpec(
        "sign",
        "标牌",
        "Sign",
        (
            _percent(
                "damaged-area",
                "标牌损坏面积",
                "Damaged area",
                GT,
                "10",
                priority=Priority.P4,
                notes_zh="标牌损坏面积≤自身总面积的10%,且不影响使用功能;字迹可辨,无文字错、漏,无乱写乱画。",
                notes_en="Damage within 10 % of the sign, still usable; the lettering legible, complete, not defaced.",
            ),
        ),
    ),
    CategorySpec(
        "paving",
        "道路铺装、行道步砖",
        "Paving",
        (
            CriterionSpec(
                "sinking-heave-area",
                "连片沉陷、拱抬或缺损面积",
                "Continuous sinking, heave or missing area",
                "m²",
                GT,
                "3",
                notes_zh="道路铺装、行道步砖连片沉陷、拱抬或缺损面积≤3㎡。",
                notes_en="Continuous sinking, heave or missing paving stays within 3 m².",
            ),
        ),
    ),
    CategorySpec(
        "heritage-tree",
        "古树名木",
        "Heritage tree",
        (
            CriterionSpec(
                "hard-paving-distance",
                "硬化地面距树干距离",
                "Distance from the trunk to hard paving",
                "m",
                LT,
                "3",
                Priority.P2,
                notes_zh="距树干3m范围内无铺设硬化地面;树冠垂直投影外3m范围内无堆放有毒、有害物料,无打桩、挖坑。",
                notes_en="No hard paving within 3 m of the trunk; nothing harmful stored, no piling or digging "
                "within 3 m outside the canopy's outline.",
            ),
            _percent(
                "plate-damaged-area",
                "标牌损坏面积",
                "Name plate damaged area",
                GT,
                "10",
                priority=Priority.P4,
                notes_zh="标牌或铭牌损坏面积≤自身总面积的10%且不影响正常使用。",
                notes_en="The sign or name plate is damaged over no more than 10 % and still serves.",
            ),
            _percent(
                "guard-damaged-area",
                "护绿设施损坏面积",
                "Protective structure damaged area",
                GT,
                "30",
                notes_zh="现有护绿设施的,整个损坏面积不超过整体面积的30%。",
                notes_en="An existing protective structure is damaged over no more than 30 % of it.",
            ),
        ),
    ),
    CategorySpec(
        "tree-guard",
        "护树设施",
        "Tree guard",
        (
            _percent(
                "damaged-part",
                "损坏程度",
                "Damaged part",
                GTE,
                "30",
                notes_zh="整个护树设施损坏程度<自身30%且不影响使用功能(有缺角、裂缝或完全断裂仍能正常使用的情形除外)。",
                notes_en="Less than 30 % of the tree guard damaged, and it still serves.",
            ),
        ),
    ),
    CategorySpec(
        "planter",
        "花架花钵",
        "Planter and flower stand",
        (
            _percent(
                "damaged-area",
                "破损面积",
                "Damaged area",
                GTE,
                "10",
                priority=Priority.P4,
                notes_zh="花架花钵无明显损坏,破损面积<自身10%且不影响使用功能;放置不存在安全隐患。",
                notes_en="No visible damage: less than 10 % damaged and still usable; placed safely.",
            ),
        ),
    ),
    CategorySpec("footbridge", "人行天桥、景观桥", "Footbridge"),
    CategorySpec("lighting", "路灯及景观照明", "Lighting"),
    CategorySpec("water-power", "水电配套设施", "Water and power systems"),
)


def catalogue_category(code: str) -> CategorySpec:
    """The built-in category of ``code`` (KeyError when there is none)."""
    for spec in CATALOGUE:
        if spec.code == code:
            return spec
    raise KeyError(code)


def _organization_id(organization: Organization | int) -> int:
    return organization if isinstance(organization, int) else organization.pk


def _version(organization_id: int, criterion: Criterion, spec: CriterionSpec) -> CriterionVersion:
    second = spec.second
    return CriterionVersion(
        organization_id=organization_id,
        criterion=criterion,
        version=1,
        is_current=True,
        kind=spec.kind,
        measure_zh=spec.measure_zh,
        measure_en=spec.measure_en,
        unit=spec.unit,
        defect_when=spec.defect_when,
        limit=Decimal(spec.limit),
        second_measure_zh=second.measure_zh if second else "",
        second_measure_en=second.measure_en if second else "",
        second_unit=second.unit if second else "",
        second_defect_when=second.defect_when if second else "",
        second_limit=Decimal(second.limit) if second else None,
        priority=spec.priority,
        notes_zh=spec.notes_zh,
        notes_en=spec.notes_en,
    )


def ensure_catalogue(organization: Organization | int) -> int:
    """Give the organisation the built-in categories and criteria it does not have yet; returns
    how many rows were added (0 once everything is there: two queries and nothing written)."""
    organization_id = _organization_id(organization)
    categories = {
        code: (pk, builtin)
        for code, pk, builtin in AssetCategory.objects.for_organization(organization_id).values_list(
            "code", "pk", "builtin"
        )
    }
    # Any criterion of the code counts: one the organisation added under a code a later catalogue
    # brings stays the organisation's, rather than clashing with the built-in one.
    have = set(Criterion.objects.for_organization(organization_id).values_list("category__code", "code"))
    missing_categories = [spec for spec in CATALOGUE if spec.code not in categories]
    missing_criteria = [
        (category, spec)
        for category in CATALOGUE
        if category.code not in categories or categories[category.code][1]
        for spec in category.criteria
        if (category.code, spec.code) not in have
    ]
    if not missing_categories and not missing_criteria:
        return 0
    try:
        with transaction.atomic():
            return _add(organization_id, categories, missing_categories, missing_criteria)
    except IntegrityError:
        return 0  # another request added them meanwhile


def _add(
    organization_id: int,
    categories: dict[str, tuple[int, bool]],
    missing_categories: list[CategorySpec],
    missing_criteria: list[tuple[CategorySpec, CriterionSpec]],
) -> int:
    positions = {spec.code: index * 10 for index, spec in enumerate(CATALOGUE)}
    made = AssetCategory.objects.bulk_create(
        AssetCategory(
            organization_id=organization_id,
            code=spec.code,
            name_zh=spec.name_zh,
            name_en=spec.name_en,
            builtin=True,
            position=positions[spec.code],
        )
        for spec in missing_categories
    )
    category_ids = {code: pk for code, (pk, _builtin) in categories.items()}
    category_ids.update({category.code: category.pk for category in made})
    criteria = [
        Criterion(
            organization_id=organization_id,
            category_id=category_ids[category.code],
            code=spec.code,
            builtin=True,
            position=category.criteria.index(spec) * 10,
        )
        for category, spec in missing_criteria
    ]
    Criterion.objects.bulk_create(criteria)
    CriterionVersion.objects.bulk_create(
        _version(organization_id, criterion, spec)
        for criterion, (_category, spec) in zip(criteria, missing_criteria, strict=True)
    )
    return len(made) + len(criteria)


def builtin_category(organization: Organization | int, code: str) -> AssetCategory:
    """The organisation's category of ``code``, the catalogue loaded first if it is missing."""
    organization_id = _organization_id(organization)
    found = AssetCategory.objects.for_organization(organization_id).filter(code=code).first()
    if found is not None:
        return found
    ensure_catalogue(organization_id)
    return AssetCategory.objects.for_organization(organization_id).get(code=code)
