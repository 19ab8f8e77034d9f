"""Files on work orders and readings follow who may see and work on that record, not only the action.

A contractor's login that may work on its firm's orders must not see or add files on another firm's
order by naming its id, and a named inspector adds photos only to readings of rounds they may do.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from maintenance.models import AssetReading
from maintenance.services import work_orders as services
from maintenance.services.rounds import ReadingInput, round_submit_readings
from pmo.models import Attachment, OrgRole
from tests.conftest import api_client_for
from tests.factories import (
    AssetFactory,
    ContractorFactory,
    CriterionFactory,
    DefectFactory,
    InspectorFactory,
    member,
)
from tests.maintenance.rounds_support import walk
from tests.pmo.attachments.conftest import local_storage as local_storage  # the fixture
from tests.pmo.attachments.samples import png

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("local_storage")]


def _list_url(organization: Any) -> str:
    return reverse("api-attachment-list", kwargs={"org_slug": organization.slug})


def _attach(client: Any, organization: Any, parent_type: str, parent_id: int) -> Any:
    return client.post(
        _list_url(organization),
        {"parent_type": parent_type, "parent_id": parent_id, "files": [png()]},
        format="multipart",
    )


def _work_order(organization: Any, office: Any) -> Any:
    asset = AssetFactory(organization=organization)
    defect = DefectFactory(
        organization=organization,
        asset=asset,
        criterion=CriterionFactory(organization=organization, category=asset.category),
    )
    return services.work_order_open_corrective(actor=office, defect=defect)


def test_a_contractors_login_sees_and_adds_files_only_on_its_firms_work_orders(organization: Any) -> None:
    office = member(organization, OrgRole.MAINTENANCE).user
    login = member(organization, OrgRole.MEMBER).user
    firm = ContractorFactory(organization=organization, user=login)
    theirs = _work_order(organization, office)
    services.work_order_assign(actor=office, work_order=theirs, contractor=firm)
    others = _work_order(organization, office)
    services.work_order_assign(actor=office, work_order=others, contractor=ContractorFactory(organization=organization))
    assert _attach(api_client_for(office), organization, "maintenance.workorder", others.pk).status_code == 201
    api = api_client_for(login)

    refused = _attach(api, organization, "maintenance.workorder", others.pk)
    listed = api.get(_list_url(organization), {"parent_type": "maintenance.workorder", "parent_id": others.pk})
    (office_file,) = Attachment.objects.for_organization(organization).filter(object_id=others.pk)
    shown = api.get(reverse("api-attachment-detail", kwargs={"org_slug": organization.slug, "pk": office_file.pk}))

    assert (refused.status_code, listed.status_code, shown.status_code) == (404, 404, 404)
    assert Attachment.objects.for_organization(organization).filter(object_id=others.pk).count() == 1
    assert _attach(api, organization, "maintenance.workorder", theirs.pk).status_code == 201


def test_a_member_who_works_on_orders_adds_files_only_to_the_orders_given_to_them(organization: Any) -> None:
    office = member(organization, OrgRole.MAINTENANCE).user
    worker = member(organization, OrgRole.MEMBER).user
    colleague = member(organization, OrgRole.MEMBER).user
    mine = _work_order(organization, office)
    services.work_order_assign(actor=office, work_order=mine, assignee=worker)
    theirs = _work_order(organization, office)
    services.work_order_assign(actor=office, work_order=theirs, assignee=colleague)
    api = api_client_for(worker)

    refused = _attach(api, organization, "maintenance.workorder", theirs.pk)
    seen = api.get(_list_url(organization), {"parent_type": "maintenance.workorder", "parent_id": theirs.pk})

    assert refused.status_code == 403
    assert seen.status_code == 200
    assert not Attachment.objects.for_organization(organization).filter(object_id=theirs.pk).exists()
    assert _attach(api, organization, "maintenance.workorder", mine.pk).status_code == 201


def test_a_named_inspector_adds_photos_only_to_readings_of_rounds_they_may_do(organization: Any) -> None:
    w = walk(organization)
    inspector = member(organization, OrgRole.MEMBER).user
    other_inspector = member(organization, OrgRole.MEMBER).user
    InspectorFactory(organization=organization, user=inspector)
    InspectorFactory(organization=organization, user=other_inspector)
    w.round.inspector = other_inspector
    w.round.save(update_fields=["inspector"])
    round_submit_readings(
        actor=w.user,
        round=w.round,
        stop=w.stops[0],
        readings=[ReadingInput(criterion_id=w.depth.pk, value=Decimal("12"))],
    )
    reading = AssetReading.objects.for_organization(organization).get(round=w.round, criterion=w.depth)

    refused = _attach(api_client_for(inspector), organization, "maintenance.assetreading", reading.pk)
    assert refused.status_code == 403
    assert not Attachment.objects.for_organization(organization).filter(object_id=reading.pk).exists()

    allowed = _attach(api_client_for(other_inspector), organization, "maintenance.assetreading", reading.pk)
    assert allowed.status_code == 201
    w.round.inspector = None
    w.round.save(update_fields=["inspector"])
    assert _attach(api_client_for(inspector), organization, "maintenance.assetreading", reading.pk).status_code == 201
