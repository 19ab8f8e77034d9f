"""The demo's gate rules: leaving planning needs a baseline and an approved budget, and a newcomer sees why."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import translation

from pmo.models import Membership, Organization
from projects.models import Phase, Project, StageGate
from projects.services.gate_checks import gate_check_selection
from tests.conftest import api_client_for, page_client_for

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


def test_the_demo_gates_seeded_in_chinese_read_in_english_to_an_english_reader() -> None:
    with translation.override("zh-hans"):
        call_command("seed_demo", quiet_logins=True)
    organization = Organization.objects.get(slug="demo")
    gate = (
        StageGate.objects.for_organization(organization)
        .filter(from_phase=Phase.PLANNING, to_phase=Phase.EXECUTION)
        .exclude(computed_checks=[])
        .order_by("pk")
        .first()
    )
    assert gate is not None
    assert gate.computed_checks[0]["label"] == "已有当前基线"
    pmo = Membership.objects.for_organization(organization).select_related("user").get(user__username="pmo")
    pmo.user.language = "en"
    pmo.user.save(update_fields=["language"])

    client = api_client_for(pmo.user)
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    recorded = client.get(f"/api/v1/orgs/demo/projects/{gate.project_id}/gates/{gate.pk}/").json()["computed_checks"]
    assert recorded[0]["label"] == "A current baseline exists"
    assert recorded[0]["reason"].startswith("Current baseline: ")
    assert [c["code"] for c in recorded] == [c["code"] for c in gate.computed_checks]
    html = page_client_for(pmo.user).get(f"/o/demo/projects/{gate.project_id}/gate/").content.decode()
    assert "当前基线" not in html
    assert "Current baseline: " in html
