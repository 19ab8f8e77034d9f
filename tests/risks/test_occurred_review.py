"""An occurred risk is out of the review cycle, as a closed one is (outside trial of issue 12: a risk turned into an
issue kept its next review date, shown in the register beside the occurred status)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from pmo.models import OrgRole
from risks.models import RiskStatus
from risks.services import issues as services
from tests.factories import ProjectFactory, RiskFactory, member


@pytest.mark.django_db
def test_a_risk_that_occurs_has_no_next_review_any_more(organization) -> None:
    manager = member(organization, OrgRole.PMO, username="pam")
    risk = RiskFactory(
        project=ProjectFactory(organization=organization),
        status=RiskStatus.RESPONDING,
        owner=manager.user,
        score=12,
        level="medium",
        emv=Decimal("5000.00"),
        next_review=dt.date(2026, 7, 1),
    )

    services.risk_occurred(actor=manager.user, risk=risk, severity="high")

    risk.refresh_from_db()
    assert risk.status == RiskStatus.OCCURRED
    assert risk.next_review is None
