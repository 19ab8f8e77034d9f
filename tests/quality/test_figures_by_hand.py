"""First-pass yield and days to close, worked by hand from inspections and non-conformances made
through the services (and, for the spread of closing days, rows with known days)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.utils import translation

from quality.models import NonConformance
from quality.selectors import portfolio_quality, quality_figures
from quality.services import inspections as ins
from quality.services import ncs
from tests.factories import ChecklistItemFactory, NonConformanceFactory, ProjectFactory
from tests.quality.service_support import Site, make_site

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def site() -> Site:
    return make_site()


def signed(site: Site, depth: str, joint: str | None = None, **fields: object) -> object:
    inspection = site.schedule(inspector=site.quality, **fields)
    ins.reading_record(actor=site.quality, inspection=inspection, item=site.depth, number=depth)
    if joint is not None:
        item = site.template.items.get(text_en="Joint gap")
        ins.reading_record(actor=site.quality, inspection=inspection, item=item, number=joint)
    return ins.inspection_sign(actor=site.quality, inspection=inspection)


def closed(project: object, days: int) -> None:
    NonConformanceFactory(
        project=project, status="closed", days_to_close=days, closed_on=dt.date(2026, 6, 1), verification_note="Seen"
    )


def test_first_pass_yield_counts_first_inspections_and_never_a_re_inspection(site: Site) -> None:
    ChecklistItemFactory(template=site.template, severity="minor", text_en="Joint gap", limit_a=Decimal(5))
    signed(site, "20", "5")  # passed
    signed(site, "20", "5.5")  # passed with remarks (minor)
    failed = signed(site, "20.0001", "5")  # failed (major)
    signed(site, "10", "1", reinspection_of=failed)  # a re-inspection: not counted
    ins.inspection_cancel(actor=site.manager, inspection=site.schedule(), reason="Rain")  # not counted
    site.schedule()  # still open: not counted
    figures = quality_figures(site.org, site.project.pk)
    assert (figures.first_inspections, figures.first_passed) == (3, 2)
    # 2 / 3 = 66.666…% → 66.7
    assert figures.first_pass_yield == Decimal("66.7")


def test_first_pass_yield_is_none_before_any_inspection_is_signed(site: Site) -> None:
    site.schedule()
    assert quality_figures(site.org, site.project.pk).first_pass_yield is None


def test_days_to_close_come_from_the_raising_and_the_verification_dates(site: Site) -> None:
    nc = ncs.nc_raise(actor=site.worker, project=site.project, title="Kerb cracked", severity="minor")
    NonConformance.objects.for_organization(site.org).filter(pk=nc.pk).update(
        raised_on=site.org.today() - dt.timedelta(days=9)
    )
    ncs.nc_transition(actor=site.manager, nc=nc, to_status="analysis")
    ncs.nc_update(actor=site.manager, nc=nc, root_cause="Delivery damage")
    ncs.nc_transition(actor=site.manager, nc=nc, to_status="action_plan")
    action = ncs.action_add(
        actor=site.manager, nc=nc, description="Replace", owner=site.worker, due_date=site.org.today()
    )
    ncs.nc_transition(actor=site.manager, nc=nc, to_status="in_progress")
    ncs.action_update(actor=site.worker, action=action, status="done")
    ncs.nc_transition(actor=site.manager, nc=nc, to_status="verification")
    ncs.nc_verify(actor=site.quality, nc=nc, passed=True, note="Replaced")
    figures = quality_figures(site.org, site.project.pk)
    assert (figures.closed_ncs, figures.mean_days_to_close, figures.p90_days_to_close) == (
        1,
        Decimal("9.0"),
        Decimal("9.0"),
    )


def test_mean_and_90th_percentile_days_to_close_by_hand(site: Site) -> None:
    for days in (30, 2, 14, 7, 5):
        closed(site.project, days)
    # Open and cancelled ones do not count.
    NonConformanceFactory(project=site.project, status="in_progress")
    NonConformanceFactory(project=site.project, status="cancelled", cancel_reason="Duplicate")
    figures = quality_figures(site.org, site.project.pk)
    # Mean (2 + 5 + 7 + 14 + 30) / 5 = 11.6; p90 at rank 3.6 between 14 and 30: 14 + 0.6 x 16 = 23.6.
    assert (figures.mean_days_to_close, figures.p90_days_to_close) == (Decimal("11.6"), Decimal("23.6"))
    assert figures.closed_ncs == 5


def test_equal_closing_days_count_each_time(site: Site) -> None:
    for days in (3, 3, 3, 10):
        closed(site.project, days)
    figures = quality_figures(site.org, site.project.pk)
    # Mean 19 / 4 = 4.75 → 4.8; p90 at rank 2.7 between 3 and 10: 3 + 0.7 x 7 = 7.9.
    assert (figures.mean_days_to_close, figures.p90_days_to_close) == (Decimal("4.8"), Decimal("7.9"))


def test_the_portfolio_pools_projects_before_taking_the_percentile(site: Site) -> None:
    other = make_site()
    for days in (1, 2):
        closed(site.project, days)
    sibling = ProjectFactory(organization=site.org, phase="execution")
    for days in (10, 20, 40):
        closed(sibling, days)
    portfolio = portfolio_quality(site.org, [site.project.pk, sibling.pk])
    # Pooled 1 2 10 20 40: mean 73 / 5 = 14.6; p90 at rank 3.6: 20 + 0.6 x 20 = 32.
    assert (portfolio.total.mean_days_to_close, portfolio.total.p90_days_to_close) == (
        Decimal("14.6"),
        Decimal("32.0"),
    )
    assert portfolio.of(site.project.pk).mean_days_to_close == Decimal("1.5")
    # Another organisation's project never leaks in, even named in the scope.
    closed(other.project, 99)
    assert portfolio_quality(site.org, [site.project.pk, other.project.pk]).total.closed_ncs == 2
