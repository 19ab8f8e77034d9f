from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db.models import Sum

from finance.models import ActualCost, EvmSnapshot
from maintenance.models import Asset, AssetReading, Round, RoundStatus, WorkOrder, WorkOrderKind
from pmo.models import Alert, Membership, Organization, OrgRole, User
from pmo.tenancy import TenantModel
from projects.models import Baseline, BaselineTask, Dependency, ProgressUpdate, Project, WbsElement
from projects.services.schedule import SCHEDULE_FIELDS, schedule_recompute
from tests.factories import ProjectFactory, WbsElementFactory

pytestmark = pytest.mark.django_db

SLUG = "bench-3x10"
STATUS_DATE = "2026-06-15"
ROLLED_UP = [*SCHEDULE_FIELDS, "budgeted_cost", "percent_complete", "duration"]


def seed(**options: Any) -> str:
    out = io.StringIO()
    arguments = {"projects": 3, "tasks_per_project": 10, "seed": 1, "status_date": STATUS_DATE, **options}
    call_command("seed_bench", stdout=out, **arguments)
    return out.getvalue()


def bench() -> Organization:
    return Organization.objects.get(slug=SLUG)


def fingerprint(organization: Organization) -> dict[str, Any]:
    """Row counts of every tenant model, and the figures that depend on the random draws."""
    counts = {
        model.__name__: model.objects.for_organization(organization).count()
        for model in apps.get_models()
        if issubclass(model, TenantModel)
    }
    elements = list(
        WbsElement.objects.for_organization(organization)
        .order_by("project__code", "sort_key")
        .values_list("project__code", "code", "kind", "duration", "budgeted_cost", "percent_complete", *ROLLED_UP)
    )
    updates = list(
        ProgressUpdate.objects.for_organization(organization)
        .order_by("task__project__code", "task__sort_key", "effective_date", "percent_complete")
        .values_list("task__code", "effective_date", "percent_complete", "actual_start", "actual_finish")
    )
    spent = ActualCost.objects.for_organization(organization).aggregate(total=Sum("amount"))["total"]
    alerts = sorted(Alert.objects.for_organization(organization).values_list("kind", "subject_label", "severity"))
    return {"counts": counts, "elements": elements, "updates": updates, "spent": spent, "alerts": alerts}


def test_seed_bench_makes_a_bench_organisation_of_the_size_asked_for() -> None:
    out = seed()
    organization = bench()
    projects = Project.objects.for_organization(organization)
    assert projects.count() == 3
    assert WbsElement.objects.for_organization(organization).leaves().count() == 30
    assert Dependency.objects.for_organization(organization).exists()
    assert Baseline.objects.for_organization(organization).filter(is_current=True).count() == 3
    assert BaselineTask.objects.for_organization(organization).count() == 30
    assert ProgressUpdate.objects.for_organization(organization).exists()
    assert ActualCost.objects.for_organization(organization).exists()
    assert EvmSnapshot.objects.for_organization(organization).count() == 3
    assert Alert.objects.for_organization(organization).exists()
    roles = set(Membership.objects.for_organization(organization).values_list("role", flat=True))
    assert {OrgRole.ADMIN, OrgRole.PMO, OrgRole.PROJECT_MANAGER, OrgRole.FINANCE, OrgRole.MAINTENANCE} <= roles
    assert Asset.objects.for_organization(organization).count() == 3 * 50
    assert Round.objects.for_organization(organization).filter(status=RoundStatus.COMPLETED).exists()
    assert AssetReading.objects.for_organization(organization).filter(passed=False, defect__isnull=False).exists()
    assert WorkOrder.objects.for_organization(organization).filter(kind=WorkOrderKind.CORRECTIVE).exists()
    assert User.objects.get(username=f"{SLUG}-admin").check_password("pmo-bench-2026")
    assert f"{SLUG}-admin" in out
    assert "pmo-bench-2026" in out


def test_seeding_again_with_the_same_seed_gives_the_same_data_in_a_new_organisation() -> None:
    seed()
    first = bench()
    before = fingerprint(first)
    seed()
    again = bench()
    assert again.pk != first.pk
    assert Organization.objects.filter(slug=SLUG).count() == 1
    assert fingerprint(again) == before
    assert User.objects.filter(username__startswith=f"{SLUG}-").count() == 11


def test_another_seed_gives_other_figures() -> None:
    seed()
    before = fingerprint(bench())
    seed(seed=2)
    after = fingerprint(bench())
    assert after["counts"]["Project"] == before["counts"]["Project"]
    assert after["elements"] != before["elements"]


def test_seeding_leaves_the_other_organisations_alone(organization: Organization) -> None:
    project = ProjectFactory(organization=organization, code="KEEP-1")
    WbsElementFactory(organization=organization, project=project)
    seed()
    seed()
    assert Project.objects.for_organization(organization).get().code == "KEEP-1"
    assert WbsElement.objects.for_organization(organization).count() == 1
    bench_users = User.objects.filter(username__startswith=f"{SLUG}-")
    assert set(
        Membership.objects.unscoped().filter(user__in=bench_users).values_list("organization__slug", flat=True)
    ) == {SLUG}


def test_the_seeded_plan_is_what_the_scheduler_would_make() -> None:
    seed(big_project_tasks=60)
    organization = bench()
    for project in Project.objects.for_organization(organization).select_related("organization"):
        elements = WbsElement.objects.for_organization(organization).filter(project=project).order_by("pk")
        before = list(elements.values_list(*ROLLED_UP))
        dates = (project.scheduled_start, project.scheduled_finish)
        schedule_recompute(project)
        assert list(elements.values_list(*ROLLED_UP)) == before
        assert (project.scheduled_start, project.scheduled_finish) == dates


def test_the_big_project_has_the_tasks_asked_for() -> None:
    seed(big_project_tasks=60)
    big = Project.objects.for_organization(bench()).get(code="B-BIG")
    leaves = WbsElement.objects.for_organization(big.organization_id).filter(project=big).leaves()
    assert leaves.count() == 60
    assert leaves.aggregate(total=Sum("budgeted_cost"))["total"] > Decimal(0)


def test_only_bench_organisations_are_seeded_or_deleted(organization: Organization) -> None:
    with pytest.raises(CommandError, match="bench-"):
        seed(org=organization.slug)
    assert Organization.objects.filter(pk=organization.pk).exists()
