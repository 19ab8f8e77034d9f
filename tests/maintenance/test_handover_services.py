"""A project's handover to maintenance: proposal from the deliverables, completion writing the assets, and
the gate check that holds the project in closing until it is completed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from maintenance.gate_checks import HANDOVER, HANDOVER_CHECK, handover_completed
from maintenance.models import Area, Asset, AssetCategory, Handover, HandoverRow, HandoverStatus, Site
from maintenance.services import handover as services
from pmo.errors import ApplicationError
from pmo.models import AuditEvent, Membership, Organization, OrgRole, User
from projects.gate_checks import gate_checks
from projects.models import Phase, Project, StageGate
from projects.services import projects as project_services
from projects.services.gate_checks import gate_check_selection_update
from tests.factories import (
    AssetCategoryFactory,
    AttachmentFactory,
    ContractorFactory,
    DeliverableFactory,
    OrganizationFactory,
    ProjectFactory,
    SiteFactory,
    UserFactory,
    WbsElementFactory,
    member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@dataclass
class Closing:
    org: Organization
    project: Project
    manager: User
    site: Site
    category: AssetCategory


@pytest.fixture
def closing() -> Closing:
    project = ProjectFactory(phase=Phase.CLOSING, code="RP-01")
    org = project.organization
    for position, name in enumerate(("Greenway path", "Heron sculpture")):
        element = WbsElementFactory(project=project, organization=org, name=name, position=position)
        DeliverableFactory(
            project=project,
            organization=org,
            wbs_element=element,
            status="accepted",
            decided_by=UserFactory(),
            decided_at=timezone.now(),
        )
    return Closing(
        org=org,
        project=project,
        manager=member(org, OrgRole.MAINTENANCE).user,
        site=SiteFactory(organization=org, code="RIV"),
        category=AssetCategoryFactory(organization=org),
    )


def complete_row(row: HandoverRow, closing: Closing, **values) -> HandoverRow:
    defaults = {
        "category": closing.category,
        "location_text": "North gate",
        "quantity": Decimal("750"),
        "unit": "m2",
        "install_date": dt.date(2026, 5, 30),
        "warranty_end": dt.date(2028, 5, 30),
    }
    return services.handover_row_update(actor=closing.manager, row=row, **{**defaults, **values})


def test_the_handover_proposes_one_row_per_deliverable_in_wbs_order(closing) -> None:
    handover = services.handover_start(actor=closing.manager, project=closing.project, site=closing.site)
    rows = list(handover.rows.order_by("position"))
    assert [row.name for row in rows] == ["Greenway path", "Heron sculpture"]
    assert all(row.wbs_element is not None for row in rows)
    assert rows[0].code.startswith("RP-01-")
    assert services.row_missing(rows[0], handover) == [
        "category",
        "location_text",
        "unit",
        "install_date",
        "warranty_end",
    ]
    again = services.handover_start(actor=closing.manager, project=closing.project)
    assert again.pk == handover.pk
    assert HandoverRow.objects.for_organization(closing.org).count() == 2


@pytest.mark.parametrize("phase", [Phase.PLANNING, Phase.OPERATIONS])
def test_a_handover_starts_only_while_the_project_is_in_execution_or_closing(closing, phase) -> None:
    Project.objects.for_organization(closing.org).filter(pk=closing.project.pk).update(phase=phase)
    closing.project.refresh_from_db()
    with pytest.raises(ApplicationError) as refused:
        services.handover_start(actor=closing.manager, project=closing.project)
    assert refused.value.code == "handover_wrong_phase"
    assert not Handover.objects.for_organization(closing.org).exists()


def test_completing_is_refused_while_a_row_is_incomplete_and_writes_nothing(closing) -> None:
    handover = services.handover_start(actor=closing.manager, project=closing.project, site=closing.site)
    first, second = handover.rows.order_by("position")
    complete_row(first, closing)
    with pytest.raises(ApplicationError) as refused:
        services.handover_complete(actor=closing.manager, handover=handover)
    assert refused.value.code == "handover_incomplete"
    assert list(refused.value.fields) == [f"rows.{second.pk}"]
    assert "Heron sculpture" in refused.value.fields[f"rows.{second.pk}"][0]
    assert not Asset.objects.for_organization(closing.org).exists()
    handover.refresh_from_db()
    assert handover.status == HandoverStatus.DRAFT


def test_completing_writes_the_assets_with_their_origin_and_moves_the_rows_files(closing) -> None:
    handover = services.handover_start(actor=closing.manager, project=closing.project, site=closing.site)
    path, sculpture = handover.rows.order_by("position")
    firm = ContractorFactory(organization=closing.org)
    complete_row(
        path, closing, area_name="North bank", contractor=firm, latitude=Decimal("31.2"), longitude=Decimal("121.4")
    )
    complete_row(sculpture, closing, area_name="north bank", unit="count", quantity=Decimal("1"))
    extra = services.handover_row_add(actor=closing.manager, handover=handover, name="Leftover report")
    services.handover_row_update(actor=closing.manager, row=extra, excluded=True)
    document = AttachmentFactory(organization=closing.org, parent=path)

    services.handover_complete(actor=closing.manager, handover=handover)

    handover.refresh_from_db()
    assert handover.status == HandoverStatus.COMPLETED
    assert handover.completed_by == closing.manager
    assets = list(Asset.objects.for_organization(closing.org).order_by("route_order"))
    assert [asset.name for asset in assets] == ["Greenway path", "Heron sculpture"]
    assert all(asset.origin_project == closing.project and asset.handover == handover for asset in assets)
    assert [asset.origin_wbs_element for asset in assets] == [path.wbs_element, sculpture.wbs_element]
    assert assets[0].contractor == firm
    assert assets[0].area == assets[1].area
    assert Area.objects.for_organization(closing.org).get().name == "North bank"
    document.refresh_from_db()
    assert (document.content_type.model, document.object_id) == ("asset", assets[0].pk)
    path.refresh_from_db()
    assert path.asset == assets[0]
    assert AuditEvent.objects.for_organization(closing.org).filter(action="maintenance.handover.completed").exists()
    with pytest.raises(ApplicationError) as refused:
        services.handover_row_update(actor=closing.manager, row=sculpture, name="Changed")
    assert refused.value.code == "handover_completed"


def test_a_row_needs_a_site_when_the_handover_has_none(closing) -> None:
    handover = services.handover_start(actor=closing.manager, project=closing.project)
    row = complete_row(handover.rows.order_by("position").first(), closing)
    assert services.row_missing(row, handover) == ["site"]
    services.handover_update(actor=closing.manager, handover=handover, site=closing.site)
    handover.refresh_from_db()
    assert services.row_missing(row, handover) == []


def test_bad_row_input_is_refused_with_the_field_named(closing) -> None:
    handover = services.handover_start(actor=closing.manager, project=closing.project, site=closing.site)
    row = handover.rows.order_by("position").first()
    with pytest.raises(ApplicationError) as refused:
        complete_row(
            row,
            closing,
            install_date=dt.date(2026, 6, 1),
            warranty_end=dt.date(2026, 5, 1),
            latitude=Decimal("95"),
            longitude=Decimal("1"),
        )
    assert set(refused.value.fields) == {"warranty_end", "latitude"}
    with pytest.raises(ApplicationError) as refused:
        complete_row(row, closing, category=AssetCategoryFactory(organization=OrganizationFactory()))
    assert refused.value.fields["category"] == ["Not found."]
    row.refresh_from_db()
    assert row.category is None


def test_a_proposed_row_is_left_out_not_removed(closing) -> None:
    handover = services.handover_start(actor=closing.manager, project=closing.project, site=closing.site)
    row = handover.rows.order_by("position").first()
    with pytest.raises(ApplicationError) as refused:
        services.handover_row_remove(actor=closing.manager, row=row)
    assert refused.value.code == "handover_row_proposed"
    added = services.handover_row_add(actor=closing.manager, handover=handover, name="Extra")
    services.handover_row_remove(actor=closing.manager, row=added)
    assert handover.rows.count() == 2


# The gate check


def leave_closing(project: Project, pmo: Membership) -> StageGate:
    project.refresh_from_db()
    criteria = [c.pk for c in project_services.gate_criteria(project.organization, project.phase)]
    return project_services.project_advance(
        actor=pmo.user,
        membership=pmo,
        project_role=None,
        project=project,
        to_phase=Phase.OPERATIONS,
        passed_criteria=criteria,
    )


def test_the_gate_check_is_registered_for_leaving_closing_and_off_by_default() -> None:
    assert gate_checks.get(HANDOVER) is HANDOVER_CHECK
    assert HANDOVER_CHECK.phases == {Phase.CLOSING}
    assert HANDOVER_CHECK.default_phases == frozenset()
    with translation.override("zh-hans"):
        assert str(HANDOVER_CHECK.label) != "The handover to maintenance is completed"


def test_the_gate_blocks_leaving_closing_until_the_handover_is_completed(closing, django_assert_num_queries) -> None:
    pmo = member(closing.org, OrgRole.PMO)
    gate_check_selection_update(
        actor=pmo.user, organization=closing.org, selection={"closing": [HANDOVER, "quality_acceptance"]}
    )
    with django_assert_num_queries(1):
        passed, reason = handover_completed(closing.project)
    assert (passed, str(reason)) == (False, "The handover to maintenance has not been started.")
    with pytest.raises(ApplicationError) as refused:
        leave_closing(closing.project, pmo)
    assert refused.value.code == "maintenance_handover_incomplete"

    handover = services.handover_start(actor=closing.manager, project=closing.project, site=closing.site)
    with pytest.raises(ApplicationError) as refused:
        leave_closing(closing.project, pmo)
    assert "in preparation" in refused.value.message

    for row in handover.rows.all():
        complete_row(row, closing)
    services.handover_complete(actor=closing.manager, handover=handover)
    gate = leave_closing(closing.project, pmo)
    closing.project.refresh_from_db()
    assert closing.project.phase == Phase.OPERATIONS
    assert any(check["code"] == HANDOVER and check["passed"] for check in gate.computed_checks)


def test_without_the_organisations_choice_the_gate_does_not_wait_for_the_handover(closing) -> None:
    pmo = member(closing.org, OrgRole.PMO)
    leave_closing(closing.project, pmo)
    closing.project.refresh_from_db()
    assert closing.project.phase == Phase.OPERATIONS
