"""The demo's gate rules: leaving planning needs a baseline and an approved budget, and a newcomer sees why."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import translation

from pmo.models import Membership, Organization
from projects.models import Phase, Project
from projects.services.gate_checks import gate_check_selection
from tests.conftest import page_client_for

pytestmark = pytest.mark.django_db


def test_the_demo_blocks_leaving_planning_without_an_approved_budget_and_says_why() -> None:
    call_command("seed_demo", quiet_logins=True)
    call_command("seed_demo", quiet_logins=True)  # seeding again keeps the choice
    organization = Organization.objects.get(slug="demo")
    assert gate_check_selection(organization)["planning"] == ["baseline_current", "budget_approved"]

    pmo = Membership.objects.for_organization(organization).select_related("user").get(user__username="pmo")
    pmo.user.language = "en"
    pmo.user.save(update_fields=["language"])
    project = Project.objects.for_organization(organization).filter(phase=Phase.PLANNING).order_by("code").first()
    assert project is not None
    with translation.override("en"):
        page = page_client_for(pmo.user).get(f"/o/demo/projects/{project.pk}/gate/")
    assert page.status_code == 200
    assert page.context["gate_blocked"] is True
    assert {c["code"]: c["passed"] for c in page.context["computed_checks"]} == {
        "baseline_current": False,
        "budget_approved": False,
    }
    assert "The project has no approved budget" in page.content.decode()
