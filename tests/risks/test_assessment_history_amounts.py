"""A reassessment lists only what changed: an amount given as 150000 is the stored 150000.00 (outside trial of
issue 12: the demo's history showed "Cost impact, most likely: 150000.00 → 150000" where nothing had changed)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pmo.models import OrgRole
from risks.models import RiskAssessment
from risks.services.register import risk_assess, risk_raise
from risks.services.settings import risk_categories
from tests.factories import ProjectFactory, member

pytestmark = pytest.mark.django_db


def test_a_reassessment_with_the_same_amounts_written_without_cents_records_no_cost_change() -> None:
    project = ProjectFactory()
    manager = member(project.organization, OrgRole.RISK).user
    risk = risk_raise(
        actor=manager,
        organization=project.organization,
        project=project,
        title="Late steel",
        category=risk_categories(project.organization)[0],
    )
    cost = (Decimal("80000.00"), Decimal("150000.00"), Decimal("300000.00"))
    risk = risk_assess(actor=manager, risk=risk, probability=4, impacts={"cost": 3}, cost=cost)

    risk = risk_assess(
        actor=manager,
        risk=risk,
        probability=3,
        impacts={"cost": 3},
        cost=(Decimal(80000), 150000, "300000"),
        reason="Production slot agreed",
    )

    latest = RiskAssessment.objects.for_organization(project.organization).filter(risk=risk).first()
    assert latest.reason == "Production slot agreed"
    assert "probability" in latest.changes
    assert not {"cost_min", "cost_likely", "cost_max"} & set(latest.changes)
    assert (risk.cost_min, risk.cost_likely, risk.cost_max) == cost
