"""The round pages: the list, and walking a round on a phone (readings judged on saving, not reached, completion)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from maintenance.models import AssetReading, RoundStatus, StopStatus, WorkOrder
from pmo.models import Organization, OrgRole
from tests.conftest import page_client_for
from tests.factories import RoundFactory, member
from tests.maintenance.rounds_support import walk

pytestmark = pytest.mark.django_db


def round_url(w: Any, stop: Any = None) -> str:
    url = reverse("org-maintenance-round", args=[w.organization.slug, w.round.pk])
    return f"{url}?stop={stop.pk}" if stop is not None else url


def test_the_round_page_shows_each_criterion_with_its_rule_and_a_decimal_input(organization: Organization) -> None:
    w = walk(organization, assets=2)
    page = page_client_for(w.user).get(round_url(w)).content.decode()
    assert w.stops[0].asset.code in page
    assert 'inputmode="decimal"' in page
    assert f'name="value-{w.depth.pk}"' in page
    assert f'name="as-{w.cover.pk}"' in page  # m² or %
    assert f'name="na-{w.depth.pk}"' in page


def test_saving_a_breaching_reading_shows_the_verdict_and_the_work_order(organization: Organization) -> None:
    w = walk(organization, assets=2)
    client = page_client_for(w.user)
    stop = w.stops[0]
    response = client.post(
        round_url(w, stop),
        {"op": "readings", "stop": stop.pk, f"value-{w.depth.pk}": "23", f"notes-{w.depth.pk}": "by the gate"},
        follow=True,
    )
    assert response.status_code == 200
    page = client.get(round_url(w, stop)).content.decode()
    assert "23 mm &gt; 20 mm" in page
    order = WorkOrder.objects.for_organization(organization).get()
    assert order.reference in page
    reading = AssetReading.objects.for_organization(organization).get()
    assert reading.notes == "by the gate"


def test_a_stop_read_in_full_is_done_and_the_page_moves_to_the_next(organization: Organization) -> None:
    w = walk(organization, assets=2)
    stop = w.stops[0]
    response = page_client_for(w.user).post(
        round_url(w, stop),
        {
            "op": "readings",
            "stop": stop.pk,
            f"value-{w.depth.pk}": "3",
            f"value-{w.cover.pk}": "1",
            f"as-{w.cover.pk}": "percent",
        },
    )
    assert response.status_code == 302
    assert f"stop={w.stops[1].pk}" in response["Location"]
    stop.refresh_from_db()
    assert stop.status == StopStatus.DONE


def test_a_reading_that_cannot_be_judged_is_refused_and_keeps_what_was_typed(organization: Organization) -> None:
    w = walk(organization, assets=1)
    stop = w.stops[0]
    response = page_client_for(w.user).post(
        round_url(w, stop),
        {"op": "readings", "stop": stop.pk, f"value-{w.cover.pk}": "140", f"as-{w.cover.pk}": "percent"},
    )
    assert response.status_code == 400
    assert 'value="140"' in response.content.decode()
    assert not AssetReading.objects.for_organization(organization).exists()


def test_a_stop_not_reached_needs_a_note_and_then_the_round_completes(organization: Organization) -> None:
    w = walk(organization, assets=1)
    client = page_client_for(w.user)
    stop = w.stops[0]
    refused = client.post(round_url(w), {"op": "complete"}, follow=True)
    assert w.round.__class__.objects.for_organization(organization).get().status != RoundStatus.COMPLETED
    assert refused.status_code == 200
    assert client.post(round_url(w, stop), {"op": "skip", "stop": stop.pk, "note": ""}).status_code == 400
    client.post(round_url(w, stop), {"op": "skip", "stop": stop.pk, "note": "Flooded"})
    client.post(round_url(w), {"op": "complete"})
    assert w.round.__class__.objects.for_organization(organization).get().status == RoundStatus.COMPLETED


def test_a_viewer_sees_the_round_but_cannot_take_readings(organization: Organization) -> None:
    w = walk(organization, assets=1)
    viewer = member(organization, OrgRole.VIEWER).user
    client = page_client_for(viewer)
    page = client.get(round_url(w)).content.decode()
    assert 'id="readings-form"' not in page
    stop = w.stops[0]
    response = client.post(round_url(w, stop), {"op": "readings", "stop": stop.pk, f"value-{w.depth.pk}": "1"})
    assert response.status_code == 403


def test_the_round_list_marks_overdue_rounds_and_pins_its_queries(
    organization: Organization, django_assert_num_queries: Any
) -> None:
    w = walk(organization, assets=1)
    client = page_client_for(w.user)
    url = reverse("org-maintenance-rounds", args=[organization.slug]) + "?whose=all&status=open"
    client.get(url)
    with django_assert_num_queries(ROUND_PAGE_QUERIES):
        page = client.get(url).content.decode()
    assert w.plan.name in page
    for day in range(4):
        start = dt.date(2026, 3, 10 + day)
        RoundFactory(organization=organization, plan=w.plan, period_start=start, period_end=start, due_date=start)
    with django_assert_num_queries(ROUND_PAGE_QUERIES):
        page = client.get(url).content.decode()
    assert "badge-red" in page  # every round of March 2026 is overdue now


def test_the_plan_list_pins_its_queries(organization: Organization, django_assert_num_queries: Any) -> None:
    w = walk(organization, assets=1)
    client = page_client_for(w.user)
    url = reverse("org-maintenance-plans", args=[organization.slug])
    client.get(url)
    with django_assert_num_queries(PLAN_PAGE_QUERIES):
        assert w.plan.name in client.get(url).content.decode()


def test_a_plan_is_made_on_its_page(organization: Organization) -> None:
    w = walk(organization, assets=1)
    client = page_client_for(w.user)
    site = w.stops[0].asset.site
    response = client.post(
        reverse("org-maintenance-plan-create", args=[organization.slug]),
        {
            "name": "Quarterly sculptures",
            "frequency": "quarterly",
            "day_rule": "every_day",
            "starts_on": "2026-04-01",
            "is_active": "on",
            "sites": [site.pk],
            "inspector": w.user.pk,
        },
    )
    assert response.status_code == 302
    plan = w.plan.__class__.objects.for_organization(organization).get(name="Quarterly sculptures")
    assert list(plan.sites.all()) == [site]
    assert plan.inspector == w.user


#: Session, user, membership and the page's chrome, then the count and the page of rounds (stops counted).
ROUND_PAGE_QUERIES = 7
#: The same chrome, the count and page of plans (open rounds counted), and their scope (four prefetches).
PLAN_PAGE_QUERIES = 11


def test_the_office_cancels_an_overdue_round_with_a_reason_and_it_is_overdue_no_more(
    organization: Organization,
) -> None:
    w = walk(organization, assets=1)
    w.round.due_date = dt.date(2026, 1, 5)
    w.round.save(update_fields=["due_date"])
    client = page_client_for(w.user)
    page = client.get(round_url(w)).content.decode()
    assert 'id="round-cancel"' in page

    refused = client.post(round_url(w), {"op": "cancel", "reason": "  "})
    assert refused.status_code == 400
    assert 'id="round-cancel" open' in refused.content.decode()
    w.round.refresh_from_db()
    assert w.round.status == RoundStatus.SCHEDULED

    done = client.post(round_url(w), {"op": "cancel", "reason": "Park closed for the lantern festival"}, follow=True)
    w.round.refresh_from_db()
    assert (w.round.status, w.round.cancel_reason) == (RoundStatus.CANCELLED, "Park closed for the lantern festival")
    html = done.content.decode()
    assert "Park closed for the lantern festival" in html
    assert 'id="round-cancel"' not in html
    assert 'id="readings-form"' not in html
    assert not w.round.is_overdue(dt.date(2026, 12, 1))


def test_an_inspector_does_the_round_given_to_them_but_does_not_cancel_it(organization: Organization) -> None:
    from tests.factories import InspectorFactory

    w = walk(organization, assets=1)
    inspector = member(organization, OrgRole.MEMBER).user
    InspectorFactory(organization=organization, user=inspector)
    w.round.inspector = inspector
    w.round.save(update_fields=["inspector"])
    client = page_client_for(inspector)
    assert 'id="round-cancel"' not in client.get(round_url(w)).content.decode()
    assert client.post(round_url(w), {"op": "cancel", "reason": "Too hot"}).status_code == 403
    w.round.refresh_from_db()
    assert w.round.status == RoundStatus.SCHEDULED
