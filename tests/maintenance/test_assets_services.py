"""The asset register's services: contractors, sites and areas, assets (create, edit, move, retire, restore)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from maintenance.models import Area, Asset, AssetStatus, Contractor, Site
from maintenance.services import assets
from pmo.errors import ApplicationError
from pmo.models import AuditEvent, OrgRole
from tests.factories import (
    AreaFactory,
    AssetCategoryFactory,
    AssetFactory,
    ContractorFactory,
    HoldReasonFactory,
    OrganizationFactory,
    SiteFactory,
    WorkOrderFactory,
    member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def actor(organization):
    return member(organization, OrgRole.MAINTENANCE).user


def refused(call, expected: str = "invalid", **kwargs) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        call(**kwargs)
    assert caught.value.code == expected, caught.value.fields
    return caught.value


def new_asset(organization, actor, **values):
    site = values.pop("site", None) or SiteFactory(organization=organization)
    defaults = {
        "code": "GW-001",
        "name": "Greenway path 1",
        "category": AssetCategoryFactory(organization=organization),
        "site": site,
    }
    return assets.asset_create(actor=actor, organization=organization, **{**defaults, **values})


def test_a_contractor_is_created_audited_and_its_name_is_unique_without_case(organization, actor) -> None:
    firm = assets.contractor_create(actor=actor, organization=organization, name="Riverside Paving", phone="123")
    assert AuditEvent.objects.for_organization(organization).filter(action="maintenance.contractor.created").exists()
    error = refused(assets.contractor_create, actor=actor, organization=organization, name="riverside paving")
    assert error.fields["name"] == ["A contractor with this name already exists."]
    assets.contractor_deactivate(actor=actor, contractor=firm)
    firm.refresh_from_db()
    assert not firm.is_active


def test_a_contractors_login_must_be_a_member(organization, actor) -> None:
    stranger = member(OrganizationFactory()).user
    error = refused(assets.contractor_create, actor=actor, organization=organization, name="X", user=stranger)
    assert "user" in error.fields


def test_site_codes_are_unique_and_areas_unique_within_their_site(organization, actor) -> None:
    site = assets.site_create(actor=actor, organization=organization, code="RIV", name="Riverside park")
    refused(assets.site_create, actor=actor, organization=organization, code="riv", name="Another")
    area = assets.area_create(actor=actor, site=site, name="North bank")
    assert area.position == 0
    error = refused(assets.area_create, actor=actor, site=site, name="north bank")
    assert error.fields["name"] == ["The site already has an area with this name."]
    other = assets.site_create(actor=actor, organization=organization, code="OLD", name="Old town")
    assert assets.area_create(actor=actor, site=other, name="North bank").site == other


def test_an_asset_is_created_with_its_audit(organization, actor) -> None:
    asset = new_asset(organization, actor, quantity=Decimal("750"), unit="m2")
    assert asset.judged_surface() == Decimal("750")
    event = AuditEvent.objects.for_organization(organization).get(action="maintenance.asset.created")
    assert event.target_id == str(asset.pk)


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"latitude": Decimal("91"), "longitude": Decimal("0")}, "latitude", "Enter a number from -90 to 90."),
        ({"latitude": Decimal("1"), "longitude": Decimal("181")}, "longitude", "Enter a number from -180 to 180."),
        ({"latitude": Decimal("1")}, "longitude", "Give both coordinates, or neither."),
        ({"quantity": Decimal("-1")}, "quantity", "The quantity cannot be negative."),
        (
            {"install_date": dt.date(2026, 6, 1), "warranty_end": dt.date(2026, 5, 31)},
            "warranty_end",
            "The warranty cannot end before the asset was installed.",
        ),
        ({"code": ""}, "code", "This field is required."),
        ({"unit": "km"}, "unit", "Choose m², m, count or set."),
    ],
)
def test_bad_asset_input_is_refused_with_a_clear_message_and_nothing_written(
    organization, actor, values, field, message
) -> None:
    with pytest.raises(ApplicationError) as caught:
        new_asset(organization, actor, **values)
    assert message in caught.value.fields[field]
    assert not Asset.objects.for_organization(organization).exists()


def test_a_warranty_ending_on_the_install_day_is_accepted(organization, actor) -> None:
    day = dt.date(2026, 6, 1)
    assert new_asset(organization, actor, install_date=day, warranty_end=day).warranty_end == day


def test_asset_codes_are_unique_without_case(organization, actor) -> None:
    new_asset(organization, actor, code="GW-001")
    with pytest.raises(ApplicationError) as caught:
        new_asset(organization, actor, code="gw-001")
    assert caught.value.fields["code"] == ["An asset with this code already exists."]


def test_an_area_of_another_site_is_refused(organization, actor) -> None:
    site = SiteFactory(organization=organization)
    area = AreaFactory(organization=organization)
    with pytest.raises(ApplicationError) as caught:
        new_asset(organization, actor, site=site, area=area)
    assert caught.value.fields["area"] == ["The area belongs to another site."]


def test_a_category_or_contractor_of_another_organisation_is_not_found(organization, actor) -> None:
    stranger = OrganizationFactory()
    with pytest.raises(ApplicationError) as caught:
        new_asset(
            organization,
            actor,
            category=AssetCategoryFactory(organization=stranger),
            contractor=ContractorFactory(organization=stranger),
        )
    assert caught.value.fields["category"] == ["Not found."]
    assert caught.value.fields["contractor"] == ["Not found."]


def test_an_inactive_contractor_is_not_given_new_assets(organization, actor) -> None:
    firm = ContractorFactory(organization=organization, is_active=False)
    with pytest.raises(ApplicationError) as caught:
        new_asset(organization, actor, contractor=firm)
    assert caught.value.fields["contractor"] == ["The contractor is no longer active."]


def test_an_asset_keeps_its_inactive_contractor_when_edited(organization, actor) -> None:
    firm = ContractorFactory(organization=organization)
    asset = new_asset(organization, actor, contractor=firm)
    assets.contractor_deactivate(actor=actor, contractor=firm)
    asset = assets.asset_update(actor=actor, asset=asset, name="Renamed")
    assert asset.contractor == firm
    assert asset.name == "Renamed"


def test_moving_an_asset_records_where_it_was_and_where_it_went(organization, actor) -> None:
    first = SiteFactory(organization=organization, code="A1")
    second = SiteFactory(organization=organization, code="B2")
    area = AreaFactory(site=second, name="Plaza")
    asset = new_asset(organization, actor, site=first, location_text="Gate")
    assets.asset_move(
        actor=actor,
        asset=asset,
        site=second,
        area=area,
        location_text="Plaza, east corner",
        latitude=Decimal("31.2"),
        longitude=Decimal("121.4"),
    )
    asset.refresh_from_db()
    assert (asset.site, asset.area, asset.location_text) == (second, area, "Plaza, east corner")
    event = AuditEvent.objects.for_organization(organization).get(action="maintenance.asset.moved")
    assert event.changes["before"]["site"] == "A1"
    assert event.changes["after"] == {
        "site": "B2",
        "area": "Plaza",
        "location_text": "Plaza, east corner",
        "latitude": "31.2",
        "longitude": "121.4",
    }


def test_moving_into_an_area_of_another_site_is_refused(organization, actor) -> None:
    asset = new_asset(organization, actor)
    with pytest.raises(ApplicationError) as caught:
        assets.asset_move(actor=actor, asset=asset, site=asset.site, area=AreaFactory(organization=organization))
    assert "area" in caught.value.fields
    asset.refresh_from_db()
    assert asset.area is None


@pytest.mark.parametrize("status", ["open", "assigned", "in_progress", "on_hold", "completed", "verified"])
def test_an_asset_with_a_work_order_not_closed_or_cancelled_cannot_be_retired(organization, actor, status) -> None:
    asset = AssetFactory(organization=organization)
    hold = HoldReasonFactory(organization=organization) if status == "on_hold" else None
    order = WorkOrderFactory(organization=organization, asset=asset, status=status, hold_reason=hold)
    error = refused(
        assets.asset_retire,
        "asset_has_open_work_orders",
        actor=actor,
        asset=asset,
        retired_on=organization.today(),
        reason="Demolished",
    )
    assert order.reference in error.message
    asset.refresh_from_db()
    assert asset.status == AssetStatus.ACTIVE


def test_an_asset_whose_work_orders_are_closed_or_cancelled_is_retired_and_restored(organization, actor) -> None:
    asset = AssetFactory(organization=organization)
    WorkOrderFactory(organization=organization, asset=asset, status="closed")
    WorkOrderFactory(organization=organization, asset=asset, status="cancelled", cancel_reason="Duplicate")
    today = organization.today()
    assets.asset_retire(actor=actor, asset=asset, retired_on=today, reason="Replaced by GW-002")
    asset.refresh_from_db()
    assert (asset.status, asset.retired_on, asset.retired_reason) == ("retired", today, "Replaced by GW-002")
    refused(assets.asset_move, "asset_retired", actor=actor, asset=asset, site=asset.site)
    assets.asset_restore(actor=actor, asset=asset)
    asset.refresh_from_db()
    assert asset.status == AssetStatus.ACTIVE
    assert asset.retired_on is None
    actions = set(AuditEvent.objects.for_organization(organization).values_list("action", flat=True))
    assert {"maintenance.asset.retired", "maintenance.asset.restored"} <= actions


def test_retiring_needs_a_reason_and_a_day_not_in_the_future(organization, actor) -> None:
    asset = AssetFactory(organization=organization)
    error = refused(assets.asset_retire, actor=actor, asset=asset, retired_on=None, reason=" ")
    assert set(error.fields) == {"retired_on", "retired_reason"}
    tomorrow = organization.today() + dt.timedelta(days=1)
    error = refused(assets.asset_retire, actor=actor, asset=asset, retired_on=tomorrow, reason="Gone")
    assert error.fields["retired_on"] == ["An asset cannot be retired on a future day."]


def test_counts_are_what_they_were_after_refusals(organization, actor) -> None:
    refused(assets.site_create, actor=actor, organization=organization, code="", name="")
    assert not Site.objects.for_organization(organization).exists()
    assert not Area.objects.for_organization(organization).exists()
    assert not Contractor.objects.for_organization(organization).exists()
