"""Exposure on the pages: the risk-adjusted EAC in the earned-value page's forecasts, and the register's
exposure beside contingency and its trend.

A risk assessed at probability 4 (70 % by default) with a cost impact of 1,000 / 2,000 / 6,000 (PERT
mean 2,500) has an EMV of 1,750.00.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from finance.models import BudgetVersion
from pmo.models import Organization, OrgRole
from risks.exposure import exposure_box, risk_adjusted_eac, trend_chart
from risks.models import RiskAssessment
from tests.factories import member
from tests.finance.test_pages_support import Books, build_books
from tests.risks.pages_support import assess, raise_risk

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(organization: Organization) -> Books:
    return build_books(organization)


def risky(books: Books) -> None:
    manager = member(books.organization, OrgRole.RISK, username="rita").user
    assess(raise_risk(books.organization, manager, books.project, title="Crane breaks down"), manager, 4, 4)


def panel_values(html: str) -> dict[str, str]:
    panel = re.search(r'<div class="risk-eac" data-panel="risk-eac">.*?</div>\s*$', html, re.S | re.M)
    assert panel is not None
    return dict(re.findall(r'data-key="(risk_[a-z_]+)">.*?<span class="ind-value[^"]*">([^<]*)', panel.group(), re.S))


def test_the_earned_value_page_adds_the_exposure_to_each_eac(books: Books) -> None:
    risky(books)

    with translation.override("en"):
        response = books.client(books.viewer).get(books.url("earned-value/"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    figures = response.context["evm"].figures
    html = response.content.decode()
    forecasts = re.search(r'<section class="card" aria-labelledby="forecasts-title">.*?</section>', html, re.S)
    assert forecasts is not None
    assert 'data-panel="risk-eac"' in forecasts.group()
    shown = panel_values(html)
    assert shown["risk_exposure"].strip() == "1,750.00"
    assert shown["risk_eac_atypical"].strip() == f"{figures.eac_atypical + Decimal('1750.00'):,.2f}"
    if figures.eac is not None:
        assert shown["risk_eac"].strip() == f"{figures.eac + Decimal('1750.00'):,.2f}"
    assert "Risk-adjusted EAC, typical" in html


def test_on_a_past_status_date_the_exposure_is_read_from_the_history(books: Books) -> None:
    risky(books)
    RiskAssessment.objects.for_organization(books.organization).update(at=dt.datetime(2026, 3, 20, 9, tzinfo=dt.UTC))

    before = books.client(books.viewer).get(books.url("earned-value/?as_of=2026-03-13"))
    after = books.client(books.viewer).get(books.url("earned-value/?as_of=2026-03-27"))

    assert before.context["evm"] is not None
    assert panel_values(before.content.decode())["risk_exposure"].strip() in {"0.00", "0"}
    assert panel_values(after.content.decode())["risk_exposure"].strip() == "1,750.00"


def test_the_panel_reads_one_query_and_the_register_boxes_two(books: Books) -> None:
    risky(books)
    response = books.client(books.viewer).get(books.url("earned-value/"))
    evm, as_of = response.context["evm"], response.context["as_of"]
    from pmo.navigation import PanelContext

    given = PanelContext(
        request=response.wsgi_request,
        organization=books.organization,
        membership=books.viewer,
        project=books.project,
        project_role=None,
        values={"evm": evm, "as_of": as_of},
    )
    books.project.organization = books.organization
    with CaptureQueriesContext(connection) as queries:
        risk_adjusted_eac(given)
    assert len(queries) == 1

    with CaptureQueriesContext(connection) as queries:
        box = exposure_box(books.project)
        trend = trend_chart(books.project)
    assert len(queries) == 2
    assert trend.exposure is box
    assert box.exposure == Decimal("1750.00")


def test_the_register_shows_exposure_beside_contingency_and_its_trend(books: Books) -> None:
    risky(books)
    BudgetVersion.objects.for_organization(books.organization).filter(pk=books.v1.pk).update(
        contingency_reserve=Decimal("1000.00")
    )

    with translation.override("en"):
        response = books.client(books.viewer).get(books.url("risks/"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="exposure-value" data-value="1750.00"' in html
    assert 'id="contingency-value" data-value="1000.00"' in html
    assert 'data-over="true"' in html
    assert "Exposure above contingency" in html
    assert 'id="exposure-trend"' in html
    assert 'data-series="ac"' in html  # the exposure line
    assert 'class="lv c-budget"' in html  # the contingency level


def test_the_register_of_a_project_without_assessments_says_the_trend_will_come(books: Books) -> None:
    with translation.override("zh-hans"):
        response = books.client(books.viewer).get(books.url("risks/"), HTTP_ACCEPT_LANGUAGE="zh-hans")

    html = response.content.decode()
    assert 'id="exposure-trend-empty"' in html
    assert 'id="exposure-value" data-value="0.00"' in html
    assert 'data-over="false"' in html
