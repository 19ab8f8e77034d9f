"""Monte Carlo runs and three-point estimates through the services, on projects built with the plan services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from django.db import IntegrityError
from django.utils import timezone

from pmo.errors import ApplicationError
from pmo.models import AuditEvent, Membership, Organization, OrgRole
from projects.models import Project, WbsElement
from projects.services import plan
from risks.models import MonteCarloRun, RunStatus, TaskEstimate
from risks.services import analysis
from risks.services.analysis import (
    monte_carlo_execute,
    monte_carlo_request,
    task_estimate_clear,
    task_estimate_set,
    task_estimates_bulk,
    task_estimates_clear,
)
from tests.factories import (
    BudgetLineFactory,
    BudgetVersionFactory,
    CostCategoryFactory,
    MonteCarloRunFactory,
    RiskFactory,
    RiskWbsLinkFactory,
    member,
)
from tests.projects.helpers import add_task, make_project, refreshed

pytestmark = pytest.mark.django_db


@pytest.fixture
def pm(organization: Organization) -> Membership:
    return member(organization, OrgRole.PROJECT_MANAGER)


def build_plan(organization: Organization, pm: Membership) -> tuple[Project, dict[str, WbsElement]]:
    """Site (summary: Survey 3 d, Clear 10 d after it), Permits 4 d beside them, Build 5 d after both."""
    project = make_project(organization, manager=pm.user)
    site = add_task(project, "Site", actor=pm, kind=WbsElement.Kind.SUMMARY)
    tasks = {
        "survey": add_task(project, "Survey", actor=pm, parent=site, duration=3, budgeted_cost=3000),
        "clear": add_task(project, "Clear", actor=pm, parent=site, duration=10, budgeted_cost=10000),
        "permits": add_task(project, "Permits", actor=pm, duration=4, budgeted_cost=400),
        "build": add_task(project, "Build", actor=pm, duration=5, budgeted_cost=5000),
    }
    for predecessor, successor in (("survey", "clear"), ("clear", "build"), ("permits", "build")):
        plan.dependency_create(
            actor=pm.user, project=project, predecessor=tasks[predecessor], successor=tasks[successor]
        )
    tasks["site"] = refreshed(site)
    return Project.objects.for_organization(organization).get(pk=project.pk), tasks


def fix_estimates(pm: Membership, tasks: dict[str, WbsElement]) -> None:
    """Point estimates at the planned values: no variance."""
    for name in ("survey", "clear", "permits", "build"):
        task = refreshed(tasks[name])
        task_estimate_set(
            actor=pm.user,
            element=task,
            optimistic_days=task.duration,
            likely_days=task.duration,
            pessimistic_days=task.duration,
            optimistic_cost=task.budgeted_cost,
            likely_cost=task.budgeted_cost,
            pessimistic_cost=task.budgeted_cost,
        )


def run_now(capture: Callable[..., Any], pm: Membership, project: Project, **options: Any) -> MonteCarloRun:
    with capture(execute=True):
        run = monte_carlo_request(actor=pm.user, project=project, **options)
    return MonteCarloRun.objects.for_organization(project.organization_id).get(pk=run.pk)


def test_without_variance_a_run_finishes_on_the_projects_critical_path_finish(
    organization: Organization, pm: Membership, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    project, tasks = build_plan(organization, pm)
    fix_estimates(pm, tasks)

    run = run_now(django_capture_on_commit_callbacks, pm, project, iterations=200, seed=1)

    assert run.status == RunStatus.DONE
    assert run.progress == 100
    assert run.deterministic_finish == run.p50_finish == run.confident_finish == project.scheduled_finish
    assert set(run.results["finish"]["percentiles"].values()) == {project.scheduled_finish.isoformat()}
    assert run.confident_cost == Decimal("18400.00")
    criticality = {row["id"]: row["index"] for row in run.results["criticality"]}
    for name in ("survey", "clear", "permits", "build"):
        task = refreshed(tasks[name])
        assert criticality[task.pk] == (1.0 if task.is_critical else 0.0), name
    assert run.results["tornado"] == []


def test_a_run_snapshots_its_inputs_with_default_three_points_for_tasks_without_estimates(
    organization: Organization, pm: Membership, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    project, _tasks = build_plan(organization, pm)

    run = run_now(django_capture_on_commit_callbacks, pm, project, iterations=500, seed=7)

    by_name = {task["name"]: task for task in run.inputs["tasks"]}
    assert set(by_name) == {"Survey", "Clear", "Permits", "Build"}
    # -10 % / +25 % of the planned duration and cost, exactly.
    assert by_name["Clear"]["duration_points"] == ["9", "10", "12.5"]
    assert by_name["Clear"]["cost_points"] == ["9000.00", "10000.00", "12500.00"]
    assert by_name["Clear"]["estimated"] is False
    assert len(run.inputs["dependencies"]) == 3
    assert run.inputs["project_start"] == "2026-03-02"
    assert run.inputs["calendar"]["working_weekdays"] == [0, 1, 2, 3, 4]
    results = run.results
    assert list(results["finish"]["percentiles"]) == ["10", "50", "80", "90"]
    p10, p50, p80, p90 = (dt.date.fromisoformat(day) for day in results["finish"]["percentiles"].values())
    assert p10 <= p50 <= p80 <= p90
    assert run.p50_finish == p50
    assert run.confident_finish == p80  # the default confidence is 80 %
    assert sum(bin_["count"] for bin_ in results["finish"]["histogram"]) == 500
    assert sum(bin_["count"] for bin_ in results["cost"]["histogram"]) == 500
    assert results["finish"]["s_curve"][-1]["probability"] == 1.0
    assert results["tornado"][0]["label"].endswith("Clear")
    assert results["cost"]["percentiles"]["50"] > "18400.00"  # the spread is skewed towards overrun
    assert AuditEvent.objects.for_organization(organization).filter(action="risk_analysis.requested").count() == 1


def test_the_same_seed_gives_the_same_results(
    organization: Organization, pm: Membership, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    project, _tasks = build_plan(organization, pm)

    first = run_now(django_capture_on_commit_callbacks, pm, project, iterations=300, seed=99)
    second = run_now(django_capture_on_commit_callbacks, pm, project, iterations=300, seed=99)

    assert first.pk != second.pk
    first.results.pop("seconds")
    second.results.pop("seconds")
    assert first.results == second.results


def test_a_risk_that_surely_occurs_delays_its_linked_tasks_and_adds_its_cost(
    organization: Organization, pm: Membership, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    project, tasks = build_plan(organization, pm)
    fix_estimates(pm, tasks)
    risk = RiskFactory(
        project=project,
        status="assessed",
        probability=5,
        probability_percent=Decimal("100"),
        days_min=5,
        days_likely=5,
        days_max=5,
        cost_min=Decimal("700"),
        cost_likely=Decimal("700"),
        cost_max=Decimal("700"),
    )
    # Linked to the summary: its schedule impact lands on each of its tasks (Survey and Clear).
    RiskWbsLinkFactory(risk=risk, element=tasks["site"])
    RiskFactory(project=project, status="closed", probability_percent=Decimal("100"), days_likely=50, days_max=50)

    run = run_now(django_capture_on_commit_callbacks, pm, project, iterations=200, seed=3)

    calendar_finish = project.scheduled_finish
    assert calendar_finish is not None
    # Survey and Clear both run 5 days longer: the finish moves 10 working days (two weeks).
    assert run.p50_finish == calendar_finish + dt.timedelta(days=14)
    assert run.deterministic_finish == calendar_finish
    assert run.confident_cost == Decimal("19100.00")
    assert [entry["code"] for entry in run.inputs["risks"]] == [risk.code]
    assert run.inputs["risks"][0]["task_ids"] == sorted([tasks["survey"].pk, tasks["clear"].pk])
    assert run.results["risks"][0]["occurrence"] == 1.0


def test_probabilities_of_the_baseline_finish_and_the_budget(
    organization: Organization, pm: Membership, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    project, _tasks = build_plan(organization, pm)
    plan.baseline_create(actor=pm.user, project=project, name="Approved")
    version = BudgetVersionFactory(project=project, status="approved", is_current=True, contingency_reserve=500)
    category = CostCategoryFactory(organization=organization)
    BudgetLineFactory(version=version, category=category, amount=Decimal("18000.00"))

    run = run_now(django_capture_on_commit_callbacks, pm, project, iterations=2000, seed=5)

    assert run.baseline_finish == project.scheduled_finish
    assert run.budget == Decimal("18500.00")
    # The likely values are the plan and every spread is skewed late: meeting either is unlikely.
    assert run.finish_probability is not None
    assert Decimal(0) < run.finish_probability < Decimal(50)
    assert run.budget_probability is not None
    assert Decimal(0) < run.budget_probability < Decimal(60)
    assert run.results["finish_probability"] == float(run.finish_probability) / 100


def test_a_second_request_joins_the_active_run(organization: Organization, pm: Membership) -> None:
    project, _tasks = build_plan(organization, pm)
    first = monte_carlo_request(actor=pm.user, project=project, iterations=1000)

    second = monte_carlo_request(actor=pm.user, project=project, iterations=2000, seed=4)

    assert second.pk == first.pk
    assert second.status == RunStatus.QUEUED
    assert MonteCarloRun.objects.for_organization(organization).count() == 1


def test_a_request_racing_another_joins_the_run_it_lost_to(organization: Organization, pm: Membership) -> None:
    project, _tasks = build_plan(organization, pm)
    winner = MonteCarloRunFactory(project=project, status=RunStatus.QUEUED, requested_at=timezone.now())
    looks = iter([None, winner])

    with mock.patch.object(analysis, "_active_run", side_effect=lambda project: next(looks)):
        joined = monte_carlo_request(actor=pm.user, project=project)

    assert joined.pk == winner.pk
    assert MonteCarloRun.objects.for_organization(organization).count() == 1


def test_an_integrity_error_without_an_active_run_is_not_swallowed(organization: Organization, pm: Membership) -> None:
    project, _tasks = build_plan(organization, pm)

    with (
        mock.patch.object(MonteCarloRun.objects, "create", side_effect=IntegrityError("boom")),
        pytest.raises(IntegrityError),
    ):
        monte_carlo_request(actor=pm.user, project=project)


def test_a_run_abandoned_by_its_worker_is_replaced(organization: Organization, pm: Membership) -> None:
    project, _tasks = build_plan(organization, pm)
    stuck = MonteCarloRunFactory(
        project=project, status=RunStatus.RUNNING, started_at=timezone.now() - dt.timedelta(hours=2)
    )

    run = monte_carlo_request(actor=pm.user, project=project)

    assert run.pk != stuck.pk
    stuck.refresh_from_db()
    assert stuck.status == RunStatus.FAILED
    assert stuck.error


@pytest.mark.parametrize(("iterations", "seed"), [(99, None), (100_001, None), (1000, -1), (1000, 2**63)])
def test_bad_iterations_or_seed_are_refused_and_nothing_is_queued(
    organization: Organization, pm: Membership, iterations: int, seed: int | None
) -> None:
    project, _tasks = build_plan(organization, pm)

    with pytest.raises(ApplicationError) as raised:
        monte_carlo_request(actor=pm.user, project=project, iterations=iterations, seed=seed)

    assert raised.value.fields
    assert not MonteCarloRun.objects.for_organization(organization).exists()


def test_executing_a_finished_run_again_changes_nothing(
    organization: Organization, pm: Membership, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    project, _tasks = build_plan(organization, pm)
    run = run_now(django_capture_on_commit_callbacks, pm, project, iterations=100, seed=2)

    again = monte_carlo_execute(organization_id=organization.pk, run_id=run.pk)

    assert again is not None
    assert again.finished_at == run.finished_at
    assert monte_carlo_execute(organization_id=organization.pk, run_id=run.pk + 1000) is None


def test_progress_is_written_while_the_run_goes(organization: Organization, pm: Membership) -> None:
    project, _tasks = build_plan(organization, pm)
    run = monte_carlo_request(actor=pm.user, project=project, iterations=5000, seed=1)
    seen: list[int] = []
    update = MonteCarloRun.objects.for_organization(organization).filter(pk=run.pk)

    def spy(done: int, total: int) -> None:
        seen.append(update.values_list("progress", flat=True).get())

    real_simulate = analysis.simulate

    def simulate_with_spy(*args: Any, progress: Callable[[int, int], None], **kwargs: Any) -> Any:
        def both(done: int, total: int) -> None:
            progress(done, total)
            spy(done, total)

        return real_simulate(*args, progress=both, **kwargs)

    with mock.patch.object(analysis, "simulate", simulate_with_spy):
        monte_carlo_execute(organization_id=organization.pk, run_id=run.pk)

    assert seen == [10, 20, 30, 40, 50, 60, 70, 80, 90, 99]
    assert update.values_list("progress", flat=True).get() == 100


def test_a_task_estimate_is_set_replaced_and_cleared(organization: Organization, pm: Membership) -> None:
    _project, tasks = build_plan(organization, pm)
    values = {
        "optimistic_days": 8,
        "likely_days": 10,
        "pessimistic_days": 15,
        "optimistic_cost": Decimal("9000"),
        "likely_cost": Decimal("10000"),
        "pessimistic_cost": Decimal("14000.50"),
    }

    task_estimate_set(actor=pm.user, element=tasks["clear"], **values)
    estimate = task_estimate_set(actor=pm.user, element=tasks["clear"], **{**values, "pessimistic_days": 20})

    assert TaskEstimate.objects.for_organization(organization).count() == 1
    assert (estimate.pessimistic_days, estimate.pessimistic_cost) == (20, Decimal("14000.50"))
    assert task_estimate_clear(actor=pm.user, element=tasks["clear"]) is True
    assert task_estimate_clear(actor=pm.user, element=tasks["clear"]) is False
    assert not TaskEstimate.objects.for_organization(organization).exists()


@pytest.mark.parametrize(
    "change",
    [
        {"optimistic_days": 11},
        {"pessimistic_days": 9},
        {"optimistic_cost": Decimal("-1")},
        {"likely_cost": Decimal("20000")},
        {"pessimistic_cost": Decimal("1.001")},
    ],
)
def test_three_points_out_of_order_are_refused_and_nothing_changes(
    organization: Organization, pm: Membership, change: dict[str, Any]
) -> None:
    _project, tasks = build_plan(organization, pm)
    values = {
        "optimistic_days": 8,
        "likely_days": 10,
        "pessimistic_days": 15,
        "optimistic_cost": Decimal("9000"),
        "likely_cost": Decimal("10000"),
        "pessimistic_cost": Decimal("14000"),
    }

    with pytest.raises(ApplicationError):
        task_estimate_set(actor=pm.user, element=tasks["clear"], **{**values, **change})

    assert not TaskEstimate.objects.for_organization(organization).exists()


def test_a_summary_cannot_be_estimated(organization: Organization, pm: Membership) -> None:
    _project, tasks = build_plan(organization, pm)

    with pytest.raises(ApplicationError) as raised:
        task_estimate_set(
            actor=pm.user,
            element=tasks["site"],
            optimistic_days=1,
            likely_days=1,
            pessimistic_days=1,
            optimistic_cost=Decimal(0),
            likely_cost=Decimal(0),
            pessimistic_cost=Decimal(0),
        )

    assert raised.value.code == "summary_element"


def test_bulk_estimates_by_branch_round_half_up_and_touch_only_the_branch(
    organization: Organization, pm: Membership
) -> None:
    project, tasks = build_plan(organization, pm)

    count = task_estimates_bulk(
        actor=pm.user, project=project, branch=tasks["site"], optimistic_percent=10, pessimistic_percent=25
    )

    assert count == 2
    rows = {
        row[0]: row[1:]
        for row in TaskEstimate.objects.for_organization(organization).values_list(
            "element_id", "optimistic_days", "likely_days", "pessimistic_days", "optimistic_cost", "pessimistic_cost"
        )
    }
    # Survey 3 d: 2.7 → 3, 3.75 → 4.  Clear 10 d: 9, 12.5 → 13.
    assert rows == {
        tasks["survey"].pk: (3, 3, 4, Decimal("2700.00"), Decimal("3750.00")),
        tasks["clear"].pk: (9, 10, 13, Decimal("9000.00"), Decimal("12500.00")),
    }
    assert (
        task_estimates_bulk(actor=pm.user, project=project, branch=None, optimistic_percent=0, pessimistic_percent=50)
        == 4
    )
    assert TaskEstimate.objects.for_organization(organization).get(element=tasks["clear"]).pessimistic_days == 15
    assert task_estimates_clear(actor=pm.user, project=project, branch=tasks["site"]) == 2
    assert TaskEstimate.objects.for_organization(organization).count() == 2


@pytest.mark.parametrize(("optimistic", "pessimistic"), [(100, 25), (-1, 25), (10, 1001)])
def test_bulk_estimates_with_bad_percentages_are_refused(
    organization: Organization, pm: Membership, optimistic: int, pessimistic: int
) -> None:
    project, _tasks = build_plan(organization, pm)

    with pytest.raises(ApplicationError):
        task_estimates_bulk(
            actor=pm.user, project=project, branch=None, optimistic_percent=optimistic, pessimistic_percent=pessimistic
        )

    assert not TaskEstimate.objects.for_organization(organization).exists()


def test_bulk_estimates_refuse_a_branch_of_another_project(organization: Organization, pm: Membership) -> None:
    project, _tasks = build_plan(organization, pm)
    other = make_project(organization, code="P-2")
    stranger = add_task(other, "Elsewhere", actor=pm)

    with pytest.raises(ApplicationError):
        task_estimates_bulk(
            actor=pm.user, project=project, branch=stranger, optimistic_percent=10, pessimistic_percent=25
        )


def test_a_project_without_tasks_runs_to_its_start(
    organization: Organization, pm: Membership, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    project = make_project(organization, manager=pm.user)

    run = run_now(django_capture_on_commit_callbacks, pm, project, iterations=100, seed=1)

    assert run.status == RunStatus.DONE
    assert run.p50_finish == run.deterministic_finish == project.planned_start
    assert run.confident_cost == Decimal("0.00")
    assert run.results["criticality"] == []


def test_default_points_are_written_in_plain_digits() -> None:
    from risks.services.analysis import default_points

    # Decimal.normalize() writes 10 as 1E+1, which the API's decimal strings do not allow.
    assert default_points(10, 0, 0) == ("10", "10", "10")
    assert default_points(8, 10, 25) == ("7.2", "8", "10")
